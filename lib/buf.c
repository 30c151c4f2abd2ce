/*
 * buf.c: growable byte buffer, and JSON string literals written into one.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
fk_buf_add(struct fk_buf *b, const void *data, size_t n)
{
	size_t want;
	char *p;

	if (b->max != 0 && b->len + n > b->max)
		return -1;
	if (b->len + n + 1 > b->cap) {
		want = b->cap ? b->cap : 256;
		while (want < b->len + n + 1)
			want *= 2;
		p = realloc(b->p, want);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = want;
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void
fk_buf_reset(struct fk_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
fk_buf_free(struct fk_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
fk_buf_add_jstr(struct fk_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0;
	char esc[6] = { '\\' };
	size_t k;

	if (fk_buf_add(b, "\"", 1) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		/* jq escapes DEL too: the same bytes as jq -c. */
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' &&
		    p[i] != 0x7f)
			continue;
		if (fk_buf_add(b, s + run, i - run) == -1)
			return -1;
		run = i + 1;
		k = 2;
		switch (p[i]) {
		case '"':
		case '\\':
			esc[1] = (char)p[i];
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 15];
			k = 6;
		}
		if (fk_buf_add(b, esc, k) == -1)
			return -1;
	}
	if (fk_buf_add(b, s + run, n - run) == -1)
		return -1;
	return fk_buf_add(b, "\"", 1);
}
