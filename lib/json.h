/*
 * json.h: small helpers over libjq's jv, shared by fk-fetch and fk-shape.
 *
 * Ownership follows jv.h: functions consume the jv they are given unless
 * the comment says "borrows".
 */
#ifndef FK_JSON_H
#define FK_JSON_H

#include <stdio.h>
#include <jv.h>

#include "fk.h"

/*
 * Parse exactly one JSON document from buf.  Returns 0 and *out, or -1
 * with a reason in e (code DATAERR).
 */
int fk_json_parse(const char *buf, size_t len, jv *out, struct fk_err *e);

/* Borrows obj: member `key` if it is a string, else NULL (valid while obj). */
const char *fk_json_str(jv obj, const char *key);

/* Borrows obj: member `key` if it is an integral number; -1 otherwise. */
int fk_json_int(jv obj, const char *key, long long *out);

/*
 * Consumes v: write it as compact UTF-8 JSON followed by '\n'.  Returns
 * -1 on a write error (errno set).
 */
int fk_json_write_line(jv v, FILE *f);

#endif
