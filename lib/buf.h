/*
 * buf.h: a growable byte buffer with an optional hard cap, used to
 * collect HTTP bodies and headers and to build lines of output.  No
 * dependencies.
 */
#ifndef FK_BUF_H
#define FK_BUF_H

#include <stddef.h>
#include <string.h>

struct fk_buf {
	char *p;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;	/* 0: unlimited; otherwise appends past max fail */
};

/* fk_buf_add when b has no room: grows it first. */
int fk_buf_add_grow(struct fk_buf *b, const void *data, size_t n);

/*
 * Append n bytes; -1 (and nothing appended) on ENOMEM or past max.
 * Inline: the writers call it for every value, and there is most often
 * room already.
 */
static inline int
fk_buf_add(struct fk_buf *b, const void *data, size_t n)
{
	if (b->max != 0 || b->len + n >= b->cap)
		return fk_buf_add_grow(b, data, n);
	if (n > 0)	/* data may be NULL then */
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}
/*
 * Room for n more bytes and a NUL after len, for a writer that fills
 * b->p + b->len itself; -1 on ENOMEM or past max.
 */
int fk_buf_reserve(struct fk_buf *b, size_t n);
/* Forget the contents, keep the memory. */
void fk_buf_reset(struct fk_buf *b);
/* Release the memory; b is then empty and reusable. */
void fk_buf_free(struct fk_buf *b);

/*
 * Append the n bytes of s as a JSON string literal, quotes included,
 * escaped as jq -c escapes (", \\, \b \f \n \r \t, other controls and
 * DEL as \u00XX; the rest, UTF-8 included, as is).  -1 as fk_buf_add;
 * then b may hold part of the literal.
 */
int fk_buf_add_jstr(struct fk_buf *b, const char *s, size_t n);

#endif
