/*
 * test_fetch_split.c: the byte path (fetch/split.c) against the jv path
 * (fetch/check.c + fetch/page.c) on the same pages, odd ones included.
 * Wherever the byte path answers, it must answer exactly what the jv path
 * writes; where it cannot, it must hand the page back (-2), and the
 * pages FakerAPI really sends must not be handed back.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "fetch/check.h"
#include "fetch/page.h"
#include "fetch/split.h"

/* Counter fields as spec.c finds them (see counter.h). */
static const char *users_counters[] = { "id" };
static const char *custom_counters[] = { "n", "c" };
static const struct fetch_spec specs[] = {
	{ .resource = "users", .counters = users_counters, .ncounters = 1 },
	{ .resource = "custom", .counters = custom_counters, .ncounters = 2 },
	{ .resource = "texts", .counters = NULL, .ncounters = 0 },
};
enum { USERS, CUSTOM, TEXTS };

enum { FAST, PUNTED };

/*
 * Both paths on one body; returns FAST or PUNTED, or -1 (reported) when
 * the byte path answered something the jv path does not.
 */
static int
both(const char *name, const char *body, int quantity, uint32_t seed,
    uint64_t k, const struct fetch_spec *sp)
{
	size_t len = strlen(body), blen = 0, jlen = 0;
	char *btext = NULL, *jtext = NULL, *copy = strdup(body);
	struct fk_err e;
	long bn, jn = -3;
	jv env;
	int rc = -1;

	bn = fetch_split(copy, len, quantity, seed, k, sp, 8, &btext, &blen);
	if (fetch_check(body, len, quantity, seed, &env, &e) == 0)
		jn = fetch_page_render(env, sp, k, 0, 8, &jtext, &jlen);
	if (bn == -2)
		rc = PUNTED;
	else if (bn == jn && blen == jlen && memcmp(btext, jtext, blen) == 0)
		rc = FAST;
	else
		printf("# %s: bytes %ld [%.*s]\n#   jv %ld [%.*s]\n", name, bn,
		    (int)blen, btext ? btext : "", jn, (int)jlen,
		    jtext ? jtext : "");
	T_OK(rc >= 0, "split %s: %s", name, rc == FAST ? "same as jv" :
	    rc == PUNTED ? "handed to jv" : "DIFFERS");
	free(btext);
	free(jtext);
	free(copy);
	return rc;
}

/* A page of n records around rec (a printf format taking the id). */
static char *
page(int n, const char *rec, const char *extra)
{
	size_t cap = 256 + (size_t)n * (strlen(rec) + 32);
	char *p = malloc(cap);
	size_t len;
	int i;

	len = (size_t)snprintf(p, cap, "{\"status\":\"OK\",\"code\":200,"
	    "%s\"total\":%d,\"data\":[", extra, n);
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(p + len, cap - len, i ? "," : "");
		len += (size_t)snprintf(p + len, cap - len, rec, i + 1);
	}
	snprintf(p + len, cap - len, "]}");
	return p;
}

