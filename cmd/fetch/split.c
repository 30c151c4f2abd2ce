/*
 * split.c: pages checked and rendered on their bytes (see split.h).
 *
 * Two passes: lib/scan.c proves the body is strict RFC 8259 with valid
 * UTF-8 (so jq would neither refuse it nor replace a byte of it), then a
 * walker that trusts that syntax reads the envelope and copies each
 * record out the way jq 1.6's jv_dumpf(rec, f, 0) would print it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "jtext.h"
#include "plan.h"
#include "scan.h"
#include "split.h"

#define PUNT (-2)
#define MAXKEYS 64	/* keys per object checked for repeats; more: punt */

struct out {
	char *p;
	size_t len, cap;
	int err;	/* -1 out of memory, PUNT: the jv path must do it */
	const char *end;	/* of the page's body */
};

/* Room for n more bytes; -1 (o->err set) when memory runs out. */
static int
grow(struct out *o, size_t n)
{
	size_t want = o->cap ? o->cap : 4096;
	char *p;

	while (o->len + n > want)
		want *= 2;
	p = realloc(o->p, want);
	if (p == NULL) {
		o->err = -1;
		return -1;
	}
	o->p = p;
	o->cap = want;
	return 0;
}

/* put and put1 run for every token: the check for room is all they do. */
static inline void
put(struct out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n && grow(o, n) == -1)
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static inline void
put1(struct out *o, char c)
{
	if (o->len == o->cap && grow(o, 1) == -1)
		return;
	o->p[o->len++] = c;
}

/* One code point as jq's string dumper writes it. */
static void
put_cp(struct out *o, unsigned int c)
{
	char b[16];

	if (c >= 0x20 && c <= 0x7e) {
		if (c == '"' || c == '\\')
			put1(o, '\\');
		put1(o, (char)c);
	} else if (c < 0x20 || c == 0x7f) {
		switch (c) {
		case '\b': put(o, "\\b", 2); break;
		case '\t': put(o, "\\t", 2); break;
		case '\r': put(o, "\\r", 2); break;
		case '\n': put(o, "\\n", 2); break;
		case '\f': put(o, "\\f", 2); break;
		default:
			snprintf(b, sizeof(b), "\\u%04x", c);
			put(o, b, 6);
		}
	} else {
		put(o, b, fk_utf8_put(b, c));
	}
}

/* p just past a backslash: the escape decoded and re-escaped jq's way. */
static const char *
put_escape(struct out *o, const char *p)
{
	unsigned int c;

	switch (*p) {
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'u':
		c = (unsigned int)fk_jtext_hex4(p + 1);
		p += 4;
		/* The scanner let a high surrogate through only paired. */
		if (c >= 0xd800 && c <= 0xdbff) {
			c = 0x10000 + ((c - 0xd800) << 10) +
			    ((unsigned int)fk_jtext_hex4(p + 3) - 0xdc00);
			p += 6;
		}
		break;
	default: c = (unsigned char)*p; break;	/* " \ / */
	}
	put_cp(o, c);
	return p + 1;
}

/* Bytes that end a plain run in a string (the scanner proved the rest). */
static const unsigned char stop[256] = { ['"'] = 1, ['\\'] = 1, [0x7f] = 1 };

/* The string at p, re-escaped; returns just past it. */
static const char *
put_string(struct out *o, const char *p)
{
	const char *run = p;

	for (p++; ; ) {
		while (!stop[(unsigned char)*p])
			p++;
		if (*p == '"')
			break;
		put(o, run, (size_t)(p - run));
		if (*p == 0x7f)
			put_cp(o, 0x7f), p++;
		else
			p = put_escape(o, p + 1);
		run = p;
	}
	/* The quotes go with the run: most strings are one copy. */
	put(o, run, (size_t)(p + 1 - run));
	return p + 1;
}

static int
digits(const char **p)
{
	int n = 0;

	while (**p >= '0' && **p <= '9')
		(*p)++, n++;
	return n;
}

