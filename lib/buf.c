/*
 * buf.c: growable byte buffer.
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
