/*
 * engine.c: the request loop of fk-fetch (see engine.h).
 *
 * One thread drives a curl multi handle.  A window of `parallel` slots
 * slides over the shard's requests in order; a slot goes READY (may ask
 * for a token), PACED (has one, starts at `at`), RUNNING, then DONE
 * (validated, rendered, kept until its turn to be written) or back to
 * READY for a retry.  Buffers are freed as soon as they are done with:
 * memory follows the pages in the window, not the run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "engine.h"
#include "json.h"
#include "pace.h"
#include "page.h"
#include "plan.h"
#include "split.h"

#define BODY_MAX	(64UL << 20)	/* far above a 1000-record page */
#define WAIT_MAX_MS	1000L

enum { S_FREE, S_READY, S_PACED, S_RUNNING, S_DONE, S_FAILED };

struct endpoint {
	const char *resource;
	struct fetch_pace pace;
};

struct slot {
	int state;
	uint64_t s;		/* index within the shard */
	uint64_t k;		/* index within the run */
	const struct fetch_spec *sp;
	struct endpoint *ep;
	int quantity;
	uint32_t seed;
	char *url;
	char *shown;		/* url without credentials, for messages */
	int attempt;
	double at;		/* READY: not before; PACED: start time */
	double first;		/* start of attempt 1, for the budget */
	double t0;		/* start of this attempt */
	CURL *h;
	struct fk_resp resp;
	char *text;		/* DONE: the page as it will be written */
	size_t text_len;
	long records;		/* DONE: records in text */
};

struct run {
	const struct fetch_conf *c;
	struct fetch_stats *st;
	struct fk_err *e;
	CURLM *multi;
	struct curl_slist *hdrs;
	struct slot *slots;
	struct endpoint *eps;
	size_t neps;
	size_t *spec_ep;	/* endpoint of each spec */
	size_t cursor;		/* spec of the last request set up */
	uint64_t nshard;	/* requests of this shard */
	uint64_t s_next;	/* next request to set up */
	uint64_t s_out;		/* next page to write */
	uint64_t fail_s;	/* first failed request, or UINT64_MAX */
	int failed;
};

static struct slot *
slot_of(struct run *r, uint64_t s)
{
	return &r->slots[s % (uint64_t)r->c->parallel];
}

static void
emit(struct run *r, const struct fetch_event *ev)
{
	if (r->c->on_event != NULL)
		r->c->on_event(r->c->arg, ev);
}

static void
slot_clear(struct slot *sl)
{
	free(sl->text);
	sl->text = NULL;
	free(sl->url);
	free(sl->shown);
	sl->url = sl->shown = NULL;
	sl->state = S_FREE;
}

static int
setup_endpoints(struct run *r)
{
	const struct fetch_conf *c = r->c;
	const char *name;
	size_t i, j;

	r->eps = calloc(c->nspecs ? c->nspecs : 1, sizeof(*r->eps));
	r->spec_ep = calloc(c->nspecs ? c->nspecs : 1, sizeof(*r->spec_ep));
	if (r->eps == NULL || r->spec_ep == NULL)
		return fk_fail(r->e, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < c->nspecs; i++) {
		name = c->specs[i].resource;
		for (j = 0; j < r->neps; j++)
			if (strcmp(r->eps[j].resource, name) == 0)
				break;
		if (j == r->neps) {
			r->eps[j].resource = name;
			fetch_pace_init(&r->eps[j].pace, c->rate, fk_now());
			r->neps++;
		}
		r->spec_ep[i] = j;
	}
	return 0;
}

