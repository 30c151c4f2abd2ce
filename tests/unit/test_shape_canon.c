/*
 * test_shape_canon.c: the canonical-value readers of cmd/shape/check/canon.c.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "shape/check/canon.h"

static void
test_int64(void)
{
	static const struct {
		const char *json;
		int rc;
		int64_t want;
	} t[] = {
		{ "0", 0, 0 },
		{ "-42", 0, -42 },
		{ "9007199254740992", 0, 9007199254740992LL },
		{ "-9007199254740992", 0, -9007199254740992LL },
		{ "9007199254740994", -1, 0 },	/* past 2^53 as a double */
		{ "1.5", -1, 0 },
		{ "\"9223372036854775807\"", 0, INT64_MAX },
		{ "\"-9223372036854775808\"", 0, INT64_MIN },
		{ "\"9223372036854775808\"", -1, 0 },
		{ "\"12a\"", -1, 0 },
		{ "\" 12\"", -1, 0 },
		{ "\"+12\"", -1, 0 },
		{ "\"\"", -1, 0 },
		{ "\"-\"", -1, 0 },
		{ "true", -1, 0 },
		{ "null", -1, 0 },
	};
	size_t i;
	int64_t got;
	int rc;
	jv v;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = jv_parse(t[i].json);
		got = 0;
		rc = canon_int64(v, &got);
		jv_free(v);
		T_OK(rc == t[i].rc && (rc == -1 || got == t[i].want),
		    "canon_int64(%s) rc %d value %lld", t[i].json, rc,
		    (long long)got);
	}
}

static void
test_date(void)
{
	static const struct {
		const char *s;
		int rc;
		int32_t want;
	} t[] = {
		{ "1970-01-01", 0, 0 },
		{ "1970-01-02", 0, 1 },
		{ "1969-12-31", 0, -1 },
		{ "1939-03-20", 0, -11245 },
		{ "2000-02-29", 0, 11016 },
		{ "0001-01-01", 0, -719162 },
		{ "9999-12-31", 0, 2932896 },
		{ "1900-02-29", -1, 0 },
		{ "2001-02-29", -1, 0 },
		{ "2024-13-01", -1, 0 },
		{ "2024-04-31", -1, 0 },
		{ "0000-01-01", -1, 0 },
		{ "2024-1-01", -1, 0 },
		{ "2024-01-01T", -1, 0 },
		{ "2024-01", -1, 0 },
		{ "", -1, 0 },
	};
	size_t i;
	int32_t got;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = 0;
		rc = canon_date(t[i].s, &got);
		T_OK(rc == t[i].rc && (rc == -1 || got == t[i].want),
		    "canon_date(\"%s\") rc %d value %d", t[i].s, rc,
		    (int)got);
	}
	T_OK(canon_date(NULL, &got) == -1, "canon_date(NULL) fails");
}

static void
test_micros(void)
{
	static const struct {
		const char *s;
		int rc;
		int64_t want;
	} t[] = {
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "1970-01-01T00:00:00", 0, 0 },
		{ "1970-01-01T00:00:01.5Z", 0, 1500000 },
		{ "1970-01-01T00:00:00.000001Z", 0, 1 },
		{ "1969-12-31T23:59:59.999999Z", 0, -1 },
		{ "2009-02-13T23:31:30Z", 0, 1234567890000000LL },
		{ "9999-12-31T23:59:59.999999Z", 0, 253402300799999999LL },
		{ "0001-01-01T00:00:00Z", 0, -62135596800000000LL },
		{ "2009-02-13 23:31:30", 0, 1234567890000000LL },
		{ "1970-01-01T00:00:00.Z", -1, 0 },
		{ "1970-01-01T00:00:00.1234567Z", -1, 0 },
		{ "1970-01-01T24:00:00Z", -1, 0 },
		{ "1970-01-01T00:60:00Z", -1, 0 },
		{ "1970-01-01T00:00:60Z", -1, 0 },
		{ "1970-01-01T00:00:00+01:00", -1, 0 },
		{ "1970-01-01T00:00:00ZZ", -1, 0 },
		{ "1970-01-01", -1, 0 },
	};
	size_t i;
	int64_t got;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = 0;
		rc = canon_micros(t[i].s, &got);
		T_OK(rc == t[i].rc && (rc == -1 || got == t[i].want),
		    "canon_micros(\"%s\") rc %d value %lld", t[i].s, rc,
		    (long long)got);
	}
}

