/*
 * csv.c: -o csv, the CSV encoder over canonical rows (see csv.h) and
 * its entry in the writer table (writer.h).
 *
 * A canonical row's members come in schema order (schema.c builds it so,
 * and jq keeps insertion order), so the encoder walks the schema and the
 * object side by side instead of looking every field up by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shape/check/colname.h"
#include "shape/write/csv.h"
#include "shape/write/ndjson.h"
#include "shape/write/writer.h"

#define ADD(b, s, n) do {						\
	if (fk_buf_add((b), (s), (n)) == -1)				\
		return -1;						\
} while (0)
#define ADDS(b, s) ADD(b, s, sizeof(s) - 1)

/* ---- the encoder ------------------------------------------------------------ */

struct col {
	char *name;
	const struct schema_field *f;	/* the leaf field */
	enum schema_mode mode;	/* NULLABLE unless REQUIRED all the way */
};

struct csv {
	const struct schema *s;
	struct col *cols;
	size_t ncols, cap;
};

static int
add_col(struct csv *c, const char *prefix, const struct schema_field *f,
    int required, struct fk_err *e)
{
	char name[2 * COLNAME_MAX + 2];
	struct col *p;
	size_t i, j;

	snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "_" : "",
	    f->name);
	if (strlen(name) > COLNAME_MAX)
		return fk_fail(e, FK_EX_DATAERR, "flattened CSV column "
		    "'%.60s...' is longer than %d characters", name,
		    COLNAME_MAX);
	if (f->type == SCHEMA_RECORD && f->mode != SCHEMA_REPEATED) {
		for (j = 0; j < f->nfields; j++)
			if (add_col(c, name, &f->fields[j], required &&
			    f->mode == SCHEMA_REQUIRED, e) == -1)
				return -1;
		return 0;
	}
	for (i = 0; i < c->ncols; i++)
		if (strcasecmp(c->cols[i].name, name) == 0)
			return fk_fail(e, FK_EX_DATAERR, "two fields flatten "
			    "to the same CSV column '%s'", name);
	if (c->ncols == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		p = realloc(c->cols, c->cap * sizeof(*p));
		if (p == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		c->cols = p;
	}
	p = &c->cols[c->ncols];
	p->name = strdup(name);
	if (p->name == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	p->f = f;
	p->mode = required && f->mode == SCHEMA_REQUIRED ? SCHEMA_REQUIRED :
	    SCHEMA_NULLABLE;
	c->ncols++;
	return 0;
}

struct csv *
csv_new(const struct schema *s, struct fk_err *e)
{
	struct csv *c;
	size_t i;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	c->s = s;
	for (i = 0; i < s->nfields; i++) {
		if (add_col(c, "", &s->fields[i], 1, e) == -1) {
			csv_free(c);
			return NULL;
		}
	}
	return c;
}

void
csv_free(struct csv *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncols; i++)
		free(c->cols[i].name);
	free(c->cols);
	free(c);
}

/*
 * The bytes that make a field quoted: the separator, the quote, line
 * breaks, and NUL (kept inside quotes so no reader takes it for an end).
 */
static const unsigned char quote_it[256] = {
	[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1, ['\0'] = 1
};

/* One field's text, quoted when it must be. */
static int
csv_cell(struct fk_buf *b, const char *s, size_t n, int *nl)
{
	size_t i, run = 0;

	if (n == 0) {
		ADDS(b, "\"\"");
		return 0;
	}
	for (i = 0; i < n && !quote_it[(unsigned char)s[i]]; i++)
		;
	if (i == n) {
		ADD(b, s, n);
		return 0;
	}
	ADDS(b, "\"");
	for (i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			*nl = 1;
		if (s[i] != '"')
			continue;
		ADD(b, s + run, i + 1 - run);
		run = i;	/* the quote goes out twice */
	}
	ADD(b, s + run, n - run);
	ADDS(b, "\"");
	return 0;
}

/* A leaf value (borrowed, not null) as one CSV field. */
static int
csv_value(const struct schema_field *f, jv v, struct fk_buf *b,
    struct fk_buf *tmp, int *nl)
{
	if (f->mode == SCHEMA_REPEATED || f->type == SCHEMA_RECORD) {
		fk_buf_reset(tmp);
		if (ndjson_field(f, v, tmp) == -1)
			return -1;
		return csv_cell(b, tmp->p, tmp->len, nl);
	}
	if (jv_get_kind(v) == JV_KIND_STRING)
		return csv_cell(b, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)), nl);
	/* Numbers and booleans read the same in CSV as in JSON. */
	return ndjson_scalar(v, b);
}

/* Fields of one record level in order; *k counts columns written. */
static int
csv_record(const struct schema_field *f, size_t n, jv o, struct fk_buf *b,
    struct fk_buf *tmp, size_t *k, int *nl)
{
	size_t i;
	int it, rc = 0;
	jv v;

