/*
 * reader.c: the reader (see ring.h): the calling thread reads the input
 * and cuts it into batches of whole JSON values with the scanner (scan.h).
 *
 * Malformed input: the bad value is reported with the byte offset of the
 * error and reading resumes at the start of the line after the one where
 * the bad value began, which for NDJSON is the next record.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"
#include "scan.h"
#include "shape/pipe.h"
#include "shape/ring.h"

/*
 * A batch is the unit the threads hand over.  Each handover wakes a
 * thread, and with more threads than the 2 cores a woken thread can wait
 * its turn, so small batches left cores idle: 1M users to Parquet took
 * 2.8 s wall at 256 values a batch, 2.3 s at 2048 and 2.2 s at 4096 (peak
 * RSS 31, 38 and 46 MiB).  Bytes bound a batch of large values.
 */
#define BATCH_VALUES 4096
#define BATCH_BYTES (4096 * 1024)
#define READ_CHUNK (128 * 1024)
#define TEXT_MAX 1024		/* bytes of a malformed value kept */

enum { R_SCAN, R_SKIPLINE, R_OVERSIZE };

struct rd {
	struct pipe *p;
	int fd;
	int eof;
	int paused;		/* the last read was short: input waits */
	struct fk_scan sc;
	long long rec;
	long long base;		/* input offset of buf[0] */
	size_t pos;		/* next byte to scan */
	int mode;		/* R_* */
	size_t hold;		/* R_SKIPLINE, R_OVERSIZE: drop from here */
	int failed;
	struct fk_err err;
};

static int
add_item(struct rd *r, struct batch *b, size_t off, size_t len)
{
	struct item *it;
	void *np;

	np = pipe_grow(b->items, &b->icap, b->nitems, sizeof(*b->items));
	if (np == NULL)
		return -1;
	b->items = np;
	it = &b->items[b->nitems++];
	memset(it, 0, sizeof(*it));
	it->off = off;
	it->len = len;
	it->rec = ++r->rec;
	return 0;
}

/*
 * A malformed or oversized value: it starts at start, fails at at, and
 * its text (for the reject file) ends at end.
 */
static int
add_bad(struct rd *r, struct batch *b, size_t start, size_t at, size_t end,
    const char *why)
{
	struct item *it;

	if (add_item(r, b, 0, 0) == -1)
		return -1;
	it = &b->items[b->nitems - 1];
	if (end - start > TEXT_MAX)
		end = start + TEXT_MAX;
	it->why = strdup(why);
	it->text = malloc(end - start + 1);
	if (it->why == NULL || it->text == NULL)
		return -1;
	memcpy(it->text, b->buf + start, end - start);
	it->tlen = end - start;
	it->boff = r->base + (long long)at;
	it->line = r->sc.line;
	return 0;
}

/*
 * Malformed input: report it, then resume at the line after the one
 * where the bad value began (or skip to the end of this line).
 */
static int
malformed(struct rd *r, struct batch *b, size_t at)
{
	size_t start = r->sc.start < at ? r->sc.start : at;
	const char *nl, *eol;
	size_t end;

	nl = memchr(b->buf + start, '\n', at - start);
	eol = at < b->len ? memchr(b->buf + at, '\n', b->len - at) : NULL;
	end = nl != NULL ? (size_t)(nl - b->buf) : eol != NULL ?
	    (size_t)(eol - b->buf) : b->len;
	if (add_bad(r, b, start, at, end, r->sc.why) == -1)
		return -1;
	if (nl != NULL) {
		r->pos = (size_t)(nl - b->buf) + 1;
		r->sc.line = r->sc.start_line + 1;
		fk_scan_reset(&r->sc);
		return 0;
	}
	fk_scan_reset(&r->sc);
	r->mode = R_SKIPLINE;
	r->hold = r->pos = at;
	return 0;
}

/* Drop buf[from..to): the bytes of a value or line being skipped. */
static void
drop(struct batch *b, size_t from, size_t to)
{
	memmove(b->buf + from, b->buf + to, b->len - to);
	b->len -= to - from;
}

/*
 * With no schema the first batch is the sample, cut by the sample's size
 * alone (never by a pause in the input) so that the schema depends only
 * on the input.
 */
static int
is_sample(const struct rd *r, const struct batch *b)
{
	return r->p->o->schema == NULL && b->seq == 0;
}

static size_t
max_values(const struct rd *r, const struct batch *b)
{
	return is_sample(r, b) ? r->p->o->sample_rows : BATCH_VALUES;
}

static size_t
max_bytes(const struct rd *r, const struct batch *b)
{
	return is_sample(r, b) ? r->p->o->sample_bytes : BATCH_BYTES;
}

