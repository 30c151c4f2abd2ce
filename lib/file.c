/*
 * file.c: reading a whole file; writing one through a temporary name
 * (see file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"

int
fk_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct fk_buf b = { 0 };
	char chunk[8192];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	b.max = max;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (fk_buf_add(&b, chunk, (size_t)n) < 0) {
			err = b.len + (size_t)n > max ? EFBIG : ENOMEM;
			break;
		}
	}
	if (err == 0 && fk_buf_add(&b, "", 0) < 0)
		err = ENOMEM;
	explicit_bzero(chunk, sizeof(chunk));
	close(fd);
	if (err != 0) {
		if (b.p != NULL)
			explicit_bzero(b.p, b.len);
		fk_buf_free(&b);
		errno = err;
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

int
fk_fclose_checked(FILE *f)
{
	int err = 0;

	if (fflush(f) != 0)
		err = errno ? errno : EIO;
	else if (ferror(f))
		err = errno == EPIPE ? EPIPE : EIO;	/* an earlier write's */
	if (fclose(f) != 0 && err == 0)
		err = errno ? errno : EIO;
	return err;
}

int
fk_tmp_beside(const char *path, char *tmp, size_t n)
{
	if (snprintf(tmp, n, "%s.XXXXXX", path) >= (int)n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkostemp(tmp, O_CLOEXEC);
}

int
fk_tmp_commit(FILE *f, const char *tmp, const char *path, int ok)
{
	mode_t um;
	int err, cerr;

	/* mkstemp made it 0600; a finished file gets what open(2) gives. */
	um = umask(0);
	umask(um);
	err = fchmod(fileno(f), 0666 & ~um) == 0 ? 0 : errno;
	cerr = fk_fclose_checked(f);
	if (err == 0)
		err = cerr;
	if (err == 0 && ok && rename(tmp, path) < 0)
		err = errno;
	if (err != 0 || !ok)
		unlink(tmp);
	return err;
}

int
fk_write_file(const char *path, const void *data, size_t n)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err, cerr;

	fd = fk_tmp_beside(path, tmp, sizeof(tmp));
	if (fd < 0)
		return errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		err = errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = fwrite(data, 1, n, f) == n ? 0 : EIO;
	cerr = fk_tmp_commit(f, tmp, path, err == 0);
	return err != 0 ? err : cerr;
}
