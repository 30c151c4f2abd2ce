/*
 * pq_enc.c: the RLE/bit-packed hybrid, the dictionary hash and page
 * compression for the Parquet writer (see pq_enc.h).
 *
 * Facts used (parquet-format Encodings.md): a run header is a varint;
 * (count << 1) for an RLE run, followed by the value in
 * ceil(bit-width / 8) little-endian bytes; (groups << 1 | 1) for a
 * bit-packed run of groups of 8 values, packed from the least
 * significant bit of each byte.  Only the last run may be padded.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "pq_enc.h"
#include "shape/write/varint.h"

static void
rle_out(struct rle *r, const void *p, size_t n)
{
	if (fk_buf_add(&r->out, p, n) == -1)
		r->failed = 1;
}

static void
rle_varint(struct rle *r, uint64_t v)
{
	unsigned char tmp[VARINT_MAX];

	rle_out(r, tmp, varint_put(tmp, v));
}

/* One bit-packed run of n values (n a multiple of 8, at most 504). */
static void
rle_pack(struct rle *r, const uint32_t *v, size_t n)
{
	unsigned char tmp[RLE_MAXLIT * 4];
	uint64_t acc = 0;
	size_t i, o = 0;
	int nb = 0;

	rle_varint(r, (uint64_t)(n / 8) << 1 | 1);
	for (i = 0; i < n; i++) {
		acc |= (uint64_t)v[i] << nb;
		nb += r->bw;
		while (nb >= 8) {
			tmp[o++] = (unsigned char)acc;
			acc >>= 8;
			nb -= 8;
		}
	}
	rle_out(r, tmp, o);
}

static void
rle_run(struct rle *r, uint32_t v, size_t count)
{
	unsigned char tmp[4];
	int i, nbytes = (r->bw + 7) / 8;

	rle_varint(r, (uint64_t)count << 1);
	for (i = 0; i < nbytes; i++)
		tmp[i] = (unsigned char)(v >> (8 * i));
	rle_out(r, tmp, (size_t)nbytes);
}

/* Add fewer than 8 values to the literals, packing a full run. */
static void
rle_lit(struct rle *r, uint32_t v, size_t count)
{
	while (count-- > 0)
		r->lit[r->nlit++] = v;
	if (r->nlit >= RLE_MAXLIT) {
		rle_pack(r, r->lit, RLE_MAXLIT);
		r->nlit -= RLE_MAXLIT;
		memmove(r->lit, r->lit + RLE_MAXLIT,
		    r->nlit * sizeof(r->lit[0]));
	}
}

/*
 * The trailing run ends.  A run of 8 or more becomes an RLE run, after
 * lending values to complete the literals' last group: bit-packed runs
 * other than the last must hold whole groups.
 */
static void
rle_commit(struct rle *r)
{
	size_t fill;

	if (r->run_len >= 8) {
		fill = (8 - r->nlit % 8) % 8;
		rle_lit(r, r->run_val, fill);
		r->run_len -= fill;
	}
	if (r->run_len >= 8) {
		if (r->nlit > 0)
			rle_pack(r, r->lit, r->nlit);
		r->nlit = 0;
		rle_run(r, r->run_val, r->run_len);
	} else {
		rle_lit(r, r->run_val, r->run_len);
	}
	r->run_len = 0;
}

void
rle_put_slow(struct rle *r, uint32_t v)
{
	if (r->run_len > 0)
		rle_commit(r);
	r->run_val = v;
	r->run_len = 1;
}

int
rle_finish(struct rle *r)
{
	if (r->run_len > 0)
		rle_commit(r);
	if (r->nlit > 0) {
		while (r->nlit % 8 != 0)
			r->lit[r->nlit++] = 0;
		rle_pack(r, r->lit, r->nlit);
		r->nlit = 0;
	}
	return r->failed ? -1 : 0;
}

void
rle_reset(struct rle *r, int bw)
{
	r->bw = bw;
	fk_buf_reset(&r->out);
	r->nlit = 0;
	r->run_len = 0;
	r->failed = 0;
}

void
rle_free(struct rle *r)
{
	fk_buf_free(&r->out);
}