/* Scan what is buffered; 1 when the batch is full. */
static int
scan(struct rd *r, struct batch *b)
{
	const char *nl;
	int s;

	while (r->pos < b->len) {
		if (r->mode == R_SKIPLINE) {
			nl = memchr(b->buf + r->pos, '\n', b->len - r->pos);
			if (nl == NULL) {
				b->len = r->pos = r->hold;
				return 0;
			}
			drop(b, r->hold, (size_t)(nl - b->buf) + 1);
			r->pos = r->hold;
			r->sc.line++;
			r->mode = R_SCAN;
			continue;
		}
		s = fk_scan_next(&r->sc, b->buf, b->len, &r->pos);
		if (r->mode == R_OVERSIZE) {
			if (s == FK_SCAN_MORE) {
				b->len = r->pos = r->hold;
				return 0;
			}
			drop(b, r->hold, r->pos);
			r->pos = r->hold;
			r->mode = s == FK_SCAN_VALUE ? R_SCAN : R_SKIPLINE;
			fk_scan_reset(&r->sc);
			continue;
		}
		if (s == FK_SCAN_VALUE) {
			if (add_item(r, b, r->sc.start, r->pos - r->sc.start)
			    == -1)
				return -1;
		} else if (s == FK_SCAN_ERROR) {
			if (malformed(r, b, r->pos) == -1)
				return -1;
		} else if (fk_scan_in_value(&r->sc) &&
		    b->len - r->sc.start > r->p->o->max_record) {
			if (add_bad(r, b, r->sc.start, r->sc.start, b->len,
			    "value larger than --max-record-size") == -1)
				return -1;
			r->mode = R_OVERSIZE;
			b->len = r->pos = r->hold = r->sc.start;
		}
		/* Only whole values count: a long value is never split. */
		if (b->nitems >= max_values(r, b) || (b->nitems > 0 &&
		    r->pos >= max_bytes(r, b)))
			return 1;
	}
	return 0;
}

/* End of input: finish a last number, or report a value cut short. */
static int
at_eof(struct rd *r, struct batch *b)
{
	int s;

	if (r->mode != R_SCAN)
		return 0;
	s = fk_scan_eof(&r->sc);
	if (s == FK_SCAN_VALUE)
		return add_item(r, b, r->sc.start, b->len - r->sc.start);
	if (s == FK_SCAN_ERROR)
		return malformed(r, b, b->len);
	return 0;
}

static int
fill(struct rd *r, struct batch *b)
{
	struct pollfd pfd;
	ssize_t n;
	int k;
	size_t want;
	char *nb;

	if (b->cap - b->len < READ_CHUNK + 1) {
		want = b->cap ? b->cap : READ_CHUNK * 4;
		while (want - b->len < READ_CHUNK + 1)
			want *= 2;
		nb = realloc(b->buf, want);
		if (nb == NULL)
			return fk_fail(&r->err, FK_EX_SOFTWARE,
			    "out of memory");
		b->buf = nb;
		b->cap = want;
	}
	/* Wait in short steps so a run that stopped need not wait for input. */
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	for (;;) {
		k = poll(&pfd, 1, 200);
		if (k > 0 || (k == -1 && errno != EINTR))
			break;
		if (pipe_quitting(r->p)) {
			r->eof = 1;
			return 0;
		}
	}
	do
		n = read(r->fd, b->buf + b->len, READ_CHUNK);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return fk_fail(&r->err, FK_EX_IOERR, "cannot read the input: "
		    "%s", strerror(errno));
	if (n == 0)
		r->eof = 1;
	r->paused = n > 0 && n < READ_CHUNK;
	/* A UTF-8 byte order mark opens the stream at most once. */
	if (r->base == 0 && b->len == 0 && n >= 3 &&
	    memcmp(b->buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	b->len += (size_t)n;
	return 0;
}

/* Hand b to the workers; the unscanned tail moves to a new batch. */
static struct batch *
seal(struct rd *r, struct batch *b)
{
	struct batch *nb;
	size_t from;

	nb = pipe_acquire(r->p);
	if (nb == NULL)
		return NULL;
	from = r->mode == R_SCAN && fk_scan_in_value(&r->sc) ? r->sc.start :
	    r->pos;
	if (r->mode != R_SCAN)
		from = r->hold < r->pos ? r->hold : r->pos;
	if (b->len > from) {
		if (nb->cap < b->len - from + READ_CHUNK + 1) {
			free(nb->buf);
			nb->cap = b->len - from + READ_CHUNK * 4;
			nb->buf = malloc(nb->cap);
			if (nb->buf == NULL) {
				nb->cap = 0;
				fk_fail(&r->err, FK_EX_SOFTWARE,
				    "out of memory");
				return NULL;
			}
		}
		memcpy(nb->buf, b->buf + from, b->len - from);
		nb->len = b->len - from;
	}
	r->sc.start -= from < r->sc.start ? from : r->sc.start;
	r->pos -= from;
	r->hold -= from < r->hold ? from : r->hold;
	r->base += (long long)from;
	pipe_submit(r->p, b);
	return nb;
}

int
reader_run(struct pipe *p, int fd, struct fk_err *e)
{
	struct rd r;
	struct batch *b;
	int full;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.fd = fd;
	fk_scan_init(&r.sc);
	b = pipe_acquire(p);
	while (b != NULL) {
		full = scan(&r, b);
		if (full == -1) {
			fk_fail(&r.err, FK_EX_SOFTWARE, "out of memory");
			break;
		}
		if (full || (r.paused && r.pos == b->len && b->nitems > 0 &&
		    !is_sample(&r, b))) {
			r.paused = 0;
			b = seal(&r, b);
			continue;
		}
		if (r.eof) {
			if (at_eof(&r, b) == -1) {
				fk_fail(&r.err, FK_EX_SOFTWARE,
				    "out of memory");
				break;
			}
			if (r.pos < b->len)
				continue;	/* resumed after a bad value */
			break;
		}
		if (fill(&r, b) == -1)
			break;
	}
	if (r.err.code != 0) {
		/* The workers and the writer must not wait for more. */
		pipe_stop(p);
		*e = r.err;
		return -1;
	}
	if (b != NULL) {
		b->last = 1;
		pipe_submit(p, b);
	}
	return 0;
}
