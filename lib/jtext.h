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
 * p just past a string's opening quote: just past its closing one.
 * *esc is set when the string holds a backslash.
 */
static inline const char *
fk_jtext_str(const char *p, const char *end, int *esc)
{
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
