/*
 * http.c: libcurl plumbing and the retry loop shared by fk-fetch and
 * gcs-put (see http.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

int
fk_http_global_init(struct fk_err *e)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK)
		return fk_fail(e, FK_EX_SOFTWARE, "cannot initialise libcurl: %s",
		    curl_easy_strerror(rc));
	return 0;
}

void
fk_http_setup(CURL *h, const struct fk_http_opts *o)
{
	curl_easy_setopt(h, CURLOPT_USERAGENT,
	    o->user_agent ? o->user_agent : "fk/" FK_VERSION);
	/* GCS answers 308 for "resume incomplete": never a redirect here. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->connect_timeout > 0)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	/* A stall fails; a long but steady transfer does not. */
	if (o->stall_timeout > 0) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->stall_timeout);
	}
}

CURL *
fk_http_easy(const struct fk_http_opts *o)
{
	CURL *h = curl_easy_init();

	if (h != NULL)
		fk_http_setup(h, o);
	return h;
}

static size_t
body_cb(char *data, size_t size, size_t n, void *arg)
{
	struct fk_resp *r = arg;

	/* Anything but size*n makes libcurl stop with CURLE_WRITE_ERROR. */
	if (fk_buf_add(&r->body, data, size * n) < 0)
		return 0;
	return size * n;
}

static size_t
header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct fk_resp *r = arg;

	/* A new status line (after 100 Continue, say) starts afresh. */
	if (size * n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		fk_buf_reset(&r->headers);
	if (fk_buf_add(&r->headers, data, size * n) < 0)
		return 0;
	return size * n;
}

void
fk_resp_attach(CURL *h, struct fk_resp *r)
{
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	if (r->headers.max == 0)
		r->headers.max = 64 * 1024;
}

void
fk_resp_reset(struct fk_resp *r)
{
	r->status = 0;
	r->seconds = 0;
	r->errbuf[0] = '\0';
	fk_buf_reset(&r->headers);
	fk_buf_reset(&r->body);
}

void
fk_resp_free(struct fk_resp *r)
{
	fk_buf_free(&r->headers);
	fk_buf_free(&r->body);
}

char *
fk_resp_header(const struct fk_resp *r, const char *name, char *out,
    size_t outlen)
{
	size_t nlen = strlen(name), vlen;
	const char *line, *v, *eol;

	if (r->headers.p == NULL || outlen == 0)
		return NULL;
	for (line = r->headers.p; *line != '\0'; line = eol + 1) {
		eol = strchr(line, '\n');
		if (eol == NULL)
			eol = line + strlen(line) - 1;
		if (strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
			continue;
		for (v = line + nlen + 1; *v == ' ' || *v == '\t'; v++)
			;
		vlen = (size_t)(eol - v) + (*eol == '\n' ? 0 : 1);
		while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
			vlen--;
		if (vlen >= outlen)
			vlen = outlen - 1;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return out;
	}
	return NULL;
}

int
fk_curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

/* The first line of an error body, printable, at most ~160 bytes. */
static void
body_excerpt(const struct fk_buf *b, char *out, size_t outlen)
{
	size_t i, j = 0;

	for (i = 0; b->p != NULL && i < b->len && j + 4 < outlen && j < 160; i++) {
		unsigned char c = (unsigned char)b->p[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == ' ' && j > 0 && out[j - 1] == ' ')
			continue;
		out[j++] = (char)c;
	}
	if (b->p != NULL && i < b->len && j + 4 < outlen)
		memcpy(out + j, "...", 3), j += 3;
	out[j] = '\0';
}

int
fk_http_judge(CURLcode rc, const struct fk_resp *r, const char *what,
    struct fk_err *e)
{
	char ex[200];
	int code;

	if (rc != CURLE_OK)
		return fk_fail(e, fk_curl_retryable(rc) ? FK_EX_TEMPFAIL :
		    FK_EX_FAIL, "%s: %s", what,
		    r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	if (r->status >= 200 && r->status <= 299)
		return 0;
	if (fk_retryable_status(r->status))
		code = FK_EX_TEMPFAIL;
	else if (r->status == 401 || r->status == 403)
		code = FK_EX_NOPERM;
	else
		code = FK_EX_FAIL;
	body_excerpt(&r->body, ex, sizeof(ex));
	return fk_fail(e, code, "%s: HTTP %ld%s%s", what, r->status,
	    ex[0] ? ": " : "", ex);
}

/* One attempt of q; 0 or -1 as fk_http_judge. */
static int
attempt(CURL *h, const struct fk_http_req *q, struct fk_resp *r,
    struct fk_err *e)
{
	CURLcode rc;

	fk_resp_reset(r);
	fk_resp_attach(h, r);
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, q->headers);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	if (q->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->body_len);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	if (strcmp(q->method, "GET") != 0 &&
	    !(strcmp(q->method, "POST") == 0 && q->body != NULL))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &r->seconds);
	return fk_http_judge(rc, r, q->what ? q->what : q->url, e);
}

/*
 * The plain retry loop: one blocking request, tried again while it fails
 * temporarily.  Two loops differ from it on purpose, and all three take
 * each step (how long to wait, or give up) from fk_retry_next and the
 * server's demand from fk_resp_retry_after: fk-fetch's engine keeps
 * many requests in flight, so a retry there reschedules a slot instead
 * of sleeping and a 429 also pauses the endpoint's pacing; gcs-put's upload
 * counts only failures that made no progress, asks the server where a
 * resumable session stands before trying again, and sleeps in slices so
 * that a signal ends the wait.
 */
int
fk_http_do(CURL *h, const struct fk_http_req *q, const struct fk_retry *p,
    struct fk_resp *r, struct fk_err *e)
{
	double start = fk_now(), delay;
	int n;

	for (n = 1;; n++) {
		if (attempt(h, q, r, e) == 0)
			return 0;
		if (e->code != FK_EX_TEMPFAIL)
			return -1;
		if (!fk_retry_next(p, n, fk_now() - start,
		    fk_resp_retry_after(r), &delay))
			return -1;
		if (q->on_retry != NULL)
			q->on_retry(q->arg, n, delay, e);
		fk_sleep(delay);
	}
}

double
fk_resp_retry_after(const struct fk_resp *r)
{
	char v[64];

	return fk_retry_after(fk_resp_header(r, "Retry-After", v, sizeof(v)),
	    time(NULL));
}

char *
fk_url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(3 * n + 1), *o = out;
	const unsigned char *p;

	if (out == NULL)
		return NULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' &&
		    (*p | 0x20) <= 'z') || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}
