/*
 * flat.c: rows checked straight from the input's text (see flat.h).
 *
 * Why each accepted value is what schema_coerce() makes of it: a JSON
 * string with no backslash is its bytes, which lib/scan.c has checked
 * as UTF-8 the way libjq checks it; an integer of at most 15 digits is
 * exact as the double libjq parses it to, which the encoders then write
 * as those digits; true and false are BOOLEAN as they are.  Everything
 * else (a number for a STRING field, a string for an INTEGER one, big
 * integers, escapes) has rules of its own in schema.c, so it goes there.
 */
#include <string.h>

#include "shape/check/flat.h"

int
flat_schema(const struct schema *s)
{
	size_t i;

	for (i = 0; i < s->nfields; i++) {
		if (s->fields[i].mode == SCHEMA_REPEATED)
			return 0;
		switch (s->fields[i].type) {
		case SCHEMA_STRING:
		case SCHEMA_INTEGER:
		case SCHEMA_BOOLEAN:
			break;
		default:
			return 0;
		}
	}
	return s->nfields > 0 && s->nfields <= FLAT_MAX_FIELDS;
}

/* The field named k[0..n) exactly, trying position at first; -1: none. */
static long
field_named(const struct schema *s, size_t at, const char *k, size_t n)
{
	size_t i;

	if (at < s->nfields && strncmp(s->fields[at].name, k, n) == 0 &&
	    s->fields[at].name[n] == '\0')
		return (long)at;
	for (i = 0; i < s->nfields; i++)
		if (strncmp(s->fields[i].name, k, n) == 0 &&
		    s->fields[i].name[n] == '\0')
			return (long)i;
	return -1;
}

/* -?(0|[1-9][0-9]{0,14}), not -0: 0 with *v; -1 for anything else. */
static int
small_int(const char *p, size_t n, int64_t *v)
{
	size_t i = 0, d;
	int64_t r = 0;

	if (p[0] == '-')
		i = 1;
	d = n - i;
	if (d == 0 || d > 15 || (p[i] == '0' && (d > 1 || i == 1)))
		return -1;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		r = r * 10 + (p[i] - '0');
	}
	*v = p[0] == '-' ? -r : r;
	return 0;
}

/* The text v[0..n) (v NULL: absent) as a value of f; -1: not plainly. */
static int
value(const struct schema_field *f, const char *v, size_t n,
    struct flat_val *out)
{
	if (v == NULL || v[0] == 'n') {
		out->kind = FLAT_NULL;
		return f->mode == SCHEMA_REQUIRED ? -1 : 0;
	}
	switch (f->type) {
	case SCHEMA_STRING:
		if (v[0] != '"' || memchr(v + 1, '\\', n - 2) != NULL)
			return -1;
		out->kind = FLAT_STR;
		out->p = v + 1;
		out->n = n - 2;
		return 0;
	case SCHEMA_INTEGER:
		out->kind = FLAT_INT;
		return small_int(v, n, &out->i);
	default:	/* BOOLEAN */
		if (v[0] != 't' && v[0] != 'f')
			return -1;
		out->kind = FLAT_BOOL;
		out->i = v[0] == 't';
		return 0;
	}
}

int
flat_row(const struct schema *s, const struct proj_kv *kv, size_t n,
    struct flat_val *out)
{
	unsigned char seen[FLAT_MAX_FIELDS];
	size_t i;
	long f;

	if (s->nfields > sizeof(seen))
		return 1;
	memset(seen, 0, s->nfields);
	for (i = 0; i < n; i++) {
		f = field_named(s, i, kv[i].k, kv[i].kn);
		if (f == -1 || seen[f] ||
		    value(&s->fields[f], kv[i].v, kv[i].vn, &out[f]) == -1)
			return 1;
		seen[f] = 1;
	}
	for (i = 0; i < s->nfields; i++) {
		if (seen[i])
			continue;
		if (s->fields[i].mode == SCHEMA_REQUIRED)
			return 1;
		out[i].kind = FLAT_NULL;
	}
	return 0;
}
