/*
 * retry.h: the retry policy shared by fk-fetch and gcs-put, with no
 * dependencies so it can be unit-tested alone.
 *
 * Truncated exponential backoff with full jitter: before retry n (n = 1
 * for the first retry) wait a uniform random time in
 * [0, min(cap, base * 2^(n-1))].  A server's Retry-After is honoured as
 * a lower bound.  Only 408, 429 and 5xx statuses, timeouts and connection
 * resets are retried; the budget is a number of attempts and, optionally,
 * a total time.
 */
#ifndef FK_RETRY_H
#define FK_RETRY_H

#include <time.h>

struct fk_retry {
	int max_attempts;	/* attempts in all, first included; >= 1 */
	double base;		/* seconds; cap of the first backoff */
	double cap;		/* seconds; no backoff is drawn above this */
	double max_elapsed;	/* seconds since the first attempt; 0: none */
};

/* Defaults: 8 attempts, 1 s base, 32 s cap, no time budget. */
#define FK_RETRY_DEFAULT { 8, 1.0, 32.0, 0.0 }

/* Nonzero for 408, 429 and 500-599. */
int fk_retryable_status(long status);

/*
 * Delay before retry number n (n >= 1).  u is a uniform random number in
 * [0, 1) supplied by the caller (tests pass fixed values).  retry_after
 * is the server's demand in seconds, or a negative value when absent.
 */
double fk_backoff(const struct fk_retry *r, int n, double u,
    double retry_after);

/*
 * Nonzero if another attempt is allowed after `attempts` attempts that
 * started `elapsed` seconds ago, given the next delay.
 */
int fk_retry_allowed(const struct fk_retry *r, int attempts, double elapsed,
    double delay);

/*
 * The step every retry loop shares: after failure n (n >= 1) of a run
 * that began `elapsed` seconds ago, with the server's retry_after
 * (negative: none), 1 and the wait before the next attempt in *delay,
 * or 0 when the budget is spent.
 */
int fk_retry_next(const struct fk_retry *r, int n, double elapsed,
    double retry_after, double *delay);

/*
 * Parse a Retry-After value: delta-seconds or an HTTP-date (RFC 9110).
 * now is the current wall-clock time, for dates.  Returns seconds (>= 0),
 * or -1 if the value is absent or malformed.
 */
double fk_retry_after(const char *value, time_t now);

/* A uniform random number in [0, 1) from a process-wide seeded PRNG. */
double fk_random(void);

#endif
