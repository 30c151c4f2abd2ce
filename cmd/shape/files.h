/*
 * files.h: the files fk-shape reads and writes around a run: the jq
 * program (-f), the schema (--schema), the hash key (--hash-key-file),
 * the schema of the output (--emit-schema) and the data output (-O),
 * which is complete or absent.  Each function returns -1 (or an errno)
 * and leaves the message to fk-shape's main.
 */
#ifndef FK_SHAPE_FILES_H
#define FK_SHAPE_FILES_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "fk.h"
#include "shape/check/pii.h"
#include "shape/check/schema.h"
#include "shape/write/writer.h"

/* The jq program in path, malloc'ed in *text; -1 with e filled. */
int files_program(const char *path, char **text, struct fk_err *e);

/* The `bq load --schema` file at path into *s; -1 with e filled. */
int files_schema(const char *path, struct schema *s, struct fk_err *e);

/*
 * The --hash key, as raw bytes: the file keyfile (less the editor's
 * trailing newline) or, without one, $FK_HASH_KEY; set on p, every copy
 * wiped.  0 with its length in *n, or -1 with e filled.
 */
int files_hash_key(struct pii *p, const char *keyfile, size_t *n,
    struct fk_err *e);

/*
 * --emit-schema: the schema s (NULL: no row to infer it from) as w
 * loads it, written to path whole or not at all, and the `bq load`
 * flags that go with it in flags.  0, or -1 with e filled.
 */
int files_emit_schema(const struct writer *w, const struct schema *s,
    const unsigned char *widen, int csv_newlines, const char *path,
    char *flags, size_t n, struct fk_err *e);

/*
 * The data output.  With no path (or "-") it is stdout; a device or a
 * FIFO is written in place; any other path is written under a temporary
 * name beside it (tmp) and takes path's name only when complete.
 */
struct files_out {
	FILE *f;
	const char *path;		/* NULL: stdout */
	char tmp[PATH_MAX];		/* "": no temporary file */
};

/* Open o for path (NULL or "-": stdout); -1 with e filled. */
int files_out_open(struct files_out *o, const char *path, struct fk_err *e);

/*
 * Close o with a checked error; a temporary file is renamed to its path
 * when ok, removed otherwise.  0, or the errno of the first failure.
 */
int files_out_close(struct files_out *o, int ok);

#endif
