/*
 * b64.c: base64 encoding and decoding (see b64.h).
 */
#include <stdlib.h>

#include "b64.h"

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
fk_b64_decode(const char *src, size_t n, unsigned char *out)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, pad = 0, v;

	for (i = 0; i < n; i++) {
		if (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' ||
		    src[i] == '\n')
			continue;
		if (src[i] == '=') {
			pad++;
			continue;
		}
		v = b64_value((unsigned char)src[i]);
		/* Nothing but whitespace and more '=' may follow padding. */
		if (v < 0 || pad > 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* A lone sextet encodes no byte; padding must complete a quantum. */
	if (bits >= 6 || pad > 2 || (pad > 0 && (bits / 2) != pad))
		return -1;
	return (long)o;
}

int
fk_b64_decode_buf(const char *src, size_t n, struct fk_buf *b, int *oom)
{
	unsigned char *tmp;
	long len;
	int rc = -1;

	*oom = 0;
	tmp = malloc(n / 4 * 3 + 3);
	if (tmp == NULL) {
		*oom = 1;
		return -1;
	}
	len = fk_b64_decode(src, n, tmp);
	if (len < 0)
		goto out;
	if (fk_buf_add(b, tmp, (size_t)len) == -1) {
		*oom = 1;
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

size_t
fk_b64_encode(const void *src, size_t n, char *dst, int alphabet)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char url[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = alphabet == FK_B64_URL ? url : std;
	const unsigned char *s = src;
	unsigned long v;
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8 |
		    s[i + 2];
		dst[o++] = a[v >> 18];
		dst[o++] = a[(v >> 12) & 63];
		dst[o++] = a[(v >> 6) & 63];
		dst[o++] = a[v & 63];
	}
	if (i < n) {
		v = (unsigned long)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		dst[o++] = a[v >> 18];
		dst[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			dst[o++] = a[(v >> 6) & 63];
		else if (alphabet == FK_B64_STD)
			dst[o++] = '=';
		if (alphabet == FK_B64_STD)
			dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;
}
