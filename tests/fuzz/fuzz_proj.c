/*
 * fuzz_proj.c: differential libFuzzer target for fk-shape's projection
 * fast path (cmd/shape/program/proj.c) against libjq.
 *
 * The input drives a generator of JSON records (unicode, escapes, big,
 * negative and exponent numbers, nulls, duplicate and missing keys,
 * nesting, envelopes, values that are not objects) and picks one of a
 * fixed set of programs in the fast path's grammar, or now and then makes
 * a program of its own.  Each record the scanner accepts goes both ways:
 * if the fast path takes it, libjq must give the same rows (same dump,
 * byte for byte) and no error, and the rows must come out of --hash,
 * --mask-ip and --drop, the schema check and the NDJSON and CSV encoders
 * as the same bytes and the same messages.  A program the recogniser
 * takes must compile in libjq.  Any difference aborts.
 *
 *   tests/fuzz/run.sh SECONDS fuzz_proj
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <jv.h>

#include "buf.h"
#include "scan.h"
#include "shape/check/flat.h"
#include "shape/check/infer.h"
#include "shape/check/pii.h"
#include "shape/check/schema.h"
#include "shape/program/filter.h"
#include "shape/program/proj.h"
#include "shape/write/csv.h"
#include "shape/write/ndjson.h"

static const char *const programs[] = {
	/* examples/users.jq */
	"# users.jq\n(if type == \"object\" and has(\"data\") then .data[] "
	"else . end)\n| {\n\tid,\n\tuuid,\n\tfirst_name: .firstname,\n"
	"\tlast_name: .lastname,\n\tusername,\n\temail,\n\tip,\n"
	"\tmac_address: .macAddress,\n\twebsite\n}\n",
	"{a, b: .b.a, \"c d\": .\"x y\", n: {id, e: .e.a.b}}",
	".data[] | {a, id, b: .b, ip}",
	".data[]",
	"{a: .a.a, b: .a.b, a: .b}",
	"{id: .id, d: .data, email}",
	"if type == \"object\" and has(\"a\") then .a[] else . end | "
	"{id, x: .a.b}",
	"{}",
	"{e: .e, x: .\"x y\".a, \"\": .\"c d\"}",
	".a[] | {b, c: {d: .a}}",
	"{i: .id, f: .firstname, ip, email, a}",
	".",
	".a",
	"{ip: .a, email: .b, a: .ip}",
};
#define NPROG (sizeof(programs) / sizeof(programs[0]))

static struct filter *jqs[NPROG];
static struct proj_exec *pxs[NPROG];
static struct pii *pii;
static unsigned long nvalues, nfast, nflat;	/* FUZZ_PROJ_STATS=1 prints */

/* ---- the input as a stream of choices ------------------------------- */

struct src {
	const uint8_t *p;
	size_t n, i;
	uint64_t x;		/* after the input: xorshift from its hash */
};

static unsigned
pick(struct src *r, unsigned k)
{
	if (r->i < r->n)
		return r->p[r->i++] % k;
	r->x ^= r->x << 13;
	r->x ^= r->x >> 7;
	r->x ^= r->x << 17;
	return (unsigned)(r->x >> 32) % k;
}

/* Short inputs still make full records: the rest comes from a PRNG. */
static void
src_init(struct src *r, const uint8_t *p, size_t n)
{
	size_t i;

	r->p = p;
	r->n = n;
	r->i = 0;
	r->x = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < n; i++)
		r->x = (r->x ^ p[i]) * 0x100000001b3ull;
	if (r->x == 0)
		r->x = 1;
}

static void
put(struct fk_buf *b, const char *s)
{
	if (fk_buf_add(b, s, strlen(s)) == -1)
		abort();
}

static void
blank(struct src *r, struct fk_buf *b)
{
	static const char *const ws[] = { "", "", "", " ", "\n", "\t ", "\r\n" };

	put(b, ws[pick(r, sizeof(ws) / sizeof(ws[0]))]);
}

static const char *const keys[] = {
	"a", "b", "data", "x y", "e", "\\u0061",	/* these nest */
	"id", "c d", "i\\u0064", "firstname", "ip", "email", "", "\\u00e9",
	"\\\"", "A"
};

