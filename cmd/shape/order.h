/*
 * order.h: the writer thread, which writes batches in input order
 * (order.c; the types are in ring.h).
 */
#ifndef FK_SHAPE_ORDER_H
#define FK_SHAPE_ORDER_H

struct pipe;

/* The writer thread's body; arg is the struct pipe. */
void *order_main(void *arg);
/* What a run owes at its end: the format's end, when the run went well
 * (release drops the rest). */
int order_finish(struct pipe *p, int ok, int stopped);

#endif
