/*
 * parquet.c: fk-shape's Parquet writer (see parquet.h): the columns of
 * each row group, fed rows that shred.c shredded, and the footer.
 *
 * Facts used (parquet-format): a file is "PAR1", the column chunks of
 * each row group in schema order, the FileMetaData struct in Thrift
 * compact protocol, its length as 4 little-endian bytes, and "PAR1".  The
 * schema is a depth-first list of SchemaElements under a root.
 */
#include <stdlib.h>
#include <string.h>

#include "parquet.h"
#include "pq_col.h"
#include "pq_plan.h"
#include "shred.h"
#include "thrift.h"

#define PQ_MAGIC "PAR1"

enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };

/* ConvertedType values, for readers that predate LogicalType. */
enum {
	PQ_CT_UTF8 = 0, PQ_CT_LIST = 3, PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6,
	PQ_CT_TIME_MICROS = 8, PQ_CT_TIMESTAMP_MICROS = 10, PQ_CT_JSON = 19
};

#define PQ_SCALE 9		/* BigQuery NUMERIC: DECIMAL(38, 9) */
#define PQ_PRECISION 38

struct pq {
	struct pqc_sink out;
	struct pq_plan *p;		/* the columns, read by the workers */
	struct shred *x;		/* pq_write's, made on first use */
	struct fk_buf row;		/* pq_write's row, shredded */
	struct pq_col *cols;
	size_t ncols;
	struct pqz z;
	struct fk_buf scratch;	/* page assembly, shared by the columns */
	size_t rg_bytes;
	int64_t rg_rows, rows;
	struct fk_buf rgs;	/* RowGroup structs of the footer so far */
	size_t nrg;
	int failed;
};

static void
pq_destroy(struct pq *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; w->cols != NULL && i < w->ncols; i++)
		pqc_free(&w->cols[i]);
	free(w->cols);
	shred_free(w->x);
	shred_plan_free(w->p);
	fk_buf_free(&w->row);
	pqz_free(&w->z);
	fk_buf_free(&w->scratch);
	fk_buf_free(&w->rgs);
	free(w);
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

struct pq *
pq_new(const struct schema *s, const struct pq_opts *o, struct fk_err *e)
{
	static const struct pq_opts defaults;
	const struct pq_leaf *l;
	struct pq *w;
	size_t i;

	if (o == NULL)
		o = &defaults;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	w->p = shred_plan_new(s, o->no_dict, e);
	if (w->p == NULL)
		goto fail;
	w->rg_bytes = o->row_group_bytes ? o->row_group_bytes :
	    PQ_ROW_GROUP_BYTES;
	if (pqz_init(&w->z, o->codec, e) == -1)
		goto fail;
	w->cols = calloc(w->p->ncols, sizeof(*w->cols));
	if (w->cols == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto fail;
	}
	w->ncols = w->p->ncols;
	for (i = 0; i < w->ncols; i++) {
		l = &w->p->cols[i];
		w->cols[i].path = l->path;
		w->cols[i].npath = l->npath;
		w->cols[i].z = &w->z;
		w->cols[i].scratch = &w->scratch;
		w->cols[i].page_bytes = o->page_bytes ? o->page_bytes :
		    PQ_PAGE_BYTES;
		pqc_init(&w->cols[i], l->ptype, l->tlen, l->max_def,
		    l->max_rep, l->dict);
	}
	return w;
fail:
	pq_destroy(w);
	return NULL;
}

const struct pq_plan *
pq_plan(const struct pq *w)
{
	return w->p;
}

int
pq_start(struct pq *w, FILE *out, struct fk_err *e)
{
	w->out.f = out;
	return pqc_sink_write(&w->out, PQ_MAGIC, 4, e);
}

struct pq *
pq_open(FILE *out, const struct schema *s, const struct pq_opts *o,
    struct fk_err *e)
{
	struct pq *w = pq_new(s, o, e);

	if (w != NULL && pq_start(w, out, e) == -1) {
		pq_destroy(w);
		return NULL;
	}
	return w;
}

