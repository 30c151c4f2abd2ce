/*
 * shred.c: the Parquet plan of a schema and the shredding of canonical
 * rows into bytes (see parquet.h, and pq_plan.h for the bytes).  Runs on
 * fk-shape's workers: everything here that reads a jv stays in the
 * calling thread, and the plan is only read once made.
 *
 * Facts used (parquet-format): columns are "shredded" (Dremel): every
 * leaf gets one entry per value or per missing value, with a definition
 * level (how many optional or repeated ancestors are present) and a
 * repetition level (at which repeated ancestor a new element starts; 0
 * for a new row).
 */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "pq_col.h"
#include "pq_plan.h"
#include "shred.h"
#include "shape/check/canon.h"

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

int
shred_ptype(int type, int *tlen)
{
	*tlen = pq_types[type].tlen;
	return pq_types[type].ptype;
}

/* ---- the plan -------------------------------------------------------- */

struct pq_build {
	struct pq_plan *p;
	const char *stack[3 * PQ_MAX_DEPTH + 3];
	size_t depth;		/* path components on the stack */
	size_t ncols;		/* columns assigned so far */
	int no_dict;
};

static int
count_leaves(const struct schema_field *f, size_t n, int depth, size_t *count,
    size_t *nodes, struct fk_err *e)
{
	size_t i;

	if (depth > PQ_MAX_DEPTH)
		return fk_fail(e, FK_EX_DATAERR, "cannot write parquet: schema "
		    "nested deeper than %d levels", PQ_MAX_DEPTH);
	for (i = 0; i < n; i++) {
		(*nodes)++;
		if (f[i].type != SCHEMA_RECORD) {
			(*count)++;
			continue;
		}
		if (f[i].nfields == 0)
			return fk_fail(e, FK_EX_DATAERR, "cannot write field "
			    "'%s' as parquet: a RECORD needs at least one "
			    "field", f[i].name);
		if (count_leaves(f[i].fields, f[i].nfields, depth + 1, count,
		    nodes, e) == -1)
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
	struct pq_leaf *c = &b->p->cols[b->ncols];
	const char **path;

	path = malloc(b->depth * sizeof(*path));
	if (path == NULL)
		return -1;
	memcpy(path, b->stack, b->depth * sizeof(*path));
	c->path = path;
	c->npath = b->depth;
	c->ptype = shred_ptype(n->f->type, &c->tlen);
	c->max_def = n->def;
	c->max_rep = rep;
	c->dict = !b->no_dict && c->ptype != PQT_BOOLEAN;
	if (rep > 0)
		b->p->has_rep = 1;
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
	n->idx = b->p->nnodes++;
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
}

void
shred_plan_free(struct pq_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; p->cols != NULL && i < p->ncols; i++)
		free((void *)p->cols[i].path);
	free(p->cols);
	free_node(&p->root);
	free(p);
}

struct pq_plan *
shred_plan_new(const struct schema *s, int no_dict, struct fk_err *e)
{
	static const struct schema_field root;
	struct pq_build b = { .no_dict = no_dict };
	struct pq_plan *p;
	struct pq_node *r;
	size_t i, n = 0, nodes = 1;

	if (s->nfields == 0) {
		fk_fail(e, FK_EX_DATAERR,
		    "cannot write parquet: the schema has no fields");
		return NULL;
	}
	if (count_leaves(s->fields, s->nfields, 1, &n, &nodes, e) == -1)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto nomem;
	b.p = p;
	p->s = s;
	r = &p->root;
	r->f = &root;
	p->nnodes = 1;
	p->cols = calloc(n, sizeof(*p->cols));
	r->kids = calloc(s->nfields, sizeof(*r->kids));
	if (p->cols == NULL || r->kids == NULL)
		goto nomem;
	p->ncols = n;
	r->nkids = s->nfields;
	for (i = 0; i < s->nfields; i++)
		if (build_node(&b, &r->kids[i], &s->fields[i], NULL, 0,
		    0) == -1)
			goto nomem;
	r->ncol = n;
	return p;
nomem:
	shred_plan_free(p);
	fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return NULL;
}

/* ---- shredding ------------------------------------------------------- */

struct shred {
	const struct pq_plan *p;
	jv *keys;		/* per node: its name, this thread's copy */
	struct fk_buf *out;	/* column i's entries go to out[i] */
	size_t bytes_out;	/* bytes the row added to out */
	/* With repetition, entries come out of column order: per column. */
	struct fk_buf *col;
	size_t *count;
	struct fk_buf bytes;	/* a BYTES value, decoded */
	int oom;
};

static void
keys_fill(struct shred *x, const struct pq_node *n)
{
	size_t i;

	x->keys[n->idx] = n->idx == 0 ? jv_null() : jv_string(n->f->name);
	for (i = 0; i < n->nkids; i++)
		keys_fill(x, &n->kids[i]);
}

size_t
shred_bytes(const struct shred *x)
{
	return x->bytes_out;
}

