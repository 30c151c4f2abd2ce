/*
 * ndjson.h: the NDJSON encoder (ndjson.c).  It takes canonical rows
 * (schema.h) and appends bytes to a buffer, so workers can encode in
 * parallel and the writer only copies.
 */
#ifndef FK_SHAPE_NDJSON_H
#define FK_SHAPE_NDJSON_H

#include <jv.h>

#include "buf.h"
#include "shape/check/flat.h"
#include "shape/check/schema.h"

/*
 * One canonical row (borrowed) as one compact JSON line, fields in schema
 * order, as BigQuery's NEWLINE_DELIMITED_JSON loads it: INTEGER beyond
 * 2^53 and NaN/Infinity as strings, JSON columns as raw JSON.  -1 on
 * ENOMEM or a row that is not canonical.
 */
/* Exported for tests/fuzz only; fk-shape goes through ndjson_writer. */
int ndjson_row(const struct schema *s, jv row, struct fk_buf *b);

/*
 * One value (borrowed) of field f as JSON, arrays and records included:
 * what a CSV cell holds for a REPEATED or RECORD field.
 */
int ndjson_field(const struct schema_field *f, jv v, struct fk_buf *b);

/*
 * A number or a boolean (borrowed) as JSON writes it, which is also how
 * a CSV cell holds it (numbers as jq prints them).  -1 for another kind.
 */
int ndjson_scalar(jv v, struct fk_buf *b);

/*
 * A flat value (flat.h) as ndjson_field writes the same canonical
 * value; FLAT_NULL is null.  Exported for tests/fuzz and csv.c.
 */
int ndjson_flat(const struct flat_val *v, struct fk_buf *b);
/* A flat row (s->nfields values) as ndjson_row writes it. */
int ndjson_flat_row(const struct schema *s, const struct flat_val *v,
    struct fk_buf *b);

#endif
