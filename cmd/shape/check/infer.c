/*
 * infer.c: merge sampled rows into one schema (see infer.h).
 *
 * The sample is a tree of nodes, one per column, that only ever widens;
 * infer_schema turns it into a `bq load --schema` document and reads
 * that with schema_parse, so an inferred schema is checked and set up
 * exactly like a given one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canon.h"
#include "colname.h"
#include "infer.h"

struct node {
	char *name;		/* column name */
	int seen;		/* a value other than null */
	int rep;		/* the values are arrays */
	int typed;		/* type holds: a scalar or element was seen */
	enum schema_type type;
	struct node *kid;	/* RECORD */
	size_t nkid, cap;
	size_t hint;		/* where the next key usually is */
};

struct infer {
	struct node root;	/* a RECORD: the row */
	size_t rows;
};

struct infer *
infer_new(void)
{
	struct infer *in = calloc(1, sizeof(*in));

	if (in != NULL) {
		in->root.seen = in->root.typed = 1;
		in->root.type = SCHEMA_RECORD;
	}
	return in;
}

static void
kids_free(struct node *n)
{
	size_t i;

	for (i = 0; i < n->nkid; i++) {
		kids_free(&n->kid[i]);
		free(n->kid[i].name);
	}
	free(n->kid);
	n->kid = NULL;
	n->nkid = n->cap = 0;
}

void
infer_free(struct infer *in)
{
	if (in == NULL)
		return;
	kids_free(&in->root);
	free(in);
}

size_t
infer_rows(const struct infer *in)
{
	return in->rows;
}

/* ---- checking a row before it is merged ------------------------------ */

struct key {
	char *col;
	jv key;			/* borrowed from the object */
};

static int
key_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct key *)a)->col,
	    ((const struct key *)b)->col);
}

static int check_value(jv v, int depth, struct schema_cerr *ce);

/*
 * BigQuery compares column names without case, so "a b" and "A_B" in one
 * object would be one column twice: such a row is no row of any schema.
 */
static int
check_object(jv o, int depth, struct schema_cerr *ce)
{
	char buf[COLNAME_MAX + 1];
	struct key *k;
	size_t n, i;
	int it, rc = 0;
	jv v;

	n = (size_t)jv_object_length(jv_copy(o));
	k = calloc(n ? n : 1, sizeof(*k));
	if (k == NULL)
		return schema_cfail(ce, "out of memory");
	i = 0;
	for (it = jv_object_iter(o); jv_object_iter_valid(o, it);
	    it = jv_object_iter_next(o, it), i++) {
		k[i].key = jv_object_iter_key(o, it);
		k[i].col = strdup(colname_of_key(k[i].key, buf));
		if (k[i].col == NULL)
			rc = -1;
		v = jv_object_iter_value(o, it);
		if (rc == 0 && check_value(v, depth, ce) == -1) {
			schema_path_prepend(ce, k[i].col);
			rc = -2;
		}
		jv_free(v);
	}
	if (rc == -1)
		schema_cfail(ce, "out of memory");
	if (rc == 0 && n > 1) {
		qsort(k, n, sizeof(*k), key_cmp);
		for (i = 1; i < n && rc == 0; i++)
			if (strcasecmp(k[i - 1].col, k[i].col) == 0) {
				rc = schema_cfail(ce,
				    "fields '%.80s' and '%.80s' "
				    "both map to column '%.80s'",
				    jv_string_value(k[i - 1].key),
				    jv_string_value(k[i].key), k[i].col);
			}
	}
	for (i = 0; i < n; i++) {
		free(k[i].col);
		jv_free(k[i].key);
	}
	free(k);
	return rc == 0 ? 0 : -1;
}

/*
 * v (borrowed) is a value of a field at this depth.  Arrays in arrays
 * become JSON whole, so only objects in them are looked into.
 */
