/*
 * page.c: render and write one page (see page.h).
 */
#include <string.h>

#include "page.h"
#include "plan.h"

/* Append v (consumed) as one compact line. */
static int
add_line(struct fk_buf *out, jv v)
{
	jv s = jv_dump_string(v, 0);
	int n = jv_string_length_bytes(jv_copy(s)), rc;

	rc = fk_buf_add(out, jv_string_value(s), (size_t)n) < 0 ||
	    fk_buf_add(out, "\n", 1) < 0 ? -1 : 0;
	jv_free(s);
	return rc;
}

/* Consumes rec. */
static int
add_record(struct fk_buf *out, jv rec, uint64_t k, int pos)
{
	jv id = jv_object_get(jv_copy(rec), jv_string("id"));

	/* Ids restart at 1 in every response: make them run-wide. */
	if (jv_is_valid(id))
		rec = jv_object_set(rec, jv_string("id"),
		    jv_number((double)fetch_id(k, pos)));
	jv_free(id);
	return add_line(out, rec);
}

long
fetch_page_render(jv env, uint64_t k, int raw, struct fk_buf *out)
{
	jv data = jv_object_get(jv_copy(env), jv_string("data"));
	long n, len = jv_array_length(jv_copy(data));

	if (raw) {
		jv_free(data);
		return add_line(out, env) < 0 ? -1 : len;
	}
	jv_free(env);
	for (n = 0; n < len; n++)
		if (add_record(out, jv_array_get(jv_copy(data), (int)n), k,
		    (int)n) < 0)
			break;
	jv_free(data);
	return n < len ? -1 : len;
}

int
fetch_page_write(FILE *f, const struct fk_buf *text, int unbuffered)
{
	const char *p = text->p, *end = text->p + text->len, *nl;

	if (text->len == 0)
		return 0;
	if (!unbuffered)
		return fwrite(p, 1, text->len, f) == text->len ? 0 : -1;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end - 1;
		if (fwrite(p, 1, (size_t)(nl - p + 1), f) != (size_t)(nl - p + 1) ||
		    fflush(f) == EOF)
			return -1;
	}
	return 0;
}
