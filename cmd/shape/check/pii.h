/*
 * pii.h: --drop, --mask-ip and --hash on rows, after the filter and
 * before column names are mapped (paths use the filter's field names).
 *
 * A path is dot-separated field names ("address.street"); where it meets
 * an array it applies to every element.  A path that is absent in a row
 * is not an error.  Per row the order is: drop, then mask, then hash.
 */
#ifndef FK_SHAPE_PII_H
#define FK_SHAPE_PII_H

#include <stddef.h>

#include <jv.h>

#include "fk.h"
#include "schema.h"
#include "shape/program/proj.h"

enum pii_op { PII_DROP, PII_MASK_IP, PII_HASH };

struct pii;		/* the paths and the key, shared read-only */
struct pii_state;	/* one per worker thread */

struct pii *pii_new(void);
void pii_free(struct pii *p);

/*
 * Add the comma-separated paths in list for op.  -1 with e (USAGE) for an
 * empty path or component, or a path given twice.
 */
int pii_add(struct pii *p, enum pii_op op, const char *list,
    struct fk_err *e);

/* Nonzero if any path was added (for op, or any op if op is -1). */
int pii_has(const struct pii *p, int op);

/*
 * The HMAC key (copied; the caller wipes its copy).  -1 with e (CONFIG)
 * if it is empty.
 */
int pii_set_key(struct pii *p, const void *key, size_t n,
    struct fk_err *e);

struct pii_state *pii_state_new(const struct pii *p,
    struct fk_err *e);
void pii_state_free(struct pii_state *st);

/*
 * Apply every path to row (consumed); the result in *out.  -1 with ce
 * filled for a value that cannot be masked or hashed.
 */
int pii_apply(struct pii_state *st, jv row, jv *out,
    struct schema_cerr *ce);

/* Bytes of a masked or hashed value's JSON text (quotes included). */
#define PII_TEXT_MAX 68

/*
 * pii_apply on a row as text (proj.h, flat.h): kv[0..*n) is rewritten
 * in place.  A path of one field name applies to the members of that
 * key: --drop removes them (*n shrinks), --mask-ip and --hash point
 * their value at its new string's JSON text, member j's in
 * buf + j * PII_TEXT_MAX.  0 when done; 1 when the canonical path
 * must take the row: a value to mask or hash that is not a string
 * without escapes or null, an address that is not one, a longer path
 * that meets an object or an array.  Paths found count as hits, for
 * pii_hits, even when the row then goes the canonical way.
 */
int pii_apply_text(struct pii_state *st, struct proj_kv *kv, size_t *n,
    char *buf);

/* Paths that matched nothing in any row of this state (for a warning). */
size_t pii_npaths(const struct pii *p);
const char *pii_path(const struct pii *p, size_t i, int *op);
unsigned long pii_hits(const struct pii_state *st, size_t i);

/* HMAC-SHA256 of msg under key as 64 lowercase hex digits. */
/* Exported for tests/unit only. */
int pii_hmac_hex(const void *key, size_t klen, const void *msg,
    size_t n, char out[65]);

/* The IPv4 /24 or IPv6 /48 of text, as text; -1 if not an address. */
/* Exported for tests/unit only. */
int pii_mask_ip(const char *text, char out[64]);

#endif
