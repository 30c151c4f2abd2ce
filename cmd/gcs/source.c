/*
 * source.c: stdin, gzip on the fly, look-ahead and spool (see source.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "file.h"
#include "source.h"

#define IN_SIZE (64 * 1024)
#define LA_SIZE (64 * 1024)

static int
open_spool(const char *dir, struct fk_err *e)
{
	char name[PATH_MAX], tmp[PATH_MAX];
	int fd;

	/* An unlinked file vanishes with the process, whatever happens. */
	fd = open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(name, sizeof(name), "%s/gcs-put.spool", dir);
	fd = fk_tmp_beside(name, tmp, sizeof(tmp));
	if (fd >= 0)
		unlink(tmp);
	if (fd < 0)
		return fk_fail(e, FK_EX_IOERR, "cannot create a spool file in "
		    "'%s': %s", dir, strerror(errno));
	return fd;
}

int
gcs_src_open(struct gcs_src *s, int fd, int gzip, const char *spool_dir,
    volatile sig_atomic_t *stop, struct fk_err *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->gzip = gzip;
	s->spool = -1;
	s->stop = stop;
	s->la = malloc(LA_SIZE);
	if (s->la == NULL)
		goto nomem;
	if (gzip) {
		s->in = malloc(IN_SIZE);
		if (s->in == NULL)
			goto nomem;
		/* windowBits 15 + 16: a gzip header and trailer, not zlib's. */
		if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
		    15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			fk_fail(e, FK_EX_SOFTWARE, "cannot start zlib");
			goto bad;
		}
		s->z_ready = 1;
	}
	if (spool_dir != NULL) {
		s->spool = open_spool(spool_dir, e);
		if (s->spool < 0)
			goto bad;
	}
	return 0;
nomem:
	fk_fail(e, FK_EX_SOFTWARE, "out of memory");
bad:
	gcs_src_close(s);
	return -1;
}

/* One read(2) into buf: count, 0 at EOF, -1 with e filled. */
static ssize_t
read_fd(struct gcs_src *s, void *buf, size_t n, struct fk_err *e)
{
	ssize_t r;

	for (;;) {
		if (s->stop != NULL && *s->stop)
			return fk_fail(e, FK_EX_IOERR, "interrupted");
		r = read(s->fd, buf, n);
		if (r >= 0)
			break;
		/* An inherited non-blocking stdin: wait, don't spin. */
		if (errno == EAGAIN) {
			struct pollfd pf = { s->fd, POLLIN, 0 };

			poll(&pf, 1, 1000);
			continue;
		}
		if (errno != EINTR)
			return fk_fail(e, FK_EX_IOERR,
			    "cannot read standard input: %s", strerror(errno));
	}
	s->raw += (unsigned long long)r;
	return r;
}

/* Compress into buf: a positive count, 0 after the trailer, or -1. */
static ssize_t
deflate_some(struct gcs_src *s, unsigned char *buf, size_t n,
    struct fk_err *e)
{
	ssize_t r;
	int zr;

	s->z.next_out = buf;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out == n && !s->z_end) {
		if (s->z.avail_in == 0 && !s->in_eof) {
			r = read_fd(s, s->in, IN_SIZE, e);
			if (r < 0)
				return -1;
			s->in_eof = r == 0;
			s->z.next_in = s->in;
			s->z.avail_in = (uInt)r;
		}
		zr = deflate(&s->z, s->in_eof ? Z_FINISH : Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			s->z_end = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return fk_fail(e, FK_EX_SOFTWARE, "zlib: %s",
			    s->z.msg != NULL ? s->z.msg : "deflate failed");
	}
	return (ssize_t)(n - s->z.avail_out);
}

static int
spool_write(struct gcs_src *s, const unsigned char *p, size_t n,
    struct fk_err *e)
{
	ssize_t w;

	while (n > 0) {
		w = write(s->spool, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return fk_fail(e, FK_EX_IOERR, "cannot write the spool "
			    "file: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Produce up to n new bytes (at least one unless at the end). */
static ssize_t
produce(struct gcs_src *s, unsigned char *buf, size_t n, struct fk_err *e)
{
	ssize_t r;

	if (s->eof || n == 0)
		return 0;
	r = s->gzip ? deflate_some(s, buf, n, e) : read_fd(s, buf, n, e);
	if (r < 0)
		return -1;
	if (r == 0) {
		s->eof = 1;
		return 0;
	}
	if (s->spool >= 0 && spool_write(s, buf, (size_t)r, e) < 0)
		return -1;
	s->produced += (unsigned long long)r;
	return r;
}

ssize_t
gcs_src_read(struct gcs_src *s, void *buf, size_t n, struct fk_err *e)
{
	unsigned char *p = buf;
	size_t got = 0, k;
	ssize_t r;

	if (s->la_pos < s->la_len) {
		k = s->la_len - s->la_pos;
		if (k > n)
			k = n;
		memcpy(p, s->la + s->la_pos, k);
		s->la_pos += k;
		got = k;
	}
	while (got < n) {
		r = produce(s, p + got, n - got, e);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
gcs_src_at_eof(struct gcs_src *s, struct fk_err *e)
{
	ssize_t r;

	if (s->la_pos < s->la_len)
		return 0;
	r = produce(s, s->la, LA_SIZE, e);
	if (r < 0)
		return -1;
	s->la_pos = 0;
	s->la_len = (size_t)r;
	return r == 0;
}

int
gcs_src_replay(struct gcs_src *s, unsigned long long off, void *buf,
    size_t n, struct fk_err *e)
{
	unsigned char *p = buf;
	ssize_t r;

	if (s->spool < 0 || off + n > s->produced)
		return fk_fail(e, FK_EX_SOFTWARE, "nothing spooled to replay");
	while (n > 0) {
		r = pread(s->spool, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return fk_fail(e, FK_EX_IOERR, "cannot read the spool "
			    "file: %s", r < 0 ? strerror(errno) : "short");
		p += r;
		off += (unsigned long long)r;
		n -= (size_t)r;
	}
	return 0;
}

void
gcs_src_close(struct gcs_src *s)
{
	if (s->z_ready)
		deflateEnd(&s->z);
	if (s->spool >= 0)
		close(s->spool);
	free(s->in);
	free(s->la);
	s->z_ready = 0;
	s->spool = -1;
	s->in = s->la = NULL;
}
