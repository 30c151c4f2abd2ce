/*
 * jwt.h: RS256 JSON Web Tokens (RFC 7515, RFC 7519) signed with
 * libgcrypt, for service-account keys (gcp-protocols.md B.3, B.6).
 */
#ifndef FK_GCS_JWT_H
#define FK_GCS_JWT_H

#include <stddef.h>

#include "fk.h"

struct fk_rsa;

/*
 * Initialise libgcrypt if the program has not (idempotent, thread-safe);
 * quiet: no secure-memory warnings on stderr.  -1 with e filled if the
 * library is too old.
 */
int fk_jwt_crypto_init(struct fk_err *e);

/*
 * An RSA private key from PEM text (PKCS#8 "PRIVATE KEY", as in
 * service-account key files, or PKCS#1 "RSA PRIVATE KEY").  The key is
 * checked for consistency and must have 2048 to 16384 bits.  NULL with
 * e filled (FK_EX_CONFIG); intermediate copies are wiped.
 */
struct fk_rsa *fk_rsa_from_pem(const char *pem, size_t len, struct fk_err *e);

/* Size of the modulus in bits. */
unsigned int fk_rsa_bits(const struct fk_rsa *k);

/* Wipe and free (NULL is fine). */
void fk_rsa_free(struct fk_rsa *k);

/*
 * The compact JWS base64url(header) "." base64url(claims) "."
 * base64url(RSASSA-PKCS1-v1_5-SHA256 signature), from the header and
 * claims as JSON text.  Malloc'ed, or NULL with e filled.
 */
char *fk_jwt_sign(const struct fk_rsa *k, const char *header,
    const char *claims, struct fk_err *e);

/*
 * base64url without padding (RFC 7515 section 2) of src[0..n) into dst,
 * which needs (n + 2) / 3 * 4 + 1 bytes; NUL-terminated.  Returns the
 * length written.
 */
size_t fk_b64url_encode(const void *src, size_t n, char *dst);

#endif
