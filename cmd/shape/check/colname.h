/*
 * colname.h: JSON field names to legal BigQuery column names.
 *
 * The mapping, applied in this order, is deterministic and documented in
 * fk-shape(1):
 *   1. every character (UTF-8 sequence) outside [A-Za-z0-9_] becomes '_';
 *   2. an empty name becomes "_";
 *   3. a name starting with a digit gets a leading '_';
 *   4. a name starting with a reserved prefix (_TABLE_, _FILE_,
 *      _PARTITION, _ROW_TIMESTAMP, __ROOT__, _COLIDENTIFIER,
 *      _CHANGE_SEQUENCE_NUMBER, _CHANGE_TYPE, _CHANGE_TIMESTAMP, any case)
 *      gets leading '_' until it no longer does;
 *   5. the result is cut to 300 characters.
 * Legal names come out unchanged.  The result is also a legal Avro name.
 * Uniqueness (case-insensitive) is the caller's check: two fields that map
 * to the same column are an error, never merged.
 */
#ifndef FK_SHAPE_COLNAME_H
#define FK_SHAPE_COLNAME_H

#include <stddef.h>

#include <jv.h>

#define COLNAME_MAX 300

/*
 * Map name[0..len) into out (COLNAME_MAX + 1 bytes, NUL-terminated).
 * Returns 0 if the name was legal (out is a copy), 1 if it changed.
 */
int colname_map(const char *name, size_t len, char *out);

/* Nonzero if name[0..len) is a legal column name (maps to itself). */
int colname_legal(const char *name, size_t len);

/*
 * The column name of a row's key (a jv string, borrowed): key's own text
 * when it is legal, else its mapping, written to buf.
 */
const char *colname_of_key(jv key, char buf[COLNAME_MAX + 1]);

#endif
