/*
 * filter.c: libjq wrapper (see filter.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "buf.h"
#include "filter.h"

struct fk_jq {
	jq_state *jq;
	struct fk_buf msg;	/* compile messages */
};

/* jq reports compile errors through this; keep them for one message. */
static void
on_error(void *data, jv msg)
{
	struct fk_jq *q = data;
	const char *p;
	jv s;

	if (jv_get_kind(msg) != JV_KIND_STRING) {
		s = jv_dump_string(jv_copy(msg), 0);
		jv_free(msg);
		msg = s;
	}
	if (q->msg.len > 0)
		fk_buf_add(&q->msg, "; ", 2);
	/* Diagnostics are one line: jq's multi-line ones are folded. */
	for (p = jv_string_value(msg); *p != '\0'; p++)
		if (fk_buf_add(&q->msg, *p == '\n' ? " " : p, 1) == -1)
			break;
	while (q->msg.len > 0 && q->msg.p[q->msg.len - 1] == ' ')
		q->msg.p[--q->msg.len] = '\0';
	jv_free(msg);
}

struct fk_jq *
fk_jq_new(const char *program, jv args, struct fk_err *e)
{
	struct fk_jq *q;
	jv named, all;

	q = calloc(1, sizeof(*q));
	if (q == NULL || (q->jq = jq_init()) == NULL) {
		free(q);
		fk_fail(e, FK_EX_SOFTWARE, "cannot start libjq");
		return NULL;
	}
	q->msg.max = 4096;
	jq_set_error_cb(q->jq, on_error, q);
	named = jv_copy(args);
	all = jv_object_set(jv_copy(args), jv_string("ARGS"),
	    JV_OBJECT(jv_string("positional"), jv_array(),
	    jv_string("named"), named));
	if (!jq_compile_args(q->jq, program, all)) {
		fk_fail(e, FK_EX_USAGE, "jq program does not compile: %s",
		    q->msg.len ? q->msg.p : "unknown error");
		fk_jq_free(q);
		return NULL;
	}
	return q;
}

void
fk_jq_free(struct fk_jq *q)
{
	if (q == NULL)
		return;
	jq_teardown(&q->jq);
	fk_buf_free(&q->msg);
	free(q);
}

void
fk_jq_start(struct fk_jq *q, jv input)
{
	jq_start(q->jq, input, 0);
}

int
fk_jq_next(struct fk_jq *q, jv *out, char *why, size_t n)
{
	jv r = jq_next(q->jq), msg;
	char *m;

	if (jv_is_valid(r)) {
		*out = r;
		return 1;
	}
	if (jq_halted(q->jq)) {
		jv_free(r);
		msg = jq_get_error_message(q->jq);
		if (jv_get_kind(msg) == JV_KIND_STRING) {
			snprintf(why, n, "%s", jv_string_value(msg));
			jv_free(msg);
			return -1;
		}
		jv_free(msg);
		return 0;	/* plain halt: no more outputs */
	}
	if (!jv_invalid_has_msg(jv_copy(r))) {
		jv_free(r);
		return 0;
	}
	msg = jv_invalid_get_msg(r);
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		snprintf(why, n, "%s", jv_string_value(msg));
	} else {
		msg = jv_dump_string(msg, 0);
		m = (char *)jv_string_value(msg);
		snprintf(why, n, "%s (not a string)", m);
	}
	jv_free(msg);
	return -1;
}
