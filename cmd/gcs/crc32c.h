/*
 * crc32c.h: CRC-32C (Castagnoli), the checksum Cloud Storage keeps for
 * every object.  libgcrypt has CRC-32 but not this polynomial.
 *
 * Parameters: reflected polynomial 0x82F63B78, initial value and final
 * XOR 0xFFFFFFFF; the check value of "123456789" is 0xE3069283.
 */
#ifndef GCS_CRC32C_H
#define GCS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC over n more bytes.  Start with crc = 0; feeding a
 * stream in pieces gives the same value as feeding it whole (the
 * pre- and post-inversion happen inside, as with zlib's crc32()).
 * Uses the SSE4.2 crc32 instruction when the CPU has it.
 */
uint32_t gcs_crc32c(uint32_t crc, const void *p, size_t n);

/* The portable slice-by-8 path alone (for tests and comparison). */
uint32_t gcs_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* Nonzero if gcs_crc32c uses the hardware instruction. */
/* Exported for tests/unit only. */
int gcs_crc32c_hw(void);

#endif
