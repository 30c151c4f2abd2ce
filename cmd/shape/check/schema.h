/*
 * schema.h: fk-shape's BigQuery schema tree and the canonical row, the
 * contract between the validator (schema.c) and every encoder (ndjson,
 * csv, avro, parquet).
 *
 * A schema comes from a `bq load --schema` JSON file or is inferred from
 * the rows.  Field names in the tree are already legal BigQuery column
 * names (see colname mapping in schema.c).
 *
 * THE CANONICAL ROW.  After schema_coerce() a row is a jv object whose
 * keys are exactly the schema's field names, in schema order, every field
 * present, with values:
 *
 *   any type, NULLABLE and absent  jv null
 *   STRING     jv string (valid UTF-8)
 *   BYTES      jv string holding standard base64 (as BigQuery's JSON)
 *   INTEGER    jv number, integral, |v| <= 2^53; larger int64 values as a
 *              jv string of decimal digits (exact), see canon_int64()
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

#include <jv.h>

#include "fk.h"

enum schema_type {
	SCHEMA_STRING, SCHEMA_BYTES, SCHEMA_INTEGER, SCHEMA_FLOAT,
	SCHEMA_NUMERIC, SCHEMA_BOOLEAN, SCHEMA_DATE, SCHEMA_TIME,
	SCHEMA_DATETIME, SCHEMA_TIMESTAMP, SCHEMA_JSON, SCHEMA_RECORD
};

enum schema_mode { SCHEMA_NULLABLE, SCHEMA_REQUIRED, SCHEMA_REPEATED };

struct schema_field {
	char *name;		/* legal BigQuery column name */
	enum schema_type type;
	enum schema_mode mode;
	struct schema_field *fields;	/* RECORD only */
	size_t nfields;
	void *priv;		/* schema.c's lookup data; NULL elsewhere */
};

struct schema {
	struct schema_field *fields;
	size_t nfields;
	void *priv;		/* schema.c's lookup data; NULL elsewhere */
};

/* BigQuery allows RECORD fields nested 15 levels deep. */
#define SCHEMA_MAXDEPTH 15

/* Type name as bq writes it ("INTEGER", "RECORD"...). */
const char *schema_type_name(enum schema_type t);
const char *schema_mode_name(enum schema_mode m);

/*
 * Read a `bq load --schema` document (an array of fields, or an object
 * with "fields"); consumes doc.  Names must already be legal and unique
 * (see colname.h); GoogleSQL aliases (INT64, STRUCT...) are accepted.
 * -1 with e filled (FK_EX_CONFIG) if the document is not a usable schema.
 */
int schema_parse(jv doc, struct schema *s, struct fk_err *e);

/* Free what schema_parse or infer_one allocated. */
void schema_free(struct schema *s);

/*
 * The schema as a `bq load --schema` JSON array.  widen, if not NULL,
 * holds per-field types seen in the data (see schema_coerce).
 */
jv schema_json(const struct schema *s, const unsigned char *widen);

/* f's type, or the wider one widen records for it (widen may be NULL). */
enum schema_type schema_field_type(const struct schema_field *f,
    const unsigned char *widen);

/* Number of fields at every level (the size of a widen array). */
size_t schema_count(const struct schema *s);

/* Where and why a row did not fit (for the reject record). */
struct schema_cerr {
	char path[512];		/* "address.zip", "tags[2]" */
	char reason[256];
};

/* Fill ce's reason, clear its path, and return -1. */
int schema_cfail(struct schema_cerr *ce, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * "name." (or just "name" before "[i]") in front of ce's path, cutting
 * the path's end if it gets too long.
 */
void schema_path_prepend(struct schema_cerr *ce, const char *name);

enum {
	SCHEMA_CO_DROP_UNKNOWN = 1,	/* drop fields not in the schema */
	SCHEMA_CO_WIDEN = 2,	/* inferred schema, text output: see below */
	SCHEMA_CO_THREAD_KEYS = 4	/* the row stays in this thread */
};

/*
 * Map the row's field names to column names (colname.h), check and
 * coerce every value, and return the canonical row (top of this file).
 * Borrows row.  -1 with ce filled if the row does not fit.
 *
 * With SCHEMA_CO_WIDEN (an inferred schema written as NDJSON or CSV) an
 * INTEGER column also takes other numbers, and a DATE or TIMESTAMP column
 * other strings; widen[i] (one byte per field, in schema_count order)
 * then records the wider type (FLOAT, STRING) for schema_json.
 *
 * jq 1.6's jv reference counts are not atomic: a canonical row may go to
 * another thread (whole, after this one lets go of it) unless made with
 * SCHEMA_CO_THREAD_KEYS, which saves an allocation per field by reusing this
 * thread's key strings; call schema_thread_done before such a thread
 * ends.
 */
int schema_coerce(const struct schema *s, jv row, int flags,
    unsigned char *widen, jv *out, struct schema_cerr *ce);
void schema_thread_done(void);

/*
 * The type inference gives a string: DATE for "YYYY-MM-DD", TIMESTAMP
 * for an RFC 3339 time with a zone, else STRING.
 */
enum schema_type schema_string_type(const char *s);

#endif