/* One-record pages whose record is r: name, record, must go fast. */
static const struct {
	const char *name, *rec;
	int fast;
	int spec;
} recs[] = {
	{ "php-user", "{\"id\":%d,\"uuid\":\"b1c3a0d2-5e6f\",\"firstname\":"
	    "\"Ren\\u00e9e\",\"email\":\"x@y.org\",\"website\":\"http:\\/\\/"
	    "a.b\\/c\",\"image\":\"http:\\/\\/placeimg.com\\/640\\/480\\/"
	    "people\",\"birthday\":\"1990-01-02\",\"address\":{\"id\":0,"
	    "\"street\":\"1 Via\",\"latitude\":41.890251,\"longitude\":"
	    "-12.49223,\"country_code\":\"IT\"}}", 1, USERS },
	{ "no-id", "{\"n\":%d,\"title\":\"x\"}", 1, USERS },
	{ "id-string", "{\"id\":\"%d\"}", 1, USERS },
	{ "id-null", "{\"x\":%d,\"id\":null}", 1, USERS },
	{ "id-last", "{\"a\":[1,2,{\"id\":7}],\"id\":%d}", 1, USERS },
	{ "nested-empty", "{\"id\":%d,\"o\":{},\"a\":[],\"b\":[[],{}]}", 1, USERS },
	{ "literals", "{\"id\":%d,\"t\":true,\"f\":false,\"n\":null}", 1, USERS },
	{ "blanks", " { \"id\" : %d ,\n\t\"a\" : [ 1 , 2 ] , \"o\" : { "
	    "\"k\" : \"v\" } } ", 1, USERS },
	{ "escapes", "{\"id\":%d,\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000"
	    "\\u0001\\u001f\\u0020\\u007f\\u0080\\u00ff\\u07ff\\u0800\\uffff"
	    "\\u2028\\ud83d\\ude00\\u0022\\u005c\\u005C\\u00E9\"}", 1, USERS },
	{ "raw-utf8", "{\"id\":%d,\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98"
	    "\x80\"}", 1, USERS },
	{ "raw-del", "{\"id\":%d,\"s\":\"a\x7f" "b\"}", 1, USERS },
	{ "numbers", "{\"id\":%d,\"a\":0,\"b\":-0,\"c\":0.5,\"d\":-12.25,"
	    "\"e\":123456789012345,\"f\":0.001,\"g\":99.123456789}", 1, USERS },
	{ "num-1.0", "{\"id\":%d,\"x\":1.0,\"y\":-0.0,\"z\":9009.00,"
	    "\"w\":1.50,\"v\":0.0010,\"u\":123456789012345.000}", 1, USERS },
	{ "num-16-zeros", "{\"id\":%d,\"x\":1234567890123456.0}", 0, USERS },
	{ "num-tiny-zeros", "{\"id\":%d,\"x\":0.000100}", 1, USERS },
	{ "num-lat-tiny", "{\"id\":%d,\"la\":-0.000239,\"x\":0.000999999"
	    "999999}", 1, USERS },
	{ "num-tiny-16", "{\"id\":%d,\"x\":0.0001234567890123456}", 0,
	    USERS },
	{ "num-dot", "{\"id\":%d,\"x\":1.}", 0, USERS },
	{ "num-exp", "{\"id\":%d,\"x\":1e2}", 0, USERS },
	{ "num-big", "{\"id\":%d,\"x\":12345678901234567}", 0, USERS },
	{ "num-tiny", "{\"id\":%d,\"x\":0.00001}", 0, USERS },
	{ "num-huge", "{\"id\":%d,\"x\":1e400}", 0, USERS },
	{ "num-16", "{\"id\":%d,\"x\":0.1234567890123456}", 0, USERS },
	{ "dup-key", "{\"id\":%d,\"a\":1,\"a\":2}", 0, USERS },
	{ "dup-id", "{\"id\":%d,\"id\":5}", 0, USERS },
	{ "key-escape", "{\"id\":%d,\"\\u0061\":1}", 0, USERS },
	{ "key-del", "{\"id\":%d,\"a\x7f\":1}", 0, USERS },
	{ "lone-surrogate", "{\"id\":%d,\"s\":\"\\ud800\"}", 0, USERS },
	{ "bad-utf8", "{\"id\":%d,\"s\":\"\xc3(\"}", 0, USERS },
	{ "not-object", "%d", 0, USERS },
	/* Counter rules (issue 9 items 5, 6): only the service's count. */
	{ "id-uuid", "{\"id\":\"5a1c-%d\"}", 1, USERS },
	{ "id-not-pos", "{\"id\":%d7}", 1, USERS },
	{ "id-negative", "{\"id\":-%d}", 1, USERS },
	{ "id-1.0", "{\"id\":%d.0}", 1, USERS },
	{ "id-exp", "{\"id\":%de0}", 1, USERS },
	{ "id-long", "{\"id\":%d.00000000000000000000000000000000000000000"
	    "00000000000000000000000001}", 0, USERS },
	{ "id-true", "{\"x\":%d,\"id\":true}", 1, USERS },
	{ "id-nested-only", "{\"o\":{\"id\":%d}}", 1, USERS },
	{ "texts-id", "{\"id\":%d}", 1, TEXTS },
	{ "custom-counters", "{\"id\":%1$d,\"n\":%1$d,\"c\":%1$d,"
	    "\"m\":%1$d}", 1, CUSTOM },
	{ "custom-counter-uuid", "{\"n\":\"u%d\",\"c\":null}", 1, CUSTOM },
	{ "custom-dup-counter", "{\"n\":%d,\"n\":1}", 0, CUSTOM },
};

