/*
 * test_lib.c: unit tests for the dependency-free parts of lib/ and the
 * HTTP/JSON helpers that need no network.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "fk.h"
#include "http.h"
#include "json.h"
#include "ratelimit.h"
#include "retry.h"
#include "t.h"

static void
test_backoff(void)
{
	struct fk_retry r = { 8, 1.0, 32.0, 0 };
	double d, u;
	int n, ok = 1, spread = 0;

	/* The ceiling doubles from base and stops at cap. */
	T_OK(fk_backoff(&r, 1, 0.999999, -1) <= 1.0, "retry 1 waits at most base");
	T_OK(fabs(fk_backoff(&r, 3, 0.5, -1) - 2.0) < 1e-9, "retry 3: half of 4 s");
	T_OK(fk_backoff(&r, 40, 0.999999, -1) <= 32.0, "late retries capped at 32 s");
	T_OK(fk_backoff(&r, 40, 0.999999, -1) > 31.9, "cap is reached");
	/* Full jitter: anything from 0 to the ceiling, drawn uniformly. */
	for (n = 0; n < 1000; n++) {
		u = fk_random();
		d = fk_backoff(&r, 4, u, -1);
		if (u < 0 || u >= 1 || d < 0 || d > 8.0)
			ok = 0;
		if (d < 2.0)
			spread |= 1;
		if (d > 6.0)
			spread |= 2;
	}
	T_OK(ok, "1000 jittered delays within [0, 8] for retry 4");
	T_OK(spread == 3, "jitter covers the low and high ends");
	T_OK(fk_backoff(&r, 1, 0.1, 30) == 30, "Retry-After is a lower bound");
	T_OK(fk_backoff(&r, 6, 0.9, 2) > 2, "a short Retry-After does not shorten backoff");
}

static void
test_budget(void)
{
	struct fk_retry r = { 3, 1.0, 32.0, 10.0 };
	double d;

	T_OK(fk_retry_allowed(&r, 1, 0, 1), "attempt 2 of 3 allowed");
	T_OK(!fk_retry_allowed(&r, 3, 0, 1), "no attempt 4 of 3");
	T_OK(!fk_retry_allowed(&r, 1, 9.5, 1), "time budget refuses a wait past it");
	d = -1;
	T_OK(fk_retry_next(&r, 1, 0, -1, &d) && d >= 0 && d <= 1.0,
	    "next step: retry 1 waits at most base (%g)", d);
	T_OK(fk_retry_next(&r, 2, 0, 5, &d) && d >= 5,
	    "next step: Retry-After 5 is a lower bound (%g)", d);
	T_OK(!fk_retry_next(&r, 3, 0, -1, &d), "next step: no attempt 4 of 3");
	T_OK(!fk_retry_next(&r, 1, 0, 20, &d),
	    "next step: a Retry-After past the time budget gives up");
	T_OK(fk_retryable_status(408) && fk_retryable_status(429) &&
	    fk_retryable_status(500) && fk_retryable_status(503) &&
	    fk_retryable_status(599), "408, 429, 5xx retryable");
	T_OK(!fk_retryable_status(400) && !fk_retryable_status(401) &&
	    !fk_retryable_status(404) && !fk_retryable_status(412) &&
	    !fk_retryable_status(200), "other statuses are not");
}

static void
test_retry_after(void)
{
	time_t now = 784111777;	/* Sun, 06 Nov 1994 08:49:37 GMT */

	T_OK(fk_retry_after("59", now) == 59, "delta-seconds");
	T_OK(fk_retry_after(" 0 ", now) == 0, "zero with blanks");
	T_OK(fk_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now) == 60,
	    "IMF-fixdate one minute ahead");
	T_OK(fk_retry_after("Sun, 06 Nov 1994 08:48:37 GMT", now) == 0,
	    "a date in the past means now");
	T_OK(fk_retry_after(NULL, now) < 0, "absent");
	T_OK(fk_retry_after("", now) < 0, "empty");
	T_OK(fk_retry_after("-5", now) < 0, "negative refused");
	T_OK(fk_retry_after("5s", now) < 0, "junk after digits refused");
	T_OK(fk_retry_after("Sun, 06 Xyz 1994 08:50:37 GMT", now) < 0,
	    "bad month refused");
	T_OK(fk_retry_after("99999999999999999999", now) == 86400.0 * 365,
	    "huge values capped, not overflowed");
}

/*
 * fk-fetch's default: 25 per minute with a burst of 1.  Simulate a greedy
 * client for ten minutes and count requests in every 60 s fixed window
 * starting at any request: never above 30, the server's limit.
 */