static int
check_value(jv v, int depth, struct schema_cerr *ce)
{
	int i, n, rc = 0;
	jv el;

	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		if (depth >= SCHEMA_MAXDEPTH)
			return schema_cfail(ce,
			    "RECORD nested deeper than %d levels",
			    SCHEMA_MAXDEPTH);
		return check_object(v, depth + 1, ce);
	}
	if (jv_get_kind(v) != JV_KIND_ARRAY)
		return 0;
	n = jv_array_length(jv_copy(v));
	for (i = 0; i < n && rc == 0; i++) {
		el = jv_array_get(jv_copy(v), i);
		if (jv_get_kind(el) == JV_KIND_OBJECT)
			rc = check_value(el, depth, ce);
		jv_free(el);
	}
	return rc;
}

/* ---- merging --------------------------------------------------------- */

static int merge_object(struct node *n, jv o, int depth);

/* What BigQuery cannot type goes in as JSON text, all of it. */
static void
to_json(struct node *n)
{
	kids_free(n);
	n->seen = n->typed = 1;
	n->rep = 0;
	n->type = SCHEMA_JSON;
}

/* Type of a scalar (not null, not an array, not an object). */
static enum schema_type
scalar_type(jv v)
{
	double d;

	switch (jv_get_kind(v)) {
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		return SCHEMA_BOOLEAN;
	case JV_KIND_NUMBER:
		d = jv_number_value(v);
		return isfinite(d) && d == floor(d) &&
		    fabs(d) <= CANON_MAX_SAFE ? SCHEMA_INTEGER : SCHEMA_FLOAT;
	default:
		return schema_string_type(jv_string_value(v));
	}
}

/* The narrowest type that holds both a and b (scalars). */
static enum schema_type
wider(enum schema_type a, enum schema_type b)
{
	if (a == b)
		return a;
	if ((a == SCHEMA_INTEGER || a == SCHEMA_FLOAT) &&
	    (b == SCHEMA_INTEGER || b == SCHEMA_FLOAT))
		return SCHEMA_FLOAT;
	return SCHEMA_STRING;
}

/* One value that is not null and not an array: a scalar or an object. */
static int
merge_one(struct node *n, jv v, int depth)
{
	enum schema_type t;

	if (n->typed && n->type == SCHEMA_JSON)
		return 0;
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		if (n->typed && n->type != SCHEMA_RECORD) {
			to_json(n);
			return 0;
		}
		n->typed = 1;
		n->type = SCHEMA_RECORD;
		return merge_object(n, v, depth + 1);
	}
	t = scalar_type(v);
	if (n->typed && n->type == SCHEMA_RECORD)
		to_json(n);
	else if (n->typed)
		n->type = wider(n->type, t);
	else
		n->type = t;
	n->typed = 1;
	return 0;
}

static int
merge_value(struct node *n, jv v, int depth)
{
	jv_kind k = jv_get_kind(v);
	int i, len, rc = 0;
	jv el;

	if (k == JV_KIND_NULL)
		return 0;
	if (!n->seen) {
		n->seen = 1;
		n->rep = k == JV_KIND_ARRAY;
	}
	if (n->typed && n->type == SCHEMA_JSON)
		return 0;
	if ((k == JV_KIND_ARRAY) != n->rep) {
		to_json(n);
		return 0;
	}
	if (k != JV_KIND_ARRAY)
		return merge_one(n, v, depth);
	len = jv_array_length(jv_copy(v));
	for (i = 0; i < len && rc == 0; i++) {
		el = jv_array_get(jv_copy(v), i);
		/* BigQuery has no arrays of arrays, nor nulls in arrays. */
		if (jv_get_kind(el) == JV_KIND_NULL ||
		    jv_get_kind(el) == JV_KIND_ARRAY)
			to_json(n);
		else
			rc = merge_one(n, el, depth);
		jv_free(el);
		if (n->type == SCHEMA_JSON)
			break;
	}
	return rc;
}

