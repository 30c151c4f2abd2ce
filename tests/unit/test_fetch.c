/*
 * test_fetch.c: fk-fetch's arithmetic and checks without a network:
 * request split, seed map, ids, shards (flag and environment), pacing
 * over a simulated clock, spec parsing and URLs, envelope validation,
 * page writing.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "fetch/check.h"
#include "fetch/counter.h"
#include "fetch/pace.h"
#include "fetch/page.h"
#include "fetch/plan.h"
#include "fetch/shard.h"
#include "fetch/spec.h"

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_split(void)
{
	T_OK(fetch_nreq(1) == 1 && fetch_nreq(1000) == 1 &&
	    fetch_nreq(1001) == 2 && fetch_nreq(2500) == 3,
	    "requests: ceil(count / 1000)");
	T_OK(fetch_nreq(FETCH_MAX_COUNT) == 100000,
	    "1e8 records: 1e5 requests");
	T_OK(fetch_quantity(2500, 0) == 1000 &&
	    fetch_quantity(2500, 1) == 1000 &&
	    fetch_quantity(2500, 2) == 500 && fetch_quantity(2500, 3) == 0,
	    "2500 records: 1000, 1000, 500");
	T_OK(fetch_quantity(7, 0) == 7 && fetch_quantity(1000, 0) == 1000,
	    "one request asks exactly the count");
	T_OK(fetch_id(0, 0) == 1 && fetch_id(0, 999) == 1000 &&
	    fetch_id(1, 0) == 1001 && fetch_id(2, 499) == 2500,
	    "ids: 1000 k + position + 1, contiguous over full pages");
}

/* The seeds of n requests: all distinct, all in 1..p. */
static int
seeds_distinct(uint32_t base, uint64_t from, size_t n)
{
	uint32_t *s = malloc(n * sizeof(*s));
	size_t i;
	int ok = s != NULL;

	for (i = 0; ok && i < n; i++) {
		s[i] = fetch_seed(base, from + i);
		ok = s[i] >= 1 && s[i] <= FETCH_PRIME;
	}
	if (ok)
		qsort(s, n, sizeof(*s), cmp_u32);
	for (i = 1; ok && i < n; i++)
		ok = s[i] != s[i - 1];
	free(s);
	return ok;
}

static void
test_seed(void)
{
	static const uint32_t bases[] = { 1, 2, 42, 4294967291U, 4294967295U };
	size_t i;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		T_OK(seeds_distinct(bases[i], 0, 100000),
		    "base %lu: 100000 distinct seeds in 1..p",
		    (unsigned long)bases[i]);
	T_OK(seeds_distinct(7, FETCH_PRIME - 50000, 100000),
	    "distinct across k = p (the map is mod p)");
	T_OK(fetch_seed(42, 0) == 42 && fetch_seed(1, 0) == 1 &&
	    fetch_seed(4294967291U, 0) == 4294967291U,
	    "request 0 uses the base seed itself (base <= p)");
	T_OK(fetch_seed(4294967295U, 0) == 4, "base above p wraps: seed 4");
	/* Pinned: a change here would change every seeded run's output. */
	T_OK(fetch_seed(42, 1) == 2734070716U &&
	    fetch_seed(42, 2) == 1173174099U,
	    "seed map is stable across versions (42: %lu, %lu)",
	    (unsigned long)fetch_seed(42, 1), (unsigned long)fetch_seed(42, 2));
	T_OK(fetch_seed(42, 1) != fetch_seed(43, 1) &&
	    fetch_seed(42, 1) != fetch_seed(43, 0),
	    "neighbouring base seeds do not share a sequence");
	T_OK(fetch_seed(42, 5) == fetch_seed(42, 5), "deterministic");
}

/* Shards 1..n of total requests: every k exactly once, in order. */
static int
shards_partition(uint64_t total, int n)
{
	unsigned char *seen = calloc(total + 1, 1);
	uint64_t s, k, sum = 0, prev;
	int i, ok = seen != NULL;

	for (i = 1; ok && i <= n; i++) {
		prev = 0;
		for (s = 0; ok && s < fetch_shard_size(total, i, n); s++) {
			k = fetch_shard_k(s, i, n);
			ok = k < total && !seen[k] && k % (uint64_t)n ==
			    (uint64_t)(i - 1) && (s == 0 || k > prev);
			if (ok)
				seen[k] = 1;
			prev = k;
		}
		sum += fetch_shard_size(total, i, n);
	}
	for (k = 0; ok && k < total; k++)
		ok = seen[k];
	free(seen);
	return ok && sum == total;
}

