/*
 * test_shape_schema.c: schema files, coercion to canonical rows,
 * inference, widening and the column-name mapping.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "shape/check/colname.h"
#include "shape/check/flat.h"
#include "shape/check/infer.h"
#include "shape/check/schema.h"

static int
load(const char *json, struct schema *s, struct fk_err *e)
{
	return schema_parse(jv_parse(json), s, e);
}

/*
 * Coerce {"v": in} under one field of type/mode: the canonical value of
 * v as compact JSON, or "!" and the reason.
 */
static void
coerce1(const char *type, const char *mode, const char *in, int flags,
    char *out, size_t n)
{
	char sch[256], row[1024];
	struct schema s;
	struct schema_cerr ce;
	struct fk_err e;
	jv r, c, v, d;

	snprintf(sch, sizeof(sch), "[{\"name\":\"v\",\"type\":\"%s\","
	    "\"mode\":\"%s\"}]", type, mode);
	if (load(sch, &s, &e) == -1) {
		snprintf(out, n, "!schema: %s", e.msg);
		return;
	}
	snprintf(row, sizeof(row), in ? "{\"v\":%s}" : "{}", in);
	r = jv_parse(row);
	if (schema_coerce(&s, r, flags, NULL, &c, &ce) == -1) {
		snprintf(out, n, "!%s", ce.reason);
	} else {
		v = jv_object_get(c, jv_string("v"));
		d = jv_dump_string(v, 0);
		snprintf(out, n, "%s", jv_string_value(d));
		jv_free(d);
	}
	jv_free(r);
	schema_free(&s);
}

