/*
 * avro.c: Avro schemas, datums and container files (see avro.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "avro.h"
#include "shape.h"

/* The header must fit in this much before libavro's first block. */
#define HDR_MAX (4 * 1024 * 1024)

struct fk_avro_enc {
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t val;
	struct fk_buf bytes;	/* BYTES values, decoded */
};

struct fk_avro_out {
	FILE *out;		/* the caller's stream */
	FILE *fp;		/* libavro writes here (the header patcher) */
	avro_schema_t schema;
	avro_file_writer_t w;
	char *text;		/* the schema with its logical types */
	struct fk_buf hdr;	/* header bytes until the sync marker */
	int done;		/* header patched and passed on */
	int discard;		/* aborting: write nothing more */
	int err;		/* errno of the first failed write */
};

/* ---- schema text ----------------------------------------------------- */

static jv
base_type(const struct fk_field *f, int *nrec)
{
	char name[32];
	jv t, fields;
	size_t i;

	switch (f->type) {
	case FK_T_STRING:
		return jv_string("string");
	case FK_T_BYTES:
		return jv_string("bytes");
	case FK_T_INTEGER:
		return jv_string("long");
	case FK_T_FLOAT:
		return jv_string("double");
	case FK_T_BOOLEAN:
		return jv_string("boolean");
	case FK_T_NUMERIC:
		return JV_OBJECT(jv_string("type"), jv_string("bytes"),
		    jv_string("logicalType"), jv_string("decimal"),
		    jv_string("precision"), jv_number(38),
		    jv_string("scale"), jv_number(9));
	case FK_T_DATE:
		return JV_OBJECT(jv_string("type"), jv_string("int"),
		    jv_string("logicalType"), jv_string("date"));
	case FK_T_TIME:
		return JV_OBJECT(jv_string("type"), jv_string("long"),
		    jv_string("logicalType"), jv_string("time-micros"));
	case FK_T_DATETIME:
		return JV_OBJECT(jv_string("type"), jv_string("long"),
		    jv_string("logicalType"),
		    jv_string("local-timestamp-micros"));
	case FK_T_TIMESTAMP:
		return JV_OBJECT(jv_string("type"), jv_string("long"),
		    jv_string("logicalType"), jv_string("timestamp-micros"));
	case FK_T_JSON:
		return JV_OBJECT(jv_string("type"), jv_string("string"),
		    jv_string("sqlType"), jv_string("JSON"));
	default:
		/* Record names only need to be unique: number them. */
		snprintf(name, sizeof(name), "fk_record_%d", ++*nrec);
		fields = jv_array();
		for (i = 0; i < f->nfields; i++) {
			t = base_type(&f->fields[i], nrec);
			if (f->fields[i].mode == FK_M_REPEATED)
				t = JV_OBJECT(jv_string("type"),
				    jv_string("array"), jv_string("items"), t);
			else if (f->fields[i].mode == FK_M_NULLABLE)
				t = JV_ARRAY(jv_string("null"), t);
			t = JV_OBJECT(jv_string("name"),
			    jv_string(f->fields[i].name), jv_string("type"), t);
			if (f->fields[i].mode == FK_M_NULLABLE)
				t = jv_object_set(t, jv_string("default"),
				    jv_null());
			fields = jv_array_append(fields, t);
		}
		return JV_OBJECT(jv_string("type"), jv_string("record"),
		    jv_string("name"), jv_string(name), jv_string("fields"),
		    fields);
	}
}

char *
fk_avro_schema(const struct fk_schema *s, struct fk_err *e)
{
	struct fk_field top = { "Row", FK_T_RECORD, FK_M_REQUIRED,
	    s->fields, s->nfields, NULL };
	int nrec = 0;
	jv t, txt;
	char *r;

	t = base_type(&top, &nrec);
	/* BigQuery takes table names from elsewhere; keep ours neutral. */
	t = jv_object_set(t, jv_string("name"), jv_string("Row"));
	t = jv_object_set(t, jv_string("namespace"), jv_string("fk"));
	txt = jv_dump_string(t, 0);
	r = strdup(jv_string_value(txt));
	jv_free(txt);
	if (r == NULL)
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return r;
}

/* ---- datums ---------------------------------------------------------- */

