/*
 * digest.c: streaming CRC-32C and MD5 with base64 output (see digest.h).
 */
#include <string.h>

#include <gcrypt.h>

#include "b64.h"
#include "crc32c.h"
#include "digest.h"

int
gcs_digest_init(struct gcs_digest *d, struct fk_err *e)
{
	gcry_error_t ge;

	memset(d, 0, sizeof(*d));
	ge = gcry_md_open(&d->md5, GCRY_MD_MD5, 0);
	if (ge != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "cannot start MD5: %s",
		    gcry_strerror(ge));
	return 0;
}

void
gcs_digest_update(struct gcs_digest *d, const void *p, size_t n)
{
	if (n == 0)
		return;
	d->crc = gcs_crc32c(d->crc, p, n);
	gcry_md_write(d->md5, p, n);
	d->n += n;
}

int
gcs_digest_sums(const struct gcs_digest *d, struct gcs_sums *out,
    struct fk_err *e)
{
	gcry_md_hd_t tmp;
	gcry_error_t ge;

	/* gcry_md_read finalises its handle: read a copy, keep going. */
	ge = gcry_md_copy(&tmp, d->md5);
	if (ge != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "cannot read MD5: %s",
		    gcry_strerror(ge));
	fk_b64_encode(gcry_md_read(tmp, GCRY_MD_MD5), 16, out->md5,
	    FK_B64_STD);
	gcry_md_close(tmp);
	gcs_crc32c_b64(d->crc, out->crc32c);
	out->size = d->n;
	return 0;
}

void
gcs_digest_free(struct gcs_digest *d)
{
	gcry_md_close(d->md5);
	d->md5 = NULL;
}

void
gcs_crc32c_b64(uint32_t crc, char out[9])
{
	unsigned char be[4];

	be[0] = (unsigned char)(crc >> 24);
	be[1] = (unsigned char)(crc >> 16);
	be[2] = (unsigned char)(crc >> 8);
	be[3] = (unsigned char)crc;
	fk_b64_encode(be, 4, out, FK_B64_STD);
}
