/*
 * page.c: renumber and write one page (see page.h).
 */
#include "json.h"
#include "page.h"
#include "plan.h"

/* Consumes rec. */
static int
write_record(FILE *out, jv rec, uint64_t k, int pos, int unbuffered)
{
	jv id = jv_object_get(jv_copy(rec), jv_string("id"));

	/* Ids restart at 1 in every response: make them run-wide. */
	if (jv_is_valid(id))
		rec = jv_object_set(rec, jv_string("id"),
		    jv_number((double)fetch_id(k, pos)));
	jv_free(id);
	if (fk_json_write_line(rec, out) < 0)
		return -1;
	return unbuffered && fflush(out) == EOF ? -1 : 0;
}

long
fetch_page_write(FILE *out, jv env, uint64_t k, int raw, int unbuffered)
{
	jv data;
	long n = 0, len;

	if (raw) {
		n = jv_array_length(jv_object_get(jv_copy(env),
		    jv_string("data")));
		if (fk_json_write_line(env, out) < 0 ||
		    (unbuffered && fflush(out) == EOF))
			return -1;
		return n;
	}
	data = jv_object_get(env, jv_string("data"));
	len = jv_array_length(jv_copy(data));
	for (n = 0; n < len; n++)
		if (write_record(out, jv_array_get(jv_copy(data), (int)n), k,
		    (int)n, unbuffered) < 0)
			break;
	jv_free(data);
	return n < len ? -1 : n;
}
