/*
 * proj.h: projection programs run without libjq.
 *
 * Most programs only pick, rename and nest fields, optionally after
 * unwrapping a FakerAPI envelope (examples/users.jq).  proj_new()
 * recognises such a program in a strict grammar (see proj.c and
 * fk-shape(1), PROJECTION FAST PATH); a worker then runs it over the
 * text of each input value, as lib/scan.c checked it, building only the
 * output row.  Whatever the fast path cannot do exactly as libjq would
 * (see proj_run) is left to libjq, value by value.
 */
#ifndef FK_SHAPE_PROJ_H
#define FK_SHAPE_PROJ_H

#include <stddef.h>

#include <jv.h>

struct proj;		/* a recognised program: read-only, shared */
struct proj_exec;	/* one worker's state for it */

/*
 * Recognise program.  NULL when it is outside the grammar (or memory
 * ran out): libjq runs it.  Free with proj_free.
 */
struct proj *proj_new(const char *program);
void proj_free(struct proj *pj);

/* Nonzero for `.`: the input is the output, no program needs to run. */
int proj_is_identity(const struct proj *pj);

/* One worker's state (it owns jv values: one thread only).  NULL: OOM. */
struct proj_exec *proj_exec_new(const struct proj *pj);
void proj_exec_free(struct proj_exec *x);

/*
 * Run the program over s[0..n), one whole JSON value that lib/scan.c
 * accepted.  0 with the outputs in (*rows)[0..*nrows): the caller owns
 * each row (the array stays x's).  1 when libjq must run this value: it
 * would raise an error, or it holds something the fast path does not
 * rebuild exactly (see proj.c).
 */
int proj_run(struct proj_exec *x, const char *s, size_t n, jv **rows,
    size_t *nrows);

#endif
