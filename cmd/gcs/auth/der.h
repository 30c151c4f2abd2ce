/*
 * der.h: just enough PEM and DER to read an RSA private key, for the
 * service-account keys of auth.c.  libgcrypt takes the key as an
 * s-expression of integers and parses neither PEM nor PKCS#8, so the
 * armor, the base64 and the ASN.1 are undone here.
 *
 * Key material passes through these functions: callers wipe and free
 * what they get back (explicit_bzero, then free).
 */
#ifndef GCS_AUTH_DER_H
#define GCS_AUTH_DER_H

#include <stddef.h>

#include "b64.h"
#include "fk.h"

/* What a PEM block holds, from its "-----BEGIN ...-----" label. */
enum der_pem_kind {
	DER_PEM_PKCS8 = 1,	/* "PRIVATE KEY": PKCS#8 PrivateKeyInfo */
	DER_PEM_PKCS1		/* "RSA PRIVATE KEY": PKCS#1 RSAPrivateKey */
};

/*
 * Decode the first private-key PEM block of text[0..len): strip the
 * armor, base64-decode the body.  Returns DER_PEM_PKCS8 or DER_PEM_PKCS1
 * with *der (malloc'ed, len *derlen) set, or -1 with e filled (code
 * FK_EX_CONFIG; the message never quotes the key).
 */
int der_pem_decode(const char *text, size_t len, unsigned char **der,
    size_t *derlen, struct fk_err *e);

/* A big-endian unsigned integer inside a DER buffer (borrowed). */
struct der_int {
	const unsigned char *p;	/* no leading zero byte */
	size_t len;
};

/* The integers of an RSAPrivateKey, in PKCS#1 order. */
enum {
	DER_RSA_N, DER_RSA_E, DER_RSA_D, DER_RSA_P, DER_RSA_Q, DER_RSA_DP,
	DER_RSA_DQ, DER_RSA_QINV, DER_RSA_NINT
};

/*
 * Walk a PKCS#8 PrivateKeyInfo (kind DER_PEM_PKCS8: version, the
 * rsaEncryption algorithm, an OCTET STRING holding the RSAPrivateKey) or
 * a bare RSAPrivateKey (DER_PEM_PKCS1) and point ints[] at its eight
 * integers.  0, or -1 with e filled (FK_EX_CONFIG).
 */
int der_rsa_private(const unsigned char *der, size_t len, int kind,
    struct der_int ints[DER_RSA_NINT], struct fk_err *e);


#endif
