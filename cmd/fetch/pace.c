/*
 * pace.c: per-endpoint pacing (see pace.h).
 */
#include "pace.h"

void
fetch_pace_init(struct fetch_pace *p, double per_minute, double now)
{
	fk_bucket_init(&p->bucket, per_minute > 0 ? per_minute / 60 : 0, 1,
	    now);
	p->paused = now;
}

double
fetch_pace_take(struct fetch_pace *p, double now)
{
	double t = now;

	if (t < p->paused)
		t = p->paused;
	/* The bucket measures waits from its last reading: never go back. */
	if (p->bucket.rate > 0 && t < p->bucket.last)
		t = p->bucket.last;
	return t + fk_bucket_take(&p->bucket, t);
}

void
fetch_pace_pause(struct fetch_pace *p, double until)
{
	if (until > p->paused)
		p->paused = until;
}
