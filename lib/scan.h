/*
 * scan.h: find where each JSON value of an input stream starts and ends,
 * checking RFC 8259 syntax and UTF-8 on the way, without building values.
 *
 * Shared by fk-shape and fk-fetch.  No dependencies.
 *
 * fk-shape's reader thread runs this over the raw bytes so that the
 * workers can parse whole values in parallel (libjq's parser is
 * sequential), and so that a malformed value is caught with its exact
 * byte offset and can be skipped (see the resync rule in cmd/shape/pipe.c).
 *
 * The scanner is a byte-at-a-time state machine and never looks back:
 * the caller owns the buffer and may refill or move it between calls,
 * adjusting `start` (an index into the caller's buffer) if it does.
 */
#ifndef FK_SCAN_H
#define FK_SCAN_H

#include <stddef.h>

/*
 * jq 1.6 parses 256 levels of arrays but only 128 of objects (its stack
 * holds an object and its key): 128 of anything passes both.
 */
#define FK_SCAN_MAXDEPTH 128

enum { FK_SCAN_MORE, FK_SCAN_VALUE, FK_SCAN_ERROR };

struct fk_scan {
	int st;			/* state, see scan.c */
	int depth;
	int lit;		/* literal: bytes matched so far */
	const char *litstr;	/* literal: "true", "false" or "null" */
	int hex;		/* \u escape: hex digits still to read */
	unsigned int cu;	/* \u escape: code unit so far */
	int low;		/* the \u being read must be a low surrogate */
	int need;		/* UTF-8: continuation bytes still to read */
	unsigned char lo, hi;	/* UTF-8: range of the next byte */
	int key;		/* the string being read is an object key */
	unsigned char stack[FK_SCAN_MAXDEPTH / 8];	/* bit set: array */
	size_t start;		/* buffer index of the value's 1st byte */
	long long line;		/* 1-based line of the scan position */
	long long start_line;	/* line of `start` */
	const char *why;	/* after FK_SCAN_ERROR: the reason */
	char whybuf[48];
};

/* Ready to scan a stream from its first byte. */
void fk_scan_init(struct fk_scan *s);

/* Forget any value in progress: scan again from a value boundary. */
void fk_scan_reset(struct fk_scan *s);

/*
 * Scan buf[*pos .. len).  Returns FK_SCAN_VALUE when a top-level value
 * ends: it is buf[s->start .. *pos).  FK_SCAN_ERROR with s->why when the
 * byte at *pos cannot continue the input.  FK_SCAN_MORE when every byte
 * was consumed (*pos == len) with no value finished.
 */
int fk_scan_next(struct fk_scan *s, const char *buf, size_t len,
    size_t *pos);

/*
 * End of input: FK_SCAN_VALUE if a top-level number or literal was
 * pending (it ends at len), FK_SCAN_ERROR if a value is unfinished,
 * FK_SCAN_MORE if the stream ended between values.
 */
int fk_scan_eof(struct fk_scan *s);

/* Nonzero while inside a value (s->start is meaningful). */
int fk_scan_in_value(const struct fk_scan *s);

#endif