/* Row groups. */

static int
flush_row_group(struct pq *w, struct fk_err *e)
{
	uint64_t start = w->out.off;
	int64_t usize = 0, csize = 0;
	struct thrift t;
	size_t i;

	if (w->rg_rows == 0)
		return 0;
	thrift_init(&t, &w->rgs);
	thrift_begin(&t);
	thrift_list(&t, 1, THRIFT_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++)
		if (pqc_chunk_write(&w->cols[i], &w->out, &t, &usize, &csize,
		    e) == -1)
			return -1;
	thrift_i64(&t, 2, usize);
	thrift_i64(&t, 3, w->rg_rows);
	thrift_i64(&t, 5, (int64_t)start);
	thrift_i64(&t, 6, csize);
	if (w->nrg <= INT16_MAX)
		thrift_i16(&t, 7, (int16_t)w->nrg);
	thrift_end(&t);
	if (thrift_failed(&t))
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	w->nrg++;
	w->rg_rows = 0;
	return 0;
}

/* At a row boundary: close full pages, write a full row group. */
static int
row_end(struct pq *w, struct fk_err *e)
{
	size_t i, n, total = 0;

	for (i = 0; i < w->ncols; i++) {
		if (pqc_row_end(&w->cols[i], &n, e) == -1)
			return -1;
		total += n;
	}
	if (total >= w->rg_bytes)
		return flush_row_group(w, e);
	return 0;
}

/* Reading shredded rows (pq_plan.h). */

struct pq_in {
	const unsigned char *p, *end;
	int bad;		/* ran past the end */
};

static const unsigned char *
take(struct pq_in *in, size_t n)
{
	const unsigned char *p = in->p;

	if ((size_t)(in->end - in->p) < n) {
		in->bad = 1;
		return NULL;
	}
	in->p += n;
	return p;
}

