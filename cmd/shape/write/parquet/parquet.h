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
 */
#ifndef FK_SHAPE_PARQUET_H
#define FK_SHAPE_PARQUET_H

#include <stddef.h>
#include <stdio.h>

#include <jv.h>

#include "fk.h"
#include "shape/check/schema.h"

#define PQ_ROW_GROUP_BYTES (128 * 1024 * 1024)
#define PQ_PAGE_BYTES (1024 * 1024)

struct pq;

struct pq_opts {
	const char *codec;	/* "snappy" (NULL), "zstd", "gzip", "none" */
	size_t row_group_bytes;	/* 0: 128 MiB of uncompressed data */
	size_t page_bytes;	/* 0: 1 MiB */
	int no_dict;		/* never use dictionary encoding */
};

/*
 * Start a Parquet file on out (writes the leading magic).  s must outlive
 * the writer.  NULL with e filled: USAGE for a bad option, DATAERR for a
 * schema Parquet cannot hold, IOERR for a write error.
 */
struct pq *pq_open(FILE *out, const struct schema *s,
    const struct pq_opts *o, struct fk_err *e);

/*
 * Add one canonical row (consumed).  May write a row group.  -1 with e
 * filled: DATAERR for a value that is not canonical for its field, IOERR
 * for a write error.  After an error, only pq_abort is allowed.
 */
int pq_write(struct pq *w, jv row, struct fk_err *e);

/*
 * Write the last row group, the footer and the closing magic, then free
 * w (also on error).  The caller flushes and closes out.
 */
int pq_close(struct pq *w, struct fk_err *e);

/* Free w without finishing the file. */
void pq_abort(struct pq *w);

/* Rows written so far (for summaries). */
long long pq_rows(const struct pq *w);

#endif
