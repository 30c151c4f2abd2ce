/*
 * jwt.c: RSA private keys for libgcrypt and RS256 JWTs (jwt.h).
 *
 * libgcrypt's RSA secret key is (n e d p q u) with p < q and
 * u = p^-1 mod q, whereas PKCS#1 stores qInv = q^-1 mod p.  Rather than
 * trusting the file's prime order, the primes are sorted and u is
 * computed; gcry_pk_testkey then rejects a key whose parts disagree.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "b64.h"
#include "der.h"
#include "jwt.h"

#define GCRYPT_MIN "1.8.0"
#define MIN_BITS 2048
#define MAX_BITS 16384

struct jwt_rsa {
	gcry_sexp_t sk;
	unsigned int bits;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ok;

static void
crypto_init(void)
{
	/* The program may have set libgcrypt up already: leave it be. */
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		init_ok = gcry_check_version(GCRYPT_MIN) != NULL;
		return;
	}
	if (gcry_check_version(GCRYPT_MIN) == NULL)
		return;
	/*
	 * Keys live in locked memory where the system allows it; where it
	 * does not, libgcrypt would print a warning, and only cmd/ prints.
	 */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	init_ok = 1;
}

int
jwt_crypto_init(struct fk_err *e)
{
	pthread_once(&init_once, crypto_init);
	if (!init_ok)
		return fk_fail(e, FK_EX_SOFTWARE,
		    "libgcrypt %s or later needed", GCRYPT_MIN);
	return 0;
}

static size_t
b64url_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* The PEM's DER in secure memory, so that the MPIs scanned from it are too. */
static unsigned char *
secure_der(const char *pem, size_t len, int *kind, size_t *dlen,
    struct fk_err *e)
{
	unsigned char *der, *s;

	*kind = der_pem_decode(pem, len, &der, dlen, e);
	if (*kind < 0)
		return NULL;
	s = gcry_malloc_secure(*dlen);
	if (s != NULL)
		memcpy(s, der, *dlen);
	else
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	explicit_bzero(der, *dlen);
	free(der);
	return s;
}

/* The libgcrypt key pair as s-expressions from PKCS#1 integers. */
static int
build_key(struct der_int ints[DER_RSA_NINT], gcry_sexp_t *sk,
    gcry_sexp_t *pk, struct fk_err *e)
{
	static const int want[] = { DER_RSA_N, DER_RSA_E, DER_RSA_D, DER_RSA_P,
	    DER_RSA_Q };
	gcry_mpi_t m[6] = { NULL }, t;
	size_t i;
	int rc = -1;

	for (i = 0; i < 5; i++)
		if (gcry_mpi_scan(&m[i], GCRYMPI_FMT_USG, ints[want[i]].p,
		    ints[want[i]].len, NULL) != 0) {
			fk_fail(e, FK_EX_CONFIG,
			    "RSA private key is malformed");
			goto out;
		}
	if (gcry_mpi_cmp(m[3], m[4]) > 0) {
		t = m[3];
		m[3] = m[4];
		m[4] = t;
	}
	m[5] = gcry_mpi_snew(0);
	if (!gcry_mpi_invm(m[5], m[3], m[4])) {
		fk_fail(e, FK_EX_CONFIG, "RSA private key is inconsistent");
		goto out;
	}
	if (gcry_sexp_build(sk, NULL,
	    "(private-key (rsa (n %m)(e %m)(d %m)(p %m)(q %m)(u %m)))",
	    m[0], m[1], m[2], m[3], m[4], m[5]) != 0 ||
	    gcry_sexp_build(pk, NULL, "(public-key (rsa (n %m)(e %m)))",
	    m[0], m[1]) != 0) {
		fk_fail(e, FK_EX_CONFIG, "RSA private key is malformed");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < 6; i++)
		gcry_mpi_release(m[i]);	/* libgcrypt wipes limbs on release */
	return rc;
}

/*
 * gcry_pk_testkey only checks n = p * q: a damaged d or e would go
 * unnoticed until the token endpoint refused the signature.  One
 * signature verified with the public half catches it here, as a
 * configuration error.
 */
static int
selftest(gcry_sexp_t sk, gcry_sexp_t pk)
{
	unsigned char digest[32];
	gcry_sexp_t data = NULL, sig = NULL;
	int ok;

	gcry_md_hash_buffer(GCRY_MD_SHA256, digest, "fk", 2);
	ok = gcry_sexp_build(&data, NULL,
	    "(data (flags pkcs1) (hash sha256 %b))", (int)sizeof(digest),
	    digest) == 0 && gcry_pk_sign(&sig, data, sk) == 0 &&
	    gcry_pk_verify(sig, data, pk) == 0;
	gcry_sexp_release(data);
	gcry_sexp_release(sig);
	return ok ? 0 : -1;
}

