/*
 * parquet.c: fk-shape's Parquet writer (see parquet.h): the columns of
 * each row group, fed rows that shred.c shredded, and the footer.
 *
 * Facts used (parquet-format): a file is "PAR1", the column chunks of
 * each row group in schema order, the FileMetaData struct in Thrift
 * compact protocol, its length as 4 little-endian bytes, and "PAR1".  The
 * schema is a depth-first list of SchemaElements under a root.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "parquet.h"
#include "pq_col.h"
#include "pq_plan.h"
#include "shred.h"
#include "thrift.h"

#define PQ_MAGIC "PAR1"

enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };

/* ConvertedType values, for readers that predate LogicalType. */
enum {
	PQ_CT_UTF8 = 0, PQ_CT_LIST = 3, PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6,
	PQ_CT_TIME_MICROS = 8, PQ_CT_TIMESTAMP_MICROS = 10, PQ_CT_JSON = 19
};

#define PQ_SCALE 9		/* BigQuery NUMERIC: DECIMAL(38, 9) */
#define PQ_PRECISION 38

/*
 * A row group: its rows, counted when its last row is admitted, and its
 * chunks, one per column, each sealed by whichever thread has the
 * column when the group's last row goes in.
 */
struct pq_rg {
	struct pqc_chunk *ch;
	size_t nsealed;
	int64_t rows;
	int closed;		/* its last row is admitted */
};

/*
 * A thread's hands on the run: its shredder and compressor, its batch's
 * rows shredded, a stream per column, and what it admitted.  A worker
 * has one (the format's enc); so has the writer, for pq_write and the
 * last row group.
 */
struct pq_hand {
	size_t ncols;
	struct shred *x;
	struct pqz z;
	struct fk_buf scratch;	/* page assembly */
	struct fk_buf *cols;	/* the batch's stream of each column */
	size_t *size;		/* row i's bytes, all streams */
	size_t rows, cap;	/* rows shredded; room in size */
	/* The batch admitted: its first n rows. */
	size_t n;
	int owed;		/* it admitted a batch to build */
	long long seq;		/* in admission order */
	size_t rg0;		/* the row group of its first row */
	size_t *cut;		/* rows after which a group ends, ascending */
	size_t ncut, cutcap;
	unsigned char *todo;	/* columns not yet taken to build */
	size_t left, busy;	/* columns not yet taken; being built */
};

struct pq {
	struct pqc_sink out;
	struct pq_plan *p;		/* the columns, read by the workers */
	const char *codec;	/* o->codec, for each thread's hands */
	struct pq_col *cols;
	size_t ncols;
	size_t rg_bytes;
	struct pq_hand *own;		/* the writer thread's hands */

	pthread_mutex_t mu;	/* what follows, between the threads */
	pthread_cond_t cv;	/* a column moved on */
	long long *next;	/* column c takes batch next[c] (admission order) */
	long long admitted;	/* batches admitted */
	size_t acc;		/* the open group's bytes so far, shredded */
	int64_t open_rows;	/* its rows */
	size_t open;		/* its number */
	struct pq_rg *q;	/* groups from q0 not yet written */
	size_t q0, nq, qcap;
	struct pq_hand **act;	/* hands whose batch is being built */
	size_t nact, actcap;
	int broken;		/* a column failed: no more pages */
	struct fk_err err;	/* why */

	int64_t rows;
	struct fk_buf rgs;	/* RowGroup structs of the footer so far */
	size_t nrg;
	int failed;
};

static void
rg_free(struct pq_rg *g, size_t ncols)
{
	size_t i;

	for (i = 0; g->ch != NULL && i < ncols; i++)
		pqc_chunk_free(&g->ch[i]);
	free(g->ch);
}

static void
pq_destroy(struct pq *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; w->cols != NULL && i < w->ncols; i++)
		pqc_free(&w->cols[i]);
	for (i = 0; i < w->nq; i++)
		rg_free(&w->q[i], w->ncols);
	free(w->q);
	free(w->act);
	free(w->cols);
	free(w->next);
	pq_hand_free(w->own);
	shred_plan_free(w->p);
	fk_buf_free(&w->rgs);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

