/*
 * test_varint.c: the one varint encoder (cmd/shape/write/varint.h) that
 * Avro, Thrift and Parquet's RLE share, against known byte strings:
 * zigzagged for signed values, as Avro longs and Thrift integers, and
 * plain (unsigned LEB128) as Parquet's run headers and Thrift lengths.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "shape/write/varint.h"

struct vec {
	uint64_t v;
	size_t n;
	unsigned char b[VARINT_MAX];
};

static const struct {
	int64_t v;
	uint64_t zz;
} zigzags[] = {
	{ 0, 0 }, { -1, 1 }, { 1, 2 }, { -2, 3 }, { 63, 126 }, { -64, 127 },
	{ 64, 128 }, { 127, 254 }, { 128, 256 }, { 300, 600 },
	{ INT64_MAX, UINT64_MAX - 1 }, { INT64_MIN, UINT64_MAX },
};

/* Unsigned LEB128, as the Parquet and Thrift specifications spell it. */
static const struct vec plain[] = {
	{ 0, 1, { 0x00 } },
	{ 1, 1, { 0x01 } },
	{ 63, 1, { 0x3f } },
	{ 64, 1, { 0x40 } },
	{ 127, 1, { 0x7f } },
	{ 128, 2, { 0x80, 0x01 } },
	{ 300, 2, { 0xac, 0x02 } },
	{ 16383, 2, { 0xff, 0x7f } },
	{ 16384, 3, { 0x80, 0x80, 0x01 } },
	{ UINT64_MAX, 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0x01 } },
};

/* Avro longs (the Avro specification's table: 0 00, -1 01, 1 02 ...). */
static const struct {
	int64_t v;
	size_t n;
	unsigned char b[VARINT_MAX];
} avro[] = {
	{ 0, 1, { 0x00 } },
	{ 1, 1, { 0x02 } },
	{ -1, 1, { 0x01 } },
	{ 63, 1, { 0x7e } },
	{ -64, 1, { 0x7f } },
	{ 64, 2, { 0x80, 0x01 } },
	{ 127, 2, { 0xfe, 0x01 } },
	{ 128, 2, { 0x80, 0x02 } },
	{ 300, 2, { 0xd8, 0x04 } },
	{ INT64_MAX, 10, { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0x01 } },
	{ INT64_MIN, 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0x01 } },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
put_is(uint64_t v, const unsigned char *want, size_t n)
{
	unsigned char out[VARINT_MAX + 1];
	size_t got;

	memset(out, 0xaa, sizeof(out));
	got = varint_put(out, v);
	/* No byte past the encoding is touched. */
	return got == n && memcmp(out, want, n) == 0 && out[n] == 0xaa;
}

int
main(void)
{
	size_t i;

	for (i = 0; i < NELEM(zigzags); i++)
		T_OK(varint_zigzag(zigzags[i].v) == zigzags[i].zz,
		    "zigzag %" PRId64 " is %" PRIu64, zigzags[i].v,
		    zigzags[i].zz);
	for (i = 0; i < NELEM(plain); i++)
		T_OK(put_is(plain[i].v, plain[i].b, plain[i].n),
		    "varint %" PRIu64 " in %zu bytes", plain[i].v, plain[i].n);
	for (i = 0; i < NELEM(avro); i++)
		T_OK(put_is(varint_zigzag(avro[i].v), avro[i].b, avro[i].n),
		    "zigzag varint %" PRId64 " in %zu bytes", avro[i].v,
		    avro[i].n);
	T_DONE();
}
