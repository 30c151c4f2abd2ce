/*
 * ratelimit.c: token bucket (see ratelimit.h).
 */
#include "ratelimit.h"

void
fk_bucket_init(struct fk_bucket *b, double rate, double burst, double now)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = now;
}

double
fk_bucket_take(struct fk_bucket *b, double now)
{
	double wait;

	if (b->rate <= 0)
		return 0;
	if (now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	b->tokens -= 1;
	/* A negative balance is a debt paid by waiting: the token is ours. */
	if (b->tokens >= 0)
		return 0;
	wait = -b->tokens / b->rate;
	return wait;
}
