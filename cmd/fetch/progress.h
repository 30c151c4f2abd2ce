/*
 * progress.h: how far a run got, how fast it goes now, and when it will
 * end, for fk-fetch's progress line and its FK_LOG=json progress events.
 * No dependencies beyond the spec: the caller supplies the clock.
 */
#ifndef FETCH_PROGRESS_H
#define FETCH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"

#define FETCH_PROGRESS_WINDOW 16	/* completions the rate looks at */

struct fetch_progress {
	uint64_t total;		/* records of the shard */
	uint64_t nreq;		/* requests of the shard */
	double per_minute;	/* the pace (--rate); 0: none */
	uint64_t done;		/* records received */
	uint64_t reqs;		/* requests received */
	/* The last completions (time, records done then), oldest first. */
	double t[FETCH_PROGRESS_WINDOW];
	uint64_t r[FETCH_PROGRESS_WINDOW];
	int n;
};

/* Records that shard i/n of the specs asks for (first_k, nreq set). */
uint64_t fetch_shard_records(const struct fetch_spec *specs, size_t nspecs,
    int i, int n);

void fetch_progress_init(struct fetch_progress *p, uint64_t total,
    uint64_t nreq, double per_minute, double now);

/* A page of `records` records arrived at now. */
void fetch_progress_add(struct fetch_progress *p, long records, double now);

/* Records per second over the last completions (0 before any). */
double fetch_progress_rate(const struct fetch_progress *p, double now);

/*
 * Seconds left, or -1 when unknown: what is left at the current rate,
 * but never less than the pace allows for the requests left (at 25 a
 * minute, 600 requests take 24 minutes however fast the first went).
 */
double fetch_progress_eta(const struct fetch_progress *p, double now);

/* "12000/100000 records (12%), 1450/s, ETA 1m02s" into out. */
void fetch_progress_text(const struct fetch_progress *p, double now,
    char *out, size_t outlen);

#endif
