/*
 * plan.c: request split, seed map, ids and shards (see plan.h).
 */
#include "plan.h"

uint64_t
fetch_nreq(long long count)
{
	return count <= 0 ? 0 : (uint64_t)(count + FETCH_PAGE - 1) / FETCH_PAGE;
}

int
fetch_quantity(long long count, uint64_t j)
{
	long long left = count - (long long)j * FETCH_PAGE;

	if (left <= 0)
		return 0;
	return left > FETCH_PAGE ? FETCH_PAGE : (int)left;
}

/* splitmix64's finaliser: spreads neighbouring base seeds apart. */
static uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
fetch_seed(uint32_t base, uint64_t k)
{
	uint64_t a = 1 + mix(base) % (FETCH_PRIME - 1);
	uint64_t b = ((uint64_t)base + FETCH_PRIME - 1) % FETCH_PRIME;

	/* a < p and k mod p < p < 2^32: the product fits in 64 bits. */
	return (uint32_t)((b + a * (k % FETCH_PRIME) % FETCH_PRIME) %
	    FETCH_PRIME + 1);
}

long long
fetch_id(uint64_t k, long long pos)
{
	return (long long)k * FETCH_PAGE + pos + 1;
}

uint64_t
fetch_shard_size(uint64_t total, int i, int n)
{
	uint64_t first = (uint64_t)(i - 1);

	if (n < 1 || i < 1 || i > n || total <= first)
		return 0;
	return (total - first + (uint64_t)n - 1) / (uint64_t)n;
}

uint64_t
fetch_shard_k(uint64_t s, int i, int n)
{
	return s * (uint64_t)n + (uint64_t)(i - 1);
}
