/*
 * test_auth.c: unit tests for gcs-put's credentials (cmd/gcs/auth.c,
 * jwt.c, der.c): base64, DER and PEM parsing, RSA import and RS256
 * signatures checked by libgcrypt, the ADC lookup and its errors.  Keys
 * are generated at run time; none is stored.
 *
 * With arguments it is a driver for the shell tests (tests/38x-*.sh):
 *   test_auth jwt KEYFILE OUT     sign a fixed JWT with the key file's
 *                                 private_key and write it to OUT
 *   test_auth get URL N [PAUSE] [DIR]
 *                                 N authorised GETs of URL through
 *                                 auth_header, PAUSE seconds apart; on a 401
 *                                 invalidate and retry once; after the
 *                                 first, touch DIR/ready and wait for
 *                                 DIR/go.  Prints statuses, never tokens.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "fk.h"
#include "b64.h"
#include "gcs/auth/auth.h"
#include "gcs/auth/der.h"
#include "gcs/auth/jwt.h"
#include "http.h"
#include "json.h"
#include "t.h"

#define CLIENT_SECRET "sekrit-client-XYZZY-0123"
#define REFRESH_TOKEN "1//refresh-PLUGH-456789"

/* ---- a tiny DER writer for building keys */

struct w {
	unsigned char b[8192];
	size_t n;
};

static void
put(struct w *w, const void *p, size_t n)
{
	if (w->n + n <= sizeof(w->b))
		memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
tlv(struct w *w, int tag, const void *p, size_t n)
{
	unsigned char h[6];
	size_t hl = 0;

	h[hl++] = (unsigned char)tag;
	if (n < 0x80) {
		h[hl++] = (unsigned char)n;
	} else if (n < 0x100) {
		h[hl++] = 0x81;
		h[hl++] = (unsigned char)n;
	} else {
		h[hl++] = 0x82;
		h[hl++] = (unsigned char)(n >> 8);
		h[hl++] = (unsigned char)n;
	}
	put(w, h, hl);
	put(w, p, n);
}

/* An INTEGER from big-endian unsigned bytes (a 0 is prefixed if needed). */
static void
uint_be(struct w *w, const unsigned char *p, size_t n)
{
	unsigned char buf[1100];

	while (n > 1 && p[0] == 0)
		p++, n--;
	buf[0] = 0;
	memcpy(buf + 1, p, n);
	if (p[0] & 0x80)
		tlv(w, 0x02, buf, n + 1);
	else
		tlv(w, 0x02, buf + 1, n);
}

static void
uint_small(struct w *w, unsigned v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	uint_be(w, b, 4);
}

static void
uint_mpi(struct w *w, gcry_mpi_t m)
{
	unsigned char buf[1100];
	size_t n;

	gcry_mpi_print(GCRYMPI_FMT_USG, buf, sizeof(buf), &n, m);
	uint_be(w, buf, n);
}

static const unsigned char rsa_alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
    0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

/* PrivateKeyInfo around an RSAPrivateKey. */
static void
pkcs8_wrap(struct w *out, const struct w *pkcs1)
{
	struct w body = { .n = 0 };

	uint_small(&body, 0);
	put(&body, rsa_alg, sizeof(rsa_alg));
	tlv(&body, 0x04, pkcs1->b, pkcs1->n);
	out->n = 0;
	tlv(out, 0x30, body.b, body.n);
}

static void
b64(const unsigned char *p, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, col = 0;
	unsigned long v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
		if ((col += 4) == 64) {
			out[o++] = '\n';
			col = 0;
		}
	}
	out[o] = '\0';
}

static char *
pem(const char *label, const struct w *der)
{
	char *body = malloc(der->n * 2 + 16), *out;

	b64(der->b, der->n, body);
	if (asprintf(&out, "-----BEGIN %s-----\n%s\n-----END %s-----\n", label,
	    body, label) < 0)
		out = NULL;
	free(body);
	return out;
}

/* ---- tests */

