/*
 * crc32c.c: CRC-32C by slice-by-8 tables, or by the SSE4.2 crc32
 * instruction when the CPU has it (see crc32c.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define HAVE_X86_CRC 1
#endif

#include "crc32c.h"

#define POLY 0x82F63B78u

static uint32_t tab[8][256];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* tab[k][b]: the CRC of byte b followed by k zero bytes. */
static void
make_tables(void)
{
	uint32_t c;
	int b, i, k;

	for (b = 0; b < 256; b++) {
		c = (uint32_t)b;
		for (i = 0; i < 8; i++)
			c = (c >> 1) ^ (c & 1 ? POLY : 0);
		tab[0][b] = c;
	}
	for (b = 0; b < 256; b++)
		for (k = 1; k < 8; k++)
			tab[k][b] = (tab[k - 1][b] >> 8) ^
			    tab[0][tab[k - 1][b] & 0xff];
}

uint32_t
gcs_crc32c_sw(uint32_t crc, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint64_t w;

	pthread_once(&tab_once, make_tables);
	crc = ~crc;
	for (; n > 0 && ((uintptr_t)p & 7) != 0; n--)
		crc = (crc >> 8) ^ tab[0][(crc ^ *p++) & 0xff];
	for (; n >= 8; n -= 8, p += 8) {
		/* Little-endian load: the low byte is the first on the wire. */
		w = (uint64_t)p[0] | (uint64_t)p[1] << 8 |
		    (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
		    (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
		    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
		w ^= crc;
		crc = tab[7][w & 0xff] ^ tab[6][(w >> 8) & 0xff] ^
		    tab[5][(w >> 16) & 0xff] ^ tab[4][(w >> 24) & 0xff] ^
		    tab[3][(w >> 32) & 0xff] ^ tab[2][(w >> 40) & 0xff] ^
		    tab[1][(w >> 48) & 0xff] ^ tab[0][w >> 56];
	}
	for (; n > 0; n--)
		crc = (crc >> 8) ^ tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

#ifdef HAVE_X86_CRC
__attribute__((target("sse4.2"))) static uint32_t
crc32c_x86(uint32_t crc, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint64_t c = ~crc, w;

	for (; n > 0 && ((uintptr_t)p & 7) != 0; n--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, sizeof(w));
		c = _mm_crc32_u64(c, w);
	}
	for (; n > 0; n--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#endif

int
gcs_crc32c_hw(void)
{
#ifdef HAVE_X86_CRC
	return __builtin_cpu_supports("sse4.2");
#else
	return 0;
#endif
}

uint32_t
gcs_crc32c(uint32_t crc, const void *buf, size_t n)
{
#ifdef HAVE_X86_CRC
	/* A load from libgcc's CPU model: cheap enough per call. */
	if (__builtin_cpu_supports("sse4.2"))
		return crc32c_x86(crc, buf, n);
#endif
	return gcs_crc32c_sw(crc, buf, n);
}