void
shred_free(void *shred)
{
	struct shred *x = shred;
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; x->keys != NULL && i < x->p->nnodes; i++)
		jv_free(x->keys[i]);
	free(x->keys);
	for (i = 0; x->col != NULL && i < x->p->ncols; i++)
		fk_buf_free(&x->col[i]);
	free(x->col);
	free(x->count);
	fk_buf_free(&x->bytes);
	free(x);
}

struct shred *
shred_new(const struct pq_plan *p)
{
	struct shred *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->p = p;
	x->keys = calloc(p->nnodes, sizeof(*x->keys));
	if (x->keys == NULL)
		goto fail;
	keys_fill(x, &p->root);
	if (p->has_rep) {
		x->col = calloc(p->ncols, sizeof(*x->col));
		x->count = calloc(p->ncols, sizeof(*x->count));
		if (x->col == NULL || x->count == NULL)
			goto fail;
	}
	return x;
fail:
	shred_free(x);
	return NULL;
}

static struct fk_buf *
col_out(struct shred *x, size_t i)
{
	if (x->col == NULL)
		return &x->out[i];	/* one entry a row: straight out */
	x->count[i]++;
	return &x->col[i];
}

static void
add(struct shred *x, struct fk_buf *b, const void *p, size_t n)
{
	if (fk_buf_add(b, p, n) == -1)
		x->oom = 1;
	x->bytes_out += n;
}

/* An entry without a value: def < max_def. */
static void
put_null(struct shred *x, size_t i, int rep, int def)
{
	const struct pq_leaf *c = &x->p->cols[i];
	struct fk_buf *b = col_out(x, i);
	unsigned char h[2];
	size_t n = 0;

	if (c->max_rep > 0)
		h[n++] = (unsigned char)rep;
	h[n++] = (unsigned char)def;
	add(x, b, h, n);
}

/* An entry with its value's PLAIN bytes (BYTE_ARRAY: no length). */
static void
put_value(struct shred *x, size_t i, int rep, const void *p,
    size_t n)
{
	const struct pq_leaf *c = &x->p->cols[i];
	struct fk_buf *b = col_out(x, i);
	unsigned char h[64];
	size_t k = 0;

	if (c->max_rep > 0)
		h[k++] = (unsigned char)rep;
	if (c->max_def > 0)
		h[k++] = (unsigned char)c->max_def;
	if (c->ptype == PQT_BYTE_ARRAY) {
		h[k++] = (unsigned char)n;
		h[k++] = (unsigned char)(n >> 8);
		h[k++] = (unsigned char)(n >> 16);
		h[k++] = (unsigned char)(n >> 24);
	}
	/* Short values go out in one piece with their levels. */
	if (n <= sizeof(h) - k) {
		memcpy(h + k, p, n);
		add(x, b, h, k + n);
	} else {
		add(x, b, h, k);
		add(x, b, p, n);
	}
}

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
put_bytes(struct shred *x, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	const char *s = jv_string_value(v);
	int oom;

	fk_buf_reset(&x->bytes);
	if (fk_b64_decode_buf(s, (size_t)jv_string_length_bytes(jv_copy(v)),
	    &x->bytes, &oom) == -1)
		return oom ? fk_fail(e, FK_EX_SOFTWARE, "out of memory") :
		    not_canonical(n, e);
	put_value(x, n->col0, r, x->bytes.p ? x->bytes.p : "", x->bytes.len);
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
put_leaf(struct shred *x, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	const struct pq_leaf *c = &x->p->cols[n->col0];
	unsigned char buf[16] = { 0 };
	int kind = jv_get_kind(v);

	switch (n->f->type) {
	case SCHEMA_STRING:
	case SCHEMA_JSON:
		if (kind != JV_KIND_STRING)
			return not_canonical(n, e);
		put_value(x, n->col0, r, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)));
		return 0;
	case SCHEMA_BYTES:
		if (kind != JV_KIND_STRING)
			return not_canonical(n, e);
		return put_bytes(x, n, v, r, e);
	default:
		if (put_fixed(n, v, buf) == -1)
			return not_canonical(n, e);
		put_value(x, n->col0, r, buf, (size_t)c->tlen);
		return 0;
	}
}

static void
put_nulls(struct shred *x, const struct pq_node *n, int r, int d)
{
	size_t i;

	for (i = n->col0; i < n->col0 + n->ncol; i++)
		put_null(x, i, r, d);
}

static int shred_field(struct shred *, const struct pq_node *, jv,
    int, int, struct fk_err *);

/*
 * Does the field the iterator it of o is at have kid's name?  Canonical
 * rows hold the schema's fields in its order, so walking them beats a
 * lookup for each.
 */
static int
key_is(jv o, int it, const struct pq_node *kid)
{
	jv k;
	int same;

	if (!jv_object_iter_valid(o, it))
		return 0;
	k = jv_object_iter_key(o, it);
	same = strcmp(jv_string_value(k), kid->f->name) == 0;
	jv_free(k);
	return same;
}

/*
 * The fields of a present RECORD (or row) o, borrowed.  Walked in order;
 * from the first field out of place on (rows that are not canonical, as
 * tests give), looked up by name.
 */
