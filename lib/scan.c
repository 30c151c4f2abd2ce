/*
 * scan.c: JSON value boundaries and syntax (see scan.h).
 *
 * Strict RFC 8259: jq 1.6's parser also takes nan, leading zeros and
 * lone surrogates (which it turns into U+FFFD); fk-shape refuses them so
 * that bad data is reported instead of silently changed.
 */
#include <stdio.h>
#include <string.h>

#include "jtext.h"
#include "scan.h"

enum {
	S_TOP,		/* between top-level values */
	S_VALUE,	/* a value must start */
	S_ARR_FIRST,	/* after '[' */
	S_OBJ_FIRST,	/* after '{' */
	S_OBJ_KEY,	/* after ',' in an object */
	S_COLON,	/* after a key */
	S_AFTER,	/* after a value inside a container */
	S_STR, S_ESC, S_HEX, S_LOWBS, S_LOWU, S_UTF8,
	S_N_MINUS, S_N_ZERO, S_N_INT, S_N_DOT, S_N_FRAC, S_N_E, S_N_ESIGN,
	S_N_EXP,
	S_LIT,
	S_END		/* top-level scalar done: a delimiter must follow */
};

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')

void
fk_scan_init(struct fk_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->st = S_TOP;
	s->line = 1;
	s->start_line = 1;
}

void
fk_scan_reset(struct fk_scan *s)
{
	long long line = s->line;

	fk_scan_init(s);
	s->line = line;
}

int
fk_scan_in_value(const struct fk_scan *s)
{
	return s->st != S_TOP;
}

/* Set the reason: why, or the unexpected byte itself. */
static void
fail(struct fk_scan *s, const char *why, unsigned char c)
{
	if (why != NULL) {
		s->why = why;
	} else {
		if (c > 0x20 && c < 0x7f)
			snprintf(s->whybuf, sizeof(s->whybuf),
			    "unexpected character '%c'", c);
		else
			snprintf(s->whybuf, sizeof(s->whybuf),
			    "unexpected byte 0x%02x", c);
		s->why = s->whybuf;
	}
}

static int
is_array(const struct fk_scan *s)
{
	int d = s->depth - 1;

	return (s->stack[d / 8] >> (d % 8)) & 1;
}

static int
push(struct fk_scan *s, int array)
{
	int d = s->depth;

	if (d == FK_SCAN_MAXDEPTH)
		return -1;
	if (array)
		s->stack[d / 8] |= 1u << (d % 8);
	else
		s->stack[d / 8] &= ~(1u << (d % 8));
	s->depth++;
	s->st = array ? S_ARR_FIRST : S_OBJ_FIRST;
	return 0;
}

/* A value just ended; nonzero if it was the top-level one. */
static int
done(struct fk_scan *s)
{
	if (s->depth == 0) {
		s->st = S_TOP;
		return 1;
	}
	s->st = S_AFTER;
	return 0;
}

/* First byte of a value; -1 on error (reason set). */
static int
begin_value(struct fk_scan *s, unsigned char c)
{
	switch (c) {
	case '{':
	case '[':
		if (push(s, c == '[') == -1) {
			s->why = "nesting deeper than 128 levels";
			return -1;
		}
		return 0;
	case '"':
		s->key = 0;
		s->st = S_STR;
		return 0;
	case '-':
		s->st = S_N_MINUS;
		return 0;
	case '0':
		s->st = S_N_ZERO;
		return 0;
	case 't':
	case 'f':
	case 'n':
		s->litstr = c == 't' ? "true" : c == 'f' ? "false" : "null";
		s->lit = 1;
		s->st = S_LIT;
		return 0;
	default:
		if (c >= '1' && c <= '9') {
			s->st = S_N_INT;
			return 0;
		}
		fail(s, NULL, c);
		return -1;
	}
}

/* Lead byte of a UTF-8 sequence: set how many and which bytes follow. */
static int
utf8_lead(struct fk_scan *s, unsigned char c)
{
	s->lo = 0x80;
	s->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		s->need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		s->need = 2;
		if (c == 0xe0)
			s->lo = 0xa0;	/* no overlong forms */
		else if (c == 0xed)
			s->hi = 0x9f;	/* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		s->need = 3;
		if (c == 0xf0)
			s->lo = 0x90;
		else if (c == 0xf4)
			s->hi = 0x8f;	/* nothing past U+10FFFF */
	} else {
		return -1;
	}
	s->st = S_UTF8;
	return 0;
}

