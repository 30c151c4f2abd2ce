/*
 * page.h: one validated page, rendered as the text fk-fetch writes.
 *
 * A page is rendered as soon as it is validated and its parsed tree
 * freed, so the pages waiting for their turn hold about the size of the
 * response body (a parsed 1000-user page is four times larger).
 */
#ifndef FETCH_PAGE_H
#define FETCH_PAGE_H

#include <stdint.h>
#include <stdio.h>
#include <jv.h>

#include "spec.h"

/*
 * Render the page of request k of spec sp, envelope env (consumed), into
 * *text, a malloc'ed buffer of *len bytes the caller frees; hint (> 0)
 * is the expected size, e.g. that of the response body.  raw: the
 * envelope itself as one compact line, untouched.  Otherwise one compact
 * line per record of data, in order, its counter fields made run-wide by
 * the rule of counter.h and every other field as sent.  Returns the
 * number of records, or -1 when memory runs out (*text is then NULL).
 */
long fetch_page_render(jv env, const struct fetch_spec *sp, uint64_t k,
    int raw, size_t hint, char **text, size_t *len);

/*
 * Write len bytes of rendered text to f; unbuffered flushes after every
 * line.  Returns 0, or -1 on a write error (errno set).
 */
int fetch_page_write(FILE *f, const char *text, size_t len, int unbuffered);

#endif