/* The child named col (any case), added at the end if new; NULL: ENOMEM. */
static struct node *
child(struct node *n, const char *col)
{
	struct node *np;
	size_t i, j;

	for (j = 0; j < n->nkid; j++) {
		i = (n->hint + j) % n->nkid;
		if (strcasecmp(n->kid[i].name, col) == 0) {
			n->hint = i + 1;
			return &n->kid[i];
		}
	}
	if (n->nkid == n->cap) {
		np = realloc(n->kid, (n->cap ? 2 * n->cap : 8) * sizeof(*np));
		if (np == NULL)
			return NULL;
		n->kid = np;
		n->cap = n->cap ? 2 * n->cap : 8;
	}
	np = &n->kid[n->nkid];
	memset(np, 0, sizeof(*np));
	np->name = strdup(col);
	if (np->name == NULL)
		return NULL;
	n->hint = ++n->nkid;
	return np;
}

static int
merge_object(struct node *n, jv o, int depth)
{
	char buf[COLNAME_MAX + 1];
	struct node *c;
	int it, rc = 0;
	jv k, v;

	for (it = jv_object_iter(o); rc == 0 && jv_object_iter_valid(o, it);
	    it = jv_object_iter_next(o, it)) {
		k = jv_object_iter_key(o, it);
		c = child(n, colname_of_key(k, buf));
		jv_free(k);
		if (c == NULL)
			return -1;
		v = jv_object_iter_value(o, it);
		rc = merge_value(c, v, depth);
		jv_free(v);
	}
	return rc;
}

int
infer_add(struct infer *in, jv row, struct schema_cerr *ce)
{
	memset(ce, 0, sizeof(*ce));
	if (jv_get_kind(row) != JV_KIND_OBJECT)
		return schema_cfail(ce, "a row must be an object, got %s",
		    jv_kind_name(jv_get_kind(row)));
	if (check_object(row, 1, ce) == -1)
		return -1;
	if (merge_object(&in->root, row, 1) == -1)
		return schema_cfail(ce, "out of memory");
	in->rows++;
	return 0;
}

/* ---- the schema ------------------------------------------------------ */

static jv
fields_doc(const struct node *n)
{
	const struct node *c;
	enum schema_type t;
	jv arr = jv_array(), f;
	size_t i;

	for (i = 0; i < n->nkid; i++) {
		c = &n->kid[i];
		/* Null throughout the sample: STRING, as BigQuery does. */
		t = c->typed ? c->type : SCHEMA_STRING;
		/* A RECORD needs a field; an object always empty is JSON. */
		if (t == SCHEMA_RECORD && c->nkid == 0)
			t = SCHEMA_JSON;
		f = JV_OBJECT(jv_string("name"), jv_string(c->name),
		    jv_string("type"), jv_string(schema_type_name(t)),
		    jv_string("mode"), jv_string(c->rep ? "REPEATED" :
		    "NULLABLE"));
		if (t == SCHEMA_RECORD)
			f = jv_object_set(f, jv_string("fields"),
			    fields_doc(c));
		arr = jv_array_append(arr, f);
	}
	return arr;
}

int
infer_schema(const struct infer *in, struct schema *s,
    struct fk_err *e)
{
	memset(s, 0, sizeof(*s));
	if (in->root.nkid == 0)
		return fk_fail(e, FK_EX_DATAERR, "cannot infer a schema from "
		    "rows with no fields");
	return schema_parse(fields_doc(&in->root), s, e);
}

/* The schema of one row: the sample of one (schema.h). */
int
infer_one(jv row, struct schema *s, struct schema_cerr *ce)
{
	struct infer *in;
	struct fk_err e;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	in = infer_new();
	if (in == NULL)
		return schema_cfail(ce, "out of memory");
	if (infer_add(in, row, ce) == -1)
		goto out;
	if (infer_schema(in, s, &e) == -1) {
		schema_cfail(ce,
		    "%s", in->root.nkid == 0 ? "cannot infer a schema "
		    "from an empty object" : e.msg);
		goto out;
	}
	rc = 0;
out:
	infer_free(in);
	return rc;
}
