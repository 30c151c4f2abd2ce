/*
 * ring.h: the pipeline's own state, shared by its parts (not by main):
 * pipe.c (the ring of batches and the run), read/reader.c (the reader),
 * work.c (a worker's batch), bad.c (bad records) and order.c (the writer
 * thread, which writes batches in input order).
 *
 * Batches live in a ring of NSLOTS(workers) slots; batch number s uses
 * slot s % n.  A slot goes FREE -> FILLED (reader) -> WORKING -> DONE
 * (a worker) -> FREE (the writer, after writing it).  One mutex and one
 * condition variable guard the states; the work itself runs unlocked on
 * data only one thread owns at a time, which is also what libjq needs:
 * jq 1.6's reference counts are not atomic, so a jv never crosses threads
 * while another thread still holds it.
 */
#ifndef FK_SHAPE_RING_H
#define FK_SHAPE_RING_H

#include <pthread.h>
#include <stddef.h>

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/pii.h"
#include "shape/pipe.h"
#include "shape/program/filter.h"
#include "shape/write/writer.h"

#define NSLOTS(w) (2 * (w) + 2)

enum { B_FREE, B_FILLED, B_WORKING, B_DONE };

/* One input value of a batch, or a malformed stretch of input. */
struct item {
	size_t off, len;
	long long rec;
	char *why;		/* malformed: the reason (owned) */
	char *text;		/* malformed: the start of it (owned) */
	size_t tlen;
	long long boff, line;
};

/* Output made by a batch up to and including one bad record. */
struct mark {
	long long rec;
	size_t rows, rej;
	long long read, written, rejected;
	int fatal;
	char *msg;
};

struct batch {
	long long seq;
	int state;
	int last;
	char *buf;
	size_t len, cap;
	struct item *items;
	size_t nitems, icap;
	/* results */
	struct wbatch wb;
	struct fk_buf rej;
	struct mark *marks;
	size_t nmarks, mcap;
	long long read, written, rejected;
	unsigned char *widen;
	int failed;
	struct fk_err err;
};

struct pipe;

struct worker {
	struct pipe *p;
	pthread_t tid;
	struct filter *jq;
	struct jv_parser *parser;
	struct pii_state *pii;
	void *enc;		/* the format's state for this thread */
	struct batch *b;
};

struct pipe {
	const struct pipe_opts *o;
	const struct writer *wr;
	struct pipe_stats *st;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *slots;
	size_t nslots;
	long long next_fill, next_work, done_upto;
	int all_claimed;
	int quit;
	/* the schema, once known */
	const struct schema *schema;
	int ready;
	void *run;		/* the format's state for the schema */
	size_t nwiden;
	/* workers and writer */
	struct worker *w;
	int nw;
	pthread_t wtid;
	int begun;		/* the format's begin ran */
	int opened;		/* ... and succeeded: end owed, if all went well */
	int failed;
	struct fk_err err;
};

/* pipe.c */
void pipe_lock(struct pipe *p);
void pipe_unlock(struct pipe *p);
int pipe_quitting(struct pipe *p);
void pipe_quit(struct pipe *p);
/* Stop everyone: the reader, the workers and the writer. */
void pipe_stop(struct pipe *p);
struct batch *pipe_acquire(struct pipe *p);
void pipe_submit(struct pipe *p, struct batch *b);
void pipe_batch_clear(struct batch *b);
/*
 * Room for one more of n elements of size sz in p: p itself, a larger
 * copy, or NULL (p still valid) when out of memory.
 */
void *pipe_grow(void *p, size_t *cap, size_t n, size_t sz);

/* read/reader.c: read fd into batches until the end or a stop. */
int reader_run(struct pipe *p, int fd, struct fk_err *e);

/* work.c: a worker's whole batch. */
void work_batch(struct worker *w, struct batch *b);
/* Set up the format for schema s; -1 with e. */
int work_setup(struct pipe *p, const struct schema *s, struct fk_err *e);

/* bad.c */
int bad_fail(struct batch *b, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int bad_pii_any(const struct pii *p);
/*
 * Record one bad record: its reject line (value consumed; pass
 * jv_invalid() to leave it out), its message, and a mark.
 */
void bad(struct worker *w, const struct item *it, const char *path,
    const char *reason, jv value, int fatal);
/* A value for a reject line, unless personal data must stay out of it. */
jv bad_keep(const struct worker *w, jv v);
/* The index of the mark to stop at, or -1 to take the whole batch. */
long bad_stop_at(struct pipe *p, const struct batch *b);

/* order.c: the writer thread, and what a run owes at its end. */
void *order_main(void *arg);
int order_finish(struct pipe *p, int ok, int stopped);

#endif
