/*
 * schema.c: BigQuery schema files, the type of a string, and the checks
 * and coercions that turn a row into the canonical row of schema.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canon.h"
#include "colname.h"
#include "schema.h"
#include "shape/numfmt.h"

/* Lookup data for one level of fields (the top, or a RECORD's). */
struct level {
	size_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t mask;		/* table size - 1 (a power of two) */
};

struct fpriv {
	size_t idx;		/* preorder number, the widen[] index */
	struct level lv;	/* RECORD only */
};

struct spriv {
	struct level lv;
	size_t count;
	unsigned long gen;	/* tells schemas apart in key caches */
};

struct ctx {
	int flags;
	unsigned char *widen;
	struct schema_cerr *ce;
	const struct spriv *sp;
};

/*
 * Field names as jv strings, made once per thread and schema: jq 1.6's
 * reference counts (and its cached string hashes) are not atomic, so a
 * jv must never be shared between threads.
 */
static _Thread_local struct {
	unsigned long gen;
	jv *keys;
	size_t n;
} kc;

static unsigned long generation;

static const char *const type_names[] = {
	"STRING", "BYTES", "INTEGER", "FLOAT", "NUMERIC", "BOOLEAN", "DATE",
	"TIME", "DATETIME", "TIMESTAMP", "JSON", "RECORD"
};

static const struct {
	const char *name;
	enum schema_type type;
} type_aliases[] = {
	{ "INT64", SCHEMA_INTEGER }, { "FLOAT64", SCHEMA_FLOAT },
	{ "BOOL", SCHEMA_BOOLEAN }, { "STRUCT", SCHEMA_RECORD },
	{ "DECIMAL", SCHEMA_NUMERIC }
};

const char *
schema_type_name(enum schema_type t)
{
	return type_names[t];
}

const char *
schema_mode_name(enum schema_mode m)
{
	return m == SCHEMA_REQUIRED ? "REQUIRED" : m == SCHEMA_REPEATED ?
	    "REPEATED" : "NULLABLE";
}

static int
type_from_name(const char *s, enum schema_type *t)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcasecmp(s, type_names[i]) == 0) {
			*t = (enum schema_type)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++) {
		if (strcasecmp(s, type_aliases[i].name) == 0) {
			*t = type_aliases[i].type;
			return 0;
		}
	}
	return -1;
}

/* ---- errors ---------------------------------------------------------- */

int
schema_cfail(struct schema_cerr *ce, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ce->reason, sizeof(ce->reason), fmt, ap);
	va_end(ap);
	ce->path[0] = '\0';
	return -1;
}

/* Put pre in front of the error path, cutting the path's end if long. */
static void
prepend(struct schema_cerr *ce, const char *pre)
{
	size_t n = strlen(pre), len = strlen(ce->path);
	size_t max = sizeof(ce->path) - 1;

	if (n > max)
		n = max;
	if (len + n > max)
		len = max - n;
	memmove(ce->path + n, ce->path, len);
	memcpy(ce->path, pre, n);
	ce->path[n + len] = '\0';
}

void
schema_path_prepend(struct schema_cerr *ce, const char *name)
{
	if (ce->path[0] != '\0' && ce->path[0] != '[')
		prepend(ce, ".");
	prepend(ce, name);
}

static void
path_prepend_index(struct schema_cerr *ce, int i)
{
	char tmp[24];

	if (ce->path[0] != '\0' && ce->path[0] != '[')
		prepend(ce, ".");
	snprintf(tmp, sizeof(tmp), "[%d]", i);
	prepend(ce, tmp);
}

/* ---- lookup tables --------------------------------------------------- */

static size_t
hash_ci(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) *
		    16777619u;
	return h;
}

/* Index of the field named s (any case) at this level, or -1. */
static long
level_find(const struct level *lv, const struct schema_field *f, const char *s)
{
	size_t i = hash_ci(s) & lv->mask;

	while (lv->slot[i] != 0) {
		if (strcasecmp(f[lv->slot[i] - 1].name, s) == 0)
			return (long)(lv->slot[i] - 1);
		i = (i + 1) & lv->mask;
	}
	return -1;
}

static void level_free(struct schema_field *f, size_t n);

/* Build the lookup data of n fields; -1 on a duplicate name or ENOMEM. */
static int
level_init(struct level *lv, struct schema_field *f, size_t n, size_t *idx,
    struct fk_err *e)
{
	size_t size = 4, i, j;
	struct fpriv *p;

