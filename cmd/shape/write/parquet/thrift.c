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
#include "shape/write/varint.h"

void
thrift_init(struct thrift *t, struct fk_buf *b)
{
	t->b = b;
	t->depth = 0;
	t->failed = 0;
}

int
thrift_failed(const struct thrift *t)
{
	return t->failed;
}

void
thrift_raw(struct thrift *t, const void *p, size_t n)
{
	if (t->failed)
		return;
	if (fk_buf_add(t->b, p, n) == -1)
		t->failed = 1;
}

static void
tc_byte(struct thrift *t, unsigned char c)
{
	thrift_raw(t, &c, 1);
}

static void
thrift_varint(struct thrift *t, uint64_t v)
{
	unsigned char tmp[VARINT_MAX];

	thrift_raw(t, tmp, varint_put(tmp, v));
}

static void
tc_field(struct thrift *t, int16_t id, int type)
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
		thrift_varint(t, varint_zigzag(id));
	}
	*last = id;
}

void
thrift_begin(struct thrift *t)
{
	if (t->depth == THRIFT_DEPTH) {
		t->failed = 1;
		return;
	}
	t->last[t->depth++] = 0;
}

void
thrift_end(struct thrift *t)
{
	if (t->depth == 0) {
		t->failed = 1;
		return;
	}
	tc_byte(t, 0);
	t->depth--;
}

void
thrift_bool(struct thrift *t, int16_t id, int v)
{
	tc_field(t, id, v ? THRIFT_TRUE : THRIFT_FALSE);
}

void
thrift_i16(struct thrift *t, int16_t id, int16_t v)
{
	tc_field(t, id, THRIFT_I16);
	thrift_varint(t, varint_zigzag(v));
}

void
thrift_i32(struct thrift *t, int16_t id, int32_t v)
{
	tc_field(t, id, THRIFT_I32);
	thrift_varint(t, varint_zigzag(v));
}

void
thrift_i64(struct thrift *t, int16_t id, int64_t v)
{
	tc_field(t, id, THRIFT_I64);
	thrift_varint(t, varint_zigzag(v));
}

void
thrift_bin(struct thrift *t, int16_t id, const void *p, size_t n)
{
	tc_field(t, id, THRIFT_BINARY);
	thrift_varint(t, n);
	thrift_raw(t, p, n);
}

void
thrift_str(struct thrift *t, int16_t id, const char *s)
{
	thrift_bin(t, id, s, strlen(s));
}

void
thrift_struct(struct thrift *t, int16_t id)
{
	tc_field(t, id, THRIFT_STRUCT);
	thrift_begin(t);
}

void
thrift_list(struct thrift *t, int16_t id, int etype, size_t n)
{
	tc_field(t, id, THRIFT_LIST);
	if (n < 15) {
		tc_byte(t, (unsigned char)(n << 4 | (size_t)etype));
	} else {
		tc_byte(t, (unsigned char)(0xf0 | etype));
		thrift_varint(t, n);
	}
}

void
thrift_elem_i32(struct thrift *t, int32_t v)
{
	thrift_varint(t, varint_zigzag(v));
}

void
thrift_elem_str(struct thrift *t, const char *s)
{
	size_t n = strlen(s);

	thrift_varint(t, n);
	thrift_raw(t, s, n);
}