static void
test_shard_math(void)
{
	static const uint64_t totals[] = { 0, 1, 2, 3, 4, 7, 100, 1001 };
	static const int ns[] = { 1, 2, 3, 5, 8 };
	size_t a, b;
	int ok = 1;

	for (a = 0; a < sizeof(totals) / sizeof(totals[0]); a++)
		for (b = 0; b < sizeof(ns) / sizeof(ns[0]); b++)
			if (!shards_partition(totals[a], ns[b])) {
				ok = 0;
				printf("# total %llu n %d\n",
				    (unsigned long long)totals[a], ns[b]);
			}
	T_OK(ok, "shards i/n partition the requests: no gap, no overlap");
	T_OK(fetch_shard_size(3, 1, 3) == 1 && fetch_shard_size(3, 3, 3) == 1 &&
	    fetch_shard_size(1, 2, 3) == 0,
	    "2500 records over 3 shards: 1 each");
	T_OK(fetch_shard_size(10, 0, 3) == 0 && fetch_shard_size(10, 4, 3) == 0,
	    "out-of-range shard makes nothing");
}

static void
test_shard_parse(void)
{
	static const char *bad[] = { "0/3", "4/3", "3", "a/b", "1/0", "1/",
	    "/3", "-1/3", "1/3x", " 1/3", "1/100001", "+1/2", "" };
	struct fetch_shard sh;
	struct fk_err e;
	size_t i;

	T_OK(fetch_shard_parse("2/3", &sh, &e) == 0 && sh.i == 2 && sh.n == 3,
	    "--shard 2/3");
	T_OK(fetch_shard_parse("1/1", &sh, &e) == 0 && sh.n == 1,
	    "--shard 1/1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		T_OK(fetch_shard_parse(bad[i], &sh, &e) < 0 &&
		    e.code == FK_EX_USAGE && strstr(e.msg, "shard") != NULL,
		    "--shard '%s' refused: %s", bad[i], e.msg);
	}
}

/* A fake environment for fetch_shard_env. */
static const char *fake_env[8][2];

static const char *
fake_get(const char *name)
{
	int i;

	for (i = 0; i < 8 && fake_env[i][0] != NULL; i++)
		if (strcmp(fake_env[i][0], name) == 0)
			return fake_env[i][1];
	return NULL;
}

static int
env_case(const char *k1, const char *v1, const char *k2, const char *v2,
    struct fetch_shard *sh, struct fk_err *e)
{
	memset(fake_env, 0, sizeof(fake_env));
	fake_env[0][0] = k1;
	fake_env[0][1] = v1;
	fake_env[1][0] = k2;
	fake_env[1][1] = v2;
	e->msg[0] = '\0';
	return fetch_shard_env(fake_get, sh, e);
}

