/*
 * varint.h: the base-128 varint that Avro longs, Thrift's compact
 * protocol and Parquet's RLE run headers all use: 7 bits a byte, the
 * low group first, the top bit set on every byte but the last (unsigned
 * LEB128).  Avro and Thrift zigzag a signed value first, so that a
 * small negative number stays short.
 *
 * Inline: Parquet writes a run header for every run of levels and
 * dictionary indices.
 */
#ifndef FK_SHAPE_VARINT_H
#define FK_SHAPE_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX 10	/* bytes of the longest, 2^64 - 1 */

/* 0, -1, 1, -2, 2 ... to 0, 1, 2, 3, 4 ... */
static inline uint64_t
varint_zigzag(int64_t v)
{
	uint64_t u = (uint64_t)v;

	return u << 1 ^ (0 - (u >> 63));
}

/* v as a varint into out; its length, 1 to VARINT_MAX. */
static inline size_t
varint_put(unsigned char out[VARINT_MAX], uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

#endif
