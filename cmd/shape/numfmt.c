/*
 * numfmt.c: the one number formatter (see shape.h), below both the checker
 * (check/, which writes coerced numbers as STRING) and the text writers
 * (write/text.c), so neither reaches into the other.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/shape.h"

int
fk_fmt_double(double d, char out[32])
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
