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

struct fk_pq {
	struct fk_pq_sink out;
	const struct fk_pq_plan *p;
	struct fk_pq_plan *own;		/* p, when fk_pq_open made it */
	struct fk_pq_shred *x;		/* fk_pq_write's, made on first use */
	struct fk_buf row;		/* fk_pq_write's row, shredded */
	struct fk_pq_col *cols;
	size_t ncols;
	struct fk_pqz z;
	struct fk_buf scratch;	/* page assembly, shared by the columns */
	size_t rg_bytes;
	int64_t rg_rows, rows;
	struct fk_buf rgs;	/* RowGroup structs of the footer so far */
	size_t nrg;
	int failed;
};

static void
pq_free(struct fk_pq *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; w->cols != NULL && i < w->ncols; i++)
		fk_pqc_free(&w->cols[i]);
	free(w->cols);
	fk_pq_shred_free(w->x);
	fk_pq_plan_free(w->own);
	fk_buf_free(&w->row);
	fk_pqz_free(&w->z);
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

struct fk_pq *
fk_pq_open_plan(FILE *out, const struct fk_pq_plan *p,
    const struct fk_pq_opts *o, struct fk_err *e)
{
	static const struct fk_pq_opts defaults;
	const struct pq_leaf *l;
	struct fk_pq *w;
	size_t i;

	if (o == NULL)
		o = &defaults;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	w->out.f = out;
	w->p = p;
	w->rg_bytes = o->row_group_bytes ? o->row_group_bytes :
	    FK_PQ_ROW_GROUP_BYTES;
	if (fk_pqz_init(&w->z, o->codec, e) == -1)
		goto fail;
	w->cols = calloc(p->ncols, sizeof(*w->cols));
	if (w->cols == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto fail;
	}
	w->ncols = p->ncols;
	for (i = 0; i < w->ncols; i++) {
		l = &p->cols[i];
		w->cols[i].path = l->path;
		w->cols[i].npath = l->npath;
		w->cols[i].z = &w->z;
		w->cols[i].scratch = &w->scratch;
		w->cols[i].page_bytes = o->page_bytes ? o->page_bytes :
		    FK_PQ_PAGE_BYTES;
		fk_pqc_init(&w->cols[i], l->ptype, l->tlen, l->max_def,
		    l->max_rep, l->dict);
	}
	if (fk_pq_sink_write(&w->out, PQ_MAGIC, 4, e) == -1)
		goto fail;
	return w;
fail:
	pq_free(w);
	return NULL;
}

struct fk_pq *
fk_pq_open(FILE *out, const struct fk_schema *s, const struct fk_pq_opts *o,
    struct fk_err *e)
{
	struct fk_pq_plan *p;
	struct fk_pq *w;

	p = fk_pq_plan_new(s, o != NULL && o->no_dict, e);
	if (p == NULL)
		return NULL;
	w = fk_pq_open_plan(out, p, o, e);
	if (w == NULL) {
		fk_pq_plan_free(p);
		return NULL;
	}
	w->own = p;
	return w;
}

/* Row groups. */

static int
flush_row_group(struct fk_pq *w, struct fk_err *e)
{
	uint64_t start = w->out.off;
	int64_t usize = 0, csize = 0;
	struct fk_tc t;
	size_t i;

	if (w->rg_rows == 0)
		return 0;
	fk_tc_init(&t, &w->rgs);
	fk_tc_begin(&t);
	fk_tc_list(&t, 1, FK_TC_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++)
		if (fk_pqc_chunk_write(&w->cols[i], &w->out, &t, &usize, &csize,
		    e) == -1)
			return -1;
	fk_tc_i64(&t, 2, usize);
	fk_tc_i64(&t, 3, w->rg_rows);
	fk_tc_i64(&t, 5, (int64_t)start);
	fk_tc_i64(&t, 6, csize);
	if (w->nrg <= INT16_MAX)
		fk_tc_i16(&t, 7, (int16_t)w->nrg);
	fk_tc_end(&t);
	if (fk_tc_failed(&t))
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	w->nrg++;
	w->rg_rows = 0;
	return 0;
}

