/*
 * plan.h: the arithmetic of an fk-fetch run, with no dependencies so it
 * can be unit-tested alone.
 *
 * A run asks for C records of a resource.  FakerAPI caps a response at
 * 1000 records and has no pagination, so the run is split into
 * ceil(C / 1000) requests; request k (0-based, counted over the whole run,
 * across spec lines) asks min(1000, C - 1000 k') records, k' being its
 * index within its spec, and carries its own seed so that no two requests
 * of a run return the same records.  Shard i of n (1-based i) makes only
 * the requests with k mod n == i - 1, so that n machines together make
 * exactly the requests of one machine.
 */
#ifndef FETCH_PLAN_H
#define FETCH_PLAN_H

#include <stdint.h>

#define FETCH_PAGE	1000		/* the API's cap per response */
#define FETCH_MAX_COUNT	100000000LL	/* per spec: 1e5 requests */
#define FETCH_SEED_MAX	4294967295LL	/* 32-bit; 0 is "unseeded" */
#define FETCH_PRIME	4294967291ULL	/* largest prime below 2^32 */
/* Requests in one run: k must stay below FETCH_PRIME for the seed map. */
#define FETCH_MAX_REQUESTS 1000000000ULL

/* Requests needed for count records (count >= 1). */
uint64_t fetch_nreq(long long count);

/* Records asked by request j (0-based) of a spec of count records. */
int fetch_quantity(long long count, uint64_t j);

/*
 * The seed of request k under base seed `base` (1..2^32-1):
 *	seed(k) = ((base - 1) + a * k) mod p + 1,  p = 4294967291,
 *	a = 1 + splitmix64(base) mod (p - 1).
 * As a is not 0 mod p the map is a bijection of k in [0, p) onto 1..p,
 * so the seeds of one run are distinct, never 0, and request 0 uses the
 * base seed itself when base <= p.  Only the low 32 bits of a seed count
 * on the server, which this range respects.
 */
uint32_t fetch_seed(uint32_t base, uint64_t k);

/*
 * The id written for the record at position pos (0-based) of request k:
 * 1000 k + pos + 1.  Unique over a run and the same in every shard.
 */
long long fetch_id(uint64_t k, long long pos);

/* How many of the total requests k in [0, total) shard i/n makes. */
uint64_t fetch_shard_size(uint64_t total, int i, int n);

/* The global index k of the s-th (0-based) request of shard i/n. */
uint64_t fetch_shard_k(uint64_t s, int i, int n);

#endif
