/*
 * reader.h: the reader, which cuts the input into batches of whole JSON
 * values (reader.c; the types are in ../ring.h).
 */
#ifndef FK_SHAPE_READER_H
#define FK_SHAPE_READER_H

#include "fk.h"

struct pipe;

/* Read fd into batches until the end or a stop; -1 with e. */
int reader_run(struct pipe *p, int fd, struct fk_err *e);

#endif
