/*
 * spec.c: parsing and checking what to fetch (see spec.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "counter.h"
#include "http.h"
#include "plan.h"
#include "spec.h"

/*
 * Locales the service is known to serve: the 74 its site lists
 * (config/api.php of the public code) and the other locales of Faker.
 * The service takes any other value too and serves it as en_US data, so
 * a locale missing here is sent with a warning, never refused.
 */
static const char locales[] =
    " ar_EG ar_JO ar_SA at_AT bg_BG bn_BD cs_CZ da_DK de_AT de_CH de_DE"
    " el_CY el_GR en_AU en_CA en_GB en_HK en_IN en_NG en_NZ en_PH en_SG"
    " en_UG en_US en_ZA es_AR es_ES es_PE es_VE et_EE fa_IR fi_FI fr_BE"
    " fr_CA fr_CH fr_FR he_IL hr_HR hu_HU hy_AM id_ID is_IS it_CH it_IT"
    " ja_JP ka_GE kk_KZ ko_KR lt_LT lv_LV me_ME mn_MN ms_MY nb_NO ne_NP"
    " nl_BE nl_NL pl_PL pt_BR pt_PT ro_MD ro_RO ru_RU sk_SK sl_SI sr_Cyrl_RS"
    " sr_Latn_RS sr_RS sv_SE th_TH tr_TR uk_UA vi_VN zh_CN zh_TW ";

static const char image_types[] =
    " any animals architecture nature people tech kittens pokemon ";

void
fetch_param_free(struct fetch_param *p)
{
	free(p->key);
	free(p->val);
	p->key = p->val = NULL;
}

void
fetch_spec_free(struct fetch_spec *sp)
{
	size_t i;

	for (i = 0; i < sp->np; i++)
		fetch_param_free(&sp->p[i]);
	free(sp->p);
	free(sp->resource);
	free(sp->counters);
	sp->counters = NULL;
	sp->ncounters = 0;
	sp->p = NULL;
	sp->resource = NULL;
	sp->np = 0;
}

/*
 * PHP turns '.' and ' ' in a parameter name into '_' and reads '[' as
 * an array: such names would reach the API as something else.
 */
static int
check_key(const char *k, struct fk_err *e)
{
	const unsigned char *p;

	if (*k == '\0')
		return fk_fail(e, FK_EX_USAGE, "empty parameter name");
	for (p = (const unsigned char *)k; *p != '\0'; p++)
		if (*p == '.' || *p == ' ' || *p == '[' || *p == ']' ||
		    *p < 0x20 || *p == 0x7f)
			return fk_fail(e, FK_EX_USAGE, "invalid parameter name "
			    "'%s': the API would read it differently", k);
	if (strcmp(k, "_seed") == 0)
		return fk_fail(e, FK_EX_USAGE,
		    "'_seed' is set by fk-fetch: use --seed");
	return 0;
}