/*
 * How many bytes of the number [s, e) jq prints, or 0 when it prints
 * something else.  jq 1.6 prints a double's shortest round-trip digits:
 * for at most 15 significant digits (which a double keeps exactly) and
 * no exponent, that is the number as written less its trailing fraction
 * zeros and a bare '.' (PHP writes 9009.0, jq 9009).  Exponents, longer
 * numbers, and numbers so small that jq switches to an exponent: 0.  jq
 * 1.6 switches below 0.0001, after three zeros (0.000239 stays, 0.00001
 * is 1e-05): a FakerAPI latitude within 0.001 of the equator is about 1
 * in 90,000, so one page in a hundred has one.
 */
static size_t
canonical(const char *s, const char *e)
{
	const char *p = s, *f = NULL, *end;
	int ni, nf = 0, lead = 0, zero;

	if (*p == '-')
		p++;
	zero = *p == '0';
	ni = digits(&p);
	if (*p == '.') {
		f = ++p;
		digits(&p);
	}
	if (p != e)
		return 0;
	end = e;
	if (f != NULL) {
		while (end > f && end[-1] == '0')
			end--;
		nf = (int)(end - f);
		if (nf == 0)
			end = f - 1;	/* 9009.0: no '.' either */
		while (zero && lead < nf && f[lead] == '0')
			lead++;
	}
	if (ni > 15 || lead > 3)
		return 0;
	return (zero ? nf - lead : ni + nf) <= 15 ? (size_t)(end - s) : 0;
}

static const char *put_value(struct out *o, const char *p);

/* Keys [k[i], k[i] + n[i]) of one object: is the one at p new? */
struct keys {
	const char *k[MAXKEYS];
	size_t n[MAXKEYS];
	int count;
};

/* p at a key: its bytes (no escape allowed) noted, or a punt. */
static const char *
key(struct out *o, struct keys *ks, const char *p, size_t *klen)
{
	const char *e = p + 1;
	size_t n;
	int i, esc = 0;

	while (!stop[(unsigned char)*e])
		e++;
	n = (size_t)(e - p - 1);
	if (*e != '"' || ks->count == MAXKEYS) {
		o->err = PUNT;	/* an escape or DEL: jq's key may differ */
		return fk_jtext_str(p + 1, o->end, &esc);
	}
	e++;
	for (i = 0; i < ks->count; i++)
		if (ks->n[i] == n && memcmp(ks->k[i], p + 1, n) == 0) {
			/* jq keeps the last value at the first place. */
			o->err = PUNT;
			return e;
		}
	ks->k[ks->count] = p + 1;
	ks->n[ks->count++] = n;
	*klen = n;
	put(o, p, n + 2);
	return e;
}

struct rec {
	const struct fetch_spec *sp;
	uint64_t k;
	long long pos;
};

/*
 * The rule of counter.h, as page.c applies it to jv: a counter field of
 * the spec whose value is the number pos + 1 (the key has no escapes
 * and is not repeated, or the page went the jv way).
 */
static int
is_counter(const struct rec *r, const char *key, size_t klen,
    const char *val, const char *lim, const char **end)
{
	const struct fetch_spec *sp = r->sp;
	size_t i;

	/* Only a counter's value is measured: most members are not. */
	for (i = 0; i < sp->ncounters; i++)
		if (strlen(sp->counters[i]) == klen &&
		    memcmp(sp->counters[i], key, klen) == 0) {
			*end = fk_jtext_value(val, lim);
			return fetch_counter_token(val, (size_t)(*end - val),
			    r->pos);
		}
	return 0;
}

/* A counter's new value, as jq prints a double (exact below 2^53). */
static void
put_id(struct out *o, const struct rec *r)
{
	long long id = fetch_id(r->k, r->pos);
	char b[32];

	if (id >= (1LL << 53)) {
		o->err = PUNT;
		return;
	}
	put(o, b, (size_t)snprintf(b, sizeof(b), "%lld", id));
}