/* Whole bodies: name, body, quantity, seed, must go fast. */
static const struct {
	const char *name, *body;
	int quantity;
	uint32_t seed;
	int fast;
} bodies[] = {
	{ "empty", "", 1, 0, 0 },
	{ "not-json", "<html>", 1, 0, 0 },
	{ "array", "[1]", 1, 0, 0 },
	{ "status", "{\"status\":\"ERR\",\"code\":200,\"total\":1,"
	    "\"data\":[{}]}", 1, 0, 0 },
	{ "code", "{\"status\":\"OK\",\"code\":500,\"total\":1,"
	    "\"data\":[{}]}", 1, 0, 0 },
	{ "code-real", "{\"status\":\"OK\",\"code\":200.0,\"total\":1,"
	    "\"data\":[{\"id\":1}]}", 1, 0, 1 },
	{ "total", "{\"status\":\"OK\",\"code\":200,\"total\":2,"
	    "\"data\":[{}]}", 1, 0, 0 },
	{ "short", "{\"status\":\"OK\",\"code\":200,\"total\":1,"
	    "\"data\":[{}]}", 2, 0, 0 },
	{ "no-data", "{\"status\":\"OK\",\"code\":200,\"total\":0}", 0, 0, 0 },
	{ "data-object", "{\"status\":\"OK\",\"code\":200,\"total\":0,"
	    "\"data\":{}}", 0, 0, 0 },
	{ "zero", "{\"status\":\"OK\",\"code\":200,\"total\":0,"
	    "\"data\":[]}", 0, 0, 1 },
	{ "record-array", "{\"status\":\"OK\",\"code\":200,\"total\":1,"
	    "\"data\":[[]]}", 1, 0, 0 },
	{ "trailing", "{\"status\":\"OK\",\"code\":200,\"total\":1,"
	    "\"data\":[{}]} x", 1, 0, 0 },
	{ "two-values", "{\"status\":\"OK\",\"code\":200,\"total\":1,"
	    "\"data\":[{}]}{}", 1, 0, 0 },
	{ "cut", "{\"status\":\"OK\",\"code\":200,\"total\":1,"
	    "\"data\":[{\"id\":1", 1, 0, 0 },
	{ "dup-total", "{\"status\":\"OK\",\"code\":200,\"total\":5,"
	    "\"total\":1,\"data\":[{}]}", 1, 0, 0 },
	{ "extra-members", "{\"locale\":\"it_IT\",\"status\":\"OK\","
	    "\"x\":[1,{\"y\":\"]\"}],\"code\":200,\"total\":1,"
	    "\"data\":[{\"id\":1}]}", 1, 0, 1 },
	{ "seed-number", "{\"status\":\"OK\",\"code\":200,\"seed\":42,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, 1 },
	{ "seed-string", "{\"status\":\"OK\",\"code\":200,\"seed\":\"42\","
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, 1 },
	{ "seed-null", "{\"status\":\"OK\",\"code\":200,\"seed\":null,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, 1 },
	{ "seed-other", "{\"status\":\"OK\",\"code\":200,\"seed\":\"43\","
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, 0 },
	{ "seed-unasked", "{\"status\":\"OK\",\"code\":200,\"seed\":42,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 0, 0 },
	{ "seed-bool", "{\"status\":\"OK\",\"code\":200,\"seed\":true,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, 0 },
	/* v1 (the public source) echoes neither locale nor seed. */
	{ "v1-seeded", "{\"status\":\"OK\",\"code\":200,\"total\":1,"
	    "\"data\":[{\"id\":1}]}", 1, 42, 1 },
	{ "v2", "{\"status\":\"OK\",\"code\":200,\"locale\":\"en_US\","
	    "\"seed\":\"42\",\"total\":1,\"data\":[{\"id\":1}]}", 1, 42, 1 },
	{ "status-escaped", "{\"status\":\"O\\u004b\",\"code\":200,"
	    "\"total\":1,\"data\":[{\"id\":1}]}", 1, 0, 0 },
};

int
main(void)
{
	static const char want[] = "{\"id\":1,\"n\":7001,\"c\":\"x\","
	    "\"m\":1}\n{\"id\":\"u\",\"n\":5,\"c\":7002,\"m\":2}\n";
	char *p, *text = NULL, name[64];
	size_t i, tlen = 0;
	int rc;

	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		p = page(3, recs[i].rec, "");
		rc = both(recs[i].name, p, 3, 0, 7, &specs[recs[i].spec]);
		if (rc >= 0)
			T_OK(rc == (recs[i].fast ? FAST : PUNTED), "split %s: "
			    "%s as expected", recs[i].name, recs[i].fast ?
			    "fast" : "handed to jv");
		free(p);
	}
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		rc = both(bodies[i].name, bodies[i].body, bodies[i].quantity,
		    bodies[i].seed, 3, &specs[USERS]);
		if (rc >= 0)
			T_OK(rc == (bodies[i].fast ? FAST : PUNTED), "split %s: "
			    "%s as expected", bodies[i].name, bodies[i].fast ?
			    "fast" : "handed to jv");
	}
	/* The differential test cannot see a rule both paths got wrong. */
	p = strdup("{\"status\":\"OK\",\"code\":200,\"total\":2,\"data\":["
	    "{\"id\":1,\"n\":1,\"c\":\"x\",\"m\":1},"
	    "{\"id\":\"u\",\"n\":5,\"c\":2,\"m\":2}]}");
	T_OK(fetch_split(p, strlen(p), 2, 0, 7, &specs[CUSTOM], 8, &text,
	    &tlen) == 2 && tlen == strlen(want) && memcmp(text, want, tlen) == 0,
	    "custom counters run-wide, nothing else changed");
	free(text);
	free(p);
	/* A full page late in a long run: ids in the millions. */
	p = page(1000, recs[0].rec, "\"locale\":\"it_IT\",\"seed\":\"9\",");
	snprintf(name, sizeof(name), "1000 users, k=123456");
	T_OK(both(name, p, 1000, 9, 123456, &specs[USERS]) == FAST,
	    "a big page goes fast");
	free(p);
	T_DONE();
}
