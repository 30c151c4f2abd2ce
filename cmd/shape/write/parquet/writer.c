/*
 * writer.c: -o parquet's entry in the writer table (see ../writer.h).
 *
 * The workers do it all but the writing.  Each shreds its batch's rows
 * into flat bytes, a stream per column (shred.c, the format in
 * pq_plan.h): levels and PLAIN values (base64, dates, decimals
 * decoded), so no jv crosses a thread.  Then it admits the batch, in
 * input order, which decides where the row groups end; and builds it:
 * each column's dictionary, pages (levels and indices encoded,
 * compressed) and, where a group ends, its sealed chunk (parquet.c); the
 * last batch ends the last group.  The writer thread writes the groups
 * whose chunks are all sealed, in order, and the footer.
 *
 * Why the output is the same bytes at every -j: a page's content
 * depends on every row before it in its row group (the dictionary's
 * entry numbers, where it falls back to PLAIN, where the page fills),
 * so each column takes the batches strictly in admission order;
 * different columns go forward at once, on different workers.  A group
 * ends where its rows' shredded bytes reach --row-group-size, which is
 * known when the batch is admitted.
 */
#include "shape/write/parquet/parquet.h"
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

/* A worker's enc is its hands on the run (parquet.h). */
static int
hands(const void *run, void **enc, struct fk_err *e)
{
	if (*enc == NULL && (*enc = pq_hand_new(run, e)) == NULL)
		return -1;
	return 0;
}

/*
 * On a worker: the row's shredded bytes go to the hands' column
 * streams, not to wb->out, which only counts the rows.
 */
static int
pq_w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	if (hands(run, enc, e) == -1)
		return -1;
	if (pq_hand_row(*enc, row, wb->n, e) == -1)
		return -1;
	return wbatch_end_row(wb, e);
}

static int
pq_w_encode_flat(const void *run, void **enc, const struct flat_val *v,
    struct wbatch *wb, struct fk_err *e)
{
	if (hands(run, enc, e) == -1)
		return -1;
	if (pq_hand_flat(*enc, v, wb->n, e) == -1)
		return -1;
	return wbatch_end_row(wb, e);
}

/* Hands even for a batch of no rows: the last one seals the open group. */
static int
pq_w_admit(void *run, void **enc, struct wbatch *wb, size_t n, int last,
    struct fk_err *e)
{
	(void)wb;
	if (hands(run, enc, e) == -1)
		return -1;
	return pq_admit(run, *enc, n, last, e);
}

static int
pq_w_build(void *run, void *enc, struct fk_err *e)
{
	if (enc == NULL)
		return 0;
	return pq_build(run, enc, e);
}

static int
pq_w_begin(void *run, FILE *out, struct fk_err *e)
{
	return pq_start(run, out, e);
}

/*
 * The batch's rows are in the columns (build): write the groups they
 * ended.  No rows end none (and a run with no schema has no writer).
 */
static int
pq_w_flush(void *run, FILE *out, struct wbatch *wb, size_t n,
    struct fk_err *e)
{
	(void)out;
	(void)wb;
	if (n == 0)
		return 0;
	return pq_flush(run, e);
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
	.encode_flat = pq_w_encode_flat,
	.admit = pq_w_admit, .build = pq_w_build,
	.enc_free = pq_hand_free,
	.setup = pq_w_setup, .release = pq_w_release,
	.begin = pq_w_begin, .flush = pq_w_flush, .end = pq_w_end,
};