static int
shred_kids(struct shred *x, const struct pq_node *n, jv o, int r,
    struct fk_err *e)
{
	int it = jv_object_iter(o), walk = 1;
	size_t i;
	jv fv;
	int rc;

	for (i = 0; i < n->nkids; i++) {
		if (walk && key_is(o, it, &n->kids[i])) {
			fv = jv_object_iter_value(o, it);
			it = jv_object_iter_next(o, it);
		} else {
			walk = 0;
			fv = jv_object_get(jv_copy(o),
			    jv_copy(x->keys[n->kids[i].idx]));
		}
		rc = shred_field(x, &n->kids[i], fv, r, n->def, e);
		jv_free(fv);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* A present value of node n (v borrowed). */
static int
shred_value(struct shred *x, const struct pq_node *n, jv v, int r,
    struct fk_err *e)
{
	if (n->f->type != SCHEMA_RECORD)
		return put_leaf(x, n, v, r, e);
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return not_canonical(n, e);
	return shred_kids(x, n, v, r, e);
}

static int
shred_list(struct shred *x, const struct pq_node *n, jv v, int r,
    int d, struct fk_err *e)
{
	int i, len;
	jv el;
	int rc;

	if (jv_get_kind(v) != JV_KIND_ARRAY)
		return not_canonical(n, e);
	len = jv_array_length(jv_copy(v));
	if (len == 0) {
		put_nulls(x, n, r, d);
		return 0;
	}
	for (i = 0; i < len; i++) {
		el = jv_array_get(jv_copy(v), i);
		if (jv_get_kind(el) == JV_KIND_NULL) {
			jv_free(el);
			return fk_fail(e, FK_EX_DATAERR, "cannot write field "
			    "'%s' as parquet: null array element", n->path);
		}
		rc = shred_value(x, n, el, i == 0 ? r : n->rep, e);
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
shred_field(struct shred *x, const struct pq_node *n, jv v, int r,
    int d, struct fk_err *e)
{
	int kind = jv_get_kind(v);
	int absent = kind == JV_KIND_NULL || kind == JV_KIND_INVALID;

	switch (n->f->mode) {
	case SCHEMA_REPEATED:
		if (absent) {
			put_nulls(x, n, r, d);
			return 0;
		}
		return shred_list(x, n, v, r, d, e);
	case SCHEMA_NULLABLE:
		if (absent) {
			put_nulls(x, n, r, d);
			return 0;
		}
		return shred_value(x, n, v, r, e);
	default:
		if (absent)
			return fk_fail(e, FK_EX_DATAERR, "cannot write field "
			    "'%s' as parquet: REQUIRED value missing", n->path);
		return shred_value(x, n, v, r, e);
	}
}

/* With repetition: the columns' entries, each after its count. */
static void
gather(struct shred *x)
{
	unsigned char n[4];
	size_t i;

	x->bytes_out = 0;	/* what went to x->col does not count */
	for (i = 0; i < x->p->ncols; i++) {
		if (x->p->cols[i].max_rep > 0) {
			put_le(n, x->count[i], 4);
			add(x, &x->out[i], n, 4);
		}
		add(x, &x->out[i], x->col[i].p, x->col[i].len);
	}
}

static void
row_start(struct shred *x, struct fk_buf *out)
{
	x->out = out;
	x->bytes_out = 0;
	x->oom = 0;
}

int
shred_row(struct shred *x, jv row, struct fk_buf *out, struct fk_err *e)
{
	size_t i;

	if (jv_get_kind(row) != JV_KIND_OBJECT)
		return fk_fail(e, FK_EX_DATAERR,
		    "cannot write parquet: row is not a JSON object");
	row_start(x, out);
	for (i = 0; x->col != NULL && i < x->p->ncols; i++) {
		fk_buf_reset(&x->col[i]);
		x->count[i] = 0;
	}
	if (shred_kids(x, &x->p->root, row, 0, e) == -1)
		return -1;
	if (x->col != NULL)
		gather(x);
	if (x->oom)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}

/*
 * A flat schema's fields are top-level leaves: field i is column i, with
 * no repetition, and a null is the entry with definition level 0.
 */
int
shred_flat(struct shred *x, const struct flat_val *v, struct fk_buf *out,
    struct fk_err *e)
{
	unsigned char le[8];
	size_t i;

	row_start(x, out);
	for (i = 0; i < x->p->ncols; i++) {
		switch (v[i].kind) {
		case FLAT_NULL:
			put_null(x, i, 0, 0);
			break;
		case FLAT_STR:
			put_value(x, i, 0, v[i].p, v[i].n);
			break;
		case FLAT_INT:
			put_le(le, (uint64_t)v[i].i, 8);
			put_value(x, i, 0, le, 8);
			break;
		default:	/* FLAT_BOOL */
			le[0] = (unsigned char)v[i].i;
			put_value(x, i, 0, le, 1);
			break;
		}
	}
	if (x->oom)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}
