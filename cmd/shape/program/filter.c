/*
 * filter.c: libjq wrapper (see filter.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "buf.h"
#include "filter.h"

struct filter {
	jq_state *jq;
	struct fk_buf msg;	/* compile messages */
	char *program;		/* kept to start afresh after a halt */
	jv args;
	int halted;
};

/* jq reports compile errors through this; keep them for one message. */
static void
on_error(void *data, jv msg)
{
	struct filter *q = data;
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

/*
 * The program sees one value at a time: `input` and `inputs` find no
 * more (jq 1.6 would call a missing callback and crash).
 */
static jv
no_input(jq_state *jq, void *data)
{
	(void)jq;
	(void)data;
	return jv_invalid();
}

/* A jq state for q->program; -1 with e if it does not compile. */
static int
compile(struct filter *q, struct fk_err *e)
{
	jv named, all;

	q->jq = jq_init();
	if (q->jq == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "cannot start libjq");
	fk_buf_reset(&q->msg);
	jq_set_error_cb(q->jq, on_error, q);
	jq_set_input_cb(q->jq, no_input, NULL);
	named = jv_copy(q->args);
	all = jv_object_set(jv_copy(q->args), jv_string("ARGS"),
	    JV_OBJECT(jv_string("positional"), jv_array(),
	    jv_string("named"), named));
	if (!jq_compile_args(q->jq, q->program, all))
		return fk_fail(e, FK_EX_USAGE, "jq program does not compile: "
		    "%s", q->msg.len ? q->msg.p : "unknown error");
	return 0;
}

struct filter *
filter_new(const char *program, jv args, struct fk_err *e)
{
	struct filter *q;

	q = calloc(1, sizeof(*q));
	if (q == NULL || (q->program = strdup(program)) == NULL) {
		free(q);
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	q->msg.max = 4096;
	q->args = jv_copy(args);
	if (compile(q, e) == -1) {
		filter_free(q);
		return NULL;
	}
	return q;
}

void
filter_free(struct filter *q)
{
	if (q == NULL)
		return;
	if (q->jq != NULL)
		jq_teardown(&q->jq);
	jv_free(q->args);
	free(q->program);
	fk_buf_free(&q->msg);
	free(q);
}

void
filter_start(struct filter *q, jv input)
{
	struct fk_err e;

	/*
	 * jq 1.6 frees a halted state's error message on every reset
	 * without forgetting it (jq PR #3134): after a halt, a new start
	 * would free it twice.  Tear down once and compile afresh.
	 */
	if (q->halted) {
		jq_teardown(&q->jq);
		q->halted = 0;
		if (compile(q, &e) == -1 && q->jq != NULL)
			jq_teardown(&q->jq);
	}
	if (q->jq == NULL) {
		jv_free(input);
		return;
	}
	jq_start(q->jq, input, 0);
}

/* Messages are one line: fold line breaks, drop trailing blanks. */
static void
one_line(char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (s[n] == '\n' || s[n] == '\r')
			s[n] = ' ';
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

int
filter_next(struct filter *q, jv *out, char *why, size_t n)
{
	jv r, msg;
	char *m;

	if (q->jq == NULL) {
		snprintf(why, n, "the jq program cannot be restarted");
		return -1;
	}
	r = jq_next(q->jq);
	if (jv_is_valid(r)) {
		*out = r;
		return 1;
	}
	if (jq_halted(q->jq)) {
		q->halted = 1;
		jv_free(r);
		msg = jq_get_error_message(q->jq);
		if (jv_get_kind(msg) == JV_KIND_STRING) {
			snprintf(why, n, "%s", jv_string_value(msg));
			one_line(why);
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
	one_line(why);
	jv_free(msg);
	return -1;
}