static int
setup(struct run *r)
{
	const struct fetch_conf *c = r->c;
	int i;

	r->fail_s = UINT64_MAX;
	r->nshard = fetch_shard_size(c->total, c->shard_i, c->shard_n);
	if (setup_endpoints(r) < 0)
		return -1;
	r->slots = calloc((size_t)c->parallel, sizeof(*r->slots));
	r->multi = curl_multi_init();
	r->hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (r->slots == NULL || r->multi == NULL || r->hdrs == NULL)
		return fk_fail(r->e, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < c->parallel; i++) {
		r->slots[i].h = fk_http_easy(&c->http);
		if (r->slots[i].h == NULL)
			return fk_fail(r->e, FK_EX_SOFTWARE,
			    "cannot create a libcurl handle");
		/*
		 * Plain GETs: an http:// base answered with a redirect to
		 * https:// should just work (lib/ turns redirects off for
		 * GCS, whose 308 is not one).
		 */
		curl_easy_setopt(r->slots[i].h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(r->slots[i].h, CURLOPT_MAXREDIRS, 5L);
		r->slots[i].resp.body.max = BODY_MAX;
	}
	return 0;
}

static void
teardown(struct run *r)
{
	int i;

	for (i = 0; r->slots != NULL && i < r->c->parallel; i++) {
		if (r->slots[i].state == S_RUNNING)
			curl_multi_remove_handle(r->multi, r->slots[i].h);
		slot_clear(&r->slots[i]);
		if (r->slots[i].h != NULL)
			curl_easy_cleanup(r->slots[i].h);
		fk_resp_free(&r->slots[i].resp);
	}
	if (r->multi != NULL)
		curl_multi_cleanup(r->multi);
	curl_slist_free_all(r->hdrs);
	free(r->slots);
	free(r->eps);
	free(r->spec_ep);
}

/* Set up request s of the shard in its slot. */
static int
slot_init(struct run *r, uint64_t s, double now)
{
	const struct fetch_conf *c = r->c;
	struct slot *sl = slot_of(r, s);
	const struct fetch_spec *sp;
	char shown[4096];

	sl->s = s;
	sl->k = fetch_shard_k(s, c->shard_i, c->shard_n);
	while (r->cursor + 1 < c->nspecs &&
	    sl->k >= c->specs[r->cursor].first_k + c->specs[r->cursor].nreq)
		r->cursor++;
	sp = sl->sp = &c->specs[r->cursor];
	sl->ep = &r->eps[r->spec_ep[r->cursor]];
	sl->quantity = fetch_quantity(sp->count, sl->k - sp->first_k);
	sl->seed = sp->seeded ? fetch_seed(c->seed, sl->k) : 0;
	sl->url = fetch_url(c->base, sp, sl->quantity, sl->seed);
	if (sl->url == NULL)
		return fk_fail(r->e, FK_EX_SOFTWARE, "out of memory");
	fetch_url_redact(sl->url, shown, sizeof(shown));
	sl->shown = strdup(shown);
	if (sl->shown == NULL)
		return fk_fail(r->e, FK_EX_SOFTWARE, "out of memory");
	sl->attempt = 0;
	sl->at = now;
	sl->state = S_READY;
	return 0;
}

static int
fill(struct run *r, double now)
{
	while (r->s_next < r->nshard &&
	    r->s_next < r->s_out + (uint64_t)r->c->parallel) {
		if (slot_init(r, r->s_next, now) < 0)
			return -1;
		r->s_next++;
	}
	return 0;
}

static int
start(struct run *r, struct slot *sl, double now)
{
	fk_resp_reset(&sl->resp);
	fk_resp_attach(sl->h, &sl->resp);
	curl_easy_setopt(sl->h, CURLOPT_URL, sl->url);
	curl_easy_setopt(sl->h, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(sl->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(sl->h, CURLOPT_PRIVATE, (void *)sl);
	if (curl_multi_add_handle(r->multi, sl->h) != CURLM_OK)
		return fk_fail(r->e, FK_EX_SOFTWARE, "cannot start a transfer");
	if (++sl->attempt == 1)
		sl->first = now;
	sl->t0 = now;
	sl->state = S_RUNNING;
	return 0;
}

/* Start, in request order, whatever may start now. */
static int
launch(struct run *r, double now)
{
	struct slot *sl;
	uint64_t s;

	for (s = r->s_out; s < r->s_next; s++) {
		sl = slot_of(r, s);
		if (sl->state == S_READY && sl->at <= now) {
			sl->at = fetch_pace_take(&sl->ep->pace, now);
			sl->state = S_PACED;
		}
		if (sl->state != S_PACED || sl->at > now)
			continue;
		/* A 429 since the token was reserved: queue again after it. */
		if (sl->ep->pace.paused > now) {
			sl->at = sl->ep->pace.paused;
			sl->state = S_READY;
			continue;
		}
		if (start(r, sl, now) < 0)
			return -1;
	}
	return 0;
}

/* At most ~160 printable bytes of s, whitespace runs folded. */
static void
printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, j = 0;
	unsigned char ch;

	for (i = 0; i < len && j + 4 < outlen && j < 160; i++) {
		ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			ch = ' ';
		if (ch == ' ' && (j == 0 || out[j - 1] == ' '))
			continue;
		out[j++] = (char)ch;
	}
	if (i < len) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

/*
 * What the server said: "status" of a 400/404 envelope, "message" of a
 * Laravel error, or the start of anything else (an HTML page).
 */
static void
server_message(const struct fk_buf *b, char *out, size_t outlen)
{
	const char *m = NULL;
	jv v = jv_invalid();

	out[0] = '\0';
	if (b->p == NULL || b->len == 0)
		return;
	if (b->len < 65536) {
		v = jv_parse_sized(b->p, (int)b->len);
		m = fk_json_str(v, "message");
		if (m == NULL || *m == '\0')
			m = fk_json_str(v, "status");
	}
	if (m != NULL && *m != '\0')
		printable(m, strlen(m), out, outlen);
	else
		printable(b->p, b->len, out, outlen);
	jv_free(v);
}

/*
 * A good page rendered on its bytes (split.h): 1 with the slot's text
 * set, 0 when the jv path must check and render it, -1 out of memory.
 */
static int
split(struct slot *sl, int jv_path)
{
	struct fk_resp *rp = &sl->resp;

	if (jv_path)
		return 0;
	sl->records = fetch_split(rp->body.p, rp->body.len, sl->quantity,
	    sl->seed, sl->k, sl->sp, rp->body.len + 16384,
	    &sl->text, &sl->text_len);
	return sl->records >= 0 ? 1 : sl->records == -1 ? -1 : 0;
}

/*
 * Judge one finished attempt: 0 with *env the validated envelope (or
 * jv_invalid() when the page is already rendered in sl->text), or an
 * FK_EX_* code with a reason in why and *transient set when a retry may
 * help.
 */
static int
judge(struct slot *sl, CURLcode rc, int raw, int jv_only, jv *env,
    char *why, size_t n, int *transient)
{
	struct fk_resp *rp = &sl->resp;
	struct fk_err e;
	char msg[200];
	long st = rp->status;

	*transient = 0;
	if (rc == CURLE_WRITE_ERROR) {
		snprintf(why, n, "response too large (over %lu MiB)",
		    BODY_MAX >> 20);
		return FK_EX_DATAERR;
	}
	if (rc != CURLE_OK) {
		snprintf(why, n, "%s", rp->errbuf[0] ? rp->errbuf :
		    curl_easy_strerror(rc));
		*transient = fk_curl_retryable(rc);
		return *transient ? FK_EX_TEMPFAIL : FK_EX_FAIL;
	}
	if (st < 200 || st > 299) {
		server_message(&rp->body, msg, sizeof(msg));
		snprintf(why, n, "HTTP %ld%s%s", st, msg[0] ? ": " : "", msg);
		*transient = fk_retryable_status(st);
		if (*transient)
			return FK_EX_TEMPFAIL;
		return st == 401 || st == 403 ? FK_EX_NOPERM : FK_EX_FAIL;
	}
	*env = jv_invalid();
	switch (split(sl, raw || jv_only)) {
	case 1:
		return 0;
	case -1:
		snprintf(why, n, "out of memory");
		return FK_EX_SOFTWARE;
	}
	if (fetch_check(rp->body.p ? rp->body.p : "", rp->body.len,
	    sl->quantity, sl->seed, env, &e) < 0) {
		snprintf(why, n, "%s", e.msg);
		*transient = 1;
		return FK_EX_DATAERR;
	}
	return 0;
}

/*
 * Seconds the server asked us to wait, or -1.  A 429 without
 * Retry-After falls back to X-RateLimit-Reset, then to a whole window.
 */
static double
server_wait(const struct fk_resp *rp)
{
	char v[64];
	const char *why;
	long long reset;
	double ra;

	ra = fk_resp_retry_after(rp);
	if (ra >= 0 || rp->status != 429)
		return ra;
	if (fk_resp_header(rp, "X-RateLimit-Reset", v, sizeof(v)) != NULL &&
	    fk_parse_ll(v, 0, 1LL << 40, &reset, &why) == 0)
		return reset > (long long)time(NULL) ?
		    (double)(reset - (long long)time(NULL)) : 0;
	return 60;
}

/*
 * Try again later, if the policy allows: 1 if so.  Not fk_http_do's
 * loop: requests run side by side on one curl multi handle, so a retry
 * reschedules the slot rather than sleeping (see lib/http.c).
 */
static int
retry(struct run *r, struct slot *sl, double now, struct fetch_event *ev)
{
	double ra = server_wait(&sl->resp), delay;

	if (!fk_retry_next(&r->c->retry, sl->attempt, now - sl->first, ra,
	    &delay))
		return 0;
	if (sl->resp.status == 429)
		fetch_pace_pause(&sl->ep->pace, now + ra);
	sl->state = S_READY;
	sl->at = now + delay;
	r->st->retries++;
	ev->kind = FETCH_EV_RETRY;
	ev->delay = delay;
	emit(r, ev);
	return 1;
}

/*
 * Render a validated page (env consumed) and let go of the body: what
 * waits for its turn is the text alone.
 */
static int
keep(struct run *r, struct slot *sl, jv env)
{
	if (sl->text != NULL) {		/* split on its bytes already */
		r->st->split++;
		jv_free(env);
		fk_buf_free(&sl->resp.body);
		sl->state = S_DONE;
		return 0;
	}
	sl->records = fetch_page_render(env, sl->sp, sl->k, r->c->raw,
	    sl->resp.body.len + 16384, &sl->text, &sl->text_len);
	fk_buf_free(&sl->resp.body);
	if (sl->records < 0)
		return fk_fail(r->e, FK_EX_SOFTWARE, "out of memory");
	sl->state = S_DONE;
	return 0;
}

static void
finish(struct run *r, struct slot *sl, CURLcode rc)
{
	struct fetch_event ev;
	char why[FK_ERR_MAX];
	double now = fk_now();
	int code, transient;
	jv env;

	curl_multi_remove_handle(r->multi, sl->h);
	curl_easy_getinfo(sl->h, CURLINFO_RESPONSE_CODE, &sl->resp.status);
	code = judge(sl, rc, r->c->raw, r->c->jv_only, &env, why, sizeof(why),
	    &transient);
	memset(&ev, 0, sizeof(ev));
	ev.url = sl->shown;
	ev.k = sl->k;
	ev.seed = sl->seed;
	ev.attempt = sl->attempt;
	ev.status = sl->resp.status;
	ev.latency = now - sl->t0;
	ev.reason = code == 0 ? NULL : why;
	if (code == 0) {
		if (keep(r, sl, env) < 0) {
			r->failed = 1;
			r->fail_s = sl->s < r->fail_s ? sl->s : r->fail_s;
			return;
		}
		ev.kind = FETCH_EV_DONE;
		ev.records = sl->quantity;
		emit(r, &ev);
		return;
	}
	if (transient && retry(r, sl, now, &ev))
		return;
	sl->state = S_FAILED;
	ev.kind = FETCH_EV_FAIL;
	emit(r, &ev);
	if (!r->failed || sl->s < r->fail_s) {
		if (transient)
			fk_fail(r->e, code, "cannot fetch '%s': %s (after %d "
			    "attempt%s)", sl->shown, why, sl->attempt,
			    sl->attempt == 1 ? "" : "s");
		else
			fk_fail(r->e, code, "cannot fetch '%s': %s",
			    sl->shown, why);
		r->fail_s = sl->s;
		r->st->fail_status = sl->resp.status;
		r->st->fail_resource = sl->sp->resource;
	}
	r->failed = 1;
}

static void
drain(struct run *r)
{
	struct CURLMsg *m;
	struct slot *sl;
	char *priv;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		sl = (struct slot *)(void *)priv;
		finish(r, sl, m->data.result);
	}
}

/* Write the pages whose turn has come, stopping at a failed request. */
static int
flush(struct run *r)
{
	const struct fetch_conf *c = r->c;
	struct slot *sl;
	long n;

	while (r->s_out < r->s_next && r->s_out < r->fail_s) {
		sl = slot_of(r, r->s_out);
		if (sl->state != S_DONE)
			break;
		n = fetch_page_write(c->out, sl->text, sl->text_len,
		    c->unbuffered) < 0 ? -1 : sl->records;
		slot_clear(sl);
		if (n < 0) {
			r->st->epipe = errno == EPIPE;
			r->failed = 1;
			return fk_fail(r->e, FK_EX_IOERR,
			    "cannot write output: %s", strerror(errno));
		}
		r->st->requests++;
		r->st->records += (uint64_t)n;
		r->s_out++;
	}
	return 0;
}

/* Milliseconds until a waiting slot is due (0: now), at most 1 s. */
static long
wait_ms(struct run *r, double now)
{
	double t = now + WAIT_MAX_MS / 1000.0;
	struct slot *sl;
	uint64_t s;

	for (s = r->s_out; s < r->s_next; s++) {
		sl = slot_of(r, s);
		if ((sl->state == S_READY || sl->state == S_PACED) &&
		    sl->at < t)
			t = sl->at;
	}
	return t <= now ? 0 : (long)((t - now) * 1000) + 1;
}

static int
step(struct run *r)
{
	double now = fk_now();
	int running;

	if (fill(r, now) < 0 || launch(r, now) < 0)
		return -1;
	if (curl_multi_perform(r->multi, &running) != CURLM_OK)
		return fk_fail(r->e, FK_EX_SOFTWARE, "libcurl multi failed");
	drain(r);
	if (flush(r) < 0 || r->failed || r->s_out >= r->nshard)
		return 0;
	/* Pages written free window slots: fill them before sleeping. */
	if (fill(r, fk_now()) < 0)
		return -1;
	if (curl_multi_poll(r->multi, NULL, 0, (int)wait_ms(r, fk_now()),
	    NULL) != CURLM_OK)
		return fk_fail(r->e, FK_EX_SOFTWARE, "libcurl poll failed");
	return 0;
}

int
fetch_run(const struct fetch_conf *c, struct fetch_stats *st,
    struct fk_err *e)
{
	struct run r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(st, 0, sizeof(*st));
	r.c = c;
	r.st = st;
	r.e = e;
	if (setup(&r) < 0)
		goto out;
	while (!r.failed && r.s_out < r.nshard)
		if (step(&r) < 0)
			goto out;
	rc = r.failed ? -1 : 0;
out:
	teardown(&r);
	return rc;
}
