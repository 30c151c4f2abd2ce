/*
 * upload.c: multipart and resumable uploads with retries, resume and
 * verification (see upload.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>
#include <time.h>

#include <curl/curl.h>
#include <jv.h>

#include "digest.h"
#include "endpoint.h"
#include "json.h"
#include "upload.h"

#define URL_MAX		8192
#define CANCEL_TIMEOUT	5L
#define CHUNK_UNIT	262144		/* non-final sizes: multiples */

/* How a request ended, as far as the upload logic cares. */
enum {
	ST_OK,		/* 2xx */
	ST_308,		/* resume incomplete */
	ST_RETRY,	/* 408, 429, 5xx, timeout, reset, stall */
	ST_LOST,	/* the session is gone: 404, 410, 499 */
	ST_401,		/* the token was refused; refresh once */
	ST_FAIL,	/* anything else: permanent */
	ST_STOP,	/* a signal asked us to stop */
	ST_UNSURE	/* all of a completing request went out, no answer */
};

/* What reading the object's metadata after a lost answer found. */
enum { LK_MATCH, LK_DIFFERS, LK_ABSENT, LK_UNKNOWN };

/* What send_chunk reports. */
enum { CH_NEXT, CH_DONE, CH_LOST };

struct body {
	struct iovec seg[3];
	int nseg;
	size_t len;
	size_t pos;
	int hash;			/* a chunk: hash what goes out */
	unsigned long long abs;		/* stream offset of byte 0 */
};

struct req {
	const char *method;
	const char *url;
	const char *what;		/* subject of error messages */
	int auth;			/* send Authorization */
	int session;			/* 404/410/499: session lost */
	int completes;			/* its success makes the object */
	int body;			/* u->body is the request body */
	const char *ctype;		/* Content-Type */
	const char *range;		/* Content-Range */
	const char *xhash;		/* X-Goog-Hash */
	const char *xtype;		/* X-Upload-Content-Type */
	long timeout;			/* whole request, s; 0: none */
};

struct gcs_up {
	struct gcs_up_conf c;
	CURL *h;
	struct fk_resp r;
	char *target;			/* "gs://bucket/name" */
	char *session;			/* resumable session URI */
	int session_auth;		/* same origin: send the token */
	int refresh;			/* next auth: fetch a new token */
	int cancelling;			/* ignore *stop (the DELETE) */
	struct gcs_src *src;
	struct gcs_digest dg;
	int dg_ready;
	unsigned char *buf;		/* the chunk in hand */
	unsigned long long cstart;	/* its stream offset */
	size_t clen;
	int final;			/* it ends the stream */
	unsigned long long replay_end;	/* below: from the spool */
	int replay_final;
	struct body body;
	struct gcs_sums sums;
	unsigned long long sent, confirmed, wire;
	int requests, retries, restarts, resumable;
	int unreadable;			/* metadata reads answer 403 */
	double last_progress;
	curl_off_t seen;		/* bytes up + down in this request */
	double active;			/* when they last changed */
	int stalled;			/* the watchdog aborted it */
};

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static void
emit(struct gcs_up *u, struct gcs_event *ev)
{
	ev->sent = u->sent;
	ev->confirmed = u->confirmed;
	ev->retries = u->retries;
	if (u->c.event != NULL)
		u->c.event(u->c.arg, ev);
}

static int
stopped(const struct gcs_up *u)
{
	return !u->cancelling && u->c.stop != NULL && *u->c.stop;
}

/*
 * Extend the digests over the chunk in hand up to stream offset upto.
 * Bytes before dg.n were hashed when first sent (a replay from the
 * spool sends them again, unhashed).
 */
static void
hash_to(struct gcs_up *u, unsigned long long upto)
{
	if (upto > u->cstart + u->clen)
		upto = u->cstart + u->clen;
	if (upto <= u->dg.n || u->dg.n < u->cstart)
		return;
	gcs_digest_update(&u->dg, u->buf + (u->dg.n - u->cstart),
	    (size_t)(upto - u->dg.n));
}

static size_t
read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct gcs_up *u = arg;
	struct body *b = &u->body;
	size_t want = size * n, got = 0, off = 0, k;
	int i;

	for (i = 0; i < b->nseg && got < want; i++) {
		if (b->pos >= off + b->seg[i].iov_len) {
			off += b->seg[i].iov_len;
			continue;
		}
		k = off + b->seg[i].iov_len - b->pos;
		if (k > want - got)
			k = want - got;
		memcpy(dst + got, (char *)b->seg[i].iov_base + (b->pos - off),
		    k);
		got += k;
		b->pos += k;
		off += b->seg[i].iov_len;
	}
	u->wire += got;
	if (b->hash) {
		/* Hashing here overlaps it with the server's work. */
		hash_to(u, b->abs + b->pos);
		if (b->abs + b->pos > u->sent)
			u->sent = b->abs + b->pos;
	}
	return got;
}

/* libcurl rewinds when it must resend a body (a reused connection died). */
static int
seek_cb(void *arg, curl_off_t off, int origin)
{
	struct gcs_up *u = arg;

	if (origin != SEEK_SET || off < 0 || (size_t)off > u->body.len)
		return CURL_SEEKFUNC_CANTSEEK;
	u->body.pos = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

static int
xferinfo_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct gcs_up *u = arg;
	struct gcs_event ev;
	double now;

	(void)dt;
	(void)ut;
	if (stopped(u))
		return 1;
	now = fk_now();
	/*
	 * An idle timeout of our own: libcurl's low-speed check averages
	 * over seconds that include the body just sent, so a server that
	 * goes quiet while we wait for its answer is noticed too late.
	 */
	if (dn + un != u->seen) {
		u->seen = dn + un;
		u->active = now;
	} else if (u->c.http.stall_timeout > 0 &&
	    now - u->active >= (double)u->c.http.stall_timeout) {
		u->stalled = 1;
		return 1;
	}
	if (now - u->last_progress >= 0.25) {
		u->last_progress = now;
		memset(&ev, 0, sizeof(ev));
		ev.kind = GCS_EV_PROGRESS;
		emit(u, &ev);
	}
	return 0;
}

