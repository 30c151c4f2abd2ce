/*
 * colname.c: the column-name mapping (see colname.h).
 */
#include <string.h>
#include <strings.h>

#include "colname.h"

static const char *const reserved[] = {
	"_TABLE_", "_FILE_", "_PARTITION", "_ROW_TIMESTAMP", "__ROOT__",
	"_COLIDENTIFIER", "_CHANGE_SEQUENCE_NUMBER", "_CHANGE_TYPE",
	"_CHANGE_TIMESTAMP"
};

#define NRESERVED (sizeof(reserved) / sizeof(reserved[0]))

static int
word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
is_reserved(const char *s, size_t len)
{
	size_t i, n;

	if (len == 0 || s[0] != '_')
		return 0;
	for (i = 0; i < NRESERVED; i++) {
		n = strlen(reserved[i]);
		if (len >= n && strncasecmp(s, reserved[i], n) == 0)
			return 1;
	}
	return 0;
}

int
colname_legal(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > COLNAME_MAX)
		return 0;
	if (name[0] >= '0' && name[0] <= '9')
		return 0;
	for (i = 0; i < len; i++)
		if (!word_char((unsigned char)name[i]))
			return 0;
	return !is_reserved(name, len);
}

/* Length of the UTF-8 sequence led by c (1 for a stray byte). */
static size_t
seqlen(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc2)
		return 2;
	return 1;
}

/* Prepend one '_' to out (holding n bytes, room for COLNAME_MAX + 1). */
static size_t
prefix(char *out, size_t n)
{
	if (n == COLNAME_MAX)
		n--;
	memmove(out + 1, out, n);
	out[0] = '_';
	return n + 1;
}

int
colname_map(const char *name, size_t len, char *out)
{
	size_t i = 0, n = 0, k;

	if (colname_legal(name, len)) {
		memcpy(out, name, len);
		out[len] = '\0';
		return 0;
	}
	/* Room for one more than the limit, cut at the end. */
	while (i < len && n <= COLNAME_MAX) {
		if (word_char((unsigned char)name[i])) {
			out[n++] = name[i++];
			continue;
		}
		k = seqlen((unsigned char)name[i]);
		i += k <= len - i ? k : len - i;
		out[n++] = '_';
	}
	if (n > COLNAME_MAX)
		n = COLNAME_MAX;
	if (n == 0)
		out[n++] = '_';
	if (out[0] >= '0' && out[0] <= '9')
		n = prefix(out, n);
	while (is_reserved(out, n))
		n = prefix(out, n);
	out[n] = '\0';
	return 1;
}

const char *
colname_of_key(jv key, char buf[COLNAME_MAX + 1])
{
	const char *s = jv_string_value(key);
	size_t n = (size_t)jv_string_length_bytes(jv_copy(key));

	if (colname_legal(s, n) && memchr(s, '\0', n) == NULL)
		return s;
	colname_map(s, n, buf);
	return buf;
}
