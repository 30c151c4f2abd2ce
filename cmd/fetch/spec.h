/*
 * spec.h: what to fetch.  A spec is a resource with its parameters and
 * a record count, written "resource[?query]" on the command line or as
 * one line of standard input ("users?_locale=it_IT&_quantity=5000").
 *
 * Every parameter is checked before any request goes out: _quantity and
 * _seed belong to fk-fetch; malformed values of the parameters the API
 * knows (_locale, _birthday_start/_end, _characters, _width/_height,
 * _taxes, _price_min/_max) are refused.  Values that are well formed but
 * not on our own lists (a locale, a _type, a custom field type) go to
 * the server, which decides: fetch_spec_lint names those it will read
 * as a default.  Any other key=value passes through URL-encoded.
 */
#ifndef FETCH_SPEC_H
#define FETCH_SPEC_H

#include <stdint.h>

#include "fk.h"

struct fetch_param {
	char *key;	/* decoded, malloc'ed */
	char *val;
};

struct fetch_spec {
	char *resource;
	struct fetch_param *p;
	size_t np;
	long long count;	/* records, 1..FETCH_MAX_COUNT */
	int seeded;		/* 0 for custom: it refuses _seed */
	long lineno;		/* input line, 0 for the operand */
	uint64_t first_k;	/* run-wide index of its first request */
	uint64_t nreq;		/* its number of requests */
	/*
	 * The fields holding the service's per-response counter, which
	 * fk-fetch makes run-wide (see counter.h): "id" on the resources
	 * that have one, the fields of type counter on custom.  The names
	 * point into the spec or are literals; the array is malloc'ed.
	 */
	const char **counters;
	size_t ncounters;
};

/* What a spec inherits from the command line. */
struct fetch_defaults {
	long long count;		/* -n */
	const struct fetch_param *p;	/* -p, in order */
	size_t np;
	const char *today;		/* UTC "YYYY-MM-DD", for birthdays */
};

/*
 * Parse a -p argument "KEY=VALUE" (not URL-encoded) into out.  Refuses
 * malformed keys and the parameters fk-fetch owns (code FK_EX_USAGE).
 */
int fetch_param_parse(const char *kv, struct fetch_param *out,
    struct fk_err *e);
void fetch_param_free(struct fetch_param *p);

/*
 * Parse "resource[?query]" (query URL-encoded, '+' is a space) into sp,
 * merged with d: the spec's own parameters replace -p values of the same
 * key, its _quantity replaces -n.  Then check every parameter.  Returns
 * 0, or -1 with a one-line reason (code FK_EX_USAGE; the caller knows
 * whether the text came from argv or stdin).  sp is freed on error.
 */
int fetch_spec_parse(const char *text, const struct fetch_defaults *d,
    struct fetch_spec *sp, struct fk_err *e);
void fetch_spec_free(struct fetch_spec *sp);

/*
 * Call warn(arg, msg) for each value of sp that the service takes but
 * reads its own way (a locale it may not know is served as en_US data,
 * an unknown image _type as "any", ...).
 */
void fetch_spec_lint(const struct fetch_spec *sp,
    void (*warn)(void *arg, const char *msg), void *arg);

/*
 * Check a base URL: http or https, no query or fragment.  Returns a
 * malloc'ed copy without trailing slashes, or NULL with a reason.
 */
char *fetch_base_check(const char *url, struct fk_err *e);

/*
 * The URL of one request: base/resource?_quantity=Q[&_seed=S]&params.
 * seed 0 leaves _seed out.  malloc'ed, NULL on ENOMEM.
 */
char *fetch_url(const char *base, const struct fetch_spec *sp, int quantity,
    uint32_t seed);

/*
 * Copy url into out for messages, without any user:password@ part.
 */
void fetch_url_redact(const char *url, char *out, size_t outlen);

#endif