static void
test_shard_env(void)
{
	struct fetch_shard sh;
	struct fk_err e;

	T_OK(env_case(NULL, NULL, NULL, NULL, &sh, &e) == 0 && sh.i == 1 &&
	    sh.n == 1, "no variables: the whole run");
	T_OK(env_case("FK_SHARD", "2/4", NULL, NULL, &sh, &e) == 1 &&
	    sh.i == 2 && sh.n == 4, "FK_SHARD=2/4");
	T_OK(env_case("FK_SHARD", "5/4", NULL, NULL, &sh, &e) < 0 &&
	    strstr(e.msg, "FK_SHARD") != NULL, "bad FK_SHARD: %s", e.msg);
	T_OK(env_case("JOB_COMPLETION_INDEX", "0", "FK_SHARD_COUNT", "3", &sh,
	    &e) == 1 && sh.i == 1 && sh.n == 3,
	    "Kubernetes index 0 of 3 is shard 1/3");
	T_OK(env_case("JOB_COMPLETION_INDEX", "2", "FK_SHARD_COUNT", "3", &sh,
	    &e) == 1 && sh.i == 3, "Kubernetes index 2 of 3 is shard 3/3");
	T_OK(env_case("JOB_COMPLETION_INDEX", "3", "FK_SHARD_COUNT", "3", &sh,
	    &e) < 0 && e.code == FK_EX_USAGE, "index 3 of 3 refused: %s",
	    e.msg);
	T_OK(env_case("JOB_COMPLETION_INDEX", "1", NULL, NULL, &sh, &e) < 0 &&
	    strstr(e.msg, "FK_SHARD_COUNT") != NULL,
	    "Kubernetes index without a count refused: %s", e.msg);
	T_OK(env_case("CLOUD_RUN_TASK_INDEX", "2", "CLOUD_RUN_TASK_COUNT", "5",
	    &sh, &e) == 1 && sh.i == 3 && sh.n == 5,
	    "Cloud Run task 2 of 5 is shard 3/5");
	T_OK(env_case("CLOUD_RUN_TASK_INDEX", "0", NULL, NULL, &sh, &e) < 0 &&
	    strstr(e.msg, "CLOUD_RUN_TASK_COUNT") != NULL,
	    "Cloud Run index without a count refused: %s", e.msg);
	T_OK(env_case("PARALLEL_SEQ", "2", "FK_SHARD_COUNT", "2", &sh,
	    &e) == 1 && sh.i == 2 && sh.n == 2,
	    "GNU parallel seq 2 of 2 is shard 2/2");
	T_OK(env_case("PARALLEL_SEQ", "0", "FK_SHARD_COUNT", "2", &sh, &e) < 0,
	    "PARALLEL_SEQ is 1-based: 0 refused: %s", e.msg);
	T_OK(env_case("PARALLEL_SEQ", "1", NULL, NULL, &sh, &e) < 0,
	    "PARALLEL_SEQ without FK_SHARD_COUNT refused: %s", e.msg);
	T_OK(env_case("FK_SHARD_COUNT", "3", NULL, NULL, &sh, &e) < 0,
	    "FK_SHARD_COUNT without an index refused: %s", e.msg);
	T_OK(env_case("JOB_COMPLETION_INDEX", "", "FK_SHARD_COUNT", "", &sh,
	    &e) == 0, "empty variables count as unset");
	T_OK(env_case("JOB_COMPLETION_INDEX", "x", "FK_SHARD_COUNT", "3", &sh,
	    &e) < 0, "non-numeric index refused: %s", e.msg);
}

/*
 * The real throttle: a fixed window of `window` seconds opened by the
 * first counted request, `limit` requests in it; rejected ones do not
 * count.  Returns the number of 429s a client pacing with p would get,
 * making n attempts as early as p allows.
 */
static int
simulate(struct fetch_pace *p, double t0, int n, int limit, double window,
    int *worst60)
{
	double t = t0, start = -1, *times = malloc((size_t)n * sizeof(double));
	int i, j, used = 0, rejected = 0, c;

	for (i = 0; i < n; i++) {
		t = fetch_pace_take(p, t);
		times[i] = t;
		if (start < 0 || t >= start + window) {
			start = t;
			used = 0;
		}
		if (used < limit)
			used++;
		else
			rejected++;
	}
	*worst60 = 0;
	for (i = 0; i < n; i++) {
		for (c = 0, j = i; j < n && times[j] < times[i] + 60; j++)
			c++;
		if (c > *worst60)
			*worst60 = c;
	}
	free(times);
	return rejected;
}

static void
test_pace(void)
{
	struct fetch_pace p;
	int worst, rejected;
	double t;

	fetch_pace_init(&p, 25, 1000);
	rejected = simulate(&p, 1000, 600, 30, 60, &worst);
	T_OK(rejected == 0, "default 25/min, 600 requests (24 min): no 429 "
	    "from a 30-per-60 s fixed window (%d)", rejected);
	T_OK(worst <= 26, "at most 26 requests in any 60 s (saw %d)", worst);
	fetch_pace_init(&p, 25, 0);
	t = 0;
	t = fetch_pace_take(&p, t);
	T_OK(t == 0, "the first request goes at once");
	T_OK(fabs(fetch_pace_take(&p, 0) - 2.4) < 1e-9 &&
	    fabs(fetch_pace_take(&p, 0) - 4.8) < 1e-9,
	    "then one every 2.4 s, reserved in order");
	/* A 429 at t = 10 asking 50 s: nothing before 60, then no burst. */
	fetch_pace_pause(&p, 60);
	T_OK(fetch_pace_take(&p, 10) >= 60, "a 429 pause holds the endpoint");
	T_OK(fetch_pace_take(&p, 10) >= 62.4 - 1e-9,
	    "after the pause the bucket paces again (burst 1)");
	fetch_pace_init(&p, 25, 0);
	fetch_pace_pause(&p, 30);
	rejected = simulate(&p, 0, 300, 30, 60, &worst);
	T_OK(rejected == 0 && worst <= 26, "paced after a pause: %d 429s, "
	    "worst window %d", rejected, worst);
	/* The test servers: limit 30 per 2 s window and --rate 750. */
	fetch_pace_init(&p, 750, 0);
	rejected = simulate(&p, 0, 200, 30, 2, &worst);
	T_OK(rejected == 0, "--rate 750 under a 30-per-2 s window: no 429");
	fetch_pace_init(&p, 0, 0);
	rejected = simulate(&p, 0, 100, 30, 60, &worst);
	T_OK(rejected == 70, "rate 0 is unlimited: the throttle trips (%d)",
	    rejected);
}