static uint32_t
take_u32(struct pq_in *in)
{
	const unsigned char *p = take(in, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * One entry of column i: its levels, and its value if present.  Read
 * with one bound check per part: this runs for every value.
 */
static void
add_entry(struct pq *w, size_t i, struct pq_in *in)
{
	const struct pq_leaf *l = &w->p->cols[i];
	struct pq_col *c = &w->cols[i];
	const unsigned char *p = in->p, *v;
	size_t n, left = (size_t)(in->end - p);
	int rep = 0, def = 0;
	uint32_t h = 0;

	if (left < (size_t)(l->max_rep > 0) + (l->max_def > 0))
		goto bad;
	if (l->max_rep > 0)
		rep = *p++;
	if (l->max_def > 0)
		def = *p++;
	if (def < l->max_def) {
		in->p = p;
		pqc_null(c, rep, def);
		return;
	}
	left = (size_t)(in->end - p);
	n = (size_t)l->tlen;
	if (l->ptype == PQT_BYTE_ARRAY) {
		if (left < 4)
			goto bad;
		n = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
		    (size_t)p[3] << 24;
		p += 4;
		left -= 4;
	}
	if (left < n + (l->dict ? 4 : 0))
		goto bad;
	v = p;
	p += n;
	if (l->dict) {
		memcpy(&h, p, 4);
		p += 4;
	}
	in->p = p;
	if (l->ptype == PQT_BOOLEAN)
		pqc_bool(c, rep, v[0]);
	else
		pqc_value(c, rep, v, n, h);
	return;
bad:
	in->bad = 1;
}

int
pq_add(struct pq *w, const void *p, size_t len, size_t n,
    struct fk_err *e)
{
	struct pq_in in = { p, (const unsigned char *)p + len, 0 };
	size_t r, i, k, count;

	if (w->failed)
		return fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer used after an error");
	for (r = 0; r < n; r++) {
		for (i = 0; i < w->ncols && !in.bad; i++) {
			count = w->p->cols[i].max_rep > 0 ?
			    take_u32(&in) : 1;
			for (k = 0; k < count && !in.bad; k++)
				add_entry(w, i, &in);
		}
		if (in.bad)
			break;
		w->rg_rows++;
		w->rows++;
		if (row_end(w, e) == -1)
			goto fail;
	}
	if (in.bad || in.p != in.end) {
		fk_fail(e, FK_EX_SOFTWARE, "parquet: shredded rows out of "
		    "step (a bug)");
		goto fail;
	}
	return 0;
fail:
	/* A row half added leaves the columns out of step: no way on. */
	w->failed = 1;
	return -1;
}

int
pq_write(struct pq *w, jv row, struct fk_err *e)
{
	int rc = -1;

	if (w->failed) {
		fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer used after an error");
		goto out;
	}
	if (w->x == NULL && (w->x = shred_new(w->p)) == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	fk_buf_reset(&w->row);
	if (shred_row(w->x, row, &w->row, e) == -1)
		goto out;
	rc = pq_add(w, w->row.p, w->row.len, 1, e);
out:
	if (rc == -1)
		w->failed = 1;
	jv_free(row);
	return rc;
}

/* The footer. */

static void
logical_unit(struct thrift *t, int16_t id, int utc)
{
	thrift_struct(t, id);		/* TimeType / TimestampType */
	thrift_bool(t, 1, utc);		/* isAdjustedToUTC */
	thrift_struct(t, 2);		/* unit: TimeUnit */
	thrift_struct(t, 2);		/* MICROS */
	thrift_end(t);
	thrift_end(t);
	thrift_end(t);
}

/* converted_type (6), scale/precision (7, 8), logicalType (10). */
static void
leaf_annotation(struct thrift *t, enum schema_type type)
{
	static const int ct[] = {
		[SCHEMA_STRING] = PQ_CT_UTF8, [SCHEMA_NUMERIC] = PQ_CT_DECIMAL,
		[SCHEMA_DATE] = PQ_CT_DATE, [SCHEMA_TIME] = PQ_CT_TIME_MICROS,
		[SCHEMA_DATETIME] = PQ_CT_TIMESTAMP_MICROS,
		[SCHEMA_TIMESTAMP] = PQ_CT_TIMESTAMP_MICROS,
		[SCHEMA_JSON] = PQ_CT_JSON,
	};

	switch (type) {
	case SCHEMA_STRING: case SCHEMA_NUMERIC: case SCHEMA_DATE:
	case SCHEMA_TIME: case SCHEMA_DATETIME: case SCHEMA_TIMESTAMP:
	case SCHEMA_JSON:
		break;
	default:
		return;
	}
	thrift_i32(t, 6, ct[type]);
	if (type == SCHEMA_NUMERIC) {
		thrift_i32(t, 7, PQ_SCALE);
		thrift_i32(t, 8, PQ_PRECISION);
	}
	thrift_struct(t, 10);
	switch (type) {
	case SCHEMA_STRING:
		thrift_struct(t, 1);
		thrift_end(t);
		break;
	case SCHEMA_NUMERIC:
		thrift_struct(t, 5);
		thrift_i32(t, 1, PQ_SCALE);
		thrift_i32(t, 2, PQ_PRECISION);
		thrift_end(t);
		break;
	case SCHEMA_DATE:
		thrift_struct(t, 6);
		thrift_end(t);
		break;
	case SCHEMA_TIME:
		logical_unit(t, 7, 0);
		break;
	case SCHEMA_DATETIME:
		logical_unit(t, 8, 0);
		break;
	case SCHEMA_TIMESTAMP:
		logical_unit(t, 8, 1);
		break;
	default:	/* JSON */
		thrift_struct(t, 12);
		thrift_end(t);
		break;
	}
	thrift_end(t);
}

static void
se_group(struct thrift *t, const char *name, int repetition, size_t nkids,
    int list)
{
	thrift_begin(t);
	thrift_i32(t, 3, repetition);
	thrift_str(t, 4, name);
	thrift_i32(t, 5, (int32_t)nkids);
	if (list) {
		thrift_i32(t, 6, PQ_CT_LIST);
		thrift_struct(t, 10);
		thrift_struct(t, 3);
		thrift_end(t);
		thrift_end(t);
	}
	thrift_end(t);
}

static void se_fields(struct thrift *, const struct schema_field *, size_t);

/* One field's element (or group and children), named name. */
static void
se_element(struct thrift *t, const struct schema_field *f, const char *name,
    int repetition)
{
	int tlen, ptype = shred_ptype(f->type, &tlen);

	if (f->type == SCHEMA_RECORD) {
		se_group(t, name, repetition, f->nfields, 0);
		se_fields(t, f->fields, f->nfields);
		return;
	}
	thrift_begin(t);
	thrift_i32(t, 1, ptype);
	if (f->type == SCHEMA_NUMERIC)
		thrift_i32(t, 2, tlen);
	thrift_i32(t, 3, repetition);
	thrift_str(t, 4, name);
	leaf_annotation(t, f->type);
	thrift_end(t);
}

static void
se_fields(struct thrift *t, const struct schema_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].mode != SCHEMA_REPEATED) {
			se_element(t, &f[i], f[i].name,
			    f[i].mode == SCHEMA_NULLABLE ? PQ_OPTIONAL :
			    PQ_REQUIRED);
			continue;
		}
		/* BigQuery arrays have no null: a required list of required. */
		se_group(t, f[i].name, PQ_REQUIRED, 1, 1);
		se_group(t, "list", PQ_REPEATED, 1, 0);
		se_element(t, &f[i], "element", PQ_REQUIRED);
	}
}

