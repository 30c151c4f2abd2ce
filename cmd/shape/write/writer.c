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

void
writer_bq_flags(const struct writer *w, char *buf, size_t n,
    const char *schema, int newlines)
{
	int sch = (w->flags & WRITER_BQ_SCHEMA) != 0;

	snprintf(buf, n, "%s%s%s%s", w->bq,
	    newlines ? " --allow_quoted_newlines" : "",
	    sch ? " --schema=" : "", sch ? schema : "");
}

/* Rows lie end to end in wb->out: the open row starts where the last
 * closed one ends. */
void
wbatch_undo(struct wbatch *wb)
{
	wb->out.len = wb->n > 0 ? wb->end[wb->n - 1] : 0;
}

int
wbatch_end_row(struct wbatch *wb, struct fk_err *e)
{
	size_t nc;
	size_t *np;

	if (wb->n == wb->cap) {
		nc = wb->cap ? 2 * wb->cap : 256;
		np = realloc(wb->end, nc * sizeof(*np));
		if (np == NULL) {
			wbatch_undo(wb);
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		}
		wb->end = np;
		wb->cap = nc;
	}
	wb->end[wb->n++] = wb->out.len;
	return 0;
}

int
wbatch_encode_failed(struct wbatch *wb, struct fk_err *e)
{
	wbatch_undo(wb);
	return fk_fail(e, FK_EX_SOFTWARE, "cannot encode a row (a bug or "
	    "no memory)");
}

void
wbatch_clear(struct wbatch *wb)
{
	wb->n = 0;
	wb->nl = 0;
	wb->sealed_rows = 0;
	fk_buf_reset(&wb->out);
	fk_buf_reset(&wb->sealed);
}

void
wbatch_free(struct wbatch *wb)
{
	wbatch_clear(wb);
	free(wb->end);
	fk_buf_free(&wb->out);
	fk_buf_free(&wb->sealed);
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

/* ---- calling a format: an operation it leaves NULL does the default --- */

void *
writer_setup(const struct writer *w, const struct schema *s,
    const struct writer_opts *o, struct fk_err *e)
{
	/* A format with no state of its own runs on the schema itself. */
	return w->setup != NULL ? w->setup(s, o, e) : (void *)s;
}

void
writer_release(const struct writer *w, void *run)
{
	if (w->release != NULL)
		w->release(run);
}

void
writer_seal(const struct writer *w, const void *run, void *enc,
    struct wbatch *wb)
{
	/* Unsealed, the batch's rows go to flush as encoded. */
	if (w->seal != NULL && wb->n > 0)
		w->seal(run, enc, wb);
}

int
writer_admits(const struct writer *w)
{
	return w->admit != NULL;
}

int
writer_admit(const struct writer *w, void *run, void **enc,
    struct wbatch *wb, size_t n, int last, struct fk_err *e)
{
	return w->admit != NULL ? w->admit(run, enc, wb, n, last, e) : 0;
}

int
writer_build(const struct writer *w, void *run, void *enc,
    struct fk_err *e)
{
	return w->build != NULL ? w->build(run, enc, e) : 0;
}

void
writer_enc_free(const struct writer *w, void *enc)
{
	if (w->enc_free != NULL && enc != NULL)
		w->enc_free(enc);
}

int
writer_begin(const struct writer *w, void *run, FILE *out, struct fk_err *e)
{
	return w->begin != NULL ? w->begin(run, out, e) : 0;
}

int
writer_flush(const struct writer *w, void *run, FILE *out, struct wbatch *wb,
    size_t n, struct fk_err *e)
{
	if (w->flush != NULL)
		return w->flush(run, out, wb, n, e);
	/* The rows' bytes as encoded. */
	return n > 0 ? writer_put(out, wb->out.p, wb->end[n - 1], e) : 0;
}

int
writer_end(const struct writer *w, void *run, FILE *out, struct fk_err *e)
{
	return w->end != NULL ? w->end(run, out, e) : 0;
}

jv
writer_schema(const struct writer *w, const struct schema *s,
    const unsigned char *widen, struct fk_err *e)
{
	if (w->schema_json != NULL)
		return w->schema_json(s, widen, e);
	return schema_json(s, widen);
}
