/*
 * shard.c: --shard and its environment fallbacks (see shard.h).
 */
#include <stdlib.h>
#include <string.h>

#include "shard.h"

int
fetch_shard_parse(const char *s, struct fetch_shard *sh, struct fk_err *e)
{
	char num[32];
	const char *slash = strchr(s, '/'), *why;
	long long i, n;
	size_t len;

	if (slash == NULL)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid shard '%s': expected I/N, e.g. 2/3", s);
	len = (size_t)(slash - s);
	if (len >= sizeof(num))
		return fk_fail(e, FK_EX_USAGE, "invalid shard '%s': %s", s,
		    "index too large");
	memcpy(num, s, len);
	num[len] = '\0';
	if (fk_parse_ll(slash + 1, 1, FETCH_MAX_SHARDS, &n, &why) < 0)
		return fk_fail(e, FK_EX_USAGE, "invalid shard '%s': count %s",
		    s, why);
	if (fk_parse_ll(num, 1, n, &i, &why) < 0)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid shard '%s': index %s (1 to %lld)", s, why, n);
	sh->i = (int)i;
	sh->n = (int)n;
	sh->from = "--shard";
	return 0;
}

static const char *
lookup(const char *(*get)(const char *), const char *name)
{
	const char *v = get(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Index variable `iname` (0- or 1-based) with its count in `nname`. */
static int
from_pair(const char *(*get)(const char *), const char *iname, int base,
    const char *nname, struct fetch_shard *sh, struct fk_err *e)
{
	const char *iv = lookup(get, iname), *nv = lookup(get, nname), *why;
	long long i, n;

	if (nv == NULL)
		return fk_fail(e, FK_EX_USAGE,
		    "%s is set but %s is not: set it to the number of shards, "
		    "or give --shard", iname, nname);
	if (fk_parse_ll(nv, 1, FETCH_MAX_SHARDS, &n, &why) < 0)
		return fk_fail(e, FK_EX_USAGE, "invalid %s '%s': %s", nname,
		    nv, why);
	if (fk_parse_ll(iv, base, n - 1 + base, &i, &why) < 0)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid %s '%s': %s (%d to %lld with %s=%lld)", iname, iv,
		    why, base, n - 1 + base, nname, n);
	sh->i = (int)(i - base + 1);
	sh->n = (int)n;
	sh->from = iname;
	return 1;
}

int
fetch_shard_env(const char *(*get)(const char *), struct fetch_shard *sh,
    struct fk_err *e)
{
	struct fk_err why;
	const char *v;

	sh->i = sh->n = 1;
	sh->from = NULL;
	v = lookup(get, "FK_SHARD");
	if (v != NULL) {
		if (fetch_shard_parse(v, sh, &why) < 0)
			return fk_fail(e, FK_EX_USAGE, "FK_SHARD: %s", why.msg);
		sh->from = "FK_SHARD";
		return 1;
	}
	if (lookup(get, "JOB_COMPLETION_INDEX") != NULL)
		return from_pair(get, "JOB_COMPLETION_INDEX", 0,
		    "FK_SHARD_COUNT", sh, e);
	if (lookup(get, "CLOUD_RUN_TASK_INDEX") != NULL)
		return from_pair(get, "CLOUD_RUN_TASK_INDEX", 0,
		    "CLOUD_RUN_TASK_COUNT", sh, e);
	if (lookup(get, "PARALLEL_SEQ") != NULL)
		return from_pair(get, "PARALLEL_SEQ", 1, "FK_SHARD_COUNT", sh,
		    e);
	if (lookup(get, "FK_SHARD_COUNT") != NULL)
		return fk_fail(e, FK_EX_USAGE, "FK_SHARD_COUNT is set but no "
		    "shard index is (JOB_COMPLETION_INDEX or PARALLEL_SEQ)");
	return 0;
}
