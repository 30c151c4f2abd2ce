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
	const struct fk_schema *s;
	struct fk_pq_opts o;
	struct fk_pq *w;
};

static void *
pq_setup(const struct fk_schema *s, const struct fk_wopts *o,
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
pq_release(void *run)
{
	struct pq_run *r = run;

	if (r == NULL)
		return;
	fk_pq_abort(r->w);
	free(r);
}

static int
pq_encode(const void *run, void **enc, jv row, struct fk_wbatch *wb,
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
	if (fk_wbatch_end_row(wb) == -1)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	wb->rows[wb->n - 1] = fk_json_isolate(jv_copy(row));
	return 0;
}

static void
pq_enc_free(void *enc)
{
	(void)enc;
}

static int
pq_begin(void *run, FILE *out, struct fk_err *e)
{
	struct pq_run *r = run;

	r->w = fk_pq_open(out, r->s, &r->o, e);
	return r->w == NULL ? -1 : 0;
}

static int
pq_flush(void *run, FILE *out, struct fk_wbatch *wb, size_t n,
    struct fk_err *e)
{
	struct pq_run *r = run;
	size_t i;
	int rc;

	(void)out;
	for (i = 0; i < n; i++) {
		rc = fk_pq_write(r->w, wb->rows[i], e);
		wb->rows[i] = jv_invalid();
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
pq_end(void *run, FILE *out, struct fk_err *e)
{
	struct pq_run *r = run;
	int rc;

	(void)out;
	rc = fk_pq_close(r->w, e);
	r->w = NULL;
	return rc;
}

static void
pq_abort(void *run)
{
	struct pq_run *r = run;

	fk_pq_abort(r->w);
	r->w = NULL;
}

static void
pq_flags(char *buf, size_t n, const char *schema, int newlines)
{
	(void)schema;
	(void)newlines;
	snprintf(buf, n, "--source_format=PARQUET "
	    "--parquet_enable_list_inference");
}

const struct fk_writer fk_writer_parquet = {
	.name = "parquet",
	.label = "Parquet",
	.flags = FK_W_NEEDS_SCHEMA | FK_W_JV_ROWS,
	.takes = FK_WO_PARQUET,
	.setup = pq_setup,
	.release = pq_release,
	.encode = pq_encode,
	.enc_free = pq_enc_free,
	.begin = pq_begin,
	.flush = pq_flush,
	.end = pq_end,
	.abort = pq_abort,
	.schema_json = fk_writer_schema_json,
	.bq_flags = pq_flags,
};