int
fetch_param_parse(const char *kv, struct fetch_param *out, struct fk_err *e)
{
	const char *eq = strchr(kv, '=');

	out->key = out->val = NULL;
	if (eq == NULL)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid parameter '%s': expected KEY=VALUE", kv);
	out->key = strndup(kv, (size_t)(eq - kv));
	out->val = strdup(eq + 1);
	if (out->key == NULL || out->val == NULL) {
		fetch_param_free(out);
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	}
	if (check_key(out->key, e) < 0 || (strcmp(out->key, "_quantity") == 0 &&
	    fk_fail(e, FK_EX_USAGE, "'_quantity' is set by fk-fetch: use "
	    "--count") < 0)) {
		fetch_param_free(out);
		return -1;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode n bytes of a query component ('+' is a space) into *out. */
static int
decode(const char *s, size_t n, char **out, struct fk_err *e)
{
	char *o = malloc(n + 1);
	size_t i, j = 0;
	int hi, lo;

	if (o == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			o[j++] = s[i] == '+' ? ' ' : s[i];
			continue;
		}
		hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
		lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
		/* %00 would end the C string early: refuse it. */
		if (hi < 0 || lo < 0 || (hi | lo) == 0) {
			free(o);
			return fk_fail(e, FK_EX_USAGE,
			    "invalid percent-encoding in '%.*s'", (int)n, s);
		}
		o[j++] = (char)(hi << 4 | lo);
		i += 2;
	}
	o[j] = '\0';
	*out = o;
	return 0;
}

/* Index of key in sp's parameters, or -1. */
static long
find(const struct fetch_spec *sp, const char *key)
{
	size_t i;

	for (i = 0; i < sp->np; i++)
		if (strcmp(sp->p[i].key, key) == 0)
			return (long)i;
	return -1;
}

/* Append (key, val), taking ownership of both. */
static int
append(struct fetch_spec *sp, char *key, char *val, struct fk_err *e)
{
	struct fetch_param *p;

	p = realloc(sp->p, (sp->np + 1) * sizeof(*p));
	if (p == NULL) {
		free(key);
		free(val);
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	}
	sp->p = p;
	sp->p[sp->np].key = key;
	sp->p[sp->np].val = val;
	sp->np++;
	return 0;
}

static int
parse_count(const char *v, long long *out, struct fk_err *e)
{
	const char *why;

	if (fk_parse_ll(v, 1, FETCH_MAX_COUNT, out, &why) < 0)
		return fk_fail(e, FK_EX_USAGE, "invalid count '%s': %s "
		    "(1 to %lld)", v, why, FETCH_MAX_COUNT);
	return 0;
}

/*
 * One "key=value" piece of the spec's own query.  PHP would keep only
 * the last of two equal keys: a repeated key is refused, not guessed.
 */
static int
take_piece(struct fetch_spec *sp, const char *s, size_t n, int *have_count,
    struct fk_err *e)
{
	const char *eq = memchr(s, '=', n);
	char *key = NULL, *val = NULL;

	if (eq == NULL)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid parameter '%.*s': expected key=value", (int)n, s);
	if (decode(s, (size_t)(eq - s), &key, e) < 0)
		return -1;
	if (decode(eq + 1, n - (size_t)(eq - s) - 1, &val, e) < 0 ||
	    check_key(key, e) < 0)
		goto fail;
	if (strcmp(key, "_quantity") == 0 ? *have_count : find(sp, key) >= 0) {
		fk_fail(e, FK_EX_USAGE, "parameter '%s' given twice", key);
		goto fail;
	}
	if (strcmp(key, "_quantity") != 0)
		return append(sp, key, val, e);
	*have_count = 1;
	if (parse_count(val, &sp->count, e) < 0)
		goto fail;
	free(key);
	free(val);
	return 0;
fail:
	free(key);
	free(val);
	return -1;
}

/* A resource is one path segment; the server decides whether it exists. */
static int
check_resource(const char *r, size_t n, struct fk_err *e)
{
	size_t i;

	if (n == 0)
		return fk_fail(e, FK_EX_USAGE, "missing resource name");
	for (i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' &&
		    r[i] <= 'Z') || (r[i] >= '0' && r[i] <= '9') ||
		    r[i] == '_' || r[i] == '-'))
			return fk_fail(e, FK_EX_USAGE, "invalid resource "
			    "'%.*s': letters, digits, '_' and '-' only",
			    (int)n, r);
	return 0;
}

/* The query's pieces, then the -p values the spec does not set. */
static int
take_params(struct fetch_spec *sp, const char *q,
    const struct fetch_defaults *d, struct fk_err *e)
{
	const char *amp;
	char *k, *v;
	int have_count = 0;
	size_t i;

	for (; q != NULL && *q != '\0'; q = *amp ? amp + 1 : amp) {
		amp = q + strcspn(q, "&");
		/* "a=1&&b=2": PHP skips empty pieces, so do we. */
		if (amp > q && take_piece(sp, q, (size_t)(amp - q),
		    &have_count, e) < 0)
			return -1;
	}
	for (i = 0; i < d->np; i++) {
		if (find(sp, d->p[i].key) >= 0)
			continue;
		k = strdup(d->p[i].key);
		v = strdup(d->p[i].val);
		if (k == NULL || v == NULL) {
			free(k);
			free(v);
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		}
		if (append(sp, k, v, e) < 0)
			return -1;
	}
	return 0;
}

static const char *
get(const struct fetch_spec *sp, const char *key)
{
	long i = find(sp, key);

	return i < 0 ? NULL : sp->p[i].val;
}

