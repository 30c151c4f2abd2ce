/*
 * writer.c: -o parquet's entry in the writer table (see ../writer.h).
 *
 * The Parquet writer (parquet.c) still shreds, encodes and compresses on
 * the writer thread, so the workers hand it whole canonical rows: each
 * is deep-copied (fk_json_isolate) because jq 1.6's reference counts are
 * not atomic and the row changes threads.
 */
#include <stdlib.h>

#include "json.h"
#include "shape/write/parquet/parquet.h"
#include "shape/write/writer.h"

struct pq_run {
	const struct schema *s;
	struct pq_opts o;
	struct pq *w;
};

static void *
w_setup(const struct schema *s, const struct writer_opts *o,
    struct fk_err *e)
{
	struct pq_run *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	r->s = s;
	r->o = o->pq;
	return r;
}

static void
w_release(void *run)
{
	struct pq_run *r = run;

	if (r == NULL)
		return;
	pq_abort(r->w);
	free(r);
}

static int
w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	size_t nc;
	jv *np;

	(void)run;
	(void)enc;
	if (wb->n == wb->rcap) {
		nc = wb->rcap ? 2 * wb->rcap : 256;
		np = realloc(wb->rows, nc * sizeof(*np));
		if (np == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		wb->rows = np;
		wb->rcap = nc;
	}
	if (wbatch_end_row(wb) == -1)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	wb->rows[wb->n - 1] = fk_json_isolate(jv_copy(row));
	return 0;
}

static void
w_enc_free(void *enc)
{
	(void)enc;
}

static int
w_begin(void *run, FILE *out, struct fk_err *e)
{
	struct pq_run *r = run;

	r->w = pq_open(out, r->s, &r->o, e);
	return r->w == NULL ? -1 : 0;
}

static int
w_flush(void *run, FILE *out, struct wbatch *wb, size_t n,
    struct fk_err *e)
{
	struct pq_run *r = run;
	size_t i;
	int rc;

	(void)out;
	for (i = 0; i < n; i++) {
		rc = pq_write(r->w, wb->rows[i], e);
		wb->rows[i] = jv_invalid();
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
w_end(void *run, FILE *out, struct fk_err *e)
{
	struct pq_run *r = run;
	int rc;

	(void)out;
	rc = pq_close(r->w, e);
	r->w = NULL;
	return rc;
}

static void
w_abort(void *run)
{
	struct pq_run *r = run;

	pq_abort(r->w);
	r->w = NULL;
}

static void
w_flags(char *buf, size_t n, const char *schema, int newlines)
{
	(void)schema;
	(void)newlines;
	snprintf(buf, n, "--source_format=PARQUET "
	    "--parquet_enable_list_inference");
}

const struct writer pq_writer = {
	.name = "parquet",
	.label = "Parquet",
	.flags = WRITER_NEEDS_SCHEMA | WRITER_JV_ROWS,
	.takes = WRITER_TAKES_PARQUET,
	.setup = w_setup,
	.release = w_release,
	.encode = w_encode,
	.enc_free = w_enc_free,
	.begin = w_begin,
	.flush = w_flush,
	.end = w_end,
	.abort = w_abort,
	.schema_json = writer_schema_json,
	.bq_flags = w_flags,
};