static void
test_coerce(void)
{
	static const struct {
		const char *type, *mode, *in, *want;
	} t[] = {
		/* STRING */
		{ "STRING", "NULLABLE", "\"x\"", "\"x\"" },
		{ "STRING", "NULLABLE", "42", "\"42\"" },
		{ "STRING", "NULLABLE", "1.5", "\"1.5\"" },
		{ "STRING", "NULLABLE", "true", "\"true\"" },
		{ "STRING", "NULLABLE", "null", "null" },
		{ "STRING", "NULLABLE", NULL, "null" },
		{ "STRING", "NULLABLE", "{}", "!expected STRING, got object" },
		{ "STRING", "NULLABLE", "[1]", "!expected STRING, got array" },
		{ "STRING", "REQUIRED", NULL, "!REQUIRED field is missing" },
		{ "STRING", "REQUIRED", "null", "!null in a REQUIRED field" },
		/* INTEGER / INT64 */
		{ "INTEGER", "NULLABLE", "42", "42" },
		{ "INT64", "NULLABLE", "\"42\"", "42" },
		{ "INTEGER", "NULLABLE", "\"-7\"", "-7" },
		{ "INTEGER", "NULLABLE", "\"9007199254740993\"",
		    "\"9007199254740993\"" },
		{ "INTEGER", "NULLABLE", "\"9223372036854775807\"",
		    "\"9223372036854775807\"" },
		{ "INTEGER", "NULLABLE", "\"9223372036854775808\"",
		    "!integer out of the INT64 range" },
		{ "INTEGER", "NULLABLE", "9007199254740992", "9007199254740992" },
		{ "INTEGER", "NULLABLE", "9007199254740994",
		    "!integer beyond 2^53 was rounded by the JSON parser; send "
		    "it as a string" },
		{ "INTEGER", "NULLABLE", "1.5", "!expected INTEGER, got a "
		    "number with a fraction or not finite" },
		{ "INTEGER", "NULLABLE", "\"1.0\"", "!expected INTEGER, got a "
		    "string that is not a whole number" },
		{ "INTEGER", "NULLABLE", "true", "!expected INTEGER, got boolean" },
		/* FLOAT */
		{ "FLOAT", "NULLABLE", "1.25", "1.25" },
		{ "FLOAT64", "NULLABLE", "\"3.5\"", "3.5" },
		{ "FLOAT", "NULLABLE", "\"NaN\"", "\"NaN\"" },
		{ "FLOAT", "NULLABLE", "\"-inf\"", "\"-Infinity\"" },
		{ "FLOAT", "NULLABLE", "\"Infinity\"", "\"Infinity\"" },
		{ "FLOAT", "NULLABLE", "\"0x10\"", "!expected FLOAT, got a "
		    "string that is not a number" },
		{ "FLOAT", "NULLABLE", "\"1e999\"", "!expected FLOAT, got a "
		    "string that is not a number in range" },
		/* NUMERIC */
		{ "NUMERIC", "NULLABLE", "12.5", "\"12.5\"" },
		{ "NUMERIC", "NULLABLE", "\"-0012.500\"", "\"-12.5\"" },
		{ "NUMERIC", "NULLABLE", "\"1.5e3\"", "\"1500\"" },
		{ "NUMERIC", "NULLABLE", "\"-0.0\"", "\"0\"" },
		{ "NUMERIC", "NULLABLE", "\"0.000000001\"", "\"0.000000001\"" },
		{ "NUMERIC", "NULLABLE", "\"0.0000000001\"", "!NUMERIC takes at "
		    "most 29 integer and 9 fraction digits" },
		{ "NUMERIC", "NULLABLE", "\"12a\"", "!expected NUMERIC, got text "
		    "that is not a decimal number" },
		/* BOOLEAN */
		{ "BOOLEAN", "NULLABLE", "true", "true" },
		{ "BOOL", "NULLABLE", "\"FALSE\"", "false" },
		{ "BOOLEAN", "NULLABLE", "1", "!expected BOOLEAN, got number" },
		{ "BOOLEAN", "NULLABLE", "\"yes\"", "!expected BOOLEAN, got a "
		    "string other than true or false" },
		/* DATE, TIME, DATETIME, TIMESTAMP */
		{ "DATE", "NULLABLE", "\"1939-03-20\"", "\"1939-03-20\"" },
		{ "DATE", "NULLABLE", "\"1939-02-29\"", "!expected DATE, got a "
		    "string that is not one" },
		{ "DATE", "NULLABLE", "\"1939-3-20\"", "!expected DATE, got a "
		    "string that is not one" },
		{ "DATE", "NULLABLE", "19390320", "!expected DATE, got number" },
		{ "TIME", "NULLABLE", "\"12:30:00.5\"", "\"12:30:00.500000\"" },
		{ "TIME", "NULLABLE", "\"24:00:00\"", "!expected TIME, got a "
		    "string that is not one" },
		{ "DATETIME", "NULLABLE", "\"2024-01-02 03:04:05\"",
		    "\"2024-01-02T03:04:05\"" },
		{ "DATETIME", "NULLABLE", "\"2024-01-02\"",
		    "\"2024-01-02T00:00:00\"" },
		{ "DATETIME", "NULLABLE", "\"2024-01-02T03:04:05Z\"",
		    "!expected DATETIME, got a string that is not one" },
		{ "TIMESTAMP", "NULLABLE", "\"2024-01-02T03:04:05Z\"",
		    "\"2024-01-02T03:04:05Z\"" },
		{ "TIMESTAMP", "NULLABLE", "\"2024-01-02T03:04:05.25+02:00\"",
		    "\"2024-01-02T01:04:05.250000Z\"" },
		{ "TIMESTAMP", "NULLABLE", "\"2024-01-01 00:30:00 -0100\"",
		    "\"2024-01-01T01:30:00Z\"" },
		{ "TIMESTAMP", "NULLABLE", "\"2024-01-02 03:04\"",
		    "\"2024-01-02T03:04:00Z\"" },
		{ "TIMESTAMP", "NULLABLE", "1234567890", "\"2009-02-13T23:31:30Z\"" },
		{ "TIMESTAMP", "NULLABLE", "1.5", "\"1970-01-01T00:00:01.500000Z\"" },
		{ "TIMESTAMP", "NULLABLE", "\"0001-01-01T00:30:00+01:00\"",
		    "!expected TIMESTAMP, got a string that is not one" },
		{ "TIMESTAMP", "NULLABLE", "\"yesterday\"", "!expected TIMESTAMP, "
		    "got a string that is not one" },
		/* BYTES */
		{ "BYTES", "NULLABLE", "\"aGk=\"", "\"aGk=\"" },
		{ "BYTES", "NULLABLE", "\"aGk\"", "\"aGk=\"" },
		{ "BYTES", "NULLABLE", "\"-_8\"", "\"+/8=\"" },
		{ "BYTES", "NULLABLE", "\"a*b\"", "!expected BYTES as base64, got "
		    "a string that is not base64" },
		/* JSON */
		{ "JSON", "NULLABLE", "{\"a\":[1,2]}", "\"{\\\"a\\\":[1,2]}\"" },
		{ "JSON", "NULLABLE", "\"s\"", "\"\\\"s\\\"\"" },
		/* REPEATED */
		{ "INTEGER", "REPEATED", "[1,\"2\"]", "[1,2]" },
		{ "INTEGER", "REPEATED", NULL, "[]" },
		{ "INTEGER", "REPEATED", "null", "[]" },
		{ "INTEGER", "REPEATED", "[1,null]", "!null element in a REPEATED "
		    "field" },
		{ "INTEGER", "REPEATED", "1", "!REPEATED field needs an array, "
		    "got number" },
		/* bad schemas */
		{ "GEOGRAPHY", "NULLABLE", "1", "!schema: field 'v': type "
		    "'GEOGRAPHY' is not supported" },
		{ "STRING", "SOMETIMES", "1", "!schema: field 'v': unknown mode "
		    "'SOMETIMES'" },
	};
	char got[1024];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		coerce1(t[i].type, t[i].mode, t[i].in, 0, got, sizeof(got));
		T_OK(strcmp(got, t[i].want) == 0, "%s %s %s: want %s, got %s",
		    t[i].type, t[i].mode, t[i].in ? t[i].in : "(absent)",
		    t[i].want, got);
	}
}