static int
check_int(const char *key, const char *v, long long min, long long max,
    struct fk_err *e)
{
	const char *why;
	long long n;

	if (fk_parse_ll(v, min, max, &n, &why) < 0)
		return fk_fail(e, FK_EX_USAGE, "invalid %s '%s': %s (%lld to "
		    "%lld)", key, v, why, min, max);
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * A real calendar date YYYY-MM-DD: strtotime would roll 2023-02-30 over
 * to March and read other forms in ways that depend on the server.
 */
static int
check_date(const char *key, const char *v, struct fk_err *e)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, n = 0;

	if (strlen(v) != 10 || strspn(v, "0123456789-") != 10 ||
	    v[4] != '-' || v[7] != '-' ||
	    sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return fk_fail(e, FK_EX_USAGE, "invalid %s '%s': expected a "
		    "date YYYY-MM-DD", key, v);
	if (y < 1000 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y)))
		return fk_fail(e, FK_EX_USAGE, "invalid %s '%s': no such date",
		    key, v);
	return 0;
}

/*
 * The birthday range: the server draws between start (default 90 years
 * ago) and end (default now) and fails with HTTP 500 if start > end.
 */
static int
check_birthdays(const struct fetch_spec *sp, const char *today,
    struct fk_err *e)
{
	const char *s = get(sp, "_birthday_start");
	const char *t = get(sp, "_birthday_end");
	char ago[32];
	int y = 0, md = 0;

	if ((s != NULL && check_date("_birthday_start", s, e) < 0) ||
	    (t != NULL && check_date("_birthday_end", t, e) < 0))
		return -1;
	if (s != NULL && t != NULL && strcmp(s, t) > 0)
		return fk_fail(e, FK_EX_USAGE, "_birthday_start '%s' is after "
		    "_birthday_end '%s'", s, t);
	if (today == NULL || sscanf(today, "%d-%n", &y, &md) != 1 || md != 5)
		return 0;
	if (s != NULL && t == NULL && strcmp(s, today) > 0)
		return fk_fail(e, FK_EX_USAGE, "_birthday_start '%s' is in the "
		    "future: give _birthday_end too", s);
	snprintf(ago, sizeof(ago), "%04d-%.5s", y - 90, today + 5);
	if (t != NULL && s == NULL && strcmp(t, ago) <= 0)
		return fk_fail(e, FK_EX_USAGE, "_birthday_end '%s' is before "
		    "the default start (90 years ago): give _birthday_start "
		    "too", t);
	return 0;
}

/* A price: digits with at most two decimals. */
static int
check_price(const char *key, const char *v, double *out, struct fk_err *e)
{
	size_t ip = strspn(v, "0123456789"), fp = 0;

	if (v[ip] == '.')
		fp = strspn(v + ip + 1, "0123456789");
	if (ip == 0 || ip > 9 || (v[ip] == '.' ? fp < 1 || fp > 2 ||
	    v[ip + 1 + fp] != '\0' : v[ip] != '\0'))
		return fk_fail(e, FK_EX_USAGE, "invalid %s '%s': expected a "
		    "price such as 9.99", key, v);
	*out = strtod(v, NULL);
	return 0;
}

static int
check_prices(const struct fetch_spec *sp, struct fk_err *e)
{
	const char *lo = get(sp, "_price_min"), *hi = get(sp, "_price_max");
	double l = 0, h = 0;

	if ((lo != NULL && check_price("_price_min", lo, &l, e) < 0) ||
	    (hi != NULL && check_price("_price_max", hi, &h, e) < 0))
		return -1;
	if (lo != NULL && hi != NULL && l > h)
		return fk_fail(e, FK_EX_USAGE, "_price_min '%s' is above "
		    "_price_max '%s'", lo, hi);
	return 0;
}

/*
 * custom: every parameter but _locale names an output field and its
 * type.  The service decides which types exist (an unknown one is its
 * HTTP 400, reported as such); at least one field is needed.
 */
static int
check_custom(const struct fetch_spec *sp, struct fk_err *e)
{
	size_t i, fields = 0;

	for (i = 0; i < sp->np; i++)
		if (strcmp(sp->p[i].key, "_locale") != 0)
			fields++;
	if (fields == 0)
		return fk_fail(e, FK_EX_USAGE, "custom needs at least one "
		    "field, e.g. -p name=firstName");
	return 0;
}

