/*
 * shred.h: canonical rows shredded into the flat bytes of pq_plan.h, on
 * any thread (shred.c); the writer (parquet.h) takes the bytes in order.
 */
#ifndef FK_SHAPE_SHRED_H
#define FK_SHAPE_SHRED_H

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/flat.h"
#include "shape/check/schema.h"

struct pq_plan;
struct shred;

/*
 * The columns of s (which must outlive the plan), for rows shredded with
 * dictionaries (no_dict 0) or not.  NULL with e: DATAERR for a schema
 * Parquet cannot hold, SOFTWARE when out of memory.
 */
struct pq_plan *shred_plan_new(const struct schema *s, int no_dict,
    struct fk_err *e);
void shred_plan_free(struct pq_plan *p);

/*
 * One thread's shredder for rows of plan p (which outlives it): keep one
 * per thread, never share it.  NULL when out of memory.
 */
struct shred *shred_new(const struct pq_plan *p);
/* Takes a struct shred; void * so it is the writer's enc_free as it is. */
void shred_free(void *shred);

/*
 * Append one canonical row (borrowed), shredded: column i's entries go
 * to out[i] (pq_plan.h).  -1 with e: DATAERR for a value that is not
 * canonical for its field, SOFTWARE when out of memory; out may then
 * hold part of the row: cut it back.
 */
int shred_row(struct shred *x, jv row, struct fk_buf *out,
    struct fk_err *e);

/*
 * Append one flat row (flat.h: s->nfields values of a flat schema),
 * shredded as shred_row shreds the canonical row of the same values.
 * -1 with e (SOFTWARE) when out of memory.
 */
int shred_flat(struct shred *x, const struct flat_val *v,
    struct fk_buf *out, struct fk_err *e);

/* The bytes the last row added to out, all columns together. */
size_t shred_bytes(const struct shred *x);

/* The physical type (PQT_*) of a BigQuery type; *tlen its size. */
int shred_ptype(int type, int *tlen);

#endif
