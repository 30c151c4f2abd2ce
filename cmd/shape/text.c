/*
 * text.c: NDJSON and CSV encoders over canonical rows (see text.h).
 *
 * A canonical row's members come in schema order (schema.c builds it so,
 * and jq keeps insertion order), so the encoders walk the schema and the
 * object side by side instead of looking every field up by name.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "colname.h"
#include "shape.h"
#include "text.h"

#define ADD(b, s, n) do {						\
	if (fk_buf_add((b), (s), (n)) == -1)				\
		return -1;						\
} while (0)
#define ADDS(b, s) ADD(b, s, sizeof(s) - 1)

/*
 * The shortest digits that read back as d (finite, not 0): digits into
 * dig (no trailing zeros), the returned count, and *decpt, the position
 * of the decimal point (d = 0.DIGITS * 10^decpt).
 */
static int
shortest(double d, char dig[20], int *decpt)
{
	char e[40], *p;
	int prec, n = 0;

	/*
	 * 15 digits round-trip a normal double whenever fewer do (their
	 * extra digits are zeros); a subnormal has fewer digits to start.
	 */
	for (prec = fabs(d) < DBL_MIN ? 1 : 15; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(e, sizeof(e), "%.16e", d);
	for (p = e; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	*decpt = atoi(p + 1) + 1;
	return n;
}

int
fk_fmt_double(double d, char out[32])
{
	long long i;
	int p;

	if (d == floor(d) && fabs(d) < 1e17) {
		i = (long long)d;
		if (i == 0 && signbit(d))
			return snprintf(out, 32, "-0");
		return snprintf(out, 32, "%lld", i);
	}
	for (p = 15; p < 17; p++) {
		snprintf(out, 32, "%.*g", p, d);
		if (strtod(out, NULL) == d)
			break;
	}
	if (p == 17)
		snprintf(out, 32, "%.17g", d);
	return (int)strlen(out);
}

/*
 * jq 1.6's layout (its jvp_dtoa_fmt), so NDJSON numbers come out as
 * `jq -c` writes them: plain digits unless the point is more than 15
 * places past the digits or 4 or more before them.
 */
int
fk_fmt_number(double d, char out[FK_NUM_MAX])
{
	char dig[20];
	int n, decpt, o = 0, i, x;

	if (d == floor(d) && fabs(d) < 1e16) {
		if (d == 0 && signbit(d))
			return snprintf(out, FK_NUM_MAX, "-0");
		return snprintf(out, FK_NUM_MAX, "%lld", (long long)d);
	}
	n = shortest(d, dig, &decpt);
	if (d < 0)
		out[o++] = '-';
	if (decpt <= -4 || decpt > n + 15) {
		out[o++] = dig[0];
		if (n > 1)
			out[o++] = '.';
		for (i = 1; i < n; i++)
			out[o++] = dig[i];
		x = decpt - 1;
		o += snprintf(out + o, (size_t)(FK_NUM_MAX - o), "e%c%02d",
		    x < 0 ? '-' : '+', x < 0 ? -x : x);
	} else if (decpt <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = decpt; i < 0; i++)
			out[o++] = '0';
		for (i = 0; i < n; i++)
			out[o++] = dig[i];
	} else {
		for (i = 0; i < n || i < decpt; i++) {
			if (i == decpt)
				out[o++] = '.';
			out[o++] = i < n ? dig[i] : '0';
		}
	}
	out[o] = '\0';
	return o;
}

int
fk_json_quote(struct fk_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0;
	char esc[8];
	int k;

	ADDS(b, "\"");
	for (i = 0; i < n; i++) {
		/* jq escapes DEL too: the same bytes as jq -c. */
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' &&
		    p[i] != 0x7f)
			continue;
		ADD(b, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		k = 2;
		switch (p[i]) {
		case '"':
		case '\\':
			esc[1] = (char)p[i];
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 15];
			k = 6;
		}
		ADD(b, esc, (size_t)k);
	}
	ADD(b, s + run, n - run);
	ADDS(b, "\"");
	return 0;
}

static int
add_jstr(struct fk_buf *b, jv s)
{
	return fk_json_quote(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
}

static int
add_number(struct fk_buf *b, double d)
{
	char num[FK_NUM_MAX];
	int n = fk_fmt_number(d, num);

	ADD(b, num, (size_t)n);
	return 0;
}

/* ---- NDJSON ---------------------------------------------------------- */

static int json_record(const struct fk_field *f, size_t n, jv o,
    struct fk_buf *b);

/* One canonical value (borrowed, not null) of a field's type. */
static int
json_value(const struct fk_field *f, jv v, struct fk_buf *b)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		/* Canonical JSON columns hold JSON text: put it raw. */
		if (f->type == FK_T_JSON) {
			ADD(b, jv_string_value(v),
			    (size_t)jv_string_length_bytes(jv_copy(v)));
			return 0;
		}
		return add_jstr(b, v);
	case JV_KIND_NUMBER:
		return add_number(b, jv_number_value(v));
	case JV_KIND_TRUE:
		ADDS(b, "true");
		return 0;
	case JV_KIND_FALSE:
		ADDS(b, "false");
		return 0;
	case JV_KIND_OBJECT:
		if (f->type != FK_T_RECORD)
			return -1;
		return json_record(f->fields, f->nfields, v, b);
	default:
		return -1;
	}
}

