/*
 * job.h: the specs of one fk-fetch run, from its operand or from
 * standard input ("-": one spec a line, '#' comments), every one read
 * and checked before any request goes out; and the base seed when none
 * was given.
 */
#ifndef FETCH_JOB_H
#define FETCH_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "fk.h"
#include "spec.h"

struct fetch_job {
	struct fetch_spec *specs;
	size_t nspecs;
	uint64_t total;			/* requests of all specs */
	int any_seeded;			/* a resource that takes _seed */
	int any_custom;			/* one that does not (custom) */
};

/*
 * Fill j from operand (NULL: "users"; "-": stdin lines) with the
 * command line's defaults d (its today is set here).  warn(msg) is
 * told what the service will read its own way, naming the stdin line.
 * 0, or -1 with e filled: FK_EX_USAGE for a bad operand, FK_EX_DATAERR
 * for a bad line, FK_EX_IOERR when stdin cannot be read.
 */
int fetch_job_build(struct fetch_job *j, const char *operand,
    const struct fetch_defaults *d,
    void (*warn)(const char *msg), struct fk_err *e);

void fetch_job_free(struct fetch_job *j);

/* A random base seed in [1, FETCH_PRIME]; 0, or -1 with e filled. */
int fetch_random_seed(uint32_t *seed, struct fk_err *e);

#endif