static void
test_b64url(void)
{
	static const char *in[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *want[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	    "Zm9vYmE", "Zm9vYmFy" };
	unsigned char raw[] = { 0xfb, 0xff, 0xbf };
	char out[32];
	size_t i;
	int ok = 1;

	for (i = 0; i < 7; i++) {
		fk_b64_encode(in[i], strlen(in[i]), out, FK_B64_URL);
		if (strcmp(out, want[i]) != 0)
			ok = 0;
	}
	T_OK(ok, "base64url: RFC 4648 vectors, no padding");
	T_OK(fk_b64_encode(raw, 3, out, FK_B64_URL) == 4 &&
	    strcmp(out, "-_-_") == 0,
	    "base64url: '-' and '_' for 62 and 63");
}

static void
test_b64_decode(void)
{
	unsigned char out[64];

	T_OK(fk_b64_decode("Zm9vYmFy", 8, out) == 6 &&
	    memcmp(out, "foobar", 6) == 0, "base64: decodes a full quantum");
	T_OK(fk_b64_decode("Zm9v\nYg==", 9, out) == 4 &&
	    memcmp(out, "foob", 4) == 0, "base64: newlines and padding");
	T_OK(fk_b64_decode("Zm9vYmE", 7, out) == 5, "base64: padding optional");
	T_OK(fk_b64_decode("Zm9v*mFy", 8, out) == -1, "base64: bad character");
	T_OK(fk_b64_decode("Zg==Zg==", 8, out) == -1,
	    "base64: data after padding");
	T_OK(fk_b64_decode("Z", 1, out) == -1, "base64: a lone sextet");
	T_OK(fk_b64_decode("Zm9v=", 5, out) == -1, "base64: stray padding");
}

/* The textbook key n = 61 * 53 as PKCS#1 DER. */
static void
tiny_pkcs1(struct w *out, unsigned version)
{
	static const unsigned v[] = { 3233, 17, 2753, 61, 53, 53, 49, 38 };
	struct w body = { .n = 0 };
	size_t i;

	uint_small(&body, version);
	for (i = 0; i < 8; i++)
		uint_small(&body, v[i]);
	out->n = 0;
	tlv(out, 0x30, body.b, body.n);
}

static unsigned long
int_value(const struct der_int *d)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < d->len; i++)
		v = v << 8 | d->p[i];
	return v;
}

static void
test_der(void)
{
	struct der_int ints[DER_RSA_NINT];
	struct fk_err e = { 0 };
	struct w k1, k8, bad;

	tiny_pkcs1(&k1, 0);
	pkcs8_wrap(&k8, &k1);
	T_OK(der_rsa_private(k1.b, k1.n, DER_PEM_PKCS1, ints, &e) == 0 &&
	    int_value(&ints[DER_RSA_N]) == 3233 &&
	    int_value(&ints[DER_RSA_E]) == 17 &&
	    int_value(&ints[DER_RSA_D]) == 2753 &&
	    int_value(&ints[DER_RSA_QINV]) == 38, "DER: PKCS#1 integers");
	T_OK(der_rsa_private(k8.b, k8.n, DER_PEM_PKCS8, ints, &e) == 0 &&
	    int_value(&ints[DER_RSA_P]) == 61 &&
	    int_value(&ints[DER_RSA_Q]) == 53, "DER: PKCS#8 PrivateKeyInfo");
	T_OK(der_rsa_private(k8.b, k8.n - 1, DER_PEM_PKCS8, ints, &e) < 0 &&
	    e.code == FK_EX_CONFIG, "DER: truncated key refused (%s)", e.msg);
	T_OK(der_rsa_private(k1.b, k1.n, DER_PEM_PKCS8, ints, &e) < 0,
	    "DER: PKCS#1 bytes are not PKCS#8");
	bad = k8;
	bad.b[bad.n++] = 0;
	T_OK(der_rsa_private(bad.b, bad.n, DER_PEM_PKCS8, ints, &e) < 0 &&
	    strstr(e.msg, "trailing") != NULL, "DER: trailing data refused");
	bad = k8;
	bad.b[1] = 0x80;	/* indefinite length (BER, not DER) */
	T_OK(der_rsa_private(bad.b, bad.n, DER_PEM_PKCS8, ints, &e) < 0,
	    "DER: indefinite length refused");
	bad = k8;
	bad.b[17] = 0x02;	/* last OID byte: 1.2.840.113549.1.1.2 */
	T_OK(bad.b[16] == 0x01 &&
	    der_rsa_private(bad.b, bad.n, DER_PEM_PKCS8, ints, &e) < 0 &&
	    strstr(e.msg, "not an RSA key") != NULL,
	    "DER: another algorithm is refused (%s)", e.msg);
	tiny_pkcs1(&bad, 1);
	T_OK(der_rsa_private(bad.b, bad.n, DER_PEM_PKCS1, ints, &e) < 0 &&
	    strstr(e.msg, "multi-prime") != NULL, "DER: multi-prime refused");
	bad = k1;
	bad.b[bad.n - 2] = 0x02;	/* length of the last INTEGER */
	T_OK(der_rsa_private(bad.b, bad.n, DER_PEM_PKCS1, ints, &e) < 0,
	    "DER: inner length past its SEQUENCE refused");
}