static size_t
se_count(const struct schema_field *f, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		count += f[i].mode == SCHEMA_REPEATED ? 3 : 1;
		if (f[i].type == SCHEMA_RECORD)
			count += se_count(f[i].fields, f[i].nfields);
	}
	return count;
}

static void
footer(struct pq *w, struct thrift *t)
{
	const struct schema *s = w->p->s;
	size_t i;

	thrift_begin(t);
	thrift_i32(t, 1, 1);			/* version */
	thrift_list(t, 2, THRIFT_STRUCT, 1 + se_count(s->fields,
	    s->nfields));
	thrift_begin(t);				/* the root */
	thrift_str(t, 4, "schema");
	thrift_i32(t, 5, (int32_t)s->nfields);
	thrift_end(t);
	se_fields(t, s->fields, s->nfields);
	thrift_i64(t, 3, w->rows);
	thrift_list(t, 4, THRIFT_STRUCT, w->nrg);
	thrift_raw(t, w->rgs.p, w->rgs.len);
	thrift_str(t, 6, "fk-shape version " FK_VERSION);
	thrift_list(t, 7, THRIFT_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++) {
		thrift_begin(t);			/* ColumnOrder */
		thrift_struct(t, 1);		/* TYPE_ORDER */
		thrift_end(t);
		thrift_end(t);
	}
	thrift_end(t);
}

static int
finish(struct pq *w, struct fk_err *e)
{
	struct fk_buf meta = { 0 };
	unsigned char len[4];
	struct thrift t;
	int rc = -1;

	if (flush_row_group(w, e) == -1)
		return -1;
	thrift_init(&t, &meta);
	footer(w, &t);
	if (thrift_failed(&t) || meta.len > UINT32_MAX) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	put_le(len, meta.len, 4);
	if (pqc_sink_write(&w->out, meta.p, meta.len, e) == -1 ||
	    pqc_sink_write(&w->out, len, 4, e) == -1 ||
	    pqc_sink_write(&w->out, PQ_MAGIC, 4, e) == -1)
		goto out;
	rc = 0;
out:
	fk_buf_free(&meta);
	return rc;
}

int
pq_finish(struct pq *w, struct fk_err *e)
{
	if (w->failed)
		return fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer closed after an error");
	return finish(w, e);
}

int
pq_close(struct pq *w, struct fk_err *e)
{
	int rc = pq_finish(w, e);

	pq_destroy(w);
	return rc;
}

void
pq_abort(struct pq *w)
{
	pq_destroy(w);
}
