/*
 * pq_col.h: one Parquet leaf column while a row group is being written:
 * the open data page (levels and values), the dictionary, the finished
 * (compressed) pages of the column chunk, and its statistics.
 *
 * parquet.c feeds it the (repetition level, definition level, value)
 * entries that shred.c made of the rows; at the end of a row group it asks each
 * column to write its chunk and describe it in the footer.  Memory is one
 * compressed column chunk plus one open page per column.
 */
#ifndef FK_SHAPE_PQ_COL_H
#define FK_SHAPE_PQ_COL_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "fk.h"
#include "pq_enc.h"
#include "thrift.h"

/* Parquet physical types used by the writer. */
enum {
	FK_PQT_BOOLEAN = 0, FK_PQT_INT32 = 1, FK_PQT_INT64 = 2,
	FK_PQT_DOUBLE = 5, FK_PQT_BYTE_ARRAY = 6, FK_PQT_FLBA = 7
};

/* Encodings, page types. */
enum { FK_PQE_PLAIN = 0, FK_PQE_RLE = 3, FK_PQE_RLE_DICT = 8 };
enum { FK_PQP_DATA = 0, FK_PQP_DICT = 2 };

/* A page closes at whichever comes first (at a row boundary). */
#define FK_PQ_PAGE_LEVELS 20000
/* Largest dictionary (PLAIN bytes) before a chunk falls back to PLAIN. */
#define FK_PQ_DICT_MAX (1024 * 1024)
/* Longer BYTE_ARRAY min/max are not written into the footer. */
#define FK_PQ_STAT_MAX 4096

/* The output: a stream written strictly in order, and where it is. */
struct fk_pq_sink {
	FILE *f;
	uint64_t off;
};

/* Write n bytes; -1 (IOERR, errno kept) on a write error. */
int fk_pq_sink_write(struct fk_pq_sink *s, const void *p, size_t n,
    struct fk_err *e);

struct fk_pq_dict {
	struct fk_buf plain;	/* the dictionary page body (PLAIN) */
	uint32_t *off;		/* entry i's value: plain.p + off[i] */
	uint32_t *len;
	uint32_t *hash;		/* fk_pq_hash of entry i, to rehash */
	size_t n, cap;
	uint32_t *slot;		/* hash table: entry index + 1, 0 free */
	size_t nslot;
};

enum { FK_PQD_OFF, FK_PQD_ON, FK_PQD_FROZEN };

struct fk_pq_col {
	/* Set by fk_pqc_init. */
	int ptype, tlen, max_def, max_rep;
	int dict_ok;		/* may use a dictionary */
	const char **path;	/* path_in_schema, not owned */
	size_t npath;
	struct fk_pqz *z;	/* shared compressor, not owned */
	struct fk_buf *scratch;	/* shared page assembly, not owned */
	size_t page_bytes;

	/* The open page. */
	struct fk_rle rep, def, idx;
	struct fk_buf vals;	/* PLAIN values (booleans bit-packed) */
	uint32_t *ids;		/* dictionary indices */
	size_t nids, idcap;
	size_t levels;		/* entries: values and nulls */
	size_t nvals;		/* non-null values */
	size_t plain_bytes;	/* the values' PLAIN size */

	/* The chunk. */
	int dict;		/* FK_PQD_* */
	struct fk_pq_dict d;
	struct fk_buf pages;	/* finished data pages, headers included */
	int64_t num_values;	/* levels in finished pages */
	int64_t usize, csize;	/* their size uncompressed, as written */
	int dict_pages, plain_pages;
	int has_minmax;
	unsigned char min[16], max[16];	/* fixed-size types, PLAIN */
	struct fk_buf bmin, bmax;	/* BYTE_ARRAY */
	int64_t nulls, nans;

	int oom;		/* an allocation failed (sticky) */
};

/*
 * Set up a zeroed column.  ptype/tlen: physical type (tlen for FLBA);
 * levels as computed from the schema; dict: allow a dictionary.
 */
void fk_pqc_init(struct fk_pq_col *c, int ptype, int tlen, int max_def,
    int max_rep, int dict);
void fk_pqc_free(struct fk_pq_col *c);

/* A null (or an absent ancestor): def < max_def. */
void fk_pqc_null(struct fk_pq_col *c, int rep, int def);
/*
 * A value, in PLAIN bytes (little-endian numbers; BYTE_ARRAY without its
 * length prefix; FLBA of tlen bytes); h is fk_pq_hash(p, n) when the
 * column may use a dictionary.
 */
void fk_pqc_value(struct fk_pq_col *c, int rep, const void *p, size_t n,
    uint32_t h);
void fk_pqc_bool(struct fk_pq_col *c, int rep, int v);

/*
 * At a row end: close the open page if full (encode, compress, keep),
 * and say how many uncompressed bytes the chunk holds so far, open page
 * included.  -1 with e on failure.
 */
int fk_pqc_row_end(struct fk_pq_col *c, size_t *size, struct fk_err *e);
/* Close the open page: encode, compress, keep.  -1 on failure. */
int fk_pqc_page_close(struct fk_pq_col *c, struct fk_err *e);

/*
 * Write the chunk (dictionary page, data pages) to s and append its
 * ColumnChunk struct, as a list element, to t.  Adds its sizes to
 * the totals.  The column is then empty for the next row group.
 */
int fk_pqc_chunk_write(struct fk_pq_col *c, struct fk_pq_sink *s,
    struct fk_tc *t, int64_t *usize, int64_t *csize, struct fk_err *e);

#endif
