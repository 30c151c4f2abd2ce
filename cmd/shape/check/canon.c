/*
 * canon.c: readers for canonical-row values (see schema.h), shared by the
 * binary encoders.  The validator has already produced canonical text, so
 * these parse strictly: anything else is a bug upstream and returns -1.
 * The calendar under them (digits, days in a month, days since 1970) is
 * also the validator's (schema.c), so both count days the same way.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "canon.h"
#include "fk.h"

#define US_PER_DAY (86400LL * 1000000LL)

int
canon_digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m (1-12) of year y, proleptic Gregorian. */
static int
month_days(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, counting in
 * 400-year eras that start on March 1 so February's length falls last.
 */
static int32_t
civil_days(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

int
canon_ymd(const char *s, int *y, int *m, int *d)
{
	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (canon_digits(s, 4, y) == -1 || canon_digits(s + 5, 2, m) == -1 ||
	    canon_digits(s + 8, 2, d) == -1)
		return -1;
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > month_days(*y, *m))
		return -1;
	return 0;
}

/* canon_ymd's date as days since 1970-01-01. */
static int
parse_date(const char *s, int32_t *days)
{
	int y, m, d;

	if (canon_ymd(s, &y, &m, &d) == -1)
		return -1;
	*days = civil_days(y, m, d);
	return 0;
}

/*
 * "HH:MM:SS[.f{1,6}]" at s; *end is set past it.  The fraction is scaled
 * to microseconds ("5" is 500000).
 */
static int
parse_clock(const char *s, int64_t *us, const char **end)
{
	int h, mi, sec, n;
	int64_t frac = 0;

	if (strnlen(s, 8) < 8 || s[2] != ':' || s[5] != ':')
		return -1;
	if (canon_digits(s, 2, &h) == -1 || canon_digits(s + 3, 2, &mi) == -1 ||
	    canon_digits(s + 6, 2, &sec) == -1)
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	s += 8;
	if (*s == '.') {
		s++;
		for (n = 0; n < 6 && *s >= '0' && *s <= '9'; n++, s++)
			frac = frac * 10 + (*s - '0');
		if (n == 0 || (*s >= '0' && *s <= '9'))
			return -1;
		for (; n < 6; n++)
			frac *= 10;
	}
	*us = ((int64_t)h * 3600 + mi * 60 + sec) * 1000000 + frac;
	*end = s;
	return 0;
}

int
canon_int64(jv v, int64_t *out)
{
	const char *s;
	const char *why;
	long long n;
	double d;

	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		d = jv_number_value(v);
		if (d != floor(d) || fabs(d) > CANON_MAX_SAFE)
			return -1;
		*out = (int64_t)d;
		return 0;
	case JV_KIND_STRING:
		s = jv_string_value(v);
		if (fk_parse_ll(s, INT64_MIN, INT64_MAX, &n, &why) == -1)
			return -1;
		/* fk_parse_ll lets strtoll skip leading space; we do not. */
		if (*s != '-' && (*s < '0' || *s > '9'))
			return -1;
		*out = n;
		return 0;
	default:
		return -1;
	}
}

int
canon_date(const char *s, int32_t *days)
{
	if (s == NULL || parse_date(s, days) == -1 || s[10] != '\0')
		return -1;
	return 0;
}

int
canon_micros(const char *s, int64_t *us)
{
	int32_t days;
	int64_t t;
	const char *end;

	if (s == NULL || parse_date(s, &days) == -1)
		return -1;
	if (s[10] != 'T' && s[10] != ' ')
		return -1;
	if (parse_clock(s + 11, &t, &end) == -1)
		return -1;
	/* TIMESTAMP carries the Z, DATETIME not: both read the same. */
	if (*end == 'Z')
		end++;
	if (*end != '\0')
		return -1;
	*us = (int64_t)days * US_PER_DAY + t;
	return 0;
}

int
canon_time(const char *s, int64_t *us)
{
	const char *end;

	if (s == NULL || parse_clock(s, us, &end) == -1 || *end != '\0')
		return -1;
	return 0;
}

double
canon_double(jv v)
{
	const char *s;

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return jv_number_value(v);
	if (jv_get_kind(v) != JV_KIND_STRING)
		return NAN;
	s = jv_string_value(v);
	if (strcmp(s, "Infinity") == 0)
		return INFINITY;
	if (strcmp(s, "-Infinity") == 0)
		return -INFINITY;
	return NAN;
}

/* Multiply the 16-byte big-endian magnitude by 10 and add d. */
static void
mag_muladd(unsigned char m[16], int d)
{
	unsigned int carry = (unsigned int)d;
	int i;

	for (i = 15; i >= 0; i--) {
		carry += m[i] * 10u;
		m[i] = carry & 0xff;
		carry >>= 8;
	}
}

/* Two's-complement negation in place. */
static void
mag_negate(unsigned char m[16])
{
	unsigned int carry = 1;
	int i;

	for (i = 15; i >= 0; i--) {
		carry += (unsigned char)~m[i];
		m[i] = carry & 0xff;
		carry >>= 8;
	}
}

int
canon_numeric(const char *s, unsigned char out[16])
{
	unsigned char m[16];
	int neg = 0, ni = 0, nf = 0, nonzero = 0;

	if (s == NULL)
		return -1;
	memset(m, 0, sizeof(m));
	if (*s == '-') {
		neg = 1;
		s++;
	}
	/*
	 * At most 29 + 9 = 38 digits: below 10^38 < 2^127, so the
	 * magnitude never reaches the sign bit and no overflow check is
	 * needed beyond the digit counts.
	 */
	for (; *s >= '0' && *s <= '9'; s++, ni++) {
		if (ni == 29)
			return -1;
		nonzero |= *s != '0';
		mag_muladd(m, *s - '0');
	}
	if (ni == 0)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
			if (nf == 9)
				return -1;
			nonzero |= *s != '0';
			mag_muladd(m, *s - '0');
		}
		if (nf == 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	for (; nf < 9; nf++)
		mag_muladd(m, 0);
	if (neg && nonzero)
		mag_negate(m);
	memcpy(out, m, 16);
	return 0;
}

int32_t
canon_days_from_civil(int y, int m, int d)
{
	return civil_days(y, m, d);
}

/* Inverse of civil_days: the same March-based eras, run backwards. */
void
canon_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z, era, doe, yoe, doy, mp;

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}
