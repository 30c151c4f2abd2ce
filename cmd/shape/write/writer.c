/*
 * writer.c: the table of output formats and what they share (see
 * writer.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/write/writer.h"

static const struct {
	const char *name;
	const struct writer *w;
} names[] = {
	{ "ndjson", &ndjson_writer },
	{ "json", &ndjson_writer },
	{ "csv", &csv_writer },
	{ "avro", &avro_writer },
	{ "parquet", &pq_writer },
};

const struct writer *
writer_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].w;
	return NULL;
}

int
wbatch_end_row(struct wbatch *wb)
{
	size_t nc;
	size_t *np;

	if (wb->n == wb->cap) {
		nc = wb->cap ? 2 * wb->cap : 256;
		np = realloc(wb->end, nc * sizeof(*np));
		if (np == NULL)
			return -1;
		wb->end = np;
		wb->cap = nc;
	}
	wb->end[wb->n++] = wb->out.len;
	return 0;
}

void
wbatch_undo(struct wbatch *wb, size_t before)
{
	wb->out.len = before;
}

void
wbatch_clear(struct wbatch *wb)
{
	wb->n = 0;
	wb->nl = 0;
	fk_buf_reset(&wb->out);
}

void
wbatch_free(struct wbatch *wb)
{
	wbatch_clear(wb);
	free(wb->end);
	fk_buf_free(&wb->out);
	memset(wb, 0, sizeof(*wb));
}

int
writer_put(FILE *out, const void *s, size_t n, struct fk_err *e)
{
	if (n > 0 && fwrite(s, 1, n, out) != n)
		return fk_fail(e, FK_EX_IOERR, "cannot write output: %s",
		    strerror(errno));
	return 0;
}

int
wbatch_put(FILE *out, const struct wbatch *wb, size_t n,
    struct fk_err *e)
{
	if (n == 0)
		return 0;
	return writer_put(out, wb->out.p, wb->end[n - 1], e);
}

jv
writer_schema_json(const struct schema *s, const unsigned char *widen,
    struct fk_err *e)
{
	(void)e;
	return schema_json(s, widen);
}