/* Letters only, n of them; upper: capitals only, else small ones. */
static int
letters(const char *s, size_t n, int upper)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(upper ? s[i] >= 'A' && s[i] <= 'Z' :
		    s[i] >= 'a' && s[i] <= 'z'))
			return 0;
	return 1;
}

/*
 * A locale is written ll_CC or ll_Script_CC (sr_Latn_RS), the spelling
 * Faker's class names use; anything else cannot name a locale.
 */
static int
check_locale(const char *v, struct fk_err *e)
{
	size_t n = strlen(v), l = strcspn(v, "_");

	if ((l == 2 || l == 3) && letters(v, l, 0) && n >= l + 3 &&
	    letters(v + n - 2, 2, 1) && v[n - 3] == '_' &&
	    (n == l + 3 || (n == l + 8 && letters(v + l + 1, 1, 1) &&
	    letters(v + l + 2, 3, 0) && v[l + 5] == '_')))
		return 0;
	return fk_fail(e, FK_EX_USAGE, "invalid _locale '%s': expected a "
	    "locale written like en_US or sr_Latn_RS", v);
}

/*
 * Each known parameter's value, wherever it appears.  Only malformed
 * values are refused; values the service takes (and perhaps reads as a
 * default) are the server's to judge, see fetch_spec_lint.
 */
static int
check_value(const char *k, const char *v, struct fk_err *e)
{
	if (strcmp(k, "_locale") == 0)
		return check_locale(v, e);
	/* Below 10 the service fails with HTTP 500. */
	if (strcmp(k, "_characters") == 0)
		return check_int(k, v, 10, 2147483647LL, e);
	if (strcmp(k, "_width") == 0 || strcmp(k, "_height") == 0)
		return check_int(k, v, 1, 2147483647LL, e);
	if (strcmp(k, "_taxes") == 0)
		return check_int(k, v, 0, 2147483647LL, e);
	return 0;
}

static int
check_spec(const struct fetch_spec *sp, const char *today, struct fk_err *e)
{
	size_t i;

	for (i = 0; i < sp->np; i++)
		if (check_value(sp->p[i].key, sp->p[i].val, e) < 0)
			return -1;
	if (check_birthdays(sp, today, e) < 0 || check_prices(sp, e) < 0)
		return -1;
	return sp->seeded ? 0 : check_custom(sp, e);
}

/* The spec's counter fields (see counter.h). */
static int
find_counters(struct fetch_spec *sp, struct fk_err *e)
{
	size_t i;

	sp->counters = malloc((sp->np + 1) * sizeof(*sp->counters));
	if (sp->counters == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	if (sp->seeded) {
		if (fetch_resource_has_id(sp->resource))
			sp->counters[sp->ncounters++] = "id";
		return 0;
	}
	for (i = 0; i < sp->np; i++)
		if (strcmp(sp->p[i].key, "_locale") != 0 &&
		    fetch_type_is_counter(sp->p[i].val))
			sp->counters[sp->ncounters++] = sp->p[i].key;
	return 0;
}

int
fetch_spec_parse(const char *text, const struct fetch_defaults *d,
    struct fetch_spec *sp, struct fk_err *e)
{
	size_t rlen = strcspn(text, "?");

	memset(sp, 0, sizeof(*sp));
	sp->count = d->count;
	if (check_resource(text, rlen, e) < 0)
		return -1;
	sp->resource = strndup(text, rlen);
	if (sp->resource == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	/* The public code treats _seed on custom as a field: HTTP 400. */
	sp->seeded = strcmp(sp->resource, "custom") != 0;
	if (take_params(sp, text[rlen] == '?' ? text + rlen + 1 : NULL, d,
	    e) < 0 || check_spec(sp, d->today, e) < 0 ||
	    find_counters(sp, e) < 0) {
		fetch_spec_free(sp);
		return -1;
	}
	return 0;
}

char *
fetch_base_check(const char *url, struct fk_err *e)
{
	const unsigned char *p;
	size_t n = strlen(url);
	char *out;

	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		fk_fail(e, FK_EX_USAGE, "invalid base URL '%s': not http:// "
		    "or https://", url);
		return NULL;
	}
	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#') {
			fk_fail(e, FK_EX_USAGE, "invalid base URL '%s': %s",
			    url, *p == '?' || *p == '#' ? "no query or "
			    "fragment allowed" : "contains a space or control "
			    "character");
			return NULL;
		}
	while (n > 0 && url[n - 1] == '/')
		n--;
	out = strndup(url, n);
	if (out == NULL)
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return out;
}

