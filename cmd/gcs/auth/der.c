/*
 * der.c: PEM armor, base64 and the DER of RSA private keys (der.h).
 *
 * Only definite-length DER is accepted, as X.690 requires of DER; every
 * length is checked against what encloses it before anything is read.
 */
#include <stdlib.h>
#include <string.h>

#include "der.h"

#define BEGIN "-----BEGIN "
#define END "-----END "
#define DASHES "-----"

/* DER tags used by the two key syntaxes. */
enum {
	TAG_INTEGER = 0x02,
	TAG_OCTETS = 0x04,
	TAG_NULL = 0x05,
	TAG_OID = 0x06,
	TAG_SEQUENCE = 0x30
};

/* 1.2.840.113549.1.1.1, rsaEncryption (RFC 8017 appendix C). */
static const unsigned char rsa_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

/* A window on a DER buffer: what is left to read. */
struct rd {
	const unsigned char *p;
	const unsigned char *end;
};

/* The label of the "-----BEGIN label-----" line at p. */
static int
pem_label(const char *p, const char *end, const char **label, size_t *llen)
{
	const char *q;

	p += strlen(BEGIN);
	for (q = p; q < end && *q != '-' && *q != '\n'; q++)
		;
	if ((size_t)(end - q) < strlen(DASHES) ||
	    strncmp(q, DASHES, strlen(DASHES)) != 0)
		return -1;
	*label = p;
	*llen = (size_t)(q - p);
	return 0;
}

