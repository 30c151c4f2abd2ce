/*
 * work.c: a worker's batch (see ring.h).  Per value: parse -> jq filter
 * (each output must be an object) -> --drop/--mask-ip/--hash -> column
 * names -> schema check and coercion (given, or inferred from the sample)
 * -> the format's encoder.
 *
 * A value whose rows need none of that in full (a flat schema, rows of
 * plain text values: flat.h) takes the same steps on its text instead,
 * no jv made: proj_run_text -> pii_apply_text -> flat_row -> the
 * format's encode_flat.  Any row it cannot take sends the whole value
 * the first way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape/bad.h"
#include "shape/check/infer.h"
#include "shape/pipe.h"
#include "shape/ring.h"
#include "shape/work.h"

/* ---- the schema ------------------------------------------------------ */

int
work_setup(struct pipe *p, const struct schema *s, struct fk_err *e)
{
	const struct pipe_opts *o = p->o;

	p->run = writer_setup(p->wr, s, &o->wopts, e);
	if (p->run == NULL)
		return -1;
	p->nwiden = schema_count(s);
	p->flat = o->proj != NULL && proj_texts(o->proj) &&
	    p->wr->encode_flat != NULL && flat_schema(s);
	return 0;
}

/*
 * Set up and publish the schema of the rows in.  This batch's worker is
 * the only one running (the others wait for the schema), so it may set
 * it up unlocked.  0 when published; 1 with e when the rows give no
 * schema the output format can take; -1 with e for a failure of the run.
 */
static int
publish(struct worker *w, const struct infer *in, struct fk_err *e)
{
	struct pipe *p = w->p;
	struct pipe_stats *st = p->st;

	if (infer_schema(in, &st->inferred, e) == -1)
		return e->code == FK_EX_SOFTWARE ? -1 : 1;
	if (work_setup(p, &st->inferred, e) == -1) {
		schema_free(&st->inferred);
		return e->code == FK_EX_DATAERR ? 1 : -1;
	}
	pipe_lock(p);
	st->have_inferred = 1;
	p->schema = &st->inferred;
	p->ready = 1;
	pthread_cond_broadcast(&p->cv);
	pipe_unlock(p);
	return 0;
}

/*
 * No schema after the sample (its rows were all bad or gave none that
 * fits): the first row decides on its own, or is bad.  Consumes row.
 */
