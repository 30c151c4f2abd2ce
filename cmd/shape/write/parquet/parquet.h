/*
 * parquet.h: fk-shape's Parquet writer.
 *
 * Rows arrive canonical (schema.h) and are written as they come: the
 * memory held is one row group (its compressed column chunks and one open
 * page per column), whatever the input size.  The output is written
 * strictly in order, so it may be a pipe.
 *
 * The BigQuery schema maps to Parquet as:
 *   STRING     BYTE_ARRAY (STRING)
 *   BYTES      BYTE_ARRAY
 *   INTEGER    INT64
 *   FLOAT      DOUBLE
 *   NUMERIC    FIXED_LEN_BYTE_ARRAY(16) DECIMAL(38, 9)
 *   BOOLEAN    BOOLEAN
 *   DATE       INT32 (DATE)
 *   TIME       INT64 TIME(MICROS, isAdjustedToUTC=false)
 *   DATETIME   INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false)
 *   TIMESTAMP  INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true)
 *   JSON       BYTE_ARRAY (JSON)
 *   RECORD     group
 * NULLABLE fields are optional, REQUIRED required, and REPEATED fields
 * the standard 3-level LIST: required group <name> (LIST) { repeated
 * group list { required <element> } }.
 *
 * The work is split three ways so that no jv crosses a thread and the
 * pages are made on many threads.  A plan (the schema's columns,
 * read-only once made) lets any thread shred canonical rows into flat
 * bytes: each leaf column's (repetition level, definition level, PLAIN
 * value) entries, a stream per column (pq_hand_row, shred.h).
 * Batches of such rows are then admitted in the file's order
 * (pq_admit), which decides where row groups end, and built (pq_build):
 * each column takes the batches in that order, on whichever thread
 * reaches it, and makes its dictionary, pages and chunks.  The thread
 * that writes the file writes the sealed row groups in order
 * (pq_flush) and the footer (pq_finish).  writer.c says why the bytes
 * are the same at every -j.
 */
#ifndef FK_SHAPE_PARQUET_H
#define FK_SHAPE_PARQUET_H

#include <stddef.h>
#include <stdio.h>

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/flat.h"
#include "shape/check/schema.h"

/*
 * The writer holds one row group's compressed columns, so the group's
 * size bounds memory whatever the input's.  A group ends where its rows'
 * shredded bytes (pq_admit) reach the size: 28 MiB is about 121,700
 * FakerAPI users, near DuckDB's 122,880-row groups (1M users: 9 groups,
 * a file of 94.64 MB against DuckDB's 94.90).  Peak RSS at -j 2, 100k
 * and 1M users: 42.5 and 44.4 MiB; at 32 MiB (8 groups, 94.49 MB) 42.3
 * and 46.0, at 16 MiB 17 groups and a file 1% larger.
 */
#define PQ_ROW_GROUP_BYTES (28 * 1024 * 1024)
#define PQ_PAGE_BYTES (1024 * 1024)

struct pq;
struct pq_hand;

struct pq_opts {
	const char *codec;	/* "snappy" (NULL), "zstd", "gzip", "none";
				   kept by the writer: must outlive it */
	size_t row_group_bytes;	/* 0: 28 MiB of shredded rows */
	size_t page_bytes;	/* 0: 1 MiB */
	int no_dict;		/* never use dictionary encoding */
};

/*
 * A writer for rows of s (which must outlive it), with a plan of its
 * own.  NULL with e filled: DATAERR for a schema Parquet cannot hold,
 * USAGE for a bad option, SOFTWARE when out of memory.
 */
struct pq *pq_new(const struct schema *s, const struct pq_opts *o,
    struct fk_err *e);
/* Start the file on out: the leading magic.  -1 with e (IOERR). */
int pq_start(struct pq *w, FILE *out, struct fk_err *e);

/* pq_new, then pq_start.  pq_open, pq_write, pq_close: for tests only. */
struct pq *pq_open(FILE *out, const struct schema *s,
    const struct pq_opts *o, struct fk_err *e);

/*
 * A thread's hands on w: its shredder and compressor, and the batch it
 * admitted.  Each thread that shreds or builds has its own.  NULL with e
 * (USAGE for an unknown codec, SOFTWARE).  pq_hand_free takes NULL.
 */
struct pq_hand *pq_hand_new(const struct pq *w, struct fk_err *e);
void pq_hand_free(void *hand);

/*
 * Shred row i of a batch into h's column streams (shred_row,
 * shred_flat).  Row 0 begins a batch, and the rows come in order.  -1
 * with e as those: the stream then holds part of the row, so the run
 * must fail.
 */
int pq_hand_row(struct pq_hand *h, jv row, size_t i, struct fk_err *e);
int pq_hand_flat(struct pq_hand *h, const struct flat_val *v, size_t i,
    struct fk_err *e);

/*
 * The first n rows of h's batch go into the file next: their row groups
 * are decided.  last: no rows follow, so the open group ends after them
 * (and is sealed by pq_build, even when n is 0).  Called for every
 * batch in the file's order, one thread at a time.  Then pq_build, on
 * the same thread, no longer in order: the rows into the columns' pages,
 * dictionaries and sealed chunks.
 * pq_build must follow every pq_admit, even a failed one, or the threads
 * building later batches wait for ever.  -1 with e (SOFTWARE) on
 * failure, which breaks the run: pq_flush then fails.
 */
int pq_admit(struct pq *w, struct pq_hand *h, size_t n, int last,
    struct fk_err *e);
int pq_build(struct pq *w, struct pq_hand *h, struct fk_err *e);
/*
 * On the thread that writes the file: write the row groups whose
 * chunks are all sealed, in order.  -1 with e (IOERR, or the failure
 * that broke the run); after an error, only pq_abort is allowed.
 */
int pq_flush(struct pq *w, struct fk_err *e);

/*
 * Add one canonical row (consumed), with the writer's own hands: shred,
 * admit, build, flush.  -1 with e filled as those; after an error, only
 * pq_abort is allowed.
 */
int pq_write(struct pq *w, jv row, struct fk_err *e);

/*
 * Write the last row group, the footer and the closing magic.  The
 * caller flushes and closes out, and frees w.
 */
int pq_finish(struct pq *w, struct fk_err *e);
/* pq_finish, then free w (also on error). */
int pq_close(struct pq *w, struct fk_err *e);

/* Free w (NULL is fine), finished or not. */
void pq_abort(struct pq *w);

#endif
