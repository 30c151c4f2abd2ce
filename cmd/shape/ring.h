/*
 * ring.h: the pipeline's own types, shared by its parts (not by main):
 * pipe.c (the ring of batches and the run), read/reader.c (the reader),
 * work.c (a worker's batch), bad.c (bad records) and order.c (the writer
 * thread, which writes batches in input order).  Each part's functions
 * are in its own header.
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
#include "shape/check/flat.h"
#include "shape/check/pii.h"
#include "shape/pipe.h"
#include "shape/program/filter.h"
#include "shape/program/proj.h"
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
	long long fast;		/* values the projection fast path took */
	long long flat;		/* ... and wrote from the text (flat.h) */
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
	long long fast;		/* values the projection fast path took */
	long long flat;		/* ... and wrote from the text (flat.h) */
	unsigned char *widen;
	int failed;
	struct fk_err err;
};

struct pipe;

struct worker {
	struct pipe *p;
	pthread_t tid;
	struct filter *jq;	/* compiled at the first value that needs it */
	struct proj_exec *px;	/* the projection fast path, or NULL */
	struct jv_parser *parser;
	struct pii_state *pii;
	struct flat_val *fv;	/* flat rows of one value */
	size_t fvcap;
	struct proj_kv *pkv;	/* its text rows, as --drop... leave them */
	size_t pkvcap;
	char *pbuf;		/* and their masked or hashed values */
	size_t pbufcap;
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
	/* a format that admits batches in order (writer.h): the next */
	long long admit_seq;
	long long admit_rejected;	/* rejects before it */
	int admit_stop;		/* the file ends before it */
	int quit;
	/* the schema, once known */
	const struct schema *schema;
	int ready;
	void *run;		/* the format's state for the schema */
	size_t nwiden;
	int flat;		/* rows may go from text to the format (flat.h) */
	/* workers and writer */
	char *args;		/* --arg/--argjson as JSON text, for workers */
	struct worker *w;
	int nw;
	pthread_t wtid;
	int begun;		/* the format's begin ran */
	int opened;		/* ... and succeeded: end owed, if all went well */
	int failed;
	struct fk_err err;
};

#endif