struct pq *
pq_new(const struct schema *s, const struct pq_opts *o, struct fk_err *e)
{
	static const struct pq_opts defaults;
	const struct pq_leaf *l;
	struct pq *w;
	size_t i;

	if (o == NULL)
		o = &defaults;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->p = shred_plan_new(s, o->no_dict, e);
	if (w->p == NULL)
		goto fail;
	w->codec = o->codec;
	w->rg_bytes = o->row_group_bytes ? o->row_group_bytes :
	    PQ_ROW_GROUP_BYTES;
	w->ncols = w->p->ncols;
	w->cols = calloc(w->ncols, sizeof(*w->cols));
	w->next = calloc(w->ncols, sizeof(*w->next));
	if (w->cols == NULL || w->next == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto fail;
	}
	for (i = 0; i < w->ncols; i++) {
		l = &w->p->cols[i];
		w->cols[i].path = l->path;
		w->cols[i].npath = l->npath;
		w->cols[i].page_bytes = o->page_bytes ? o->page_bytes :
		    PQ_PAGE_BYTES;
		pqc_init(&w->cols[i], l->ptype, l->tlen, l->max_def,
		    l->max_rep, l->dict);
	}
	/* Made now, so that a bad --compression is a usage error now. */
	if ((w->own = pq_hand_new(w, e)) == NULL)
		goto fail;
	return w;
fail:
	pq_destroy(w);
	return NULL;
}

int
pq_start(struct pq *w, FILE *out, struct fk_err *e)
{
	w->out.f = out;
	return pqc_sink_write(&w->out, PQ_MAGIC, 4, e);
}

struct pq *
pq_open(FILE *out, const struct schema *s, const struct pq_opts *o,
    struct fk_err *e)
{
	struct pq *w = pq_new(s, o, e);

	if (w != NULL && pq_start(w, out, e) == -1) {
		pq_destroy(w);
		return NULL;
	}
	return w;
}

/* ---- a thread's hands ------------------------------------------------ */

void
pq_hand_free(void *hand)
{
	struct pq_hand *h = hand;
	size_t c;

	if (h == NULL)
		return;
	shred_free(h->x);
	pqz_free(&h->z);
	fk_buf_free(&h->scratch);
	for (c = 0; h->cols != NULL && c < h->ncols; c++)
		fk_buf_free(&h->cols[c]);
	free(h->cols);
	free(h->size);
	free(h->cut);
	free(h->todo);
	free(h);
}

struct pq_hand *
pq_hand_new(const struct pq *w, struct fk_err *e)
{
	struct pq_hand *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	h->ncols = w->ncols;
	if (pqz_init(&h->z, w->codec, e) == -1)
		goto fail;
	h->x = shred_new(w->p);
	h->cols = calloc(w->ncols + 1, sizeof(*h->cols));
	h->todo = calloc(w->ncols + 1, 1);
	if (h->x == NULL || h->cols == NULL || h->todo == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto fail;
	}
	return h;
fail:
	pq_hand_free(h);
	return NULL;
}

/* Room for row i's size. */
static int
hand_grow(struct pq_hand *h, size_t i)
{
	size_t nc = h->cap ? h->cap : 256, *sz;

	while (nc <= i)
		nc *= 2;
	if ((sz = realloc(h->size, nc * sizeof(*sz))) == NULL)
		return -1;
	h->size = sz;
	h->cap = nc;
	return 0;
}

/*
 * Before row i: row 0 begins a batch, and the rows come in order.  A row
 * is never shredded twice: one that fails fails the run (encode's -1),
 * and Parquet never refuses a row, so the pipeline takes none back.
 */
static int
hand_begin(struct pq_hand *h, size_t i, struct fk_err *e)
{
	size_t c;

	if (i == 0) {
		for (c = 0; c < h->ncols; c++)
			fk_buf_reset(&h->cols[c]);
		h->rows = 0;
	}
	if (i != h->rows)
		return fk_fail(e, FK_EX_SOFTWARE, "parquet: row %zu shredded "
		    "out of turn (a bug)", i);
	if (i >= h->cap && hand_grow(h, i) == -1)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}

