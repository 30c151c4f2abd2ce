/*
 * schema.h: fk-shape's BigQuery schema tree and the canonical row, the
 * contract between the validator (schema.c) and every encoder (ndjson,
 * csv, avro, parquet).
 *
 * A schema comes from a `bq load --schema` JSON file or is inferred from
 * the rows.  Field names in the tree are already legal BigQuery column
 * names (see colname mapping in schema.c).
 *
 * THE CANONICAL ROW.  After fk_schema_coerce() a row is a jv object whose
 * keys are exactly the schema's field names, in schema order, every field
 * present, with values:
 *
 *   any type, NULLABLE and absent  jv null
 *   STRING     jv string (valid UTF-8)
 *   BYTES      jv string holding standard base64 (as BigQuery's JSON)
 *   INTEGER    jv number, integral, |v| <= 2^53; larger int64 values as a
 *              jv string of decimal digits (exact), see fk_canon_int64()
 *   FLOAT      jv number; NaN/+Inf/-Inf as the jv strings "NaN",
 *              "Infinity", "-Infinity"
 *   NUMERIC    jv string: canonical decimal, at most 29 integer and 9
 *              fraction digits, no exponent ("-12.5", "0.000000001")
 *   BOOLEAN    jv true / jv false
 *   DATE       jv string "YYYY-MM-DD"
 *   TIME       jv string "HH:MM:SS[.ffffff]"
 *   DATETIME   jv string "YYYY-MM-DDTHH:MM:SS[.ffffff]"
 *   TIMESTAMP  jv string "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (UTC)
 *   JSON       jv string holding compact JSON text
 *   RECORD     jv object, itself canonical for the sub-schema
 *   REPEATED   jv array of canonical elements, never null elements; an
 *              absent repeated field is []
 *
 * Encoders may rely on all of the above and need no re-validation.
 */
#ifndef FK_SHAPE_SCHEMA_H
#define FK_SHAPE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <jv.h>

#include "fk.h"

enum fk_type {
	FK_T_STRING, FK_T_BYTES, FK_T_INTEGER, FK_T_FLOAT, FK_T_NUMERIC,
	FK_T_BOOLEAN, FK_T_DATE, FK_T_TIME, FK_T_DATETIME, FK_T_TIMESTAMP,
	FK_T_JSON, FK_T_RECORD
};

enum fk_mode { FK_M_NULLABLE, FK_M_REQUIRED, FK_M_REPEATED };

struct fk_field {
	char *name;		/* legal BigQuery column name */
	enum fk_type type;
	enum fk_mode mode;
	struct fk_field *fields;	/* RECORD only */
	size_t nfields;
};

struct fk_schema {
	struct fk_field *fields;
	size_t nfields;
};

/* Canonical-value readers shared by the binary encoders (canon.c). */

/* INTEGER value (number or digit string) to int64; -1 if not one. */
int fk_canon_int64(jv v, int64_t *out);		/* borrows v */
/* DATE "YYYY-MM-DD" to days since 1970-01-01. */
int fk_canon_date(const char *s, int32_t *days);
/* TIMESTAMP/DATETIME text to microseconds since 1970-01-01T00:00:00. */
int fk_canon_micros(const char *s, int64_t *us);
/* TIME "HH:MM:SS[.ffffff]" to microseconds since midnight. */
int fk_canon_time(const char *s, int64_t *us);
/* FLOAT value (number or the three strings) to double. */
double fk_canon_double(jv v);			/* borrows v */
/*
 * NUMERIC text to the two's-complement big-endian unscaled value with
 * scale 9, in 16 bytes (fits precision 38); -1 if out of range.
 */
int fk_canon_numeric(const char *s, unsigned char out[16]);

#endif
