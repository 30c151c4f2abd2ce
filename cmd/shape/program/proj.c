/*
 * proj.c: projection programs without libjq (see proj.h).
 *
 * The grammar, strict on purpose (anything else is libjq's):
 *
 *   program := unwrap [ '|' value ] | value
 *   unwrap  := PATH '[]'
 *            | [ '(' ] 'if' 'type' '==' "object" 'and' 'has' '(' STRING ')'
 *              'then' '.' NAME '[]' 'else' '.' 'end' [ ')' ]
 *              (NAME is the STRING of has)
 *   value   := PATH | '{' [ member { ',' member } ] '}'
 *   member  := IDENT [ ':' value ] | STRING ':' value
 *   PATH    := '.' | step { step }      step := '.' IDENT | '.' STRING
 *
 * IDENT is [A-Za-z_][A-Za-z0-9_]* and no jq keyword; STRING has no
 * backslash and no control character.  The steps of a PATH and its '[]'
 * are written together, without blanks.  Blanks are space, tab, newline
 * and '#' comments to the end of the line (without a backslash or CR).
 *
 * A worker runs the program over the input text: each object on the way
 * is scanned once for the keys the program names (the last of duplicate
 * keys wins, as in jq), and the output row is built from those values
 * alone.  Strings are decoded as jq decodes them, numbers read with
 * strtod (correctly rounded, as jq 1.6's own), objects and arrays that
 * are picked whole (the identity `.` picks the whole value) built member
 * by member as libjq's parser builds them.  A value goes to libjq
 * instead when the program would raise an error on it (the input is not
 * an object, a non-object is indexed, the unwrapped field is not an
 * array, an element is neither object nor null), or when a picked number
 * is longer than 63 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jtext.h"
#include "shape/program/proj.h"

/* ---- the program ----------------------------------------------------- */

/*
 * The program is kept in three pools that refer to each other by index
 * (they grow while it is parsed), names and keys in one text.
 */

/* An input field the program names: a node of a trie from the root. */
struct field {
	size_t name, len;	/* in proj.text: the key as jq decodes it */
	int parent;		/* -1 for the root: the value itself */
	int child, next;	/* first child, next sibling; -1: none */
};

enum { E_PATH, E_OBJ };

struct expr {
	int kind;
	int field;		/* E_PATH */
	int first, last;	/* E_OBJ: its members; -1: none */
};

struct member {
	size_t key, len;	/* in proj.text */
	int val;		/* an expr */
	int next;		/* the object's next member, or -1 */
};

enum { U_NONE, U_ITER, U_IF };

struct proj {
	struct fk_buf text;
	struct field *f;	/* f[0] is the root */
	struct expr *e;
	struct member *m;
	int nf, fcap, ne, ecap, nm, mcap;
	int unwrap;		/* U_* */
	int uf;			/* the field unwrapped */
	int body;		/* the expr of the output */
};

/* ---- lexer ----------------------------------------------------------- */

enum { T_END, T_BAD, T_PATH, T_IDENT, T_STR, T_EQ, T_PUNCT };

struct tok {
	int t;
	const char *p;		/* T_PATH: from its '.'; T_STR: inside */
	size_t n;
	int iter;		/* T_PATH ends in [] */
	char c;			/* T_PUNCT */
};

#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && \
    (c) <= 'Z') || (c) == '_')
#define IS_ALNUM(c) (IS_ALPHA(c) || ((c) >= '0' && (c) <= '9'))

/* Blanks and comments; -1 on a byte the grammar leaves to libjq. */
static int
skip_blank(const char **sp)
{
	const char *s = *sp;

	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
		} else if (*s == '#') {
			for (; *s != '\0' && *s != '\n'; s++)
				if (*s == '\\' || *s == '\r')
					return -1;
		} else {
			break;
		}
	}
	*sp = s;
	return 0;
}

