/*
 * canon.h: readers for canonical-row values (schema.h says what a
 * canonical row holds), shared by the binary encoders, and the calendar
 * the schema's checks count days with.
 */
#ifndef FK_SHAPE_CANON_H
#define FK_SHAPE_CANON_H

#include <stdint.h>

#include <jv.h>

#define CANON_MAX_SAFE 9007199254740992.0	/* 2^53 */

/* INTEGER value (number or digit string) to int64; -1 if not one. */
int canon_int64(jv v, int64_t *out);		/* borrows v */
/* DATE "YYYY-MM-DD" to days since 1970-01-01. */
int canon_date(const char *s, int32_t *days);
/* TIMESTAMP/DATETIME text to microseconds since 1970-01-01T00:00:00. */
int canon_micros(const char *s, int64_t *us);
/* TIME "HH:MM:SS[.ffffff]" to microseconds since midnight. */
int canon_time(const char *s, int64_t *us);
/* FLOAT value (number or the three strings) to double. */
double canon_double(jv v);			/* borrows v */
/*
 * NUMERIC text to the two's-complement big-endian unscaled value with
 * scale 9, in 16 bytes (fits precision 38); -1 if out of range.
 */
int canon_numeric(const char *s, unsigned char out[16]);

/* Exactly n decimal digits at s, as a number; -1 if any is not a digit. */
int canon_digits(const char *s, int n, int *out);
/*
 * "YYYY-MM-DD" at s (exactly 10 bytes read, what follows is the
 * caller's), a real day in BigQuery's years 0001..9999: 0, or -1.
 */
int canon_ymd(const char *s, int *y, int *m, int *d);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int32_t canon_days_from_civil(int y, int m, int d);
/* The inverse. */
void canon_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