	it = jv_get_kind(o) == JV_KIND_OBJECT ? jv_object_iter(o) : -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (it != -1 && jv_object_iter_valid(o, it)) {
			v = jv_object_iter_value(o, it);
			it = jv_object_iter_next(o, it);
		} else {
			v = jv_null();	/* under a null RECORD */
		}
		if (f[i].type == SCHEMA_RECORD &&
		    f[i].mode != SCHEMA_REPEATED) {
			rc = csv_record(f[i].fields, f[i].nfields, v, b, tmp,
			    k, nl);
			jv_free(v);
			continue;
		}
		if ((*k)++ > 0)
			ADDS(b, ",");
		if (jv_get_kind(v) != JV_KIND_NULL)
			rc = csv_value(&f[i], v, b, tmp, nl);
		jv_free(v);
	}
	return rc;
}

int
csv_row(const struct csv *c, jv row, struct fk_buf *b,
    struct fk_buf *tmp, int *nl)
{
	size_t k = 0;

	if (jv_get_kind(row) != JV_KIND_OBJECT ||
	    csv_record(c->s->fields, c->s->nfields, row, b, tmp, &k, nl) == -1)
		return -1;
	ADDS(b, "\r\n");
	return 0;
}

/* A flat schema's columns are its fields, one to one. */
int
csv_flat_row(const struct csv *c, const struct flat_val *v,
    struct fk_buf *b, int *nl)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < c->s->nfields && rc == 0; i++) {
		if (i > 0)
			ADDS(b, ",");
		if (v[i].kind == FLAT_STR)
			rc = csv_cell(b, v[i].p, v[i].n, nl);
		else if (v[i].kind != FLAT_NULL)
			rc = ndjson_flat(&v[i], b);
	}
	if (rc == -1)
		return -1;
	ADDS(b, "\r\n");
	return 0;
}

int
csv_header(const struct csv *c, struct fk_buf *b)
{
	int nl = 0;
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		if (i > 0)
			ADDS(b, ",");
		if (csv_cell(b, c->cols[i].name, strlen(c->cols[i].name), &nl)
		    == -1)
			return -1;
	}
	ADDS(b, "\r\n");
	return 0;
}

/* The flat schema the CSV loads with (for --emit-schema). */
static jv
csv_schema_json(const struct csv *c, const unsigned char *widen)
{
	jv arr = jv_array(), o;
	enum schema_type t;
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		t = schema_field_type(c->cols[i].f, widen);
		/* Arrays and whole records travel as JSON text in a cell. */
		if (c->cols[i].f->mode == SCHEMA_REPEATED || t == SCHEMA_RECORD)
			t = SCHEMA_STRING;
		o = jv_object();
		o = jv_object_set(o, jv_string("name"),
		    jv_string(c->cols[i].name));
		o = jv_object_set(o, jv_string("type"),
		    jv_string(schema_type_name(t)));
		o = jv_object_set(o, jv_string("mode"),
		    jv_string(schema_mode_name(c->cols[i].mode)));
		arr = jv_array_append(arr, o);
	}
	return arr;
}

/* ---- the writer ------------------------------------------------------ */

static void *
csv_w_setup(const struct schema *s, const struct writer_opts *o,
    struct fk_err *e)
{
	(void)o;
	return csv_new(s, e);
}

static void
csv_w_release(void *run)
{
	csv_free(run);
}

/* *enc: the worker's scratch buffer. */
static int
csv_w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	if (*enc == NULL)
		*enc = calloc(1, sizeof(struct fk_buf));
	if (*enc == NULL || csv_row(run, row, &wb->out, *enc,
	    &wb->nl) == -1)
		return wbatch_encode_failed(wb, e);
	return wbatch_end_row(wb, e);
}

static int
csv_w_encode_flat(const void *run, void **enc, const struct flat_val *v,
    struct wbatch *wb, struct fk_err *e)
{
	(void)enc;
	if (csv_flat_row(run, v, &wb->out, &wb->nl) == -1)
		return wbatch_encode_failed(wb, e);
	return wbatch_end_row(wb, e);
}

static void
csv_w_enc_free(void *enc)
{
	if (enc != NULL)
		fk_buf_free(enc);
	free(enc);
}

static int
csv_w_begin(void *run, FILE *out, struct fk_err *e)
{
	struct fk_buf h = { 0 };
	int rc;

	if (csv_header(run, &h) == -1)
		rc = fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	else
		rc = writer_put(out, h.p, h.len, e);
	fk_buf_free(&h);
	return rc;
}

/* The flat columns the file holds, not the nested schema. */
static jv
csv_w_schema_json(const struct schema *s, const unsigned char *widen,
    struct fk_err *e)
{
	struct csv *c = csv_new(s, e);
	jv j;

	if (c == NULL)
		return jv_invalid();
	j = csv_schema_json(c, widen);
	csv_free(c);
	return j;
}

const struct writer csv_writer = {
	.name = "csv", .label = "CSV",
	.bq = "--source_format=CSV --skip_leading_rows=1",
	.flags = WRITER_WIDEN | WRITER_BQ_SCHEMA,
	/* on the workers, around the run, on the writer thread */
	.encode = csv_w_encode, .encode_flat = csv_w_encode_flat,
	.enc_free = csv_w_enc_free,
	.setup = csv_w_setup, .release = csv_w_release,
	.schema_json = csv_w_schema_json,
	.begin = csv_w_begin,
};