static int
spec(const char *text, const struct fetch_defaults *d, struct fetch_spec *sp,
    struct fk_err *e)
{
	e->msg[0] = '\0';
	return fetch_spec_parse(text, d, sp, e);
}

static void
test_spec_ok(void)
{
	struct fetch_param p[2];
	struct fetch_defaults d = { 100, NULL, 0, "2025-06-15" };
	struct fetch_spec sp;
	struct fk_err e;
	char *u;

	T_OK(spec("users", &d, &sp, &e) == 0 && sp.count == 100 && sp.np == 0 &&
	    sp.seeded, "users: count from -n");
	u = fetch_url("http://h/api/v2", &sp, 100, 42);
	T_STREQ(u, "http://h/api/v2/users?_quantity=100&_seed=42", "plain URL");
	free(u);
	fetch_spec_free(&sp);
	T_OK(spec("persons?_locale=it_IT&_quantity=5000&_gender=female", &d,
	    &sp, &e) == 0 && sp.count == 5000 && sp.np == 2,
	    "_quantity in the spec is its count: %s", e.msg);
	u = fetch_url("http://h", &sp, 1000, 7);
	T_STREQ(u, "http://h/persons?_quantity=1000&_seed=7&_locale=it_IT&"
	    "_gender=female", "parameters follow, in order");
	free(u);
	fetch_spec_free(&sp);
	T_OK(fetch_param_parse("_locale=de_DE", &p[0], &e) == 0 &&
	    fetch_param_parse("name=J\xc3\xbcrgen & Co", &p[1], &e) == 0,
	    "-p KEY=VALUE");
	d.p = p;
	d.np = 2;
	T_OK(spec("users?_locale=it_IT&x=a+b%2Fc", &d, &sp, &e) == 0 &&
	    sp.np == 3, "the spec's own _locale replaces -p's");
	u = fetch_url("http://h", &sp, 3, 9);
	T_STREQ(u, "http://h/users?_quantity=3&_seed=9&_locale=it_IT&"
	    "x=a%20b%2Fc&name=J%C3%BCrgen%20%26%20Co",
	    "values decoded, then re-encoded");
	free(u);
	fetch_spec_free(&sp);
	d.p = NULL;
	d.np = 0;
	fetch_param_free(&p[0]);
	fetch_param_free(&p[1]);
	T_OK(spec("custom?name=firstName&mail=email&_locale=fr_FR", &d, &sp,
	    &e) == 0 && !sp.seeded, "custom: fields, never a seed");
	u = fetch_url("http://h", &sp, 10, 0);
	T_STREQ(u, "http://h/custom?_quantity=10&name=firstName&mail=email&"
	    "_locale=fr_FR", "custom URL has no _seed");
	free(u);
	fetch_spec_free(&sp);
	T_OK(spec("persons?_birthday_start=2000-02-29&_birthday_end=2000-03-01",
	    &d, &sp, &e) == 0, "a leap day is a date: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("persons?_birthday_end=1935-06-16", &d, &sp, &e) == 0,
	    "an end just after the default start: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("products?_price_min=1.5&_price_max=20&_taxes=10&"
	    "_categories_type=uuid", &d, &sp, &e) == 0, "products: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("images?_type=kittens&_width=300&_height=200", &d, &sp,
	    &e) == 0, "images: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("texts?_characters=500&&", &d, &sp, &e) == 0 && sp.np == 1,
	    "texts, empty pieces skipped: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("users?_locale=ar_EG", &d, &sp, &e) == 0,
	    "ar_EG, which the service serves: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("users?_locale=xx_XX&_gender=other", &d, &sp, &e) == 0,
	    "a well-formed locale and gender not on our lists: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("persons?_locale=sr_Latn_RS", &d, &sp, &e) == 0,
	    "a locale with a script: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("texts?_characters=20000", &d, &sp, &e) == 0,
	    "_characters 20000, which the service accepts: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("custom?name=nonsense", &d, &sp, &e) == 0,
	    "a custom type we do not know: the server decides: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("images?_type=cats&_width=20000", &d, &sp, &e) == 0,
	    "images: any _type and size go to the server: %s", e.msg);
	fetch_spec_free(&sp);
	T_OK(spec("users?unknown=anything", &d, &sp, &e) == 0,
	    "other parameters pass through");
	fetch_spec_free(&sp);
}

