/*
 * pipe.c: reader, workers and writer (see pipe.h).
 *
 * Batches live in a ring of NSLOTS(workers) slots; batch number s uses
 * slot s % n.  A slot goes FREE -> FILLED (reader) -> WORKING -> DONE
 * (a worker) -> FREE (the writer, after writing it).  One mutex and one
 * condition variable guard the states; the work itself runs unlocked on
 * data only one thread owns at a time, which is also what libjq needs:
 * jq 1.6's reference counts are not atomic, so a jv never crosses threads
 * while another thread still holds it.
 *
 * Bad records are decided in input order by the writer: every bad record
 * leaves a mark (how much output its batch had made up to and including
 * it), so the run can stop exactly at the first one past --max-bad.
 *
 * Malformed input: the bad value is reported with the byte offset of the
 * error and reading resumes at the start of the line after the one where
 * the bad value began, which for NDJSON is the next record.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avro.h"
#include "buf.h"
#include "filter.h"
#include "infer.h"
#include "json.h"
#include "pipe.h"
#include "scan.h"
#include "shape.h"
#include "text.h"

#define BATCH_VALUES 256
#define BATCH_BYTES (512 * 1024)
#define READ_CHUNK (128 * 1024)
#define TEXT_MAX 1024		/* bytes of a malformed value kept */
#define BIG (4 * 1024 * 1024)	/* batch memory kept for reuse */
/* A row gets a block of its own if need be; BigQuery's limit is 16 MB. */
#define AVRO_ROW_MAX (15 * 1024 * 1024)
#define NSLOTS(w) (2 * (w) + 2)

enum { B_FREE, B_FILLED, B_WORKING, B_DONE };
enum { R_SCAN, R_SKIPLINE, R_OVERSIZE };

struct item {
	size_t off, len;
	long long rec;
	char *why;		/* malformed: the reason (owned) */
	char *text;		/* malformed: the start of it (owned) */
	size_t tlen;
	long long boff, line;
};

/* Output made by a batch up to and including one bad record. */
struct mark {
	long long rec;
	size_t out, ndatum, nrows, rej;
	long long read, written, rejected;
	int fatal;
	char *msg;
};

struct batch {
	long long seq;
	int state;
	int last;
	char *buf;
	size_t len, cap;
	struct item *items;
	size_t nitems, icap;
	/* results */
	struct fk_buf out, rej;
	size_t *dlen;		/* Avro: each datum's length */
	size_t ndatum, dcap;
	jv *rows;		/* FK_FMT_ROWS */
	size_t nrows, rcap;
	struct mark *marks;
	size_t nmarks, mcap;
	long long read, written, rejected;
	int nl;
	unsigned char *widen;
	int failed;
	struct fk_err err;
};

struct pipe;

struct worker {
	struct pipe *p;
	pthread_t tid;
	struct fk_jq *jq;
	struct jv_parser *parser;
	struct fk_pii_state *pii;
	struct fk_avro_enc *avro;
	struct fk_buf tmp;
	struct batch *b;
};

struct pipe {
	const struct fk_shape_opts *o;
	struct fk_shape_stats *st;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *slots;
	size_t nslots;
	long long next_fill, next_work, done_upto;
	int all_claimed;
	int quit;
	/* the schema, once known */
	const struct fk_schema *schema;
	int ready;
	struct fk_csv *csv;
	char *avro_text;
	size_t nwiden;
	/* workers and writer */
	struct worker *w;
	int nw;
	pthread_t wtid;
	int header_done;
	struct fk_avro_out *avro;
	int sink_open;
	int failed;
	struct fk_err err;
};

static void
lock(struct pipe *p)
{
	pthread_mutex_lock(&p->mu);
}

static void
unlock(struct pipe *p)
{
	pthread_mutex_unlock(&p->mu);
}

/* ---- batches --------------------------------------------------------- */

static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nitems; i++) {
		free(b->items[i].why);
		free(b->items[i].text);
	}
	for (i = 0; i < b->nrows; i++)
		jv_free(b->rows[i]);
	for (i = 0; i < b->nmarks; i++)
		free(b->marks[i].msg);
	b->len = b->nitems = b->ndatum = b->nrows = b->nmarks = 0;
	b->read = b->written = b->rejected = 0;
	b->nl = b->last = b->failed = 0;
	fk_buf_reset(&b->out);
	fk_buf_reset(&b->rej);
	free(b->widen);
	b->widen = NULL;
	/* Give back what one huge value needed; keep the usual sizes. */
	if (b->cap > BIG) {
		free(b->buf);
		b->buf = NULL;
		b->cap = 0;
	}
	if (b->out.cap > BIG)
		fk_buf_free(&b->out);
}