static const char *const numbers[] = {
	"0", "-0", "1", "-1", "1.0", "1e2", "1E+2", "-1.5e-7", "0.1",
	"12345678901234567890", "9007199254740993", "1e400", "-1e-400",
	"3.141592653589793238462643383279", "100000000000000000000000000000"
	"0000000000000000000000000000000000000000",
	"12345678901234567890123456789012345678901234567890123456789012",
	"4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
	"-123", "7", "0e0", "-0.0"
};

static const char *const pieces[] = {
	"a", "é", "😀", "\\u00e9", "\\ud83d\\ude00", "\\n", "\\\"", "\\\\",
	"\\/", "\\u0000", "\\u0061", "x y", "\\t", "\\b\\f\\r", "10.1.2.3",
	"::1", "a@b.c", "中文", "\\u2028", "\\uDBFF\\uDFFF"
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void gen_value(struct src *r, struct fk_buf *b, int depth);
static void gen_object(struct src *r, struct fk_buf *b, int depth);
static void gen_array(struct src *r, struct fk_buf *b, int depth);

static void
gen_string(struct src *r, struct fk_buf *b)
{
	unsigned i, n = pick(r, 4);

	put(b, "\"");
	for (i = 0; i < n; i++)
		put(b, pieces[pick(r, N(pieces))]);
	put(b, "\"");
}

/*
 * A member's value: the first keys mostly hold objects (or envelopes),
 * the others scalars, so that programs find what they index and pick.
 */
static void
gen_member(struct src *r, struct fk_buf *b, int depth, int nest)
{
	unsigned k = pick(r, 4);

	if (depth > 5 || k == 3)
		gen_value(r, b, depth > 5 ? 6 : depth);
	else if (nest && k < 2)
		gen_object(r, b, depth);
	else if (nest)
		gen_array(r, b, depth);
	else if (k == 0)
		put(b, numbers[pick(r, N(numbers))]);
	else
		gen_string(r, b);
}

static void
gen_object(struct src *r, struct fk_buf *b, int depth)
{
	unsigned i, k, n = pick(r, 7);

	put(b, "{");
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(b, ",");
		blank(r, b);
		k = pick(r, N(keys));
		put(b, "\"");
		put(b, keys[k]);
		put(b, "\"");
		blank(r, b);
		put(b, ":");
		blank(r, b);
		gen_member(r, b, depth + 1, k < 6);
		blank(r, b);
	}
	put(b, "}");
}

static void
gen_array(struct src *r, struct fk_buf *b, int depth)
{
	unsigned i, n = pick(r, 5);

	put(b, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(b, ",");
		blank(r, b);
		/* Envelopes hold objects, mostly. */
		if (pick(r, 4) != 0)
			gen_object(r, b, depth + 1);
		else
			gen_value(r, b, depth + 1);
	}
	put(b, "]");
}

static void
gen_value(struct src *r, struct fk_buf *b, int depth)
{
	unsigned k = pick(r, 10);

	if (depth > 5 && k >= 6)
		k = 0;
	switch (k) {
	case 0:
		put(b, "null");
		break;
	case 1:
		put(b, pick(r, 2) ? "true" : "false");
		break;
	case 2:
	case 3:
		put(b, numbers[pick(r, N(numbers))]);
		break;
	case 4:
	case 5:
		gen_string(r, b);
		break;
	case 6:
	case 7:
	case 8:
		gen_object(r, b, depth);
		break;
	default:
		gen_array(r, b, depth);
		break;
	}
}

/* ---- programs of its own --------------------------------------------- */

static const char *const bits[] = {
	".a", ".b", ".id", ".\"x y\"", ".a.b", ".data", "{", "}", ",", ":",
	"a", "id", "\"c d\"", "|", ".data[]", " ", "#c\n", "?", "[0]", ".",
	"..", "if", "(", ")", ".a[]", "\"\"", "ip", "email", ". a", "{a:", "}"
};

/*
 * A program text: mostly grammar-shaped, sometimes just off it.  The
 * recogniser must accept only what libjq compiles.
 */