static int
hexval(unsigned char c)
{
	if (IS_DIGIT(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The last hex digit of a \u escape was read. */
static int
end_escape(struct fk_scan *s)
{
	unsigned int u = s->cu;

	if (s->low) {
		if (u < 0xdc00 || u > 0xdfff)
			return -1;
		s->low = 0;
		s->st = S_STR;
	} else if (u >= 0xd800 && u <= 0xdbff) {
		s->st = S_LOWBS;
	} else if (u >= 0xdc00 && u <= 0xdfff) {
		return -1;
	} else {
		s->st = S_STR;
	}
	return 0;
}

/* Inside a string: one byte (the fast path for plain runs is the caller's). */
static int
string_byte(struct fk_scan *s, unsigned char c)
{
	int h;

	switch (s->st) {
	case S_STR:
		if (c == '\\') {
			s->st = S_ESC;
		} else if (c < 0x20) {
			s->why = "control character in string";
			return -1;
		} else if (utf8_lead(s, c) == -1) {
			s->why = "invalid UTF-8 in string";
			return -1;
		}
		return 0;
	case S_ESC:
		if (c == 'u') {
			s->st = S_HEX;
			s->hex = 4;
			s->cu = 0;
		} else if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
			s->st = S_STR;
		} else {
			s->why = "invalid escape in string";
			return -1;
		}
		return 0;
	case S_HEX:
		h = hexval(c);
		if (h == -1) {
			s->why = "invalid \\u escape in string";
			return -1;
		}
		s->cu = s->cu * 16 + (unsigned int)h;
		if (--s->hex == 0 && end_escape(s) == -1) {
			s->why = "unpaired UTF-16 surrogate escape in string";
			return -1;
		}
		return 0;
	case S_LOWBS:
	case S_LOWU:
		if (c != (s->st == S_LOWBS ? '\\' : 'u')) {
			s->why = "unpaired UTF-16 surrogate escape in string";
			return -1;
		}
		if (s->st == S_LOWU) {
			s->st = S_HEX;
			s->hex = 4;
			s->cu = 0;
			s->low = 1;
		} else {
			s->st = S_LOWU;
		}
		return 0;
	default:	/* S_UTF8 */
		if (c < s->lo || c > s->hi) {
			s->why = "invalid UTF-8 in string";
			return -1;
		}
		s->lo = 0x80;
		s->hi = 0xbf;
		if (--s->need == 0)
			s->st = S_STR;
		return 0;
	}
}

/*
 * Inside a number: 1 if c continues it, 0 if the number ended before c
 * (it is complete), -1 if c makes it malformed.
 */
static int
number_byte(struct fk_scan *s, unsigned char c)
{
	switch (s->st) {
	case S_N_MINUS:
		if (c == '0')
			s->st = S_N_ZERO;
		else if (c >= '1' && c <= '9')
			s->st = S_N_INT;
		else
			return -1;
		return 1;
	case S_N_ZERO:
	case S_N_INT:
		if (IS_DIGIT(c) && s->st == S_N_INT)
			return 1;
		if (c == '.')
			s->st = S_N_DOT;
		else if (c == 'e' || c == 'E')
			s->st = S_N_E;
		else
			return IS_DIGIT(c) ? -1 : 0;
		return 1;
	case S_N_DOT:
		if (!IS_DIGIT(c))
			return -1;
		s->st = S_N_FRAC;
		return 1;
	case S_N_FRAC:
		if (IS_DIGIT(c))
			return 1;
		if (c != 'e' && c != 'E')
			return 0;
		s->st = S_N_E;
		return 1;
	case S_N_E:
		if (c == '+' || c == '-') {
			s->st = S_N_ESIGN;
			return 1;
		}
		/* FALLTHROUGH */
	case S_N_ESIGN:
		if (!IS_DIGIT(c))
			return -1;
		s->st = S_N_EXP;
		return 1;
	default:	/* S_N_EXP */
		return IS_DIGIT(c) ? 1 : 0;
	}
}

/*
 * A scalar ended just before byte c: inside a container c is looked at
 * again as what follows a value; at the top a delimiter must follow.
 */
static int
scalar_end(struct fk_scan *s, unsigned char c)
{
	if (s->depth > 0) {
		s->st = S_AFTER;
		return 0;
	}
	if (!FK_JSON_WS(c)) {
		s->why = "a top-level number or literal must be followed by "
		    "white space";
		return -1;
	}
	s->st = S_TOP;
	return 1;
}

/* Structural bytes between tokens; 1 if a top-level value ended. */
static int
between(struct fk_scan *s, unsigned char c, size_t i)
{
	switch (s->st) {
	case S_TOP:
		s->start = i;
		s->start_line = s->line;
		return begin_value(s, c);
	case S_VALUE:
		return begin_value(s, c);
	case S_ARR_FIRST:
		if (c != ']')
			return begin_value(s, c);
		s->depth--;
		return done(s);
	case S_OBJ_FIRST:
	case S_OBJ_KEY:
		if (c == '"') {
			s->key = 1;
			s->st = S_STR;
			return 0;
		}
		if (c == '}' && s->st == S_OBJ_FIRST) {
			s->depth--;
			return done(s);
		}
		fail(s, "expected a string key", c);
		return -1;
	case S_COLON:
		if (c != ':') {
			fail(s, "expected ':' after an object key", c);
			return -1;
		}
		s->st = S_VALUE;
		return 0;
	default:	/* S_AFTER */
		if (c == ',') {
			s->st = is_array(s) ? S_VALUE : S_OBJ_KEY;
			return 0;
		}
		if (c == (is_array(s) ? ']' : '}')) {
			s->depth--;
			return done(s);
		}
		fail(s, is_array(s) ? "expected ',' or ']'" :
		    "expected ',' or '}'", c);
		return -1;
	}
}

/*
 * The bytes a string takes as they are: ASCII from 0x20 but '"' (0x22)
 * and '\\' (0x5c).
 */
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

/*
 * Nonzero when the 8 bytes at p are all plain: ASCII (no top bit), none
 * below 0x20 (see FK_JTEXT_ONES for why the test is exact), no '"' and
 * no '\\'.
 */
static inline int
plain8(const unsigned char *p)
{
	uint64_t w = fk_jtext_word((const char *)p);

	return fk_jtext_quiet(w) && ((w - FK_JTEXT_ONES(0x20)) &
	    FK_JTEXT_ONES(0x80)) == 0;
}

int
fk_scan_next(struct fk_scan *s, const char *buf, size_t len, size_t *pos)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = *pos;
	unsigned char c;
	int r;

	while (i < len) {
		c = p[i];
		/* Between tokens (the first states): structure or blanks. */
		if (s->st <= S_AFTER) {
			if (c <= ' ' && FK_JSON_WS(c)) {
				if (c == '\n')
					s->line++;
				i++;
				continue;
			}
			r = between(s, c, i);
			if (r == -1)
				goto error;
			i++;
			if (r == 1)
				goto value;
			continue;
		}
		if (s->st == S_STR) {
			/* Plain ASCII runs are most of the input. */
			while (len - i >= 8 && plain8(p + i))
				i += 8;
			if (i == len)
				goto more;
			c = p[i];
			while (plain[c]) {
				if (++i == len)
					goto more;
				c = p[i];
			}
			if (c == '"') {
				i++;
				if (s->key) {
					s->st = S_COLON;
					/* Compact JSON: '"' ':' '"' starts
					 * a string value at once. */
					if (len - i >= 2 && p[i] == ':' &&
					    p[i + 1] == '"') {
						i += 2;
						s->key = 0;
						s->st = S_STR;
					}
					continue;
				}
				if (done(s))
					goto value;
				/* ... and '"' ',' '"' in an object the
				 * next key. */
				if (len - i >= 2 && p[i] == ',' &&
				    p[i + 1] == '"' && !is_array(s)) {
					i += 2;
					s->key = 1;
					s->st = S_STR;
				}
				continue;
			}
		}
		if (s->st >= S_STR && s->st <= S_UTF8) {
			if (string_byte(s, c) == -1)
				goto error;
			i++;
			continue;
		}
		if (s->st >= S_N_MINUS && s->st <= S_N_EXP) {
			r = number_byte(s, c);
			if (r == -1) {
				s->why = "malformed number";
				goto error;
			}
			if (r == 1) {
				i++;
				continue;
			}
			r = scalar_end(s, c);
			if (r == -1)
				goto error;
			if (r == 1)
				goto value;
			continue;	/* look at c again */
		}
		if (s->st == S_LIT) {
			if (c != (unsigned char)s->litstr[s->lit]) {
				s->why = "malformed literal (true, false or "
				    "null)";
				goto error;
			}
			i++;
			if (s->litstr[++s->lit] == '\0' && s->depth > 0)
				s->st = S_AFTER;
			else if (s->litstr[s->lit] == '\0')
				s->st = S_END;
			continue;
		}
		/* S_END */
		r = scalar_end(s, c);
		if (r == -1)
			goto error;
		goto value;
	}
more:
	*pos = len;
	return FK_SCAN_MORE;
value:
	*pos = i;
	return FK_SCAN_VALUE;
error:
	if (s->why == NULL)
		fail(s, NULL, c);
	*pos = i;
	return FK_SCAN_ERROR;
}

int
fk_scan_eof(struct fk_scan *s)
{
	switch (s->st) {
	case S_TOP:
		return FK_SCAN_MORE;
	case S_END:
		s->st = S_TOP;
		return FK_SCAN_VALUE;
	case S_N_ZERO:
	case S_N_INT:
	case S_N_FRAC:
	case S_N_EXP:
		if (s->depth == 0) {
			s->st = S_TOP;
			return FK_SCAN_VALUE;
		}
		/* FALLTHROUGH */
	default:
		s->why = "unexpected end of input inside a value";
		return FK_SCAN_ERROR;
	}
}
