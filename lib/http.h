/*
 * http.h: HTTP over libcurl, shared by fk-fetch and gcs-put.
 *
 * Handles are configured the same way everywhere: no redirects (a GCS
 * 308 is not one), connect and stall timeouts instead of a total one,
 * no CURLOPT_FAILONERROR (we judge the status and keep error bodies),
 * libcurl's usual proxy environment variables honoured.
 */
#ifndef FK_HTTP_H
#define FK_HTTP_H

#include <curl/curl.h>

#include "buf.h"
#include "fk.h"
#include "retry.h"

struct fk_http_opts {
	long connect_timeout;	/* seconds; 0: libcurl default */
	long stall_timeout;	/* seconds below 1 byte/s; 0: none */
	const char *user_agent;	/* NULL: "fk/VERSION" */
};

/* Once per process, before threads; -1 if libcurl cannot start. */
int fk_http_global_init(struct fk_err *e);

/* A new easy handle configured as above, or NULL. */
CURL *fk_http_easy(const struct fk_http_opts *o);

/* Apply the common options to an existing (e.g. reset) handle. */
void fk_http_setup(CURL *h, const struct fk_http_opts *o);

/*
 * A response: status, raw headers of the final response, body.
 * body.max caps what is kept (a longer body fails the transfer).
 */
struct fk_resp {
	long status;
	struct fk_buf headers;
	struct fk_buf body;
	double seconds;		/* total time of the transfer */
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * Install the write and header callbacks that fill r, and its error
 * buffer, on h (used for multi transfers too).  Call fk_resp_reset
 * before every attempt.
 */
void fk_resp_attach(CURL *h, struct fk_resp *r);
void fk_resp_reset(struct fk_resp *r);
void fk_resp_free(struct fk_resp *r);

/*
 * Value of response header `name` (case-insensitive) copied into out
 * (trimmed, NUL-terminated).  Returns out, or NULL if absent.
 */
char *fk_resp_header(const struct fk_resp *r, const char *name, char *out,
    size_t outlen);

/* The response's Retry-After in seconds, or -1 (fk_retry_after). */
double fk_resp_retry_after(const struct fk_resp *r);

/* Nonzero if a failed transfer with this code is worth retrying. */
int fk_curl_retryable(CURLcode rc);

/*
 * After a transfer: turn (rc, r->status) into the fk_err vocabulary.
 * Returns 0 for a 2xx status; otherwise fills e with "what: reason"
 * (naming `what`, typically the URL without secrets), code TEMPFAIL for
 * retryable outcomes, NOPERM for 401/403, FAIL for other statuses, and
 * returns -1.  The server's error body is quoted, shortened to one line.
 */
int fk_http_judge(CURLcode rc, const struct fk_resp *r, const char *what,
    struct fk_err *e);

/*
 * One request with retries under policy p: method, url, extra headers,
 * optional body (replayed as is on retry).  Returns 0 with r holding a 2xx
 * response, or -1 with e filled (r holds the last response).
 * on_retry, if not NULL, is told about each retry before the wait.
 */
struct fk_http_req {
	const char *method;		/* "GET", "POST", ... */
	const char *url;
	const char *what;		/* name for messages; NULL: url */
	struct curl_slist *headers;
	const void *body;
	size_t body_len;
	void (*on_retry)(void *arg, int attempt, double delay,
	    const struct fk_err *why);
	void *arg;
};
int fk_http_do(CURL *h, const struct fk_http_req *q, const struct fk_retry *p,
    struct fk_resp *r, struct fk_err *e);

/* Percent-encode s (RFC 3986 unreserved kept) into a malloc'ed string. */
char *fk_url_escape(const char *s);

#endif