static void
batch_free(struct batch *b)
{
	batch_clear(b);
	free(b->buf);
	free(b->items);
	free(b->dlen);
	free(b->rows);
	free(b->marks);
	fk_buf_free(&b->out);
	fk_buf_free(&b->rej);
}

/*
 * Room for one more of n elements of size sz in p: p itself, a larger
 * copy, or NULL (p still valid) when out of memory.
 */
static void *
grow(void *p, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *np;

	if (n < *cap)
		return p;
	nc = *cap ? 2 * *cap : 64;
	np = realloc(p, nc * sz);
	if (np != NULL)
		*cap = nc;
	return np;
}


static int
bfail(struct batch *b, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bfail(struct batch *b, int code, const char *fmt, ...)
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

/* ---- bad records ----------------------------------------------------- */

static int
pii_has(const struct fk_pii *p)
{
	return p != NULL && fk_pii_has(p, -1);
}

static int
quitting(struct pipe *p)
{
	return __atomic_load_n(&p->quit, __ATOMIC_RELAXED);
}

static void
set_quit(struct pipe *p)
{
	__atomic_store_n(&p->quit, 1, __ATOMIC_RELAXED);
}

/*
 * Record one bad record: its reject line (value consumed; pass
 * jv_invalid() to leave it out), its message, and a mark.
 */
static void
bad(struct worker *w, const struct item *it, const char *path,
    const char *reason, jv value, int fatal)
{
	const struct fk_shape_opts *o = w->p->o;
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
		if (it->text != NULL && !pii_has(o->pii))
			r = jv_object_set(r, jv_string("text"),
			    jv_string_sized(it->text, (int)it->tlen));
		s = jv_dump_string(r, 0);
		if (fk_buf_add(&b->rej, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s))) == -1 ||
		    fk_buf_add(&b->rej, "\n", 1) == -1)
			bfail(b, FK_EX_SOFTWARE, "out of memory");
		jv_free(s);
	} else {
		jv_free(value);
	}
	if (*path != '\0')
		snprintf(msg, sizeof(msg), "record %lld: field '%s': %s",
		    it->rec, path, reason);
	else
		snprintf(msg, sizeof(msg), "record %lld: %s", it->rec, reason);
	np = grow(b->marks, &b->mcap, b->nmarks, sizeof(*b->marks));
	if (np == NULL) {
		bfail(b, FK_EX_SOFTWARE, "out of memory");
		return;
	}
	b->marks = np;
	m = &b->marks[b->nmarks++];
	m->rec = it->rec;
	m->out = b->out.len;
	m->ndatum = b->ndatum;
	m->nrows = b->nrows;
	m->rej = b->rej.len;
	m->read = b->read;
	m->written = b->written;
	m->rejected = b->rejected;
	m->fatal = fatal;
	m->msg = strdup(msg);
}