/* A string without escapes from s (at its quote); NULL if not one. */
static const char *
lex_str(const char *s, struct tok *t)
{
	const char *p = s + 1;

	for (; *p != '"'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			return NULL;
	t->p = s + 1;
	t->n = (size_t)(p - s - 1);
	return p + 1;
}

/* The step at s (at its '.'); NULL if s holds none. */
static const char *
lex_step(const char *s)
{
	struct tok t;

	if (s[0] != '.')
		return NULL;
	if (s[1] == '"')
		return lex_str(s + 1, &t);
	if (!IS_ALPHA(s[1]))
		return NULL;
	for (s++; IS_ALNUM(*s); s++)
		;
	return s;
}

/* A PATH token from s (at its '.'); NULL if the text is not one. */
static const char *
lex_path(const char *s, struct tok *t)
{
	const char *p = s, *q;

	t->t = T_PATH;
	t->p = s;
	t->iter = 0;
	while ((q = lex_step(p)) != NULL)
		p = q;
	if (p == s)
		p++;		/* '.' alone */
	if (p[0] == '[' && p[1] == ']' && p != s + 1) {
		t->iter = 1;
		p += 2;
	}
	if (*p == '.' || *p == '[' || *p == '?' || *p == '"')
		return NULL;
	t->n = (size_t)(p - s);
	return p;
}

static const char *
lex_one(const char *s, struct tok *t)
{
	const char *p;

	t->t = T_BAD;
	if (*s == '\0') {
		t->t = T_END;
		return s;
	}
	if (*s == '.')
		return lex_path(s, t);
	if (*s == '"') {
		t->t = T_STR;
		return lex_str(s, t);
	}
	if (IS_ALPHA(*s)) {
		for (p = s; IS_ALNUM(*p); p++)
			;
		if (p[0] == ':' && p[1] == ':')
			return NULL;
		t->t = T_IDENT;
		t->p = s;
		t->n = (size_t)(p - s);
		return p;
	}
	if (s[0] == '=' && s[1] == '=') {
		t->t = T_EQ;
		return s + 2;
	}
	if (strchr("{}():,|", *s) != NULL) {
		t->t = T_PUNCT;
		t->c = *s;
		return s + 1;
	}
	return NULL;
}

/* ---- parser ---------------------------------------------------------- */

struct parse {
	const char *s;		/* after the current token */
	struct tok t;		/* the current token */
	struct proj *pj;
	int bad;
};

static void
advance(struct parse *ps)
{
	const char *p;

	if (ps->bad || skip_blank(&ps->s) == -1) {
		ps->bad = 1;
		ps->t.t = T_BAD;
		return;
	}
	p = lex_one(ps->s, &ps->t);
	if (p == NULL || ps->t.t == T_BAD) {
		ps->bad = 1;
		ps->t.t = T_BAD;
		return;
	}
	ps->s = p;
}

static int
is_punct(const struct parse *ps, char c)
{
	return ps->t.t == T_PUNCT && ps->t.c == c;
}

static int
is_ident(const struct parse *ps, const char *w)
{
	return ps->t.t == T_IDENT && ps->t.n == strlen(w) &&
	    memcmp(ps->t.p, w, ps->t.n) == 0;
}

/* Take the current token if it is the punctuation c, else fail. */
static void
want_punct(struct parse *ps, char c)
{
	if (!is_punct(ps, c))
		ps->bad = 1;
	advance(ps);
}

static void
want_ident(struct parse *ps, const char *w)
{
	if (!is_ident(ps, w))
		ps->bad = 1;
	advance(ps);
}

/* jq 1.6's keywords: an object key that is one is libjq's business. */
static int
is_keyword(const char *p, size_t n)
{
	static const char *const kw[] = {
		"as", "def", "module", "import", "include", "if", "then",
		"elif", "else", "end", "reduce", "foreach", "and", "or", "not",
		"try", "catch", "label", NULL
	};
	int i;

	if (n >= 2 && p[0] == '_' && p[1] == '_')
		return 1;
	for (i = 0; kw[i] != NULL; i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], p, n) == 0)
			return 1;
	return 0;
}

/*
 * A name as jq's lexer makes it (jv_string_sized); -1 unless that is
 * the text itself (jq would replace bad UTF-8).
 */
static int
name_ok(const char *p, size_t n)
{
	jv s = jv_string_sized(p, (int)n);
	int ok;

	ok = (size_t)jv_string_length_bytes(jv_copy(s)) == n &&
	    memcmp(jv_string_value(s), p, n) == 0;
	jv_free(s);
	return ok ? 0 : -1;
}