/* Eight bytes at a time, then a full mix: slots take the low bits. */
uint32_t
pq_hash(const void *v, size_t n)
{
	const unsigned char *p = v;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 31;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

int
pqz_init(struct pqz *z, const char *name, struct fk_err *e)
{
	z_stream *gz;

	memset(z, 0, sizeof(*z));
	if (name == NULL || strcmp(name, "snappy") == 0) {
		z->codec = PQZ_SNAPPY;
	} else if (strcmp(name, "none") == 0) {
		z->codec = PQZ_UNCOMPRESSED;
	} else if (strcmp(name, "zstd") == 0) {
		z->codec = PQZ_ZSTD;
		z->zstd = ZSTD_createCCtx();
		if (z->zstd == NULL)
			return fk_fail(e, FK_EX_SOFTWARE,
			    "cannot set up zstd compression");
	} else if (strcmp(name, "gzip") == 0) {
		z->codec = PQZ_GZIP;
		gz = calloc(1, sizeof(*gz));
		if (gz == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		/* windowBits 15 + 16: zlib writes the gzip framing. */
		if (deflateInit2(gz, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16,
		    8, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(gz);
			return fk_fail(e, FK_EX_SOFTWARE,
			    "cannot set up gzip compression");
		}
		z->gz = gz;
	} else {
		return fk_fail(e, FK_EX_USAGE, "unknown compression '%s' "
		    "(snappy, zstd, gzip or none)", name);
	}
	return 0;
}

void
pqz_free(struct pqz *z)
{
	if (z->zstd != NULL)
		ZSTD_freeCCtx(z->zstd);
	if (z->gz != NULL) {
		deflateEnd(z->gz);
		free(z->gz);
	}
	free(z->buf);
	memset(z, 0, sizeof(*z));
}

static int
pqz_room(struct pqz *z, size_t need, struct fk_err *e)
{
	unsigned char *p;

	if (need <= z->cap)
		return 0;
	p = realloc(z->buf, need);
	if (p == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	z->buf = p;
	z->cap = need;
	return 0;
}

static int
pqz_gzip(struct pqz *z, const void *in, size_t n, struct fk_err *e)
{
	z_stream *gz = z->gz;

	if (pqz_room(z, deflateBound(gz, (uLong)n), e) == -1)
		return -1;
	if (deflateReset(gz) != Z_OK)
		return fk_fail(e, FK_EX_SOFTWARE, "gzip compression failed");
	gz->next_in = (Bytef *)(uintptr_t)in;
	gz->avail_in = (uInt)n;
	gz->next_out = z->buf;
	gz->avail_out = (uInt)z->cap;
	if (deflate(gz, Z_FINISH) != Z_STREAM_END)
		return fk_fail(e, FK_EX_SOFTWARE, "gzip compression failed");
	z->len = gz->total_out;
	z->p = z->buf;
	return 0;
}

int
pqz_run(struct pqz *z, const void *in, size_t n, struct fk_err *e)
{
	size_t r;

	/* Pages are counted in i32; callers keep them far smaller. */
	if (n > INT_MAX / 2)
		return fk_fail(e, FK_EX_DATAERR, "parquet page too large");
	switch (z->codec) {
	case PQZ_SNAPPY:
		if (pqz_room(z, snappy_max_compressed_length(n), e) == -1)
			return -1;
		z->len = z->cap;
		if (snappy_compress(in, n, (char *)z->buf, &z->len) !=
		    SNAPPY_OK)
			return fk_fail(e, FK_EX_SOFTWARE,
			    "snappy compression failed");
		z->p = z->buf;
		return 0;
	case PQZ_ZSTD:
		if (pqz_room(z, ZSTD_compressBound(n), e) == -1)
			return -1;
		r = ZSTD_compressCCtx(z->zstd, z->buf, z->cap, in, n,
		    ZSTD_CLEVEL_DEFAULT);
		if (ZSTD_isError(r))
			return fk_fail(e, FK_EX_SOFTWARE, "zstd compression "
			    "failed: %s", ZSTD_getErrorName(r));
		z->len = r;
		z->p = z->buf;
		return 0;
	case PQZ_GZIP:
		return pqz_gzip(z, in, n, e);
	default:
		z->p = in;
		z->len = n;
		return 0;
	}
}