static void
gen_program(struct src *r, struct fk_buf *b)
{
	unsigned i, n = 1 + pick(r, 12);

	if (pick(r, 2))
		put(b, "{");
	for (i = 0; i < n; i++)
		put(b, bits[pick(r, N(bits))]);
	if (pick(r, 2))
		put(b, "}");
}

/* ---- both paths ------------------------------------------------------ */

static void
same_text(const char *a, const char *b)
{
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "fast path: %s\nlibjq:     %s\n", a, b);
		abort();
	}
}

static void
same_jv(jv a, jv b)
{
	jv da = jv_dump_string(jv_copy(a), 0), db = jv_dump_string(jv_copy(b),
	    0);

	same_text(jv_string_value(da), jv_string_value(db));
	jv_free(da);
	jv_free(db);
}

/* One row's encodings on schema s (as NDJSON and CSV), into out. */
static void
encode(const struct schema *s, jv canon, struct fk_buf *out)
{
	struct fk_buf tmp = { 0 };
	struct fk_err e;
	struct csv *c;
	int nl = 0;

	if (ndjson_row(s, canon, out) == -1)
		put(out, "<ndjson refused>");
	c = csv_new(s, &e);
	if (c != NULL && csv_row(c, canon, out, &tmp, &nl) == -1)
		put(out, "<csv refused>");
	csv_free(c);
	fk_buf_free(&tmp);
}

/* Row (borrowed) through the schema check and encoders alone, in out. */
static void
canonical(jv row, const struct schema *s, struct fk_buf *out)
{
	struct schema_cerr ce;
	jv canon;

	memset(&ce, 0, sizeof(ce));
	if (jv_get_kind(row) != JV_KIND_OBJECT) {
		put(out, "<not an object>");
	} else if (schema_coerce(s, row, SCHEMA_CO_THREAD_KEYS, NULL, &canon,
	    &ce) == -1) {
		put(out, "schema: ");
		put(out, ce.path);
		put(out, ce.reason);
	} else {
		encode(s, canon, out);
		jv_free(canon);
	}
}

/*
 * What the stages after the program make of row (consumed): PII, the
 * schema check, the encoders; all of it, messages too, in out.
 */
static void
downstream(jv row, const struct schema *s, struct fk_buf *out)
{
	struct schema_cerr ce;
	struct pii_state *st;
	struct fk_err e;

	memset(&ce, 0, sizeof(ce));
	st = pii_state_new(pii, &e);
	if (st == NULL)
		abort();
	if (jv_get_kind(row) == JV_KIND_OBJECT &&
	    pii_apply(st, row, &row, &ce) == -1) {
		put(out, "pii: ");
		put(out, ce.path);
		put(out, ce.reason);
	} else if (s != NULL && jv_get_kind(row) == JV_KIND_OBJECT) {
		canonical(row, s, out);
	}
	jv_free(row);
	pii_state_free(st);
}

/* libjq's rows for the value v (consumed); -1 if the program failed. */
static int
by_libjq(struct filter *q, jv v, jv *rows, size_t max, size_t *n)
{
	char why[512];
	jv out;
	int r;

	*n = 0;
	filter_start(q, v);
	while ((r = filter_next(q, &out, why, sizeof(why))) == 1) {
		if (*n < max)
			rows[(*n)++] = out;
		else
			jv_free(out);
	}
	return r;
}


/*
 * Row i of a value as text (m members at kv), through --drop, --mask-ip
 * and --hash when st is set, as a flat row encoded into out; 1 when the
 * text path leaves it to the canonical one.
 */
static int
flat_text(const struct schema *sc, const struct proj_kv *kv, size_t m,
    struct pii_state *st, struct fk_buf *out)
{
	static char buf[64 * PII_TEXT_MAX];
	struct proj_kv row[64];
	struct flat_val fv[64];
	struct fk_err e;
	struct csv *c;
	int nl = 0;