	while (size < 2 * n)
		size *= 2;
	lv->slot = calloc(size, sizeof(*lv->slot));
	if (lv->slot == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	lv->mask = size - 1;
	for (i = 0; i < n; i++) {
		if (level_find(lv, f, f[i].name) != -1)
			return fk_fail(e, FK_EX_CONFIG, "duplicate column "
			    "name '%s' (names are case-insensitive)",
			    f[i].name);
		j = hash_ci(f[i].name) & lv->mask;
		while (lv->slot[j] != 0)
			j = (j + 1) & lv->mask;
		lv->slot[j] = i + 1;
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		f[i].priv = p;
		p->idx = (*idx)++;
		if (f[i].type == SCHEMA_RECORD &&
		    level_init(&p->lv, f[i].fields, f[i].nfields, idx, e) == -1)
			return -1;
	}
	return 0;
}

static int
prepare(struct schema *s, struct fk_err *e)
{
	struct spriv *sp;

	sp = calloc(1, sizeof(*sp));
	if (sp == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	s->priv = sp;
	sp->gen = __atomic_add_fetch(&generation, 1, __ATOMIC_RELAXED);
	return level_init(&sp->lv, s->fields, s->nfields, &sp->count, e);
}

static void
level_free(struct schema_field *f, size_t n)
{
	struct fpriv *p;
	size_t i;

	for (i = 0; i < n; i++) {
		p = f[i].priv;
		if (p != NULL) {
			free(p->lv.slot);
			free(p);
		}
		level_free(f[i].fields, f[i].nfields);
		free(f[i].fields);
		free(f[i].name);
	}
}

void
schema_free(struct schema *s)
{
	struct spriv *sp = s->priv;

	level_free(s->fields, s->nfields);
	free(s->fields);
	if (sp != NULL) {
		free(sp->lv.slot);
		free(sp);
	}
	memset(s, 0, sizeof(*s));
}

enum schema_type
schema_field_type(const struct schema_field *f, const unsigned char *widen)
{
	const struct fpriv *p = f->priv;

	if (widen != NULL && p != NULL && widen[p->idx] != 0)
		return (enum schema_type)(widen[p->idx] - 1);
	return f->type;
}

size_t
schema_count(const struct schema *s)
{
	const struct spriv *sp = s->priv;

	return sp != NULL ? sp->count : 0;
}

void
schema_thread_done(void)
{
	size_t i;

	for (i = 0; i < kc.n; i++)
		jv_free(kc.keys[i]);
	free(kc.keys);
	memset(&kc, 0, sizeof(kc));
}

/* The name of f as a jv string (this thread's cached copy if allowed). */
static jv
key_of(struct ctx *c, const struct schema_field *f)
{
	const struct fpriv *p = f->priv;
	size_t i;

	if (!(c->flags & SCHEMA_CO_THREAD_KEYS))
		return jv_string(f->name);
	if (kc.gen != c->sp->gen) {
		schema_thread_done();
		kc.keys = malloc(c->sp->count * sizeof(*kc.keys));
		if (kc.keys == NULL)
			return jv_string(f->name);
		kc.n = c->sp->count;
		kc.gen = c->sp->gen;
		for (i = 0; i < kc.n; i++)
			kc.keys[i] = jv_invalid();
	}
	if (!jv_is_valid(kc.keys[p->idx]))
		kc.keys[p->idx] = jv_string(f->name);
	return jv_copy(kc.keys[p->idx]);
}

/* ---- schema files ---------------------------------------------------- */

static int parse_fields(jv arr, struct schema_field **out, size_t *n, int depth,
    const char *parent, struct fk_err *e);

static int
parse_mode(jv f, enum schema_mode *m, const char *name, struct fk_err *e)
{
	jv v = jv_object_get(jv_copy(f), jv_string("mode"));
	const char *s;
	int rc = 0;

	*m = SCHEMA_NULLABLE;
	if (jv_get_kind(v) == JV_KIND_STRING) {
		s = jv_string_value(v);
		if (strcasecmp(s, "REQUIRED") == 0)
			*m = SCHEMA_REQUIRED;
		else if (strcasecmp(s, "REPEATED") == 0)
			*m = SCHEMA_REPEATED;
		else if (strcasecmp(s, "NULLABLE") != 0)
			rc = fk_fail(e, FK_EX_CONFIG, "field '%s': unknown "
			    "mode '%s'", name, s);
	} else if (jv_get_kind(v) != JV_KIND_INVALID &&
	    jv_get_kind(v) != JV_KIND_NULL) {
		rc = fk_fail(e, FK_EX_CONFIG, "field '%s': mode is not a "
		    "string", name);
	}
	jv_free(v);
	return rc;
}

/* One field object of a schema file into *f (name already checked). */
static int
parse_field(jv j, struct schema_field *f, int depth, struct fk_err *e)
{
	jv t = jv_object_get(jv_copy(j), jv_string("type"));
	jv sub;
	int rc = -1;

	if (jv_get_kind(t) != JV_KIND_STRING) {
		fk_fail(e, FK_EX_CONFIG, "field '%s': no type", f->name);
		goto out;
	}
	if (type_from_name(jv_string_value(t), &f->type) == -1) {
		fk_fail(e, FK_EX_CONFIG, "field '%s': type '%s' is not "
		    "supported", f->name, jv_string_value(t));
		goto out;
	}
	if (parse_mode(j, &f->mode, f->name, e) == -1)
		goto out;
	sub = jv_object_get(jv_copy(j), jv_string("fields"));
	if (f->type != SCHEMA_RECORD) {
		jv_free(sub);
		rc = 0;
		goto out;
	}
	if (depth >= SCHEMA_MAXDEPTH) {
		jv_free(sub);
		fk_fail(e, FK_EX_CONFIG, "field '%s': RECORD nested deeper "
		    "than %d levels", f->name, SCHEMA_MAXDEPTH);
		goto out;
	}
	rc = parse_fields(sub, &f->fields, &f->nfields, depth + 1, f->name,
	    e);
out:
	jv_free(t);
	return rc;
}

static int
parse_fields(jv arr, struct schema_field **out, size_t *n, int depth,
    const char *parent, struct fk_err *e)
{
	struct schema_field *f = NULL;
	jv j, name;
	int i, len, rc = -1;

	*out = NULL;
	*n = 0;
	if (jv_get_kind(arr) != JV_KIND_ARRAY ||
	    jv_array_length(jv_copy(arr)) == 0) {
		fk_fail(e, FK_EX_CONFIG, "%s%s%s: no fields", parent ?
		    "field '" : "schema", parent ? parent : "", parent ?
		    "'" : "");
		goto out;
	}
	len = jv_array_length(jv_copy(arr));
	f = calloc((size_t)len, sizeof(*f));
	if (f == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	*out = f;
	for (i = 0; i < len; i++) {
		j = jv_array_get(jv_copy(arr), i);
		name = jv_get_kind(j) == JV_KIND_OBJECT ?
		    jv_object_get(jv_copy(j), jv_string("name")) :
		    jv_invalid();
		if (jv_get_kind(name) != JV_KIND_STRING) {
			jv_free(j);
			jv_free(name);
			fk_fail(e, FK_EX_CONFIG, "field %d%s%s: no name",
			    i + 1, parent ? " of " : "", parent ? parent : "");
			goto out;
		}
		f[i].name = strdup(jv_string_value(name));
		(*n)++;
		if (f[i].name == NULL) {
			fk_fail(e, FK_EX_SOFTWARE, "out of memory");
			jv_free(j);
			jv_free(name);
			goto out;
		}
		if (!colname_legal(f[i].name, strlen(f[i].name))) {
			fk_fail(e, FK_EX_CONFIG, "field '%s': not a legal "
			    "BigQuery column name", f[i].name);
			jv_free(j);
			jv_free(name);
			goto out;
		}
		jv_free(name);
		rc = parse_field(j, &f[i], depth, e);
		jv_free(j);
		if (rc == -1)
			goto out;
	}
	rc = 0;
out:
	jv_free(arr);
	return rc;
}

int
schema_parse(jv doc, struct schema *s, struct fk_err *e)
{
	memset(s, 0, sizeof(*s));
	if (jv_get_kind(doc) == JV_KIND_OBJECT)
		doc = jv_object_get(doc, jv_string("fields"));
	if (parse_fields(doc, &s->fields, &s->nfields, 1, NULL, e) == -1 ||
	    prepare(s, e) == -1) {
		schema_free(s);
		return -1;
	}
	return 0;
}

static jv
fields_json(const struct schema_field *f, size_t n, const unsigned char *widen)
{
	const struct fpriv *p;
	jv arr = jv_array(), o;
	enum schema_type t;
	size_t i;

	for (i = 0; i < n; i++) {
		p = f[i].priv;
		t = f[i].type;
		if (widen != NULL && p != NULL && widen[p->idx] != 0)
			t = (enum schema_type)(widen[p->idx] - 1);
		o = jv_object();
		o = jv_object_set(o, jv_string("name"), jv_string(f[i].name));
		o = jv_object_set(o, jv_string("type"),
		    jv_string(schema_type_name(t)));
		o = jv_object_set(o, jv_string("mode"),
		    jv_string(schema_mode_name(f[i].mode)));
		if (t == SCHEMA_RECORD)
			o = jv_object_set(o, jv_string("fields"),
			    fields_json(f[i].fields, f[i].nfields, widen));
		arr = jv_array_append(arr, o);
	}
	return arr;
}

jv
schema_json(const struct schema *s, const unsigned char *widen)
{
	return fields_json(s->fields, s->nfields, widen);
}

/* ---- text forms ------------------------------------------------------ */

struct when {
	int y, mo, d, h, mi, s;
	long us;
	int zone;		/* a zone was given */
	long off;		/* its offset east of UTC, seconds */
};

/* "HH:MM:SS[.f{1,6}]" (or "HH:MM" when short is allowed); bytes read. */
static int
parse_hms(const char *s, struct when *w, int short_ok)
{
	int n = 5, k;

	w->s = 0;
	w->us = 0;
	if (strnlen(s, 5) < 5 || s[2] != ':' ||
	    canon_digits(s, 2, &w->h) == -1 ||
	    canon_digits(s + 3, 2, &w->mi) == -1 || w->h > 23 || w->mi > 59)
		return -1;
	if (s[5] != ':') {
		return short_ok ? n : -1;
	}
	if (canon_digits(s + 6, 2, &w->s) == -1 || w->s > 59)
		return -1;
	n = 8;
	if (s[n] == '.') {
		for (k = 0, n++; s[n] >= '0' && s[n] <= '9'; n++, k++) {
			if (k == 6)
				return -1;
			w->us = w->us * 10 + (s[n] - '0');
		}
		if (k == 0)
			return -1;
		for (; k < 6; k++)
			w->us *= 10;
	}
	return n;
}

/* Zone suffix: Z, UTC, +HH:MM, +HHMM, +HH (optionally after a space). */
static int
parse_zone(const char *s, struct when *w)
{
	int h, m = 0;

	w->zone = 0;
	w->off = 0;
	if (*s == '\0')
		return 0;
	w->zone = 1;
	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0 ||
	    strcmp(s, "UTC") == 0 || strcmp(s, " UTC") == 0)
		return 0;
	if (*s == ' ')
		s++;
	if ((*s != '+' && *s != '-') || canon_digits(s + 1, 2, &h) == -1 ||
	    h > 23)
		return -1;
	if (s[3] == ':' && canon_digits(s + 4, 2, &m) == 0 && s[6] == '\0')
		;
	else if (s[3] != '\0' &&
	    (canon_digits(s + 3, 2, &m) == -1 || s[5] != '\0'))
		return -1;
	if (m > 59)
		return -1;
	w->off = (h * 3600L + m * 60L) * (*s == '-' ? -1 : 1);
	return 0;
}

/* Date, optional [T ]time, optional zone; kind: 'D'atetime or 'T'imestamp. */
static int
parse_when(const char *s, struct when *w, int kind)
{
	int n;

	memset(w, 0, sizeof(*w));
	if (canon_ymd(s, &w->y, &w->mo, &w->d) == -1)
		return -1;
	s += 10;
	if (*s == '\0')
		return 0;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	n = parse_hms(s + 1, w, 1);
	if (n == -1)
		return -1;
	s += 1 + n;
	if (kind == 'D')
		return *s == '\0' ? 0 : -1;
	return parse_zone(s, w);
}

static void
fmt_clock(char *out, size_t n, int h, int mi, int s, long us)
{
	if (us == 0)
		snprintf(out, n, "%02d:%02d:%02d", h, mi, s);
	else
		snprintf(out, n, "%02d:%02d:%02d.%06ld", h, mi, s, us);
}

/* Microseconds since 1970 to canonical TIMESTAMP text; -1 if out of range. */
static int
fmt_timestamp(int64_t us, char out[40])
{
	int64_t days, rem;
	int y, m, d;
	char clock[24];

	days = us / 86400000000LL;
	rem = us % 86400000000LL;
	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	canon_civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return -1;
	fmt_clock(clock, sizeof(clock), (int)(rem / 3600000000LL),
	    (int)(rem / 60000000 % 60), (int)(rem / 1000000 % 60),
	    (long)(rem % 1000000));
	snprintf(out, 40, "%04d-%02d-%02dT%sZ", y, m, d, clock);
	return 0;
}

/* ---- scalar coercions ------------------------------------------------ */

static int
got(struct ctx *c, enum schema_type t, jv v)
{
	return schema_cfail(c->ce, "expected %s, got %s", schema_type_name(t),
	    jv_kind_name(jv_get_kind(v)));
}

static int
to_string(struct ctx *c, jv v, jv *out)
{
	char num[32];

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		*out = v;
		return 0;
	case JV_KIND_NUMBER:
		if (!isfinite(jv_number_value(v))) {
			jv_free(v);
			return schema_cfail(c->ce, "expected STRING, got a "
			    "non-finite number");
		}
		numfmt_double(jv_number_value(v), num);
		jv_free(v);
		*out = jv_string(num);
		return 0;
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		*out = jv_string(jv_get_kind(v) == JV_KIND_TRUE ? "true" :
		    "false");
		jv_free(v);
		return 0;
	default:
		got(c, SCHEMA_STRING, v);
		jv_free(v);
		return -1;
	}
}

/* Decimal digits with an optional '-', to int64; -1 if not or too big. */
static int
parse_int64(const char *s, int64_t *out)
{
	const char *p = s;
	uint64_t v = 0, lim;
	int neg = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '\0')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (lim - (uint64_t)(*p - '0')) / 10)
			return -2;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int
