/*
 * writer.h: the one interface every output format implements.
 *
 * fk-shape looks the -o name up once (writer_find) and the pipeline
 * then only calls through the entry:
 *
 *   setup    once the schema is known (given, or inferred from the
 *            sample): the run's state, shared read-only by the workers
 *   encode   on a worker: one canonical row into the batch's output
 *   encode_flat  on a worker, optional: the same for a flat row (flat.h),
 *            read from the input's text, no jv made
 *   seal     on a worker, optional: the batch's rows as they will be
 *            written (Avro's compressed blocks)
 *   admit, build  on a worker, optional, for a format whose bytes
 *            depend on the rows before (Parquet's pages): admit takes
 *            the batches one at a time in input order, build then works
 *            on the admitted rows alongside the other workers
 *   begin    on the writer thread, before the first batch: a header
 *   flush    on the writer thread, in input order: a batch's first n rows
 *   end      after the last batch: the trailer
 *   release  last: frees the run, dropping a file begun and not ended
 *
 * Only encode is required.  encode_flat left NULL means rows always
 * take the canonical path.  Another operation left NULL does what most
 * formats want (the pipeline calls each through writer_setup() and
 * the like): setup makes the schema itself the run; begin and end write
 * nothing; flush writes the rows' bytes as encoded; schema_json gives the
 * schema as given or inferred; release and enc_free free nothing.
 *
 * Each format lives in a file or folder of its own under write/:
 * ndjson.c, csv.c, avro.c, parquet/.  What two formats would write
 * alike (the defaults above, the `bq load` flags) is written once, in
 * writer.c.
 */
#ifndef FK_SHAPE_WRITER_H
#define FK_SHAPE_WRITER_H

#include <stddef.h>
#include <stdio.h>

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/flat.h"
#include "shape/check/schema.h"
#include "shape/write/parquet/parquet.h"

/* The format-specific options; each format reads only its own. */
struct writer_opts {
	const char *avro_codec;		/* --codec */
	size_t avro_block;		/* --avro-block-size */
	struct pq_opts pq;		/* --compression, --row-group-size */
};

/*
 * One batch's output, filled by one worker, then read by the writer
 * thread.  Row i's bytes end at end[i] in out.
 */
struct wbatch {
	struct fk_buf out;
	size_t *end;
	size_t n, cap;		/* rows */
	int nl;			/* a quoted field held a line break (only
				   CSV quotes them, so only CSV sets it) */
	struct fk_buf sealed;	/* the rows as the format writes them */
	size_t sealed_rows;	/* rows in sealed: 0, or n when sealed */
};

enum {
	WRITER_WIDEN = 1,	/* inferred columns may widen past the sample */
	WRITER_NEEDS_SCHEMA = 2, /* even a file with no rows needs a schema */
	WRITER_BQ_SCHEMA = 4,	/* bq load needs --schema (the text formats) */
	WRITER_TAKES_AVRO = 8,	/* takes --codec, --avro-block-size */
	WRITER_TAKES_PARQUET = 16 /* takes --compression, --row-group-size */
};

/* A format: what it is called, then its operations by where they run. */
struct writer {
	const char *name;	/* as -o names it */
	const char *label;	/* as messages name it */
	const char *bq;		/* the `bq load` flags that name the format */
	unsigned flags;		/* WRITER_* */

	/* On the workers. */
	/*
	 * Append one canonical row (borrowed) to wb.  *enc is this worker's
	 * own state (NULL at first; freed with enc_free).  0 when added; 1
	 * with e->msg when the format refuses the row (nothing added, a bad
	 * record); -1 with e for a failure of the run.
	 */
	int (*encode)(const void *run, void **enc, jv row,
	    struct wbatch *wb, struct fk_err *e);
	/*
	 * encode for the flat row v (one value per schema field, flat.h):
	 * the same bytes encode writes for the canonical row of the same
	 * values.  0, 1 or -1 as encode.
	 */
	int (*encode_flat)(const void *run, void **enc,
	    const struct flat_val *v, struct wbatch *wb, struct fk_err *e);
	/*
	 * After a batch's last row: put the rows' final bytes in
	 * wb->sealed and set wb->sealed_rows, so that the writer thread
	 * only writes them (Avro compresses blocks here).  enc is the
	 * worker's state from encode.  It may leave wb unsealed (no
	 * memory): flush then does the work.  NULL: nothing to do.
	 */
	void (*seal)(const void *run, void *enc, struct wbatch *wb);
	/*
	 * After seal, once for every batch in input order, one worker at
	 * a time: the run takes wb's first n rows, those the file will
	 * hold (n < wb->n when the run stops at a bad record in the batch;
	 * 0 for a failed batch); last says no rows follow.  It must be
	 * quick: the next batch waits.  Then build, on the same worker and
	 * enc, with the other workers: the work those rows need.  build
	 * follows every admit, even a failed one.  -1 with e for a failure
	 * of the run.  Both NULL, or neither.
	 */
	int (*admit)(void *run, void **enc, struct wbatch *wb, size_t n,
	    int last, struct fk_err *e);
	int (*build)(void *run, void *enc, struct fk_err *e);
	void (*enc_free)(void *enc);

