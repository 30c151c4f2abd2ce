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
 * The work is split in two so that no jv crosses a thread.  A plan (the
 * schema's columns, read-only once made) lets any thread shred canonical
 * rows into flat bytes: each leaf column's (repetition level, definition
 * level, PLAIN value, dictionary hash) entries, row after row
 * (shred_row, shred.h).  The writer (pq_new) then takes those bytes in row
 * order (pq_add) and does what depends on the rows before: the
 * dictionaries, pages, row groups and footer.  See writer.c for why the
 * pages themselves cannot be made on the workers.
 */
#ifndef FK_SHAPE_PARQUET_H
#define FK_SHAPE_PARQUET_H

#include <stddef.h>
#include <stdio.h>

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/schema.h"

/*
 * The writer holds one row group's compressed columns, so the group's
 * size bounds memory whatever the input's.  16 MiB is about DuckDB's
 * 122,880-row groups for a FakerAPI user (1M users: 9 groups, as
 * DuckDB's), and is reached within the first 100,000 rows, so peak RSS
 * stays flat from there (29 MiB at 100k rows, 31 at 1M, -j 2); 32 MiB
 * made a file 0.6% smaller and used 42 MiB at 1M rows.
 */
#define PQ_ROW_GROUP_BYTES (16 * 1024 * 1024)
#define PQ_PAGE_BYTES (1024 * 1024)

struct pq;
struct pq_plan;

struct pq_opts {
	const char *codec;	/* "snappy" (NULL), "zstd", "gzip", "none" */
	size_t row_group_bytes;	/* 0: 16 MiB of uncompressed data */
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
/* w's plan, for the threads that shred its rows (read-only). */
const struct pq_plan *pq_plan(const struct pq *w);
/* Start the file on out: the leading magic.  -1 with e (IOERR). */
int pq_start(struct pq *w, FILE *out, struct fk_err *e);

/* pq_new, then pq_start.  pq_open, pq_write, pq_close: for tests only. */
struct pq *pq_open(FILE *out, const struct schema *s,
    const struct pq_opts *o, struct fk_err *e);

/*
 * Add n rows shredded by the writer's plan: exactly the len bytes at p.
 * May write row groups.  -1 with e filled: SOFTWARE for bytes that are
 * not n shredded rows or no memory, IOERR for a write error.  After an
 * error, only pq_abort is allowed.
 */
int pq_add(struct pq *w, const void *p, size_t len, size_t n,
    struct fk_err *e);

/*
 * Add one canonical row (consumed): shred_row, then pq_add.  -1
 * with e filled as those; after an error, only pq_abort is allowed.
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