to_integer(struct ctx *c, jv v, jv *out)
{
	int64_t n;
	double d;
	char buf[24];
	int r;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		d = jv_number_value(v);
		if (!isfinite(d) || d != floor(d)) {
			jv_free(v);
			return schema_cfail(c->ce,
			    "expected INTEGER, got a number "
			    "with a fraction or not finite");
		}
		if (fabs(d) > CANON_MAX_SAFE) {
			jv_free(v);
			return schema_cfail(c->ce,
			    "integer beyond 2^53 was rounded "
			    "by the JSON parser; send it as a string");
		}
		*out = v;
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		got(c, SCHEMA_INTEGER, v);
		jv_free(v);
		return -1;
	}
	r = parse_int64(jv_string_value(v), &n);
	jv_free(v);
	if (r == -1)
		return schema_cfail(c->ce,
		    "expected INTEGER, got a string that is "
		    "not a whole number");
	if (r == -2)
		return schema_cfail(c->ce, "integer out of the INT64 range");
	if (n >= -(int64_t)CANON_MAX_SAFE && n <= (int64_t)CANON_MAX_SAFE) {
		*out = jv_number((double)n);
	} else {
		snprintf(buf, sizeof(buf), "%lld", (long long)n);
		*out = jv_string(buf);
	}
	return 0;
}

