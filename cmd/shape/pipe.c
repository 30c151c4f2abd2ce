/*
 * pipe.c: the ring of batches and the run (see pipe.h and ring.h): the
 * reader (read/reader.c) fills batches, the workers (work.c) take them
 * in turn, and the writer thread (order.c) writes them in order.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/bad.h"
#include "shape/order.h"
#include "shape/pipe.h"
#include "shape/read/reader.h"
#include "shape/ring.h"
#include "shape/work.h"

#define BIG (4 * 1024 * 1024)	/* batch memory kept for reuse */

void
pipe_lock(struct pipe *p)
{
	pthread_mutex_lock(&p->mu);
}

void
pipe_unlock(struct pipe *p)
{
	pthread_mutex_unlock(&p->mu);
}

int
pipe_quitting(struct pipe *p)
{
	return __atomic_load_n(&p->quit, __ATOMIC_RELAXED);
}

void
pipe_quit(struct pipe *p)
{
	__atomic_store_n(&p->quit, 1, __ATOMIC_RELAXED);
}

void
pipe_stop(struct pipe *p)
{
	pipe_lock(p);
	pipe_quit(p);
	pthread_cond_broadcast(&p->cv);
	pipe_unlock(p);
}

/* ---- batches --------------------------------------------------------- */

void
pipe_batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nitems; i++) {
		free(b->items[i].why);
		free(b->items[i].text);
	}
	for (i = 0; i < b->nmarks; i++)
		free(b->marks[i].msg);
	b->len = b->nitems = b->nmarks = 0;
	b->read = b->written = b->rejected = b->fast = b->flat = 0;
	b->last = b->failed = 0;
	wbatch_clear(&b->wb);
	fk_buf_reset(&b->rej);
	free(b->widen);
	b->widen = NULL;
	/* Give back what one huge value needed; keep the usual sizes. */
	if (b->cap > BIG) {
		free(b->buf);
		b->buf = NULL;
		b->cap = 0;
	}
	if (b->wb.out.cap > BIG)
		fk_buf_free(&b->wb.out);
}

static void
batch_free(struct batch *b)
{
	pipe_batch_clear(b);
	free(b->buf);
	free(b->items);
	free(b->marks);
	wbatch_free(&b->wb);
	fk_buf_free(&b->rej);
}

void *
pipe_grow(void *p, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *np;

	if (n < *cap)
		return p;
	nc = *cap ? 2 * *cap : 64;
	np = realloc(p, nc * sz);
	if (np != NULL)
		*cap = nc;
	return np;
}

struct batch *
pipe_acquire(struct pipe *p)
{
	struct batch *b;

	pipe_lock(p);
	b = &p->slots[p->next_fill % (long long)p->nslots];
	while (b->state != B_FREE && !p->quit)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->quit) {
		pipe_unlock(p);
		return NULL;
	}
	b->seq = p->next_fill++;
	pipe_unlock(p);
	return b;
}

void
pipe_submit(struct pipe *p, struct batch *b)
{
	pipe_lock(p);
	b->state = B_FILLED;
	pthread_cond_broadcast(&p->cv);
	pipe_unlock(p);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipe *p = w->p;
	struct batch *b;

	for (;;) {
		pipe_lock(p);
		for (;;) {
			b = &p->slots[p->next_work % (long long)p->nslots];
			if (p->quit || p->all_claimed) {
				pipe_unlock(p);
				schema_thread_done();
				return NULL;
			}
			if (b->state == B_FILLED && b->seq == p->next_work)
				break;
			pthread_cond_wait(&p->cv, &p->mu);
		}
		b->state = B_WORKING;
		p->next_work++;
		if (b->last)
			p->all_claimed = 1;
		pipe_unlock(p);
		work_batch(w, b);
		pipe_lock(p);
		b->state = B_DONE;
		while (p->slots[p->done_upto % (long long)p->nslots].state ==
		    B_DONE && p->slots[p->done_upto %
		    (long long)p->nslots].seq == p->done_upto)
			p->done_upto++;
		pthread_cond_broadcast(&p->cv);
		pipe_unlock(p);
	}
}


/*
 * Each worker compiles the program itself, when its first value needs
 * libjq (work.c): a program the fast path runs for every value is never
 * compiled there at all.
 */
