/*
 * bad.c: bad records (see bad.h and ring.h).
 *
 * Bad records are decided in input order by the writer: every bad record
 * leaves a mark (how much output its batch had made up to and including
 * it), so the run can stop exactly at the first one past --max-bad.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/bad.h"
#include "shape/check/pii.h"
#include "shape/pipe.h"
#include "shape/ring.h"

int
bad_fail(struct batch *b, int code, const char *fmt, ...)
{
	va_list ap;

	if (!b->failed) {
		b->failed = 1;
		b->err.code = code;
		va_start(ap, fmt);
		vsnprintf(b->err.msg, sizeof(b->err.msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
bad_pii_any(const struct pii *p)
{
	return p != NULL && pii_has(p, -1);
}

void
bad(struct worker *w, const struct item *it, const char *path,
    const char *reason, jv value, int fatal)
{
	const struct pipe_opts *o = w->p->o;
	struct batch *b = w->b;
	struct mark *m;
	char msg[1024];
	void *np;
	jv r, s;

	b->rejected++;
	if (o->reject != NULL) {
		r = JV_OBJECT(jv_string("record"), jv_number((double)it->rec),
		    jv_string("path"), jv_string(path),
		    jv_string("reason"), jv_string(reason));
		if (it->why != NULL) {
			r = jv_object_set(r, jv_string("offset"),
			    jv_number((double)it->boff));
			r = jv_object_set(r, jv_string("line"),
			    jv_number((double)it->line));
		}
		if (jv_is_valid(value))
			r = jv_object_set(r, jv_string("value"), value);
		else
			jv_free(value);
		if (it->text != NULL && !bad_pii_any(o->pii))
			r = jv_object_set(r, jv_string("text"),
			    jv_string_sized(it->text, (int)it->tlen));
		s = jv_dump_string(r, 0);
		if (fk_buf_add(&b->rej, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s))) == -1 ||
		    fk_buf_add(&b->rej, "\n", 1) == -1)
			bad_fail(b, FK_EX_SOFTWARE, "out of memory");
		jv_free(s);
	} else {
		jv_free(value);
	}
	if (*path != '\0')
		snprintf(msg, sizeof(msg), "record %lld: field '%s': %s",
		    it->rec, path, reason);
	else
		snprintf(msg, sizeof(msg), "record %lld: %s", it->rec, reason);
	np = pipe_grow(b->marks, &b->mcap, b->nmarks, sizeof(*b->marks));
	if (np == NULL) {
		bad_fail(b, FK_EX_SOFTWARE, "out of memory");
		return;
	}
	b->marks = np;
	m = &b->marks[b->nmarks++];
	m->rec = it->rec;
	m->rows = b->wb.n;
	m->rej = b->rej.len;
	m->read = b->read;
	m->written = b->written;
	m->rejected = b->rejected;
	m->fast = b->fast;
	m->flat = b->flat;
	m->fatal = fatal;
	m->msg = strdup(msg);
}

jv
bad_keep(const struct worker *w, jv v)
{
	if (bad_pii_any(w->p->o->pii)) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

long
bad_cut(const struct batch *b, long long allowed, int *why)
{
	size_t i;

	for (i = 0; i < b->nmarks; i++) {
		if (b->marks[i].fatal) {
			*why = PIPE_STOP_MALFORMED;
			return (long)i;
		}
		if ((long long)i + 1 > allowed) {
			*why = PIPE_STOP_TOO_MANY;
			return (long)i;
		}
	}
	return -1;
}

long
bad_stop_at(struct pipe *p, const struct batch *b)
{
	long cut;
	int why;

	cut = bad_cut(b, p->o->max_bad - p->st->rejected, &why);
	if (cut >= 0)
		p->st->stop = why;
	return cut;
}
