/*
 * counter.c: which values are the service's counter (see counter.h).
 */
#include <stdlib.h>
#include <string.h>

#include "counter.h"

int
fetch_in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	if (n == 0 || strchr(word, ' ') != NULL)
		return 0;
	for (p = strstr(list, word); p != NULL; p = strstr(p + 1, word))
		if (p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

int
fetch_resource_has_id(const char *resource)
{
	/* texts, images, places and credit_cards have no id. */
	return fetch_in_list(" users persons addresses books companies products ",
	    resource);
}

int
fetch_type_is_counter(const char *type)
{
	return strcmp(type, "counter") == 0;
}

int
fetch_counter_value(double v, long long pos)
{
	return pos >= 0 && v == (double)(pos + 1);
}

/* Length of a JSON number at the start of s (RFC 8259), or 0. */
static size_t
number_len(const char *s, size_t len)
{
	size_t i = 0, d;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else {
		for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < len && s[i] == '.') {
		for (d = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i;
}

int
fetch_counter_token(const char *tok, size_t len, long long pos)
{
	char buf[64];

	/* The service writes "1".."1000": anything long is not a count. */
	if (len == 0 || len >= sizeof(buf) || number_len(tok, len) != len)
		return 0;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	return fetch_counter_value(strtod(buf, NULL), pos);
}