static int
workers_init(struct pipe *p, struct fk_err *e)
{
	const struct pipe_opts *o = p->o;
	struct worker *w;
	jv txt;
	int i;

	p->w = calloc((size_t)o->workers, sizeof(*p->w));
	txt = jv_dump_string(jv_copy(o->args), 0);
	p->args = strdup(jv_string_value(txt));
	jv_free(txt);
	if (p->w == NULL || p->args == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < o->workers; i++) {
		w = &p->w[i];
		w->p = p;
		if (o->proj != NULL && (w->px = proj_exec_new(o->proj)) == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		if (bad_pii_any(o->pii) &&
		    (w->pii = pii_state_new(o->pii, e)) == NULL)
			return -1;
	}
	return 0;
}

static void
workers_free(struct pipe *p, struct pipe_stats *st)
{
	struct worker *w;
	size_t j, n = p->o->pii != NULL ? pii_npaths(p->o->pii) : 0;
	int i;

	if (n > 0)
		st->hits = calloc(n, sizeof(*st->hits));
	for (i = 0; p->w != NULL && i < p->o->workers; i++) {
		w = &p->w[i];
		for (j = 0; w->pii != NULL && st->hits != NULL && j < n; j++)
			st->hits[j] += pii_hits(w->pii, j);
		filter_free(w->jq);
		proj_exec_free(w->px);
		if (w->parser != NULL)
			jv_parser_free(w->parser);
		pii_state_free(w->pii);
		free(w->fv);
		free(w->pkv);
		free(w->pbuf);
		writer_enc_free(p->wr, w->enc);
	}
	free(p->w);
	free(p->args);
}

static int
start_threads(struct pipe *p, struct fk_err *e)
{
	int i;

	for (i = 0; i < p->o->workers; i++) {
		if (pthread_create(&p->w[i].tid, NULL, worker_main,
		    &p->w[i]) != 0) {
			p->nw = i;
			return fk_fail(e, FK_EX_SOFTWARE, "cannot start a "
			    "thread");
		}
	}
	p->nw = i;
	if (pthread_create(&p->wtid, NULL, order_main, p) != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "cannot start a thread");
	return 0;
}

int
pipe_run(const struct pipe_opts *o, int fd,
    struct pipe_stats *st, struct fk_err *e)
{
	struct pipe p;
	size_t i;
	int rc = -1, rrc = 0, started = 0;

	memset(st, 0, sizeof(*st));
	memset(&p, 0, sizeof(p));
	p.o = o;
	p.wr = o->writer;
	p.st = st;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.nslots = NSLOTS((size_t)o->workers);
	p.slots = calloc(p.nslots, sizeof(*p.slots));
	if (p.slots == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	if (workers_init(&p, e) == -1)
		goto out;
	if (o->schema != NULL) {
		if (work_setup(&p, o->schema, e) == -1)
			goto out;
		p.schema = o->schema;
		p.ready = 1;
	}
	if (start_threads(&p, e) == -1) {
		pipe_stop(&p);
	} else {
		started = 1;
		rrc = reader_run(&p, fd, e);
	}
	for (i = 0; i < (size_t)p.nw; i++)
		pthread_join(p.w[i].tid, NULL);
	if (started)
		pthread_join(p.wtid, NULL);
	if (!started)
		goto out;
	if (order_finish(&p, !p.failed && rrc == 0,
	    st->stop != PIPE_STOP_NONE) == -1 || p.failed) {
		*e = p.err;
		goto out;
	}
	rc = rrc;
out:
	workers_free(&p, st);
	for (i = 0; p.slots != NULL && i < p.nslots; i++)
		batch_free(&p.slots[i]);
	free(p.slots);
	if (p.run != NULL)
		writer_release(p.wr, p.run);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	return rc;
}

void
pipe_stats_free(struct pipe_stats *st)
{
	if (st->have_inferred)
		schema_free(&st->inferred);
	free(st->widen);
	free(st->hits);
	memset(st, 0, sizeof(*st));
}

const struct schema *
pipe_schema(const struct pipe_opts *o,
    const struct pipe_stats *st)
{
	if (o->schema != NULL)
		return o->schema;
	return st->have_inferred ? &st->inferred : NULL;
}

