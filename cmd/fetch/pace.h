/*
 * pace.h: when the next request to one endpoint may start.
 *
 * FakerAPI allows 30 requests per minute per endpoint (the path, without
 * the query) per client IP, in a fixed window that opens with the first
 * request, and answers 429 with Retry-After beyond that.  fk-fetch keeps
 * one token bucket per endpoint, rate r per minute with a burst of 1,
 * and every attempt (retries included) takes a token: any 60 s window
 * then sees at most 1 + r requests, 26 at the default r = 25, so the 30
 * never trips.  A 429 pauses the whole endpoint for the time the server
 * asked.  No dependencies: the caller supplies the clock.
 */
#ifndef FETCH_PACE_H
#define FETCH_PACE_H

#include "ratelimit.h"

struct fetch_pace {
	struct fk_bucket bucket;
	double paused;		/* no request starts before this */
};

/* per_minute <= 0: unlimited (429 pauses still apply). */
void fetch_pace_init(struct fetch_pace *p, double per_minute, double now);

/*
 * Reserve the next start: returns the clock reading (>= now) at which
 * the request may go.  The token is spent even if the caller ends up
 * not sending, which only errs on the slow side.
 */
double fetch_pace_take(struct fetch_pace *p, double now);

/* The server said "not before until": hold every later start. */
void fetch_pace_pause(struct fetch_pace *p, double until);

#endif