static int
infer(struct worker *w, const struct item *it, jv row)
{
	struct infer *in = infer_new();
	struct schema_cerr ce;
	struct fk_err e;
	int rc;

	if (in == NULL) {
		jv_free(row);
		return bad_fail(w->b, FK_EX_SOFTWARE, "out of memory");
	}
	if (infer_add(in, row, &ce) == -1) {
		infer_free(in);
		bad(w, it, ce.path, ce.reason, row, 0);
		return -1;
	}
	rc = publish(w, in, &e);
	infer_free(in);
	if (rc == -1) {
		jv_free(row);
		return bad_fail(w->b, e.code, "%s", e.msg);
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
		return bad_fail(w->b, e.code, "%s", e.msg);
	return 0;
}

static void
row(struct worker *w, const struct item *it, jv r)
{
	struct pipe *p = w->p;
	const struct pipe_opts *o = p->o;
	struct schema_cerr ce;
	char why[128];
	jv canon;
	int flags;

	memset(&ce, 0, sizeof(ce));
	if (jv_get_kind(r) != JV_KIND_OBJECT) {
		snprintf(why, sizeof(why), "filter output is %s, not an "
		    "object", jv_kind_name(jv_get_kind(r)));
		bad(w, it, "", why, bad_keep(w, r), 0);
		return;
	}
	if (w->pii != NULL && pii_apply(w->pii, r, &r, &ce) == -1) {
		bad(w, it, ce.path, ce.reason, bad_keep(w, r), 0);
		return;
	}
	if (!p->ready && infer(w, it, jv_copy(r)) == -1) {
		jv_free(r);
		return;
	}
	/* The row never leaves this thread: the encoders take it here. */
	flags = SCHEMA_CO_THREAD_KEYS;
	if (o->drop_unknown)
		flags |= SCHEMA_CO_DROP_UNKNOWN;
	if (o->schema == NULL && (p->wr->flags & WRITER_WIDEN)) {
		flags |= SCHEMA_CO_WIDEN;
		if (w->b->widen == NULL)
			w->b->widen = calloc(p->nwiden ? p->nwiden : 1, 1);
	}
	if (schema_coerce(p->schema, r, flags, w->b->widen, &canon,
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

/*
 * The program's rows for one value by the projection fast path (see
 * proj.h): 0 with rows[0..*n), owned by the caller; 1 when libjq runs it.
 */
static int
fast(struct worker *w, const struct item *it, jv **rows, size_t *n)
{
	if (w->px == NULL)
		return 1;
	return proj_run(w->px, w->b->buf + it->off, it->len, rows, n);
}

/* p with room for n elements of size sz (*cap now), or NULL (p kept). */
static void *
room(void *p, size_t *cap, size_t n, size_t sz)
{
	void *np;

	if (n <= *cap)
		return p;
	np = realloc(p, n * sz);
	if (np != NULL)
		*cap = n;
	return np;
}

/*
 * Room for a value of n rows (all members in them) as flat rows;
 * -1 when out of memory.
 */
static int
flat_room(struct worker *w, size_t n, size_t all)
{
	void *p;

	p = room(w->fv, &w->fvcap, n * w->p->schema->nfields,
	    sizeof(*w->fv));
	if (p == NULL)
		return -1;
	w->fv = p;
	if (w->pii == NULL)
		return 0;
	/* One more: rows with no members still need the arrays. */
	if ((p = room(w->pkv, &w->pkvcap, all + 1, sizeof(*w->pkv))) == NULL)
		return -1;
	w->pkv = p;
	if ((p = room(w->pbuf, &w->pbufcap, (all + 1) * PII_TEXT_MAX,
	    1)) == NULL)
		return -1;
	w->pbuf = p;
	return 0;
}

/*
 * The flat rows of a value whose rows came out as text: n rows, row i
 * the members kv[end[i-1]..end[i]), after --drop, --mask-ip and --hash.
 * 0 with them in w->fv; 1 when any needs the canonical path (or memory
 * ran out: the canonical path then reports it).
 */
static int
flat_rows(struct worker *w, const struct proj_kv *kv, const size_t *end,
    size_t n)
{
	const struct schema *s = w->p->schema;
	const struct proj_kv *row;
	size_t i, m, from, all = n ? end[n - 1] : 0, nf = s->nfields;

	if (flat_room(w, n, all) == -1)
		return 1;
	for (i = 0, from = 0; i < n; from = end[i++]) {
		row = kv + from;
		m = end[i] - from;
		if (w->pii != NULL) {
			memcpy(w->pkv + from, row, m * sizeof(*row));
			if (pii_apply_text(w->pii, w->pkv + from, &m,
			    w->pbuf + from * PII_TEXT_MAX) != 0)
				return 1;
			row = w->pkv + from;
		}
		if (flat_row(s, row, m, w->fv + i * nf) != 0)
			return 1;
	}
	return 0;
}

/*
 * The value's rows straight from its text to the format (flat.h), no jv
 * made: 0 when written (or the batch failed), 1 when any of its rows
 * needs the canonical path, with nothing of the value written.
 */
static int
flat(struct worker *w, const struct item *it)
{
	const struct writer *wr = w->p->wr;
	struct wbatch *wb = &w->b->wb;
	const struct proj_kv *kv;
	const size_t *end;
	size_t i, n, nf = w->p->schema->nfields, rows = wb->n;
	struct fk_err e;
	int rc;

	if (proj_run_text(w->px, w->b->buf + it->off, it->len, &kv, &end,
	    &n) != 0 || flat_rows(w, kv, end, n) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		rc = wr->encode_flat(w->p->run, &w->enc, w->fv + i * nf, wb,
		    &e);
		if (rc == -1) {
			bad_fail(w->b, e.code, "%s", e.msg);
			return 0;
		}
		if (rc == 1) {
			/* Refused: the canonical path makes the reject. */
			wb->n = rows;
			wbatch_undo(wb);
			return 1;
		}
	}
	w->b->written += (long long)n;
	return 0;
}

/*
 * The worker's compiled program, compiled now if this is the first value
 * that needs it.  NULL when it cannot be (main compiled it once already,
 * or it is in the fast path's grammar, which libjq always compiles, so
 * only memory can run out): the batch fails.
 */
static struct filter *
program(struct worker *w)
{
	struct fk_err e;
	jv args;

	if (w->jq != NULL)
		return w->jq;
	/* This thread's own jv: see ring.h. */
	args = jv_parse(w->p->args);
	w->jq = filter_new(w->p->o->program, args, &e);
	jv_free(args);
	if (w->jq == NULL)
		bad_fail(w->b, e.code, "%s", e.msg);
	return w->jq;
}

static void
value(struct worker *w, const struct item *it)
{
	char why[512], msg[640];
	size_t i, n;
	jv v, out, *rows;
	int r;

	w->b->read++;
	if (it->why != NULL) {
		snprintf(msg, sizeof(msg), "malformed JSON at byte %lld "
		    "(line %lld): %s", it->boff, it->line, it->why);
		bad(w, it, "", msg, jv_invalid(), w->p->o->reject == NULL);
		return;
	}
	if (w->p->flat && flat(w, it) == 0) {
		w->b->fast++;
		w->b->flat++;
		return;
	}
	if (fast(w, it, &rows, &n) == 0) {
		w->b->fast++;
		for (i = 0; i < n; i++)
			row(w, it, rows[i]);
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
	if (w->p->o->program == NULL) {
		row(w, it, v);
		return;
	}
	if (program(w) == NULL) {
		jv_free(v);
		return;
	}
	filter_start(w->jq, jv_copy(v));
	while ((r = filter_next(w->jq, &out, why, sizeof(why))) == 1)
		row(w, it, out);
	if (r == -1) {
		snprintf(msg, sizeof(msg), "filter error: %s", why);
		bad(w, it, "", msg, bad_keep(w, v), 0);
		return;
	}
	jv_free(v);
}

/* One program output of the sample (consumed). */
static void
sample_row(struct worker *w, struct infer *in, jv r)
{
	struct schema_cerr ce;

	if (jv_get_kind(r) == JV_KIND_OBJECT && (w->pii == NULL ||
	    pii_apply(w->pii, r, &r, &ce) == 0))
		infer_add(in, r, &ce);	/* a row that cannot be one */
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
	const struct pipe_opts *o = w->p->o;
	struct infer *in;
	struct fk_err e;
	char why[512];
	size_t i, j, n;
	jv v, out, *rows;
	int rc;

	in = infer_new();
	if (in == NULL)
		return bad_fail(b, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < b->nitems && infer_rows(in) < o->sample_rows &&
	    !pipe_quitting(w->p); i++) {
		if (b->items[i].why != NULL)
			continue;
		if (fast(w, &b->items[i], &rows, &n) == 0) {
			for (j = 0; j < n; j++)
				if (infer_rows(in) < o->sample_rows)
					sample_row(w, in, rows[j]);
				else
					jv_free(rows[j]);
			continue;
		}
		v = parse(w, b->buf + b->items[i].off, b->items[i].len);
		if (!jv_is_valid(v)) {
			jv_free(v);
			continue;
		}
		if (o->program == NULL) {
			sample_row(w, in, v);
			continue;
		}
		if (program(w) == NULL) {
			jv_free(v);
			infer_free(in);
			return -1;	/* the batch has failed */
		}
		filter_start(w->jq, v);
		while (infer_rows(in) < o->sample_rows &&
		    filter_next(w->jq, &out, why, sizeof(why)) == 1)
			sample_row(w, in, out);
	}
	rc = infer_rows(in) > 0 ? publish(w, in, &e) : 1;
	infer_free(in);
	if (rc == -1)
		return bad_fail(b, e.code, "%s", e.msg);
	return 0;
}

/*
 * For a format that admits its batches in order (Parquet): admit this
 * one after the one before, with the rows the file will hold of it (up
 * to where the run stops on bad records, as order.c writes them), then
 * build it alongside the other workers.  Every batch passes, a failed
 * one too, or the workers after it would wait for ever.
 */
static void
admit(struct worker *w, struct batch *b)
{
	struct pipe *p = w->p;
	const struct mark *m;
	struct fk_err e;
	size_t n = 0;
	long cut;
	int why, rc, last = 0;

	pipe_lock(p);
	while (p->admit_seq != b->seq)
		pthread_cond_wait(&p->cv, &p->mu);
	pipe_unlock(p);
	p->admit_stop |= b->failed;
	if (!p->admit_stop) {
		cut = bad_cut(b, p->o->max_bad - p->admit_rejected, &why);
		m = cut >= 0 ? &b->marks[cut] : NULL;
		n = m != NULL ? m->rows : b->wb.n;
		p->admit_rejected += m != NULL ? m->rejected : b->rejected;
		p->admit_stop = m != NULL;
		last = b->last || p->admit_stop;
	}
	rc = p->run != NULL ? writer_admit(p->wr, p->run, &w->enc, &b->wb, n,
	    last, &e) : 0;
	pipe_lock(p);
	p->admit_seq++;
	pthread_cond_broadcast(&p->cv);
	pipe_unlock(p);
	if (p->run != NULL && writer_build(p->wr, p->run, w->enc, &e) == -1)
		rc = -1;
	if (rc == -1 && !b->failed)
		bad_fail(b, e.code, "%s", e.msg);
}

void
work_batch(struct worker *w, struct batch *b)
{
	struct pipe *p = w->p;
	size_t i;

	w->b = b;
	/* Inferred schema: the first row decides, in input order. */
	pipe_lock(p);
	while (!p->ready && p->done_upto < b->seq && !p->quit)
		pthread_cond_wait(&p->cv, &p->mu);
	pipe_unlock(p);
	if (p->ready || sample(w, b) == 0) {
		for (i = 0; i < b->nitems && !b->failed &&
		    !pipe_quitting(p); i++)
			value(w, &b->items[i]);
		if (!b->failed)
			writer_seal(p->wr, p->run, w->enc, &b->wb);
	}
	if (writer_admits(p->wr))
		admit(w, b);
}
