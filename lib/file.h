/*
 * file.h: whole files, shared by fk-shape (programs, schemas, keys, -O,
 * --emit-schema) and gcs-put (credential files, the spool).  No
 * dependencies.  Functions return -1 and leave errno set; the caller
 * words the message.
 */
#ifndef FK_FILE_H
#define FK_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * The whole of the file at path (a pipe is fine), NUL-terminated and
 * malloc'ed in *out, its length in *len.  -1 with errno: open's or read's,
 * or EFBIG when it holds more than max bytes.  What was read of a file
 * that failed is wiped, since key files come this way.
 */
int fk_read_file(const char *path, size_t max, char **out, size_t *len);

/* Flush and close f: 0, or the errno of the first failure. */
int fk_fclose_checked(FILE *f);

/*
 * A new file beside path, named path.XXXXXX (written into tmp, of n
 * bytes), mode 0600 until fk_tmp_commit gives it the usual mode.  The
 * descriptor, or -1 with errno (ENAMETOOLONG when tmp is too small).
 */
int fk_tmp_beside(const char *path, char *tmp, size_t n);

/*
 * Finish a file made by fk_tmp_beside: mode 0666 less the umask, f
 * flushed and closed with a checked error, then renamed to path when ok.
 * The temporary name never survives.  0, or the errno of the first
 * failure (rename's included).
 */
int fk_tmp_commit(FILE *f, const char *tmp, const char *path, int ok);

/* n bytes of data as the file path, complete or not at all; 0 or errno. */
int fk_write_file(const char *path, const void *data, size_t n);

#endif