static void
test_pem(void)
{
	struct fk_err e = { 0 };
	unsigned char *der = NULL;
	size_t n = 0;
	struct w k1, k8;
	char *p1, *p8;
	const char *enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
	    "-----END ENCRYPTED PRIVATE KEY-----\n";
	const char *legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: "
	    "4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
	const char *noend = "-----BEGIN PRIVATE KEY-----\nAAAA\n";
	const char *cert = "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n";
	const char *junk = "-----BEGIN PRIVATE KEY-----\nA!AA\n"
	    "-----END PRIVATE KEY-----\n";

	tiny_pkcs1(&k1, 0);
	pkcs8_wrap(&k8, &k1);
	p1 = pem("RSA PRIVATE KEY", &k1);
	p8 = pem("PRIVATE KEY", &k8);
	T_OK(der_pem_decode(p8, strlen(p8), &der, &n, &e) == DER_PEM_PKCS8 &&
	    n == k8.n && memcmp(der, k8.b, n) == 0, "PEM: PKCS#8 round trip");
	free(der);
	T_OK(der_pem_decode(p1, strlen(p1), &der, &n, &e) == DER_PEM_PKCS1 &&
	    n == k1.n && memcmp(der, k1.b, n) == 0, "PEM: PKCS#1 round trip");
	free(der);
	T_OK(der_pem_decode(enc, strlen(enc), &der, &n, &e) < 0 &&
	    strstr(e.msg, "encrypted") != NULL,
	    "PEM: PKCS#8 encrypted refused");
	T_OK(der_pem_decode(legacy, strlen(legacy), &der, &n, &e) < 0 &&
	    strstr(e.msg, "encrypted") != NULL,
	    "PEM: legacy encrypted refused");
	T_OK(der_pem_decode(noend, strlen(noend), &der, &n, &e) < 0 &&
	    strstr(e.msg, "END") != NULL, "PEM: missing END line");
	T_OK(der_pem_decode(cert, strlen(cert), &der, &n, &e) < 0 &&
	    strstr(e.msg, "not a private key") != NULL, "PEM: a certificate");
	T_OK(der_pem_decode(junk, strlen(junk), &der, &n, &e) < 0 &&
	    strstr(e.msg, "base64") != NULL && strstr(e.msg, "A!AA") == NULL,
	    "PEM: bad base64, key text not quoted");
	T_OK(der_pem_decode("hello", 5, &der, &n, &e) < 0 &&
	    e.code == FK_EX_CONFIG, "PEM: no armor at all");
	free(p1);
	free(p8);
}

/* A fresh libgcrypt key pair as PKCS#1 DER (p > q, as OpenSSL writes). */
static gcry_sexp_t
genkey(int bits, struct w *pkcs1)
{
	gcry_sexp_t parms, pair, sk;
	gcry_mpi_t m[6], dp, dq, t;
	const char *names = "nedpqu";
	struct w body = { .n = 0 };
	int i;

	gcry_sexp_build(&parms, NULL, "(genkey (rsa (nbits %d)))", bits);
	if (gcry_pk_genkey(&pair, parms) != 0)
		return NULL;
	gcry_sexp_release(parms);
	sk = gcry_sexp_find_token(pair, "private-key", 0);
	for (i = 0; i < 6; i++) {
		char nm[2] = { names[i], 0 };
		gcry_sexp_t tok = gcry_sexp_find_token(sk, nm, 0);

		m[i] = gcry_sexp_nth_mpi(tok, 1, GCRYMPI_FMT_USG);
		gcry_sexp_release(tok);
	}
	gcry_sexp_release(sk);
	/* libgcrypt: p < q, u = p^-1 mod q; PKCS#1 swapped: qInv = u. */
	dp = gcry_mpi_new(0);
	dq = gcry_mpi_new(0);
	t = gcry_mpi_new(0);
	gcry_mpi_sub_ui(t, m[4], 1);
	gcry_mpi_mod(dp, m[2], t);
	gcry_mpi_sub_ui(t, m[3], 1);
	gcry_mpi_mod(dq, m[2], t);
	uint_small(&body, 0);
	uint_mpi(&body, m[0]);
	uint_mpi(&body, m[1]);
	uint_mpi(&body, m[2]);
	uint_mpi(&body, m[4]);
	uint_mpi(&body, m[3]);
	uint_mpi(&body, dp);
	uint_mpi(&body, dq);
	uint_mpi(&body, m[5]);
	pkcs1->n = 0;
	tlv(pkcs1, 0x30, body.b, body.n);
	for (i = 0; i < 6; i++)
		gcry_mpi_release(m[i]);
	gcry_mpi_release(dp);
	gcry_mpi_release(dq);
	gcry_mpi_release(t);
	return pair;
}

