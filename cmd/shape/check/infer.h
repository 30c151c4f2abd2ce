/*
 * infer.h: a schema inferred from a sample of rows, the way BigQuery's
 * autodetect and DuckDB's read_json do it.
 *
 * Rows are merged one by one (after the jq program and the PII options,
 * with field names already mapped to column names):
 *
 *   - every field seen anywhere belongs to the schema, in first-seen
 *     order, NULLABLE (REPEATED for arrays), names compared as BigQuery
 *     does (case-insensitively);
 *   - a field seen only as null has no type yet: it takes the type of its
 *     first value that is not null, and is STRING if it never gets one;
 *   - a scalar's type: true/false BOOLEAN, whole numbers up to 2^53
 *     INTEGER, other numbers FLOAT, "YYYY-MM-DD" DATE, an RFC 3339 time
 *     with a zone TIMESTAMP, other strings STRING;
 *   - types widen: INTEGER and FLOAT make FLOAT, any other mix of
 *     scalars (DATE with STRING, a number with a string...) makes STRING;
 *   - objects are RECORDs whose fields merge by the same rules; an array
 *     is REPEATED, its elements' type merged by the same rules;
 *   - what BigQuery cannot hold as a typed column becomes JSON: a field
 *     that is an object in one row and a scalar or an array in another,
 *     an array of arrays or with a null element, an object that is
 *     always empty, a RECORD deeper than SCHEMA_MAXDEPTH.
 */
#ifndef FK_SHAPE_INFER_H
#define FK_SHAPE_INFER_H

#include <stddef.h>

#include <jv.h>

#include "fk.h"
#include "schema.h"

struct infer;

struct infer *infer_new(void);
void infer_free(struct infer *in);

/*
 * Merge one row (borrowed) into the sample.  -1 with ce filled, and the
 * sample unchanged, if the row cannot be part of any schema: not an
 * object, or two of its fields map to the same column.
 */
int infer_add(struct infer *in, jv row, struct schema_cerr *ce);

/* Rows merged so far. */
size_t infer_rows(const struct infer *in);

/*
 * The schema of the rows merged so far.  -1 with e filled (FK_EX_DATAERR)
 * if they had no field at all.
 */
int infer_schema(const struct infer *in, struct schema *s,
    struct fk_err *e);

/*
 * Infer a schema from one row (borrowed), as a sample of one, by the
 * rules above.  -1 with ce filled if the row cannot be a schema (not an
 * object, no field, two fields with one column name).
 */
/* Exported for tests/unit and tests/fuzz only. */
int infer_one(jv row, struct schema *s, struct schema_cerr *ce);

#endif
