/*
 * jtext.h: reading JSON text that lib/scan.c has already proven valid
 * (strict RFC 8259, valid UTF-8), by pointers into it, never past end.
 * fk-fetch's page splitter (cmd/fetch/split.c) and fk-shape's projection
 * fast path (cmd/shape/program/proj.c) walk records this way; nothing
 * here checks the syntax again.  Inline: these run for every byte.
 */
#ifndef FK_JTEXT_H
#define FK_JTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FK_JSON_WS(c) \
	((c) == ' ' || (c) == '\n' || (c) == '\t' || (c) == '\r')

/* Past the whitespace at p. */
static inline const char *
fk_jtext_ws(const char *p, const char *end)
{
	while (p < end && FK_JSON_WS(*p))
		p++;
	return p;
}

/*
 * Eight bytes at a time: most string bytes need no look of their own.
 * FK_JTEXT_ONES(x) is x in each byte of a word; a word w has a byte
 * below x (x <= 0x80, no byte of w at 0x80 or above) exactly when
 * (w - FK_JTEXT_ONES(x)) & FK_JTEXT_ONES(0x80) is not 0: the first
 * such byte borrows into its own top bit, and a borrow it passes on
 * only adds to a word already found.
 */
#define FK_JTEXT_ONES(x) (0x0101010101010101ULL * (x))

/* The 8 bytes at p as one word (any alignment, host order). */
static inline uint64_t
fk_jtext_word(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Nonzero when no byte of w is '"' or '\\' (nor at 0x80 or above). */
static inline int
fk_jtext_quiet(uint64_t w)
{
	uint64_t q = w ^ FK_JTEXT_ONES('"'), b = w ^ FK_JTEXT_ONES('\\');

	return ((w | (q - FK_JTEXT_ONES(1)) | (b - FK_JTEXT_ONES(1))) &
	    FK_JTEXT_ONES(0x80)) == 0;
}

/*
 * p just past a string's opening quote: just past its closing one.
 * *esc is set when the string holds a backslash.
 */
static inline const char *
fk_jtext_str(const char *p, const char *end, int *esc)
{
	while (end - p >= 8 && fk_jtext_quiet(fk_jtext_word(p)))
		p += 8;
	while (p < end) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			*esc = 1;
			p++;
		}
		p++;
	}
	return end;
}

/* From the end of a key at p: past blanks, ':' and blanks, to its value. */
static inline const char *
fk_jtext_colon(const char *p, const char *end)
{
	return fk_jtext_ws(fk_jtext_ws(p, end) + 1, end);
}

/* From the end of a member's or element's value: past blanks and ','. */
static inline const char *
fk_jtext_next(const char *p, const char *end)
{
	p = fk_jtext_ws(p, end);
	if (p < end && *p == ',')
		p = fk_jtext_ws(p + 1, end);
	return p;
}

/* Just past the value that starts at p. */
static inline const char *
fk_jtext_value(const char *p, const char *end)
{
	int depth = 0, esc = 0;

	do {
		switch (*p) {
		case '"':
			p = fk_jtext_str(p + 1, end, &esc);
			break;
		case '{':
		case '[':
			depth++;
			p++;
			break;
		case '}':
		case ']':
			depth--;
			p++;
			break;
		default:
			if (depth > 0) {
				p++;
				break;
			}
			/* A number or literal ends where its token does. */
			while (p < end && !FK_JSON_WS(*p) && *p != ',' &&
			    *p != '}' && *p != ']')
				p++;
			return p;
		}
	} while (depth > 0 && p < end);
	return p;
}

/* The four hex digits at p as a number, or -1. */
static inline long
fk_jtext_hex4(const char *p)
{
	long v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Code point cp (at most 0x10FFFF) in UTF-8 at o: its 1 to 4 bytes. */
static inline size_t
fk_utf8_put(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

#endif