/* Append "&key=value", both percent-encoded. */
static int
add_pair(struct fk_buf *b, const char *key, const char *val)
{
	char *k = fk_url_escape(key), *v = fk_url_escape(val);
	int rc = -1;

	if (k != NULL && v != NULL && fk_buf_add(b, "&", 1) == 0 &&
	    fk_buf_add(b, k, strlen(k)) == 0 && fk_buf_add(b, "=", 1) == 0 &&
	    fk_buf_add(b, v, strlen(v)) == 0)
		rc = 0;
	free(k);
	free(v);
	return rc;
}

char *
fetch_url(const char *base, const struct fetch_spec *sp, int quantity,
    uint32_t seed)
{
	struct fk_buf b = { 0 };
	char head[64];
	size_t i;
	int n;

	n = seed != 0 ? snprintf(head, sizeof(head), "?_quantity=%d&_seed=%lu",
	    quantity, (unsigned long)seed) : snprintf(head, sizeof(head),
	    "?_quantity=%d", quantity);
	if (fk_buf_add(&b, base, strlen(base)) < 0 ||
	    fk_buf_add(&b, "/", 1) < 0 ||
	    fk_buf_add(&b, sp->resource, strlen(sp->resource)) < 0 ||
	    fk_buf_add(&b, head, (size_t)n) < 0)
		goto fail;
	for (i = 0; i < sp->np; i++)
		if (add_pair(&b, sp->p[i].key, sp->p[i].val) < 0)
			goto fail;
	return b.p;
fail:
	fk_buf_free(&b);
	return NULL;
}

void
fetch_url_redact(const char *url, char *out, size_t outlen)
{
	const char *host = strstr(url, "://"), *at, *slash;

	if (outlen == 0)
		return;
	if (host != NULL) {
		host += 3;
		slash = host + strcspn(host, "/?#");
		at = memchr(host, '@', (size_t)(slash - host));
		if (at != NULL) {
			snprintf(out, outlen, "%.*s%s", (int)(host - url), url,
			    at + 1);
			return;
		}
	}
	snprintf(out, outlen, "%s", url);
}

/* A value the service takes but reads its own way: say how. */
static void
lint_value(const char *k, const char *v,
    void (*warn)(void *, const char *), void *arg)
{
	char msg[FK_ERR_MAX];

	msg[0] = '\0';
	if (strcmp(k, "_locale") == 0 && !fetch_in_list(locales, v))
		snprintf(msg, sizeof(msg), "_locale '%.64s' is not a locale "
		    "FakerAPI is known to serve: it serves unknown ones as "
		    "en_US data", v);
	else if (strcmp(k, "_gender") == 0 && *v != '\0' &&
	    !fetch_in_list(" male female ", v))
		snprintf(msg, sizeof(msg), "_gender '%.64s' is neither male "
		    "nor female: the service picks names of either gender",
		    v);
	else if (strcmp(k, "_type") == 0 && !fetch_in_list(image_types, v))
		snprintf(msg, sizeof(msg), "_type '%.64s' is not an image "
		    "type FakerAPI lists: it serves unknown ones as 'any'", v);
	else if (strcmp(k, "_categories_type") == 0 &&
	    !fetch_in_list(" integer string uuid ", v))
		snprintf(msg, sizeof(msg), "_categories_type '%.64s' is not "
		    "integer, string or uuid: the service reads it its own "
		    "way", v);
	if (msg[0] != '\0')
		warn(arg, msg);
}

void
fetch_spec_lint(const struct fetch_spec *sp,
    void (*warn)(void *arg, const char *msg), void *arg)
{
	size_t i;

	/* On custom, every parameter but _locale is a field of the user's. */
	for (i = 0; i < sp->np; i++)
		if (sp->seeded || strcmp(sp->p[i].key, "_locale") == 0)
			lint_value(sp->p[i].key, sp->p[i].val, warn, arg);
}