	/* On the main thread, around the run. */
	/*
	 * The run's state for rows of s (which outlives it).  NULL with e:
	 * DATAERR for a schema the format cannot hold, else a failure.
	 */
	void *(*setup)(const struct schema *s, const struct writer_opts *o,
	    struct fk_err *e);
	void (*release)(void *run);
	/* The schema to load the output with (for --emit-schema). */
	jv (*schema_json)(const struct schema *s,
	    const unsigned char *widen, struct fk_err *e);

	/* On the writer thread, in input order. */
	int (*begin)(void *run, FILE *out, struct fk_err *e);
	/* Write wb's first n rows (n <= wb->n). */
	int (*flush)(void *run, FILE *out, struct wbatch *wb, size_t n,
	    struct fk_err *e);
	int (*end)(void *run, FILE *out, struct fk_err *e);
};

/* The format called name ("ndjson", "json", "csv", "avro", "parquet"). */
const struct writer *writer_find(const char *name);

extern const struct writer ndjson_writer, csv_writer,
    avro_writer, pq_writer;

/*
 * The `bq load` flags for a file w wrote, into buf: schema is the
 * --emit-schema file, newlines whether a quoted field held a line break
 * (some wbatch.nl was set: w is CSV, so --allow_quoted_newlines).
 */
void writer_bq_flags(const struct writer *w, char *buf, size_t n,
    const char *schema, int newlines);

/* ---- helpers for the formats ---------------------------------------- */

/*
 * Close the row just appended to wb->out.  -1 with e when memory runs
 * out, the row dropped.
 */
int wbatch_end_row(struct wbatch *wb, struct fk_err *e);
/* Drop what the row being encoded has appended to wb->out. */
void wbatch_undo(struct wbatch *wb);
/*
 * wbatch_undo, and -1 with e: the encoder failed on a row the schema
 * check let through (a bug) or ran out of memory.
 */
int wbatch_encode_failed(struct wbatch *wb, struct fk_err *e);
/* Empty wb for the next batch (keeping its memory); free it. */
void wbatch_clear(struct wbatch *wb);
void wbatch_free(struct wbatch *wb);
/* n bytes to out; -1 with e (IOERR) on a write error. */
int writer_put(FILE *out, const void *s, size_t n, struct fk_err *e);

/*
 * The operations as the pipeline calls them: each runs w's own, or the
 * default when w leaves it NULL (see struct writer).
 */
void *writer_setup(const struct writer *w, const struct schema *s,
    const struct writer_opts *o, struct fk_err *e);
void writer_release(const struct writer *w, void *run);
void writer_seal(const struct writer *w, const void *run, void *enc,
    struct wbatch *wb);
void writer_enc_free(const struct writer *w, void *enc);
/* Whether w admits its batches in order (admit and build). */
int writer_admits(const struct writer *w);
int writer_admit(const struct writer *w, void *run, void **enc,
    struct wbatch *wb, size_t n, int last, struct fk_err *e);
int writer_build(const struct writer *w, void *run, void *enc,
    struct fk_err *e);
int writer_begin(const struct writer *w, void *run, FILE *out,
    struct fk_err *e);
int writer_flush(const struct writer *w, void *run, FILE *out,
    struct wbatch *wb, size_t n, struct fk_err *e);
int writer_end(const struct writer *w, void *run, FILE *out,
    struct fk_err *e);
jv writer_schema(const struct writer *w, const struct schema *s,
    const unsigned char *widen, struct fk_err *e);

#endif