/* Room for one more in a pool; -1: no memory. */
static int
grow(void *pool, int n, int *cap, size_t size)
{
	void **pp = pool, *np;
	int c = *cap ? *cap * 2 : 8;

	if (n < *cap)
		return 0;
	np = realloc(*pp, (size_t)c * size);
	if (np == NULL)
		return -1;
	*pp = np;
	*cap = c;
	return 0;
}

/* p[0..n) added to the text: its offset, or -1 with ps->bad. */
static long
text_add(struct parse *ps, const char *p, size_t n)
{
	size_t off = ps->pj->text.len;

	if (fk_buf_add(&ps->pj->text, p, n) == -1) {
		ps->bad = 1;
		return -1;
	}
	return (long)off;
}

/* The child of field f named p[0..n), added if new; -1: no memory. */
static int
field_at(struct parse *ps, int f, const char *p, size_t n)
{
	struct proj *pj = ps->pj;
	struct field *nf;
	long off;
	int c;

	for (c = pj->f[f].child; c != -1; c = pj->f[c].next)
		if (pj->f[c].len == n &&
		    memcmp(pj->text.p + pj->f[c].name, p, n) == 0)
			return c;
	if (grow(&pj->f, pj->nf, &pj->fcap, sizeof(*pj->f)) == -1 ||
	    (off = text_add(ps, p, n)) == -1)
		return -1;
	c = pj->nf++;
	nf = &pj->f[c];
	nf->name = (size_t)off;
	nf->len = n;
	nf->parent = f;
	nf->child = -1;
	nf->next = pj->f[f].child;
	pj->f[f].child = c;
	return c;
}

/* The field a PATH token names, added to the trie; -1 if it cannot. */
static int
path_field(struct parse *ps, const struct tok *t)
{
	const char *p = t->p, *end = t->p + t->n - (t->iter ? 2 : 0);
	const char *q;
	int f = 0;

	while (p < end && (q = lex_step(p)) != NULL) {
		if (p[1] == '"') {
			if (name_ok(p + 2, (size_t)(q - p - 3)) == -1)
				return -1;
			f = field_at(ps, f, p + 2, (size_t)(q - p - 3));
		} else {
			f = field_at(ps, f, p + 1, (size_t)(q - p - 1));
		}
		if (f == -1)
			return -1;
		p = q;
	}
	return f;
}

/* A new expr: its index, or -1 with ps->bad. */
static int
expr_new(struct parse *ps, int kind, int field)
{
	struct proj *pj = ps->pj;
	struct expr *e;

	if (field == -1 || grow(&pj->e, pj->ne, &pj->ecap,
	    sizeof(*pj->e)) == -1) {
		ps->bad = 1;
		return -1;
	}
	e = &pj->e[pj->ne];
	e->kind = kind;
	e->field = field;
	e->first = e->last = -1;
	return pj->ne++;
}

static int value(struct parse *ps);

/* Append a member keyed k[0..n) to the object expr o; its index or -1. */
static int
member_new(struct parse *ps, int o, const char *k, size_t n)
{
	struct proj *pj = ps->pj;
	struct member *m;
	long off;

	if (grow(&pj->m, pj->nm, &pj->mcap, sizeof(*pj->m)) == -1 ||
	    (off = text_add(ps, k, n)) == -1) {
		ps->bad = 1;
		return -1;
	}
	m = &pj->m[pj->nm];
	m->key = (size_t)off;
	m->len = n;
	m->val = -1;
	m->next = -1;
	if (pj->e[o].last == -1)
		pj->e[o].first = pj->nm;
	else
		pj->m[pj->e[o].last].next = pj->nm;
	pj->e[o].last = pj->nm;
	return pj->nm++;
}

/* One member of the object construction o. */
static void
member(struct parse *ps, int o)
{
	struct tok k = ps->t;
	int m, v;

	if ((k.t != T_IDENT && k.t != T_STR) ||
	    (k.t == T_IDENT && is_keyword(k.p, k.n)) ||
	    (k.t == T_STR && name_ok(k.p, k.n) == -1) ||
	    (m = member_new(ps, o, k.p, k.n)) == -1) {
		ps->bad = 1;
		return;
	}
	advance(ps);
	if (is_punct(ps, ':')) {
		advance(ps);
		v = value(ps);
	} else if (k.t == T_IDENT) {
		/* {name} is {name: .name} */
		v = expr_new(ps, E_PATH, field_at(ps, 0, k.p, k.n));
	} else {
		v = -1;
	}
	if (v == -1)
		ps->bad = 1;
	ps->pj->m[m].val = v;
}

