/*
 * thrift.c: Thrift compact-protocol encoder (see thrift.h).
 *
 * Facts used (Thrift's compact protocol specification): integers are
 * zigzag varints; a field header is one byte (delta << 4 | type) when the
 * field id is 1..15 above the previous one in the same struct, otherwise
 * the type byte followed by the id as a zigzag varint; booleans in fields
 * are carried by the type nibble (1 true, 2 false); binary is a varint
 * length and the bytes; a list header is one byte (size << 4 | type) for
 * fewer than 15 elements, otherwise 0xf0 | type and a varint size; a
 * struct ends with a 0 byte.
 */
#include <string.h>

#include "thrift.h"

void
fk_tc_init(struct fk_tc *t, struct fk_buf *b)
{
	t->b = b;
	t->depth = 0;
	t->failed = 0;
}

int
fk_tc_failed(const struct fk_tc *t)
{
	return t->failed;
}

void
fk_tc_raw(struct fk_tc *t, const void *p, size_t n)
{
	if (t->failed)
		return;
	if (fk_buf_add(t->b, p, n) == -1)
		t->failed = 1;
}

static void
tc_byte(struct fk_tc *t, unsigned char c)
{
	fk_tc_raw(t, &c, 1);
}

uint64_t
fk_tc_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void
fk_tc_varint(struct fk_tc *t, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	while (v >= 0x80) {
		tmp[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (unsigned char)v;
	fk_tc_raw(t, tmp, n);
}

static void
tc_field(struct fk_tc *t, int16_t id, int type)
{
	int16_t *last;
	int delta;

	if (t->depth == 0) {
		t->failed = 1;	/* a field outside any struct: a bug */
		return;
	}
	last = &t->last[t->depth - 1];
	delta = id - *last;
	if (delta > 0 && delta <= 15) {
		tc_byte(t, (unsigned char)(delta << 4 | type));
	} else {
		tc_byte(t, (unsigned char)type);
		fk_tc_varint(t, fk_tc_zigzag(id));
	}
	*last = id;
}

void
fk_tc_begin(struct fk_tc *t)
{
	if (t->depth == FK_TC_DEPTH) {
		t->failed = 1;
		return;
	}
	t->last[t->depth++] = 0;
}

void
fk_tc_end(struct fk_tc *t)
{
	if (t->depth == 0) {
		t->failed = 1;
		return;
	}
	tc_byte(t, 0);
	t->depth--;
}

void
fk_tc_bool(struct fk_tc *t, int16_t id, int v)
{
	tc_field(t, id, v ? FK_TC_TRUE : FK_TC_FALSE);
}

void
fk_tc_i16(struct fk_tc *t, int16_t id, int16_t v)
{
	tc_field(t, id, FK_TC_I16);
	fk_tc_varint(t, fk_tc_zigzag(v));
}

void
fk_tc_i32(struct fk_tc *t, int16_t id, int32_t v)
{
	tc_field(t, id, FK_TC_I32);
	fk_tc_varint(t, fk_tc_zigzag(v));
}

void
fk_tc_i64(struct fk_tc *t, int16_t id, int64_t v)
{
	tc_field(t, id, FK_TC_I64);
	fk_tc_varint(t, fk_tc_zigzag(v));
}

void
fk_tc_bin(struct fk_tc *t, int16_t id, const void *p, size_t n)
{
	tc_field(t, id, FK_TC_BINARY);
	fk_tc_varint(t, n);
	fk_tc_raw(t, p, n);
}

void
fk_tc_str(struct fk_tc *t, int16_t id, const char *s)
{
	fk_tc_bin(t, id, s, strlen(s));
}

void
fk_tc_struct(struct fk_tc *t, int16_t id)
{
	tc_field(t, id, FK_TC_STRUCT);
	fk_tc_begin(t);
}

void
fk_tc_list(struct fk_tc *t, int16_t id, int etype, size_t n)
{
	tc_field(t, id, FK_TC_LIST);
	if (n < 15) {
		tc_byte(t, (unsigned char)(n << 4 | (size_t)etype));
	} else {
		tc_byte(t, (unsigned char)(0xf0 | etype));
		fk_tc_varint(t, n);
	}
}

void
fk_tc_elem_i32(struct fk_tc *t, int32_t v)
{
	fk_tc_varint(t, fk_tc_zigzag(v));
}

void
fk_tc_elem_i64(struct fk_tc *t, int64_t v)
{
	fk_tc_varint(t, fk_tc_zigzag(v));
}

void
fk_tc_elem_str(struct fk_tc *t, const char *s)
{
	size_t n = strlen(s);

	fk_tc_varint(t, n);
	fk_tc_raw(t, s, n);
}
