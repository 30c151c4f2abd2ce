/*
 * numfmt.h: numbers written as text the way JSON and jq write them.
 */
#ifndef FK_SHAPE_NUMFMT_H
#define FK_SHAPE_NUMFMT_H

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