/* A value for a reject line, unless personal data must stay out of it. */
static jv
keep(const struct worker *w, jv v)
{
	if (pii_has(w->p->o->pii)) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

/* ---- the schema ------------------------------------------------------ */

/* Make the per-schema encoders; the caller publishes the schema. */
static int
schema_setup(struct pipe *p, const struct fk_schema *s, struct fk_err *e)
{
	if (p->o->format == FK_FMT_CSV) {
		p->csv = fk_csv_new(s, e);
		if (p->csv == NULL)
			return -1;
	}
	if (p->o->format == FK_FMT_AVRO) {
		p->avro_text = fk_avro_schema(s, e);
		if (p->avro_text == NULL)
			return -1;
	}
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
	if (schema_setup(p, &st->inferred, e) == -1) {
		fk_csv_free(p->csv);
		p->csv = NULL;
		fk_schema_free(&st->inferred);
		return e->code == FK_EX_DATAERR ? 1 : -1;
	}
	lock(p);
	st->have_inferred = 1;
	p->schema = &st->inferred;
	p->ready = 1;
	pthread_cond_broadcast(&p->cv);
	unlock(p);
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

static int
encode(struct worker *w, jv canon)
{
	const struct fk_shape_opts *o = w->p->o;
	struct batch *b = w->b;
	size_t before = b->out.len;
	struct fk_err e;
	void *np;
	int rc = 0;

	switch (o->format) {
	case FK_FMT_NDJSON:
		rc = fk_ndjson_row(w->p->schema, canon, &b->out);
		break;
	case FK_FMT_CSV:
		rc = fk_csv_row(w->p->csv, canon, &b->out, &w->tmp, &b->nl);
		break;
	case FK_FMT_AVRO:
		if (w->avro == NULL) {
			w->avro = fk_avro_enc_new(w->p->avro_text, &e);
			if (w->avro == NULL) {
				jv_free(canon);
				return bfail(b, e.code, "%s", e.msg);
			}
		}
		rc = fk_avro_enc_row(w->avro, w->p->schema, canon, &b->out, &e);
		np = rc == 0 ? grow(b->dlen, &b->dcap, b->ndatum,
		    sizeof(*b->dlen)) : NULL;
		if (np != NULL) {
			b->dlen = np;
			b->dlen[b->ndatum++] = b->out.len - before;
		} else {
			rc = -1;
		}
		break;
	default:
		np = grow(b->rows, &b->rcap, b->nrows, sizeof(*b->rows));
		if (np == NULL) {
			rc = -1;
		} else {
			b->rows = np;
			/* The row crosses to the writer thread. */
			b->rows[b->nrows++] = fk_json_isolate(jv_copy(canon));
		}
		break;
	}
	jv_free(canon);
	if (rc == -1) {
		b->out.len = before;
		return bfail(b, FK_EX_SOFTWARE, "cannot encode a row (a bug or "
		    "no memory)");
	}
	return 0;
}

/* A row too big for any Avro block BigQuery reads is a bad record. */
static int
too_big(struct worker *w, const struct item *it, jv row)
{
	struct batch *b = w->b;
	size_t n;
	char why[160];

	if (w->p->o->format != FK_FMT_AVRO || b->ndatum == 0)
		return 0;
	n = b->dlen[b->ndatum - 1];
	if (n <= AVRO_ROW_MAX)
		return 0;
	b->ndatum--;
	b->out.len -= n;
	snprintf(why, sizeof(why), "row is %zu bytes in Avro; BigQuery reads "
	    "no Avro block over 16 MB", n);
	bad(w, it, "", why, jv_copy(row), 0);
	return 1;
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
	flags = o->drop_unknown ? FK_CO_DROP_UNKNOWN : 0;
	if (o->format != FK_FMT_ROWS)
		flags |= FK_CO_THREAD_KEYS;
	if (o->schema == NULL && (o->format == FK_FMT_NDJSON ||
	    o->format == FK_FMT_CSV)) {
		flags |= FK_CO_WIDEN;
		if (w->b->widen == NULL)
			w->b->widen = calloc(p->nwiden ? p->nwiden : 1, 1);
	}
	if (fk_schema_coerce(p->schema, r, flags, w->b->widen, &canon,
	    &ce) == -1) {
		bad(w, it, ce.path, ce.reason, r, 0);
		return;
	}
	if (encode(w, canon) == -1 || too_big(w, it, r)) {
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
	    !quitting(w->p); i++) {
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

static void
process(struct worker *w, struct batch *b)
{
	struct pipe *p = w->p;
	size_t i;

	w->b = b;
	/* Inferred schema: the first row decides, in input order. */
	lock(p);
	while (!p->ready && p->done_upto < b->seq && !p->quit)
		pthread_cond_wait(&p->cv, &p->mu);
	unlock(p);
	if (!p->ready && sample(w, b) == -1)
		return;
	for (i = 0; i < b->nitems && !b->failed && !quitting(p); i++)
		value(w, &b->items[i]);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipe *p = w->p;
	struct batch *b;

	for (;;) {
		lock(p);
		for (;;) {
			b = &p->slots[p->next_work % (long long)p->nslots];
			if (p->quit || p->all_claimed) {
				unlock(p);
				fk_schema_thread_done();
				return NULL;
			}
			if (b->state == B_FILLED && b->seq == p->next_work)
				break;
			pthread_cond_wait(&p->cv, &p->mu);
		}
		b->state = B_WORKING;
		p->next_work++;
		if (b->last)
			p->all_claimed = 1;
		unlock(p);
		process(w, b);
		lock(p);
		b->state = B_DONE;
		while (p->slots[p->done_upto % (long long)p->nslots].state ==
		    B_DONE && p->slots[p->done_upto %
		    (long long)p->nslots].seq == p->done_upto)
			p->done_upto++;
		pthread_cond_broadcast(&p->cv);
		unlock(p);
	}
}

/* ---- writer ---------------------------------------------------------- */

static int
wfail(struct pipe *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wfail(struct pipe *p, int code, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		p->failed = 1;
		p->err.code = code;
		va_start(ap, fmt);
		vsnprintf(p->err.msg, sizeof(p->err.msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
put(struct pipe *p, FILE *f, const void *s, size_t n, const char *what)
{
	if (n > 0 && fwrite(s, 1, n, f) != n)
		return wfail(p, FK_EX_IOERR, "cannot write %s: %s", what,
		    strerror(errno));
	return 0;
}

/* Headers and containers wait for the schema, then open once. */
static int
start_output(struct pipe *p)
{
	const struct fk_shape_opts *o = p->o;
	struct fk_buf h = { 0 };
	struct fk_err e;
	int rc = 0;

	lock(p);
	rc = p->ready;
	unlock(p);
	if (p->header_done || !rc)
		return 0;
	rc = 0;
	p->header_done = 1;
	switch (o->format) {
	case FK_FMT_CSV:
		if (fk_csv_header(p->csv, &h) == -1)
			rc = wfail(p, FK_EX_SOFTWARE, "out of memory");
		else
			rc = put(p, o->out, h.p, h.len, "output");
		fk_buf_free(&h);
		return rc;
	case FK_FMT_AVRO:
		p->avro = fk_avro_open(o->out, p->avro_text, o->codec,
		    o->block_size, &e);
		if (p->avro == NULL)
			return wfail(p, e.code, "%s", e.msg);
		return 0;
	case FK_FMT_ROWS:
		if (o->sink->open(o->sink->ctx, p->schema, o->out, &e) == -1)
			return wfail(p, e.code, "%s", e.msg);
		p->sink_open = 1;
		return 0;
	default:
		return 0;
	}
}

/* The index of the mark to stop at, or -1 to take the whole batch. */
static long
stop_at(struct pipe *p, const struct batch *b)
{
	long long allowed = p->o->max_bad - p->st->rejected;
	size_t i;

	for (i = 0; i < b->nmarks; i++) {
		if (b->marks[i].fatal) {
			p->st->stop = FK_STOP_MALFORMED;
			return (long)i;
		}
		if ((long long)i + 1 > allowed) {
			p->st->stop = FK_STOP_TOO_MANY;
			return (long)i;
		}
	}
	return -1;
}

static int
write_rows(struct pipe *p, struct batch *b, size_t nout, size_t ndatum,
    size_t nrows)
{
	const struct fk_shape_opts *o = p->o;
	struct fk_err e;
	size_t i, off = 0;
	int r;

	switch (o->format) {
	case FK_FMT_AVRO:
		for (i = 0; i < ndatum; i++) {
			if (fk_avro_append(p->avro, b->out.p + off, b->dlen[i],
			    &e) == -1)
				return wfail(p, e.code, "%s", e.msg);
			off += b->dlen[i];
		}
		return 0;
	case FK_FMT_ROWS:
		for (i = 0; i < nrows; i++) {
			r = o->sink->write(o->sink->ctx, b->rows[i], &e);
			b->rows[i] = jv_invalid();
			if (r == -1)
				return wfail(p, e.code, "%s", e.msg);
		}
		return 0;
	default:
		return put(p, o->out, b->out.p, nout, "output");
	}
}

static int
write_batch(struct pipe *p, struct batch *b)
{
	const struct fk_shape_opts *o = p->o;
	struct fk_shape_stats *st = p->st;
	const struct mark *m;
	long cut;
	size_t i, j;

	if (b->failed)
		return wfail(p, b->err.code, "%s", b->err.msg);
	cut = stop_at(p, b);
	m = cut >= 0 ? &b->marks[cut] : NULL;
	if (start_output(p) == -1 ||
	    write_rows(p, b, m ? m->out : b->out.len,
	    m ? m->ndatum : b->ndatum, m ? m->nrows : b->nrows) == -1)
		return -1;
	if (o->reject != NULL && put(p, o->reject, b->rej.p,
	    m ? m->rej : b->rej.len, "the reject file") == -1)
		return -1;
	for (i = 0; i < b->nmarks && (cut < 0 || i <= (size_t)cut); i++)
		if (o->on_bad != NULL && b->marks[i].msg != NULL)
			o->on_bad(o->on_bad_ctx, b->marks[i].rec,
			    b->marks[i].msg);
	st->read += m ? m->read : b->read;
	st->written += m ? m->written : b->written;
	st->rejected += m ? m->rejected : b->rejected;
	st->rows = st->written + st->rejected;
	st->csv_newlines |= b->nl;
	if (b->widen != NULL && p->nwiden > 0) {
		if (st->widen == NULL)
			st->widen = calloc(p->nwiden, 1);
		for (j = 0; st->widen != NULL && j < p->nwiden; j++)
			if (b->widen[j] != 0)
				st->widen[j] = b->widen[j];
	}
	return cut >= 0 ? 1 : 0;
}

static void *
writer_main(void *arg)
{
	struct pipe *p = arg;
	struct batch *b;
	long long seq;
	int flushed, r, last;

	for (seq = 0;; seq++) {
		b = &p->slots[seq % (long long)p->nslots];
		flushed = 0;
		lock(p);
		while (b->state != B_DONE || b->seq != seq) {
			if (p->quit) {
				unlock(p);
				return NULL;
			}
			if (!flushed) {
				/* Nothing to do: let a live pipe see output. */
				unlock(p);
				fflush(p->o->out);
				flushed = 1;
				lock(p);
				continue;
			}
			pthread_cond_wait(&p->cv, &p->mu);
		}
		unlock(p);
		r = write_batch(p, b);
		last = b->last;
		lock(p);
		batch_clear(b);
		b->state = B_FREE;
		if (r != 0)
			set_quit(p);
		pthread_cond_broadcast(&p->cv);
		unlock(p);
		if (r != 0 || last)
			return NULL;
	}
}

/* ---- reader ---------------------------------------------------------- */

struct rd {
	struct pipe *p;
	int fd;
	int eof;
	int paused;		/* the last read was short: input waits */
	struct fk_scan sc;
	long long rec;
	long long base;		/* input offset of buf[0] */
	size_t pos;		/* next byte to scan */
	int mode;		/* R_* */
	size_t hold;		/* R_SKIPLINE, R_OVERSIZE: drop from here */
	int failed;
	struct fk_err err;
};

static struct batch *
acquire(struct pipe *p)
{
	struct batch *b;

	lock(p);
	b = &p->slots[p->next_fill % (long long)p->nslots];
	while (b->state != B_FREE && !p->quit)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->quit) {
		unlock(p);
		return NULL;
	}
	b->seq = p->next_fill++;
	unlock(p);
	return b;
}

static void
submit(struct pipe *p, struct batch *b)
{
	lock(p);
	b->state = B_FILLED;
	pthread_cond_broadcast(&p->cv);
	unlock(p);
}

static int
add_item(struct rd *r, struct batch *b, size_t off, size_t len)
{
	struct item *it;
	void *np;

	np = grow(b->items, &b->icap, b->nitems, sizeof(*b->items));
	if (np == NULL)
		return -1;
	b->items = np;
	it = &b->items[b->nitems++];
	memset(it, 0, sizeof(*it));
	it->off = off;
	it->len = len;
	it->rec = ++r->rec;
	return 0;
}

/*
 * A malformed or oversized value: it starts at start, fails at at, and
 * its text (for the reject file) ends at end.
 */
static int
add_bad(struct rd *r, struct batch *b, size_t start, size_t at, size_t end,
    const char *why)
{
	struct item *it;

	if (add_item(r, b, 0, 0) == -1)
		return -1;
	it = &b->items[b->nitems - 1];
	if (end - start > TEXT_MAX)
		end = start + TEXT_MAX;
	it->why = strdup(why);
	it->text = malloc(end - start + 1);
	if (it->why == NULL || it->text == NULL)
		return -1;
	memcpy(it->text, b->buf + start, end - start);
	it->tlen = end - start;
	it->boff = r->base + (long long)at;
	it->line = r->sc.line;
	return 0;
}

/*
 * Malformed input: report it, then resume at the line after the one
 * where the bad value began (or skip to the end of this line).
 */
static int
malformed(struct rd *r, struct batch *b, size_t at)
{
	size_t start = r->sc.start < at ? r->sc.start : at;
	const char *nl, *eol;
	size_t end;

	nl = memchr(b->buf + start, '\n', at - start);
	eol = at < b->len ? memchr(b->buf + at, '\n', b->len - at) : NULL;
	end = nl != NULL ? (size_t)(nl - b->buf) : eol != NULL ?
	    (size_t)(eol - b->buf) : b->len;
	if (add_bad(r, b, start, at, end, r->sc.why) == -1)
		return -1;
	if (nl != NULL) {
		r->pos = (size_t)(nl - b->buf) + 1;
		r->sc.line = r->sc.start_line + 1;
		fk_scan_reset(&r->sc);
		return 0;
	}
	fk_scan_reset(&r->sc);
	r->mode = R_SKIPLINE;
	r->hold = r->pos = at;
	return 0;
}

/* Drop buf[from..to): the bytes of a value or line being skipped. */
static void
drop(struct batch *b, size_t from, size_t to)
{
	memmove(b->buf + from, b->buf + to, b->len - to);
	b->len -= to - from;
}

/*
 * With no schema the first batch is the sample, cut by the sample's size
 * alone (never by a pause in the input) so that the schema depends only
 * on the input.
 */
static int
is_sample(const struct rd *r, const struct batch *b)
{
	return r->p->o->schema == NULL && b->seq == 0;
}

static size_t
max_values(const struct rd *r, const struct batch *b)
{
	return is_sample(r, b) ? r->p->o->sample_rows : BATCH_VALUES;
}

static size_t
max_bytes(const struct rd *r, const struct batch *b)
{
	return is_sample(r, b) ? r->p->o->sample_bytes : BATCH_BYTES;
}

/* Scan what is buffered; 1 when the batch is full. */
static int
scan(struct rd *r, struct batch *b)
{
	const char *nl;
	int s;

	while (r->pos < b->len) {
		if (r->mode == R_SKIPLINE) {
			nl = memchr(b->buf + r->pos, '\n', b->len - r->pos);
			if (nl == NULL) {
				b->len = r->pos = r->hold;
				return 0;
			}
			drop(b, r->hold, (size_t)(nl - b->buf) + 1);
			r->pos = r->hold;
			r->sc.line++;
			r->mode = R_SCAN;
			continue;
		}
		s = fk_scan_next(&r->sc, b->buf, b->len, &r->pos);
		if (r->mode == R_OVERSIZE) {
			if (s == FK_SCAN_MORE) {
				b->len = r->pos = r->hold;
				return 0;
			}
			drop(b, r->hold, r->pos);
			r->pos = r->hold;
			r->mode = s == FK_SCAN_VALUE ? R_SCAN : R_SKIPLINE;
			fk_scan_reset(&r->sc);
			continue;
		}
		if (s == FK_SCAN_VALUE) {
			if (add_item(r, b, r->sc.start, r->pos - r->sc.start)
			    == -1)
				return -1;
		} else if (s == FK_SCAN_ERROR) {
			if (malformed(r, b, r->pos) == -1)
				return -1;
		} else if (fk_scan_in_value(&r->sc) &&
		    b->len - r->sc.start > r->p->o->max_record) {
			if (add_bad(r, b, r->sc.start, r->sc.start, b->len,
			    "value larger than --max-record-size") == -1)
				return -1;
			r->mode = R_OVERSIZE;
			b->len = r->pos = r->hold = r->sc.start;
		}
		/* Only whole values count: a long value is never split. */
		if (b->nitems >= max_values(r, b) || (b->nitems > 0 &&
		    r->pos >= max_bytes(r, b)))
			return 1;
	}
	return 0;
}

/* End of input: finish a last number, or report a value cut short. */
static int
at_eof(struct rd *r, struct batch *b)
{
	int s;

	if (r->mode != R_SCAN)
		return 0;
	s = fk_scan_eof(&r->sc);
	if (s == FK_SCAN_VALUE)
		return add_item(r, b, r->sc.start, b->len - r->sc.start);
	if (s == FK_SCAN_ERROR)
		return malformed(r, b, b->len);
	return 0;
}

static int
fill(struct rd *r, struct batch *b)
{
	struct pollfd pfd;
	ssize_t n;
	int k;
	size_t want;
	char *nb;

	if (b->cap - b->len < READ_CHUNK + 1) {
		want = b->cap ? b->cap : READ_CHUNK * 4;
		while (want - b->len < READ_CHUNK + 1)
			want *= 2;
		nb = realloc(b->buf, want);
		if (nb == NULL)
			return fk_fail(&r->err, FK_EX_SOFTWARE,
			    "out of memory");
		b->buf = nb;
		b->cap = want;
	}
	/* Wait in short steps so a run that stopped need not wait for input. */
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	for (;;) {
		k = poll(&pfd, 1, 200);
		if (k > 0 || (k == -1 && errno != EINTR))
			break;
		if (quitting(r->p)) {
			r->eof = 1;
			return 0;
		}
	}
	do
		n = read(r->fd, b->buf + b->len, READ_CHUNK);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return fk_fail(&r->err, FK_EX_IOERR, "cannot read the input: "
		    "%s", strerror(errno));
	if (n == 0)
		r->eof = 1;
	r->paused = n > 0 && n < READ_CHUNK;
	/* A UTF-8 byte order mark opens the stream at most once. */
	if (r->base == 0 && b->len == 0 && n >= 3 &&
	    memcmp(b->buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	b->len += (size_t)n;
	return 0;
}

/* Hand b to the workers; the unscanned tail moves to a new batch. */
static struct batch *
seal(struct rd *r, struct batch *b)
{
	struct batch *nb;
	size_t from;

	nb = acquire(r->p);
	if (nb == NULL)
		return NULL;
	from = r->mode == R_SCAN && fk_scan_in_value(&r->sc) ? r->sc.start :
	    r->pos;
	if (r->mode != R_SCAN)
		from = r->hold < r->pos ? r->hold : r->pos;
	if (b->len > from) {
		if (nb->cap < b->len - from + READ_CHUNK + 1) {
			free(nb->buf);
			nb->cap = b->len - from + READ_CHUNK * 4;
			nb->buf = malloc(nb->cap);
			if (nb->buf == NULL) {
				nb->cap = 0;
				fk_fail(&r->err, FK_EX_SOFTWARE,
				    "out of memory");
				return NULL;
			}
		}
		memcpy(nb->buf, b->buf + from, b->len - from);
		nb->len = b->len - from;
	}
	r->sc.start -= from < r->sc.start ? from : r->sc.start;
	r->pos -= from;
	r->hold -= from < r->hold ? from : r->hold;
	r->base += (long long)from;
	submit(r->p, b);
	return nb;
}

static int
reader(struct pipe *p, int fd, struct fk_err *e)
{
	struct rd r;
	struct batch *b;
	int full;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.fd = fd;
	fk_scan_init(&r.sc);
	b = acquire(p);
	while (b != NULL) {
		full = scan(&r, b);
		if (full == -1) {
			fk_fail(&r.err, FK_EX_SOFTWARE, "out of memory");
			break;
		}
		if (full || (r.paused && r.pos == b->len && b->nitems > 0 &&
		    !is_sample(&r, b))) {
			r.paused = 0;
			b = seal(&r, b);
			continue;
		}
		if (r.eof) {
			if (at_eof(&r, b) == -1) {
				fk_fail(&r.err, FK_EX_SOFTWARE,
				    "out of memory");
				break;
			}
			if (r.pos < b->len)
				continue;	/* resumed after a bad value */
			break;
		}
		if (fill(&r, b) == -1)
			break;
	}
	if (r.err.code != 0) {
		/* The workers and the writer must not wait for more. */
		lock(p);
		set_quit(p);
		pthread_cond_broadcast(&p->cv);
		unlock(p);
		*e = r.err;
		return -1;
	}
	if (b != NULL) {
		b->last = 1;
		submit(p, b);
	}
	return 0;
}

/* ---- the run --------------------------------------------------------- */

static int
workers_init(struct pipe *p, struct fk_err *e)
{
	const struct fk_shape_opts *o = p->o;
	struct worker *w;
	jv txt, args;
	int i;

	p->w = calloc((size_t)o->workers, sizeof(*p->w));
	if (p->w == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	txt = jv_dump_string(jv_copy(o->args), 0);
	for (i = 0; i < o->workers; i++) {
		w = &p->w[i];
		w->p = p;
		if (o->program != NULL) {
			/* Each jq state gets its own copy: see pipe.c's top. */
			args = jv_parse(jv_string_value(txt));
			w->jq = fk_jq_new(o->program, args, e);
			jv_free(args);
			if (w->jq == NULL) {
				jv_free(txt);
				return -1;
			}
		}
		if (pii_has(o->pii)) {
			w->pii = fk_pii_state_new(o->pii, e);
			if (w->pii == NULL) {
				jv_free(txt);
				return -1;
			}
		}
	}
	jv_free(txt);
	return 0;
}

static void
workers_free(struct pipe *p, struct fk_shape_stats *st)
{
	struct worker *w;
	size_t j, n = p->o->pii != NULL ? fk_pii_npaths(p->o->pii) : 0;
	int i;

	if (n > 0)
		st->hits = calloc(n, sizeof(*st->hits));
	for (i = 0; p->w != NULL && i < p->o->workers; i++) {
		w = &p->w[i];
		for (j = 0; w->pii != NULL && st->hits != NULL && j < n; j++)
			st->hits[j] += fk_pii_hits(w->pii, j);
		fk_jq_free(w->jq);
		if (w->parser != NULL)
			jv_parser_free(w->parser);
		fk_pii_state_free(w->pii);
		fk_avro_enc_free(w->avro);
		fk_buf_free(&w->tmp);
	}
	free(p->w);
}

/*
 * After the threads: write what a run with no rows still owes.  A run
 * stopped on bad records still ends its file on the rows it counted as
 * written; only a failed run (ok 0) abandons it.
 */
static int
finish_output(struct pipe *p, int ok, int stopped)
{
	const struct fk_shape_opts *o = p->o;
	struct fk_err e;

	if (ok && !stopped && o->format == FK_FMT_AVRO && !p->ready)
		return wfail(p, FK_EX_DATAERR, "no row to infer the Avro "
		    "schema from; give --schema");
	if (ok && start_output(p) == -1)
		return -1;
	if (p->avro != NULL) {
		if (!ok) {
			fk_avro_abort(p->avro);
		} else if (fk_avro_close(p->avro, &e) == -1) {
			p->avro = NULL;
			return wfail(p, e.code, "%s", e.msg);
		}
		p->avro = NULL;
	}
	if (p->sink_open) {
		p->sink_open = 0;
		if (!ok)
			o->sink->abort(o->sink->ctx);
		else if (o->sink->close(o->sink->ctx, &e) == -1)
			return wfail(p, e.code, "%s", e.msg);
	}
	return 0;
}

static int
start_threads(struct pipe *p, struct fk_err *e)
{
	int i;

	for (i = 0; i < p->o->workers; i++) {
		if (pthread_create(&p->w[i].tid, NULL, worker_main,
		    &p->w[i]) != 0) {
			p->nw = i;
			return fk_fail(e, FK_EX_SOFTWARE, "cannot start a "
			    "thread");
		}
	}
	p->nw = i;
	if (pthread_create(&p->wtid, NULL, writer_main, p) != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "cannot start a thread");
	return 0;
}

int
fk_shape_run(const struct fk_shape_opts *o, int fd,
    struct fk_shape_stats *st, struct fk_err *e)
{
	struct pipe p;
	size_t i;
	int rc = -1, rrc = 0, started = 0;

	memset(st, 0, sizeof(*st));
	memset(&p, 0, sizeof(p));
	p.o = o;
	p.st = st;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.nslots = NSLOTS((size_t)o->workers);
	p.slots = calloc(p.nslots, sizeof(*p.slots));
	if (p.slots == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	if (workers_init(&p, e) == -1)
		goto out;
	if (o->schema != NULL) {
		if (schema_setup(&p, o->schema, e) == -1)
			goto out;
		p.schema = o->schema;
		p.ready = 1;
	}
	if (start_threads(&p, e) == -1) {
		lock(&p);
		set_quit(&p);
		pthread_cond_broadcast(&p.cv);
		unlock(&p);
	} else {
		started = 1;
		rrc = reader(&p, fd, e);
	}
	for (i = 0; i < (size_t)p.nw; i++)
		pthread_join(p.w[i].tid, NULL);
	if (started)
		pthread_join(p.wtid, NULL);
	if (!started)
		goto out;
	if (finish_output(&p, !p.failed && rrc == 0,
	    st->stop != FK_STOP_NONE) == -1 || p.failed) {
		*e = p.err;
		goto out;
	}
	rc = rrc;
out:
	workers_free(&p, st);
	for (i = 0; p.slots != NULL && i < p.nslots; i++)
		batch_free(&p.slots[i]);
	free(p.slots);
	fk_csv_free(p.csv);
	free(p.avro_text);
	if (p.avro != NULL)
		fk_avro_abort(p.avro);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	return rc;
}

void
fk_shape_stats_free(struct fk_shape_stats *st)
{
	if (st->have_inferred)
		fk_schema_free(&st->inferred);
	free(st->widen);
	free(st->hits);
	memset(st, 0, sizeof(*st));
}

const struct fk_schema *
fk_shape_schema(const struct fk_shape_opts *o,
    const struct fk_shape_stats *st)
{
	if (o->schema != NULL)
		return o->schema;
	return st->have_inferred ? &st->inferred : NULL;
}