/* After row i: its size, when it went in. */
static int
hand_end(struct pq_hand *h, size_t i, int rc)
{
	if (rc == 0) {
		h->size[i] = shred_bytes(h->x);
		h->rows = i + 1;
	}
	return rc;
}

int
pq_hand_row(struct pq_hand *h, jv row, size_t i, struct fk_err *e)
{
	if (hand_begin(h, i, e) == -1)
		return -1;
	return hand_end(h, i, shred_row(h->x, row, h->cols, e));
}

int
pq_hand_flat(struct pq_hand *h, const struct flat_val *v, size_t i,
    struct fk_err *e)
{
	if (hand_begin(h, i, e) == -1)
		return -1;
	return hand_end(h, i, shred_flat(h->x, v, h->cols, e));
}

/* ---- admitting rows: which row group each goes in --------------------- */

/* A failure that leaves the columns out of step; lock held. */
static void
broke(struct pq *w, const struct fk_err *e)
{
	if (!w->broken)
		w->err = *e;
	w->broken = 1;
}

/* The group being filled has its place in the queue; lock held. */
static int
rg_open(struct pq *w)
{
	struct pq_rg *q;
	size_t nc;

	if (w->open < w->q0 + w->nq)
		return 0;
	if (w->nq == w->qcap) {
		nc = w->qcap ? 2 * w->qcap : 4;
		if ((q = realloc(w->q, nc * sizeof(*q))) == NULL)
			return -1;
		w->q = q;
		w->qcap = nc;
	}
	memset(&w->q[w->nq], 0, sizeof(*w->q));
	w->q[w->nq].ch = calloc(w->ncols + 1, sizeof(*w->q[w->nq].ch));
	if (w->q[w->nq].ch == NULL)
		return -1;
	w->nq++;
	return 0;
}

/* The group's last row is row - 1 of h's batch: the next opens. */
static int
rg_close(struct pq *w, struct pq_hand *h, size_t row)
{
	struct pq_rg *g = &w->q[w->open - w->q0];
	size_t *p, nc;

	if (h->ncut == h->cutcap) {
		nc = h->cutcap ? 2 * h->cutcap : 8;
		if ((p = realloc(h->cut, nc * sizeof(*p))) == NULL)
			return -1;
		h->cut = p;
		h->cutcap = nc;
	}
	h->cut[h->ncut++] = row;
	g->rows = w->open_rows;
	g->closed = 1;
	w->open++;
	w->acc = 0;
	w->open_rows = 0;
	return rg_open(w);
}

/*
 * A row group ends at the first row where its rows' shredded bytes
 * reach rg_bytes.  Those bytes are the values PLAIN, a byte a level and
 * a length per string: known when the row was shredded, so the cuts fall
 * in the same places at every -j.
 */
int
pq_admit(struct pq *w, struct pq_hand *h, size_t n, int last,
    struct fk_err *e)
{
	size_t i;
	int rc = 0;