static jv
nonfinite(double d)
{
	return jv_string(isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
}

static int
to_float(struct ctx *c, jv v, jv *out)
{
	const char *s;
	char *end;
	double d;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		d = jv_number_value(v);
		*out = isfinite(d) ? v : nonfinite(d);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		got(c, SCHEMA_FLOAT, v);
		jv_free(v);
		return -1;
	}
	s = jv_string_value(v);
	if (strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
	    strcasecmp(s, "+inf") == 0 || strcasecmp(s, "-inf") == 0 ||
	    strcasecmp(s, "infinity") == 0 || strcasecmp(s, "+infinity") == 0
	    || strcasecmp(s, "-infinity") == 0) {
		d = s[0] == 'n' || s[0] == 'N' ? NAN : s[0] == '-' ?
		    -INFINITY : INFINITY;
		jv_free(v);
		*out = nonfinite(d);
		return 0;
	}
	/* strtod also takes hex and "nan(...)": only decimal text here. */
	if (*s == '\0' || strspn(s, "0123456789+-.eE") != strlen(s)) {
		jv_free(v);
		return schema_cfail(c->ce,
		    "expected FLOAT, got a string that is "
		    "not a number");
	}
	d = strtod(s, &end);
	if (*end != '\0' || !isfinite(d)) {
		jv_free(v);
		return schema_cfail(c->ce,
		    "expected FLOAT, got a string that is "
		    "not a number in range");
	}
	jv_free(v);
	*out = jv_number(d);
	return 0;
}

