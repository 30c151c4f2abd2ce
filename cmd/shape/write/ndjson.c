/*
 * ndjson.c: -o ndjson, the NDJSON encoder over canonical rows (see
 * ndjson.h) and its entry in the writer table (writer.h).
 *
 * A canonical row's members come in schema order (schema.c builds it so,
 * and jq keeps insertion order), so the encoder walks the schema and the
 * object side by side instead of looking every field up by name.
 */
#include <string.h>

#include "shape/check/colname.h"
#include "shape/numfmt.h"
#include "shape/write/ndjson.h"
#include "shape/write/writer.h"

#define ADD(b, s, n) do {						\
	if (fk_buf_add((b), (s), (n)) == -1)				\
		return -1;						\
} while (0)
#define ADDS(b, s) ADD(b, s, sizeof(s) - 1)

static int
add_jstr(struct fk_buf *b, jv s)
{
	return fk_buf_add_jstr(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
}

int
ndjson_scalar(jv v, struct fk_buf *b)
{
	char num[NUMFMT_MAX];
	int n;

	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		n = numfmt_number(jv_number_value(v), num);
		ADD(b, num, (size_t)n);
		return 0;
	case JV_KIND_TRUE:
		ADDS(b, "true");
		return 0;
	case JV_KIND_FALSE:
		ADDS(b, "false");
		return 0;
	default:
		return -1;
	}
}

/* ---- the encoder ---------------------------------------------------------- */

static int json_record(const struct schema_field *f, size_t n, jv o,
    struct fk_buf *b);

/* One canonical value (borrowed, not null) of a field's type. */
static int
json_value(const struct schema_field *f, jv v, struct fk_buf *b)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		/* Canonical JSON columns hold JSON text: put it raw. */
		if (f->type == SCHEMA_JSON) {
			ADD(b, jv_string_value(v),
			    (size_t)jv_string_length_bytes(jv_copy(v)));
			return 0;
		}
		return add_jstr(b, v);
	case JV_KIND_OBJECT:
		if (f->type != SCHEMA_RECORD)
			return -1;
		return json_record(f->fields, f->nfields, v, b);
	default:
		return ndjson_scalar(v, b);
	}
}

int
ndjson_field(const struct schema_field *f, jv v, struct fk_buf *b)
{
	int i, n, rc = 0;
	jv el;

	if (jv_get_kind(v) == JV_KIND_NULL) {
		ADDS(b, "null");
		return 0;
	}
	if (f->mode != SCHEMA_REPEATED)
		return json_value(f, v, b);
	if (jv_get_kind(v) != JV_KIND_ARRAY)
		return -1;
	ADDS(b, "[");
	n = jv_array_length(jv_copy(v));
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			ADDS(b, ",");
		el = jv_array_get(jv_copy(v), i);
		rc = json_value(f, el, b);
		jv_free(el);
	}
	ADDS(b, "]");
	return rc;
}

/*
 * A member's key, quoted, and its colon, after a comma unless first: a
 * legal column name (schema.h) is letters, digits and '_', which JSON
 * does not escape.
 */
static int
add_key(struct fk_buf *b, const char *name, int comma)
{
	char k[COLNAME_MAX + 4], *p = k;
	size_t n = strlen(name);

	if (comma)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, name, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return fk_buf_add(b, k, (size_t)(p - k));
}

static int
json_record(const struct schema_field *f, size_t n, jv o, struct fk_buf *b)
{
	size_t i = 0;
	int it, rc = 0;
	jv v;

	ADDS(b, "{");
	for (it = jv_object_iter(o); rc == 0 && jv_object_iter_valid(o, it);
	    it = jv_object_iter_next(o, it), i++) {
		if (i == n || add_key(b, f[i].name, i > 0) == -1)
			return -1;
		v = jv_object_iter_value(o, it);
		rc = ndjson_field(&f[i], v, b);
		jv_free(v);
	}
	ADDS(b, "}");
	return rc == 0 && i == n ? 0 : -1;
}

int
ndjson_row(const struct schema *s, jv row, struct fk_buf *b)
{
	if (jv_get_kind(row) != JV_KIND_OBJECT ||
	    json_record(s->fields, s->nfields, row, b) == -1)
		return -1;
	ADDS(b, "\n");
	return 0;
}

/* ---- flat rows ------------------------------------------------------- */

int
ndjson_flat(const struct flat_val *v, struct fk_buf *b)
{
	char num[NUMFMT_MAX];
	int n;

	switch (v->kind) {
	case FLAT_STR:
		return fk_buf_add_jstr(b, v->p, v->n);
	case FLAT_INT:
		/* As the canonical row's number: exact, 15 digits at most. */
		n = numfmt_number((double)v->i, num);
		ADD(b, num, (size_t)n);
		return 0;
	case FLAT_BOOL:
		if (v->i)
			ADDS(b, "true");
		else
			ADDS(b, "false");
		return 0;
	default:
		ADDS(b, "null");
		return 0;
	}
}

int
ndjson_flat_row(const struct schema *s, const struct flat_val *v,
    struct fk_buf *b)
{
	size_t i;

	ADDS(b, "{");
	for (i = 0; i < s->nfields; i++)
		if (add_key(b, s->fields[i].name, i > 0) == -1 ||
		    ndjson_flat(&v[i], b) == -1)
			return -1;
	ADDS(b, "}\n");
	return 0;
}

/* ---- the writer ------------------------------------------------------ */

/* The run is the schema (the default setup): rows need nothing else. */
static int
ndjson_w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	(void)enc;
	if (ndjson_row(run, row, &wb->out) == -1)
		return wbatch_encode_failed(wb, e);
	return wbatch_end_row(wb, e);
}

static int
ndjson_w_encode_flat(const void *run, void **enc, const struct flat_val *v,
    struct wbatch *wb, struct fk_err *e)
{
	(void)enc;
	if (ndjson_flat_row(run, v, &wb->out) == -1)
		return wbatch_encode_failed(wb, e);
	return wbatch_end_row(wb, e);
}

const struct writer ndjson_writer = {
	.name = "ndjson", .label = "NDJSON",
	.bq = "--source_format=NEWLINE_DELIMITED_JSON",
	.flags = WRITER_WIDEN | WRITER_BQ_SCHEMA,
	.encode = ndjson_w_encode, .encode_flat = ndjson_w_encode_flat,
};
