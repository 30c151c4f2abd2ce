/*
 * parquet.c: fk-shape's Parquet writer (see parquet.h): the schema
 * mapping, the shredding of rows into columns, row groups and the footer.
 *
 * Facts used (parquet-format): a file is "PAR1", the column chunks of
 * each row group in schema order, the FileMetaData struct in Thrift
 * compact protocol, its length as 4 little-endian bytes, and "PAR1".  The
 * schema is a depth-first list of SchemaElements under a root.  Columns
 * are "shredded" (Dremel): every leaf gets one entry per value or per
 * missing value, with a definition level (how many optional or repeated
 * ancestors are present) and a repetition level (at which repeated
 * ancestor a new element starts; 0 for a new row).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "parquet.h"
#include "pq_col.h"
#include "thrift.h"

#define PQ_MAX_DEPTH 32		/* BigQuery allows 15 levels of RECORD */
#define PQ_MAGIC "PAR1"

enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };

/* ConvertedType values, for readers that predate LogicalType. */
enum {
	PQ_CT_UTF8 = 0, PQ_CT_LIST = 3, PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6,
	PQ_CT_TIME_MICROS = 8, PQ_CT_TIMESTAMP_MICROS = 10, PQ_CT_JSON = 19
};

#define PQ_SCALE 9		/* BigQuery NUMERIC: DECIMAL(38, 9) */
#define PQ_PRECISION 38

struct pq_node {
	const struct fk_field *f;
	jv key;			/* the field name, to look values up */
	char *path;		/* dotted, for messages */
	int def;		/* definition level of a present value */
	int rep;		/* REPEATED: repetition level of its elements */
	size_t col0, ncol;	/* the leaf columns under this node */
	struct pq_node *kids;	/* RECORD */
	size_t nkids;
};

struct fk_pq {
	struct fk_pq_sink out;
	const struct fk_schema *s;
	struct pq_node root;
	struct fk_pq_col *cols;
	size_t ncols;
	struct fk_pqz z;
	struct fk_buf scratch;	/* page assembly, shared by the columns */
	struct fk_buf bytes;	/* decoded BYTES value */
	size_t rg_bytes;
	int64_t rg_rows, rows;
	struct fk_buf rgs;	/* RowGroup structs of the footer so far */
	size_t nrg;
	int failed;
};

static const struct {
	int ptype, tlen;
} pq_types[] = {
	[FK_T_STRING] = { FK_PQT_BYTE_ARRAY, 0 },
	[FK_T_BYTES] = { FK_PQT_BYTE_ARRAY, 0 },
	[FK_T_INTEGER] = { FK_PQT_INT64, 8 },
	[FK_T_FLOAT] = { FK_PQT_DOUBLE, 8 },
	[FK_T_NUMERIC] = { FK_PQT_FLBA, 16 },
	[FK_T_BOOLEAN] = { FK_PQT_BOOLEAN, 1 },
	[FK_T_DATE] = { FK_PQT_INT32, 4 },
	[FK_T_TIME] = { FK_PQT_INT64, 8 },
	[FK_T_DATETIME] = { FK_PQT_INT64, 8 },
	[FK_T_TIMESTAMP] = { FK_PQT_INT64, 8 },
	[FK_T_JSON] = { FK_PQT_BYTE_ARRAY, 0 },
	[FK_T_RECORD] = { -1, 0 },
};

static const char *const type_names[] = {
	"STRING", "BYTES", "INTEGER", "FLOAT", "NUMERIC", "BOOLEAN", "DATE",
	"TIME", "DATETIME", "TIMESTAMP", "JSON", "RECORD"
};

/* Build: the node tree, one column per leaf. */

struct pq_build {
	struct fk_pq *w;
	const char *stack[3 * PQ_MAX_DEPTH + 3];
	size_t depth;		/* path components on the stack */
	size_t ncols;		/* columns assigned so far */
	int no_dict;
};

static int
count_leaves(const struct fk_field *f, size_t n, int depth, size_t *count,
    struct fk_err *e)
{
	size_t i;

	if (depth > PQ_MAX_DEPTH)
		return fk_fail(e, FK_EX_DATAERR, "cannot write parquet: schema "
		    "nested deeper than %d levels", PQ_MAX_DEPTH);
	for (i = 0; i < n; i++) {
		if (f[i].type != FK_T_RECORD) {
			(*count)++;
			continue;
		}
		if (f[i].nfields == 0)
			return fk_fail(e, FK_EX_DATAERR, "cannot write field "
			    "'%s' as parquet: a RECORD needs at least one "
			    "field", f[i].name);
		if (count_leaves(f[i].fields, f[i].nfields, depth + 1, count,
		    e) == -1)
			return -1;
	}
	return 0;
}