/*
 * Decimal text (digits, optional fraction and exponent) to NUMERIC's
 * canonical form: at most 29 integer and 9 fraction digits, no leading or
 * trailing zeros, no "-0".
 */
static int
numeric_text(const char *s, char *out, size_t outsz)
{
	char dig[96];
	int nd = 0, point = -1, neg = 0, exp = 0, i, intd, lead, frac;
	size_t o = 0;
	char *end;
	long e;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
		if (*s == '.') {
			if (point != -1)
				return -1;
			point = nd;
		} else if (nd < (int)sizeof(dig)) {
			dig[nd++] = *s;
		} else {
			return -1;
		}
	}
	if (nd == 0)
		return -1;
	if (point == -1)
		point = nd;
	if (*s == 'e' || *s == 'E') {
		e = strtol(s + 1, &end, 10);
		if (end == s + 1 || *end != '\0' || e > 64 || e < -64)
			return -1;
		exp = (int)e;
	} else if (*s != '\0') {
		return -1;
	}
	point += exp;		/* digits before the decimal point */
	for (lead = 0; lead < nd && dig[lead] == '0'; lead++)
		;
	while (nd > lead && nd > point && dig[nd - 1] == '0')
		nd--;			/* trailing fraction zeros */
	if (lead == nd) {
		snprintf(out, outsz, "0");
		return 0;
	}
	intd = point - lead;		/* significant integer digits */
	frac = nd - point;
	if (intd > 29 || frac > 9)
		return -2;
	if (neg)
		out[o++] = '-';
	if (intd <= 0)
		out[o++] = '0';
	for (i = lead; i < point; i++)
		out[o++] = i < nd ? dig[i] : '0';
	if (frac > 0) {
		out[o++] = '.';
		for (i = point; i < nd; i++)
			out[o++] = i < 0 ? '0' : dig[i];
	}
	out[o] = '\0';
	return 0;
}

static int
to_numeric(struct ctx *c, jv v, jv *out)
{
	char text[40], res[48];
	const char *s;
	int r;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		if (!isfinite(jv_number_value(v))) {
			jv_free(v);
			return schema_cfail(c->ce, "NUMERIC cannot be NaN or "
			    "infinite");
		}
		numfmt_double(jv_number_value(v), text);
		s = text;
	} else if (jv_get_kind(v) == JV_KIND_STRING) {
		s = jv_string_value(v);
	} else {
		got(c, SCHEMA_NUMERIC, v);
		jv_free(v);
		return -1;
	}
	r = numeric_text(s, res, sizeof(res));
	jv_free(v);
	if (r == -1)
		return schema_cfail(c->ce,
		    "expected NUMERIC, got text that is not "
		    "a decimal number");
	if (r == -2)
		return schema_cfail(c->ce,
		    "NUMERIC takes at most 29 integer and 9 "
		    "fraction digits");
	*out = jv_string(res);
	return 0;
}

