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
	const struct fk_writer *w;
} names[] = {
	{ "ndjson", &fk_writer_ndjson },
	{ "json", &fk_writer_ndjson },
	{ "csv", &fk_writer_csv },
	{ "avro", &fk_writer_avro },
	{ "parquet", &fk_writer_parquet },
};

const struct fk_writer *
fk_writer_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].w;
	return NULL;
}

int
fk_wbatch_end_row(struct fk_wbatch *wb)
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
fk_wbatch_undo(struct fk_wbatch *wb, size_t before)
{
	wb->out.len = before;
}

void
fk_wbatch_clear(struct fk_wbatch *wb)
{
	wb->n = 0;
	wb->nl = 0;
	fk_buf_reset(&wb->out);
}

void
fk_wbatch_free(struct fk_wbatch *wb)
{
	fk_wbatch_clear(wb);
	free(wb->end);
	fk_buf_free(&wb->out);
	memset(wb, 0, sizeof(*wb));
}

int
fk_writer_put(FILE *out, const void *s, size_t n, struct fk_err *e)
{
	if (n > 0 && fwrite(s, 1, n, out) != n)
		return fk_fail(e, FK_EX_IOERR, "cannot write output: %s",
		    strerror(errno));
	return 0;
}

int
fk_wbatch_put(FILE *out, const struct fk_wbatch *wb, size_t n,
    struct fk_err *e)
{
	if (n == 0)
		return 0;
	return fk_writer_put(out, wb->out.p, wb->end[n - 1], e);
}

jv
fk_writer_schema_json(const struct fk_schema *s, const unsigned char *widen,
    struct fk_err *e)
{
	(void)e;
	return fk_schema_json(s, widen);
}
