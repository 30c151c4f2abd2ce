/*
 * json.c: helpers over libjq's jv (see json.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Consumes msg (an invalid's message): a malloc'ed C string. */
static char *
json_msg(jv msg)
{
	char *r;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		r = strdup(jv_string_value(msg));
	} else {
		jv s = jv_dump_string(jv_copy(msg), 0);

		r = strdup(jv_string_value(s));
		jv_free(s);
	}
	jv_free(msg);
	return r;
}

int
fk_json_parse(const char *buf, size_t len, jv *out, struct fk_err *e)
{
	jv v;
	char *m;

	/* jv_parse_sized rejects trailing garbage and a second value. */
	v = jv_parse_sized(buf, (int)len);
	if (!jv_is_valid(v)) {
		m = json_msg(jv_invalid_get_msg(v));
		fk_fail(e, FK_EX_DATAERR, "invalid JSON: %s", m ? m : "unknown");
		free(m);
		return -1;
	}
	*out = v;
	return 0;
}

const char *
fk_json_str(jv obj, const char *key)
{
	jv v;
	const char *s;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return NULL;
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return NULL;
	}
	/* The object still holds a reference, so the pointer stays valid. */
	s = jv_string_value(v);
	jv_free(v);
	return s;
}

int
fk_json_int(jv obj, const char *key, long long *out)
{
	jv v;
	double d;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return -1;
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		jv_free(v);
		return -1;
	}
	d = jv_number_value(v);
	jv_free(v);
	if (d != floor(d) || fabs(d) > 9007199254740992.0)
		return -1;
	*out = (long long)d;
	return 0;
}

int
fk_json_write_line(jv v, FILE *f)
{
	jv s = jv_dump_string(v, 0);
	const char *p = jv_string_value(s);
	size_t n = (size_t)jv_string_length_bytes(jv_copy(s));
	int rc = 0;

	if (fwrite(p, 1, n, f) != n || putc('\n', f) == EOF)
		rc = -1;
	jv_free(s);
	return rc;
}
