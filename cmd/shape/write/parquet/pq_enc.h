/*
 * pq_enc.h: Parquet's low-level encodings for the writer in parquet.c:
 * the RLE/bit-packed hybrid (levels and dictionary indices), the hash
 * that keys dictionary entries, and page compression.
 */
#ifndef FK_SHAPE_PQ_ENC_H
#define FK_SHAPE_PQ_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fk.h"

/*
 * Streaming RLE/bit-packed hybrid encoder.  Values go in one at a time;
 * runs of 8 or more equal values become RLE runs, everything else is
 * bit-packed in groups of 8 (at most 63 groups a run, so that every run
 * header is one byte, as the most conservative readers expect).
 */
#define RLE_MAXLIT 504	/* 63 groups of 8 */

struct rle {
	int bw;			/* bit width, 0..32 */
	struct fk_buf out;	/* the encoded runs so far */
	uint32_t lit[RLE_MAXLIT + 16];	/* values not yet packed */
	size_t nlit;
	uint32_t run_val;	/* the trailing run, not yet committed */
	size_t run_len;
	int failed;		/* ENOMEM, sticky */
};

/* Prepare an empty encoder for values of bw bits (memory kept on reset). */
void rle_reset(struct rle *r, int bw);
void rle_free(struct rle *r);

/* The slow path of rle_put: the trailing run ends. */
void rle_put_slow(struct rle *r, uint32_t v);

/* Append one value (< 2^bw). */
static inline void
rle_put(struct rle *r, uint32_t v)
{
	if (r->run_len > 0 && v == r->run_val)
		r->run_len++;
	else
		rle_put_slow(r, v);
}

/*
 * Flush everything: r->out then holds the complete encoding (the last
 * bit-packed run padded with zeros).  -1 if memory ran out at any point.
 */
int rle_finish(struct rle *r);

/*
 * Bytes the encoding will take at most, if finished now (an estimate).
 * Inline, as rle_bit_width: a page's size is asked at every row end.
 */
static inline size_t
rle_size(const struct rle *r)
{
	return r->out.len + (r->nlit * (size_t)r->bw + 7) / 8 + 16;
}

/* Bits needed for values 0..max (0 for max 0). */
static inline int
rle_bit_width(uint32_t max)
{
	return max == 0 ? 0 : 32 - __builtin_clz(max);
}

/*
 * The hash of a value's PLAIN bytes (no length prefix) that places it
 * in a column's dictionary: made where the row is shredded, used where
 * the column is written.
 */
uint32_t pq_hash(const void *p, size_t n);


/* Parquet CompressionCodec values. */
enum {
	PQZ_UNCOMPRESSED = 0, PQZ_SNAPPY = 1, PQZ_GZIP = 2,
	PQZ_ZSTD = 6
};

/* A page compressor, holding reusable library state and output space. */
struct pqz {
	int codec;
	void *zstd;		/* ZSTD_CCtx * */
	void *gz;		/* z_stream * */
	unsigned char *buf;	/* output space */
	size_t cap;
	const unsigned char *p;	/* the last output: buf, or the input */
	size_t len;
};

/*
 * Pick the codec by name: "snappy", "zstd", "gzip" or "none".  -1 (USAGE)
 * for another name, -1 (SOFTWARE) if the library cannot be set up.
 */
int pqz_init(struct pqz *z, const char *name, struct fk_err *e);
void pqz_free(struct pqz *z);
/*
 * Compress in[0..n) into z->p/z->len, valid until the next call (for
 * "none", z->p is in itself).  -1 with e filled on failure.
 */
int pqz_run(struct pqz *z, const void *in, size_t n, struct fk_err *e);

#endif