static void
lint_count(void *arg, const char *msg)
{
	char *out = arg;

	strncat(out, msg, 1000 - strlen(out) - 2);
	strcat(out, "|");
}

/* The warnings of a spec, joined by '|'. */
static void
lint(const char *text, char *out)
{
	struct fetch_defaults d = { 100, NULL, 0, "2025-06-15" };
	struct fetch_spec sp;
	struct fk_err e;

	out[0] = '\0';
	if (fetch_spec_parse(text, &d, &sp, &e) < 0) {
		strcpy(out, "refused");
		return;
	}
	fetch_spec_lint(&sp, lint_count, out);
	fetch_spec_free(&sp);
}

static void
test_spec_lint(void)
{
	char out[1000];

	lint("users?_locale=ar_EG&_gender=male", out);
	T_STREQ(out, "", "ar_EG and male: no warning");
	lint("users?_locale=xx_XX", out);
	T_OK(strstr(out, "xx_XX") != NULL && strstr(out, "en_US data") != NULL
	    && strchr(out, '|') == strrchr(out, '|'),
	    "an unknown locale: served as en_US data: %s", out);
	lint("images?_type=cats&_gender=x", out);
	T_OK(strstr(out, "'cats'") != NULL && strstr(out, "'x'") != NULL,
	    "unknown _type and _gender: warned: %s", out);
	lint("custom?_gender=x&_type=y", out);
	T_STREQ(out, "", "custom: fields named like parameters are the user's");
}

static void
test_spec_bad(void)
{
	static const char *bad[][2] = {
		{ "users?_seed=1", "--seed" },
		{ "users?_quantity=0", "count" },
		{ "users?_quantity=1e3", "count" },
		{ "users?_quantity=-5", "count" },
		{ "users?_quantity=100000001", "count" },
		{ "users?_quantity=5&_quantity=6", "twice" },
		{ "users?_locale=a&_locale=b", "twice" },
		{ "users?_locale=it_it", "locale" },
		{ "users?_locale=de-DE", "locale" },
		{ "users?_locale=it", "locale" },
		{ "users?_locale=", "locale" },
		{ "users?_locale=sr_latn_RS", "locale" },
		{ "products?_taxes=abc", "_taxes" },
		{ "images?_height=-3", "_height" },
		{ "persons?_birthday_start=2023-02-30", "no such date" },
		{ "persons?_birthday_start=2001-1-1", "YYYY-MM-DD" },
		{ "persons?_birthday_start=2001-01-02&_birthday_end=2001-01-01",
		    "after" },
		{ "persons?_birthday_start=2030-01-01", "future" },
		{ "persons?_birthday_end=1935-06-15", "90 years" },
		{ "texts?_characters=5", "_characters" },
		{ "texts?_characters=abc", "_characters" },
		{ "images?_width=0", "_width" },
		{ "products?_price_min=5&_price_max=1", "above" },
		{ "products?_price_min=1.234", "price" },
		{ "custom", "at least one field" },
		{ "custom?_locale=it_IT", "at least one field" },
		{ "users?first.name=x", "parameter name" },
		{ "users?a%5B%5D=x", "parameter name" },
		{ "users?a[]=x", "parameter name" },
		{ "users?flag", "key=value" },
		{ "users?=x", "empty parameter name" },
		{ "users?x=%zz", "percent" },
		{ "users?x=%0", "percent" },
		{ "users?x=%00", "percent" },
		{ "us/ers", "resource" },
		{ "users.json", "resource" },
		{ "?_locale=it_IT", "missing resource" },
		{ "", "missing resource" },
	};
	struct fetch_defaults d = { 100, NULL, 0, "2025-06-15" };
	struct fetch_spec sp;
	struct fk_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(spec(bad[i][0], &d, &sp, &e) < 0 &&
		    e.code == FK_EX_USAGE && strstr(e.msg, bad[i][1]) != NULL &&
		    strchr(e.msg, '\n') == NULL,
		    "'%s' refused: %s", bad[i][0], e.msg);
}