/* At a row boundary: close full pages, write a full row group. */
static int
row_end(struct fk_pq *w, struct fk_err *e)
{
	size_t i, n, total = 0;

	for (i = 0; i < w->ncols; i++) {
		if (fk_pqc_row_end(&w->cols[i], &n, e) == -1)
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

static unsigned
take_byte(struct pq_in *in)
{
	const unsigned char *p = take(in, 1);

	return p ? *p : 0;
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

/* One entry of column i: its levels, and its value if present. */
static void
add_entry(struct fk_pq *w, size_t i, struct pq_in *in)
{
	const struct pq_leaf *l = &w->p->cols[i];
	struct fk_pq_col *c = &w->cols[i];
	const unsigned char *v, *hp;
	int rep = l->max_rep > 0 ? (int)take_byte(in) : 0;
	int def = l->max_def > 0 ? (int)take_byte(in) : 0;
	size_t n;
	uint32_t h = 0;

	if (def < l->max_def) {
		fk_pqc_null(c, rep, def);
		return;
	}
	n = l->ptype == FK_PQT_BYTE_ARRAY ? take_u32(in) : (size_t)l->tlen;
	v = take(in, n);
	if (l->dict && (hp = take(in, 4)) != NULL)
		memcpy(&h, hp, 4);
	if (in->bad)
		return;
	if (l->ptype == FK_PQT_BOOLEAN)
		fk_pqc_bool(c, rep, v[0]);
	else
		fk_pqc_value(c, rep, v, n, h);
}

int
fk_pq_add(struct fk_pq *w, const void *p, size_t len, size_t n,
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
fk_pq_write(struct fk_pq *w, jv row, struct fk_err *e)
{
	int rc = -1;

	if (w->failed) {
		fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer used after an error");
		goto out;
	}
	if (w->x == NULL && (w->x = fk_pq_shred_new(w->p)) == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	fk_buf_reset(&w->row);
	if (fk_pq_shred(w->x, row, &w->row, e) == -1)
		goto out;
	rc = fk_pq_add(w, w->row.p, w->row.len, 1, e);
out:
	if (rc == -1)
		w->failed = 1;
	jv_free(row);
	return rc;
}

/* The footer. */

static void
logical_unit(struct fk_tc *t, int16_t id, int utc)
{
	fk_tc_struct(t, id);		/* TimeType / TimestampType */
	fk_tc_bool(t, 1, utc);		/* isAdjustedToUTC */
	fk_tc_struct(t, 2);		/* unit: TimeUnit */
	fk_tc_struct(t, 2);		/* MICROS */
	fk_tc_end(t);
	fk_tc_end(t);
	fk_tc_end(t);
}

/* converted_type (6), scale/precision (7, 8), logicalType (10). */
static void
leaf_annotation(struct fk_tc *t, enum fk_type type)
{
	static const int ct[] = {
		[FK_T_STRING] = PQ_CT_UTF8, [FK_T_NUMERIC] = PQ_CT_DECIMAL,
		[FK_T_DATE] = PQ_CT_DATE, [FK_T_TIME] = PQ_CT_TIME_MICROS,
		[FK_T_DATETIME] = PQ_CT_TIMESTAMP_MICROS,
		[FK_T_TIMESTAMP] = PQ_CT_TIMESTAMP_MICROS,
		[FK_T_JSON] = PQ_CT_JSON,
	};

	switch (type) {
	case FK_T_STRING: case FK_T_NUMERIC: case FK_T_DATE: case FK_T_TIME:
	case FK_T_DATETIME: case FK_T_TIMESTAMP: case FK_T_JSON:
		break;
	default:
		return;
	}
	fk_tc_i32(t, 6, ct[type]);
	if (type == FK_T_NUMERIC) {
		fk_tc_i32(t, 7, PQ_SCALE);
		fk_tc_i32(t, 8, PQ_PRECISION);
	}
	fk_tc_struct(t, 10);
	switch (type) {
	case FK_T_STRING:
		fk_tc_struct(t, 1);
		fk_tc_end(t);
		break;
	case FK_T_NUMERIC:
		fk_tc_struct(t, 5);
		fk_tc_i32(t, 1, PQ_SCALE);
		fk_tc_i32(t, 2, PQ_PRECISION);
		fk_tc_end(t);
		break;
	case FK_T_DATE:
		fk_tc_struct(t, 6);
		fk_tc_end(t);
		break;
	case FK_T_TIME:
		logical_unit(t, 7, 0);
		break;
	case FK_T_DATETIME:
		logical_unit(t, 8, 0);
		break;
	case FK_T_TIMESTAMP:
		logical_unit(t, 8, 1);
		break;
	default:	/* JSON */
		fk_tc_struct(t, 12);
		fk_tc_end(t);
		break;
	}
	fk_tc_end(t);
}

static void
schema_group(struct fk_tc *t, const char *name, int repetition, size_t nkids,
    int list)
{
	fk_tc_begin(t);
	fk_tc_i32(t, 3, repetition);
	fk_tc_str(t, 4, name);
	fk_tc_i32(t, 5, (int32_t)nkids);
	if (list) {
		fk_tc_i32(t, 6, PQ_CT_LIST);
		fk_tc_struct(t, 10);
		fk_tc_struct(t, 3);
		fk_tc_end(t);
		fk_tc_end(t);
	}
	fk_tc_end(t);
}

static void schema_fields(struct fk_tc *, const struct fk_field *, size_t);

/* One field's element (or group and children), named name. */
static void
schema_element(struct fk_tc *t, const struct fk_field *f, const char *name,
    int repetition)
{
	int tlen, ptype = fk_pq_ptype(f->type, &tlen);

	if (f->type == FK_T_RECORD) {
		schema_group(t, name, repetition, f->nfields, 0);
		schema_fields(t, f->fields, f->nfields);
		return;
	}
	fk_tc_begin(t);
	fk_tc_i32(t, 1, ptype);
	if (f->type == FK_T_NUMERIC)
		fk_tc_i32(t, 2, tlen);
	fk_tc_i32(t, 3, repetition);
	fk_tc_str(t, 4, name);
	leaf_annotation(t, f->type);
	fk_tc_end(t);
}

static void
schema_fields(struct fk_tc *t, const struct fk_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].mode != FK_M_REPEATED) {
			schema_element(t, &f[i], f[i].name,
			    f[i].mode == FK_M_NULLABLE ? PQ_OPTIONAL :
			    PQ_REQUIRED);
			continue;
		}
		/* BigQuery arrays have no null: a required list of required. */
		schema_group(t, f[i].name, PQ_REQUIRED, 1, 1);
		schema_group(t, "list", PQ_REPEATED, 1, 0);
		schema_element(t, &f[i], "element", PQ_REQUIRED);
	}
}

static size_t
schema_count(const struct fk_field *f, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		count += f[i].mode == FK_M_REPEATED ? 3 : 1;
		if (f[i].type == FK_T_RECORD)
			count += schema_count(f[i].fields, f[i].nfields);
	}
	return count;
}

static void
footer(struct fk_pq *w, struct fk_tc *t)
{
	const struct fk_schema *s = w->p->s;
	size_t i;

	fk_tc_begin(t);
	fk_tc_i32(t, 1, 1);			/* version */
	fk_tc_list(t, 2, FK_TC_STRUCT, 1 + schema_count(s->fields,
	    s->nfields));
	fk_tc_begin(t);				/* the root */
	fk_tc_str(t, 4, "schema");
	fk_tc_i32(t, 5, (int32_t)s->nfields);
	fk_tc_end(t);
	schema_fields(t, s->fields, s->nfields);
	fk_tc_i64(t, 3, w->rows);
	fk_tc_list(t, 4, FK_TC_STRUCT, w->nrg);
	fk_tc_raw(t, w->rgs.p, w->rgs.len);
	fk_tc_str(t, 6, "fk-shape version " FK_VERSION);
	fk_tc_list(t, 7, FK_TC_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++) {
		fk_tc_begin(t);			/* ColumnOrder */
		fk_tc_struct(t, 1);		/* TYPE_ORDER */
		fk_tc_end(t);
		fk_tc_end(t);
	}
	fk_tc_end(t);
}

static int
finish(struct fk_pq *w, struct fk_err *e)
{
	struct fk_buf meta = { 0 };
	unsigned char len[4];
	struct fk_tc t;
	int rc = -1;

	if (flush_row_group(w, e) == -1)
		return -1;
	fk_tc_init(&t, &meta);
	footer(w, &t);
	if (fk_tc_failed(&t) || meta.len > UINT32_MAX) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		goto out;
	}
	put_le(len, meta.len, 4);
	if (fk_pq_sink_write(&w->out, meta.p, meta.len, e) == -1 ||
	    fk_pq_sink_write(&w->out, len, 4, e) == -1 ||
	    fk_pq_sink_write(&w->out, PQ_MAGIC, 4, e) == -1)
		goto out;
	rc = 0;
out:
	fk_buf_free(&meta);
	return rc;
}

int
fk_pq_close(struct fk_pq *w, struct fk_err *e)
{
	int rc;

	if (w->failed)
		rc = fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer closed after an error");
	else
		rc = finish(w, e);
	pq_free(w);
	return rc;
}

void
fk_pq_abort(struct fk_pq *w)
{
	pq_free(w);
}

long long
fk_pq_rows(const struct fk_pq *w)
{
	return (long long)w->rows;
}
