/*
 * buf.h: a growable byte buffer with an optional hard cap, used to
 * collect HTTP bodies and headers.  No dependencies.
 */
#ifndef FK_BUF_H
#define FK_BUF_H

#include <stddef.h>

struct fk_buf {
	char *p;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;	/* 0: unlimited; otherwise appends past max fail */
};

/* Append n bytes; -1 (and nothing appended) on ENOMEM or past max. */
int fk_buf_add(struct fk_buf *b, const void *data, size_t n);
/* Forget the contents, keep the memory. */
void fk_buf_reset(struct fk_buf *b);
/* Release the memory; b is then empty and reusable. */
void fk_buf_free(struct fk_buf *b);

#endif