static struct curl_slist *
add_header(struct curl_slist *l, int *bad, const char *name, const char *v)
{
	struct curl_slist *n;
	char *line;

	if (v == NULL || *bad)
		return l;
	line = xasprintf("%s: %s", name, v);
	n = line != NULL ? curl_slist_append(l, line) : NULL;
	free(line);
	if (n == NULL)
		*bad = 1;
	return n != NULL ? n : l;
}

/* Free a header list, wiping every line: one of them holds the token. */
static void
free_headers(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static struct curl_slist *
build_headers(struct gcs_up *u, const struct req *q, struct fk_err *e)
{
	struct curl_slist *l = NULL, *n;
	char auth[GCS_AUTH_MAX];
	int bad = 0;

	if (q->auth) {
		if (u->c.auth(u->c.arg, u->refresh, auth, sizeof(auth), e) < 0)
			return NULL;
		u->refresh = 0;
		if (auth[0] != '\0') {
			l = curl_slist_append(l, auth);
			bad = l == NULL;
		}
		explicit_bzero(auth, sizeof(auth));
	}
	/* 100-continue costs a round trip per chunk; GCS needs none. */
	n = bad ? NULL : curl_slist_append(l, "Expect:");
	if (n == NULL)
		bad = 1;
	else
		l = n;
	l = add_header(l, &bad, "Content-Type", q->ctype);
	l = add_header(l, &bad, "Content-Range", q->range);
	l = add_header(l, &bad, "X-Goog-Hash", q->xhash);
	l = add_header(l, &bad, "X-Upload-Content-Type", q->xtype);
	if (bad) {
		free_headers(l);
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	return l;
}

static void
set_method(struct gcs_up *u, const struct req *q)
{
	CURL *h = u->h;

	if (q->body) {
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, u);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, u);
		u->body.pos = 0;
	}
	if (strcmp(q->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)(q->body ? u->body.len : 0));
	} else if (strcmp(q->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(q->body ? u->body.len : 0));
	} else if (strcmp(q->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	}
}

/*
 * One attempt of q.  0 with *rc and u->r filled, or -1 with e filled
 * when the request could not be made (no token, no memory).
 */
static int
perform(struct gcs_up *u, const struct req *q, CURLcode *rc,
    struct fk_err *e)
{
	struct curl_slist *hdrs;
	struct gcs_event ev;
	char shown[URL_MAX];