static int
object(struct parse *ps)
{
	int o = expr_new(ps, E_OBJ, 0);

	advance(ps);
	if (is_punct(ps, '}')) {
		advance(ps);
		return o;
	}
	for (;;) {
		member(ps, o);
		if (ps->bad || !is_punct(ps, ','))
			break;
		advance(ps);
	}
	want_punct(ps, '}');
	return o;
}

static int
value(struct parse *ps)
{
	struct tok t = ps->t;

	if (ps->bad)
		return -1;
	if (t.t == T_PATH && !t.iter) {
		advance(ps);
		return expr_new(ps, E_PATH, path_field(ps, &t));
	}
	if (is_punct(ps, '{'))
		return object(ps);
	ps->bad = 1;
	return -1;
}

/* One step of the if-form's `then`: `.NAME[]` with NAME the has() key. */
static void
if_then(struct parse *ps, const struct tok *key)
{
	struct tok t = ps->t;
	const char *q;

	if (t.t != T_PATH || !t.iter || (q = lex_step(t.p)) == NULL ||
	    q != t.p + t.n - 2)
		ps->bad = 1;
	else if (t.p[1] == '"' ? (size_t)(q - t.p - 3) != key->n ||
	    memcmp(t.p + 2, key->p, key->n) != 0 :
	    (size_t)(q - t.p - 1) != key->n ||
	    memcmp(t.p + 1, key->p, key->n) != 0)
		ps->bad = 1;
	else if ((ps->pj->uf = path_field(ps, &t)) == -1)
		ps->bad = 1;
	advance(ps);
}

/* `(if type == "object" and has("K") then .K[] else . end)` */
static void
if_form(struct parse *ps)
{
	int paren = is_punct(ps, '(');
	struct tok key;

	if (paren)
		advance(ps);
	want_ident(ps, "if");
	want_ident(ps, "type");
	if (ps->t.t != T_EQ)
		ps->bad = 1;
	advance(ps);
	if (ps->t.t != T_STR || ps->t.n != 6 || memcmp(ps->t.p, "object",
	    6) != 0)
		ps->bad = 1;
	advance(ps);
	want_ident(ps, "and");
	want_ident(ps, "has");
	want_punct(ps, '(');
	key = ps->t;
	if (key.t != T_STR || name_ok(key.p, key.n) == -1)
		ps->bad = 1;
	advance(ps);
	want_punct(ps, ')');
	want_ident(ps, "then");
	if (!ps->bad)
		if_then(ps, &key);
	want_ident(ps, "else");
	if (ps->t.t != T_PATH || ps->t.n != 1 || ps->t.iter)
		ps->bad = 1;
	advance(ps);
	want_ident(ps, "end");
	if (paren)
		want_punct(ps, ')');
	ps->pj->unwrap = U_IF;
}

static void
whole(struct parse *ps)
{
	struct proj *pj = ps->pj;
	struct tok t = ps->t;

	if (t.t == T_PATH && t.iter) {
		pj->unwrap = U_ITER;
		pj->uf = path_field(ps, &t);
		if (pj->uf == -1)
			ps->bad = 1;
		advance(ps);
	} else if (is_punct(ps, '(') || is_ident(ps, "if")) {
		if_form(ps);
	}
	if (pj->unwrap != U_NONE && !is_punct(ps, '|')) {
		/* The unwrapped values are the output. */
		pj->body = expr_new(ps, E_PATH, 0);
	} else {
		if (pj->unwrap != U_NONE)
			advance(ps);
		pj->body = value(ps);
	}
	if (ps->t.t != T_END)
		ps->bad = 1;
}

void
proj_free(struct proj *pj)
{
	if (pj != NULL) {
		fk_buf_free(&pj->text);
		free(pj->f);
		free(pj->e);
		free(pj->m);
	}
	free(pj);
}

