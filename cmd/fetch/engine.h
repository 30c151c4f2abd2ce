/*
 * engine.h: making the requests of a run (or of one shard of it) with
 * libcurl's multi interface and writing their pages in request order.
 *
 * At most `parallel` requests are in flight or waiting to be written:
 * request s + parallel is not started before page s is written, so the
 * reorder buffer never holds more than `parallel` pages and memory stays
 * flat whatever the count.  Each attempt takes a token from its
 * endpoint's pace (see pace.h).  A failed attempt is retried under the
 * retry policy when it is transient: a transport error, a timeout, HTTP
 * 408, 429 or 5xx, and also a 2xx body that fails validation (cut short
 * or damaged on the way).  Any other failure, or running out of retries,
 * stops the run: pages after the failed request are never written, so
 * the output is always a prefix of whole pages of a successful run.
 */
#ifndef FETCH_ENGINE_H
#define FETCH_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "fk.h"
#include "http.h"
#include "retry.h"
#include "spec.h"

enum { FETCH_EV_DONE, FETCH_EV_RETRY, FETCH_EV_FAIL };

/* What happened to one attempt, for -v and warnings. */
struct fetch_event {
	int kind;		/* FETCH_EV_* */
	const char *url;	/* without credentials */
	uint64_t k;		/* request index in the run */
	uint32_t seed;		/* 0: unseeded */
	int attempt;		/* 1-based */
	long status;		/* HTTP status, 0 if none arrived */
	double latency;		/* seconds this attempt took */
	long records;		/* DONE: records in the page */
	double delay;		/* RETRY: seconds before the next try */
	const char *reason;	/* RETRY, FAIL: what was wrong */
};

struct fetch_conf {
	const char *base;		/* checked by fetch_base_check */
	const struct fetch_spec *specs;	/* first_k and nreq filled */
	size_t nspecs;
	uint64_t total;			/* requests in the whole run */
	uint32_t seed;			/* the run's base seed */
	int shard_i, shard_n;		/* 1/1: everything */
	int parallel;			/* >= 1 */
	double rate;			/* per minute per endpoint; 0: off */
	struct fk_retry retry;
	struct fk_http_opts http;
	int raw, unbuffered;
	int jv_only;			/* check and render every page with
					   libjq (split.h's byte path off) */
	FILE *out;
	void (*on_event)(void *arg, const struct fetch_event *ev);
	void *arg;
};

struct fetch_stats {
	uint64_t requests;	/* pages written */
	uint64_t records;	/* records written */
	uint64_t retries;
	uint64_t split;		/* pages checked on their bytes (split.h) */
	int epipe;		/* the reader went away */
	long fail_status;	/* HTTP status of the failed request, or 0 */
	const char *fail_resource;	/* its resource (in the specs) */
};

/*
 * Run c.  Returns 0 when every request of the shard was written, or -1
 * with e filled: "cannot fetch 'URL': reason" with code FK_EX_FAIL (HTTP
 * 4xx and other permanent errors), FK_EX_NOPERM (401, 403), FK_EX_TEMPFAIL
 * (transient failures that outlasted the retries), FK_EX_DATAERR (an
 * invalid page after the retries), or FK_EX_IOERR for the output
 * (st->epipe set when it was EPIPE).
 */
int fetch_run(const struct fetch_conf *c, struct fetch_stats *st,
    struct fk_err *e);

#endif