	if (m > 64)
		return 1;
	memcpy(row, kv, m * sizeof(*kv));
	if (st != NULL && pii_apply_text(st, row, &m, buf) != 0)
		return 1;
	if (flat_row(sc, row, m, fv) != 0)
		return 1;
	c = csv_new(sc, &e);
	if (c == NULL || ndjson_flat_row(sc, fv, out) == -1 ||
	    csv_flat_row(c, fv, out, &nl) == -1)
		abort();
	csv_free(c);
	return 0;
}

/*
 * The text path (proj_run_text, pii_apply_text, flat_row, the flat
 * encoders) on the same value, without and with the PII options: every
 * row it takes must encode as the canonical path encodes libjq's row
 * want[i], and the canonical path must take it too.
 */
static void
compare_flat(struct proj_exec *px, const char *s, size_t len, jv *want,
    size_t n, const struct schema *sc)
{
	const struct proj_kv *kv;
	const size_t *end;
	struct fk_buf a = { 0 }, b = { 0 };
	struct pii_state *st;
	struct schema_cerr ce;
	struct fk_err e;
	size_t i, nr, from;
	int k;
	jv r;

	if (sc->nfields > 64 || proj_run_text(px, s, len, &kv, &end, &nr))
		return;
	if (nr != n) {
		fprintf(stderr, "text path: %zu rows, libjq: %zu\n", nr, n);
		abort();
	}
	st = pii_state_new(pii, &e);
	if (st == NULL)
		abort();
	for (k = 0; k < 2; k++) {
		for (i = 0; i < n; i++) {
			from = i ? end[i - 1] : 0;
			if (flat_text(sc, kv + from, end[i] - from,
			    k ? st : NULL, &a) != 0)
				continue;
			nflat++;
			r = jv_copy(want[i]);
			memset(&ce, 0, sizeof(ce));
			if (k && pii_apply(st, r, &r, &ce) == -1)
				put(&b, "pii failed");
			else
				canonical(r, sc, &b);
			jv_free(r);
			same_text(a.len ? a.p : "", b.len ? b.p : "");
			fk_buf_reset(&a);
			fk_buf_reset(&b);
		}
	}
	pii_state_free(st);
	fk_buf_free(&a);
	fk_buf_free(&b);
}

static void
compare(struct filter *q, struct proj_exec *px, const char *s, size_t len,
    struct schema *inferred, int *have)
{
	jv want[64], *got, v;
	size_t i, n, ngot;
	struct fk_buf a = { 0 }, b = { 0 };
	struct schema_cerr ce;

	v = jv_parse_sized(s, (int)len);
	if (!jv_is_valid(v))
		abort();	/* what the scanner takes, jq 1.6 parses */
	nvalues++;
	if (proj_run(px, s, len, &got, &ngot) != 0) {
		jv_free(v);
		return;		/* left to libjq: nothing to compare */
	}
	nfast++;
	if (by_libjq(q, v, want, 64, &n) == -1 || n != ngot) {
		fprintf(stderr, "fast path: %zu rows, libjq: %zu or an "
		    "error\n", ngot, n);
		abort();
	}
	for (i = 0; i < n; i++)
		if (!*have && jv_get_kind(want[i]) == JV_KIND_OBJECT &&
		    infer_one(want[i], inferred, &ce) == 0)
			*have = 1;
	if (*have && flat_schema(inferred))
		compare_flat(px, s, len, want, n, inferred);
	for (i = 0; i < n; i++) {
		same_jv(got[i], want[i]);
		downstream(got[i], *have ? inferred : NULL, &a);
		downstream(want[i], *have ? inferred : NULL, &b);
		same_text(a.len ? a.p : "", b.len ? b.p : "");
		fk_buf_reset(&a);
		fk_buf_reset(&b);
	}
	fk_buf_free(&a);
	fk_buf_free(&b);
}

