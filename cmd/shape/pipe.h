/*
 * pipe.h: fk-shape's record pipeline.
 *
 * The calling thread reads the input and cuts it into batches of whole
 * JSON values (read/reader.c); N worker threads each parse, filter,
 * protect, check and encode whole batches with their own jq state
 * (work.c); one writer thread hands the batches' output to the format
 * strictly in input order (order.c).  A fixed number of batches is in
 * flight, so memory does not grow with the input.
 *
 * Per value: parse -> jq filter (each output must be an object) ->
 * --drop/--mask-ip/--hash -> column names -> schema check and coercion
 * (given, or inferred from a sample) -> the format's encoder (writer.h).
 */
#ifndef FK_SHAPE_PIPE_H
#define FK_SHAPE_PIPE_H

#include <stddef.h>
#include <stdio.h>

#include <jv.h>

#include "fk.h"
#include "shape/check/pii.h"
#include "shape/check/schema.h"
#include "shape/program/proj.h"
#include "shape/write/writer.h"

struct pipe_opts {
	int workers;			/* >= 1 */
	const struct writer *writer;	/* -o */
	struct writer_opts wopts;		/* the format's own options */
	const char *program;		/* NULL: identity */
	const struct proj *proj;	/* program without libjq, or NULL */
	jv args;			/* $name arguments (an object) */
	const struct schema *schema;	/* NULL: infer from a sample */
	size_t sample_rows;		/* rows to infer from (>= 1) */
	size_t sample_bytes;		/* input the sample may span */
	int drop_unknown;		/* --unknown=drop */
	const struct pii *pii;	/* NULL: none */
	size_t max_record;		/* bytes of one input value */
	long long max_bad;
	FILE *out;
	FILE *reject;			/* NULL: bad records on stderr */
	/* Called on the writer thread, in order, for each bad record. */
	void (*on_bad)(void *ctx, long long rec, const char *msg);
	void *on_bad_ctx;
};

enum {
	PIPE_STOP_NONE,
	PIPE_STOP_MALFORMED,	/* malformed JSON with no reject file */
	PIPE_STOP_TOO_MANY	/* more than max_bad bad records */
};

struct pipe_stats {
	long long read;		/* input values (malformed ones too) */
	long long rows;		/* written + rejected */
	long long written;
	long long rejected;
	long long fast;		/* values the projection fast path took */
	long long flat;		/* ... and wrote from the text (flat.h) */
	int stop;		/* PIPE_STOP_* */
	int csv_newlines;	/* a CSV field held a line break */
	struct schema inferred;	/* when opts.schema was NULL */
	int have_inferred;
	unsigned char *widen;	/* schema_count() bytes, or NULL */
	unsigned long *hits;	/* per --drop/--hash/--mask-ip path */
};

/*
 * Run the pipeline from fd to o->out.  0 when the input was read to the
 * end or the run stopped on bad records (st->stop says which); -1 with e
 * for a failure of the run itself (read or write error, no memory, an
 * Avro file with nothing to infer its schema from).  st is filled either
 * way; free it with pipe_stats_free.
 */
int pipe_run(const struct pipe_opts *o, int fd,
    struct pipe_stats *st, struct fk_err *e);

void pipe_stats_free(struct pipe_stats *st);

/* The schema the output follows (given or inferred), or NULL. */
const struct schema *pipe_schema(const struct pipe_opts *o,
    const struct pipe_stats *st);

/*
 * The ring, for the pipeline's parts (read/reader.c, work.c, bad.c,
 * order.c; its types are in ring.h), not for main.
 */
struct batch;
struct pipe;

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

#endif
