/*
 * work.c: a worker's batch (see ring.h).  Per value: parse -> jq filter
 * (each output must be an object) -> --drop/--mask-ip/--hash -> column
 * names -> schema check and coercion (given, or inferred from the sample)
 * -> the format's encoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/check/infer.h"
#include "shape/ring.h"

/* ---- the schema ------------------------------------------------------ */

int
work_setup(struct pipe *p, const struct fk_schema *s, struct fk_err *e)
{
	p->run = p->wr->setup(s, &p->o->wopts, e);
	if (p->run == NULL)
		return -1;
	p->nwiden = fk_schema_count(s);
	return 0;
}

/*
 * Set up and publish the schema of the rows in.  This batch's worker is
 * the only one running (the others wait for the schema), so it may set
 * it up unlocked.  0 when published; 1 with e when the rows give no
 * schema the output format can take; -1 with e for a failure of the run.
 */
static int
publish(struct worker *w, const struct fk_infer *in, struct fk_err *e)
{
	struct pipe *p = w->p;
	struct fk_shape_stats *st = p->st;

	if (fk_infer_schema(in, &st->inferred, e) == -1)
		return e->code == FK_EX_SOFTWARE ? -1 : 1;
	if (work_setup(p, &st->inferred, e) == -1) {
		fk_schema_free(&st->inferred);
		return e->code == FK_EX_DATAERR ? 1 : -1;
	}
	ring_lock(p);
	st->have_inferred = 1;
	p->schema = &st->inferred;
	p->ready = 1;
	pthread_cond_broadcast(&p->cv);
	ring_unlock(p);
	return 0;
}

/*
 * No schema after the sample (its rows were all bad or gave none that
 * fits): the first row decides on its own, or is bad.  Consumes row.
 */
static int
infer(struct worker *w, const struct item *it, jv row)
{
	struct fk_infer *in = fk_infer_new();
	struct fk_cerr ce;
	struct fk_err e;
	int rc;

	if (in == NULL) {
		jv_free(row);
		return bfail(w->b, FK_EX_SOFTWARE, "out of memory");
	}
	if (fk_infer_add(in, row, &ce) == -1) {
		fk_infer_free(in);
		bad(w, it, ce.path, ce.reason, row, 0);
		return -1;
	}
	rc = publish(w, in, &e);
	fk_infer_free(in);
	if (rc == -1) {
		jv_free(row);
		return bfail(w->b, e.code, "%s", e.msg);
	}
	if (rc == 1) {
		bad(w, it, "", e.msg, row, 0);
		return -1;
	}
	jv_free(row);
	return 0;
}

/* ---- one row --------------------------------------------------------- */

/*
 * Encode one canonical row (consumed) for the format; a row the format
 * refuses is a bad record.  0 when written.
 */
static int
encode(struct worker *w, const struct item *it, jv canon, jv r)
{
	struct pipe *p = w->p;
	struct fk_err e;
	int rc;

	rc = p->wr->encode(p->run, &w->enc, canon, &w->b->wb, &e);
	jv_free(canon);
	if (rc == 1) {
		bad(w, it, "", e.msg, jv_copy(r), 0);
		return -1;
	}
	if (rc == -1)
		return bfail(w->b, e.code, "%s", e.msg);
	return 0;
}

static void
row(struct worker *w, const struct item *it, jv r)
{
	struct pipe *p = w->p;
	const struct fk_shape_opts *o = p->o;
	struct fk_cerr ce;
	char why[128];
	jv canon;
	int flags;

	memset(&ce, 0, sizeof(ce));
	if (jv_get_kind(r) != JV_KIND_OBJECT) {
		snprintf(why, sizeof(why), "filter output is %s, not an "
		    "object", jv_kind_name(jv_get_kind(r)));
		bad(w, it, "", why, keep(w, r), 0);
		return;
	}
	if (w->pii != NULL && fk_pii_apply(w->pii, r, &r, &ce) == -1) {
		bad(w, it, ce.path, ce.reason, keep(w, r), 0);
		return;
	}
	if (!p->ready && infer(w, it, jv_copy(r)) == -1) {
		jv_free(r);
		return;
	}
	/* The row never leaves this thread: the encoders take it here. */
	flags = FK_CO_THREAD_KEYS;
	if (o->drop_unknown)
		flags |= FK_CO_DROP_UNKNOWN;
	if (o->schema == NULL && (p->wr->flags & FK_W_WIDEN)) {
		flags |= FK_CO_WIDEN;
		if (w->b->widen == NULL)
			w->b->widen = calloc(p->nwiden ? p->nwiden : 1, 1);
	}
	if (fk_schema_coerce(p->schema, r, flags, w->b->widen, &canon,
	    &ce) == -1) {
		bad(w, it, ce.path, ce.reason, r, 0);
		return;
	}
	if (encode(w, it, canon, r) == -1) {
		jv_free(r);
		return;
	}
	jv_free(r);
	w->b->written++;
}