static int
to_boolean(struct ctx *c, jv v, jv *out)
{
	const char *s;

	switch (jv_get_kind(v)) {
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		*out = v;
		return 0;
	case JV_KIND_STRING:
		s = jv_string_value(v);
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
			*out = jv_bool(s[0] == 't' || s[0] == 'T');
			jv_free(v);
			return 0;
		}
		jv_free(v);
		return schema_cfail(c->ce,
		    "expected BOOLEAN, got a string other "
		    "than true or false");
	default:
		got(c, SCHEMA_BOOLEAN, v);
		jv_free(v);
		return -1;
	}
}

static int
b64val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Standard or URL-safe base64, padded or not, to padded standard. */
static int
to_bytes(struct ctx *c, jv v, jv *out)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *s;
	size_t n, i;
	char *r;

	if (jv_get_kind(v) != JV_KIND_STRING) {
		got(c, SCHEMA_BYTES, v);
		jv_free(v);
		return -1;
	}
	s = jv_string_value(v);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++)
		if (b64val((unsigned char)s[i]) == -1)
			break;
	if (i < n || n % 4 == 1 || strlen(s) - n > 2) {
		jv_free(v);
		return schema_cfail(c->ce,
		    "expected BYTES as base64, got a string "
		    "that is not base64");
	}
	r = malloc(n + 4);
	if (r == NULL) {
		jv_free(v);
		return schema_cfail(c->ce, "out of memory");
	}
	for (i = 0; i < n; i++)
		r[i] = std[b64val((unsigned char)s[i])];
	while (i % 4 != 0)
		r[i++] = '=';
	r[i] = '\0';
	jv_free(v);
	*out = jv_string(r);
	free(r);
	return 0;
}

static int
to_time_type(struct ctx *c, enum schema_type t, jv v, jv *out)
{
	struct when w;
	char buf[48], clock[24];
	const char *s;
	int64_t us;
	int r;

	if (t == SCHEMA_TIMESTAMP && jv_get_kind(v) == JV_KIND_NUMBER) {
		/* Epoch seconds, as BigQuery takes them in JSON. */
		if (!isfinite(jv_number_value(v)) ||
		    fabs(jv_number_value(v)) > 3e11 ||
		    fmt_timestamp((int64_t)llround(jv_number_value(v) * 1e6),
		    buf) == -1) {
			jv_free(v);
			return schema_cfail(c->ce,
			    "TIMESTAMP seconds out of range");
		}
		jv_free(v);
		*out = jv_string(buf);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		got(c, t, v);
		jv_free(v);
		return -1;
	}
	s = jv_string_value(v);
	memset(&w, 0, sizeof(w));
	switch (t) {
	case SCHEMA_DATE:
		r = canon_ymd(s, &w.y, &w.mo, &w.d) == 0 && s[10] == '\0' ?
		    0 : -1;
		if (r == 0)
			snprintf(buf, sizeof(buf), "%04d-%02d-%02d", w.y, w.mo,
			    w.d);
		break;
	case SCHEMA_TIME:
		r = parse_hms(s, &w, 0);
		r = r > 0 && s[r] == '\0' ? 0 : -1;
		if (r == 0)
			fmt_clock(buf, sizeof(buf), w.h, w.mi, w.s, w.us);
		break;
	case SCHEMA_DATETIME:
		r = parse_when(s, &w, 'D');
		if (r == 0) {
			fmt_clock(clock, sizeof(clock), w.h, w.mi, w.s, w.us);
			snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%s", w.y,
			    w.mo, w.d, clock);
		}
		break;
	default:	/* SCHEMA_TIMESTAMP */
		r = parse_when(s, &w, 'T');
		if (r == 0) {
			us = ((int64_t)canon_days_from_civil(w.y, w.mo, w.d) *
			    86400 + w.h * 3600 + w.mi * 60 + w.s - w.off) *
			    1000000 + w.us;
			r = fmt_timestamp(us, buf);
		}
		break;
	}
	jv_free(v);
	if (r == -1)
		return schema_cfail(c->ce,
		    "expected %s, got a string that is not "
		    "one", schema_type_name(t));
	*out = jv_string(buf);
	return 0;
}

static int
to_json(jv v, jv *out)
{
	*out = jv_dump_string(v, 0);
	return 0;
}