static void
test_params(void)
{
	static const char *bad[][2] = {
		{ "_quantity=5", "--count" }, { "_seed=5", "--seed" },
		{ "novalue", "KEY=VALUE" }, { "=x", "empty" },
		{ "a.b=1", "parameter name" }, { "a b=1", "parameter name" },
	};
	struct fetch_param p;
	struct fk_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		T_OK(fetch_param_parse(bad[i][0], &p, &e) < 0 &&
		    e.code == FK_EX_USAGE && strstr(e.msg, bad[i][1]) != NULL,
		    "-p '%s' refused: %s", bad[i][0], e.msg);
	}
	T_OK(fetch_param_parse("k=a=b", &p, &e) == 0 &&
	    strcmp(p.val, "a=b") == 0, "-p splits at the first '='");
	fetch_param_free(&p);
}

static void
test_base(void)
{
	struct fk_err e;
	char *b, out[128];

	b = fetch_base_check("http://127.0.0.1:8080/api/v2//", &e);
	T_OK(b != NULL && strcmp(b, "http://127.0.0.1:8080/api/v2") == 0,
	    "trailing slashes dropped");
	free(b);
	T_OK(fetch_base_check("ftp://h/api", &e) == NULL &&
	    strstr(e.msg, "http") != NULL, "ftp refused: %s", e.msg);
	T_OK(fetch_base_check("https://h/api?x=1", &e) == NULL,
	    "a query refused: %s", e.msg);
	T_OK(fetch_base_check("https://h/a pi", &e) == NULL,
	    "a space refused: %s", e.msg);
	fetch_url_redact("https://user:secret@h:1/api/v2/users?_seed=1", out,
	    sizeof(out));
	T_STREQ(out, "https://h:1/api/v2/users?_seed=1",
	    "credentials never shown");
	fetch_url_redact("http://h/x?a=b@c", out, sizeof(out));
	T_STREQ(out, "http://h/x?a=b@c", "an '@' in the query is not userinfo");
}

/* The start of a valid envelope. */
#define OK200 "{\"status\":\"OK\",\"code\":200,"

static int
chk(const char *body, int q, uint32_t seed, struct fk_err *e)
{
	jv env;

	e->msg[0] = '\0';
	if (fetch_check(body, strlen(body), q, seed, &env, e) < 0)
		return -1;
	jv_free(env);
	return 0;
}

