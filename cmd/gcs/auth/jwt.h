/*
 * jwt.h: RS256 JSON Web Tokens (RFC 7515, RFC 7519) signed with
 * libgcrypt, for service-account keys (gcp-protocols.md B.3, B.6).
 */
#ifndef GCS_AUTH_JWT_H
#define GCS_AUTH_JWT_H

#include <stddef.h>

#include "fk.h"

struct jwt_rsa;

/*
 * Initialise libgcrypt if the program has not (idempotent, thread-safe);
 * quiet: no secure-memory warnings on stderr.  -1 with e filled if the
 * library is too old.
 */
int jwt_crypto_init(struct fk_err *e);

/*
 * An RSA private key from PEM text (PKCS#8 "PRIVATE KEY", as in
 * service-account key files, or PKCS#1 "RSA PRIVATE KEY").  The key is
 * checked for consistency and must have 2048 to 16384 bits.  NULL with
 * e filled (FK_EX_CONFIG); intermediate copies are wiped.
 */
struct jwt_rsa *jwt_rsa_from_pem(const char *pem, size_t len, struct fk_err *e);

/* Size of the modulus in bits. */
/* Exported for tests/unit only. */
unsigned int jwt_rsa_bits(const struct jwt_rsa *k);

/* Wipe and free (NULL is fine). */
void jwt_rsa_free(struct jwt_rsa *k);

/*
 * The compact JWS base64url(header) "." base64url(claims) "."
 * base64url(RSASSA-PKCS1-v1_5-SHA256 signature), from the header and
 * claims as JSON text.  Malloc'ed, or NULL with e filled.
 */
char *jwt_sign(const struct jwt_rsa *k, const char *header,
    const char *claims, struct fk_err *e);

#endif
