/*
 * test_scan.c: value boundaries and syntax errors of the scanner.
 */
#include <string.h>

#include "t.h"
#include "scan.h"

/*
 * Scan the whole text: the values found, as "start-end" pairs joined by
 * spaces, or "E@offset" at the first error.
 */
static void
scan_all(const char *text, char *out, size_t n)
{
	struct fk_scan s;
	size_t pos = 0, len = strlen(text), o = 0;
	int r;

	out[0] = '\0';
	fk_scan_init(&s);
	for (;;) {
		r = fk_scan_next(&s, text, len, &pos);
		if (r == FK_SCAN_MORE)
			r = fk_scan_eof(&s), pos = len;
		if (r == FK_SCAN_MORE)
			return;
		if (r == FK_SCAN_ERROR) {
			snprintf(out + o, n - o, "%sE@%zu", o ? " " : "", pos);
			return;
		}
		o += (size_t)snprintf(out + o, n - o, "%s%zu-%zu", o ? " " : "",
		    s.start, pos);
		if (pos == len)
			return;
	}
}

int
main(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "{}", "0-2" },
		{ "{\"a\":1}\n{\"b\":2}\n", "0-7 8-15" },
		{ "{}{}[]", "0-2 2-4 4-6" },
		{ "1 2 3", "0-1 2-3 4-5" },
		{ "-0.5e+3\n", "0-7" },
		{ "true false null", "0-4 5-10 11-15" },
		{ "\"a\\\"b\" \"c\"", "0-6 7-10" },
		{ "[1,[2,{\"x\":[]}]]", "0-16" },
		{ "  \n\t ", "" },
		{ "\"\\u00e9\\ud83d\\ude00\"", "0-20" },
		{ "\"\xc3\xa9\xf0\x9f\x98\x80\"", "0-8" },
		/* errors */
		{ "{\"a\" 1}", "E@5" },
		{ "{\"a\":1,}", "E@7" },
		{ "[1,]", "E@3" },
		{ "[1 2]", "E@3" },
		{ "{1:2}", "E@1" },
		{ "01", "E@1" },
		{ "1.", "E@2" },
		{ ".5", "E@0" },
		{ "+1", "E@0" },
		{ "nan", "E@1" },
		{ "tru", "E@3" },
		{ "truex", "E@4" },
		{ "1x", "E@1" },
		{ "\"abc", "E@4" },
		{ "\"a\nb\"", "E@2" },
		{ "\"\\x\"", "E@2" },
		{ "\"\\u12g4\"", "E@5" },
		{ "\"\\ud800\"", "E@7" },
		{ "\"\\ud800\\u0041\"", "E@12" },
		{ "\"\\udc00\"", "E@6" },
		{ "\"\xff\"", "E@1" },
		{ "\"\xc0\xaf\"", "E@1" },
		{ "\"\xe0\x80\x80\"", "E@2" },
		{ "\"\xed\xa0\x80\"", "E@2" },
		{ "\"\xf4\x90\x80\x80\"", "E@2" },
		{ "\"\xc3\"", "E@2" },
		{ "{\"a\":1}]", "0-7 E@7" },
		{ "[", "E@1" },
		{ "}", "E@0" },
	};
	char got[256], deep[600];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		scan_all(t[i].in, got, sizeof(got));
		T_OK(strcmp(got, t[i].want) == 0, "scan %zu: want \"%s\", got "
		    "\"%s\"", i, t[i].want, got);
	}
	memset(deep, '[', 128);
	memset(deep + 128, ']', 128);
	deep[256] = '\0';
	scan_all(deep, got, sizeof(got));
	T_STREQ(got, "0-256", "128 levels of nesting pass");
	memset(deep, '[', 129);
	memset(deep + 129, ']', 129);
	deep[258] = '\0';
	scan_all(deep, got, sizeof(got));
	T_STREQ(got, "E@128", "129 levels of nesting fail");
	T_DONE();
}