/* Whole rows: order, nesting, unknown fields, mapping, paths. */
static void
test_rows(void)
{
	static const char sch[] = "[{\"name\":\"id\",\"type\":\"INTEGER\","
	    "\"mode\":\"REQUIRED\"},{\"name\":\"first_name\",\"type\":"
	    "\"STRING\"},{\"name\":\"address\",\"type\":\"RECORD\",\"fields\":"
	    "[{\"name\":\"zip\",\"type\":\"INTEGER\"},{\"name\":\"tags\","
	    "\"type\":\"STRING\",\"mode\":\"REPEATED\"}]}]";
	static const struct {
		const char *in, *want, *path;
	} t[] = {
		{ "{\"address\":{\"zip\":\"75001\"},\"id\":1}",
		    "{\"id\":1,\"first_name\":null,\"address\":{\"zip\":75001,"
		    "\"tags\":[]}}", NULL },
		{ "{\"id\":2,\"first name\":\"Ann\",\"address\":null}",
		    "{\"id\":2,\"first_name\":\"Ann\",\"address\":null}", NULL },
		{ "{\"id\":3,\"First_Name\":\"Bo\"}",
		    "{\"id\":3,\"first_name\":\"Bo\",\"address\":null}", NULL },
		{ "{\"id\":4,\"address\":{\"zip\":\"x\"}}",
		    "!expected INTEGER, got a string that is not a whole number",
		    "address.zip" },
		{ "{\"id\":5,\"address\":{\"tags\":[\"a\",{}]}}",
		    "!expected STRING, got object", "address.tags[1]" },
		{ "{\"id\":6,\"extra\":1}", "!field not in the schema",
		    "extra" },
		{ "{\"id\":7,\"first name\":\"a\",\"first_name\":\"b\"}",
		    "!fields 'first name' and 'first_name' both map to column "
		    "'first_name'", "" },
		{ "{\"first_name\":\"x\"}", "!REQUIRED field is missing", "id" },
		{ "[1]", "!a row must be an object, got array", "" },
	};
	struct schema s;
	struct schema_cerr ce;
	struct fk_err e;
	char got[512];
	size_t i;
	int rc;
	jv r, c, d;

	/* T_OK evaluates its condition twice: no side effects in it. */
	rc = load(sch, &s, &e);
	T_OK(rc == 0, "nested schema loads");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&ce, 0, sizeof(ce));
		r = jv_parse(t[i].in);
		if (schema_coerce(&s, r, 0, NULL, &c, &ce) == -1) {
			snprintf(got, sizeof(got), "!%s", ce.reason);
		} else {
			d = jv_dump_string(c, 0);
			snprintf(got, sizeof(got), "%s", jv_string_value(d));
			jv_free(d);
		}
		jv_free(r);
		T_OK(strcmp(got, t[i].want) == 0, "row %zu: want %s, got %s",
		    i, t[i].want, got);
		if (t[i].path != NULL)
			T_STREQ(ce.path, t[i].path, "row %zu: path '%s'", i,
			    ce.path);
	}
	r = jv_parse("{\"id\":8,\"extra\":1}");
	rc = schema_coerce(&s, r, SCHEMA_CO_DROP_UNKNOWN, NULL, &c, &ce);
	T_OK(rc == 0, "--unknown=drop drops");
	if (rc == 0)
		jv_free(c);
	jv_free(r);
	schema_free(&s);
	rc = load("[{\"name\":\"a.b\",\"type\":\"STRING\"}]", &s, &e);
	T_OK(rc == -1, "illegal name in a schema file: %s", e.msg);
	rc = load("[{\"name\":\"a\",\"type\":\"STRING\"},{\"name\":\"A\","
	    "\"type\":\"STRING\"}]", &s, &e);
	T_OK(rc == -1, "case-duplicate names in a schema file: %s", e.msg);
	rc = load("{\"fields\":[{\"name\":\"a\",\"type\":\"STRUCT\",\"fields\""
	    ":[{\"name\":\"b\",\"type\":\"BOOL\"}]}]}", &s, &e);
	T_OK(rc == 0, "{\"fields\": ...} form with aliases");
	if (rc == 0)
		schema_free(&s);
	rc = load("[{\"name\":\"a\",\"type\":\"RECORD\"}]", &s, &e);
	T_OK(rc == -1, "RECORD without fields: %s", e.msg);
}

