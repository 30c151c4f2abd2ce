/*
 * retry.c: backoff, retry budget and Retry-After parsing (see retry.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "retry.h"

int
fk_retryable_status(long status)
{
	return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

double
fk_backoff(const struct fk_retry *r, int n, double u, double retry_after)
{
	double ceil = r->base;
	double d;
	int i;

	for (i = 1; i < n && ceil < r->cap; i++)
		ceil *= 2;
	if (ceil > r->cap)
		ceil = r->cap;
	/* Full jitter spreads a herd of clients over the whole interval. */
	d = u * ceil;
	return retry_after > d ? retry_after : d;
}

int
fk_retry_allowed(const struct fk_retry *r, int attempts, double elapsed,
    double delay)
{
	if (attempts >= r->max_attempts)
		return 0;
	return r->max_elapsed <= 0 || elapsed + delay <= r->max_elapsed;
}

static int
month_index(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p;

	if (strlen(m) != 3)
		return -1;
	p = strstr(names, m);
	return p == NULL || (p - names) % 3 != 0 ? -1 : (int)(p - names) / 3;
}

/* IMF-fixdate, the only form senders may generate: "Sun, 06 Nov 1994 08:49:37 GMT". */
static double
parse_http_date(const char *v, time_t now)
{
	char wd[4], mon[4], zone[4];
	int day, year, hh, mm, ss, mi;
	struct tm tm;
	time_t t;

	if (sscanf(v, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3s",
	    wd, &day, mon, &year, &hh, &mm, &ss, zone) != 8 ||
	    strcmp(zone, "GMT") != 0)
		return -1;
	mi = month_index(mon);
	if (mi < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mi;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	t = timegm(&tm);
	return t <= now ? 0 : (double)(t - now);
}

int
fk_retry_next(const struct fk_retry *r, int n, double elapsed,
    double retry_after, double *delay)
{
	*delay = fk_backoff(r, n, fk_random(), retry_after);
	return fk_retry_allowed(r, n, elapsed, *delay);
}

double
fk_retry_after(const char *v, time_t now)
{
	const char *p;
	double secs = 0;

	if (v == NULL)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\0')
		return -1;
	for (p = v; *p >= '0' && *p <= '9'; p++) {
		secs = secs * 10 + (*p - '0');
		if (secs > 86400.0 * 365)	/* nonsense: cap, don't overflow */
			secs = 86400.0 * 365;
	}
	if (p != v) {
		while (*p == ' ' || *p == '\t')
			p++;
		return *p == '\0' ? secs : -1;
	}
	return parse_http_date(v, now);
}

static pthread_mutex_t rnd_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rnd_state;

/* splitmix64: small, good enough for jitter, seeded once per process. */
double
fk_random(void)
{
	uint64_t z;
	struct timespec ts;

	pthread_mutex_lock(&rnd_lock);
	if (rnd_state == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		rnd_state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		    ((uint64_t)getpid() << 40);
	}
	z = (rnd_state += 0x9e3779b97f4a7c15ULL);
	pthread_mutex_unlock(&rnd_lock);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}
