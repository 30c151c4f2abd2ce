/*
 * page.c: render and write one page (see page.h).
 */
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "page.h"
#include "plan.h"

/*
 * The service's counters restart at 1 in every response: make them
 * run-wide, and leave every other value as it came.  Consumes rec.
 */
static void
put_record(FILE *m, jv rec, const struct fetch_spec *sp, uint64_t k, int pos)
{
	const char *name;
	size_t i;
	jv v;

	for (i = 0; i < sp->ncounters; i++) {
		name = sp->counters[i];
		v = jv_object_get(jv_copy(rec), jv_string(name));
		if (jv_get_kind(v) == JV_KIND_NUMBER &&
		    fetch_counter_value(jv_number_value(v), pos))
			rec = jv_object_set(rec, jv_string(name),
			    jv_number((double)fetch_id(k, pos)));
		jv_free(v);
	}
	jv_dumpf(rec, m, 0);
	putc('\n', m);
}

/* The text being rendered: a buffer sized up front, grown if need be. */
struct sink {
	char *p;
	size_t len, cap;
};

static ssize_t
sink_write(void *arg, const char *buf, size_t n)
{
	struct sink *k = arg;
	size_t want = k->cap;
	char *p;

	while (k->len + n > want)
		want = want * 2 + 4096;
	if (want != k->cap) {
		p = realloc(k->p, want);
		if (p == NULL)
			return 0;
		k->p = p;
		k->cap = want;
	}
	memcpy(k->p + k->len, buf, n);
	k->len += n;
	return (ssize_t)n;
}

long
fetch_page_render(jv env, const struct fetch_spec *sp, uint64_t k, int raw,
    size_t hint, char **text, size_t *len)
{
	cookie_io_functions_t io = { NULL, sink_write, NULL, NULL };
	jv data = jv_object_get(jv_copy(env), jv_string("data"));
	long n, count = jv_array_length(jv_copy(data));
	struct sink sk = { NULL, 0, hint };
	FILE *m;
	int bad;

	*text = NULL;
	*len = 0;
	/* Ids may grow a little; escapes the server used shrink. */
	sk.p = malloc(sk.cap);
	m = sk.p != NULL ? fopencookie(&sk, "w", io) : NULL;
	if (m == NULL) {
		free(sk.p);
		jv_free(env);
		jv_free(data);
		return -1;
	}
	/*
	 * jq's dumper writes token by token: a stream of our own needs no
	 * locking, and this is faster than jv_dump_string.
	 */
	__fsetlocking(m, FSETLOCKING_BYCALLER);
	if (raw) {
		jv_dumpf(env, m, 0);
		putc('\n', m);
	} else {
		jv_free(env);
		for (n = 0; n < count; n++)
			put_record(m, jv_array_get(jv_copy(data), (int)n), sp,
			    k, (int)n);
	}
	jv_free(data);
	bad = ferror(m);
	if (fclose(m) != 0 || bad) {
		free(sk.p);
		return -1;
	}
	*text = sk.p;
	*len = sk.len;
	return count;
}

int
fetch_page_write(FILE *f, const char *text, size_t len, int unbuffered)
{
	const char *p = text, *end = text + len, *nl;
	size_t n;

	if (len == 0)
		return 0;
	if (!unbuffered)
		return fwrite(p, 1, len, f) == len ? 0 : -1;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end - 1;
		n = (size_t)(nl - p + 1);
		if (fwrite(p, 1, n, f) != n || fflush(f) == EOF)
			return -1;
	}
	return 0;
}
