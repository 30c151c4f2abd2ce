/*
 * shape.h: helpers shared by fk-shape's modules (not by other tools).
 */
#ifndef FK_SHAPE_SHAPE_H
#define FK_SHAPE_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include <jv.h>

#include "buf.h"

#define CANON_MAX_SAFE 9007199254740992.0	/* 2^53 */

/* Days since 1970-01-01 of a proleptic Gregorian date (canon.c). */
int32_t canon_days_from_civil(int y, int m, int d);
/* The inverse. */
void canon_civil_from_days(int64_t days, int *y, int *m, int *d);

/*
 * Shortest text that reads back as the same double (finite d), as JSON
 * writes numbers: "42", "-0.5", "1e+21".  Returns its length (< 32).
 */
int numfmt_double(double d, char out[32]);

/*
 * d (finite) as `jq -c` (jq 1.6) writes it: "1e+17", "12345678901234567000",
 * "1e-05".  Returns its length (< NUMFMT_MAX).  For NDJSON and CSV.
 */
#define NUMFMT_MAX 40
int numfmt_number(double d, char out[NUMFMT_MAX]);

#endif