/* Inferred text output: the column may widen instead of rejecting. */
static int
widen(struct ctx *c, const struct schema_field *f, jv v, jv *out)
{
	const struct fpriv *p = f->priv;
	enum schema_type to;

	if (f->type == SCHEMA_INTEGER && jv_get_kind(v) == JV_KIND_NUMBER)
		to = SCHEMA_FLOAT;
	else if ((f->type == SCHEMA_DATE || f->type == SCHEMA_TIMESTAMP) &&
	    jv_get_kind(v) == JV_KIND_STRING)
		to = SCHEMA_STRING;
	else {
		got(c, f->type, v);
		jv_free(v);
		return -1;
	}
	if (to == SCHEMA_FLOAT && to_float(c, v, out) == -1)
		return -1;
	if (to == SCHEMA_STRING)
		*out = v;
	/* Each column has one wider type, so the join is just "set". */
	c->widen[p->idx] = (unsigned char)(to + 1);
	return 0;
}

static int
scalar(struct ctx *c, const struct schema_field *f, jv v, jv *out)
{
	int r;

	switch (f->type) {
	case SCHEMA_STRING:
		return to_string(c, v, out);
	case SCHEMA_BYTES:
		return to_bytes(c, v, out);
	case SCHEMA_INTEGER:
		/* A fraction, or a whole number JSON cannot hold exactly. */
		if ((c->flags & SCHEMA_CO_WIDEN) && jv_get_kind(v) ==
		    JV_KIND_NUMBER && (jv_number_value(v) !=
		    floor(jv_number_value(v)) ||
		    fabs(jv_number_value(v)) > CANON_MAX_SAFE))
			return widen(c, f, v, out);
		return to_integer(c, v, out);
	case SCHEMA_FLOAT:
		return to_float(c, v, out);
	case SCHEMA_NUMERIC:
		return to_numeric(c, v, out);
	case SCHEMA_BOOLEAN:
		return to_boolean(c, v, out);
	case SCHEMA_DATE:
	case SCHEMA_TIMESTAMP:
		r = to_time_type(c, f->type, jv_copy(v), out);
		if (r == -1 && (c->flags & SCHEMA_CO_WIDEN) &&
		    jv_get_kind(v) == JV_KIND_STRING)
			return widen(c, f, v, out);
		jv_free(v);
		return r;
	case SCHEMA_TIME:
	case SCHEMA_DATETIME:
		return to_time_type(c, f->type, v, out);
	case SCHEMA_JSON:
		return to_json(v, out);
	default:
		jv_free(v);
		return schema_cfail(c->ce, "internal: RECORD as a scalar");
	}
}

/* ---- rows ------------------------------------------------------------ */

static int record(struct ctx *c, const struct schema_field *f, size_t n,
    const struct level *lv, jv obj, jv *out);

/* One value (not null) of field f, in mode REQUIRED/NULLABLE terms. */
static int
value(struct ctx *c, const struct schema_field *f, jv v, jv *out)
{
	const struct fpriv *p = f->priv;
	int r;

	if (f->type != SCHEMA_RECORD)
		return scalar(c, f, v, out);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		got(c, SCHEMA_RECORD, v);
		jv_free(v);
		return -1;
	}
	r = record(c, f->fields, f->nfields, &p->lv, v, out);
	jv_free(v);
	return r;
}

static int
repeated(struct ctx *c, const struct schema_field *f, jv v, jv *out)
{
	jv arr, el, cv;
	int i, n;

	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		schema_cfail(c->ce, "REPEATED field needs an array, got %s",
		    jv_kind_name(jv_get_kind(v)));
		jv_free(v);
		return -1;
	}
	n = jv_array_length(jv_copy(v));
	arr = jv_array_sized(n);
	for (i = 0; i < n; i++) {
		el = jv_array_get(jv_copy(v), i);
		if (jv_get_kind(el) == JV_KIND_NULL) {
			jv_free(el);
			schema_cfail(c->ce, "null element in a REPEATED field");
			goto fail;
		}
		if (value(c, f, el, &cv) == -1)
			goto fail;
		arr = jv_array_append(arr, cv);
	}
	jv_free(v);
	*out = arr;
	return 0;
fail:
	path_prepend_index(c->ce, i);
	jv_free(arr);
	jv_free(v);
	return -1;
}

/* v is jv_invalid() when the field is absent. */
static int
field(struct ctx *c, const struct schema_field *f, jv v, jv *out)
{
	jv_kind k = jv_get_kind(v);

	if (k == JV_KIND_INVALID || k == JV_KIND_NULL) {
		jv_free(v);
		if (f->mode == SCHEMA_REQUIRED)
			return schema_cfail(c->ce,
			    k == JV_KIND_NULL ? "null in a "
			    "REQUIRED field" : "REQUIRED field is missing");
		*out = f->mode == SCHEMA_REPEATED ? jv_array() : jv_null();
		return 0;
	}
	if (f->mode == SCHEMA_REPEATED)
		return repeated(c, f, v, out);
	return value(c, f, v, out);
}

