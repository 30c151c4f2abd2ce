/*
 * pq_col.h: one Parquet leaf column while a row group is being written:
 * the open data page (levels and values), the dictionary, the finished
 * (compressed) pages of the column chunk, and its statistics.
 *
 * parquet.c feeds it the (repetition level, definition level, value)
 * entries that shred.c made of the rows; at the end of a row group the
 * column seals its chunk, which waits, compressed, for the file's writer
 * to write it and describe it in the footer.  Memory is one compressed
 * column chunk plus one open page per column, and the sealed chunks not
 * yet written.
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
	PQT_BOOLEAN = 0, PQT_INT32 = 1, PQT_INT64 = 2,
	PQT_DOUBLE = 5, PQT_BYTE_ARRAY = 6, PQT_FLBA = 7
};

/* Encodings, page types. */
enum { PQE_PLAIN = 0, PQE_RLE = 3, PQE_RLE_DICT = 8 };
enum { PQP_DATA = 0, PQP_DICT = 2 };

/* A page closes at whichever comes first (at a row boundary). */
#define PQ_PAGE_LEVELS 20000
/* Largest dictionary (PLAIN bytes) before a chunk falls back to PLAIN. */
#define PQ_DICT_MAX (1024 * 1024)
/* Longer BYTE_ARRAY min/max are not written into the footer. */
#define PQ_STAT_MAX 4096

/* The output: a stream written strictly in order, and where it is. */
struct pqc_sink {
	FILE *f;
	uint64_t off;
};

/* Write n bytes; -1 (IOERR, errno kept) on a write error. */
int pqc_sink_write(struct pqc_sink *s, const void *p, size_t n,
    struct fk_err *e);

struct pqc_dict {
	struct fk_buf plain;	/* the dictionary page body (PLAIN) */
	uint32_t *off;		/* entry i's value: plain.p + off[i] */
	uint32_t *len;
	uint32_t *hash;		/* pq_hash of entry i, to rehash */
	size_t n, cap;
	uint32_t *slot;		/* hash table: entry index + 1, 0 free */
	size_t nslot;
};

/*
 * A column chunk's pages and what the footer says of them.  A column
 * builds one (pq_col.ch) and seals it at the end of its row group, when
 * it moves out to wait for the file's writer (pqc_chunk_seal).
 */
struct pqc_chunk {
	struct fk_buf dict;	/* the dictionary page once sealed, or empty */
	struct fk_buf pages;	/* finished data pages, headers included */
	int64_t num_values;	/* levels in finished pages */
	int64_t usize, csize;	/* their size uncompressed, as written */
	int dict_pages, plain_pages;
	int has_minmax;
	unsigned char min[16], max[16];	/* fixed-size types, PLAIN */
	struct fk_buf bmin, bmax;	/* BYTE_ARRAY */
	int64_t nulls, nans;
};

enum { PQD_OFF, PQD_ON, PQD_FROZEN };

struct pq_col {
	/* Set by pqc_init. */
	int ptype, tlen, max_def, max_rep;
	int dict_ok;		/* may use a dictionary */
	const char **path;	/* path_in_schema, not owned */
	size_t npath;
	/* The compressor and page assembly of the thread that has the
	   column now (parquet.c hands a column to one thread at a time). */
	struct pqz *z;
	struct fk_buf *scratch;
	size_t page_bytes;

	/* The open page. */
	struct rle rep, def, idx;
	struct fk_buf vals;	/* PLAIN values (booleans bit-packed) */
	uint32_t *ids;		/* dictionary indices */
	size_t nids, idcap;
	size_t levels;		/* entries: values and nulls */
	size_t nvals;		/* non-null values */
	size_t plain_bytes;	/* the values' PLAIN size */

	/* The chunk. */
	int dict;		/* PQD_* */
	struct pqc_dict d;
	struct pqc_chunk ch;

	int oom;		/* an allocation failed (sticky) */
};

/*
 * Set up a zeroed column.  ptype/tlen: physical type (tlen for FLBA);
 * levels as computed from the schema; dict: allow a dictionary.
 */
void pqc_init(struct pq_col *c, int ptype, int tlen, int max_def,
    int max_rep, int dict);
void pqc_free(struct pq_col *c);

/* A null (or an absent ancestor): def < max_def. */
void pqc_null(struct pq_col *c, int rep, int def);
/*
 * A value, in PLAIN bytes (little-endian numbers; BYTE_ARRAY without its
 * length prefix; FLBA of tlen bytes).
 */
void pqc_value(struct pq_col *c, int rep, const void *p, size_t n);
void pqc_bool(struct pq_col *c, int rep, int v);

/*
 * At a row end: close the open page if full (encode, compress, keep).
 * -1 with e on failure.
 */
int pqc_row_end(struct pq_col *c, struct fk_err *e);

/*
 * At the end of the column's row group: close the open page, compress
 * the dictionary, and move the chunk to *out (the column is then empty
 * for the next row group).  -1 with e on failure.
 */
int pqc_chunk_seal(struct pq_col *c, struct pqc_chunk *out,
    struct fk_err *e);
/*
 * Write a sealed chunk of c to s (dictionary page, data pages) and
 * append its ColumnChunk struct, as a list element, to t; then free it.
 * Reads only what pqc_init set in c, so another thread may be filling
 * c's next chunk meanwhile.
 */
int pqc_chunk_put(const struct pq_col *c, struct pqc_chunk *ch, int codec,
    struct pqc_sink *s, struct thrift *t, struct fk_err *e);
void pqc_chunk_free(struct pqc_chunk *ch);

#endif