static void
test_infer(void)
{
	struct schema s;
	struct schema_cerr ce;
	unsigned char *w;
	int rc;
	jv r, c, j, d;

	r = jv_parse("{\"id\":1,\"lat\":48.5,\"name\":\"x\",\"ok\":true,"
	    "\"born\":\"1939-03-20\",\"at\":\"2024-01-02T03:04:05Z\","
	    "\"n\":null,\"tags\":[\"a\"],\"e\":[],\"m\":[[1]],\"o\":{},"
	    "\"addr\":{\"zip\":\"1\"},\"bad key\":2}");
	rc = infer_one(r, &s, &ce);
	T_OK(rc == 0, "infer from a row");
	d = jv_dump_string(schema_json(&s, NULL), 0);
	T_STREQ(jv_string_value(d), "[{\"name\":\"id\",\"type\":\"INTEGER\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"lat\",\"type\":\"FLOAT\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"name\",\"type\":\"STRING\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"ok\",\"type\":\"BOOLEAN\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"born\",\"type\":\"DATE\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"at\",\"type\":\"TIMESTAMP\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"n\",\"type\":\"STRING\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"tags\",\"type\":\"STRING\","
	    "\"mode\":\"REPEATED\"},{\"name\":\"e\",\"type\":\"STRING\","
	    "\"mode\":\"REPEATED\"},{\"name\":\"m\",\"type\":\"JSON\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"o\",\"type\":\"JSON\","
	    "\"mode\":\"NULLABLE\"},{\"name\":\"addr\",\"type\":\"RECORD\","
	    "\"mode\":\"NULLABLE\",\"fields\":[{\"name\":\"zip\",\"type\":"
	    "\"STRING\",\"mode\":\"NULLABLE\"}]},{\"name\":\"bad_key\","
	    "\"type\":\"INTEGER\",\"mode\":\"NULLABLE\"}]",
	    "inferred types and modes");
	jv_free(d);
	jv_free(r);
	/* Widening: INTEGER takes 2.5 and DATE takes any string. */
	w = calloc(schema_count(&s), 1);
	r = jv_parse("{\"id\":2.5,\"born\":\"unknown\"}");
	rc = schema_coerce(&s, r, SCHEMA_CO_WIDEN, w, &c, &ce);
	T_OK(rc == 0, "widening accepts 2.5 and a non-date");
	if (rc == 0)
		jv_free(c);
	jv_free(r);
	r = jv_parse("{\"id\":2.5}");
	rc = schema_coerce(&s, r, 0, NULL, &c, &ce);
	T_OK(rc == -1, "without widening 2.5 is not an INTEGER");
	jv_free(r);
	j = schema_json(&s, w);
	d = jv_dump_string(jv_array_get(jv_copy(j), 0), 0);
	T_STREQ(jv_string_value(d), "{\"name\":\"id\",\"type\":\"FLOAT\","
	    "\"mode\":\"NULLABLE\"}", "INTEGER widened to FLOAT");
	jv_free(d);
	d = jv_dump_string(jv_array_get(j, 4), 0);
	T_STREQ(jv_string_value(d), "{\"name\":\"born\",\"type\":\"STRING\","
	    "\"mode\":\"NULLABLE\"}", "DATE widened to STRING");
	jv_free(d);
	free(w);
	schema_free(&s);
	r = jv_parse("{\"a b\":1,\"a_b\":2}");
	rc = infer_one(r, &s, &ce);
	T_OK(rc == -1, "collision when inferring: %s", ce.reason);
	jv_free(r);
	r = jv_parse("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":"
	    "{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":1}}}}}}}}"
	    "}}}}}}}}");
	rc = infer_one(r, &s, &ce);
	T_OK(rc == -1, "16 levels of RECORD: %s", ce.reason);
	jv_free(r);
}

