/*
 * files.c: the files fk-shape reads and writes around a run; see
 * files.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jv.h>

#include "file.h"
#include "json.h"
#include "shape/files.h"

#define KEY_MAX		4096
#define PROGRAM_MAX	(1 << 20)
#define SCHEMA_MAX	(16 << 20)

int
files_program(const char *path, char **text, struct fk_err *e)
{
	size_t n;

	if (fk_read_file(path, PROGRAM_MAX, text, &n) == -1)
		return fk_fail(e, FK_EX_NOINPUT, "cannot read '%s': %s", path,
		    strerror(errno));
	return 0;
}

int
files_schema(const char *path, struct schema *s, struct fk_err *e)
{
	struct fk_err why;
	size_t n;
	char *text;
	jv doc;
	int rc;

	if (fk_read_file(path, SCHEMA_MAX, &text, &n) == -1)
		return fk_fail(e, FK_EX_NOINPUT, "cannot read the schema "
		    "'%s': %s", path, strerror(errno));
	rc = fk_json_parse(text, n, &doc, &why);
	free(text);
	if (rc == -1)
		return fk_fail(e, FK_EX_CONFIG, "schema '%s': %s", path,
		    why.msg);
	if (schema_parse(doc, s, &why) == -1)
		return fk_fail(e, why.code, "schema '%s': %s", path, why.msg);
	return 0;
}

/* The key's bytes, malloc'ed: from keyfile, else from $FK_HASH_KEY. */
static int
read_key(const char *keyfile, char **k, size_t *n, struct fk_err *e)
{
	const char *env = getenv("FK_HASH_KEY");

	if (keyfile != NULL) {
		if (fk_read_file(keyfile, KEY_MAX, k, n) == -1)
			return fk_fail(e, FK_EX_CONFIG, "cannot read the hash "
			    "key file '%s': %s", keyfile, strerror(errno));
		/* One trailing newline is the editor's, not the key's. */
		if (*n > 0 && (*k)[*n - 1] == '\n')
			(*n)--;
		if (*n > 0 && (*k)[*n - 1] == '\r')
			(*n)--;
		return 0;
	}
	if (env == NULL)
		return fk_fail(e, FK_EX_CONFIG, "--hash needs a key: set "
		    "FK_HASH_KEY or give --hash-key-file");
	*n = strlen(env);
	*k = strdup(env);
	if (*k == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}

int
files_hash_key(struct pii *p, const char *keyfile, size_t *n,
    struct fk_err *e)
{
	char *k;
	int rc;

	if (read_key(keyfile, &k, n, e) == -1)
		return -1;
	rc = pii_set_key(p, k, *n, e);
	explicit_bzero(k, *n);
	free(k);
	return rc;
}

int
files_emit_schema(const struct writer *w, const struct schema *s,
    const unsigned char *widen, int csv_newlines, const char *path,
    char *flags, size_t n, struct fk_err *e)
{
	jv j, txt;
	int err;

	if (s == NULL)
		return fk_fail(e, FK_EX_DATAERR, "no row to infer a schema "
		    "from; '%s' not written", path);
	j = writer_schema(w, s, widen, e);
	if (!jv_is_valid(j))
		return -1;
	txt = jv_string_concat(jv_dump_string(j, JV_PRINT_INDENT_FLAGS(2)),
	    jv_string("\n"));
	err = fk_write_file(path, jv_string_value(txt),
	    (size_t)jv_string_length_bytes(jv_copy(txt)));
	jv_free(txt);
	if (err != 0)
		return fk_fail(e, FK_EX_IOERR, "cannot write '%s': %s", path,
		    strerror(err));
	writer_bq_flags(w, flags, n, path, csv_newlines);
	return 0;
}

int
files_out_open(struct files_out *o, const char *path, struct fk_err *e)
{
	struct stat sb;
	int fd;

	o->f = stdout;
	o->path = NULL;
	o->tmp[0] = '\0';
	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	o->path = path;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* A device or a FIFO cannot be replaced: write to it. */
		o->f = fopen(path, "w");
		if (o->f == NULL)
			return fk_fail(e, FK_EX_IOERR, "cannot write '%s': %s",
			    path, strerror(errno));
		return 0;
	}
	fd = fk_tmp_beside(path, o->tmp, sizeof(o->tmp));
	if (fd == -1) {
		o->tmp[0] = '\0';
		return fk_fail(e, FK_EX_IOERR, "cannot create '%s': %s", path,
		    strerror(errno));
	}
	o->f = fdopen(fd, "wb");
	if (o->f == NULL)
		return fk_fail(e, FK_EX_IOERR, "cannot write '%s': %s", path,
		    strerror(errno));
	return 0;
}

int
files_out_close(struct files_out *o, int ok)
{
	int err;

	if (o->tmp[0] != '\0')
		err = fk_tmp_commit(o->f, o->tmp, o->path, ok);
	else
		err = fk_fclose_checked(o->f);
	o->tmp[0] = '\0';
	o->f = NULL;
	return err;
}
