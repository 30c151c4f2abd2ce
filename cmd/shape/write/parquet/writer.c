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
#include "shape/write/parquet/parquet.h"
#include "shape/write/parquet/shred.h"
#include "shape/write/writer.h"

/* The run is the file's writer: made with the schema, started at begin. */
static void *
pq_w_setup(const struct schema *s, const struct writer_opts *o,
    struct fk_err *e)
{
	return pq_new(s, &o->pq, e);
}

static void
pq_w_release(void *run)
{
	pq_abort(run);
}

/* On a worker: the row's shredded bytes are its output. */
static int
pq_w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	if (*enc == NULL && (*enc = shred_new(pq_plan(run))) == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	if (shred_row(*enc, row, &wb->out, e) == -1) {
		wbatch_undo(wb);
		return -1;
	}
	return wbatch_end_row(wb, e);
}

static int
pq_w_encode_flat(const void *run, void **enc, const struct flat_val *v,
    struct wbatch *wb, struct fk_err *e)
{
	if (*enc == NULL && (*enc = shred_new(pq_plan(run))) == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	if (shred_flat(*enc, v, &wb->out, e) == -1) {
		wbatch_undo(wb);
		return -1;
	}
	return wbatch_end_row(wb, e);
}

static int
pq_w_begin(void *run, FILE *out, struct fk_err *e)
{
	return pq_start(run, out, e);
}

/* The rows' bytes go to the columns together, in one call. */
static int
pq_w_flush(void *run, FILE *out, struct wbatch *wb, size_t n,
    struct fk_err *e)
{
	(void)out;
	if (n == 0)
		return 0;
	return pq_add(run, wb->out.p, wb->end[n - 1], n, e);
}

static int
pq_w_end(void *run, FILE *out, struct fk_err *e)
{
	(void)out;
	return pq_finish(run, e);
}

const struct writer pq_writer = {
	.name = "parquet", .label = "Parquet",
	.bq = "--source_format=PARQUET --parquet_enable_list_inference",
	.flags = WRITER_NEEDS_SCHEMA | WRITER_TAKES_PARQUET,
	/* on the workers, around the run, on the writer thread */
	.encode = pq_w_encode,
	.encode_flat = pq_w_encode_flat, .enc_free = shred_free,
	.setup = pq_w_setup, .release = pq_w_release,
	.begin = pq_w_begin, .flush = pq_w_flush, .end = pq_w_end,
};