static void
test_time(void)
{
	static const struct {
		const char *s;
		int rc;
		int64_t want;
	} t[] = {
		{ "00:00:00", 0, 0 },
		{ "23:59:59.999999", 0, 86399999999LL },
		{ "12:30:00.25", 0, 45000250000LL },
		{ "24:00:00", -1, 0 },
		{ "12:30", -1, 0 },
		{ "12:30:00Z", -1, 0 },
		{ "1:30:00", -1, 0 },
	};
	size_t i;
	int64_t got;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = 0;
		rc = canon_time(t[i].s, &got);
		T_OK(rc == t[i].rc && (rc == -1 || got == t[i].want),
		    "canon_time(\"%s\") rc %d value %lld", t[i].s, rc,
		    (long long)got);
	}
}

static void
test_double(void)
{
	jv v;

	v = jv_number(2.5);
	T_OK(canon_double(v) == 2.5, "canon_double(2.5)");
	jv_free(v);
	v = jv_string("NaN");
	T_OK(isnan(canon_double(v)), "canon_double(\"NaN\")");
	jv_free(v);
	v = jv_string("Infinity");
	T_OK(isinf(canon_double(v)) && canon_double(v) > 0,
	    "canon_double(\"Infinity\")");
	jv_free(v);
	v = jv_string("-Infinity");
	T_OK(isinf(canon_double(v)) && canon_double(v) < 0,
	    "canon_double(\"-Infinity\")");
	jv_free(v);
}

/* The 16 bytes as 32 hex digits, for comparison with the table. */
static void
hex16(const unsigned char b[16], char out[33])
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = x[b[i] >> 4];
		out[2 * i + 1] = x[b[i] & 15];
	}
	out[32] = '\0';
}

static void
test_numeric(void)
{
	static const struct {
		const char *s;
		int rc;
		const char *hex;
	} t[] = {
		{ "0", 0, "00000000000000000000000000000000" },
		{ "-0", 0, "00000000000000000000000000000000" },
		{ "1", 0, "0000000000000000000000003b9aca00" },
		{ "-1", 0, "ffffffffffffffffffffffffc4653600" },
		{ "0.000000001", 0, "00000000000000000000000000000001" },
		{ "-0.000000001", 0, "ffffffffffffffffffffffffffffffff" },
		{ "-12.5", 0, "fffffffffffffffffffffffd16f12300" },
		/* 10^38 - 1, the largest NUMERIC */
		{ "99999999999999999999999999999.999999999", 0,
		    "4b3b4ca85a86c47a098a223fffffffff" },
		{ "-99999999999999999999999999999.999999999", 0,
		    "b4c4b357a5793b85f675ddc000000001" },
		{ "100000000000000000000000000000", -1, NULL },
		{ "0.0000000001", -1, NULL },
		{ "1e5", -1, NULL },
		{ "1.", -1, NULL },
		{ ".5", -1, NULL },
		{ "+1", -1, NULL },
		{ "", -1, NULL },
		{ "-", -1, NULL },
	};
	unsigned char b[16];
	char h[33];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(b, 0xaa, sizeof(b));
		rc = canon_numeric(t[i].s, b);
		hex16(b, h);
		T_OK(rc == t[i].rc && (rc == -1 || strcmp(h, t[i].hex) == 0),
		    "canon_numeric(\"%s\") rc %d value %s", t[i].s, rc,
		    rc == 0 ? h : "-");
	}
}

int
main(void)
{
	test_int64();
	test_date();
	test_micros();
	test_time();
	test_double();
	test_numeric();
	T_DONE();
}
