/*
 * buf.c: growable byte buffer, and JSON string literals written into one.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
fk_buf_reserve(struct fk_buf *b, size_t n)
{
	size_t want;
	char *p;

	if (b->max != 0 && b->len + n > b->max)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	want = b->cap ? b->cap : 256;
	while (want < b->len + n + 1)
		want *= 2;
	p = realloc(b->p, want);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = want;
	return 0;
}

int
fk_buf_add_grow(struct fk_buf *b, const void *data, size_t n)
{
	if (fk_buf_reserve(b, n) == -1)
		return -1;
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

/*
 * The bytes jq -c escapes in a string: the controls, '"', '\\' and DEL
 * (the rest, UTF-8 included, goes as it is).
 */
static const unsigned char jesc[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1, [0x7f] = 1
};

/* Byte c's escape (jesc[c] is set) into esc: its length. */
static size_t
escape(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789abcdef";
	static const char from[] = "\"\\\n\r\t\b\f", to[] = "\"\\nrtbf";
	const char *f = c != 0 ? strchr(from, c) : NULL;

	esc[0] = '\\';
	if (f != NULL) {
		esc[1] = to[f - from];
		return 2;
	}
	memcpy(esc + 1, "u00", 3);
	esc[4] = hex[c >> 4];
	esc[5] = hex[c & 15];
	return 6;
}

int
fk_buf_add_jstr(struct fk_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	char esc[6];

	if (fk_buf_add(b, "\"", 1) == -1)
		return -1;
	for (;;) {
		for (run = i; i < n && !jesc[p[i]]; i++)
			;
		if (fk_buf_add(b, s + run, i - run) == -1)
			return -1;
		if (i == n)
			return fk_buf_add(b, "\"", 1);
		if (fk_buf_add(b, esc, escape(p[i++], esc)) == -1)
			return -1;
	}
}