/* ---- one input value ------------------------------------------------- */

static jv
parse(struct worker *w, const char *s, size_t n)
{
	jv v;

	/*
	 * Objects, arrays and strings end on their closing byte, so one
	 * parser can take value after value; bare numbers and literals
	 * need an end of input to finish.
	 */
	if (*s != '{' && *s != '[' && *s != '"')
		return jv_parse_sized(s, (int)n);
	if (w->parser == NULL)
		w->parser = jv_parser_new(0);
	jv_parser_set_buf(w->parser, s, (int)n, 1);
	v = jv_parser_next(w->parser);
	if (!jv_is_valid(v)) {
		/* Not expected after the scanner; start afresh anyway. */
		jv_parser_free(w->parser);
		w->parser = NULL;
		if (!jv_invalid_has_msg(jv_copy(v))) {
			jv_free(v);
			v = jv_invalid_with_msg(jv_string("incomplete value"));
		}
	}
	return v;
}

static void
value(struct worker *w, const struct item *it)
{
	char why[512], msg[640];
	jv v, out;
	int r;

	w->b->read++;
	if (it->why != NULL) {
		snprintf(msg, sizeof(msg), "malformed JSON at byte %lld "
		    "(line %lld): %s", it->boff, it->line, it->why);
		bad(w, it, "", msg, jv_invalid(), w->p->o->reject == NULL);
		return;
	}
	v = parse(w, w->b->buf + it->off, it->len);
	if (!jv_is_valid(v)) {
		out = jv_invalid_get_msg(v);
		snprintf(msg, sizeof(msg), "malformed JSON: %s",
		    jv_get_kind(out) == JV_KIND_STRING ? jv_string_value(out) :
		    "unknown error");
		jv_free(out);
		bad(w, it, "", msg, jv_invalid(), w->p->o->reject == NULL);
		return;
	}
	if (w->jq == NULL) {
		row(w, it, v);
		return;
	}
	fk_jq_start(w->jq, jv_copy(v));
	while ((r = fk_jq_next(w->jq, &out, why, sizeof(why))) == 1)
		row(w, it, out);
	if (r == -1) {
		snprintf(msg, sizeof(msg), "filter error: %s", why);
		bad(w, it, "", msg, keep(w, v), 0);
		return;
	}
	jv_free(v);
}

/* One program output of the sample (consumed). */
static void
sample_row(struct worker *w, struct fk_infer *in, jv r)
{
	struct fk_cerr ce;

	if (jv_get_kind(r) == JV_KIND_OBJECT && (w->pii == NULL ||
	    fk_pii_apply(w->pii, r, &r, &ce) == 0))
		fk_infer_add(in, r, &ce);	/* a row that cannot be one */
	jv_free(r);				/* is bad later, in value() */
}

/*
 * The sample: run the program over the batch's values until sample_rows
 * rows came out, and publish the schema they make.  Bad values and rows
 * are passed over here; value() reports them when it runs the batch
 * again with the schema.
 */
static int
sample(struct worker *w, struct batch *b)
{
	const struct fk_shape_opts *o = w->p->o;
	struct fk_infer *in;
	struct fk_err e;
	char why[512];
	size_t i;
	jv v, out;
	int rc;

	in = fk_infer_new();
	if (in == NULL)
		return bfail(b, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < b->nitems && fk_infer_rows(in) < o->sample_rows &&
	    !ring_quitting(w->p); i++) {
		if (b->items[i].why != NULL)
			continue;
		v = parse(w, b->buf + b->items[i].off, b->items[i].len);
		if (!jv_is_valid(v)) {
			jv_free(v);
			continue;
		}
		if (w->jq == NULL) {
			sample_row(w, in, v);
			continue;
		}
		fk_jq_start(w->jq, v);
		while (fk_infer_rows(in) < o->sample_rows &&
		    fk_jq_next(w->jq, &out, why, sizeof(why)) == 1)
			sample_row(w, in, out);
	}
	rc = fk_infer_rows(in) > 0 ? publish(w, in, &e) : 1;
	fk_infer_free(in);
	if (rc == -1)
		return bfail(b, e.code, "%s", e.msg);
	return 0;
}

void
work_batch(struct worker *w, struct batch *b)
{
	struct pipe *p = w->p;
	size_t i;

	w->b = b;
	/* Inferred schema: the first row decides, in input order. */
	ring_lock(p);
	while (!p->ready && p->done_upto < b->seq && !p->quit)
		pthread_cond_wait(&p->cv, &p->mu);
	ring_unlock(p);
	if (!p->ready && sample(w, b) == -1)
		return;
	for (i = 0; i < b->nitems && !b->failed && !ring_quitting(p); i++)
		value(w, &b->items[i]);
}