/* A program of the input's own: recognised only if libjq compiles it. */
static void
own_program(struct src *r, const char *recs, size_t len)
{
	struct fk_buf text = { 0 };
	struct proj_exec *px;
	struct filter *q;
	struct proj *pj;
	struct fk_err e;
	struct schema inferred;
	struct fk_scan sc;
	size_t pos = 0;
	int have = 0, k = 0;
	jv args;

	gen_program(r, &text);
	pj = proj_new(text.p);
	if (pj == NULL) {
		fk_buf_free(&text);
		return;
	}
	args = jv_object();
	q = filter_new(text.p, args, &e);
	jv_free(args);
	if (q == NULL) {
		fprintf(stderr, "recognised, but libjq refuses: %s\n%s\n",
		    text.p, e.msg);
		abort();
	}
	px = proj_exec_new(pj);
	memset(&inferred, 0, sizeof(inferred));
	fk_scan_init(&sc);
	while (px != NULL && k++ < 16 &&
	    fk_scan_next(&sc, recs, len, &pos) == FK_SCAN_VALUE)
		compare(q, px, recs + sc.start, pos - sc.start, &inferred,
		    &have);
	if (have)
		schema_free(&inferred);
	proj_exec_free(px);
	filter_free(q);
	proj_free(pj);
	fk_buf_free(&text);
}

/*
 * jq 1.6 keeps a state's stack by its end pointer, which LeakSanitizer
 * takes for a leak at exit: free the states first.
 */
static void
done(void)
{
	size_t i;

	for (i = 0; i < NPROG; i++)
		filter_free(jqs[i]);
	if (getenv("FUZZ_PROJ_STATS") != NULL)
		fprintf(stderr, "fuzz_proj: %lu values, %lu by the fast "
		    "path, %lu rows by the text path\n", nvalues, nfast,
		    nflat);
	/* Comparing libjq with itself proves nothing: fail the run. */
	if (nvalues > 100 && nfast == 0) {
		fprintf(stderr, "fuzz_proj: %lu values, none by the fast "
		    "path\n", nvalues);
		_exit(1);
	}
	if (nfast > 1000 && nflat == 0) {
		fprintf(stderr, "fuzz_proj: %lu values by the fast path, no "
		    "row by the text path\n", nfast);
		_exit(1);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct proj *pj;
	struct fk_err e;
	size_t i;
	jv args;

	(void)argc;
	(void)argv;
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	pii = pii_new();
	pii_add(pii, PII_DROP, "b.a", &e);
	pii_add(pii, PII_MASK_IP, "ip,a", &e);
	pii_add(pii, PII_HASH, "email,id", &e);
	pii_set_key(pii, "fuzz", 4, &e);
	atexit(done);
	args = jv_object();
	for (i = 0; i < NPROG; i++) {
		jqs[i] = filter_new(programs[i], args, &e);
		pj = proj_new(programs[i]);
		/* Every fixed program is in the grammar ('.' runs none). */
		if (jqs[i] == NULL || pj == NULL)
			abort();
		pxs[i] = proj_exec_new(pj);	/* pj is kept: see below */
		if (pxs[i] == NULL)
			abort();
	}
	jv_free(args);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src r;
	struct fk_buf recs = { 0 };
	struct schema inferred;
	struct fk_scan sc;
	unsigned prog, i, nrec;
	size_t pos = 0;
	int have = 0, k = 0;

	src_init(&r, data, size);
	/* Compiling a program costs libjq far more than running one. */
	prog = pick(&r, 256);
	prog = prog == 255 ? NPROG : prog % NPROG;
	nrec = 1 + pick(&r, 6);
	for (i = 0; i < nrec; i++) {
		if (pick(&r, 8) == 0)
			gen_value(&r, &recs, 0);
		else if (pick(&r, 4) == 0)
			gen_array(&r, &recs, 0);	/* a top-level array */
		else
			gen_object(&r, &recs, 0);
		put(&recs, "\n");
	}
	memset(&inferred, 0, sizeof(inferred));
	fk_scan_init(&sc);
	while (prog < NPROG && k++ < 16 && fk_scan_next(&sc, recs.p,
	    recs.len, &pos) == FK_SCAN_VALUE)
		compare(jqs[prog], pxs[prog], recs.p + sc.start,
		    pos - sc.start, &inferred, &have);
	if (prog == NPROG)
		own_program(&r, recs.p, recs.len);
	if (have)
		schema_free(&inferred);
	fk_buf_free(&recs);
	schema_thread_done();
	return 0;
}