struct proj *
proj_new(const char *program)
{
	struct parse ps;
	struct proj *pj;

	pj = calloc(1, sizeof(*pj));
	if (pj == NULL)
		return NULL;
	memset(&ps, 0, sizeof(ps));
	ps.s = program;
	ps.pj = pj;
	if (grow(&pj->f, 0, &pj->fcap, sizeof(*pj->f)) == -1) {
		free(pj);
		return NULL;
	}
	pj->f[0].parent = -1;
	pj->f[0].child = -1;
	pj->f[0].next = -1;
	pj->nf = 1;
	advance(&ps);
	whole(&ps);
	if (ps.bad || pj->body == -1) {
		proj_free(pj);
		return NULL;
	}
	return pj;
}

int
proj_is_identity(const struct proj *pj)
{
	return pj->unwrap == U_NONE && pj->e[pj->body].kind == E_PATH &&
	    pj->e[pj->body].field == 0;
}

/* ---- running it ------------------------------------------------------ */

/* A value's text; p NULL: absent (jq's null). */
struct span {
	const char *p;
	size_t n;
};

/*
 * Objects picked whole repeat their keys record after record, in the
 * same order: the n-th key of the last object built is kept to be
 * reused (a copy shares the string and the hash jv computed once).
 */
#define KC_SIZE 64

struct kcache {
	jv key;			/* a string, if set */
	const char *p;		/* jv_string_value(key) */
	size_t len;
	int set;
};

struct proj_exec {
	const struct proj *pj;
	struct span *sp;	/* per field */
	unsigned char *scanned;	/* per field: its object was scanned */
	jv *keys;		/* per member: this thread's key */
	jv *rows;
	size_t nrows, rcap;
	char *tmp;		/* decoded strings */
	size_t tcap;
	struct kcache kc[KC_SIZE];	/* keys of objects built whole */
	/* proj_run_text: rows as members, row i ending at rend[i] */
	int text;
	struct proj_kv *kv;
	size_t nkv, kvcap, *rend, rendcap;
};

struct proj_exec *
proj_exec_new(const struct proj *pj)
{
	struct proj_exec *x = calloc(1, sizeof(*x));
	int i;

	if (x == NULL)
		return NULL;
	x->pj = pj;
	x->sp = calloc((size_t)pj->nf, sizeof(*x->sp));
	x->scanned = calloc((size_t)pj->nf, 1);
	x->keys = calloc((size_t)pj->nm + 1, sizeof(*x->keys));
	if (x->sp == NULL || x->scanned == NULL || x->keys == NULL) {
		proj_exec_free(x);
		return NULL;
	}
	for (i = 0; i < pj->nm; i++)
		x->keys[i] = jv_string_sized(pj->text.p + pj->m[i].key,
		    (int)pj->m[i].len);
	return x;
}

void
proj_exec_free(struct proj_exec *x)
{
	size_t i;
	int k;

	if (x == NULL)
		return;
	for (k = 0; x->keys != NULL && k < x->pj->nm; k++)
		jv_free(x->keys[k]);
	for (i = 0; i < x->nrows; i++)
		jv_free(x->rows[i]);
	for (k = 0; k < KC_SIZE; k++)
		if (x->kc[k].set)
			jv_free(x->kc[k].key);
	free(x->keys);
	free(x->sp);
	free(x->scanned);
	free(x->rows);
	free(x->tmp);
	free(x->kv);
	free(x->rend);
	free(x);
}

/* The \u escape at s[i] ('u'): code point, *used bytes; -1: libjq's. */
static long
uesc(const char *s, size_t i, size_t n, size_t *used)
{
	long hi, lo;

	if (i + 5 > n || (hi = fk_jtext_hex4(s + i + 1)) < 0)
		return -1;
	*used = 5;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return -1;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (i + 11 > n || s[i + 5] != '\\' || s[i + 6] != 'u' ||
	    (lo = fk_jtext_hex4(s + i + 7)) < 0xdc00 || lo > 0xdfff)
		return -1;
	*used = 11;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/*
 * Decode a string body s[0..n) as jq 1.6's parser does into x->tmp:
 * its length, or -1 for what is left to libjq (a lone surrogate).
 */
static long
decode(struct proj_exec *x, const char *s, size_t n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *c;
	size_t i, o = 0, used;
	long cp;
	char *t;

	if (x->tcap < n + 1) {
		t = realloc(x->tmp, n + 1);
		if (t == NULL)
			return -1;
		x->tmp = t;
		x->tcap = n + 1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			x->tmp[o++] = s[i];
			continue;
		}
		if (++i >= n)
			return -1;
		if (s[i] == 'u') {
			if ((cp = uesc(s, i, n, &used)) < 0)
				return -1;
			o += fk_utf8_put(x->tmp + o, (unsigned int)cp);
			i += used - 1;
		} else if ((c = strchr(from, s[i])) != NULL && *c != '\0') {
			x->tmp[o++] = to[c - from];
		} else {
			return -1;
		}
	}
	return (long)o;
}

