/*
 * text.h: the NDJSON and CSV encoders.  Both take canonical rows
 * (schema.h) and append bytes to a buffer, so workers can encode in
 * parallel and the writer only copies.
 */
#ifndef FK_SHAPE_TEXT_H
#define FK_SHAPE_TEXT_H

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/schema.h"

/*
 * One canonical row (borrowed) as one compact JSON line, fields in schema
 * order, as BigQuery's NEWLINE_DELIMITED_JSON loads it: INTEGER beyond
 * 2^53 and NaN/Infinity as strings, JSON columns as raw JSON.  -1 on
 * ENOMEM or a row that is not canonical.
 */
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


#endif
