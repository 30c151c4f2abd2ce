/*
 * csv.h: the CSV encoder (csv.c).  It takes canonical rows (schema.h)
 * and appends bytes to a buffer, so workers can encode in parallel and
 * the writer only copies.
 */
#ifndef FK_SHAPE_CSV_H
#define FK_SHAPE_CSV_H

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/flat.h"
#include "shape/check/schema.h"

/* Exported for tests/fuzz only; fk-shape goes through csv_writer. */
struct csv;

/*
 * Flatten s into CSV columns: RECORD fields become name_sub columns,
 * REPEATED fields and JSON one column of JSON text.  NULL with e filled
 * (FK_EX_DATAERR) if two columns get the same name or a name is too long.
 */
struct csv *csv_new(const struct schema *s, struct fk_err *e);
void csv_free(struct csv *c);

/* The header line (CRLF-terminated). */
int csv_header(const struct csv *c, struct fk_buf *b);

/*
 * One canonical row (borrowed) as one RFC 4180 record: NULL is an empty
 * field, an empty string is "", fields holding , " CR or LF are quoted
 * with "" inside.  *nl is set if a quoted field held a line break.  tmp
 * is the caller's scratch buffer (one per thread).
 */
int csv_row(const struct csv *c, jv row, struct fk_buf *b,
    struct fk_buf *tmp, int *nl);
/* A flat row (flat.h; c's schema is flat) as csv_row writes it. */
int csv_flat_row(const struct csv *c, const struct flat_val *v,
    struct fk_buf *b, int *nl);

#endif
