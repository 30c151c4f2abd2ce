/*
 * order.c: the writer thread (see ring.h).  It takes the batches in input
 * order, decides where bad records stop the run, and hands each batch's
 * encoded rows to the format's flush; the format's begin and end frame
 * the file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/bad.h"
#include "shape/order.h"
#include "shape/pipe.h"
#include "shape/ring.h"

static int
wfail(struct pipe *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wfail(struct pipe *p, int code, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		p->failed = 1;
		p->err.code = code;
		va_start(ap, fmt);
		vsnprintf(p->err.msg, sizeof(p->err.msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The format's header waits for the schema, then goes out once. */
static int
begin(struct pipe *p)
{
	struct fk_err e;
	int ready;

	pipe_lock(p);
	ready = p->ready;
	pipe_unlock(p);
	if (p->begun || !ready)
		return 0;
	p->begun = 1;
	if (writer_begin(p->wr, p->run, p->o->out, &e) == -1)
		return wfail(p, e.code, "%s", e.msg);
	p->opened = 1;
	return 0;
}

static int
write_batch(struct pipe *p, struct batch *b)
{
	const struct pipe_opts *o = p->o;
	struct pipe_stats *st = p->st;
	const struct mark *m;
	struct fk_err e;
	long cut;
	size_t i, j, n;

	if (b->failed)
		return wfail(p, b->err.code, "%s", b->err.msg);
	cut = bad_stop_at(p, b);
	m = cut >= 0 ? &b->marks[cut] : NULL;
	if (begin(p) == -1)
		return -1;
	if (writer_flush(p->wr, p->run, o->out, &b->wb, m ? m->rows : b->wb.n,
	    &e) == -1)
		return wfail(p, e.code, "%s", e.msg);
	n = m ? m->rej : b->rej.len;
	if (o->reject != NULL && n > 0 && fwrite(b->rej.p, 1, n, o->reject) !=
	    n)
		return wfail(p, FK_EX_IOERR, "cannot write the reject file: "
		    "%s", strerror(errno));
	for (i = 0; i < b->nmarks && (cut < 0 || i <= (size_t)cut); i++)
		if (o->on_bad != NULL && b->marks[i].msg != NULL)
			o->on_bad(o->on_bad_ctx, b->marks[i].rec,
			    b->marks[i].msg);
	st->read += m ? m->read : b->read;
	st->written += m ? m->written : b->written;
	st->rejected += m ? m->rejected : b->rejected;
	st->fast += m ? m->fast : b->fast;
	st->flat += m ? m->flat : b->flat;
	st->rows = st->written + st->rejected;
	st->csv_newlines |= b->wb.nl;
	if (b->widen != NULL && p->nwiden > 0) {
		if (st->widen == NULL)
			st->widen = calloc(p->nwiden, 1);
		for (j = 0; st->widen != NULL && j < p->nwiden; j++)
			if (b->widen[j] != 0)
				st->widen[j] = b->widen[j];
	}
	return cut >= 0 ? 1 : 0;
}

void *
order_main(void *arg)
{
	struct pipe *p = arg;
	struct batch *b;
	long long seq;
	int flushed, r, last;

	for (seq = 0;; seq++) {
		b = &p->slots[seq % (long long)p->nslots];
		flushed = 0;
		pipe_lock(p);
		while (b->state != B_DONE || b->seq != seq) {
			if (p->quit) {
				pipe_unlock(p);
				return NULL;
			}
			if (!flushed) {
				/* Nothing to do: let a live pipe see output. */
				pipe_unlock(p);
				fflush(p->o->out);
				flushed = 1;
				pipe_lock(p);
				continue;
			}
			pthread_cond_wait(&p->cv, &p->mu);
		}
		pipe_unlock(p);
		r = write_batch(p, b);
		last = b->last;
		pipe_lock(p);
		pipe_batch_clear(b);
		b->state = B_FREE;
		if (r != 0)
			pipe_quit(p);
		pthread_cond_broadcast(&p->cv);
		pipe_unlock(p);
		if (r != 0 || last)
			return NULL;
	}
}

/*
 * After the threads: write what a run with no rows still owes.  A run
 * stopped on bad records still ends its file on the rows it counted as
 * written; only a failed run (ok 0) abandons it.
 */
int
order_finish(struct pipe *p, int ok, int stopped)
{
	struct fk_err e;

	if (ok && !stopped && (p->wr->flags & WRITER_NEEDS_SCHEMA) &&
	    !p->ready)
		return wfail(p, FK_EX_DATAERR, "no row to infer the %s schema "
		    "from; give --schema", p->wr->label);
	if (ok && begin(p) == -1)
		return -1;
	if (!p->opened)
		return 0;
	p->opened = 0;
	/* A failed run's file is dropped when the run is released. */
	if (ok && writer_end(p->wr, p->run, p->o->out, &e) == -1)
		return wfail(p, e.code, "%s", e.msg);
	return 0;
}
