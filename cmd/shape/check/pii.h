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

enum fk_pii_op { FK_PII_DROP, FK_PII_MASK_IP, FK_PII_HASH };

struct fk_pii;		/* the paths and the key, shared read-only */
struct fk_pii_state;	/* one per worker thread */

struct fk_pii *fk_pii_new(void);
void fk_pii_free(struct fk_pii *p);

/*
 * Add the comma-separated paths in list for op.  -1 with e (USAGE) for an
 * empty path or component, or a path given twice.
 */
int fk_pii_add(struct fk_pii *p, enum fk_pii_op op, const char *list,
    struct fk_err *e);

/* Nonzero if any path was added (for op, or any op if op is -1). */
int fk_pii_has(const struct fk_pii *p, int op);

/*
 * The HMAC key (copied; the caller wipes its copy).  -1 with e (CONFIG)
 * if it is empty.
 */
int fk_pii_set_key(struct fk_pii *p, const void *key, size_t n,
    struct fk_err *e);

struct fk_pii_state *fk_pii_state_new(const struct fk_pii *p,
    struct fk_err *e);
void fk_pii_state_free(struct fk_pii_state *st);

/*
 * Apply every path to row (consumed); the result in *out.  -1 with ce
 * filled for a value that cannot be masked or hashed.
 */
int fk_pii_apply(struct fk_pii_state *st, jv row, jv *out,
    struct fk_cerr *ce);

/* Paths that matched nothing in any row of this state (for a warning). */
size_t fk_pii_npaths(const struct fk_pii *p);
const char *fk_pii_path(const struct fk_pii *p, size_t i, int *op);
unsigned long fk_pii_hits(const struct fk_pii_state *st, size_t i);

/* HMAC-SHA256 of msg under key as 64 lowercase hex digits. */
int fk_hmac_sha256_hex(const void *key, size_t klen, const void *msg,
    size_t n, char out[65]);

/* The IPv4 /24 or IPv6 /48 of text, as text; -1 if not an address. */
int fk_mask_ip(const char *text, char out[64]);

#endif
