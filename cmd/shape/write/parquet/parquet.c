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
	const struct schema_field *f;
	jv key;			/* the field name, to look values up */
	char *path;		/* dotted, for messages */
	int def;		/* definition level of a present value */
	int rep;		/* REPEATED: repetition level of its elements */
	size_t col0, ncol;	/* the leaf columns under this node */
	struct pq_node *kids;	/* RECORD */
	size_t nkids;
};

struct pq {
	struct pqc_sink out;
	const struct schema *s;
	struct pq_node root;
	struct pq_col *cols;
	size_t ncols;
	struct pqz z;
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
	[SCHEMA_STRING] = { PQT_BYTE_ARRAY, 0 },
	[SCHEMA_BYTES] = { PQT_BYTE_ARRAY, 0 },
	[SCHEMA_INTEGER] = { PQT_INT64, 8 },
	[SCHEMA_FLOAT] = { PQT_DOUBLE, 8 },
	[SCHEMA_NUMERIC] = { PQT_FLBA, 16 },
	[SCHEMA_BOOLEAN] = { PQT_BOOLEAN, 1 },
	[SCHEMA_DATE] = { PQT_INT32, 4 },
	[SCHEMA_TIME] = { PQT_INT64, 8 },
	[SCHEMA_DATETIME] = { PQT_INT64, 8 },
	[SCHEMA_TIMESTAMP] = { PQT_INT64, 8 },
	[SCHEMA_JSON] = { PQT_BYTE_ARRAY, 0 },
	[SCHEMA_RECORD] = { -1, 0 },
};

static const char *const type_names[] = {
	"STRING", "BYTES", "INTEGER", "FLOAT", "NUMERIC", "BOOLEAN", "DATE",
	"TIME", "DATETIME", "TIMESTAMP", "JSON", "RECORD"
};

/* Build: the node tree, one column per leaf. */

struct pq_build {
	struct pq *w;
	const char *stack[3 * PQ_MAX_DEPTH + 3];
	size_t depth;		/* path components on the stack */
	size_t ncols;		/* columns assigned so far */
	int no_dict;
};

static int
count_leaves(const struct schema_field *f, size_t n, int depth, size_t *count,
    struct fk_err *e)
{
	size_t i;