static jv
str_value(struct proj_exec *x, const char *p, size_t n)
{
	long len;

	if (memchr(p, '\\', n) == NULL)
		return jv_string_sized(p, (int)n);
	len = decode(x, p, n);
	if (len < 0)
		return jv_invalid();
	return jv_string_sized(x->tmp, (int)len);
}

/* The key s[0..n) (escaped: *esc) of an object's i-th member. */
static jv
key_at(struct proj_exec *x, const char *s, size_t n, int esc, int i)
{
	struct kcache *c = i < KC_SIZE ? &x->kc[i] : NULL;
	long len;
	jv k;

	if (esc) {
		if ((len = decode(x, s, n)) < 0)
			return jv_invalid();
		s = x->tmp;
		n = (size_t)len;
	}
	if (c != NULL && c->set && c->len == n && memcmp(c->p, s, n) == 0)
		return jv_copy(c->key);
	k = jv_string_sized(s, (int)n);
	if (c != NULL) {
		if (c->set)
			jv_free(c->key);
		c->key = jv_copy(k);
		c->p = jv_string_value(k);
		c->len = n;
		c->set = 1;
	}
	return k;
}

static jv from_span(struct proj_exec *x, struct span v);

/*
 * The object or array v, valid as lib/scan.c checked it, built as
 * libjq's parser builds it: members set in order (the last of a
 * duplicated key wins, in the first one's place), elements appended.
 * Invalid where an element is left to libjq (see from_span).
 */
static jv
compound(struct proj_exec *x, struct span v)
{
	const char *p = v.p + 1, *end = v.p + v.n - 1, *s;
	int obj = v.p[0] == '{', esc, i;
	jv r = obj ? jv_object() : jv_array(), k = jv_null(), e;

	for (i = 0, p = fk_jtext_ws(p, end); p < end; i++) {
		if (obj) {
			esc = 0;
			s = p + 1;
			p = fk_jtext_str(s, end, &esc);
			k = key_at(x, s, (size_t)(p - s - 1), esc, i);
			if (!jv_is_valid(k))
				goto bad;
			p = fk_jtext_colon(p, end);
		}
		s = p;
		p = fk_jtext_value(p, end);
		e = from_span(x, (struct span){ s, (size_t)(p - s) });
		if (!jv_is_valid(e)) {
			jv_free(k);
			jv_free(e);
			goto bad;
		}
		r = obj ? jv_object_set(r, k, e) : jv_array_append(r, e);
		p = fk_jtext_next(p, end);
	}
	return r;
bad:
	jv_free(r);
	return jv_invalid();
}

/* The jv libjq's parser makes of the value text v. */
static jv
from_span(struct proj_exec *x, struct span v)
{
	char num[64];

	if (v.p == NULL)
		return jv_null();
	switch (v.p[0]) {
	case '"':
		return str_value(x, v.p + 1, v.n - 2);
	case '{':
	case '[':
		return compound(x, v);
	case 't':
		return jv_true();
	case 'f':
		return jv_false();
	case 'n':
		return jv_null();
	default:
		if (v.n >= sizeof(num))
			return jv_invalid();
		memcpy(num, v.p, v.n);
		num[v.n] = '\0';
		return jv_number(strtod(num, NULL));
	}
}

/* The child of f that a key names, or -1. */
static int
child_named(const struct proj *pj, int f, const char *k, size_t n)
{
	int c;

	for (c = pj->f[f].child; c != -1; c = pj->f[c].next)
		if (pj->f[c].len == n &&
		    memcmp(pj->text.p + pj->f[c].name, k, n) == 0)
			return c;
	return -1;
}

/*
 * One pass over the object o (field f's value): the span of each child
 * of f, the last one of a duplicated key.  -1: leave it to libjq.
 */
