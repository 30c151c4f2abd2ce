/*
 * upload.h: one object upload to the Cloud Storage JSON API, from a
 * gcs_src of unknown length, in bounded memory.
 *
 * A stream that ends within the first chunk goes up as one multipart
 * request whose object resource carries crc32c and md5Hash, so the
 * service verifies it.  A longer one uses a resumable session: chunks
 * of conf.chunk bytes sent with "Content-Range: bytes A-B/" "*", the
 * last one (found by reading ahead) with the total and X-Goog-Hash.  A
 * failed request is retried after asking the server how much it kept
 * ("bytes *" "/" "*") and resending from there; only the current chunk is
 * held in memory.  A lost session (404, 410, 499) is restarted from the
 * source's spool when there is one, and fails otherwise.  The object
 * the service returns is compared with the sums of the bytes sent.
 *
 * Unless it may replace any generation, it first reads the object's
 * metadata and fails at once (FK_EX_FAIL) if the precondition does not
 * hold, before a byte is sent; a 403 there means "unknown" and the
 * upload goes on (GCS_EV_UNREADABLE), in a session even when short, since
 * only a session can be asked what became of a lost answer.
 *
 * The module never prints: it reports through conf.event and fills a
 * struct fk_err.  Exit classes: FK_EX_FAIL (permanent HTTP failure,
 * 412 precondition), FK_EX_DATAERR (hash or size mismatch, protocol
 * violation), FK_EX_IOERR (stdin), FK_EX_TEMPFAIL (retries exhausted,
 * session lost), FK_EX_NOPERM (401 after a refresh, 403), and whatever
 * conf.auth returns.
 */
#ifndef GCS_UPLOAD_H
#define GCS_UPLOAD_H

#include <signal.h>
#include <stddef.h>

#include <jv.h>

#include "fk.h"
#include "http.h"
#include "object.h"
#include "retry.h"
#include "source.h"

enum gcs_ev_kind {
	GCS_EV_REQUEST,		/* a request ended (status 0: none) */
	GCS_EV_RETRY,		/* about to wait `delay` s and retry */
	GCS_EV_PROGRESS,	/* bytes went out (at most 4 times a second) */
	GCS_EV_RESTART,		/* a lost session restarts (spool) */
	GCS_EV_ADOPT,		/* an unsure retry found our object */
	GCS_EV_UNREADABLE	/* existence check not answered (403...): unknown */
};

struct gcs_event {
	enum gcs_ev_kind kind;
	const char *method;
	const char *url;		/* upload_id shortened (gcs_redact) */
	const char *range;		/* Content-Range sent, or NULL */
	long status;
	double seconds;
	int attempt;			/* RETRY: failures so far */
	double delay;
	const struct fk_err *why;	/* RETRY, RESTART: the failure */
	unsigned long long sent;	/* stream bytes sent at least once */
	unsigned long long confirmed;	/* stream bytes the server holds */
	int retries;			/* retries so far */
};

/* The size of the buffer conf.auth is given for the header line. */
#define GCS_AUTH_MAX 8192

struct gcs_up_conf {
	const char *base;		/* service URL, no trailing slash */
	const char *bucket;
	const char *name;
	const struct gcs_meta *meta;	/* meta->content_type must be set */
	size_t chunk;			/* a multiple of 256 KiB */
	long long if_generation_match;	/* < 0: no precondition */
	int no_empty;			/* an empty stream is an error */
	int max_restarts;		/* session restarts from the spool */
	struct fk_retry retry;		/* per request; progress resets */
	struct fk_http_opts http;
	/*
	 * Write the Authorization header line into hdr ("" for none);
	 * refresh: the last one was refused with 401.  -1 with e filled.
	 */
	int (*auth)(void *arg, int refresh, char *hdr, size_t len,
	    struct fk_err *e);
	void (*event)(void *arg, const struct gcs_event *ev);
	void *arg;
	volatile sig_atomic_t *stop;	/* nonzero: abort at once */
};

struct gcs_up_stats {
	int resumable;			/* 0: one multipart request */
	int requests;
	int retries;
	int restarts;
	unsigned long long wire;	/* body bytes sent, resends included */
};

struct gcs_up;

/* A new upload (allocating the chunk buffer); NULL with e filled. */
struct gcs_up *gcs_up_new(const struct gcs_up_conf *c, struct fk_err *e);

/*
 * Store everything src produces as the object.  0 with *obj set to the
 * verified object resource the server returned (the caller frees it),
 * or -1 with e filled.  After a failure the caller should call
 * gcs_up_cancel so that nothing is finalised later.
 */
int gcs_up_run(struct gcs_up *u, struct gcs_src *src, jv *obj,
    struct fk_err *e);

/*
 * gcs-put --check: would an upload be allowed?  The credentials resolve
 * (the first request needs a token), they may create objects in the
 * bucket (testIamPermissions: FK_EX_NOPERM if not, FK_EX_FAIL if there is
 * no such bucket), and the precondition holds as far as the object's
 * metadata tells (see gcs_up_run).  Nothing is created and no byte of
 * the source is read.  0, or -1 with e filled.
 */
int gcs_up_check(struct gcs_up *u, struct fk_err *e);

/*
 * Cancel the resumable session, if one is open (DELETE on its URI,
 * one short attempt, even while *stop is set).  Returns the HTTP status,
 * 0 when there was no session, -1 when the request failed.
 */
long gcs_up_cancel(struct gcs_up *u);

void gcs_up_stats(const struct gcs_up *u, struct gcs_up_stats *st);

void gcs_up_free(struct gcs_up *u);

/*
 * The persisted length a 308 announces: "bytes=0-N" gives N + 1, an
 * absent header 0.  -1 if the value is malformed or does not start at 0.
 */
long long gcs_range_persisted(const char *range);

#endif