struct fk_avro_enc *
fk_avro_enc_new(const char *schema, struct fk_err *e)
{
	struct fk_avro_enc *x;

	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	if (avro_schema_from_json_length(schema, strlen(schema),
	    &x->schema) != 0) {
		fk_fail(e, FK_EX_SOFTWARE, "libavro rejects the schema: %s",
		    avro_strerror());
		free(x);
		return NULL;
	}
	x->iface = avro_generic_class_from_schema(x->schema);
	if (x->iface == NULL ||
	    avro_generic_value_new(x->iface, &x->val) != 0) {
		fk_fail(e, FK_EX_SOFTWARE, "libavro: %s", avro_strerror());
		if (x->iface != NULL)
			avro_value_iface_decref(x->iface);
		avro_schema_decref(x->schema);
		free(x);
		return NULL;
	}
	return x;
}

void
fk_avro_enc_free(struct fk_avro_enc *x)
{
	if (x == NULL)
		return;
	avro_value_decref(&x->val);
	avro_value_iface_decref(x->iface);
	avro_schema_decref(x->schema);
	fk_buf_free(&x->bytes);
	free(x);
}

static int
b64(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Canonical (padded, standard) base64 to bytes in b. */
static int
unbase64(const char *s, struct fk_buf *b)
{
	unsigned int acc = 0;
	int bits = 0, v;
	char c;

	fk_buf_reset(b);
	for (; *s != '\0' && *s != '='; s++) {
		v = b64((unsigned char)*s);
		if (v == -1)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (char)((acc >> bits) & 0xff);
			if (fk_buf_add(b, &c, 1) == -1)
				return -1;
		}
	}
	return 0;
}

static int set_record(struct fk_avro_enc *x, const struct fk_field *f,
    size_t n, jv o, avro_value_t *rec);

/* One non-null canonical value (borrowed) into an Avro value. */
static int
set_value(struct fk_avro_enc *x, const struct fk_field *f, jv v,
    avro_value_t *av)
{
	unsigned char num[16];
	const char *s = jv_get_kind(v) == JV_KIND_STRING ?
	    jv_string_value(v) : NULL;
	int64_t l;
	int32_t d;
	int k;

	switch (f->type) {
	case FK_T_STRING:
	case FK_T_JSON:
		if (s == NULL)
			return -1;
		/* avro-c string sizes count the terminating NUL. */
		return avro_value_set_string_len(av, s,
		    (size_t)jv_string_length_bytes(jv_copy(v)) + 1);
	case FK_T_BYTES:
		if (s == NULL || unbase64(s, &x->bytes) == -1)
			return -1;
		return avro_value_set_bytes(av, x->bytes.p, x->bytes.len);
	case FK_T_INTEGER:
		if (fk_canon_int64(v, &l) == -1)
			return -1;
		return avro_value_set_long(av, l);
	case FK_T_FLOAT:
		return avro_value_set_double(av, fk_canon_double(v));
	case FK_T_NUMERIC:
		if (s == NULL || fk_canon_numeric(s, num) == -1)
			return -1;
		/* Shortest two's complement: drop redundant sign bytes. */
		for (k = 0; k < 15 && ((num[k] == 0 && num[k + 1] < 0x80) ||
		    (num[k] == 0xff && num[k + 1] >= 0x80)); k++)
			;
		return avro_value_set_bytes(av, num + k, (size_t)(16 - k));
	case FK_T_BOOLEAN:
		return avro_value_set_boolean(av,
		    jv_get_kind(v) == JV_KIND_TRUE);
	case FK_T_DATE:
		if (fk_canon_date(s, &d) == -1)
			return -1;
		return avro_value_set_int(av, d);
	case FK_T_TIME:
		if (fk_canon_time(s, &l) == -1)
			return -1;
		return avro_value_set_long(av, l);
	case FK_T_DATETIME:
	case FK_T_TIMESTAMP:
		if (fk_canon_micros(s, &l) == -1)
			return -1;
		return avro_value_set_long(av, l);
	default:
		if (jv_get_kind(v) != JV_KIND_OBJECT)
			return -1;
		return set_record(x, f->fields, f->nfields, v, av);
	}
}

static int
set_field(struct fk_avro_enc *x, const struct fk_field *f, jv v,
    avro_value_t *av)
{
	avro_value_t br, el;
	int i, n, rc = 0;
	jv e;

	if (f->mode == FK_M_REPEATED) {
		if (jv_get_kind(v) != JV_KIND_ARRAY)
			return -1;
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n && rc == 0; i++) {
			e = jv_array_get(jv_copy(v), i);
			rc = avro_value_append(av, &el, NULL);
			if (rc == 0)
				rc = set_value(x, f, e, &el);
			jv_free(e);
		}
		return rc;
	}
	if (f->mode == FK_M_REQUIRED)
		return jv_get_kind(v) == JV_KIND_NULL ? -1 :
		    set_value(x, f, v, av);
	if (jv_get_kind(v) == JV_KIND_NULL)
		return avro_value_set_branch(av, 0, &br) != 0 ? -1 :
		    avro_value_set_null(&br);
	if (avro_value_set_branch(av, 1, &br) != 0)
		return -1;
	return set_value(x, f, v, &br);
}