static char *
join_path(const char *parent, const char *name)
{
	size_t pl = parent ? strlen(parent) : 0, nl = strlen(name);
	char *p = malloc(pl + nl + 2);

	if (p == NULL)
		return NULL;
	if (parent != NULL) {
		memcpy(p, parent, pl);
		p[pl++] = '.';
	}
	memcpy(p + pl, name, nl + 1);
	return p;
}

static int
build_leaf(struct pq_build *b, struct pq_node *n, int rep)
{
	struct fk_pq_col *c = &b->w->cols[b->ncols];
	const char **path;

	path = malloc(b->depth * sizeof(*path));
	if (path == NULL)
		return -1;
	memcpy(path, b->stack, b->depth * sizeof(*path));
	c->path = path;
	c->npath = b->depth;
	c->z = &b->w->z;
	c->scratch = &b->w->scratch;
	fk_pqc_init(c, pq_types[n->f->type].ptype, pq_types[n->f->type].tlen,
	    n->def, rep, !b->no_dict);
	n->col0 = b->ncols++;
	n->ncol = 1;
	return 0;
}

static int build_node(struct pq_build *, struct pq_node *,
    const struct fk_field *, const char *, int, int);

static int
build_kids(struct pq_build *b, struct pq_node *n, int rep)
{
	size_t i;

	n->kids = calloc(n->f->nfields, sizeof(*n->kids));
	if (n->kids == NULL)
		return -1;
	n->nkids = n->f->nfields;
	n->col0 = b->ncols;
	for (i = 0; i < n->nkids; i++)
		if (build_node(b, &n->kids[i], &n->f->fields[i], n->path,
		    n->def, rep) == -1)
			return -1;
	n->ncol = b->ncols - n->col0;
	return 0;
}

static int
build_node(struct pq_build *b, struct pq_node *n, const struct fk_field *f,
    const char *parent, int def, int rep)
{
	size_t depth = b->depth;
	int rc;

	n->f = f;
	n->key = jv_string(f->name);
	n->path = join_path(parent, f->name);
	if (n->path == NULL)
		return -1;
	b->stack[b->depth++] = f->name;
	if (f->mode == FK_M_REPEATED) {
		b->stack[b->depth++] = "list";
		b->stack[b->depth++] = "element";
		def++;
		n->rep = ++rep;
	} else if (f->mode == FK_M_NULLABLE) {
		def++;
	}
	n->def = def;
	if (f->type == FK_T_RECORD)
		rc = build_kids(b, n, rep);
	else
		rc = build_leaf(b, n, rep);
	b->depth = depth;
	return rc;
}

static void
free_node(struct pq_node *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++)
		free_node(&n->kids[i]);
	free(n->kids);
	free(n->path);
	jv_free(n->key);
}

static void
pq_free(struct fk_pq *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->ncols; i++) {
		free((void *)w->cols[i].path);
		fk_pqc_free(&w->cols[i]);
	}
	free(w->cols);
	free_node(&w->root);
	fk_pqz_free(&w->z);
	fk_buf_free(&w->scratch);
	fk_buf_free(&w->bytes);
	fk_buf_free(&w->rgs);
	free(w);
}

static int
build(struct fk_pq *w, const struct fk_schema *s, int no_dict,
    struct fk_err *e)
{
	struct pq_build b = { .w = w, .no_dict = no_dict };
	struct pq_node *r = &w->root;
	size_t i, n = 0;

	if (s->nfields == 0)
		return fk_fail(e, FK_EX_DATAERR,
		    "cannot write parquet: the schema has no fields");
	if (count_leaves(s->fields, s->nfields, 1, &n, e) == -1)
		return -1;
	w->cols = calloc(n, sizeof(*w->cols));
	r->kids = calloc(s->nfields, sizeof(*r->kids));
	if (w->cols == NULL || r->kids == NULL)
		goto nomem;
	w->ncols = n;
	r->nkids = s->nfields;
	for (i = 0; i < s->nfields; i++)
		if (build_node(&b, &r->kids[i], &s->fields[i], NULL, 0,
		    0) == -1)
			goto nomem;
	r->ncol = n;
	return 0;
nomem:
	return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
}

