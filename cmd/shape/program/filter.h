/*
 * filter.h: a jq program (libjq) run on one input value at a time.
 *
 * jq states are not thread-safe, so every worker gets its own, compiled
 * from the same text.  jq 1.6 keeps numbers as doubles: integers beyond
 * 2^53 are already rounded when the filter sees them.
 */
#ifndef FK_SHAPE_FILTER_H
#define FK_SHAPE_FILTER_H

#include <stddef.h>

#include <jv.h>

#include "fk.h"

struct filter;

/*
 * Compile program with named arguments args (an object, borrowed: $name
 * for each member, and $ARGS like jq's).  NULL with e filled, code USAGE
 * and jq's own message, if it does not compile.
 */
struct filter *filter_new(const char *program, jv args, struct fk_err *e);
void filter_free(struct filter *q);

/* Run the program on input (consumed). */
void filter_start(struct filter *q, jv input);

/*
 * The next output: 1 with *out, 0 when there are no more, -1 with the
 * error message (jq's error or halt_error text) in why[0..n).
 */
int filter_next(struct filter *q, jv *out, char *why, size_t n);

#endif