/* The object at p; r (top level of a record only) renumbers counters. */
static const char *
put_object(struct out *o, const char *p, const struct rec *r)
{
	struct keys ks;
	const char *k, *v, *ve;
	size_t klen = 0;

	ks.count = 0;
	put1(o, '{');
	p = fk_jtext_ws(p + 1, o->end);
	while (*p != '}' && !o->err) {
		k = p;
		p = fk_jtext_ws(key(o, &ks, p, &klen), o->end);
		put1(o, ':');
		v = fk_jtext_ws(p + 1, o->end);
		if (r != NULL && is_counter(r, k + 1, klen, v, o->end, &ve)) {
			put_id(o, r);
			p = fk_jtext_ws(ve, o->end);
		} else
			p = fk_jtext_ws(put_value(o, v), o->end);
		if (*p == ',') {
			put1(o, ',');
			p = fk_jtext_ws(p + 1, o->end);
		}
	}
	put1(o, '}');
	return p + 1;
}

static const char *
put_array(struct out *o, const char *p)
{
	put1(o, '[');
	p = fk_jtext_ws(p + 1, o->end);
	while (*p != ']' && !o->err) {
		p = fk_jtext_ws(put_value(o, p), o->end);
		if (*p == ',') {
			put1(o, ',');
			p = fk_jtext_ws(p + 1, o->end);
		}
	}
	put1(o, ']');
	return p + 1;
}

static const char *
put_value(struct out *o, const char *p)
{
	const char *e;
	size_t n;

	switch (*p) {
	case '"': return put_string(o, p);
	case '{': return put_object(o, p, NULL);
	case '[': return put_array(o, p);
	default: break;
	}
	e = fk_jtext_value(p, o->end);
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		if ((n = canonical(p, e)) == 0)
			o->err = PUNT;
		else
			put(o, p, n);
	} else
		put(o, p, (size_t)(e - p));
	return e;
}

/* The envelope members the check needs: [start, end) of each value. */
struct env {
	const char *status, *code, *total, *data, *seed;
	const char *status_e, *code_e, *total_e, *seed_e;
};

/* A number token that is exactly the integer want. */
static int
number_is(const char *s, const char *e, double want)
{
	char b[64];
	size_t n = (size_t)(e - s);

	if (n == 0 || n >= sizeof(b) || !(*s == '-' || (*s >= '0' &&
	    *s <= '9')))
		return 0;
	memcpy(b, s, n);
	b[n] = '\0';
	return strtod(b, NULL) == want;
}

/*
 * The data array at p, each record rendered on a line of its own; just
 * past the array.  r->pos counts the records.
 */
static const char *
records(struct out *o, struct rec *r, const char *p)
{
	p = fk_jtext_ws(p + 1, o->end);
	for (; *p != ']' && !o->err; r->pos++) {
		if (*p != '{') {
			o->err = PUNT;
			return p;
		}
		p = fk_jtext_ws(put_object(o, p, r), o->end);
		put1(o, '\n');
		if (*p == ',')
			p = fk_jtext_ws(p + 1, o->end);
	}
	return p + 1;
}

/*
 * Read the envelope's members, rendering the records as data goes by (a
 * second walk over the page would cost a sixth of the time); 0, or PUNT
 * (repeats, escaped keys, data not an array).
 */
