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

/*
 * One member of an output row as the input's text: the key (no escapes
 * in it) and the value's JSON text, v NULL when the path is absent (jq's
 * null).  Both point into the text given to proj_run_text.
 */
struct proj_kv {
	const char *k, *v;
	size_t kn, vn;
};

/*
 * Nonzero when the program's rows can come out as text: its output is a
 * path (to an object) or an object whose members are all paths.
 */
int proj_texts(const struct proj *pj);

/*
 * proj_run, but each output row is left as text: row i is the members
 * (*kv)[(*end)[i-1] .. (*end)[i]) ((*end)[-1] read as 0), in the order
 * jq would build them (the arrays stay x's).  1 as proj_run, and also
 * when a row's members are not plain text: a key with an escape, or a
 * picked value that is not an object.  Duplicated keys are not merged:
 * the caller sees them.
 */
int proj_run_text(struct proj_exec *x, const char *s, size_t n,
    const struct proj_kv **kv, const size_t **end, size_t *nrows);

#endif