struct fk_pq *
fk_pq_open(FILE *out, const struct fk_schema *s, const struct fk_pq_opts *o,
    struct fk_err *e)
{
	static const struct fk_pq_opts defaults;
	static const struct fk_field root;
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
	w->s = s;
	w->root.f = &root;
	w->root.key = jv_null();
	w->rg_bytes = o->row_group_bytes ? o->row_group_bytes :
	    FK_PQ_ROW_GROUP_BYTES;
	if (fk_pqz_init(&w->z, o->codec, e) == -1 ||
	    build(w, s, o->no_dict, e) == -1)
		goto fail;
	for (i = 0; i < w->ncols; i++)
		w->cols[i].page_bytes = o->page_bytes ? o->page_bytes :
		    FK_PQ_PAGE_BYTES;
	if (fk_pq_sink_write(&w->out, PQ_MAGIC, 4, e) == -1)
		goto fail;
	return w;
fail:
	pq_free(w);
	return NULL;
}

/* Shredding: one row into (repetition, definition, value) per column. */

static int
not_canonical(const struct pq_node *n, struct fk_err *e)
{
	return fk_fail(e, FK_EX_DATAERR, "cannot write field '%s' as parquet: "
	    "not a canonical %s value", n->path, type_names[n->f->type]);
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int
put_bytes(struct fk_pq *w, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	const char *s = jv_string_value(v);
	int oom;

	fk_buf_reset(&w->bytes);
	if (fk_b64_decode_buf(s, (size_t)jv_string_length_bytes(jv_copy(v)),
	    &w->bytes, &oom) == -1)
		return oom ? fk_fail(e, FK_EX_SOFTWARE, "out of memory") :
		    not_canonical(n, e);
	fk_pqc_value(&w->cols[n->col0], r, w->bytes.p ? w->bytes.p : "",
	    w->bytes.len);
	return 0;
}

static int
float_ok(jv v)
{
	const char *s;

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return 1;
	if (jv_get_kind(v) != JV_KIND_STRING)
		return 0;
	s = jv_string_value(v);
	return strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 ||
	    strcmp(s, "-Infinity") == 0;
}

/* A scalar with a fixed-size PLAIN form; -1 if v is not canonical. */
static int
put_fixed(const struct pq_node *n, jv v, unsigned char *buf)
{
	int kind = jv_get_kind(v), rc = 0;
	const char *s = kind == JV_KIND_STRING ? jv_string_value(v) : NULL;
	int64_t i64 = 0;
	int32_t i32 = 0;
	double d;
	uint64_t u;

	switch (n->f->type) {
	case FK_T_INTEGER:
		rc = fk_canon_int64(v, &i64);
		put_le(buf, (uint64_t)i64, 8);
		break;
	case FK_T_FLOAT:
		if (!float_ok(v))
			return -1;
		d = fk_canon_double(v);
		memcpy(&u, &d, sizeof(u));
		put_le(buf, u, 8);
		break;
	case FK_T_NUMERIC:
		rc = s ? fk_canon_numeric(s, buf) : -1;
		break;
	case FK_T_BOOLEAN:
		if (kind != JV_KIND_TRUE && kind != JV_KIND_FALSE)
			return -1;
		buf[0] = kind == JV_KIND_TRUE;
		break;
	case FK_T_DATE:
		rc = s ? fk_canon_date(s, &i32) : -1;
		put_le(buf, (uint32_t)i32, 4);
		break;
	case FK_T_TIME:
		rc = s ? fk_canon_time(s, &i64) : -1;
		put_le(buf, (uint64_t)i64, 8);
		break;
	default:	/* DATETIME, TIMESTAMP */
		rc = s ? fk_canon_micros(s, &i64) : -1;
		put_le(buf, (uint64_t)i64, 8);
		break;
	}
	return rc == -1 ? -1 : 0;
}

static int
put_leaf(struct fk_pq *w, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	struct fk_pq_col *c = &w->cols[n->col0];
	unsigned char buf[16] = { 0 };
	int kind = jv_get_kind(v);

	switch (n->f->type) {
	case FK_T_STRING:
	case FK_T_JSON:
		if (kind != JV_KIND_STRING)
			return not_canonical(n, e);
		fk_pqc_value(c, r, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)));
		return 0;
	case FK_T_BYTES:
		if (kind != JV_KIND_STRING)
			return not_canonical(n, e);
		return put_bytes(w, n, v, r, e);
	default:
		if (put_fixed(n, v, buf) == -1)
			return not_canonical(n, e);
		if (c->ptype == FK_PQT_BOOLEAN)
			fk_pqc_bool(c, r, buf[0]);
		else
			fk_pqc_value(c, r, buf, (size_t)c->tlen);
		return 0;
	}
}

static void
put_nulls(struct fk_pq *w, const struct pq_node *n, int r, int d)
{
	size_t i;

	for (i = n->col0; i < n->col0 + n->ncol; i++)
		fk_pqc_null(&w->cols[i], r, d);
}

static int shred_field(struct fk_pq *, const struct pq_node *, jv, int, int,
    struct fk_err *);