static int
scan_obj(struct proj_exec *x, int f, struct span o)
{
	const char *p = o.p + 1, *end = o.p + o.n, *k, *v;
	long kn;
	int c, esc;

	p = fk_jtext_ws(p, end);
	if (p < end && *p == '}')
		return 0;
	while (p < end && *p == '"') {
		esc = 0;
		k = p + 1;
		p = fk_jtext_str(k, end, &esc);
		kn = (long)(p - k - 1);
		if (esc && (kn = decode(x, k, (size_t)kn)) < 0)
			return -1;
		c = child_named(x->pj, f, esc ? x->tmp : k, (size_t)kn);
		p = fk_jtext_colon(p, end);
		v = p;
		p = fk_jtext_value(p, end);
		if (c != -1) {
			x->sp[c].p = v;
			x->sp[c].n = (size_t)(p - v);
		}
		p = fk_jtext_next(p, end);
	}
	return 0;
}

/* Field f's value in *v; -1 when jq would raise an error. */
static int
locate(struct proj_exec *x, int f, struct span *v)
{
	int up = x->pj->f[f].parent;
	struct span par;

	if (up < 0) {
		*v = x->sp[f];
		return 0;
	}
	if (locate(x, up, &par) == -1)
		return -1;
	if (par.p == NULL || par.p[0] == 'n') {
		v->p = NULL;	/* null.name is null */
		return 0;
	}
	if (par.p[0] != '{')
		return -1;
	if (!x->scanned[up]) {
		if (scan_obj(x, up, par) == -1)
			return -1;
		x->scanned[up] = 1;
	}
	*v = x->sp[f];
	return 0;
}

/* The program's expr e on the current root; invalid: libjq's. */
static jv
build(struct proj_exec *x, int e)
{
	const struct proj *pj = x->pj;
	struct span v;
	jv o, m;
	int i;

	if (pj->e[e].kind == E_PATH) {
		if (locate(x, pj->e[e].field, &v) == -1)
			return jv_invalid();
		return from_span(x, v);
	}
	o = jv_object();
	for (i = pj->e[e].first; i != -1; i = pj->m[i].next) {
		m = build(x, pj->m[i].val);
		if (!jv_is_valid(m)) {
			jv_free(o);
			return m;
		}
		o = jv_object_set(o, jv_copy(x->keys[i]), m);
	}
	return o;
}

/* Make the value p[0..n) the root: nothing of it is scanned yet. */
static void
set_root(struct proj_exec *x, const char *p, size_t n)
{
	memset(x->sp, 0, (size_t)x->pj->nf * sizeof(*x->sp));
	memset(x->scanned, 0, (size_t)x->pj->nf);
	x->sp[0].p = p;
	x->sp[0].n = n;
}

/*
 * The array p (of *cap elements of size sz), or a larger copy, with room
 * for element n; NULL when out of memory (p kept).
 */
static void *
room(void *p, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? 2 * *cap : 16;
	void *np;

	if (n < *cap)
		return p;
	np = realloc(p, c * sz);
	if (np != NULL)
		*cap = c;
	return np;
}

/* One member of a text row; -1 when out of memory. */
static int
kv_add(struct proj_exec *x, const char *k, size_t kn, struct span v)
{
	struct proj_kv *nk = room(x->kv, x->nkv, &x->kvcap, sizeof(*nk));

	if (nk == NULL)
		return -1;
	x->kv = nk;
	x->kv[x->nkv++] = (struct proj_kv){ k, v.p, kn, v.n };
	return 0;
}

/* The members of the object o as text; -1 at an escaped key. */
static int
members(struct proj_exec *x, struct span o)
{
	const char *p = o.p + 1, *end = o.p + o.n - 1, *k, *v;
	size_t kn;
	int esc = 0;

	for (p = fk_jtext_ws(p, end); p < end;) {
		k = p + 1;
		p = fk_jtext_str(k, end, &esc);
		if (esc)
			return -1;
		kn = (size_t)(p - k - 1);
		p = fk_jtext_colon(p, end);
		v = p;
		p = fk_jtext_value(p, end);
		if (kv_add(x, k, kn, (struct span){ v, (size_t)(p - v) }) == -1)
			return -1;
		p = fk_jtext_next(p, end);
	}
	return 0;
}

/*
 * The body on the current root as a text row: the members of the object
 * a path picks, or the program's own members; -1: not text (or libjq's).
 */