struct jwt_rsa *
jwt_rsa_from_pem(const char *pem, size_t len, struct fk_err *e)
{
	struct der_int ints[DER_RSA_NINT];
	struct jwt_rsa *k = NULL;
	gcry_sexp_t sk = NULL, pk = NULL;
	unsigned char *der;
	size_t dlen;
	unsigned int bits;
	int kind;

	if (jwt_crypto_init(e) < 0)
		return NULL;
	der = secure_der(pem, len, &kind, &dlen, e);
	if (der == NULL)
		return NULL;
	if (der_rsa_private(der, dlen, kind, ints, e) < 0 ||
	    build_key(ints, &sk, &pk, e) < 0)
		goto out;
	if (gcry_pk_testkey(sk) != 0 || selftest(sk, pk) < 0) {
		fk_fail(e, FK_EX_CONFIG, "RSA private key is inconsistent");
		goto out;
	}
	bits = gcry_pk_get_nbits(sk);
	if (bits < MIN_BITS || bits > MAX_BITS) {
		fk_fail(e, FK_EX_CONFIG, "RSA key of %u bits not accepted "
		    "(%d to %d)", bits, MIN_BITS, MAX_BITS);
		goto out;
	}
	k = malloc(sizeof(*k));
	if (k == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	k->sk = sk;
	k->bits = bits;
	sk = NULL;
out:
	gcry_sexp_release(sk);
	gcry_sexp_release(pk);
	gcry_free(der);	/* secure memory is wiped when freed */
	return k;
}

unsigned int
jwt_rsa_bits(const struct jwt_rsa *k)
{
	return k->bits;
}

void
jwt_rsa_free(struct jwt_rsa *k)
{
	if (k == NULL)
		return;
	gcry_sexp_release(k->sk);
	free(k);
}

/* The RSASSA-PKCS1-v1_5 SHA-256 signature of msg, exactly klen bytes. */
static int
rs256(const struct jwt_rsa *k, const char *msg, size_t n, unsigned char *sig,
    size_t klen, struct fk_err *e)
{
	unsigned char digest[32];
	gcry_sexp_t data = NULL, sv = NULL, s = NULL;
	gcry_mpi_t m = NULL;
	size_t need;
	int rc = -1;

	gcry_md_hash_buffer(GCRY_MD_SHA256, digest, msg, n);
	if (gcry_sexp_build(&data, NULL,
	    "(data (flags pkcs1) (hash sha256 %b))", (int)sizeof(digest),
	    digest) != 0 || gcry_pk_sign(&sv, data, k->sk) != 0)
		goto out;
	s = gcry_sexp_find_token(sv, "s", 0);
	m = s == NULL ? NULL : gcry_sexp_nth_mpi(s, 1, GCRYMPI_FMT_USG);
	if (m == NULL ||
	    gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &need, m) != 0 ||
	    need > klen)
		goto out;
	/* JWS wants the full modulus length: keep the leading zeros. */
	memset(sig, 0, klen - need);
	if (gcry_mpi_print(GCRYMPI_FMT_USG, sig + klen - need, need, NULL,
	    m) == 0)
		rc = 0;
out:
	if (rc < 0)
		fk_fail(e, FK_EX_SOFTWARE, "cannot sign with the RSA key");
	gcry_mpi_release(m);
	gcry_sexp_release(s);
	gcry_sexp_release(sv);
	gcry_sexp_release(data);
	return rc;
}

char *
jwt_sign(const struct jwt_rsa *k, const char *header, const char *claims,
    struct fk_err *e)
{
	size_t hlen = strlen(header), clen = strlen(claims);
	size_t klen = (k->bits + 7) / 8, n;
	unsigned char *sig;
	char *out;

	sig = malloc(klen);
	out = malloc(b64url_len(hlen) + b64url_len(clen) + b64url_len(klen) +
	    3);
	if (sig == NULL || out == NULL) {
		free(sig);
		free(out);
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	n = fk_b64_encode(header, hlen, out, FK_B64_URL);
	out[n++] = '.';
	n += fk_b64_encode(claims, clen, out + n, FK_B64_URL);
	if (rs256(k, out, n, sig, klen, e) < 0) {
		free(sig);
		free(out);
		return NULL;
	}
	out[n++] = '.';
	fk_b64_encode(sig, klen, out + n, FK_B64_URL);
	free(sig);
	return out;
}
