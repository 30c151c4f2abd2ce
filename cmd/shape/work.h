/*
 * work.h: a worker's batch (work.c; the types are in ring.h).
 */
#ifndef FK_SHAPE_WORK_H
#define FK_SHAPE_WORK_H

#include "fk.h"

struct batch;
struct pipe;
struct schema;
struct worker;

/* Parse, filter, check and encode every value of batch b. */
void work_batch(struct worker *w, struct batch *b);
/* Set up the format for schema s; -1 with e. */
int work_setup(struct pipe *p, const struct schema *s, struct fk_err *e);

#endif