static void
test_bucket_window(void)
{
	struct fk_bucket b;
	double t = 0, times[400];
	int n = 0, i, j, worst = 0;

	fk_bucket_init(&b, 25.0 / 60, 1, t);
	while (t < 600 && n < 400) {
		t += fk_bucket_take(&b, t);
		times[n++] = t;
	}
	for (i = 0; i < n; i++) {
		for (j = i; j < n && times[j] < times[i] + 60; j++)
			;
		if (j - i > worst)
			worst = j - i;
	}
	T_OK(worst <= 26, "at most 26 requests in any 60 s window (saw %d)", worst);
	T_OK(n >= 245 && n <= 252, "about 25 per minute over 10 minutes (%d)", n);
	fk_bucket_init(&b, 0, 1, 0);
	T_OK(fk_bucket_take(&b, 0) == 0 && fk_bucket_take(&b, 0) == 0,
	    "rate 0 is unlimited");
	fk_bucket_init(&b, 2, 4, 100);
	T_OK(fk_bucket_take(&b, 100) == 0 && fk_bucket_take(&b, 100) == 0 &&
	    fk_bucket_take(&b, 100) == 0 && fk_bucket_take(&b, 100) == 0,
	    "a burst of 4 passes at once");
	T_OK(fabs(fk_bucket_take(&b, 100) - 0.5) < 1e-9, "the 5th waits 1/rate");
	T_OK(fabs(fk_bucket_take(&b, 100) - 1.0) < 1e-9, "the 6th waits 2/rate");
}

static void
test_parse_ll(void)
{
	long long v = 0;
	const char *why = NULL;

	T_OK(fk_parse_ll("42", 1, 100, &v, &why) == 0 && v == 42, "42 parses");
	T_OK(fk_parse_ll("0", 1, 100, &v, &why) < 0 && strcmp(why, "too small") == 0,
	    "0 below min: too small");
	T_OK(fk_parse_ll("-3", 1, 100, &v, &why) < 0, "negative refused");
	T_OK(fk_parse_ll("101", 1, 100, &v, &why) < 0 && strcmp(why, "too large") == 0,
	    "101 above max: too large");
	T_OK(fk_parse_ll("99999999999999999999999", 1, 100, &v, &why) < 0 &&
	    strcmp(why, "too large") == 0, "overflow: too large");
	T_OK(fk_parse_ll("12abc", 1, 100, &v, &why) < 0, "trailing junk refused");
	T_OK(fk_parse_ll("", 1, 100, &v, &why) < 0, "empty refused");
	T_OK(fk_parse_ll(" 5", 1, 100, &v, &why) < 0, "leading blank refused");
	T_OK(fk_parse_ll("+5", 1, 100, &v, &why) < 0, "plus sign refused");
	T_OK(fk_parse_ll("1e3", 1, 10000, &v, &why) < 0, "exponent refused");
}

static void
test_buf(void)
{
	struct fk_buf b = { NULL, 0, 0, 8 };

	T_OK(fk_buf_add(&b, "abcd", 4) == 0 && b.len == 4, "append within max");
	T_OK(fk_buf_add(&b, "efghi", 5) < 0 && b.len == 4, "past max refused whole");
	T_OK(fk_buf_add(&b, "efgh", 4) == 0 && strcmp(b.p, "abcdefgh") == 0,
	    "exactly max, NUL-terminated");
	fk_buf_reset(&b);
	T_OK(b.len == 0 && b.p[0] == '\0', "reset empties");
	fk_buf_free(&b);
	T_OK(b.p == NULL, "free releases");
}

/* Every ASCII byte, NUL included, quoted as jq -c quotes it; UTF-8 as is. */
static void
test_jstr(void)
{
	struct fk_buf b = { 0 };
	char in[3] = { 'a', 0, 'b' };
	int c, same = 1;
	jv d;

	for (c = 0; c < 128; c++) {
		in[1] = (char)c;
		fk_buf_reset(&b);
		d = jv_dump_string(jv_string_sized(in, 3), 0);
		if (fk_buf_add_jstr(&b, in, 3) < 0 ||
		    strcmp(b.p, jv_string_value(d)) != 0) {
			fprintf(stderr, "byte %d: %s\n", c, b.p ? b.p : "");
			same = 0;
		}
		jv_free(d);
	}
	T_OK(same, "each ASCII byte escaped as jq -c escapes it");
	fk_buf_reset(&b);
	T_OK(fk_buf_add_jstr(&b, "caf\xc3\xa9", 5) == 0 &&
	    strcmp(b.p, "\"caf\xc3\xa9\"") == 0, "UTF-8 passes as is");
	fk_buf_free(&b);
}