/* The other row key that maps to the same column as field i (for errors). */
static void
collision(struct ctx *c, jv obj, const char *first, const char *col)
{
	char buf[COLNAME_MAX + 1];
	int it;
	jv k;

	for (it = jv_object_iter(obj); jv_object_iter_valid(obj, it);
	    it = jv_object_iter_next(obj, it)) {
		k = jv_object_iter_key(obj, it);
		if (strcmp(jv_string_value(k), first) != 0 &&
		    strcasecmp(colname_of_key(k, buf), col) == 0) {
			schema_cfail(c->ce,
			    "fields '%.80s' and '%.80s' both map to "
			    "column '%.80s'", jv_string_value(k), first, col);
			jv_free(k);
			return;
		}
		jv_free(k);
	}
	schema_cfail(c->ce, "field '%.80s' appears twice", first);
}

/* Is the string key exactly name (a legal column name)? */
static int
is_name(jv key, const char *name)
{
	size_t n = (size_t)jv_string_length_bytes(jv_copy(key));

	return strlen(name) == n && memcmp(jv_string_value(key), name, n) == 0;
}

static int
record(struct ctx *c, const struct schema_field *f, size_t n,
    const struct level *lv, jv obj, jv *out)
{
	jv small[32], *vals = small, k, o, v, cv, was;
	char buf[COLNAME_MAX + 1];
	const char *col;
	size_t i, pos = 0;
	long idx;
	int it, rc = -1, same = 1, own;

	if (n > sizeof(small) / sizeof(small[0])) {
		vals = malloc(n * sizeof(*vals));
		if (vals == NULL)
			return schema_cfail(c->ce, "out of memory");
	}
	for (i = 0; i < n; i++)
		vals[i] = jv_invalid();
	for (it = jv_object_iter(obj); jv_object_iter_valid(obj, it);
	    it = jv_object_iter_next(obj, it), pos++) {
		k = jv_object_iter_key(obj, it);
		if (pos < n && is_name(k, f[pos].name)) {
			/* The column's own name in the schema's place, as most
			 * rows have it: nothing to map or look up. */
			idx = (long)pos;
			col = f[pos].name;
			own = 1;
		} else {
			col = colname_of_key(k, buf);
			idx = level_find(lv, f, col);
			own = idx != -1 && col != buf &&
			    strcmp(f[idx].name, col) == 0;
		}
		if (idx == -1 && (c->flags & SCHEMA_CO_DROP_UNKNOWN)) {
			same = 0;
			jv_free(k);
			continue;
		}
		if (idx == -1) {
			schema_cfail(c->ce, "field not in the schema");
			schema_path_prepend(c->ce, col);
			jv_free(k);
			goto out;
		}
		if (jv_is_valid(vals[idx])) {
			collision(c, obj, jv_string_value(k), col);
			jv_free(k);
			goto out;
		}
		/* The key is the column's own name, in the schema's place. */
		same = same && idx == (long)pos && own;
		jv_free(k);
		vals[idx] = jv_object_iter_value(obj, it);
	}
	same = same && pos == n;
	for (i = 0; i < n; i++) {
		v = vals[i];
		vals[i] = jv_invalid();
		/* The value as it came, while the row may be canonical. */
		was = same ? jv_copy(v) : jv_invalid();
		if (field(c, &f[i], v, &cv) == -1) {
			schema_path_prepend(c->ce, f[i].name);
			jv_free(was);
			goto out;
		}
		if (same)
			same = jv_identical(jv_copy(cv), was);
		vals[i] = cv;
	}
	/*
	 * A row that is canonical already (its columns in the schema's
	 * order, no value changed) is its own canonical form: rebuilding
	 * it would only cost a jv_object_set a column.
	 */
	if (same) {
		*out = jv_copy(obj);
		rc = 0;
		goto out;
	}
	o = jv_object();
	for (i = 0; i < n; i++) {
		o = jv_object_set(o, key_of(c, &f[i]), vals[i]);
		vals[i] = jv_invalid();
	}
	*out = o;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		jv_free(vals[i]);
	if (vals != small)
		free(vals);
	return rc;
}

int
schema_coerce(const struct schema *s, jv row, int flags,
    unsigned char *widen, jv *out, struct schema_cerr *ce)
{
	const struct spriv *sp = s->priv;
	struct ctx c = { flags, widen, ce, sp };

	if (widen == NULL)
		c.flags &= ~SCHEMA_CO_WIDEN;
	if (jv_get_kind(row) != JV_KIND_OBJECT)
		return schema_cfail(ce, "a row must be an object, got %s",
		    jv_kind_name(jv_get_kind(row)));
	return record(&c, s->fields, s->nfields, &sp->lv, row, out);
}

/* ---- inference ------------------------------------------------------- */

enum schema_type
schema_string_type(const char *s)
{
	struct when w;

	if (canon_ymd(s, &w.y, &w.mo, &w.d) == 0 && s[10] == '\0')
		return SCHEMA_DATE;
	memset(&w, 0, sizeof(w));
	if (strlen(s) > 10 && parse_when(s, &w, 'T') == 0 && w.zone &&
	    (s[10] == 'T' || s[10] == 't' || s[10] == ' '))
		return SCHEMA_TIMESTAMP;
	return SCHEMA_STRING;
}
