/*
 * progress.c: rate and ETA of a run (see progress.h).
 */
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "progress.h"

uint64_t
fetch_shard_records(const struct fetch_spec *specs, size_t nspecs, int i,
    int n)
{
	uint64_t sum = 0, m, last;
	size_t x;

	for (x = 0; x < nspecs; x++) {
		if (specs[x].nreq == 0)
			continue;
		/* Requests are dealt round-robin: count this shard's. */
		m = fetch_shard_size(specs[x].first_k + specs[x].nreq, i, n) -
		    fetch_shard_size(specs[x].first_k, i, n);
		sum += m * FETCH_PAGE;
		last = specs[x].first_k + specs[x].nreq - 1;
		if (n > 0 && last % (uint64_t)n == (uint64_t)(i - 1))
			sum -= (uint64_t)(FETCH_PAGE - fetch_quantity(
			    specs[x].count, specs[x].nreq - 1));
	}
	return sum;
}

void
fetch_progress_init(struct fetch_progress *p, uint64_t total, uint64_t nreq,
    double per_minute, double now)
{
	memset(p, 0, sizeof(*p));
	p->total = total;
	p->nreq = nreq;
	p->per_minute = per_minute;
	p->t[0] = now;
	p->n = 1;
}

void
fetch_progress_add(struct fetch_progress *p, long records, double now)
{
	p->done += records > 0 ? (uint64_t)records : 0;
	p->reqs++;
	if (p->n == FETCH_PROGRESS_WINDOW) {
		memmove(p->t, p->t + 1, sizeof(p->t[0]) * (size_t)(p->n - 1));
		memmove(p->r, p->r + 1, sizeof(p->r[0]) * (size_t)(p->n - 1));
		p->n--;
	}
	p->t[p->n] = now;
	p->r[p->n++] = p->done;
}

double
fetch_progress_rate(const struct fetch_progress *p, double now)
{
	double dt = now - p->t[0];

	if (p->reqs == 0 || dt <= 0)
		return 0;
	return (double)(p->done - p->r[0]) / dt;
}

double
fetch_progress_eta(const struct fetch_progress *p, double now)
{
	double rate = fetch_progress_rate(p, now), eta = -1, paced;
	uint64_t left = p->total > p->done ? p->total - p->done : 0;
	uint64_t rleft = p->nreq > p->reqs ? p->nreq - p->reqs : 0;

	if (left == 0 || rleft == 0)
		return 0;
	if (rate > 0)
		eta = (double)left / rate;
	/* A token every 60/r s: the last request starts rleft - 1 later. */
	if (p->per_minute > 0) {
		paced = (double)(rleft - 1) * 60.0 / p->per_minute;
		if (eta < paced)
			eta = paced;
	}
	return eta;
}

/* 42s, 12m05s, 5h36m. */
static void
duration(double s, char *out, size_t outlen)
{
	unsigned long v = (unsigned long)(s + 0.5);

	if (v < 60)
		snprintf(out, outlen, "%lus", v);
	else if (v < 3600)
		snprintf(out, outlen, "%lum%02lus", v / 60, v % 60);
	else
		snprintf(out, outlen, "%luh%02lum", v / 3600, v / 60 % 60);
}

void
fetch_progress_text(const struct fetch_progress *p, double now, char *out,
    size_t outlen)
{
	double eta = fetch_progress_eta(p, now);
	char left[32] = "?";

	if (eta >= 0)
		duration(eta, left, sizeof(left));
	/* Whole percents, rounded down: 100% only when it is done. */
	snprintf(out, outlen, "%llu/%llu records (%llu%%), %.0f/s, ETA %s",
	    (unsigned long long)p->done, (unsigned long long)p->total,
	    (unsigned long long)(p->total ? p->done * 100 / p->total : 100),
	    fetch_progress_rate(p, now), left);
}
