/*
 * thrift.h: a Thrift compact-protocol encoder, just what Parquet's page
 * headers and file footer need (structs, lists, integers, booleans,
 * binary).  There is no C Thrift runtime in Debian worth depending on for
 * a dozen structs, and the compact protocol is small.
 *
 * The encoder appends to an fk_buf.  An allocation failure is sticky:
 * callers emit a whole structure and test thrift_failed() once.
 */
#ifndef FK_SHAPE_THRIFT_H
#define FK_SHAPE_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Compact-protocol type ids (element types of lists; field types). */
enum {
	THRIFT_TRUE = 1, THRIFT_FALSE = 2, THRIFT_BYTE = 3, THRIFT_I16 = 4,
	THRIFT_I32 = 5, THRIFT_I64 = 6, THRIFT_DOUBLE = 7, THRIFT_BINARY = 8,
	THRIFT_LIST = 9, THRIFT_SET = 10, THRIFT_MAP = 11, THRIFT_STRUCT = 12
};

#define THRIFT_DEPTH 16

struct thrift {
	struct fk_buf *b;
	int16_t last[THRIFT_DEPTH];	/* last field id, per open struct */
	int depth;			/* open structs */
	int failed;			/* ENOMEM or nesting too deep */
};

/* Start encoding into b (appending to what it holds). */
void thrift_init(struct thrift *t, struct fk_buf *b);
/* Nonzero if anything failed since thrift_init. */
int thrift_failed(const struct thrift *t);

/* Open a top-level struct, or a struct that is a list element. */
void thrift_begin(struct thrift *t);
/* Close the innermost open struct (writes the stop byte). */
void thrift_end(struct thrift *t);

/* Fields of the innermost open struct; id is the Thrift field id. */
void thrift_bool(struct thrift *t, int16_t id, int v);
void thrift_i16(struct thrift *t, int16_t id, int16_t v);
void thrift_i32(struct thrift *t, int16_t id, int32_t v);
void thrift_i64(struct thrift *t, int16_t id, int64_t v);
void thrift_bin(struct thrift *t, int16_t id, const void *p, size_t n);
void thrift_str(struct thrift *t, int16_t id, const char *s);
/* A struct-valued field: its fields follow, then thrift_end(). */
void thrift_struct(struct thrift *t, int16_t id);
/* A list-valued field of n elements of type etype; elements follow. */
void thrift_list(struct thrift *t, int16_t id, int etype, size_t n);

/* List elements (struct elements: thrift_begin ... thrift_end). */
void thrift_elem_i32(struct thrift *t, int32_t v);
void thrift_elem_str(struct thrift *t, const char *s);

/* Append bytes already encoded (e.g. list elements encoded earlier). */
void thrift_raw(struct thrift *t, const void *p, size_t n);

#endif