static int
envelope(const char *p, struct env *v, struct out *o, struct rec *r)
{
	static const char *const names[] = { "status", "code", "total",
	    "data", "seed" };
	const char **slot[5] = { &v->status, &v->code, &v->total, &v->data,
	    &v->seed };
	const char **end[5] = { &v->status_e, &v->code_e, &v->total_e, NULL,
	    &v->seed_e };
	const char *k, *ke;
	size_t i, n;
	int esc = 0;

	memset(v, 0, sizeof(*v));
	if (*p != '{')
		return PUNT;
	for (p = fk_jtext_ws(p + 1, o->end); *p == '"'; ) {
		k = p + 1;
		esc = 0;
		ke = fk_jtext_str(k, o->end, &esc);
		n = (size_t)(ke - k - 1);
		if (esc)
			return PUNT;
		p = fk_jtext_ws(fk_jtext_ws(ke, o->end) + 1, o->end);
		for (i = 0; i < 5; i++)
			if (strlen(names[i]) == n && memcmp(k, names[i], n) == 0)
				break;
		if (i < 5 && *slot[i] != NULL)
			return PUNT;
		if (i < 5)
			*slot[i] = p;
		if (i == 3 && *p == '[')
			p = records(o, r, p);
		else
			p = fk_jtext_value(p, o->end);
		if (o->err)
			return o->err;
		if (i < 5 && end[i] != NULL)
			*end[i] = p;
		p = fk_jtext_ws(p, o->end);
		if (*p == ',')
			p = fk_jtext_ws(p + 1, o->end);
	}
	return 0;
}

/* The checks of check.c, on the members; 0 or PUNT. */
static int
envelope_ok(const struct env *v, long n, int quantity, uint32_t seed)
{
	char want[16];
	size_t wl;

	if (v->status == NULL || v->code == NULL || v->total == NULL ||
	    v->data == NULL || *v->data != '[')
		return PUNT;
	if (v->status_e - v->status != 4 || memcmp(v->status, "\"OK\"", 4))
		return PUNT;
	if (!number_is(v->code, v->code_e, 200) ||
	    !number_is(v->total, v->total_e, (double)n) || n != quantity)
		return PUNT;
	if (v->seed == NULL || (v->seed_e - v->seed == 4 &&
	    memcmp(v->seed, "null", 4) == 0))
		return 0;
	if (seed == 0)
		return PUNT;
	wl = (size_t)snprintf(want, sizeof(want), "%lu", (unsigned long)seed);
	if (*v->seed == '"')
		return (size_t)(v->seed_e - v->seed) == wl + 2 &&
		    memcmp(v->seed + 1, want, wl) == 0 ? 0 : PUNT;
	return number_is(v->seed, v->seed_e, (double)seed) ? 0 : PUNT;
}

/* Strict syntax, one value, a NUL after it (the body buffer has one). */
static int
valid(const char *body, size_t len)
{
	struct fk_scan s;
	size_t pos = 0;

	if (body[len] != '\0' || memchr(body, '\0', len) != NULL)
		return 0;
	fk_scan_init(&s);
	if (fk_scan_next(&s, body, len, &pos) == FK_SCAN_MORE)
		return fk_scan_eof(&s) == FK_SCAN_VALUE;
	if (s.start != (size_t)(fk_jtext_ws(body, body + len) - body))
		return 0;
	return fk_scan_next(&s, body, len, &pos) == FK_SCAN_MORE &&
	    fk_scan_eof(&s) == FK_SCAN_MORE;
}

long
fetch_split(const char *body, size_t len, int quantity, uint32_t seed,
    uint64_t k, const struct fetch_spec *sp, size_t hint,
    char **text, size_t *tlen)
{
	struct out o = { NULL, 0, 0, 0, NULL };
	struct rec r = { sp, k, 0 };
	struct env v;

	*text = NULL;
	*tlen = 0;
	if (body == NULL || !valid(body, len))
		return PUNT;
	o.end = body + len;
	body = fk_jtext_ws(body, o.end);
	if (*body != '{')
		return PUNT;
	grow(&o, hint);
	if (!o.err)
		o.err = envelope(body, &v, &o, &r);
	if (!o.err)
		o.err = envelope_ok(&v, (long)r.pos, quantity, seed);
	if (o.err) {
		free(o.p);
		return o.err;
	}
	*text = o.p;
	*tlen = o.len;
	return (long)r.pos;
}