static int
emit_text(struct proj_exec *x)
{
	const struct proj *pj = x->pj;
	const struct expr *e = &pj->e[pj->body];
	size_t *nr = room(x->rend, x->nrows, &x->rendcap, sizeof(*nr));
	struct span v;
	int i;

	if (nr == NULL)
		return -1;
	x->rend = nr;
	if (e->kind == E_PATH) {
		if (locate(x, e->field, &v) == -1 || v.p == NULL ||
		    v.p[0] != '{' || members(x, v) == -1)
			return -1;
	} else {
		for (i = e->first; i != -1; i = pj->m[i].next)
			if (locate(x, pj->e[pj->m[i].val].field, &v) == -1 ||
			    kv_add(x, pj->text.p + pj->m[i].key, pj->m[i].len,
			    v) == -1)
				return -1;
	}
	x->rend[x->nrows++] = x->nkv;
	return 0;
}

/* Build the body on the current root and keep it; -1: libjq's. */
static int
emit(struct proj_exec *x)
{
	jv r, *nr;

	if (x->text)
		return emit_text(x);
	if ((nr = room(x->rows, x->nrows, &x->rcap, sizeof(*nr))) == NULL)
		return -1;
	x->rows = nr;
	r = build(x, x->pj->body);
	if (!jv_is_valid(r)) {
		jv_free(r);
		return -1;
	}
	x->rows[x->nrows++] = r;
	return 0;
}

/* `.K[]` over the array a: the body on each element. */
static int
each(struct proj_exec *x, struct span a)
{
	const char *p = a.p + 1, *end = a.p + a.n, *v;

	p = fk_jtext_ws(p, end);
	while (p < end && *p != ']') {
		v = p;
		p = fk_jtext_value(p, end);
		if (*v != '{' && *v != 'n')
			return -1;
		set_root(x, v, (size_t)(p - v));
		if (emit(x) == -1)
			return -1;
		p = fk_jtext_next(p, end);
	}
	return 0;
}

static int
unwrap(struct proj_exec *x)
{
	struct span d;

	if (locate(x, x->pj->uf, &d) == -1)
		return -1;
	/* The if-form's path is one step: absent is has() false. */
	if (d.p == NULL && x->pj->unwrap == U_IF)
		return emit(x);
	if (d.p == NULL || d.p[0] != '[')
		return -1;	/* jq: cannot iterate over it */
	return each(x, d);
}

/* The program over s[0..n) in x's mode: 0, or 1 when libjq must run it. */
static int
run(struct proj_exec *x, const char *s, size_t n)
{
	const char *end = s + n;

	x->nrows = 0;
	x->nkv = 0;
	s = fk_jtext_ws(s, end);
	while (end > s && FK_JSON_WS(end[-1]))
		end--;
	if (s == end || *s != '{')
		return 1;
	set_root(x, s, (size_t)(end - s));
	return (x->pj->unwrap == U_NONE ? emit(x) : unwrap(x)) == -1;
}

int
proj_run(struct proj_exec *x, const char *s, size_t n, jv **rows,
    size_t *nrows)
{
	size_t i;

	x->text = 0;
	if (run(x, s, n) != 0) {
		for (i = 0; i < x->nrows; i++)
			jv_free(x->rows[i]);
		x->nrows = 0;
		return 1;
	}
	*rows = x->rows;
	*nrows = x->nrows;
	x->nrows = 0;		/* the caller's now */
	return 0;
}

int
proj_texts(const struct proj *pj)
{
	const struct expr *e = &pj->e[pj->body];
	int i;

	for (i = e->kind == E_OBJ ? e->first : -1; i != -1; i = pj->m[i].next)
		if (pj->e[pj->m[i].val].kind != E_PATH)
			return 0;
	return 1;
}

int
proj_run_text(struct proj_exec *x, const char *s, size_t n,
    const struct proj_kv **kv, const size_t **end, size_t *nrows)
{
	static const struct proj_kv none;

	x->text = 1;
	if (run(x, s, n) != 0) {
		x->nrows = 0;
		return 1;
	}
	/* Rows with no members ({}) leave no array: kv + 0 must still be. */
	*kv = x->kv != NULL ? x->kv : &none;
	*end = x->rend;
	*nrows = x->nrows;
	x->nrows = 0;
	return 0;
}
