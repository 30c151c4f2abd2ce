/*
 * check.c: envelope validation (see check.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

/* jq 1.6 appends the whole input to a parse error: keep the reason only. */
static int
parse(const char *body, size_t len, jv *out, struct fk_err *e)
{
	char *cut;

	if (len > INT_MAX)
		return fk_fail(e, FK_EX_DATAERR, "response too large");
	if (fk_json_parse(body, len, out, e) == 0)
		return 0;
	cut = strstr(e->msg, " (while parsing");
	if (cut != NULL)
		*cut = '\0';
	return -1;
}

static int
check_status(jv env, struct fk_err *e)
{
	const char *s = fk_json_str(env, "status");
	long long code;

	if (s == NULL)
		return fk_fail(e, FK_EX_DATAERR, "envelope has no string "
		    "'status'");
	if (strcmp(s, "OK") != 0)
		return fk_fail(e, FK_EX_DATAERR, "envelope status is '%.80s', "
		    "not 'OK'", s);
	if (fk_json_int(env, "code", &code) < 0)
		return fk_fail(e, FK_EX_DATAERR, "envelope has no integer "
		    "'code'");
	if (code != 200)
		return fk_fail(e, FK_EX_DATAERR, "envelope code is %lld, not "
		    "200", code);
	return 0;
}

static int
check_data(jv env, int quantity, struct fk_err *e)
{
	jv data = jv_object_get(jv_copy(env), jv_string("data")), r;
	long long total;
	int n, i, rc = -1;

	if (jv_get_kind(data) != JV_KIND_ARRAY) {
		fk_fail(e, FK_EX_DATAERR, "envelope 'data' is %s, not an array",
		    jv_is_valid(data) ? jv_kind_name(jv_get_kind(data)) :
		    "missing");
		goto out;
	}
	n = jv_array_length(jv_copy(data));
	if (fk_json_int(env, "total", &total) < 0) {
		fk_fail(e, FK_EX_DATAERR, "envelope has no integer 'total'");
		goto out;
	}
	if (total != n) {
		fk_fail(e, FK_EX_DATAERR, "envelope total is %lld but data has "
		    "%d records", total, n);
		goto out;
	}
	if (n != quantity) {
		fk_fail(e, FK_EX_DATAERR, "asked for %d records, got %d",
		    quantity, n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = jv_array_get(jv_copy(data), i);
		if (jv_get_kind(r) != JV_KIND_OBJECT) {
			jv_free(r);
			break;
		}
		jv_free(r);
	}
	if (i < n) {
		fk_fail(e, FK_EX_DATAERR, "record %d of data is not an object",
		    i + 1);
		goto out;
	}
	rc = 0;
out:
	jv_free(data);
	return rc;
}

/* v2 echoes the seed (as a number or a string): it must be ours. */
static int
check_seed(jv env, uint32_t seed, struct fk_err *e)
{
	jv v = jv_object_get(jv_copy(env), jv_string("seed"));
	char want[16];
	int ok = 1;

	snprintf(want, sizeof(want), "%lu", (unsigned long)seed);
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		ok = seed != 0 && jv_number_value(v) == (double)seed;
	else if (jv_get_kind(v) == JV_KIND_STRING)
		ok = seed != 0 && strcmp(jv_string_value(v), want) == 0;
	else if (jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL)
		ok = 0;
	jv_free(v);
	if (!ok)
		return fk_fail(e, FK_EX_DATAERR, "envelope seed is not the "
		    "seed sent (%s)", seed != 0 ? want : "none");
	return 0;
}

int
fetch_check(const char *body, size_t len, int quantity, uint32_t seed,
    jv *env, struct fk_err *e)
{
	jv v;

	if (parse(body, len, &v, e) < 0)
		return -1;
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		fk_fail(e, FK_EX_DATAERR, "response is a JSON %s, not an "
		    "envelope object", jv_kind_name(jv_get_kind(v)));
		goto fail;
	}
	if (check_status(v, e) < 0 || check_data(v, quantity, e) < 0 ||
	    check_seed(v, seed, e) < 0)
		goto fail;
	*env = v;
	return 0;
fail:
	jv_free(v);
	return -1;
}
