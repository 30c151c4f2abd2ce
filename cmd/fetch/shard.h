/*
 * shard.h: which share of a run this process makes, from --shard I/N or
 * from the environment of a batch system.
 */
#ifndef FETCH_SHARD_H
#define FETCH_SHARD_H

#include "fk.h"

/* A spec has at most 1e5 requests: more shards would all be idle. */
#define FETCH_MAX_SHARDS 100000

struct fetch_shard {
	int i;			/* 1-based index */
	int n;			/* number of shards; 1: the whole run */
	const char *from;	/* "--shard", or the variable that set i */
};

/* Parse "I/N" (1 <= I <= N <= FETCH_MAX_SHARDS); -1 with a reason. */
int fetch_shard_parse(const char *s, struct fetch_shard *sh,
    struct fk_err *e);

/*
 * Find the shard in the environment, read through get (getenv, or a
 * fake in tests).  The first of these that is set decides:
 *	FK_SHARD		I/N, as --shard
 *	JOB_COMPLETION_INDEX	Kubernetes Indexed Job, 0-based; N from
 *				FK_SHARD_COUNT
 *	CLOUD_RUN_TASK_INDEX	Cloud Run Job, 0-based; N from
 *				CLOUD_RUN_TASK_COUNT
 *	PARALLEL_SEQ		GNU parallel, 1-based; N from
 *				FK_SHARD_COUNT
 * Empty variables count as unset.  Returns 1 with sh filled, 0 when none
 * is set (sh is 1/1), or -1 (code FK_EX_USAGE) for a malformed value, an
 * index out of range, an index without its count, or FK_SHARD_COUNT
 * without an index: never a silent whole run.
 */
int fetch_shard_env(const char *(*get)(const char *), struct fetch_shard *sh,
    struct fk_err *e);

#endif