static int
json_field(const struct fk_field *f, jv v, struct fk_buf *b)
{
	int i, n, rc = 0;
	jv el;

	if (jv_get_kind(v) == JV_KIND_NULL) {
		ADDS(b, "null");
		return 0;
	}
	if (f->mode != FK_M_REPEATED)
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

static int
json_record(const struct fk_field *f, size_t n, jv o, struct fk_buf *b)
{
	size_t i = 0;
	int it, rc = 0;
	jv v;

	ADDS(b, "{");
	for (it = jv_object_iter(o); rc == 0 && jv_object_iter_valid(o, it);
	    it = jv_object_iter_next(o, it), i++) {
		if (i == n)
			return -1;
		if (i > 0)
			ADDS(b, ",");
		if (fk_json_quote(b, f[i].name, strlen(f[i].name)) == -1)
			return -1;
		ADDS(b, ":");
		v = jv_object_iter_value(o, it);
		rc = json_field(&f[i], v, b);
		jv_free(v);
	}
	ADDS(b, "}");
	return rc == 0 && i == n ? 0 : -1;
}

int
fk_ndjson_row(const struct fk_schema *s, jv row, struct fk_buf *b)
{
	if (jv_get_kind(row) != JV_KIND_OBJECT ||
	    json_record(s->fields, s->nfields, row, b) == -1)
		return -1;
	ADDS(b, "\n");
	return 0;
}

/* ---- CSV ------------------------------------------------------------- */

struct col {
	char *name;
	const struct fk_field *f;	/* the leaf field */
	enum fk_mode mode;	/* NULLABLE unless REQUIRED all the way */
};

struct fk_csv {
	const struct fk_schema *s;
	struct col *cols;
	size_t ncols, cap;
};

static int
add_col(struct fk_csv *c, const char *prefix, const struct fk_field *f,
    int required, struct fk_err *e)
{
	char name[2 * FK_COLNAME_MAX + 2];
	struct col *p;
	size_t i, j;

	snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "_" : "",
	    f->name);
	if (strlen(name) > FK_COLNAME_MAX)
		return fk_fail(e, FK_EX_DATAERR, "flattened CSV column "
		    "'%.60s...' is longer than %d characters", name,
		    FK_COLNAME_MAX);
	if (f->type == FK_T_RECORD && f->mode != FK_M_REPEATED) {
		for (j = 0; j < f->nfields; j++)
			if (add_col(c, name, &f->fields[j], required &&
			    f->mode == FK_M_REQUIRED, e) == -1)
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
	p->mode = required && f->mode == FK_M_REQUIRED ? FK_M_REQUIRED :
	    FK_M_NULLABLE;
	c->ncols++;
	return 0;
}

struct fk_csv *
fk_csv_new(const struct fk_schema *s, struct fk_err *e)
{
	struct fk_csv *c;
	size_t i;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	c->s = s;
	for (i = 0; i < s->nfields; i++) {
		if (add_col(c, "", &s->fields[i], 1, e) == -1) {
			fk_csv_free(c);
			return NULL;
		}
	}
	return c;
}

void
fk_csv_free(struct fk_csv *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncols; i++)
		free(c->cols[i].name);
	free(c->cols);
	free(c);
}

/* One field's text, quoted when it must be. */
static int
csv_cell(struct fk_buf *b, const char *s, size_t n, int *nl)
{
	size_t i, run = 0;

	if (n == 0) {
		ADDS(b, "\"\"");
		return 0;
	}
	if (strcspn(s, ",\"\r\n") >= n && memchr(s, '\0', n) == NULL) {
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
csv_value(const struct fk_field *f, jv v, struct fk_buf *b,
    struct fk_buf *tmp, int *nl)
{
	char num[FK_NUM_MAX];
	int n;

	if (f->mode == FK_M_REPEATED || f->type == FK_T_RECORD) {
		fk_buf_reset(tmp);
		if (json_field(f, v, tmp) == -1)
			return -1;
		return csv_cell(b, tmp->p, tmp->len, nl);
	}
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		return csv_cell(b, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)), nl);
	case JV_KIND_NUMBER:
		n = fk_fmt_number(jv_number_value(v), num);
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

/* Fields of one record level in order; *k counts columns written. */
static int
csv_record(const struct fk_field *f, size_t n, jv o, struct fk_buf *b,
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
		if (f[i].type == FK_T_RECORD && f[i].mode != FK_M_REPEATED) {
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
fk_csv_row(const struct fk_csv *c, jv row, struct fk_buf *b,
    struct fk_buf *tmp, int *nl)
{
	size_t k = 0;

	if (jv_get_kind(row) != JV_KIND_OBJECT ||
	    csv_record(c->s->fields, c->s->nfields, row, b, tmp, &k, nl) == -1)
		return -1;
	ADDS(b, "\r\n");
	return 0;
}

int
fk_csv_header(const struct fk_csv *c, struct fk_buf *b)
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

jv
fk_csv_schema_json(const struct fk_csv *c, const unsigned char *widen)
{
	jv arr = jv_array(), o;
	enum fk_type t;
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		t = fk_field_type(c->cols[i].f, widen);
		/* Arrays and whole records travel as JSON text in a cell. */
		if (c->cols[i].f->mode == FK_M_REPEATED || t == FK_T_RECORD)
			t = FK_T_STRING;
		o = jv_object();
		o = jv_object_set(o, jv_string("name"),
		    jv_string(c->cols[i].name));
		o = jv_object_set(o, jv_string("type"),
		    jv_string(fk_type_name(t)));
		o = jv_object_set(o, jv_string("mode"),
		    jv_string(fk_mode_name(c->cols[i].mode)));
		arr = jv_array_append(arr, o);
	}
	return arr;
}