static int
set_record(struct fk_avro_enc *x, const struct fk_field *f, size_t n, jv o,
    avro_value_t *rec)
{
	avro_value_t fv;
	size_t i = 0;
	int it, rc = 0;
	jv v;

	for (it = jv_object_iter(o); rc == 0 && jv_object_iter_valid(o, it);
	    it = jv_object_iter_next(o, it), i++) {
		if (i == n || avro_value_get_by_index(rec, i, &fv, NULL) != 0)
			return -1;
		v = jv_object_iter_value(o, it);
		rc = set_field(x, &f[i], v, &fv);
		jv_free(v);
	}
	return rc == 0 && i == n ? 0 : -1;
}

int
fk_avro_enc_row(struct fk_avro_enc *x, const struct fk_schema *s, jv row,
    struct fk_buf *out, struct fk_err *e)
{
	avro_writer_t w;
	size_t size, want;
	char *dst;
	int rc;

	avro_value_reset(&x->val);
	if (jv_get_kind(row) != JV_KIND_OBJECT ||
	    set_record(x, s->fields, s->nfields, row, &x->val) != 0)
		return fk_fail(e, FK_EX_DATAERR, "row does not fit the Avro "
		    "schema");
	if (avro_value_sizeof(&x->val, &size) != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "libavro: %s",
		    avro_strerror());
	/* Make room for size bytes, then let libavro write there. */
	want = out->cap ? out->cap : 256;
	while (want < out->len + size + 1)
		want *= 2;
	if (want != out->cap) {
		dst = realloc(out->p, want);
		if (dst == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		out->p = dst;
		out->cap = want;
	}
	w = avro_writer_memory(out->p + out->len, (int64_t)size);
	if (w == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	rc = avro_value_write(w, &x->val);
	avro_writer_free(w);
	if (rc != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "libavro: %s",
		    avro_strerror());
	out->len += size;
	out->p[out->len] = '\0';
	return 0;
}

/* ---- container ------------------------------------------------------- */

/* Avro's zigzag varint long at p[*i..n); 1 done, 0 need more, -1 bad. */
static int
get_long(const unsigned char *p, size_t n, size_t *i, int64_t *v)
{
	uint64_t u = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		if (*i >= n)
			return 0;
		u |= (uint64_t)(p[*i] & 0x7f) << shift;
		if ((p[(*i)++] & 0x80) == 0) {
			*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
			return 1;
		}
	}
	return -1;
}

static int
put_long(struct fk_buf *b, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	unsigned char c;

	do {
		c = u & 0x7f;
		u >>= 7;
		if (u != 0)
			c |= 0x80;
		if (fk_buf_add(b, &c, 1) == -1)
			return -1;
	} while (u != 0);
	return 0;
}

/* Avro bytes (length, then data) at p[*i..n); as get_long. */
static int
get_bytes(const unsigned char *p, size_t n, size_t *i, size_t *pos,
    size_t *len)
{
	int64_t l;
	int r;

	r = get_long(p, n, i, &l);
	if (r <= 0)
		return r;
	if (l < 0)
		return -1;
	if ((uint64_t)l > n - *i)
		return 0;
	*pos = *i;
	*len = (size_t)l;
	*i += (size_t)l;
	return 1;
}

static void
put_bytes(struct fk_buf *b, const void *p, size_t n)
{
	put_long(b, (int64_t)n);
	fk_buf_add(b, p, n);
}

/*
 * The header libavro wrote, hdr[0..n): magic, metadata map, sync.  If it
 * is all there, build the same header with our schema text into out and
 * return its length in hdr; 0 if more bytes are needed, -1 if malformed.
 */
static long
patch_header(const unsigned char *p, size_t n, const char *text,
    struct fk_buf *out)
{
	size_t i = 4, k, kpos, klen, vpos, vlen;
	int64_t count, len;
	int r;