/* The rows' merged schema, as compact JSON ("" if none). */
static jv
sampled(const char *const *rows, size_t n, size_t *taken)
{
	struct infer *in = infer_new();
	struct schema s;
	struct schema_cerr ce;
	struct fk_err e;
	size_t i;
	jv r, out;

	*taken = 0;
	for (i = 0; i < n; i++) {
		r = jv_parse(rows[i]);
		if (infer_add(in, r, &ce) == 0)
			(*taken)++;
		jv_free(r);
	}
	if (infer_schema(in, &s, &e) == -1) {
		infer_free(in);
		return jv_string("");
	}
	out = jv_dump_string(schema_json(&s, NULL), 0);
	schema_free(&s);
	infer_free(in);
	return out;
}

static void
test_sample(void)
{
	static const char *const rows[] = {
		"{\"a\":null,\"b\":1,\"r\":{\"x\":1},\"t\":[]}",
		("{\"a\":\"s\",\"B\":2.5,\"r\":{\"y\":\"q\",\"x\":null},"
		    "\"c\":[1]}"),
		"{\"b\":3,\"c\":[2.5],\"d\":\"2024-01-01\",\"t\":[{\"k\":1}]}",
		"{\"d\":\"x\",\"e\":{},\"n\":null,\"t\":[{\"j\":true}]}",
		"{\"f\":[[1]],\"g\":[1,null],\"h\":{\"a\":1}}",
		"{\"h\":2,\"i\":true,\"s\":\"2024-01-02T00:00:00Z\"}",
		"{\"i\":1,\"s\":\"2024-01-03T00:00:00+01:00\"}",
		"{\"a b\":1,\"A_b\":2}",
		"[1]",
	};
	size_t taken;
	jv d;

	d = sampled(rows, sizeof(rows) / sizeof(rows[0]), &taken);
	T_OK(taken == 7, "two rows left out of the sample (%zu taken)", taken);
	T_STREQ(jv_string_value(d), "["
	    "{\"name\":\"a\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"b\",\"type\":\"FLOAT\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"r\",\"type\":\"RECORD\",\"mode\":\"NULLABLE\","
	    "\"fields\":[{\"name\":\"x\",\"type\":\"INTEGER\",\"mode\":"
	    "\"NULLABLE\"},{\"name\":\"y\",\"type\":\"STRING\",\"mode\":"
	    "\"NULLABLE\"}]},"
	    "{\"name\":\"t\",\"type\":\"RECORD\",\"mode\":\"REPEATED\","
	    "\"fields\":[{\"name\":\"k\",\"type\":\"INTEGER\",\"mode\":"
	    "\"NULLABLE\"},{\"name\":\"j\",\"type\":\"BOOLEAN\",\"mode\":"
	    "\"NULLABLE\"}]},"
	    "{\"name\":\"c\",\"type\":\"FLOAT\",\"mode\":\"REPEATED\"},"
	    "{\"name\":\"d\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"e\",\"type\":\"JSON\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"n\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"f\",\"type\":\"JSON\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"g\",\"type\":\"JSON\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"h\",\"type\":\"JSON\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"i\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
	    "{\"name\":\"s\",\"type\":\"TIMESTAMP\",\"mode\":\"NULLABLE\"}]",
	    "sample: null then typed, widening, merged RECORDs, JSON for the "
	    "rest: %s", jv_string_value(d));
	jv_free(d);
	d = sampled((const char *const[]){ "{\"a\":null}", "{\"a\":null}" },
	    2, &taken);
	T_STREQ(jv_string_value(d), "[{\"name\":\"a\",\"type\":\"STRING\","
	    "\"mode\":\"NULLABLE\"}]", "null throughout: STRING");
	jv_free(d);
	d = sampled((const char *const[]){ "{}", "{}" }, 2, &taken);
	T_OK(taken == 2 && jv_string_length_bytes(jv_copy(d)) == 0,
	    "rows with no field: no schema");
	jv_free(d);
}

