/*
 * flat.h: rows checked straight from the input's text, no jv made.
 *
 * When the schema is flat (top-level STRING, INTEGER and BOOLEAN fields,
 * none REPEATED) and the program's rows come out as text (proj.h,
 * proj_run_text), most rows need nothing of the schema check but a look
 * at each value's text: a string without escapes is its own bytes, a
 * short integer its own digits.  flat_row() makes such a row into one
 * value per schema field, in schema order, exactly as schema_coerce()
 * would make the canonical row; the formats encode it with their
 * encode_flat operation (writer.h).  Whatever it cannot vouch for, it
 * leaves to the canonical path, which then gives the row, or its reject
 * and message, as always.
 */
#ifndef FK_SHAPE_FLAT_H
#define FK_SHAPE_FLAT_H

#include <stddef.h>
#include <stdint.h>

#include "shape/check/schema.h"
#include "shape/program/proj.h"

enum flat_kind { FLAT_NULL, FLAT_STR, FLAT_INT, FLAT_BOOL };

#define FLAT_MAX_FIELDS 256

/* One field's value: STR the string's bytes (valid UTF-8, unescaped). */
struct flat_val {
	enum flat_kind kind;
	const char *p;		/* FLAT_STR */
	size_t n;
	int64_t i;		/* FLAT_INT; FLAT_BOOL 0 or 1 */
};

/* Nonzero when rows of s can be flat rows (FLAT_MAX_FIELDS at most). */
int flat_schema(const struct schema *s);

/*
 * The row kv[0..n) (proj.h) as s->nfields values in out, in schema
 * order.  0 when done; 1 when the canonical path must take the row: a
 * key that is not exactly one of the schema's names (an unknown field,
 * a name that maps to a column), a key given twice, a REQUIRED field
 * absent or null, or a value whose text is not plainly its field's type
 * (an escaped string, a number with a fraction, an exponent or more than
 * 15 digits, -0, a value of another type).
 */
int flat_row(const struct schema *s, const struct proj_kv *kv, size_t n,
    struct flat_val *out);

#endif
