/*
 * numfmt.c: the number formatters (see numfmt.h), below both the checker
 * (check/, which writes coerced numbers as STRING) and the text writers
 * (write/ndjson.c, write/csv.c), so neither reaches into the other.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/numfmt.h"

int
numfmt_double(double d, char out[32])
{
	long long i;
	int p;

	if (d == floor(d) && fabs(d) < 1e17) {
		i = (long long)d;
		if (i == 0 && signbit(d))
			return snprintf(out, 32, "-0");
		return snprintf(out, 32, "%lld", i);
	}
	for (p = 15; p < 17; p++) {
		snprintf(out, 32, "%.*g", p, d);
		if (strtod(out, NULL) == d)
			break;
	}
	if (p == 17)
		snprintf(out, 32, "%.17g", d);
	return (int)strlen(out);
}

/*
 * The shortest digits that read back as d (finite, not 0): digits into
 * dig (no trailing zeros), the returned count, and *decpt, the position
 * of the decimal point (d = 0.DIGITS * 10^decpt).
 */
static int
shortest(double d, char dig[20], int *decpt)
{
	char e[40], *p;
	int prec, n = 0;

	/*
	 * 15 digits round-trip a normal double whenever fewer do (their
	 * extra digits are zeros); a subnormal has fewer digits to start.
	 */
	for (prec = fabs(d) < DBL_MIN ? 1 : 15; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(e, sizeof(e), "%.16e", d);
	for (p = e; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	*decpt = atoi(p + 1) + 1;
	return n;
}

/*
 * jq 1.6's layout (its jvp_dtoa_fmt), so NDJSON numbers come out as
 * `jq -c` writes them: plain digits unless the point is more than 15
 * places past the digits or 4 or more before them.
 */
int
numfmt_number(double d, char out[NUMFMT_MAX])
{
	char dig[20];
	int n, decpt, o = 0, i, x;

	if (d == floor(d) && fabs(d) < 1e16) {
		if (d == 0 && signbit(d))
			return snprintf(out, NUMFMT_MAX, "-0");
		return snprintf(out, NUMFMT_MAX, "%lld", (long long)d);
	}
	n = shortest(d, dig, &decpt);
	if (d < 0)
		out[o++] = '-';
	if (decpt <= -4 || decpt > n + 15) {
		out[o++] = dig[0];
		if (n > 1)
			out[o++] = '.';
		for (i = 1; i < n; i++)
			out[o++] = dig[i];
		x = decpt - 1;
		o += snprintf(out + o, (size_t)(NUMFMT_MAX - o), "e%c%02d",
		    x < 0 ? '-' : '+', x < 0 ? -x : x);
	} else if (decpt <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = decpt; i < 0; i++)
			out[o++] = '0';
		for (i = 0; i < n; i++)
			out[o++] = dig[i];
	} else {
		for (i = 0; i < n || i < decpt; i++) {
			if (i == decpt)
				out[o++] = '.';
			out[o++] = i < n ? dig[i] : '0';
		}
	}
	out[o] = '\0';
	return o;
}
