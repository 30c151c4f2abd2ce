/*
 * page.h: writing one validated page to the output.
 */
#ifndef FETCH_PAGE_H
#define FETCH_PAGE_H

#include <stdint.h>
#include <stdio.h>
#include <jv.h>

/*
 * Write the envelope env (consumed) of request k to out.  raw: the
 * envelope itself as one compact line.  Otherwise one compact line per
 * record of data, in order, each record's "id" (when it has one) set to
 * fetch_id(k, position).  unbuffered flushes after every line.  Returns
 * the number of records written, or -1 on a write error (errno set).
 */
long fetch_page_write(FILE *out, jv env, uint64_t k, int raw, int unbuffered);

#endif
