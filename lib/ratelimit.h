/*
 * ratelimit.h: a token bucket, for pacing requests under a server's
 * limit.  No dependencies; the caller supplies the clock.
 *
 * The bucket holds at most `burst` tokens and gains `rate` tokens per
 * second.  In any window of W seconds it lets through at most
 * burst + rate * W requests, which is how fk-fetch stays under a fixed
 * 30-per-minute window.
 */
#ifndef FK_RATELIMIT_H
#define FK_RATELIMIT_H

struct fk_bucket {
	double rate;	/* tokens per second; <= 0: unlimited */
	double burst;	/* capacity, >= 1 */
	double tokens;
	double last;	/* clock reading of the last update */
};

void fk_bucket_init(struct fk_bucket *b, double rate, double burst,
    double now);

/*
 * Take one token.  Returns 0 if it was available now, otherwise the
 * seconds to wait; the token is reserved either way, so the caller just
 * sleeps that long and goes.
 */
double fk_bucket_take(struct fk_bucket *b, double now);

#endif