	if (n < 4)
		return 0;
	if (memcmp(p, "Obj\1", 4) != 0)
		return -1;
	fk_buf_add(out, p, 4);
	for (;;) {
		r = get_long(p, n, &i, &count);
		if (r <= 0)
			return r;
		if (count == 0)
			break;
		if (count < 0) {
			count = -count;
			r = get_long(p, n, &i, &len);	/* block size */
			if (r <= 0)
				return r;
		}
		put_long(out, count);
		for (k = 0; k < (size_t)count; k++) {
			r = get_bytes(p, n, &i, &kpos, &klen);
			if (r > 0)
				r = get_bytes(p, n, &i, &vpos, &vlen);
			if (r <= 0)
				return r;
			put_bytes(out, p + kpos, klen);
			if (klen == 11 && memcmp(p + kpos, "avro.schema", 11) == 0)
				put_bytes(out, text, strlen(text));
			else
				put_bytes(out, p + vpos, vlen);
		}
	}
	put_long(out, 0);
	if (n - i < 16)
		return 0;
	fk_buf_add(out, p + i, 16);
	return (long)(i + 16);
}

static int
put(struct fk_avro_out *w, const void *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, w->out) != n) {
		w->err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static ssize_t
cookie_write(void *c, const char *buf, size_t n)
{
	struct fk_avro_out *w = c;
	struct fk_buf nh = { 0 };
	long used;

	if (w->discard || w->err != 0)
		return w->discard ? (ssize_t)n : -1;
	if (w->done)
		return put(w, buf, n) == -1 ? -1 : (ssize_t)n;
	if (fk_buf_add(&w->hdr, buf, n) == -1 || w->hdr.len > HDR_MAX) {
		w->err = ENOMEM;
		return -1;
	}
	used = patch_header((unsigned char *)w->hdr.p, w->hdr.len, w->text,
	    &nh);
	if (used == 0) {
		fk_buf_free(&nh);
		return (ssize_t)n;
	}
	if (used < 0 || nh.p == NULL) {
		fk_buf_free(&nh);
		w->err = EPROTO;
		return -1;
	}
	w->done = 1;
	if (put(w, nh.p, nh.len) == -1 ||
	    put(w, w->hdr.p + used, w->hdr.len - (size_t)used) == -1) {
		fk_buf_free(&nh);
		return -1;
	}
	fk_buf_free(&nh);
	fk_buf_free(&w->hdr);
	return (ssize_t)n;
}

struct fk_avro_out *
fk_avro_open(FILE *out, const char *schema, const char *codec,
    size_t block_size, struct fk_err *e)
{
	cookie_io_functions_t io = { NULL, cookie_write, NULL, NULL };
	struct fk_avro_out *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->text = strdup(schema)) == NULL) {
		free(w);
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	w->out = out;
	if (avro_schema_from_json_length(schema, strlen(schema),
	    &w->schema) != 0) {
		fk_fail(e, FK_EX_SOFTWARE, "libavro rejects the schema: %s",
		    avro_strerror());
		goto fail;
	}
	w->fp = fopencookie(w, "w", io);
	if (w->fp == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "fopencookie failed");
		goto fail;
	}
	if (avro_file_writer_create_with_codec_fp(w->fp, "fk-shape", 1,
	    w->schema, &w->w, codec, block_size) != 0) {
		fk_fail(e, w->err ? FK_EX_IOERR : FK_EX_SOFTWARE,
		    "cannot start the Avro file: %s", w->err ?
		    strerror(w->err) : avro_strerror());
		fclose(w->fp);
		goto fail;
	}
	return w;
fail:
	if (w->schema != NULL)
		avro_schema_decref(w->schema);
	free(w->text);
	free(w);
	return NULL;
}

int
fk_avro_append(struct fk_avro_out *w, const void *datum, size_t n,
    struct fk_err *e)
{
	if (avro_file_writer_append_encoded(w->w, datum, (int64_t)n) != 0)
		return fk_fail(e, w->err ? FK_EX_IOERR : FK_EX_DATAERR,
		    "cannot write Avro: %s", w->err ? strerror(w->err) :
		    avro_strerror());
	return 0;
}

static void
out_free(struct fk_avro_out *w)
{
	avro_schema_decref(w->schema);
	fk_buf_free(&w->hdr);
	free(w->text);
	free(w);
}

int
fk_avro_close(struct fk_avro_out *w, struct fk_err *e)
{
	int rc;

	rc = avro_file_writer_flush(w->w);
	if (avro_file_writer_close(w->w) != 0)
		rc = -1;
	if (rc != 0 || w->err != 0 || !w->done) {
		fk_fail(e, FK_EX_IOERR, "cannot finish the Avro file: %s",
		    w->err ? strerror(w->err) : avro_strerror());
		out_free(w);
		return -1;
	}
	out_free(w);
	return 0;
}

void
fk_avro_abort(struct fk_avro_out *w)
{
	if (w == NULL)
		return;
	w->discard = 1;
	avro_file_writer_close(w->w);
	out_free(w);
}