static void
test_colname(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "id", "id" },
		{ "macAddress", "macAddress" },
		{ "first name", "first_name" },
		{ "address.street", "address_street" },
		{ "a-b/c", "a_b_c" },
		{ "9lives", "_9lives" },
		{ "", "_" },
		{ "\xc3\xa9t\xc3\xa9", "_t_" },
		{ "\xf0\x9f\x98\x80", "_" },
		{ "_TABLE_x", "__TABLE_x" },
		{ "_partitiontime", "__partitiontime" },
		{ "__ROOT__", "___ROOT__" },
		{ "_file_name", "__file_name" },
		{ "_x", "_x" },
	};
	char out[COLNAME_MAX + 1], big[400];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		colname_map(t[i].in, strlen(t[i].in), out);
		T_OK(strcmp(out, t[i].want) == 0, "column name of \"%s\": want "
		    "%s, got %s", t[i].in, t[i].want, out);
		T_OK(colname_legal(out, strlen(out)), "%s is legal", out);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	colname_map(big, strlen(big), out);
	T_OK(strlen(out) == 300, "cut to 300 characters");
	big[0] = '1';
	colname_map(big, strlen(big), out);
	T_OK(strlen(out) == 300 && out[0] == '_' && out[1] == '1',
	    "digit prefix then cut to 300");
}

/*
 * flat_row on {"id": 1, key: val} (val NULL: absent) under id INTEGER
 * REQUIRED, name STRING, ok BOOLEAN, n INTEGER: "-" when it leaves the
 * row to the canonical path, else the four values.
 */