static void
test_check(void)
{
	static const char *bad[][2] = {
		{ OK200 "\"total\":2,\"data\":[{\"id\":1}]}",
		    "total is 2" },
		{ OK200 "\"total\":1,\"data\":{\"0\":{}}}",
		    "not an array" },
		{ "{\"status\":\"ERROR\",\"code\":500,\"total\":1,"
		    "\"data\":[{}]}",
		    "status" },
		{ "{\"status\":\"OK\",\"code\":500,\"total\":1,\"data\":[{}]}",
		    "code" },
		{ OK200 "\"total\":1,\"data\":[5]}",
		    "not an object" },
		{ OK200 "\"total\":1}", "missing" },
		{ OK200 "\"total\":1,\"data\":[{}", "JSON" },
		{ "[{\"id\":1}]", "envelope" },
		{ "", "JSON" },
		{ OK200 "\"total\":1,\"data\":[{}]} x",
		    "JSON" },
		{ OK200 "\"seed\":43,\"total\":1,"
		    "\"data\":[{}]}", "seed" },
	};
	struct fk_err e;
	size_t i;

	T_OK(chk(OK200 "\"total\":1,\"data\":[{\"id\":1}]}",
	    1, 42, &e) == 0, "a v1 page");
	T_OK(chk(OK200 "\"locale\":\"en_US\",\"seed\":42,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, &e) == 0,
	    "a v2 page echoing the seed as a number");
	T_OK(chk(OK200 "\"seed\":\"42\",\"total\":1,"
	    "\"data\":[{}]}", 1, 42, &e) == 0, "... or as a string");
	T_OK(chk(OK200 "\"seed\":null,\"total\":1,"
	    "\"data\":[{}]}", 1, 0, &e) == 0, "unseeded: seed null");
	T_OK(chk(OK200 "\"total\":1,\"data\":[{}]}", 2, 1,
	    &e) < 0 && strstr(e.msg, "asked for 2 records, got 1") != NULL,
	    "fewer records than asked: %s", e.msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(chk(bad[i][0], 1, 42, &e) < 0 && e.code == FK_EX_DATAERR &&
		    strstr(e.msg, bad[i][1]) != NULL &&
		    strstr(e.msg, "while parsing") == NULL,
		    "invalid page %zu: %s", i + 1, e.msg);
}

/* Render body as request k of spec `what`, then write it; the text. */
static long
render_as(const char *what, const char *body, uint64_t k, int raw,
    int unbuffered, char *out, size_t outlen)
{
	struct fetch_defaults d = { 100, NULL, 0, "2025-06-15" };
	struct fetch_spec sp;
	struct fk_err e;
	char *text = NULL;
	size_t len = 0, got;
	long n = -3;
	FILE *f;

	out[0] = '\0';
	if (fetch_spec_parse(what, &d, &sp, &e) < 0)
		return -4;
	/* A tiny size hint: the buffer must grow on its own. */
	n = fetch_page_render(jv_parse(body), &sp, k, raw, 8, &text, &len);
	fetch_spec_free(&sp);
	f = tmpfile();

	if (f == NULL || fetch_page_write(f, text, len, unbuffered) < 0)
		n = -2;
	rewind(f);
	got = fread(out, 1, outlen - 1, f);
	out[got] = '\0';
	fclose(f);
	free(text);
	return n;
}

static long
render(const char *body, uint64_t k, int raw, int unbuffered, char *out,
    size_t outlen)
{
	return render_as("users", body, k, raw, unbuffered, out, outlen);
}

/* The counter fields fk-fetch finds in a spec, joined by ','. */
static void
counters_of(const char *what, char *out, size_t outlen)
{
	struct fetch_defaults d = { 100, NULL, 0, "2025-06-15" };
	struct fetch_spec sp;
	struct fk_err e;
	size_t i, n = 0;

	out[0] = '\0';
	if (fetch_spec_parse(what, &d, &sp, &e) < 0) {
		snprintf(out, outlen, "error: %.200s", e.msg);
		return;
	}
	for (i = 0; i < sp.ncounters && n < outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%s%s",
		    i ? "," : "", sp.counters[i]);
	fetch_spec_free(&sp);
}

/* Issue 9 items 5 and 6: only the service's own counters change. */
static void
test_counter(void)
{
	static const struct { const char *tok; long long pos; int want; } t[] = {
		{ "1", 0, 1 }, { "1000", 999, 1 }, { "1.0", 0, 1 },
		{ "1e0", 0, 1 }, { "10E-1", 0, 1 }, { "2", 0, 0 },
		{ "0", 0, 0 }, { "-1", 0, 0 }, { "01", 0, 0 }, { "1.", 0, 0 },
		{ "\"1\"", 0, 0 }, { "null", 0, 0 }, { "true", 0, 0 },
		{ "1 ", 0, 0 }, { "", 0, 0 }, { "1.5", 0, 0 }, { "+1", 0, 0 },
		{ "1001", 999, 0 },
	};
	char out[512];
	size_t i;

	T_OK(fetch_resource_has_id("users") && fetch_resource_has_id("persons")
	    && fetch_resource_has_id("addresses") &&
	    fetch_resource_has_id("books") &&
	    fetch_resource_has_id("companies") &&
	    fetch_resource_has_id("products"),
	    "the service numbers users, persons, addresses, books, companies, "
	    "products");
	T_OK(!fetch_resource_has_id("custom") &&
	    !fetch_resource_has_id("images") &&
	    !fetch_resource_has_id("texts") &&
	    !fetch_resource_has_id("places") &&
	    !fetch_resource_has_id("credit_cards") &&
	    !fetch_resource_has_id("user") && !fetch_resource_has_id(""),
	    "... and nothing else");
	T_OK(fetch_counter_value(1, 0) && fetch_counter_value(1000, 999) &&
	    !fetch_counter_value(2, 0) && !fetch_counter_value(1.5, 0) &&
	    !fetch_counter_value(0, -1),
	    "a counter value is the 1-based position");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_OK(fetch_counter_token(t[i].tok, strlen(t[i].tok), t[i].pos) ==
		    t[i].want, "token '%s' at position %lld: %s", t[i].tok,
		    t[i].pos, t[i].want ? "the counter" : "passes through");
	T_OK(fetch_counter_token("12", 1, 0), "a token is its len bytes");

	counters_of("users", out, sizeof(out));
	T_STREQ(out, "id", "users: id");
	counters_of("images?_type=any", out, sizeof(out));
	T_STREQ(out, "", "images: no counter");
	counters_of("custom?id=uuid&name=firstName", out, sizeof(out));
	T_STREQ(out, "", "custom id=uuid: the user's field, no counter");
	counters_of("custom?id=counter&n=counter&u=uuid&_locale=it_IT", out,
	    sizeof(out));
	T_STREQ(out, "id,n", "custom: the fields of type counter");

	T_OK(render("{\"status\":\"OK\",\"code\":200,\"total\":3,"
	    "\"data\":[{\"id\":7},{\"id\":\"2\"},{\"id\":3,\"x\":1}]}", 2,
	    0, 0, out, sizeof(out)) == 3, "users: three records");
	T_STREQ(out, "{\"id\":7}\n{\"id\":\"2\"}\n{\"id\":2003,\"x\":1}\n",
	    "users: an id that is not the position passes through");
	T_OK(render_as("custom?id=uuid", "{\"status\":\"OK\",\"code\":200,"
	    "\"total\":2,\"data\":[{\"id\":\"a-b\"},{\"id\":2}]}", 1, 0, 0,
	    out, sizeof(out)) == 2, "custom id=uuid: two records");
	T_STREQ(out, "{\"id\":\"a-b\"}\n{\"id\":2}\n",
	    "custom id=uuid: the user's ids pass through");
	T_OK(render_as("custom?id=counter&c=counter&n=number",
	    "{\"status\":\"OK\",\"code\":200,\"total\":2,\"data\":["
	    "{\"id\":1,\"c\":1,\"n\":1},{\"id\":2,\"c\":2,\"n\":2}]}", 1, 0,
	    0, out, sizeof(out)) == 2, "custom counters: two records");
	T_STREQ(out, "{\"id\":1001,\"c\":1001,\"n\":1}\n"
	    "{\"id\":1002,\"c\":1002,\"n\":2}\n",
	    "custom counters are run-wide, a number field is not");
	T_OK(render_as("persons", "{\"status\":\"OK\",\"code\":200,"
	    "\"total\":1,\"data\":[{\"id\":1,\"address\":{\"id\":1}}]}", 4, 0,
	    0, out, sizeof(out)) == 1, "persons: one record");
	T_STREQ(out, "{\"id\":4001,\"address\":{\"id\":1}}\n",
	    "nested ids are never touched");
	T_OK(render_as("images", "{\"status\":\"OK\",\"code\":200,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 4, 0, 0, out,
	    sizeof(out)) == 1, "images: one record");
	T_STREQ(out, "{\"id\":1}\n",
	    "an id on a resource the service does not number passes through");
}

static void
test_page(void)
{
	const char *body = OK200 "\"total\":2,\"data\":"
	    "[{\"id\":1,\"u\":\"a\\/b\\u00e9\"},{\"id\":2,\"n\":1.5}]}";
	const char *noid = OK200 "\"total\":1,\"data\":"
	    "[{\"latitude\":1}]}";
	char out[512];

	T_OK(render(body, 3, 0, 0, out, sizeof(out)) == 2, "two records");
	T_STREQ(out, "{\"id\":3001,\"u\":\"a/b\xc3\xa9\"}\n"
	    "{\"id\":3002,\"n\":1.5}\n", "ids renumbered, compact UTF-8 lines");
	T_OK(render(body, 3, 0, 1, out, sizeof(out)) == 2 &&
	    strcmp(out, "{\"id\":3001,\"u\":\"a/b\xc3\xa9\"}\n"
	    "{\"id\":3002,\"n\":1.5}\n") == 0, "unbuffered: the same lines");
	T_OK(render(noid, 0, 1, 0, out, sizeof(out)) == 1, "raw: one envelope");
	T_STREQ(out, OK200 "\"total\":1,\"data\":"
	    "[{\"latitude\":1}]}\n", "raw envelope as sent, one line");
	T_OK(render(noid, 5, 0, 0, out, sizeof(out)) == 1, "record without id");
	T_STREQ(out, "{\"latitude\":1}\n", "records without an id keep none");
}

int
main(void)
{
	test_split();
	test_seed();
	test_shard_math();
	test_shard_parse();
	test_shard_env();
	test_pace();
	test_spec_ok();
	test_spec_bad();
	test_spec_lint();
	test_params();
	test_base();
	test_check();
	test_page();
	test_counter();
	T_DONE();
}