	hdrs = build_headers(u, q, e);
	if (hdrs == NULL)
		return -1;
	curl_easy_reset(u->h);
	fk_http_setup(u->h, &u->c.http);
	curl_easy_setopt(u->h, CURLOPT_LOW_SPEED_TIME, 0L);
	u->seen = 0;
	u->active = fk_now();
	u->stalled = 0;
	fk_resp_reset(&u->r);
	fk_resp_attach(u->h, &u->r);
	curl_easy_setopt(u->h, CURLOPT_URL, q->url);
	curl_easy_setopt(u->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(u->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(u->h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(u->h, CURLOPT_XFERINFODATA, u);
	if (q->timeout > 0)
		curl_easy_setopt(u->h, CURLOPT_TIMEOUT, q->timeout);
	set_method(u, q);
	*rc = curl_easy_perform(u->h);
	curl_easy_getinfo(u->h, CURLINFO_RESPONSE_CODE, &u->r.status);
	curl_easy_getinfo(u->h, CURLINFO_TOTAL_TIME, &u->r.seconds);
	/* libcurl keeps the list pointer until the next reset: drop it now. */
	curl_easy_setopt(u->h, CURLOPT_HTTPHEADER, NULL);
	free_headers(hdrs);
	u->requests++;
	memset(&ev, 0, sizeof(ev));
	ev.kind = GCS_EV_REQUEST;
	ev.method = q->method;
	gcs_redact(q->url, shown, sizeof(shown));
	ev.url = shown;
	ev.range = q->range;
	ev.status = u->r.status;
	ev.seconds = u->r.seconds;
	emit(u, &ev);
	return 0;
}

static int
classify(struct gcs_up *u, const struct req *q, CURLcode rc,
    struct fk_err *e)
{
	long st = u->r.status;

	if (rc == CURLE_ABORTED_BY_CALLBACK && stopped(u)) {
		fk_fail(e, FK_EX_TEMPFAIL, "%s: interrupted", q->what);
		return ST_STOP;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK && u->stalled) {
		fk_fail(e, FK_EX_TEMPFAIL, "%s: no data moved for %ld s",
		    q->what, u->c.http.stall_timeout);
		return ST_RETRY;
	}
	if (rc == CURLE_OK && st == 308 && q->session)
		return ST_308;
	if (fk_http_judge(rc, &u->r, q->what, e) == 0)
		return ST_OK;
	if (rc != CURLE_OK)
		return e->code == FK_EX_TEMPFAIL ? ST_RETRY : ST_FAIL;
	if (q->session && (st == 404 || st == 410 || st == 499)) {
		e->code = FK_EX_TEMPFAIL;
		return ST_LOST;
	}
	if (st == 401)
		return ST_401;
	return e->code == FK_EX_TEMPFAIL ? ST_RETRY : ST_FAIL;
}

/* perform + classify: one of ST_*, or -1 when no request was made. */
static int
attempt(struct gcs_up *u, const struct req *q, struct fk_err *e)
{
	CURLcode rc;

	if (stopped(u)) {
		fk_fail(e, FK_EX_TEMPFAIL, "%s: interrupted", q->what);
		return ST_STOP;
	}
	if (perform(u, q, &rc, e) < 0)
		return -1;
	return classify(u, q, rc, e);
}

/* Sleep for d seconds in short naps, so that a signal cuts it short. */
static void
nap(struct gcs_up *u, double d)
{
	double until = fk_now() + d, left;

	while (!stopped(u)) {
		left = until - fk_now();
		if (left <= 0)
			break;
		fk_sleep(left < 0.1 ? left : 0.1);
	}
}

/*
 * After failure number `fails` of a run that began at `since` (e says
 * why): wait and return 0, or return -1 with e saying that the budget
 * is spent.  Not fk_http_do's loop: only failures without progress
 * count, the session's state is asked before the next chunk, and the
 * wait ends on a signal (see lib/http.c).
 */
static int
retry_wait(struct gcs_up *u, int fails, double since, struct fk_err *e)
{
	struct gcs_event ev;
	char why[FK_ERR_MAX];
	double delay;

	if (!fk_retry_next(&u->c.retry, fails, fk_now() - since,
	    fk_resp_retry_after(&u->r), &delay)) {
		snprintf(why, sizeof(why), "%s", e->msg);
		return fk_fail(e, FK_EX_TEMPFAIL, "%s; giving up after %d "
		    "attempt%s", why, fails, fails == 1 ? "" : "s");
	}
	u->retries++;
	memset(&ev, 0, sizeof(ev));
	ev.kind = GCS_EV_RETRY;
	ev.attempt = fails;
	ev.delay = delay;
	ev.why = e;
	emit(u, &ev);
	nap(u, delay);
	if (stopped(u))
		return fk_fail(e, FK_EX_TEMPFAIL, "interrupted");
	return 0;
}

/*
 * q with retries (and one token refresh on 401).  Returns ST_OK, ST_308,
 * ST_LOST or (q->completes) ST_UNSURE, or -1 with e filled.  *unsure (if
 * not NULL) is set when an attempt failed in a way that may hide a
 * success.
 */
static int
simple(struct gcs_up *u, const struct req *q, int *unsure, struct fk_err *e)
{
	double since = fk_now();
	int fails = 0, refreshed = 0, k;

	for (;;) {
		k = attempt(u, q, e);
		switch (k) {
		case ST_OK:
		case ST_308:
		case ST_LOST:
			return k;
		case ST_RETRY:
			if (unsure != NULL)
				*unsure = 1;
			/*
			 * Every byte of a completing request went out and no
			 * answer came: the object may exist.  Look, don't resend.
			 */
			if (q->completes && q->body && u->r.status == 0 &&
			    u->body.pos >= u->body.len)
				return ST_UNSURE;
			if (retry_wait(u, ++fails, since, e) < 0)
				return -1;
			break;
		case ST_401:
			if (refreshed++)
				return -1;
			u->refresh = 1;
			break;
		default:
			return -1;
		}
	}
}

static char *
upload_url(struct gcs_up *u, const char *type)
{
	char *b = fk_url_escape(u->c.bucket), *n = fk_url_escape(u->c.name);
	char gen[40] = "", *url = NULL;

	if (u->c.if_generation_match >= 0)
		snprintf(gen, sizeof(gen), "&ifGenerationMatch=%lld",
		    u->c.if_generation_match);
	if (b != NULL && n != NULL)
		url = xasprintf("%s/upload/storage/v1/b/%s/o?uploadType=%s"
		    "&name=%s%s", u->c.base, b, type, n, gen);
	free(b);
	free(n);
	return url;
}

static char *
object_url(struct gcs_up *u, const char *query)
{
	char *b = fk_url_escape(u->c.bucket), *n = fk_url_escape(u->c.name);
	char *url = NULL;

	if (b != NULL && n != NULL)
		url = xasprintf("%s/storage/v1/b/%s/o/%s%s", u->c.base, b, n,
		    query);
	free(b);
	free(n);
	return url;
}

/* Turn a permanent failure into the message a user can act on. */
static int
explain(struct gcs_up *u, int final_req, struct fk_err *e)
{
	char why[FK_ERR_MAX];
	const char *body = u->r.body.p != NULL ? u->r.body.p : "";

	if (u->r.status == 412 && u->c.if_generation_match == 0)
		return fk_fail(e, FK_EX_FAIL, "object '%s' exists; use "
		    "--overwrite to replace it", u->target);
	if (u->r.status == 412)
		return fk_fail(e, FK_EX_FAIL, "precondition failed: the "
		    "generation of '%s' is not %lld", u->target,
		    u->c.if_generation_match);
	if (u->r.status == 400 && final_req && (strcasestr(body, "hash") ||
	    strcasestr(body, "checksum") || strcasestr(body, "crc32c") ||
	    strcasestr(body, "md5"))) {
		snprintf(why, sizeof(why), "%s", e->msg);
		return fk_fail(e, FK_EX_DATAERR, "the server refused '%s': "
		    "the data it received does not match the hashes sent "
		    "(%s)", u->target, why);
	}
	return -1;
}

/* The generation in a resource, or -1 when it has none that parses. */
static long long
generation_of(jv obj)
{
	const char *g = fk_json_str(obj, "generation");
	long long v;
	const char *why;

	if (g == NULL || fk_parse_ll(g, 0, (1LL << 62), &v, &why) < 0)
		return -1;
	return v;
}

/* u->r's body, when it is a JSON object, into *doc; else invalid. */
static void
body_json(struct gcs_up *u, jv *doc)
{
	struct fk_err e;

	*doc = jv_invalid();
	if (fk_json_parse(u->r.body.p != NULL ? u->r.body.p : "",
	    u->r.body.len, doc, &e) == 0 && jv_get_kind(*doc) == JV_KIND_OBJECT)
		return;
	jv_free(*doc);
	*doc = jv_invalid();
}

static int
bad_object(struct gcs_up *u, struct fk_err *e)
{
	return fk_fail(e, FK_EX_DATAERR, "invalid object resource from the "
	    "server for '%s'", u->target);
}

/* The object resource in u->r's body into *obj (the caller frees it). */
static int
parse_object(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	body_json(u, obj);
	if (!jv_is_valid(*obj))
		return bad_object(u, e);
	*obj = gcs_proto3_defaults(*obj);
	return 0;
}

/*
 * GET url with the token and keep a JSON object answer in *doc (the
 * caller frees it).  Returns what simple() returns; or, with once, what
 * one attempt (and one more with a fresh token after a 401) returns, for
 * a check that only saves time.  *doc is valid only with ST_OK and an
 * answer that is a JSON object.
 */
static int
get_json(struct gcs_up *u, const char *url, int once, jv *doc,
    struct fk_err *e)
{
	struct req q = { 0 };
	int k;

	*doc = jv_invalid();
	q.method = "GET";
	q.url = url;
	q.what = u->target;
	q.auth = 1;
	if (!once) {
		k = simple(u, &q, NULL, e);
	} else {
		k = attempt(u, &q, e);
		if (k == ST_401) {
			u->refresh = 1;
			k = attempt(u, &q, e);
		}
	}
	if (k == ST_OK)
		body_json(u, doc);
	return k;
}

/* The object resource to send, as a malloc'ed JSON text. */
static char *
resource_json(struct gcs_up *u, const struct gcs_sums *sums)
{
	jv text = jv_dump_string(gcs_resource(u->c.name, u->c.meta, sums), 0);
	char *s = strdup(jv_string_value(text));

	jv_free(text);
	return s;
}

/* Resolve the Location of a new session against the base URL. */
static char *
session_from(struct gcs_up *u, const char *loc)
{
	CURLU *cu = curl_url();
	char *url = NULL, *out = NULL;

	if (cu == NULL)
		return NULL;
	if (curl_url_set(cu, CURLUPART_URL, u->c.base, 0) == CURLUE_OK &&
	    curl_url_set(cu, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(cu, CURLUPART_URL, &url, 0) == CURLUE_OK)
		out = strdup(url);
	curl_free(url);
	curl_url_cleanup(cu);
	return out;
}

static int
start_session(struct gcs_up *u, struct fk_err *e)
{
	struct req q = { 0 };
	char loc[URL_MAX], *json, *url;
	int k;

	json = resource_json(u, NULL);
	url = upload_url(u, "resumable");
	if (json == NULL || url == NULL) {
		k = fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	memset(&u->body, 0, sizeof(u->body));
	u->body.seg[0].iov_base = json;
	u->body.seg[0].iov_len = u->body.len = strlen(json);
	u->body.nseg = 1;
	q.method = "POST";
	q.url = url;
	q.what = u->target;
	q.auth = 1;
	q.body = 1;
	q.ctype = "application/json; charset=UTF-8";
	q.xtype = u->c.meta->content_type;
	k = simple(u, &q, NULL, e);
	if (k < 0) {
		explain(u, 0, e);
		goto out;
	}
	if (k != ST_OK || fk_resp_header(&u->r, "Location", loc,
	    sizeof(loc)) == NULL) {
		k = fk_fail(e, FK_EX_DATAERR, "%s: the server started no "
		    "upload session (HTTP %ld, no Location)", u->target,
		    u->r.status);
		goto out;
	}
	free(u->session);
	u->session = session_from(u, loc);
	if (u->session == NULL || !gcs_url_allowed(u->session)) {
		k = fk_fail(e, FK_EX_DATAERR, "%s: unusable upload session "
		    "URI from the server (not https)", u->target);
		goto out;
	}
	/* The URI is a capability; the token goes only where it came from. */
	u->session_auth = gcs_same_origin(u->session, u->c.base);
	u->resumable = 1;
	k = 0;
out:
	free(json);
	free(url);
	return k < 0 ? -1 : 0;
}

/* The persisted length from the Range header of the 308 in u->r. */
static int
persisted(struct gcs_up *u, unsigned long long *off, struct fk_err *e)
{
	char range[128];
	long long p;

	p = gcs_range_persisted(fk_resp_header(&u->r, "Range", range,
	    sizeof(range)));
	if (p < 0)
		return fk_fail(e, FK_EX_DATAERR, "%s: malformed Range header "
		    "in the server's answer", u->target);
	*off = (unsigned long long)p;
	return 0;
}

/*
 * Ask the session how much it holds.  ST_308 with *off, ST_OK when it is
 * complete (u->r holds the object), ST_LOST, or -1 with e filled.
 */
static int
query(struct gcs_up *u, unsigned long long *off, struct fk_err *e)
{
	struct req q = { 0 };
	int k;

	char range[64], xhash[64];

	/*
	 * With the last chunk in hand the total is known: "bytes *" "/N" also
	 * completes a session that holds every byte, checked against the
	 * hashes sent with it.
	 */
	if (u->final) {
		snprintf(range, sizeof(range), "bytes */%llu",
		    u->cstart + u->clen);
		snprintf(xhash, sizeof(xhash), "crc32c=%s,md5=%s",
		    u->sums.crc32c, u->sums.md5);
		q.range = range;
		q.xhash = xhash;
		q.completes = 1;
	} else {
		q.range = "bytes */*";
	}
	q.method = "PUT";
	q.url = u->session;
	q.what = u->target;
	q.auth = u->session_auth;
	q.session = 1;
	k = simple(u, &q, NULL, e);
	if (k == ST_308 && persisted(u, off, e) < 0)
		return -1;
	return k;
}

/* PUT [pos, end of chunk) of the chunk in hand; one attempt. */
static int
put_range(struct gcs_up *u, unsigned long long pos, struct fk_err *e)
{
	unsigned long long end = u->cstart + u->clen;
	char range[96], xhash[64];
	struct req q = { 0 };

	hash_to(u, pos);
	memset(&u->body, 0, sizeof(u->body));
	u->body.seg[0].iov_base = u->buf + (pos - u->cstart);
	u->body.seg[0].iov_len = u->body.len = (size_t)(end - pos);
	u->body.nseg = 1;
	u->body.hash = 1;
	u->body.abs = pos;
	if (pos == end)
		snprintf(range, sizeof(range), "bytes */%llu", end);
	else if (u->final)
		snprintf(range, sizeof(range), "bytes %llu-%llu/%llu", pos,
		    end - 1, end);
	else
		snprintf(range, sizeof(range), "bytes %llu-%llu/*", pos,
		    end - 1);
	if (u->final) {
		/* The whole stream must be hashed before its last request. */
		hash_to(u, end);
		if (gcs_digest_sums(&u->dg, &u->sums, e) < 0)
			return -1;
		snprintf(xhash, sizeof(xhash), "crc32c=%s,md5=%s",
		    u->sums.crc32c, u->sums.md5);
		q.xhash = xhash;
	}
	q.method = "PUT";
	q.url = u->session;
	q.what = u->target;
	q.auth = u->session_auth;
	q.session = 1;
	q.body = 1;
	q.completes = u->final;
	q.range = range;
	return attempt(u, &q, e);
}

/* Where the server stands must lie within the chunk we still hold. */
static int
check_offset(struct gcs_up *u, unsigned long long off, struct fk_err *e)
{
	unsigned long long end = u->cstart + u->clen;

	if (off >= u->cstart && off <= end)
		return 0;
	return fk_fail(e, FK_EX_DATAERR, "%s: protocol error: the server "
	    "reports %llu bytes persisted, outside the chunk in hand "
	    "[%llu, %llu]", u->target, off, u->cstart, end);
}

static void
adopted(struct gcs_up *u)
{
	struct gcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GCS_EV_ADOPT;
	emit(u, &ev);
}

/*
 * Read the object's metadata after the answer to a completing request
 * was lost.  LK_MATCH with *obj when it holds exactly what was sent;
 * otherwise e says what was found: LK_DIFFERS (another generation, maybe
 * someone else's: never deleted on this evidence), LK_ABSENT (404) or
 * LK_UNKNOWN (no permission, or no answer).
 */
static int
lookup(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	struct fk_err e2;
	char *url = object_url(u, "");
	long long gen;
	int k;

	*obj = jv_invalid();
	if (url == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory"), LK_UNKNOWN;
	k = get_json(u, url, 0, obj, e);
	free(url);
	if (k < 0 && u->r.status == 404) {
		fk_fail(e, FK_EX_TEMPFAIL, "%s: the server's answer was lost "
		    "and the object is not there: nothing was stored",
		    u->target);
		return LK_ABSENT;
	}
	if (!jv_is_valid(*obj)) {
		fk_fail(e, FK_EX_TEMPFAIL, "%s: the server's answer was lost, "
		    "and whether the object was stored cannot be learned "
		    "(HTTP %ld on its metadata): check before running again",
		    u->target, u->r.status);
		return LK_UNKNOWN;
	}
	*obj = gcs_proto3_defaults(*obj);
	if (gcs_verify(*obj, &u->sums, &e2) == 0) {
		adopted(u);
		return LK_MATCH;
	}
	gen = generation_of(*obj);
	fk_fail(e, FK_EX_DATAERR, "%s: the server's answer was lost, and "
	    "the object there (generation %lld) is not what was sent (%s); "
	    "it may be someone else's, so it was left in place", u->target,
	    gen, e2.msg);
	jv_free(*obj);
	*obj = jv_invalid();
	return LK_DIFFERS;
}

/*
 * The answer that completed the upload came back unreadable (cut short,
 * not JSON).  Ask the session first, which needs no permission beyond
 * the upload's own, then the object's metadata.
 */
static int
recover(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	unsigned long long off;
	struct fk_err e2;

	if (u->session != NULL && query(u, &off, &e2) == ST_OK &&
	    parse_object(u, obj, &e2) == 0)
		return 0;
	return lookup(u, obj, e) == LK_MATCH ? 0 : -1;
}

static int
completed(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	if (!u->final)
		return fk_fail(e, FK_EX_DATAERR, "%s: protocol error: the "
		    "server completed the upload before its last chunk",
		    u->target);
	if (parse_object(u, obj, e) < 0 && recover(u, obj, e) < 0)
		return -1;
	u->confirmed = u->cstart + u->clen;
	return CH_DONE;
}

/*
 * Append up to `room` bytes of the stream after the chunk in hand: from
 * the spool while replaying, then from the source, reading ahead to
 * learn whether they are the last.  A replayed piece that ends where
 * the spool does is topped up from the source, so that no request but
 * the last is short.
 */
static int
fill(struct gcs_up *u, size_t room, struct fk_err *e)
{
	unsigned long long at = u->cstart + u->clen;
	size_t n;
	ssize_t r;
	int eof;

	if (at < u->replay_end) {
		n = u->replay_end - at < room ? (size_t)(u->replay_end - at) :
		    room;
		if (gcs_src_replay(u->src, at, u->buf + u->clen, n, e) < 0)
			return -1;
		u->clen += n;
		room -= n;
		u->final = at + n == u->replay_end && u->replay_final;
		if (room == 0 || u->final)
			return 0;
	}
	r = gcs_src_read(u->src, u->buf + u->clen, room, e);
	if (r < 0)
		return -1;
	eof = (size_t)r < room ? 1 : gcs_src_at_eof(u->src, e);
	if (eof < 0)
		return -1;
	u->clen += (size_t)r;
	u->final = eof;
	return 0;
}

/*
 * The server kept part of a chunk, leaving a tail that is no multiple of
 * 256 KiB, which it would refuse as a non-final request.  Move the tail
 * to the front and top the buffer up to a whole chunk from the stream.
 */
static int
realign(struct gcs_up *u, unsigned long long off, struct fk_err *e)
{
	size_t keep = (size_t)(u->cstart + u->clen - off);

	hash_to(u, u->cstart + u->clen);
	memmove(u->buf, u->buf + (off - u->cstart), keep);
	u->cstart = off;
	u->clen = keep;
	return fill(u, u->c.chunk - keep, e);
}

/*
 * The last chunk went out but the session cannot be asked (retries
 * spent): the object may still exist.  Its metadata decides; otherwise
 * the failure in e stands.
 */
static int
last_resort(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	struct fk_err e2;

	if (e->code != FK_EX_TEMPFAIL || lookup(u, obj, &e2) != LK_MATCH)
		return -1;
	u->confirmed = u->cstart + u->clen;
	return CH_DONE;
}

/*
 * Send the chunk in hand until the server holds all of it: CH_NEXT,
 * CH_DONE (the last chunk; *obj set), CH_LOST (e says why), or -1.
 */
static int
send_chunk(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	unsigned long long end = u->cstart + u->clen, pos = u->cstart, off = 0;
	double since = fk_now();
	int fails = 0, refreshed = 0, asked, k;

	for (;;) {
		k = put_range(u, pos, e);
		if (k == ST_401 && !refreshed++) {
			u->refresh = 1;
			continue;
		}
		asked = k == ST_RETRY;
		if (asked) {
			if (retry_wait(u, ++fails, since, e) < 0)
				return u->final ? last_resort(u, obj, e) : -1;
			k = query(u, &off, e);
			if (k < 0 && u->final)
				return last_resort(u, obj, e);
		} else if (k == ST_308 && persisted(u, &off, e) < 0) {
			return -1;
		}
		switch (k) {
		case ST_OK:
			return completed(u, obj, e);
		case ST_LOST:
			return CH_LOST;
		case ST_308:
			break;
		case ST_FAIL:
		case ST_401:
			return explain(u, u->final, e);
		default:
			return -1;
		}
		if (check_offset(u, off, e) < 0)
			return -1;
		u->confirmed = off;
		if (off == end && !u->final)
			return CH_NEXT;
		if (!u->final && (end - off) % CHUNK_UNIT != 0) {
			if (realign(u, off, e) < 0)
				return -1;
			end = u->cstart + u->clen;
		}
		if (off > pos) {
			fails = 0;
			since = fk_now();
		} else if (!asked) {
			/* A 308 to our data that kept nothing: back off too. */
			fk_fail(e, FK_EX_TEMPFAIL, "%s: the server kept none "
			    "of the bytes from %llu", u->target, pos);
			if (retry_wait(u, ++fails, since, e) < 0)
				return -1;
		}
		pos = off;
	}
}

/* Load the next chunk: from the spool while replaying, else the source. */
static int
next_chunk(struct gcs_up *u, struct fk_err *e)
{
	hash_to(u, u->cstart + u->clen);
	u->cstart += u->clen;
	u->clen = 0;
	return fill(u, u->c.chunk, e);
}

/* The session is gone: start a new one and replay from the spool. */
static int
restart(struct gcs_up *u, struct fk_err *e)
{
	struct gcs_event ev;
	char why[FK_ERR_MAX];
	unsigned long long held = u->cstart + u->clen;

	snprintf(why, sizeof(why), "%s", e->msg);
	if (u->src->spool < 0)
		return fk_fail(e, FK_EX_TEMPFAIL, "%s: the upload session was "
		    "lost (HTTP %ld) after %llu bytes; a pipe cannot be "
		    "replayed: run again, or use --spool", u->target,
		    u->r.status, u->confirmed);
	if (u->restarts >= u->c.max_restarts)
		return fk_fail(e, FK_EX_TEMPFAIL, "%s: the upload session was "
		    "lost %d times; giving up (%s)", u->target,
		    u->restarts + 1, why);
	u->restarts++;
	memset(&ev, 0, sizeof(ev));
	ev.kind = GCS_EV_RESTART;
	ev.status = u->r.status;
	ev.why = e;
	emit(u, &ev);
	if (start_session(u, e) < 0)
		return -1;
	if (held >= u->replay_end) {
		u->replay_end = held;
		u->replay_final = u->final;
	}
	u->confirmed = 0;
	u->cstart = 0;
	u->clen = 0;
	u->final = 0;
	return next_chunk(u, e);
}

static int
resumable(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	int k;

	if (start_session(u, e) < 0)
		return -1;
	for (;;) {
		k = send_chunk(u, obj, e);
		if (k < 0)
			return -1;
		if (k == CH_DONE)
			return 0;
		if (k == CH_LOST)
			k = restart(u, e);
		else
			k = next_chunk(u, e);
		if (k < 0)
			return -1;
	}
}

static int
random_boundary(char *out, size_t len, const struct iovec *parts, int n)
{
	static const char hex[] = "0123456789abcdef";
	int tries, i;
	size_t j;

	for (tries = 0; tries < 8; tries++) {
		snprintf(out, len, "fk-");
		for (j = 3; j < 35 && j + 1 < len; j++)
			out[j] = hex[(int)(fk_random() * 16)];
		out[j] = '\0';
		for (i = 0; i < n; i++)
			if (memmem(parts[i].iov_base, parts[i].iov_len, out,
			    strlen(out)) != NULL)
				break;
		if (i == n)
			return 0;
	}
	return -1;
}

/*
 * Send the multipart request q until its outcome is known.  An answer
 * lost after the last byte went out is settled by reading the object:
 * ours (same size and hashes) is success; absent or another one, send
 * again (create-only then meets 412 and reads once more).  When the
 * object cannot be read and any generation may be replaced, the bytes go
 * again through a session, whose outcome can always be asked.
 */
static int resumable(struct gcs_up *, jv *, struct fk_err *);

static int
post_multipart(struct gcs_up *u, const struct req *q, jv *obj,
    struct fk_err *e)
{
	double since = fk_now();
	int fails = 0, k, l;

	for (;;) {
		k = simple(u, q, NULL, e);
		if (k == ST_OK && parse_object(u, obj, e) == 0)
			return 0;
		/*
		 * A 412 may answer a resend of our own request (libcurl
		 * resends by itself on a reused connection that died).
		 */
		if (k < 0 && u->r.status != 412) {
			explain(u, 1, e);
			return -1;
		}
		if (k >= 0 && k != ST_OK && k != ST_UNSURE)
			return fk_fail(e, FK_EX_DATAERR, "%s: unexpected HTTP "
			    "%ld", u->target, u->r.status);
		l = lookup(u, obj, e);
		if (l == LK_MATCH)
			return 0;
		if (l == LK_UNKNOWN && u->c.if_generation_match < 0)
			return resumable(u, obj, e);
		if (k < 0) {
			/* 412: the object there is not ours. */
			if (l != LK_UNKNOWN)
				explain(u, 1, e);
			return -1;
		}
		if (k == ST_OK)
			return -1;
		if (retry_wait(u, ++fails, since, e) < 0)
			return -1;
	}
}

static int
multipart(struct gcs_up *u, jv *obj, struct fk_err *e)
{
	struct req q = { 0 };
	char bnd[40], *json = NULL, *head = NULL, *tail = NULL, *url = NULL;
	char *ctype = NULL;
	int k = -1;

	hash_to(u, u->clen);
	if (gcs_digest_sums(&u->dg, &u->sums, e) < 0)
		return -1;
	json = resource_json(u, &u->sums);
	memset(&u->body, 0, sizeof(u->body));
	u->body.seg[0].iov_base = json;
	u->body.seg[0].iov_len = json != NULL ? strlen(json) : 0;
	u->body.seg[1].iov_base = u->buf;
	u->body.seg[1].iov_len = u->clen;
	if (json == NULL || random_boundary(bnd, sizeof(bnd),
	    u->body.seg, 2) < 0)
		goto nomem;
	head = xasprintf("--%s\r\nContent-Type: application/json; "
	    "charset=UTF-8\r\n\r\n%s\r\n--%s\r\nContent-Type: %s\r\n\r\n",
	    bnd, json, bnd, u->c.meta->content_type);
	tail = xasprintf("\r\n--%s--\r\n", bnd);
	ctype = xasprintf("multipart/related; boundary=%s", bnd);
	url = upload_url(u, "multipart");
	if (head == NULL || tail == NULL || ctype == NULL || url == NULL)
		goto nomem;
	u->body.seg[0].iov_base = head;
	u->body.seg[0].iov_len = strlen(head);
	u->body.seg[2].iov_base = tail;
	u->body.seg[2].iov_len = strlen(tail);
	u->body.nseg = 3;
	u->body.len = strlen(head) + u->clen + strlen(tail);
	u->sent = u->clen;
	q.method = "POST";
	q.url = url;
	q.what = u->target;
	q.auth = 1;
	q.body = 1;
	q.completes = 1;
	q.ctype = ctype;
	k = post_multipart(u, &q, obj, e);
	if (k == 0)
		u->confirmed = u->clen;
	goto out;
nomem:
	k = fk_fail(e, FK_EX_SOFTWARE, "out of memory");
out:
	memset(&u->body, 0, sizeof(u->body));
	free(json);
	free(head);
	free(tail);
	free(ctype);
	free(url);
	return k < 0 ? -1 : 0;
}

/*
 * A create-only upload (or one bound to a generation) looks before it
 * leaps: a service may check ifGenerationMatch only when the upload
 * completes, after every byte was sent.  A 403 means the caller may
 * create but not read (roles/storage.objectCreator): that is "unknown",
 * reported once, and the precondition on the upload still decides; so
 * does any other failure of this single attempt.
 */
static int
precheck(struct gcs_up *u, struct fk_err *e)
{
	struct gcs_event ev;
	char *url = object_url(u, "?fields=generation");
	long long want = u->c.if_generation_match, have = 0;
	jv obj;
	int k;

	if (url == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	/* One attempt: the check only saves time, the upload decides. */
	k = get_json(u, url, 1, &obj, e);
	free(url);
	if (k == ST_STOP || k == ST_401 || k < 0)
		return -1;
	if (k != ST_OK && u->r.status != 404) {
		/* 403, or a failure not retried here: unknown, said once. */
		u->unreadable = 1;
		memset(&ev, 0, sizeof(ev));
		ev.kind = GCS_EV_UNREADABLE;
		ev.status = u->r.status;
		emit(u, &ev);
		return 0;
	}
	if (k == ST_OK && !jv_is_valid(obj))
		return bad_object(u, e);
	if (k == ST_OK) {
		have = generation_of(obj);
		jv_free(obj);
	}
	if (have == want)
		return 0;
	if (want == 0 && have < 0)
		return fk_fail(e, FK_EX_FAIL, "object '%s' exists; use "
		    "--overwrite to replace it", u->target);
	if (want == 0)
		return fk_fail(e, FK_EX_FAIL, "object '%s' exists (generation "
		    "%lld); use --overwrite to replace it", u->target, have);
	if (have == 0)
		return fk_fail(e, FK_EX_FAIL, "precondition failed: the "
		    "generation of '%s' is not %lld (no such object)",
		    u->target, want);
	return fk_fail(e, FK_EX_FAIL, "precondition failed: the generation "
	    "of '%s' is not %lld (it is %lld)", u->target, want, have);
}

/* The object differs from what was sent: remove that generation. */
static void
discard(struct gcs_up *u, jv obj, struct fk_err *e)
{
	struct req q = { 0 };
	struct fk_err e2;
	char query[64], why[FK_ERR_MAX], *url;
	const char *gen = fk_json_str(obj, "generation");
	int k = -1;

	snprintf(why, sizeof(why), "%s", e->msg);
	if (gen == NULL || strspn(gen, "0123456789") != strlen(gen) ||
	    strlen(gen) > 30) {
		fk_fail(e, FK_EX_DATAERR, "%s: %s; the object was left in "
		    "place (no generation to delete)", u->target, why);
		return;
	}
	snprintf(query, sizeof(query), "?ifGenerationMatch=%s", gen);
	url = object_url(u, query);
	if (url != NULL) {
		q.method = "DELETE";
		q.url = url;
		q.what = u->target;
		q.auth = 1;
		k = simple(u, &q, NULL, &e2);
		free(url);
	}
	fk_fail(e, FK_EX_DATAERR, "%s: %s; %s", u->target, why, k == ST_OK ?
	    "the corrupt object was deleted" : "deleting the corrupt object "
	    "failed: remove it by hand");
}

struct gcs_up *
gcs_up_new(const struct gcs_up_conf *c, struct fk_err *e)
{
	struct gcs_up *u = calloc(1, sizeof(*u));

	if (u == NULL)
		goto nomem;
	u->c = *c;
	u->r.body.max = 1024 * 1024;
	u->buf = malloc(c->chunk);
	u->h = fk_http_easy(&c->http);
	u->target = xasprintf("gs://%s/%s", c->bucket, c->name);
	if (u->buf == NULL || u->h == NULL || u->target == NULL)
		goto nomem;
	if (gcs_digest_init(&u->dg, e) < 0)
		goto bad;
	u->dg_ready = 1;
	return u;
nomem:
	fk_fail(e, FK_EX_SOFTWARE, "out of memory");
bad:
	gcs_up_free(u);
	return NULL;
}

int
gcs_up_run(struct gcs_up *u, struct gcs_src *src, jv *obj, struct fk_err *e)
{
	int k;

	*obj = jv_invalid();
	u->src = src;
	if (u->c.if_generation_match >= 0 && precheck(u, e) < 0)
		return -1;
	if (fill(u, u->c.chunk, e) < 0)
		return -1;
	if (u->c.no_empty && src->raw == 0)
		return fk_fail(e, FK_EX_DATAERR, "refusing to store an empty "
		    "object at '%s' (--no-empty)", u->target);
	/* Without read access only a session can tell a lost answer's fate. */
	k = u->final && !u->unreadable ? multipart(u, obj, e) :
	    resumable(u, obj, e);
	if (k < 0)
		return -1;
	if (gcs_verify(*obj, &u->sums, e) < 0) {
		discard(u, *obj, e);
		jv_free(*obj);
		*obj = jv_invalid();
		return -1;
	}
	/* A finished session must not be cancelled later. */
	free(u->session);
	u->session = NULL;
	return 0;
}

long
gcs_up_cancel(struct gcs_up *u)
{
	struct req q = { 0 };
	struct fk_err e;
	CURLcode rc;

	if (u == NULL || u->session == NULL)
		return 0;
	u->cancelling = 1;
	q.method = "DELETE";
	q.url = u->session;
	q.what = u->target;
	q.auth = u->session_auth;
	q.session = 1;
	q.timeout = CANCEL_TIMEOUT;
	if (perform(u, &q, &rc, &e) < 0 || rc != CURLE_OK)
		u->r.status = -1;
	u->cancelling = 0;
	free(u->session);
	u->session = NULL;
	return u->r.status;
}

void
gcs_up_stats(const struct gcs_up *u, struct gcs_up_stats *st)
{
	st->resumable = u->resumable;
	st->requests = u->requests;
	st->retries = u->retries;
	st->restarts = u->restarts;
	st->wire = u->wire;
}

/* Whether a testIamPermissions answer lists the permission name. */
static int
holds(jv doc, const char *name)
{
	jv list = jv_object_get(jv_copy(doc), jv_string("permissions")), p;
	int i, n, found = 0;

	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(list));
		for (i = 0; i < n && !found; i++) {
			p = jv_array_get(jv_copy(list), i);
			found = jv_get_kind(p) == JV_KIND_STRING &&
			    strcmp(jv_string_value(p), name) == 0;
			jv_free(p);
		}
	}
	jv_free(list);
	return found;
}

/*
 * May these credentials create objects in the bucket?  testIamPermissions
 * answers for the caller and creates nothing; its "permissions" field is
 * left out when none of those asked about is held.
 */
static int
may_create(struct gcs_up *u, struct fk_err *e)
{
	char *b = fk_url_escape(u->c.bucket), *url = NULL;
	jv doc;
	int k, yes = 0;

	if (b != NULL)
		url = xasprintf("%s/storage/v1/b/%s/iam/testPermissions"
		    "?permissions=storage.objects.create", u->c.base, b);
	free(b);
	if (url == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	k = get_json(u, url, 0, &doc, e);
	free(url);
	if (k < 0 && u->r.status == 404)
		return fk_fail(e, FK_EX_FAIL, "bucket '%s' does not exist",
		    u->c.bucket);
	if (k < 0)
		return -1;
	if (jv_is_valid(doc))
		yes = holds(doc, "storage.objects.create") ? 1 : -1;
	jv_free(doc);
	if (yes == 0)
		return fk_fail(e, FK_EX_DATAERR, "invalid testIamPermissions "
		    "answer (HTTP %ld) for bucket '%s'", u->r.status,
		    u->c.bucket);
	if (yes < 0)
		return fk_fail(e, FK_EX_NOPERM, "%s: these credentials may not "
		    "create objects in bucket '%s' (they lack "
		    "storage.objects.create)", u->target, u->c.bucket);
	return 0;
}

int
gcs_up_check(struct gcs_up *u, struct fk_err *e)
{
	if (may_create(u, e) < 0)
		return -1;
	if (u->c.if_generation_match < 0)
		return 0;
	return precheck(u, e);
}

void
gcs_up_free(struct gcs_up *u)
{
	if (u == NULL)
		return;
	if (u->dg_ready)
		gcs_digest_free(&u->dg);
	if (u->h != NULL)
		curl_easy_cleanup(u->h);
	fk_resp_free(&u->r);
	free(u->buf);
	free(u->target);
	free(u->session);
	free(u);
}

long long
gcs_range_persisted(const char *range)
{
	unsigned long long first, last;
	int used = 0;

	if (range == NULL)
		return 0;
	if (sscanf(range, "bytes=%llu-%llu%n", &first, &last, &used) != 2 ||
	    range[used] != '\0' || first != 0 || last >= (1ULL << 62))
		return -1;
	return (long long)last + 1;
}