	if (depth > PQ_MAX_DEPTH)
		return fk_fail(e, FK_EX_DATAERR, "cannot write parquet: schema "
		    "nested deeper than %d levels", PQ_MAX_DEPTH);
	for (i = 0; i < n; i++) {
		if (f[i].type != SCHEMA_RECORD) {
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
	struct pq_col *c = &b->w->cols[b->ncols];
	const char **path;

	path = malloc(b->depth * sizeof(*path));
	if (path == NULL)
		return -1;
	memcpy(path, b->stack, b->depth * sizeof(*path));
	c->path = path;
	c->npath = b->depth;
	c->z = &b->w->z;
	c->scratch = &b->w->scratch;
	pqc_init(c, pq_types[n->f->type].ptype, pq_types[n->f->type].tlen,
	    n->def, rep, !b->no_dict);
	n->col0 = b->ncols++;
	n->ncol = 1;
	return 0;
}

static int build_node(struct pq_build *, struct pq_node *,
    const struct schema_field *, const char *, int, int);

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
build_node(struct pq_build *b, struct pq_node *n, const struct schema_field *f,
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
	if (f->mode == SCHEMA_REPEATED) {
		b->stack[b->depth++] = "list";
		b->stack[b->depth++] = "element";
		def++;
		n->rep = ++rep;
	} else if (f->mode == SCHEMA_NULLABLE) {
		def++;
	}
	n->def = def;
	if (f->type == SCHEMA_RECORD)
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
pq_destroy(struct pq *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->ncols; i++) {
		free((void *)w->cols[i].path);
		pqc_free(&w->cols[i]);
	}
	free(w->cols);
	free_node(&w->root);
	pqz_free(&w->z);
	fk_buf_free(&w->scratch);
	fk_buf_free(&w->bytes);
	fk_buf_free(&w->rgs);
	free(w);
}

static int
build(struct pq *w, const struct schema *s, int no_dict,
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

struct pq *
pq_open(FILE *out, const struct schema *s, const struct pq_opts *o,
    struct fk_err *e)
{
	static const struct pq_opts defaults;
	static const struct schema_field root;
	struct pq *w;
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
	    PQ_ROW_GROUP_BYTES;
	if (pqz_init(&w->z, o->codec, e) == -1 ||
	    build(w, s, o->no_dict, e) == -1)
		goto fail;
	for (i = 0; i < w->ncols; i++)
		w->cols[i].page_bytes = o->page_bytes ? o->page_bytes :
		    PQ_PAGE_BYTES;
	if (pqc_sink_write(&w->out, PQ_MAGIC, 4, e) == -1)
		goto fail;
	return w;
fail:
	pq_destroy(w);
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
put_bytes(struct pq *w, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	const char *s = jv_string_value(v);
	int oom;

	fk_buf_reset(&w->bytes);
	if (fk_b64_decode_buf(s, (size_t)jv_string_length_bytes(jv_copy(v)),
	    &w->bytes, &oom) == -1)
		return oom ? fk_fail(e, FK_EX_SOFTWARE, "out of memory") :
		    not_canonical(n, e);
	pqc_value(&w->cols[n->col0], r, w->bytes.p ? w->bytes.p : "",
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
	case SCHEMA_INTEGER:
		rc = canon_int64(v, &i64);
		put_le(buf, (uint64_t)i64, 8);
		break;
	case SCHEMA_FLOAT:
		if (!float_ok(v))
			return -1;
		d = canon_double(v);
		memcpy(&u, &d, sizeof(u));
		put_le(buf, u, 8);
		break;
	case SCHEMA_NUMERIC:
		rc = s ? canon_numeric(s, buf) : -1;
		break;
	case SCHEMA_BOOLEAN:
		if (kind != JV_KIND_TRUE && kind != JV_KIND_FALSE)
			return -1;
		buf[0] = kind == JV_KIND_TRUE;
		break;
	case SCHEMA_DATE:
		rc = s ? canon_date(s, &i32) : -1;
		put_le(buf, (uint32_t)i32, 4);
		break;
	case SCHEMA_TIME:
		rc = s ? canon_time(s, &i64) : -1;
		put_le(buf, (uint64_t)i64, 8);
		break;
	default:	/* DATETIME, TIMESTAMP */
		rc = s ? canon_micros(s, &i64) : -1;
		put_le(buf, (uint64_t)i64, 8);
		break;
	}
	return rc == -1 ? -1 : 0;
}

static int
put_leaf(struct pq *w, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	struct pq_col *c = &w->cols[n->col0];
	unsigned char buf[16] = { 0 };
	int kind = jv_get_kind(v);

	switch (n->f->type) {
	case SCHEMA_STRING:
	case SCHEMA_JSON:
		if (kind != JV_KIND_STRING)
			return not_canonical(n, e);
		pqc_value(c, r, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)));
		return 0;
	case SCHEMA_BYTES:
		if (kind != JV_KIND_STRING)
			return not_canonical(n, e);
		return put_bytes(w, n, v, r, e);
	default:
		if (put_fixed(n, v, buf) == -1)
			return not_canonical(n, e);
		if (c->ptype == PQT_BOOLEAN)
			pqc_bool(c, r, buf[0]);
		else
			pqc_value(c, r, buf, (size_t)c->tlen);
		return 0;
	}
}

static void
put_nulls(struct pq *w, const struct pq_node *n, int r, int d)
{
	size_t i;

	for (i = n->col0; i < n->col0 + n->ncol; i++)
		pqc_null(&w->cols[i], r, d);
}

static int shred_field(struct pq *, const struct pq_node *, jv, int, int,
    struct fk_err *);

/* A present value of node n (v borrowed). */
static int
shred_value(struct pq *w, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	size_t i;
	jv fv;
	int rc;

	if (n->f->type != SCHEMA_RECORD)
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
shred_list(struct pq *w, const struct pq_node *n, jv v, int r, int d,
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
shred_field(struct pq *w, const struct pq_node *n, jv v, int r, int d,
    struct fk_err *e)
{
	int kind = jv_get_kind(v);
	int absent = kind == JV_KIND_NULL || kind == JV_KIND_INVALID;

	switch (n->f->mode) {
	case SCHEMA_REPEATED:
		if (absent) {
			put_nulls(w, n, r, d);
			return 0;
		}
		return shred_list(w, n, v, r, d, e);
	case SCHEMA_NULLABLE:
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
	size_t i, total = 0;

	for (i = 0; i < w->ncols; i++) {
		if (w->cols[i].oom)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		if (pqc_page_full(&w->cols[i]) &&
		    pqc_page_close(&w->cols[i], e) == -1)
			return -1;
		total += pqc_chunk_size(&w->cols[i]);
	}
	if (total >= w->rg_bytes)
		return flush_row_group(w, e);
	return 0;
}

int
pq_write(struct pq *w, jv row, struct fk_err *e)
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
	if (f->type == SCHEMA_RECORD) {
		se_group(t, name, repetition, f->nfields, 0);
		se_fields(t, f->fields, f->nfields);
		return;
	}
	thrift_begin(t);
	thrift_i32(t, 1, pq_types[f->type].ptype);
	if (f->type == SCHEMA_NUMERIC)
		thrift_i32(t, 2, pq_types[f->type].tlen);
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
	const struct pq_node *r = &w->root;
	size_t i;

	thrift_begin(t);
	thrift_i32(t, 1, 1);			/* version */
	thrift_list(t, 2, THRIFT_STRUCT, 1 + se_count(w->s->fields,
	    w->s->nfields));
	thrift_begin(t);				/* the root */
	thrift_str(t, 4, "schema");
	thrift_i32(t, 5, (int32_t)r->nkids);
	thrift_end(t);
	se_fields(t, w->s->fields, w->s->nfields);
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
pq_close(struct pq *w, struct fk_err *e)
{
	int rc;

	if (w->failed)
		rc = fk_fail(e, FK_EX_SOFTWARE,
		    "parquet writer closed after an error");
	else
		rc = finish(w, e);
	pq_destroy(w);
	return rc;
}

void
pq_abort(struct pq *w)
{
	pq_destroy(w);
}

long long
pq_rows(const struct pq *w)
{
	return (long long)w->rows;
}