static long
b64url_decode(const char *s, size_t n, unsigned char *out)
{
	char buf[2048];
	size_t i;

	if (n >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	return fk_b64_decode(buf, n, out);
}

/* Check an RS256 JWT against the public half of pair with libgcrypt. */
static int
jwt_verifies(const char *jwt, gcry_sexp_t pair)
{
	const char *dot2 = strrchr(jwt, '.');
	unsigned char sig[1024], digest[32];
	gcry_sexp_t pk, data, sv;
	gcry_mpi_t s;
	long n;
	int ok;

	if (dot2 == NULL)
		return 0;
	n = b64url_decode(dot2 + 1, strlen(dot2 + 1), sig);
	if (n <= 0)
		return 0;
	gcry_md_hash_buffer(GCRY_MD_SHA256, digest, jwt, (size_t)(dot2 - jwt));
	gcry_mpi_scan(&s, GCRYMPI_FMT_USG, sig, (size_t)n, NULL);
	pk = gcry_sexp_find_token(pair, "public-key", 0);
	gcry_sexp_build(&data, NULL, "(data (flags pkcs1) (hash sha256 %b))",
	    32, digest);
	gcry_sexp_build(&sv, NULL, "(sig-val (rsa (s %m)))", s);
	ok = gcry_pk_verify(sv, data, pk) == 0;
	gcry_sexp_release(pk);
	gcry_sexp_release(data);
	gcry_sexp_release(sv);
	gcry_mpi_release(s);
	return ok;
}

static gcry_sexp_t test_pair;		/* shared with the ADC tests */
static char *test_pem8;

static void
test_rsa(void)
{
	struct fk_err e = { 0 };
	struct w k1, k8, swapped, body;
	struct der_int ints[DER_RSA_NINT];
	struct jwt_rsa *k;
	gcry_sexp_t small;
	char *p1, *jwt, *p;
	unsigned char part[256];
	long n;

	T_OK(jwt_crypto_init(&e) == 0, "libgcrypt initialised");
	test_pair = genkey(2048, &k1);
	T_OK(test_pair != NULL, "a 2048-bit key generated");
	if (test_pair == NULL)
		return;
	pkcs8_wrap(&k8, &k1);
	test_pem8 = pem("PRIVATE KEY", &k8);
	k = jwt_rsa_from_pem(test_pem8, strlen(test_pem8), &e);
	T_OK(k != NULL && jwt_rsa_bits(k) == 2048, "PKCS#8 key imported (%s)",
	    k ? "" : e.msg);
	if (k == NULL)
		return;
	jwt = jwt_sign(k, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
	    "{\"iss\":\"a@b\"}", &e);
	T_OK(jwt != NULL && jwt_verifies(jwt, test_pair),
	    "RS256 signature verifies with the public key");
	p = jwt ? strrchr(jwt, '.') : NULL;
	T_OK(p != NULL && strlen(p + 1) == 342 && strchr(p, '=') == NULL,
	    "signature: 256 bytes, 342 base64url characters, no padding");
	n = jwt == NULL ? -1 :
	    b64url_decode(jwt, (size_t)(strchr(jwt, '.') - jwt), part);
	T_OK(n == 27 && memcmp(part, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", 27)
	    == 0, "first segment is the header");
	free(jwt);
	jwt_rsa_free(k);

	p1 = pem("RSA PRIVATE KEY", &k1);
	k = jwt_rsa_from_pem(p1, strlen(p1), &e);
	jwt = k ? jwt_sign(k, "{}", "{}", &e) : NULL;
	T_OK(jwt != NULL && jwt_verifies(jwt, test_pair),
	    "PKCS#1 key imported and signs");
	free(jwt);
	jwt_rsa_free(k);
	free(p1);

	/* The primes in libgcrypt's order (p < q) work the same. */
	der_rsa_private(k1.b, k1.n, DER_PEM_PKCS1, ints, &e);
	body.n = 0;
	uint_small(&body, 0);
	uint_be(&body, ints[DER_RSA_N].p, ints[DER_RSA_N].len);
	uint_be(&body, ints[DER_RSA_E].p, ints[DER_RSA_E].len);
	uint_be(&body, ints[DER_RSA_D].p, ints[DER_RSA_D].len);
	uint_be(&body, ints[DER_RSA_Q].p, ints[DER_RSA_Q].len);
	uint_be(&body, ints[DER_RSA_P].p, ints[DER_RSA_P].len);
	uint_be(&body, ints[DER_RSA_DQ].p, ints[DER_RSA_DQ].len);
	uint_be(&body, ints[DER_RSA_DP].p, ints[DER_RSA_DP].len);
	uint_be(&body, ints[DER_RSA_QINV].p, ints[DER_RSA_QINV].len);
	swapped.n = 0;
	tlv(&swapped, 0x30, body.b, body.n);
	p1 = pem("RSA PRIVATE KEY", &swapped);
	k = jwt_rsa_from_pem(p1, strlen(p1), &e);
	jwt = k ? jwt_sign(k, "{}", "{}", &e) : NULL;
	T_OK(jwt != NULL && jwt_verifies(jwt, test_pair),
	    "primes in either order give the same signatures");
	free(jwt);
	jwt_rsa_free(k);
	free(p1);

	/* A damaged private exponent is caught before anything is signed. */
	swapped = k1;
	swapped.b[k1.n / 3] ^= 0x40;
	p1 = pem("RSA PRIVATE KEY", &swapped);
	k = jwt_rsa_from_pem(p1, strlen(p1), &e);
	T_OK(k == NULL && e.code == FK_EX_CONFIG, "damaged key refused (%s)",
	    e.msg);
	jwt_rsa_free(k);
	free(p1);

	small = genkey(1024, &k1);
	p1 = pem("RSA PRIVATE KEY", &k1);
	k = jwt_rsa_from_pem(p1, strlen(p1), &e);
	T_OK(k == NULL && strstr(e.msg, "1024 bits") != NULL,
	    "1024-bit key refused (%s)", e.msg);
	jwt_rsa_free(k);
	free(p1);
	gcry_sexp_release(small);
}

/* ---- the ADC lookup */

static char dir[64];
static const struct fk_http_opts hopts = { 2, 5, NULL };
static const struct fk_retry quick = { 2, 0.01, 0.01, 0 };

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
use_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	setenv("GOOGLE_APPLICATION_CREDENTIALS", path, 1);
}

/* auth_new must fail with code; the message must hold `has`. */
static void
want_fail(int code, const char *has, const char *desc)
{
	struct fk_err e = { 0 };
	struct auth *a = auth_new(AUTH_ADC, &hopts, &quick, &e);

	T_OK(a == NULL && e.code == code && strstr(e.msg, has) != NULL &&
	    strstr(e.msg, CLIENT_SECRET) == NULL &&
	    strstr(e.msg, REFRESH_TOKEN) == NULL &&
	    strstr(e.msg, "MII") == NULL,
	    "%s: exit %d (%s)", desc, code, e.msg);
	auth_free(a);
}

static char *
service_json(const char *token_uri)
{
	jv o = jv_object();
	jv s;
	char *out;

	o = jv_object_set(o, jv_string("type"), jv_string("service_account"));
	o = jv_object_set(o, jv_string("client_email"),
	    jv_string("fk@test.iam.gserviceaccount.com"));
	o = jv_object_set(o, jv_string("private_key_id"), jv_string("kid1"));
	o = jv_object_set(o, jv_string("private_key"), jv_string(test_pem8));
	o = jv_object_set(o, jv_string("token_uri"), jv_string(token_uri));
	s = jv_dump_string(o, 0);
	out = strdup(jv_string_value(s));
	jv_free(s);
	return out;
}

static void
test_adc_errors(void)
{
	char *sa;

	setenv("GCE_METADATA_HOST", "127.0.0.1:1", 1);
	setenv("GCE_METADATA_IP", "127.0.0.1:1", 1);
	use_file("missing.json");
	want_fail(FK_EX_CONFIG, "missing.json",
	    "GOOGLE_APPLICATION_CREDENTIALS names a missing file");
	write_file("bad.json", "{\"type\": \"authorized_user\", ");
	use_file("bad.json");
	want_fail(FK_EX_CONFIG, "invalid JSON at line 1, column 28",
	    "a file that is not JSON");
	write_file("bad2.json", "{\"type\": \"service_account\", "
	    "\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIsecret\", x}");
	use_file("bad2.json");
	want_fail(FK_EX_CONFIG, "invalid JSON",
	    "broken JSON: the parser's excerpt of the key is not quoted");
	write_file("array.json", "[1, 2]");
	use_file("array.json");
	want_fail(FK_EX_CONFIG, "not a JSON object", "a JSON array");
	write_file("ext.json", "{\"type\": \"external_account\", "
	    "\"audience\": \"x\"}");
	use_file("ext.json");
	want_fail(FK_EX_CONFIG,
	    "unsupported credential type 'external_account'",
	    "external_account");
	write_file("notype.json", "{\"client_id\": \"x\"}");
	use_file("notype.json");
	want_fail(FK_EX_CONFIG, "no \"type\"", "no type");
	write_file("user1.json", "{\"type\": \"authorized_user\", "
	    "\"client_id\": \"id\", \"client_secret\": \"" CLIENT_SECRET "\"}");
	use_file("user1.json");
	want_fail(FK_EX_CONFIG, "no \"refresh_token\"",
	    "authorized_user without refresh_token");
	write_file("user2.json", "{\"type\": \"authorized_user\", "
	    "\"client_id\": \"id\", \"client_secret\": \"" CLIENT_SECRET "\", "
	    "\"refresh_token\": \"" REFRESH_TOKEN "\", "
	    "\"token_uri\": \"http://example.com/token\"}");
	use_file("user2.json");
	want_fail(FK_EX_CONFIG, "not an https URL",
	    "plain http token_uri off loopback");
	write_file("sa1.json", "{\"type\": \"service_account\", "
	    "\"client_email\": \"a@b\", \"private_key\": \"-----BEGIN PRIVATE "
	    "KEY-----\\nMIIBADAN\\n-----END PRIVATE KEY-----\\n\"}");
	use_file("sa1.json");
	want_fail(FK_EX_CONFIG, "sa1.json",
	    "service_account with a broken key");
	if (test_pem8 != NULL) {
		sa = service_json("ftp://127.0.0.1/token");
		write_file("sa2.json", sa);
		free(sa);
		use_file("sa2.json");
		want_fail(FK_EX_CONFIG, "ftp://",
		    "a token_uri that is not http(s)");
	}
	setenv("GOOGLE_APPLICATION_CREDENTIALS", dir, 1);
	want_fail(FK_EX_CONFIG, "not a regular file", "a directory");

	/* Not set at all: the gcloud file, then the metadata server. */
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	setenv("CLOUDSDK_CONFIG", dir, 1);
	want_fail(FK_EX_CONFIG, "no credentials found",
	    "nothing anywhere");
	want_fail(FK_EX_CONFIG, "application_default_credentials.json",
	    "the message names the gcloud file");
	want_fail(FK_EX_CONFIG, "127.0.0.1",
	    "the message names the metadata server tried");
	write_file("application_default_credentials.json",
	    "{\"type\": \"external_account\"}");
	want_fail(FK_EX_CONFIG, "external_account",
	    "an unusable gcloud file is an error, not a fall-through");
	unlink("application_default_credentials.json");
	setenv("GCE_METADATA_HOST", "evil/path@x", 1);
	want_fail(FK_EX_CONFIG, "not a host[:port]",
	    "GCE_METADATA_HOST with a path");
	setenv("GCE_METADATA_HOST", "127.0.0.1:1", 1);
}

static void
test_adc_user(void)
{
	struct fk_err e = { 0 };
	struct auth *a;
	char hdr[AUTH_HEADER_MAX];

	write_file("user.json", "{\"type\": \"authorized_user\", "
	    "\"client_id\": \"id\", \"client_secret\": \"" CLIENT_SECRET "\", "
	    "\"refresh_token\": \"" REFRESH_TOKEN "\", "
	    "\"token_uri\": \"http://127.0.0.1:1/token\"}");
	use_file("user.json");
	a = auth_new(AUTH_ADC, &hopts, &quick, &e);
	T_OK(a != NULL && strstr(auth_source(a), "authorized user") != NULL,
	    "authorized_user found: %s", a ? auth_source(a) : e.msg);
	if (a == NULL)
		return;
	T_OK(auth_header(a, hdr, sizeof(hdr), &e) < 0 &&
	    e.code == FK_EX_TEMPFAIL && strstr(e.msg, "127.0.0.1:1") != NULL &&
	    strstr(e.msg, CLIENT_SECRET) == NULL &&
	    strstr(e.msg, REFRESH_TOKEN) == NULL,
	    "token endpoint down: temporary failure, no secret (%s)", e.msg);
	auth_free(a);
}

static void
test_adc_self_signed(void)
{
	struct fk_err e = { 0 };
	struct auth *a;
	char hdr[AUTH_HEADER_MAX], again[AUTH_HEADER_MAX], tiny[64];
	char *sa, *claims;
	unsigned char buf[1024];
	const char *jwt;
	long n;

	if (test_pem8 == NULL)
		return;
	sa = service_json("http://127.0.0.1:1/token");
	write_file("sa.json", sa);
	free(sa);
	use_file("sa.json");
	setenv("FK_GCS_SELF_SIGNED_JWT", "1", 1);
	a = auth_new(AUTH_ADC, &hopts, &quick, &e);
	unsetenv("FK_GCS_SELF_SIGNED_JWT");
	T_OK(a != NULL && strstr(auth_source(a), "self-signed") != NULL,
	    "service account, self-signed: %s", a ? auth_source(a) : e.msg);
	if (a == NULL)
		return;
	T_OK(auth_header(a, hdr, sizeof(hdr), &e) == 0 &&
	    strncmp(hdr, "Authorization: Bearer ey", 24) == 0,
	    "self-signed JWT without any request");
	jwt = hdr + strlen("Authorization: Bearer ");
	T_OK(jwt_verifies(jwt, test_pair), "self-signed JWT verifies");
	n = b64url_decode(strchr(jwt, '.') + 1,
	    (size_t)(strrchr(jwt, '.') - strchr(jwt, '.') - 1), buf);
	claims = n > 0 ? strndup((char *)buf, (size_t)n) : strdup("");
	T_OK(strstr(claims, "\"aud\":\"https://storage.googleapis.com/\"") &&
	    strstr(claims, "\"sub\":\"fk@test.iam.gserviceaccount.com\"") &&
	    strstr(claims, "\"scope\"") == NULL,
	    "claims: aud storage, sub = iss, no scope (%s)", claims);
	free(claims);
	T_OK(auth_header(a, again, sizeof(again), &e) == 0 &&
	    strcmp(hdr, again) == 0, "the token is cached");
	T_OK(auth_header(a, tiny, sizeof(tiny), &e) < 0 &&
	    e.code == FK_EX_SOFTWARE && tiny[0] == '\0' &&
	    strstr(e.msg, "ey") == NULL, "too small a buffer: error, wiped");
	auth_invalidate(a);
	T_OK(auth_header(a, again, sizeof(again), &e) == 0 &&
	    jwt_verifies(again + 22, test_pair),
	    "a new token after invalidate");
	auth_free(a);
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
}

static void
test_anonymous(void)
{
	struct fk_err e = { 0 };
	struct auth *a = auth_new(AUTH_NONE, &hopts, &quick, &e);
	char hdr[16] = "x";

	T_OK(a != NULL && auth_header(a, hdr, sizeof(hdr), &e) == 0 &&
	    hdr[0] == '\0', "AUTH_NONE: an empty header");
	T_OK(a != NULL && strstr(auth_source(a), "anonymous") != NULL,
	    "AUTH_NONE: source says anonymous");
	auth_free(a);
}

static int
unit(void)
{
	struct fk_err e;

	if (fk_http_global_init(&e) < 0)
		return 1;
	/*
	 * Throwaway test keys need no jitter entropy, whose collector
	 * libgcrypt keeps where LeakSanitizer cannot see it.
	 */
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_ENABLE_QUICK_RANDOM, 0);
	test_b64url();
	test_b64_decode();
	test_der();
	test_pem();
	test_rsa();
	snprintf(dir, sizeof(dir), "%s/fk-auth.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) < 0)
		return 1;
	test_adc_errors();
	test_adc_user();
	test_adc_self_signed();
	test_anonymous();
	if (system("rm -rf \"$PWD\"") != 0)
		printf("# could not remove %s\n", dir);
	free(test_pem8);
	gcry_sexp_release(test_pair);
	T_DONE();
}

/* ---- driver mode for the shell tests */

static int
drive_jwt(const char *keyfile, const char *outfile)
{
	struct fk_err e = { 0 };
	struct jwt_rsa *k;
	FILE *f = fopen(keyfile, "r"), *o;
	char buf[16384], *jwt;
	size_t n;
	jv v;

	if (f == NULL)
		return 66;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (fk_json_parse(buf, n, &v, &e) < 0 || fk_json_str(v, "private_key")
	    == NULL) {
		fprintf(stderr, "test_auth: %s\n", e.msg);
		return FK_EX_CONFIG;
	}
	k = jwt_rsa_from_pem(fk_json_str(v, "private_key"),
	    strlen(fk_json_str(v, "private_key")), &e);
	jv_free(v);
	jwt = k ? jwt_sign(k, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
	    "{\"iss\":\"fk@test\",\"aud\":\"x\"}", &e) : NULL;
	jwt_rsa_free(k);
	if (jwt == NULL) {
		fprintf(stderr, "test_auth: %s\n", e.msg);
		return e.code;
	}
	o = fopen(outfile, "w");
	if (o == NULL || fputs(jwt, o) == EOF || fclose(o) == EOF)
		return 74;
	free(jwt);
	return 0;
}

static int
wait_for(const char *d, const char *name)
{
	char path[512];
	int i;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	for (i = 0; i < 200 && access(path, F_OK) != 0; i++)
		fk_sleep(0.05);
	return access(path, F_OK);
}

/* One GET with the current token; the status, or -1 with e filled. */
static long
get_once(struct auth *a, CURL *h, const char *url, struct fk_err *e)
{
	char hdr[AUTH_HEADER_MAX];
	struct curl_slist *hl = NULL;
	struct fk_resp r = { 0 };
	struct fk_http_req q = { "GET", url, NULL, NULL, NULL, 0, NULL, NULL };
	struct fk_retry once = { 1, 0, 0, 0 };
	long st;

	if (auth_header(a, hdr, sizeof(hdr), e) < 0)
		return -1;
	if (hdr[0] != '\0')
		hl = curl_slist_append(NULL, hdr);
	explicit_bzero(hdr, sizeof(hdr));
	q.headers = hl;
	if (fk_http_do(h, &q, &once, &r, e) < 0 && r.status == 0)
		st = -1;
	else
		st = r.status;
	curl_slist_free_all(hl);
	fk_resp_free(&r);
	return st;
}

static int
drive_get(int argc, char **argv)
{
	struct fk_http_opts o = { 2, 10, NULL };
	struct fk_retry rp = { 3, 0.05, 0.2, 0 };
	struct fk_err e = { 0 };
	struct auth *a;
	CURL *h;
	long st, n, i;
	double pause = argc > 4 ? atof(argv[4]) : 0;
	const char *hs = argc > 5 ? argv[5] : NULL;
	int rc = 0;
	char ready[512];
	FILE *f;

	if (argc < 4 || fk_http_global_init(&e) < 0)
		return 64;
	n = atol(argv[3]);
	a = auth_new(getenv("FK_TEST_ANON") ? AUTH_NONE : AUTH_ADC,
	    &o, &rp, &e);
	if (a == NULL) {
		fprintf(stderr, "test_auth: %s\n", e.msg);
		return e.code;
	}
	fprintf(stderr, "test_auth: credentials: %s\n", auth_source(a));
	h = fk_http_easy(&o);
	for (i = 1; i <= n && rc == 0; i++) {
		st = get_once(a, h, argv[2], &e);
		if (st == 401) {
			printf("request %ld: 401, token invalidated\n", i);
			auth_invalidate(a);
			st = get_once(a, h, argv[2], &e);
		}
		if (st < 0) {
			fprintf(stderr, "test_auth: %s\n", e.msg);
			rc = e.code;
			break;
		}
		printf("request %ld: %ld\n", i, st);
		fflush(stdout);
		if (st == 401 || st == 403)
			rc = FK_EX_NOPERM;
		if (i == 1 && hs != NULL) {
			snprintf(ready, sizeof(ready), "%s/ready", hs);
			f = fopen(ready, "w");
			if (f == NULL || fclose(f) != 0 ||
			    wait_for(hs, "go") != 0)
				rc = 70;
		}
		if (i < n)
			fk_sleep(pause);
	}
	curl_easy_cleanup(h);
	auth_free(a);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "jwt") == 0)
		return drive_jwt(argv[2], argv[3]);
	if (argc > 1 && strcmp(argv[1], "get") == 0)
		return drive_get(argc, argv);
	return unit();
}