static void
flat1(const struct schema *s, const char *key, const char *val, char *out,
    size_t n)
{
	struct proj_kv kv[2] = {
		{ "id", "1", 2, 1 },
		{ key, val, strlen(key), val ? strlen(val) : 0 },
	};
	struct flat_val v[4];
	size_t i, len = 0;

	if (flat_row(s, kv, 2, v) != 0) {
		snprintf(out, n, "-");
		return;
	}
	for (i = 0; i < 4 && len < n; i++) {
		switch (v[i].kind) {
		case FLAT_NULL:
			len += (size_t)snprintf(out + len, n - len, "null ");
			break;
		case FLAT_STR:
			len += (size_t)snprintf(out + len, n - len, "'%.*s' ",
			    (int)v[i].n, v[i].p);
			break;
		default:
			len += (size_t)snprintf(out + len, n - len, "%s%lld ",
			    v[i].kind == FLAT_BOOL ? "b" : "",
			    (long long)v[i].i);
			break;
		}
	}
}

static void
test_flat(void)
{
	static const struct {
		const char *key, *val, *want;
	} t[] = {
		{ "name", "\"x y\"", "1 'x y' null null " },
		{ "name", "\"\"", "1 '' null null " },
		{ "name", NULL, "1 null null null " },
		{ "name", "null", "1 null null null " },
		{ "ok", "true", "1 null b1 null " },
		{ "ok", "false", "1 null b0 null " },
		{ "n", "-999999999999999", "1 null null -999999999999999 " },
		{ "n", "0", "1 null null 0 " },
		/* left to the canonical path */
		{ "name", "\"a\\nb\"", "-" },	/* an escape */
		{ "name", "12", "-" },		/* a number for a STRING */
		{ "n", "1000000000000000", "-" },	/* 16 digits */
		{ "n", "-0", "-" },
		{ "n", "1.0", "-" },
		{ "n", "1e2", "-" },
		{ "n", "\"3\"", "-" },
		{ "ok", "\"true\"", "-" },
		{ "ok", "1", "-" },
		{ "id", "2", "-" },		/* a key twice */
		{ "Name", "\"x\"", "-" },	/* maps to a column */
		{ "nam", "\"x\"", "-" },
		{ "names", "\"x\"", "-" },
		{ "extra", "1", "-" },		/* unknown */
	};
	struct schema s;
	struct fk_err e;
	struct flat_val v[4];
	struct proj_kv none = { "name", "\"x\"", 4, 3 };
	char got[256];
	size_t i;

	if (load("[{\"name\":\"id\",\"type\":\"INTEGER\",\"mode\":"
	    "\"REQUIRED\"},{\"name\":\"name\",\"type\":\"STRING\"},"
	    "{\"name\":\"ok\",\"type\":\"BOOLEAN\"},{\"name\":\"n\","
	    "\"type\":\"INTEGER\"}]", &s, &e) == -1) {
		T_OK(0, "flat: schema: %s", e.msg);
		return;
	}
	T_OK(flat_schema(&s), "flat: STRING, INTEGER and BOOLEAN are flat");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		flat1(&s, t[i].key, t[i].val, got, sizeof(got));
		T_STREQ(got, t[i].want, "flat: %s: %s -> %s (got %s)",
		    t[i].key, t[i].val ? t[i].val : "absent", t[i].want, got);
	}
	T_OK(flat_row(&s, &none, 1, v) == 1,
	    "flat: a REQUIRED field absent goes the canonical way");
	schema_free(&s);
	if (load("[{\"name\":\"t\",\"type\":\"TIMESTAMP\"}]", &s, &e) == 0) {
		T_OK(!flat_schema(&s), "flat: a TIMESTAMP field is not flat");
		schema_free(&s);
	}
	if (load("[{\"name\":\"t\",\"type\":\"STRING\",\"mode\":"
	    "\"REPEATED\"}]", &s, &e) == 0) {
		T_OK(!flat_schema(&s), "flat: a REPEATED field is not flat");
		schema_free(&s);
	}
}

int
main(void)
{
	test_coerce();
	test_rows();
	test_infer();
	test_sample();
	test_colname();
	test_flat();
	T_DONE();
}
