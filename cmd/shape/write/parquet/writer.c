/*
 * writer.c: -o parquet's entry in the writer table (see ../writer.h).
 *
 * The workers shred each canonical row into flat bytes (shred.c, the
 * format in pq_plan.h): levels, PLAIN values (base64, dates, decimals
 * decoded) and dictionary hashes, so no jv crosses a thread.  The writer
 * thread feeds those bytes, in input order, to the columns (parquet.c).
 *
 * Why the pages are not made on the workers too: the output must be the
 * same bytes at every -j, and a page's content depends on every row
 * before it in its row group.  Each column chunk has one dictionary
 * built in row order (entry numbers, the point where it falls back to
 * PLAIN), a page closes at the first row where its encoded size reaches
 * the page size (a size that depends on the dictionary's width), and a
 * row group closes at the first row where all its chunks together reach
 * --row-group-size.  Where a batch's rows fall in pages and row groups
 * is only known once the rows before it are in, so dictionary lookup,
 * level and index encoding, page compression and statistics stay on the
 * writer thread; the workers do everything that depends on a row alone.
 */
#include <stdlib.h>

#include "shape/write/parquet/parquet.h"
#include "shape/write/parquet/shred.h"
#include "shape/write/writer.h"

struct pq_run {
	struct pq_plan *plan;
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
	r->o = o->pq;
	r->plan = shred_plan_new(s, r->o.no_dict, e);
	if (r->plan == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

static void
w_release(void *run)
{
	struct pq_run *r = run;

	if (r == NULL)
		return;
	pq_abort(r->w);
	shred_plan_free(r->plan);
	free(r);
}

/* On a worker: the row's shredded bytes are its output. */
static int
w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	const struct pq_run *r = run;
	size_t before = wb->out.len;

	if (*enc == NULL && (*enc = shred_new(r->plan)) == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	if (shred_row(*enc, row, &wb->out, e) == -1) {
		wbatch_undo(wb, before);
		return -1;
	}
	if (wbatch_end_row(wb) == -1)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}

static void
w_enc_free(void *enc)
{
	shred_free(enc);
}

static int
w_begin(void *run, FILE *out, struct fk_err *e)
{
	struct pq_run *r = run;

	r->w = pq_open_plan(out, r->plan, &r->o, e);
	return r->w == NULL ? -1 : 0;
}

static int
w_flush(void *run, FILE *out, struct wbatch *wb, size_t n,
    struct fk_err *e)
{
	struct pq_run *r = run;

	(void)out;
	if (n == 0)
		return 0;
	return pq_add(r->w, wb->out.p, wb->end[n - 1], n, e);
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
	.flags = WRITER_NEEDS_SCHEMA,
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