static void
test_http_helpers(void)
{
	struct fk_resp r;
	struct fk_err e;
	char v[64], *s;
	const char *hdr = "HTTP/1.1 429 Too Many Requests\r\n"
	    "Retry-After:  12 \r\nX-RateLimit-Remaining: 0\r\n\r\n";

	memset(&r, 0, sizeof(r));
	fk_buf_add(&r.headers, hdr, strlen(hdr));
	T_OK(fk_resp_header(&r, "retry-after", v, sizeof(v)) != NULL &&
	    strcmp(v, "12") == 0, "header lookup is case-insensitive and trimmed");
	T_OK(fk_resp_header(&r, "Retry", v, sizeof(v)) == NULL,
	    "a prefix of a name does not match");
	r.status = 429;
	fk_buf_add(&r.body, "{\"message\":\n\"Too Many\"}", 23);
	T_OK(fk_http_judge(CURLE_OK, &r, "http://x/api", &e) < 0 &&
	    e.code == FK_EX_TEMPFAIL, "429 is temporary");
	T_OK(strstr(e.msg, "http://x/api: HTTP 429") == e.msg &&
	    strchr(e.msg, '\n') == NULL, "message names the URL, one line: %s", e.msg);
	r.status = 403;
	T_OK(fk_http_judge(CURLE_OK, &r, "u", &e) < 0 && e.code == FK_EX_NOPERM,
	    "403 is a permission failure");
	r.status = 404;
	T_OK(fk_http_judge(CURLE_OK, &r, "u", &e) < 0 && e.code == FK_EX_FAIL,
	    "404 is permanent");
	r.status = 0;
	T_OK(fk_http_judge(CURLE_OPERATION_TIMEDOUT, &r, "u", &e) < 0 &&
	    e.code == FK_EX_TEMPFAIL, "a timeout is temporary");
	T_OK(fk_http_judge(CURLE_SSL_CACERT_BADFILE, &r, "u", &e) < 0 &&
	    e.code == FK_EX_FAIL, "a TLS set-up failure is not retried");
	r.status = 204;
	T_OK(fk_http_judge(CURLE_OK, &r, "u", &e) == 0, "2xx passes");
	fk_resp_free(&r);
	s = fk_url_escape("a b/ü#?%~");
	T_STREQ(s, "a%20b%2F%C3%BC%23%3F%25~", "URL escaping of reserved and UTF-8");
	free(s);
}

static void
test_json(void)
{
	struct fk_err e;
	long long n = 0;
	jv v;

	T_OK(fk_json_parse("{\"a\":\"x\",\"n\":3}", 15, &v, &e) == 0, "object parses");
	T_OK(fk_json_str(v, "a") != NULL && strcmp(fk_json_str(v, "a"), "x") == 0,
	    "string member");
	T_OK(fk_json_str(v, "n") == NULL, "number is not a string");
	T_OK(fk_json_int(v, "n", &n) == 0 && n == 3, "integer member");
	T_OK(fk_json_int(v, "zz", &n) < 0, "missing member");
	jv_free(v);
	T_OK(fk_json_parse("{\"a\":1", 6, &v, &e) < 0 && e.code == FK_EX_DATAERR,
	    "truncated JSON is a data error: %s", e.msg);
	T_OK(fk_json_parse("{} {}", 5, &v, &e) < 0, "two documents refused");
	T_OK(fk_json_parse("{\"n\":1.5}", 9, &v, &e) == 0 &&
	    fk_json_int(v, "n", &n) < 0, "1.5 is not an integer");
	jv_free(v);
}

/* fk_parse_size (lib/cli.c): the one size grammar of fk(7). */
static void
test_size(void)
{
	static const struct {
		const char *s;
		unsigned long long v;
	} good[] = {
		{ "8388608", 8388608 }, { "8k", 8 << 10 }, { "8K", 8 << 10 },
		{ "8KiB", 8 << 10 }, { "8m", 8 << 20 }, { "8M", 8 << 20 },
		{ "8MiB", 8 << 20 }, { "1g", 1 << 30 }, { "1G", 1 << 30 },
		{ "1GiB", 1 << 30 }, { "0", 0 },
	};
	static const char *const bad[] = { "", "8MB", "8kb", "8 M", " 8M",
	    "-1M", "+8", "8Q", "1.5M", "8MiBs", "M", "0x10",
	    "99999999999999999999999G", "2000000000G" };
	unsigned long long v;
	const char *why;
	char s[32];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_OK(fk_parse_size(good[i].s, &v, &why) == 0 &&
		    v == good[i].v, "size: '%s' is %llu", good[i].s,
		    good[i].v);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(fk_parse_size(bad[i], &v, &why) == -1 && why != NULL,
		    "size: '%s' refused", bad[i]);
	fk_size_str(256 << 10, s, sizeof(s));
	T_STREQ(s, "256K", "size written: 256K");
	fk_size_str(1ULL << 30, s, sizeof(s));
	T_STREQ(s, "1G", "size written: 1G");
	fk_size_str(1000, s, sizeof(s));
	T_STREQ(s, "1000", "size written: 1000");
}

int
main(void)
{
	test_backoff();
	test_budget();
	test_retry_after();
	test_bucket_window();
	test_parse_ll();
	test_size();
	test_buf();
	test_jstr();
	test_http_helpers();
	test_json();
	T_DONE();
}
