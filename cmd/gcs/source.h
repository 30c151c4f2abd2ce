/*
 * source.h: the bytes gcs-put stores, read from a descriptor (stdin),
 * optionally gzip-compressed on the way (zlib, gzip wrapper), and
 * optionally copied to an unlinked spool file so that a lost upload
 * session can be replayed from byte 0.
 *
 * Memory is bounded: a 64 KiB input buffer for zlib and a 64 KiB
 * look-ahead, used only to learn whether a full chunk was the last one
 * (the final request of a resumable upload must carry the total).
 */
#ifndef GCS_SOURCE_H
#define GCS_SOURCE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <zlib.h>

#include "fk.h"

struct gcs_src {
	int fd;
	int gzip;
	z_stream z;
	int z_ready;
	unsigned char *in;		/* zlib input */
	size_t in_len;
	int in_eof;			/* fd reached EOF */
	int z_end;			/* deflate wrote its trailer */
	unsigned char *la;		/* look-ahead, already produced */
	size_t la_len, la_pos;
	int eof;			/* no byte will be produced again */
	unsigned long long raw;		/* bytes read from fd */
	unsigned long long produced;	/* bytes produced (stored bytes) */
	int spool;			/* spool descriptor, or -1 */
	volatile sig_atomic_t *stop;	/* set on a signal: give up */
};

/*
 * Start reading fd.  gzip: compress with zlib's default level.
 * spool_dir: if not NULL, keep a copy of every produced byte in an
 * unlinked file there.  stop may be NULL.  -1 with e filled.
 */
int gcs_src_open(struct gcs_src *s, int fd, int gzip, const char *spool_dir,
    volatile sig_atomic_t *stop, struct fk_err *e);

/*
 * Fill buf with up to n produced bytes.  Returns the count, which is
 * less than n only at the end of the stream, or -1 with e filled
 * (FK_EX_IOERR for a read or spool error, or when *stop was set).
 */
ssize_t gcs_src_read(struct gcs_src *s, void *buf, size_t n,
    struct fk_err *e);

/*
 * Whether the stream has ended: 1 if no byte follows, 0 if one does
 * (it is held in the look-ahead for the next gcs_src_read), -1 on error.
 */
int gcs_src_at_eof(struct gcs_src *s, struct fk_err *e);

/*
 * Read n bytes at offset off of the produced stream back from the spool
 * (all of them must have been produced).  0, or -1 with e filled.
 */
int gcs_src_replay(struct gcs_src *s, unsigned long long off, void *buf,
    size_t n, struct fk_err *e);

void gcs_src_close(struct gcs_src *s);

#endif