	h->n = n;
	h->ncut = 0;
	h->owed = 0;
	pthread_mutex_lock(&w->mu);
	if (n == 0 && (!last || w->open_rows == 0)) {
		pthread_mutex_unlock(&w->mu);
		return 0;
	}
	h->seq = w->admitted++;
	h->owed = 1;
	h->rg0 = w->open;
	if (rg_open(w) == -1)
		rc = -1;
	for (i = 0; i < n && rc == 0; i++) {
		w->acc += h->size[i];
		w->open_rows++;
		if (w->acc >= w->rg_bytes && rg_close(w, h, i + 1) == -1)
			rc = -1;
	}
	/* After the last rows the open group ends here, on the workers. */
	if (rc == 0 && last && w->open_rows > 0 && rg_close(w, h, n) == -1)
		rc = -1;
	w->rows += (int64_t)n;
	if (rc == -1) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		broke(w, e);
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* ---- building the admitted rows' pages ---------------------------------- */

struct pq_in {
	const unsigned char *p, *end;
	int bad;		/* ran past the end */
};

static const unsigned char *
take(struct pq_in *in, size_t n)
{
	const unsigned char *p = in->p;

	if ((size_t)(in->end - in->p) < n) {
		in->bad = 1;
		return NULL;
	}
	in->p += n;
	return p;
}

static uint32_t
take_u32(struct pq_in *in)
{
	const unsigned char *p = take(in, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * One entry of column c (leaf l): its levels, and its value if present.
 * Read with one bound check per part: this runs for every value.
 */
static void
add_entry(const struct pq_leaf *l, struct pq_col *c, struct pq_in *in)
{
	const unsigned char *p = in->p, *v;
	size_t n, left = (size_t)(in->end - p);
	int rep = 0, def = 0;

	if (left < (size_t)(l->max_rep > 0) + (l->max_def > 0))
		goto bad;
	if (l->max_rep > 0)
		rep = *p++;
	if (l->max_def > 0)
		def = *p++;
	if (def < l->max_def) {
		in->p = p;
		pqc_null(c, rep, def);
		return;
	}
	left = (size_t)(in->end - p);
	n = (size_t)l->tlen;
	if (l->ptype == PQT_BYTE_ARRAY) {
		if (left < 4)
			goto bad;
		n = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
		    (size_t)p[3] << 24;
		p += 4;
		left -= 4;
	}
	if (left < n)
		goto bad;
	v = p;
	in->p = p + n;
	if (l->ptype == PQT_BOOLEAN)
		pqc_bool(c, rep, v[0]);
	else
		pqc_value(c, rep, v, n);
	return;
bad:
	in->bad = 1;
}

/* Column c's entries of the next row, from its stream. */
static int
add_row(struct pq *w, size_t c, struct pq_in *in)
{
	const struct pq_leaf *l = &w->p->cols[c];
	size_t k, count = l->max_rep > 0 ? take_u32(in) : 1;

	for (k = 0; k < count && !in->bad; k++)
		add_entry(l, &w->cols[c], in);
	return in->bad ? -1 : 0;
}

/*
 * Column c through h's batch, with t's compressor (t is the hands of
 * the thread at work): its pages, and its chunk sealed where a row group
 * ends.  The column is this thread's alone meanwhile; the group's place
 * in the queue is not.
 */
static int
build_column(struct pq *w, const struct pq_hand *h, struct pq_hand *t,
    size_t c, struct fk_err *e)
{
	struct pq_col *col = &w->cols[c];
	struct pqc_chunk done;
	struct pq_in in;
	size_t r, k = 0, g = h->rg0;

	col->z = &t->z;
	col->scratch = &t->scratch;
	/* A batch of no rows (the last, to seal) may have no stream yet. */
	in.p = (const unsigned char *)(h->cols[c].p != NULL ?
	    h->cols[c].p : "");
	in.end = in.p + h->cols[c].len;
	in.bad = 0;
	for (r = 0;; r++) {
		/* A group ends before row r (after the batch's last row too). */
		while (k < h->ncut && h->cut[k] == r) {
			if (pqc_chunk_seal(col, &done, e) == -1)
				return -1;
			pthread_mutex_lock(&w->mu);
			w->q[g - w->q0].ch[c] = done;
			w->q[g - w->q0].nsealed++;
			pthread_mutex_unlock(&w->mu);
			k++;
			g++;
		}
		if (r == h->n)
			return 0;
		if (add_row(w, c, &in) == -1)
			return fk_fail(e, FK_EX_SOFTWARE, "parquet: shredded "
			    "rows out of step (a bug)");
		if (pqc_row_end(col, e) == -1)
			return -1;
	}
}

#define PQ_NONE ((size_t)-1)

/*
 * A column whose turn is h's batch, not yet taken: the first, or the
 * last (where a helper starts, to meet the owner halfway).  Lock held.
 */
static size_t
ready(const struct pq *w, const struct pq_hand *h, int last)
{
	size_t i, c;

	for (i = 0; i < w->ncols; i++) {
		c = last ? w->ncols - 1 - i : i;
		if (h->todo[c] && w->next[c] == h->seq)
			return c;
	}
	return PQ_NONE;
}

/* The oldest batch before h's with a column ready: help it. */
static struct pq_hand *
victim(const struct pq *w, const struct pq_hand *h, size_t *c)
{
	struct pq_hand *v, *best = NULL;
	size_t i, k;

	for (i = 0; i < w->nact; i++) {
		v = w->act[i];
		if (v->seq >= h->seq || (best != NULL && v->seq > best->seq))
			continue;
		if ((k = ready(w, v, 1)) != PQ_NONE) {
			best = v;
			*c = k;
		}
	}
	return best;
}

/* h's batch is being built: others may help (no room: they do not). */
static void
act_add(struct pq *w, struct pq_hand *h)
{
	struct pq_hand **a;
	size_t nc;

	if (w->nact == w->actcap) {
		nc = w->actcap ? 2 * w->actcap : 8;
		if ((a = realloc(w->act, nc * sizeof(*a))) == NULL)
			return;
		w->act = a;
		w->actcap = nc;
	}
	w->act[w->nact++] = h;
}

static void
act_remove(struct pq *w, const struct pq_hand *h)
{
	size_t i;

	for (i = 0; i < w->nact; i++)
		if (w->act[i] == h) {
			w->act[i] = w->act[--w->nact];
			return;
		}
}

/*
 * Each column takes the batches in admission order, so its dictionary,
 * pages and chunks come out the same whichever threads build them;
 * different columns go forward at once.  A thread with no column of its
 * own batch ready builds one of an older batch's (it would only wait
 * for it), from the last column down, while that batch's own thread
 * goes up.  A batch is built when each of its columns is, by whoever
 * took it.  A column that fails breaks the run, but the others still
 * pass the batch on, so that no thread waits for ever.
 */
int
pq_build(struct pq *w, struct pq_hand *h, struct fk_err *e)
{
	struct pq_hand *v;
	struct fk_err err;
	size_t c;
	int rc = 0, skip, r;

	if (!h->owed)
		return 0;
	h->owed = 0;
	memset(h->todo, 1, w->ncols);
	pthread_mutex_lock(&w->mu);
	h->left = w->ncols;
	h->busy = 0;
	act_add(w, h);
	while (h->left > 0 || h->busy > 0) {
		v = h;
		if ((c = ready(w, h, 0)) == PQ_NONE &&
		    (v = victim(w, h, &c)) == NULL) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		v->todo[c] = 0;
		v->left--;
		v->busy++;
		skip = w->broken;	/* the run failed: only pass it on */
		pthread_mutex_unlock(&w->mu);
		r = skip ? 0 : build_column(w, v, h, c, &err);
		pthread_mutex_lock(&w->mu);
		if (r == -1) {
			broke(w, &err);
			*e = err;
			rc = -1;
		}
		v->busy--;
		w->next[c]++;
		pthread_cond_broadcast(&w->cv);
	}
	act_remove(w, h);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* ---- writing row groups, in order ------------------------------------- */

static int
rg_write(struct pq *w, struct pq_rg *g, struct fk_err *e)
{
	uint64_t start = w->out.off;
	int64_t usize = 0, csize = 0;
	struct thrift t;
	size_t i;
	int rc = -1;

	thrift_init(&t, &w->rgs);
	thrift_begin(&t);
	thrift_list(&t, 1, THRIFT_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++) {
		usize += g->ch[i].usize;
		csize += g->ch[i].csize;
		if (pqc_chunk_put(&w->cols[i], &g->ch[i], w->own->z.codec,
		    &w->out, &t, e) == -1)
			goto out;
	}
	thrift_i64(&t, 2, usize);
	thrift_i64(&t, 3, g->rows);
	thrift_i64(&t, 5, (int64_t)start);
	thrift_i64(&t, 6, csize);
	if (w->nrg <= INT16_MAX)
		thrift_i16(&t, 7, (int16_t)w->nrg);
	thrift_end(&t);
	if (thrift_failed(&t)) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	w->nrg++;
	rc = 0;
out:
	rg_free(g, w->ncols);
	return rc;
}

/* Write the groups at the head of the queue that all columns sealed. */
static int
rg_drain(struct pq *w, struct fk_err *e)
{
	struct pq_rg g;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		if (w->broken) {
			*e = w->err;
			pthread_mutex_unlock(&w->mu);
			return -1;
		}
		if (w->nq == 0 || !w->q[0].closed ||
		    w->q[0].nsealed < w->ncols) {
			pthread_mutex_unlock(&w->mu);
			return 0;
		}
		g = w->q[0];
		memmove(w->q, w->q + 1, (w->nq - 1) * sizeof(*w->q));
		w->nq--;
		w->q0++;
		pthread_mutex_unlock(&w->mu);
		if (rg_write(w, &g, e) == -1)
			return -1;
	}
}

int
pq_flush(struct pq *w, struct fk_err *e)
{
	if (w->failed)
		return fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer used after an error");
	if (rg_drain(w, e) == -1) {
		w->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * After the last batch is built: a group still open (rows written with
 * pq_write, or admitted without last) ends here, on the writer's hands,
 * as the last batch would end it.
 */
static int
rg_last(struct pq *w, struct fk_err *e)
{
	int rc;

	rc = pq_admit(w, w->own, 0, 1, e);
	if (pq_build(w, w->own, e) == -1)
		rc = -1;
	return rc == -1 ? -1 : rg_drain(w, e);
}

int
pq_write(struct pq *w, jv row, struct fk_err *e)
{
	int rc = -1;

	if (w->failed) {
		fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer used after an error");
		goto out;
	}
	if (pq_hand_row(w->own, row, 0, e) == -1)
		goto out;
	rc = pq_admit(w, w->own, 1, 0, e);
	if (pq_build(w, w->own, e) == -1)
		rc = -1;
	if (rc == 0)
		rc = rg_drain(w, e);
out:
	if (rc == -1)
		w->failed = 1;
	jv_free(row);
	return rc;
}

/* The footer. */

static void
logical_unit(struct thrift *t, int16_t id, int utc)
{
	thrift_struct(t, id);		/* TimeType / TimestampType */
	thrift_bool(t, 1, utc);		/* isAdjustedToUTC */
	thrift_struct(t, 2);		/* unit: TimeUnit */
	thrift_struct(t, 2);		/* MICROS */
	thrift_end(t);
	thrift_end(t);
	thrift_end(t);
}

/* converted_type (6), scale/precision (7, 8), logicalType (10). */
static void
leaf_annotation(struct thrift *t, enum schema_type type)
{
	static const int ct[] = {
		[SCHEMA_STRING] = PQ_CT_UTF8, [SCHEMA_NUMERIC] = PQ_CT_DECIMAL,
		[SCHEMA_DATE] = PQ_CT_DATE, [SCHEMA_TIME] = PQ_CT_TIME_MICROS,
		[SCHEMA_DATETIME] = PQ_CT_TIMESTAMP_MICROS,
		[SCHEMA_TIMESTAMP] = PQ_CT_TIMESTAMP_MICROS,
		[SCHEMA_JSON] = PQ_CT_JSON,
	};

	switch (type) {
	case SCHEMA_STRING: case SCHEMA_NUMERIC: case SCHEMA_DATE:
	case SCHEMA_TIME: case SCHEMA_DATETIME: case SCHEMA_TIMESTAMP:
	case SCHEMA_JSON:
		break;
	default:
		return;
	}
	thrift_i32(t, 6, ct[type]);
	if (type == SCHEMA_NUMERIC) {
		thrift_i32(t, 7, PQ_SCALE);
		thrift_i32(t, 8, PQ_PRECISION);
	}
	thrift_struct(t, 10);
	switch (type) {
	case SCHEMA_STRING:
		thrift_struct(t, 1);
		thrift_end(t);
		break;
	case SCHEMA_NUMERIC:
		thrift_struct(t, 5);
		thrift_i32(t, 1, PQ_SCALE);
		thrift_i32(t, 2, PQ_PRECISION);
		thrift_end(t);
		break;
	case SCHEMA_DATE:
		thrift_struct(t, 6);
		thrift_end(t);
		break;
	case SCHEMA_TIME:
		logical_unit(t, 7, 0);
		break;
	case SCHEMA_DATETIME:
		logical_unit(t, 8, 0);
		break;
	case SCHEMA_TIMESTAMP:
		logical_unit(t, 8, 1);
		break;
	default:	/* JSON */
		thrift_struct(t, 12);
		thrift_end(t);
		break;
	}
	thrift_end(t);
}

static void
se_group(struct thrift *t, const char *name, int repetition, size_t nkids,
    int list)
{
	thrift_begin(t);
	thrift_i32(t, 3, repetition);
	thrift_str(t, 4, name);
	thrift_i32(t, 5, (int32_t)nkids);
	if (list) {
		thrift_i32(t, 6, PQ_CT_LIST);
		thrift_struct(t, 10);
		thrift_struct(t, 3);
		thrift_end(t);
		thrift_end(t);
	}
	thrift_end(t);
}

static void se_fields(struct thrift *, const struct schema_field *, size_t);

/* One field's element (or group and children), named name. */
static void
se_element(struct thrift *t, const struct schema_field *f, const char *name,
    int repetition)
{
	int tlen, ptype = shred_ptype(f->type, &tlen);

	if (f->type == SCHEMA_RECORD) {
		se_group(t, name, repetition, f->nfields, 0);
		se_fields(t, f->fields, f->nfields);
		return;
	}
	thrift_begin(t);
	thrift_i32(t, 1, ptype);
	if (f->type == SCHEMA_NUMERIC)
		thrift_i32(t, 2, tlen);
	thrift_i32(t, 3, repetition);
	thrift_str(t, 4, name);
	leaf_annotation(t, f->type);
	thrift_end(t);
}

static void
se_fields(struct thrift *t, const struct schema_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].mode != SCHEMA_REPEATED) {
			se_element(t, &f[i], f[i].name,
			    f[i].mode == SCHEMA_NULLABLE ? PQ_OPTIONAL :
			    PQ_REQUIRED);
			continue;
		}
		/* BigQuery arrays have no null: a required list of required. */
		se_group(t, f[i].name, PQ_REQUIRED, 1, 1);
		se_group(t, "list", PQ_REPEATED, 1, 0);
		se_element(t, &f[i], "element", PQ_REQUIRED);
	}
}

static size_t
se_count(const struct schema_field *f, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		count += f[i].mode == SCHEMA_REPEATED ? 3 : 1;
		if (f[i].type == SCHEMA_RECORD)
			count += se_count(f[i].fields, f[i].nfields);
	}
	return count;
}

static void
footer(struct pq *w, struct thrift *t)
{
	const struct schema *s = w->p->s;
	size_t i;

	thrift_begin(t);
	thrift_i32(t, 1, 1);			/* version */
	thrift_list(t, 2, THRIFT_STRUCT, 1 + se_count(s->fields,
	    s->nfields));
	thrift_begin(t);				/* the root */
	thrift_str(t, 4, "schema");
	thrift_i32(t, 5, (int32_t)s->nfields);
	thrift_end(t);
	se_fields(t, s->fields, s->nfields);
	thrift_i64(t, 3, w->rows);
	thrift_list(t, 4, THRIFT_STRUCT, w->nrg);
	thrift_raw(t, w->rgs.p, w->rgs.len);
	thrift_str(t, 6, "fk-shape version " FK_VERSION);
	thrift_list(t, 7, THRIFT_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++) {
		thrift_begin(t);			/* ColumnOrder */
		thrift_struct(t, 1);		/* TYPE_ORDER */
		thrift_end(t);
		thrift_end(t);
	}
	thrift_end(t);
}

static int
finish(struct pq *w, struct fk_err *e)
{
	struct fk_buf meta = { 0 };
	unsigned char len[4];
	struct thrift t;
	int rc = -1;

	if (rg_last(w, e) == -1)
		return -1;
	thrift_init(&t, &meta);
	footer(w, &t);
	if (thrift_failed(&t) || meta.len > UINT32_MAX) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	put_le(len, meta.len, 4);
	if (pqc_sink_write(&w->out, meta.p, meta.len, e) == -1 ||
	    pqc_sink_write(&w->out, len, 4, e) == -1 ||
	    pqc_sink_write(&w->out, PQ_MAGIC, 4, e) == -1)
		goto out;
	rc = 0;
out:
	fk_buf_free(&meta);
	return rc;
}

int
pq_finish(struct pq *w, struct fk_err *e)
{
	if (w->failed)
		return fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer closed after an error");
	return finish(w, e);
}

int
pq_close(struct pq *w, struct fk_err *e)
{
	int rc = pq_finish(w, e);

	pq_destroy(w);
	return rc;
}

void
pq_abort(struct pq *w)
{
	pq_destroy(w);
}
