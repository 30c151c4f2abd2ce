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
	void *priv;		/* schema.c's lookup data; NULL elsewhere */
};

struct fk_schema {
	struct fk_field *fields;
	size_t nfields;
	void *priv;		/* schema.c's lookup data; NULL elsewhere */
};

/* BigQuery allows RECORD fields nested 15 levels deep. */
#define FK_SCHEMA_MAXDEPTH 15

/* Type name as bq writes it ("INTEGER", "RECORD"...). */
const char *fk_type_name(enum fk_type t);
const char *fk_mode_name(enum fk_mode m);

/*
 * Read a `bq load --schema` document (an array of fields, or an object
 * with "fields"); consumes doc.  Names must already be legal and unique
 * (see colname.h); GoogleSQL aliases (INT64, STRUCT...) are accepted.
 * -1 with e filled (FK_EX_CONFIG) if the document is not a usable schema.
 */
int fk_schema_parse(jv doc, struct fk_schema *s, struct fk_err *e);

/* Free what fk_schema_parse or fk_schema_infer allocated. */
void fk_schema_free(struct fk_schema *s);

/*
 * The schema as a `bq load --schema` JSON array.  widen, if not NULL,
 * holds per-field types seen in the data (see fk_schema_coerce).
 */
jv fk_schema_json(const struct fk_schema *s, const unsigned char *widen);

/* f's type, or the wider one widen records for it (widen may be NULL). */
enum fk_type fk_field_type(const struct fk_field *f,
    const unsigned char *widen);

/* Number of fields at every level (the size of a widen array). */
size_t fk_schema_count(const struct fk_schema *s);

/* Where and why a row did not fit (for the reject record). */
struct fk_cerr {
	char path[512];		/* "address.zip", "tags[2]" */
	char reason[256];
};

enum {
	FK_CO_DROP_UNKNOWN = 1,	/* drop fields not in the schema */
	FK_CO_WIDEN = 2,	/* inferred schema, text output: see below */
	FK_CO_THREAD_KEYS = 4	/* the row stays in this thread */
};

/*
 * Map the row's field names to column names (colname.h), check and
 * coerce every value, and return the canonical row (top of this file).
 * Borrows row.  -1 with ce filled if the row does not fit.
 *
 * With FK_CO_WIDEN (an inferred schema written as NDJSON or CSV) an
 * INTEGER column also takes other numbers, and a DATE or TIMESTAMP column
 * other strings; widen[i] (one byte per field, in fk_schema_count order)
 * then records the wider type (FLOAT, STRING) for fk_schema_json.
 *
 * jq 1.6's jv reference counts are not atomic: a canonical row may go to
 * another thread (whole, after this one lets go of it) unless made with
 * FK_CO_THREAD_KEYS, which saves an allocation per field by reusing this
 * thread's key strings; call fk_schema_thread_done before such a thread
 * ends.
 */
int fk_schema_coerce(const struct fk_schema *s, jv row, int flags,
    unsigned char *widen, jv *out, struct fk_cerr *ce);
void fk_schema_thread_done(void);

/*
 * Infer a schema from one row (borrowed), as a sample of one: see
 * infer.h for the rules.  -1 with ce filled if the row cannot be a
 * schema (not an object, no field, two fields with one column name).
 */
int fk_schema_infer(jv row, struct fk_schema *s, struct fk_cerr *ce);

/*
 * The type inference gives a string: DATE for "YYYY-MM-DD", TIMESTAMP
 * for an RFC 3339 time with a zone, else STRING.
 */
enum fk_type fk_string_type(const char *s);

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
