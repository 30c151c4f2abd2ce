/*
 * digest.h: the two hashes Cloud Storage checks, kept while streaming:
 * CRC-32C (crc32c.h) and MD5 (libgcrypt), and their base64 forms as the
 * JSON API and X-Goog-Hash spell them.  libgcrypt must have been
 * initialised by the program (gcry_check_version) before use.
 */
#ifndef GCS_DIGEST_H
#define GCS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <gcrypt.h>

#include "fk.h"

struct gcs_digest {
	uint32_t crc;
	gcry_md_hd_t md5;
	unsigned long long n;	/* bytes hashed so far */
};

/* The base64 forms: 4 bytes -> 8 characters, 16 bytes -> 24, plus NUL. */
struct gcs_sums {
	char crc32c[9];
	char md5[25];
	unsigned long long size;
};

/* 0, or -1 with e filled (FK_EX_SOFTWARE) if libgcrypt refuses. */
int gcs_digest_init(struct gcs_digest *d, struct fk_err *e);

void gcs_digest_update(struct gcs_digest *d, const void *p, size_t n);

/*
 * The sums of the bytes hashed so far, without ending the digest (more
 * bytes may follow).  -1 with e filled if libgcrypt fails.
 */
int gcs_digest_sums(const struct gcs_digest *d, struct gcs_sums *out,
    struct fk_err *e);

void gcs_digest_free(struct gcs_digest *d);

/* CRC-32C in the object resource's form: base64 of the big-endian bytes. */
void gcs_crc32c_b64(uint32_t crc, char out[9]);

#endif