static const char *
find(const char *hay, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(end - hay) >= n; hay++)
		if (memcmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static int
label_kind(const char *label, size_t llen, struct fk_err *e)
{
	if (llen == 11 && memcmp(label, "PRIVATE KEY", 11) == 0)
		return DER_PEM_PKCS8;
	if (llen == 15 && memcmp(label, "RSA PRIVATE KEY", 15) == 0)
		return DER_PEM_PKCS1;
	if (llen == 21 && memcmp(label, "ENCRYPTED PRIVATE KEY", 21) == 0)
		return fk_fail(e, FK_EX_CONFIG,
		    "encrypted private keys are not supported");
	return fk_fail(e, FK_EX_CONFIG, "PEM block is not a private key");
}

int
der_pem_decode(const char *text, size_t len, unsigned char **der,
    size_t *derlen, struct fk_err *e)
{
	const char *end = text + len, *b, *body, *stop, *label;
	unsigned char *out;
	size_t llen;
	long n;
	int kind;

	b = find(text, end, BEGIN);
	if (b == NULL || pem_label(b, end, &label, &llen) < 0)
		return fk_fail(e, FK_EX_CONFIG, "no PEM private key");
	kind = label_kind(label, llen, e);
	if (kind < 0)
		return -1;
	body = label + llen + strlen(DASHES);
	stop = find(body, end, END);
	if (stop == NULL || (size_t)(end - stop) < strlen(END) + llen ||
	    memcmp(stop + strlen(END), label, llen) != 0)
		return fk_fail(e, FK_EX_CONFIG,
		    "PEM private key has no END line");
	/* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") mean an encrypted key. */
	if (memchr(body, ':', (size_t)(stop - body)) != NULL)
		return fk_fail(e, FK_EX_CONFIG,
		    "encrypted private keys are not supported");
	out = malloc((size_t)(stop - body) / 4 * 3 + 3);
	if (out == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	n = fk_b64_decode(body, (size_t)(stop - body), out);
	if (n <= 0) {
		explicit_bzero(out, (size_t)(stop - body) / 4 * 3 + 3);
		free(out);
		return fk_fail(e, FK_EX_CONFIG,
		    "PEM private key is not base64");
	}
	*der = out;
	*derlen = (size_t)n;
	return kind;
}

/* Read one TLV with tag `tag` from r into its content window. */
static int
tlv(struct rd *r, int tag, struct rd *content)
{
	size_t len = 0, avail;
	int i, nlen;

	if (r->end - r->p < 2 || r->p[0] != tag)
		return -1;
	r->p++;
	if (*r->p < 0x80) {
		len = *r->p++;
	} else {
		/* 0x80 is BER's indefinite length; no key needs 4 GiB. */
		nlen = *r->p++ & 0x7f;
		if (nlen == 0 || nlen > 4 || r->end - r->p < nlen)
			return -1;
		for (i = 0; i < nlen; i++)
			len = len << 8 | *r->p++;
	}
	avail = (size_t)(r->end - r->p);
	if (len > avail)
		return -1;
	content->p = r->p;
	content->end = r->p + len;
	r->p += len;
	return 0;
}

/* A non-negative INTEGER, leading zero bytes dropped; 0 must not occur. */
static int
der_uint(struct rd *r, struct der_int *out)
{
	struct rd c;

	if (tlv(r, TAG_INTEGER, &c) < 0 || c.p == c.end || (c.p[0] & 0x80))
		return -1;
	while (c.p < c.end && c.p[0] == 0)
		c.p++;
	if (c.p == c.end)
		return -1;
	out->p = c.p;
	out->len = (size_t)(c.end - c.p);
	return 0;
}

/* The INTEGER version field; its value into *v (small values only). */
static int
der_version(struct rd *r, int *v)
{
	struct rd c;

	if (tlv(r, TAG_INTEGER, &c) < 0 || c.end - c.p != 1)
		return -1;
	*v = c.p[0];
	return 0;
}

static int
rsa_private_key(struct rd *r, struct der_int ints[DER_RSA_NINT],
    struct fk_err *e)
{
	struct rd seq;
	int i, v;

	if (tlv(r, TAG_SEQUENCE, &seq) < 0 || der_version(&seq, &v) < 0)
		return fk_fail(e, FK_EX_CONFIG,
		    "private key is not an RSA key");
	/* Version 1 adds otherPrimeInfos: multi-prime keys, not supported. */
	if (v != 0)
		return fk_fail(e, FK_EX_CONFIG,
		    "multi-prime RSA keys are not supported");
	for (i = 0; i < DER_RSA_NINT; i++)
		if (der_uint(&seq, &ints[i]) < 0)
			return fk_fail(e, FK_EX_CONFIG,
			    "RSA private key is malformed");
	return 0;
}

/* AlgorithmIdentifier: rsaEncryption with NULL (or absent) parameters. */
static int
rsa_algorithm(struct rd *r)
{
	struct rd alg, oid, null;

	if (tlv(r, TAG_SEQUENCE, &alg) < 0 || tlv(&alg, TAG_OID, &oid) < 0)
		return -1;
	if ((size_t)(oid.end - oid.p) != sizeof(rsa_oid) ||
	    memcmp(oid.p, rsa_oid, sizeof(rsa_oid)) != 0)
		return -1;
	if (alg.p != alg.end &&
	    (tlv(&alg, TAG_NULL, &null) < 0 || null.p != null.end))
		return -1;
	return alg.p == alg.end ? 0 : -1;
}

static int
pkcs8(struct rd *r, struct der_int ints[DER_RSA_NINT], struct fk_err *e)
{
	struct rd info, octets;
	int v;

	if (tlv(r, TAG_SEQUENCE, &info) < 0 || der_version(&info, &v) < 0 ||
	    v > 1)
		return fk_fail(e, FK_EX_CONFIG,
		    "private key is not PKCS#8 PrivateKeyInfo");
	if (rsa_algorithm(&info) < 0)
		return fk_fail(e, FK_EX_CONFIG,
		    "private key is not an RSA key");
	if (tlv(&info, TAG_OCTETS, &octets) < 0)
		return fk_fail(e, FK_EX_CONFIG,
		    "private key is not PKCS#8 PrivateKeyInfo");
	if (rsa_private_key(&octets, ints, e) < 0)
		return -1;
	if (octets.p != octets.end)
		return fk_fail(e, FK_EX_CONFIG, "RSA private key is malformed");
	/* Attributes ([0]) and a public key ([1]) may follow; not needed. */
	return 0;
}

int
der_rsa_private(const unsigned char *der, size_t len, int kind,
    struct der_int ints[DER_RSA_NINT], struct fk_err *e)
{
	struct rd r = { der, der + len };
	int rc;

	if (kind == DER_PEM_PKCS8)
		rc = pkcs8(&r, ints, e);
	else
		rc = rsa_private_key(&r, ints, e);
	if (rc == 0 && r.p != r.end)
		return fk_fail(e, FK_EX_CONFIG,
		    "private key has trailing data");
	return rc;
}