/* A present value of node n (v borrowed). */
static int
shred_value(struct fk_pq *w, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	size_t i;
	jv fv;
	int rc;

	if (n->f->type != FK_T_RECORD)
		return put_leaf(w, n, v, r, e);
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return not_canonical(n, e);
	for (i = 0; i < n->nkids; i++) {
		fv = jv_object_get(jv_copy(v), jv_copy(n->kids[i].key));
		rc = shred_field(w, &n->kids[i], fv, r, n->def, e);
		jv_free(fv);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
shred_list(struct fk_pq *w, const struct pq_node *n, jv v, int r, int d,
    struct fk_err *e)
{
	int i, len;
	jv el;
	int rc;

	if (jv_get_kind(v) != JV_KIND_ARRAY)
		return not_canonical(n, e);
	len = jv_array_length(jv_copy(v));
	if (len == 0) {
		put_nulls(w, n, r, d);
		return 0;
	}
	for (i = 0; i < len; i++) {
		el = jv_array_get(jv_copy(v), i);
		if (jv_get_kind(el) == JV_KIND_NULL) {
			jv_free(el);
			return fk_fail(e, FK_EX_DATAERR, "cannot write field "
			    "'%s' as parquet: null array element", n->path);
		}
		rc = shred_value(w, n, el, i == 0 ? r : n->rep, e);
		jv_free(el);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * Field n of a present parent (v borrowed; jv_invalid when the key is
 * missing).  r: repetition level for its first entry; d: the parent's
 * definition level.
 */
static int
shred_field(struct fk_pq *w, const struct pq_node *n, jv v, int r, int d,
    struct fk_err *e)
{
	int kind = jv_get_kind(v);
	int absent = kind == JV_KIND_NULL || kind == JV_KIND_INVALID;

	switch (n->f->mode) {
	case FK_M_REPEATED:
		if (absent) {
			put_nulls(w, n, r, d);
			return 0;
		}
		return shred_list(w, n, v, r, d, e);
	case FK_M_NULLABLE:
		if (absent) {
			put_nulls(w, n, r, d);
			return 0;
		}
		return shred_value(w, n, v, r, e);
	default:
		if (absent)
			return fk_fail(e, FK_EX_DATAERR, "cannot write field "
			    "'%s' as parquet: REQUIRED value missing", n->path);
		return shred_value(w, n, v, r, e);
	}
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
	size_t i, total = 0;

	for (i = 0; i < w->ncols; i++) {
		if (w->cols[i].oom)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		if (fk_pqc_page_full(&w->cols[i]) &&
		    fk_pqc_page_close(&w->cols[i], e) == -1)
			return -1;
		total += fk_pqc_chunk_size(&w->cols[i]);
	}
	if (total >= w->rg_bytes)
		return flush_row_group(w, e);
	return 0;
}

int
fk_pq_write(struct fk_pq *w, jv row, struct fk_err *e)
{
	size_t i;
	jv fv;
	int rc = -1;

	if (w->failed) {
		fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer used after an error");
		goto out;
	}
	if (jv_get_kind(row) != JV_KIND_OBJECT) {
		fk_fail(e, FK_EX_DATAERR,
		    "cannot write parquet: row is not a JSON object");
		goto out;
	}
	for (i = 0; i < w->root.nkids; i++) {
		fv = jv_object_get(jv_copy(row), jv_copy(w->root.kids[i].key));
		rc = shred_field(w, &w->root.kids[i], fv, 0, 0, e);
		jv_free(fv);
		if (rc == -1)
			goto out;
	}
	w->rg_rows++;
	w->rows++;
	rc = row_end(w, e);
out:
	/* A row half shredded leaves the columns out of step: no way on. */
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
	if (f->type == FK_T_RECORD) {
		schema_group(t, name, repetition, f->nfields, 0);
		schema_fields(t, f->fields, f->nfields);
		return;
	}
	fk_tc_begin(t);
	fk_tc_i32(t, 1, pq_types[f->type].ptype);
	if (f->type == FK_T_NUMERIC)
		fk_tc_i32(t, 2, pq_types[f->type].tlen);
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
	const struct pq_node *r = &w->root;
	size_t i;

	fk_tc_begin(t);
	fk_tc_i32(t, 1, 1);			/* version */
	fk_tc_list(t, 2, FK_TC_STRUCT, 1 + schema_count(w->s->fields,
	    w->s->nfields));
	fk_tc_begin(t);				/* the root */
	fk_tc_str(t, 4, "schema");
	fk_tc_i32(t, 5, (int32_t)r->nkids);
	fk_tc_end(t);
	schema_fields(t, w->s->fields, w->s->nfields);
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
