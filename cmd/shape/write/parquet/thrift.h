/*
 * thrift.h: a Thrift compact-protocol encoder, just what Parquet's page
 * headers and file footer need (structs, lists, integers, booleans,
 * binary).  There is no C Thrift runtime in Debian worth depending on for
 * a dozen structs, and the compact protocol is small.
 *
 * The encoder appends to an fk_buf.  An allocation failure is sticky:
 * callers emit a whole structure and test fk_tc_failed() once.
 */
#ifndef FK_SHAPE_THRIFT_H
#define FK_SHAPE_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Compact-protocol type ids (element types of lists; field types). */
enum {
	FK_TC_TRUE = 1, FK_TC_FALSE = 2, FK_TC_BYTE = 3, FK_TC_I16 = 4,
	FK_TC_I32 = 5, FK_TC_I64 = 6, FK_TC_DOUBLE = 7, FK_TC_BINARY = 8,
	FK_TC_LIST = 9, FK_TC_SET = 10, FK_TC_MAP = 11, FK_TC_STRUCT = 12
};

#define FK_TC_DEPTH 16

struct fk_tc {
	struct fk_buf *b;
	int16_t last[FK_TC_DEPTH];	/* last field id, per open struct */
	int depth;			/* open structs */
	int failed;			/* ENOMEM or nesting too deep */
};

/* Start encoding into b (appending to what it holds). */
void fk_tc_init(struct fk_tc *t, struct fk_buf *b);
/* Nonzero if anything failed since fk_tc_init. */
int fk_tc_failed(const struct fk_tc *t);

/* Open a top-level struct, or a struct that is a list element. */
void fk_tc_begin(struct fk_tc *t);
/* Close the innermost open struct (writes the stop byte). */
void fk_tc_end(struct fk_tc *t);

/* Fields of the innermost open struct; id is the Thrift field id. */
void fk_tc_bool(struct fk_tc *t, int16_t id, int v);
void fk_tc_i16(struct fk_tc *t, int16_t id, int16_t v);
void fk_tc_i32(struct fk_tc *t, int16_t id, int32_t v);
void fk_tc_i64(struct fk_tc *t, int16_t id, int64_t v);
void fk_tc_bin(struct fk_tc *t, int16_t id, const void *p, size_t n);
void fk_tc_str(struct fk_tc *t, int16_t id, const char *s);
/* A struct-valued field: its fields follow, then fk_tc_end(). */
void fk_tc_struct(struct fk_tc *t, int16_t id);
/* A list-valued field of n elements of type etype; elements follow. */
void fk_tc_list(struct fk_tc *t, int16_t id, int etype, size_t n);

/* List elements (struct elements: fk_tc_begin ... fk_tc_end). */
void fk_tc_elem_i32(struct fk_tc *t, int32_t v);
void fk_tc_elem_i64(struct fk_tc *t, int64_t v);
void fk_tc_elem_str(struct fk_tc *t, const char *s);

/* Append bytes already encoded (e.g. list elements encoded earlier). */
void fk_tc_raw(struct fk_tc *t, const void *p, size_t n);

/* Building blocks, exported for the unit tests. */
void fk_tc_varint(struct fk_tc *t, uint64_t v);
uint64_t fk_tc_zigzag(int64_t v);

#endif
