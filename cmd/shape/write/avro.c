/*
 * avro.c: Avro schemas, datums and container files (see avro.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <avro.h>
#include <snappy-c.h>
#include <zlib.h>

#include "b64.h"
#include "shape/check/canon.h"
#include "shape/write/avro.h"
#include "shape/write/varint.h"
#include "shape/write/writer.h"

struct avro_enc {
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t val;
	struct fk_buf bytes;	/* BYTES values, decoded */
};

/* ---- schema text ----------------------------------------------------- */

static jv
base_type(const struct schema_field *f, int *nrec)
{
	char name[32];
	jv t, fields;
	size_t i;

	switch (f->type) {
	case SCHEMA_STRING:
		return jv_string("string");
	case SCHEMA_BYTES:
		return jv_string("bytes");
	case SCHEMA_INTEGER:
		return jv_string("long");
	case SCHEMA_FLOAT:
		return jv_string("double");
	case SCHEMA_BOOLEAN:
		return jv_string("boolean");
	case SCHEMA_NUMERIC:
		return JV_OBJECT(jv_string("type"), jv_string("bytes"),
		    jv_string("logicalType"), jv_string("decimal"),
		    jv_string("precision"), jv_number(38),
		    jv_string("scale"), jv_number(9));
	case SCHEMA_DATE:
		return JV_OBJECT(jv_string("type"), jv_string("int"),
		    jv_string("logicalType"), jv_string("date"));
	case SCHEMA_TIME:
		return JV_OBJECT(jv_string("type"), jv_string("long"),
		    jv_string("logicalType"), jv_string("time-micros"));
	case SCHEMA_DATETIME:
		return JV_OBJECT(jv_string("type"), jv_string("long"),
		    jv_string("logicalType"),
		    jv_string("local-timestamp-micros"));
	case SCHEMA_TIMESTAMP:
		return JV_OBJECT(jv_string("type"), jv_string("long"),
		    jv_string("logicalType"), jv_string("timestamp-micros"));
	case SCHEMA_JSON:
		return JV_OBJECT(jv_string("type"), jv_string("string"),
		    jv_string("sqlType"), jv_string("JSON"));
	default:
		/* Record names only need to be unique: number them. */
		snprintf(name, sizeof(name), "fk_record_%d", ++*nrec);
		fields = jv_array();
		for (i = 0; i < f->nfields; i++) {
			t = base_type(&f->fields[i], nrec);
			if (f->fields[i].mode == SCHEMA_REPEATED)
				t = JV_OBJECT(jv_string("type"),
				    jv_string("array"), jv_string("items"), t);
			else if (f->fields[i].mode == SCHEMA_NULLABLE)
				t = JV_ARRAY(jv_string("null"), t);
			t = JV_OBJECT(jv_string("name"),
			    jv_string(f->fields[i].name), jv_string("type"), t);
			if (f->fields[i].mode == SCHEMA_NULLABLE)
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
avro_schema_json(const struct schema *s, struct fk_err *e)
{
	struct schema_field top = { "Row", SCHEMA_RECORD, SCHEMA_REQUIRED,
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

struct avro_enc *
avro_enc_new(const char *schema, struct fk_err *e)
{
	struct avro_enc *x;

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
avro_enc_free(void *enc)
{
	struct avro_enc *x = enc;

	if (x == NULL)
		return;
	avro_value_decref(&x->val);
	avro_value_iface_decref(x->iface);
	avro_schema_decref(x->schema);
	fk_buf_free(&x->bytes);
	free(x);
}

/* Canonical (padded, standard) base64 to bytes in b. */
static int
unbase64(const char *s, struct fk_buf *b)
{
	int oom;

	fk_buf_reset(b);
	return fk_b64_decode_buf(s, strlen(s), b, &oom);
}

static int set_record(struct avro_enc *x, const struct schema_field *f,
    size_t n, jv o, avro_value_t *rec);

/* One non-null canonical value (borrowed) into an Avro value. */
static int
set_value(struct avro_enc *x, const struct schema_field *f, jv v,
    avro_value_t *av)
{
	unsigned char num[16];
	const char *s = jv_get_kind(v) == JV_KIND_STRING ?
	    jv_string_value(v) : NULL;
	int64_t l;
	int32_t d;
	int k;

	switch (f->type) {
	case SCHEMA_STRING:
	case SCHEMA_JSON:
		if (s == NULL)
			return -1;
		/* avro-c string sizes count the terminating NUL. */
		return avro_value_set_string_len(av, s,
		    (size_t)jv_string_length_bytes(jv_copy(v)) + 1);
	case SCHEMA_BYTES:
		if (s == NULL || unbase64(s, &x->bytes) == -1)
			return -1;
		/* libavro wants a buffer even for no bytes. */
		return avro_value_set_bytes(av, x->bytes.p != NULL ?
		    x->bytes.p : (char *)"", x->bytes.len);
	case SCHEMA_INTEGER:
		if (canon_int64(v, &l) == -1)
			return -1;
		return avro_value_set_long(av, l);
	case SCHEMA_FLOAT:
		return avro_value_set_double(av, canon_double(v));
	case SCHEMA_NUMERIC:
		if (s == NULL || canon_numeric(s, num) == -1)
			return -1;
		/* Shortest two's complement: drop redundant sign bytes. */
		for (k = 0; k < 15 && ((num[k] == 0 && num[k + 1] < 0x80) ||
		    (num[k] == 0xff && num[k + 1] >= 0x80)); k++)
			;
		return avro_value_set_bytes(av, num + k, (size_t)(16 - k));
	case SCHEMA_BOOLEAN:
		return avro_value_set_boolean(av,
		    jv_get_kind(v) == JV_KIND_TRUE);
	case SCHEMA_DATE:
		if (canon_date(s, &d) == -1)
			return -1;
		return avro_value_set_int(av, d);
	case SCHEMA_TIME:
		if (canon_time(s, &l) == -1)
			return -1;
		return avro_value_set_long(av, l);
	case SCHEMA_DATETIME:
	case SCHEMA_TIMESTAMP:
		if (canon_micros(s, &l) == -1)
			return -1;
		return avro_value_set_long(av, l);
	default:
		if (jv_get_kind(v) != JV_KIND_OBJECT)
			return -1;
		return set_record(x, f->fields, f->nfields, v, av);
	}
}

static int
set_field(struct avro_enc *x, const struct schema_field *f, jv v,
    avro_value_t *av)
{
	avro_value_t br, el;
	int i, n, rc = 0;
	jv e;

	if (f->mode == SCHEMA_REPEATED) {
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
	if (f->mode == SCHEMA_REQUIRED)
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
set_record(struct avro_enc *x, const struct schema_field *f, size_t n, jv o,
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

/* A flat value (flat.h) of f into an Avro value, as set_field would. */
static int
set_flat(struct avro_enc *x, const struct schema_field *f,
    const struct flat_val *v, avro_value_t *av)
{
	avro_value_t br;

	if (f->mode != SCHEMA_REQUIRED) {
		if (avro_value_set_branch(av, v->kind != FLAT_NULL, &br) != 0)
			return -1;
		if (v->kind == FLAT_NULL)
			return avro_value_set_null(&br);
		av = &br;
	}
	switch (v->kind) {
	case FLAT_STR:
		/* libavro takes a string with its NUL: a copy has one. */
		fk_buf_reset(&x->bytes);
		if (fk_buf_add(&x->bytes, v->p, v->n) == -1)
			return -1;
		return avro_value_set_string_len(av, x->bytes.p != NULL ?
		    x->bytes.p : (char *)"", v->n + 1);
	case FLAT_INT:
		return avro_value_set_long(av, v->i);
	case FLAT_BOOL:
		return avro_value_set_boolean(av, (int)v->i);
	default:
		return -1;
	}
}

static int write_datum(struct avro_enc *x, struct fk_buf *out,
    struct fk_err *e);

int
avro_enc_row(struct avro_enc *x, const struct schema *s, jv row,
    struct fk_buf *out, struct fk_err *e)
{
	avro_value_reset(&x->val);
	if (jv_get_kind(row) != JV_KIND_OBJECT ||
	    set_record(x, s->fields, s->nfields, row, &x->val) != 0)
		return fk_fail(e, FK_EX_DATAERR, "row does not fit the Avro "
		    "schema");
	return write_datum(x, out, e);
}

/* avro_enc_row for a flat row (flat.h) of s: the same bytes. */
static int
avro_enc_flat(struct avro_enc *x, const struct schema *s,
    const struct flat_val *v, struct fk_buf *out, struct fk_err *e)
{
	avro_value_t fv;
	size_t i;

	avro_value_reset(&x->val);
	for (i = 0; i < s->nfields; i++)
		if (avro_value_get_by_index(&x->val, i, &fv, NULL) != 0 ||
		    set_flat(x, &s->fields[i], &v[i], &fv) != 0)
			return fk_fail(e, FK_EX_DATAERR, "row does not fit "
			    "the Avro schema");
	return write_datum(x, out, e);
}

/* The value x->val holds, as one datum appended to out. */
static int
write_datum(struct avro_enc *x, struct fk_buf *out, struct fk_err *e)
{
	avro_writer_t w;
	size_t room;
	int64_t size;
	int rc;

	/*
	 * Let libavro write into out's free room, which is most often room
	 * enough; when it is not (ENOSPC), make more and write again.  Asking
	 * for the size first (avro_value_sizeof) would walk every row twice.
	 */
	for (room = 1024;; room *= 2) {
		if (fk_buf_reserve(out, room) == -1)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		room = out->cap - out->len - 1;
		w = avro_writer_memory(out->p + out->len, (int64_t)room);
		if (w == NULL)
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		rc = avro_value_write(w, &x->val);
		size = avro_writer_tell(w);
		avro_writer_free(w);
		if (rc != ENOSPC)
			break;
	}
	if (rc != 0)
		return fk_fail(e, FK_EX_SOFTWARE, "libavro: %s",
		    avro_strerror());
	out->len += (size_t)size;
	out->p[out->len] = '\0';
	return 0;
}

/* ---- container ------------------------------------------------------- */

/*
 * The container is framed here, not by libavro's file writer: avro-c 1.11
 * writes its own parse of the schema into the header, which drops the
 * logical types, and it compresses deflate blocks at level 9, twice the
 * CPU of the zlib default every other Avro writer uses for the same
 * output within a few percent.  Blocks are raw deflate (windowBits -15)
 * or snappy followed by the big-endian CRC-32 of the uncompressed data,
 * as the Avro specification says.
 *
 * Blocks are framed (compressed, counted, marked) by the workers, each
 * over its own batch of rows (see avro_w_seal): the writer thread only
 * writes them.  A block ends at --avro-block-size and at a batch's end,
 * and batches are cut from the input alone, so the file is the same at
 * every -j.
 */
enum codec { C_NULL, C_DEFLATE, C_SNAPPY };

/* One thread's block compressor. */
struct zip {
	int codec;		/* enum codec */
	z_stream zs;		/* deflate, reset per block */
	int zinit;
	struct fk_buf zb;	/* room for the block compressed */
};

struct avro_out {
	FILE *out;		/* the caller's stream */
	size_t block_size;	/* datum bytes that close a block */
	struct fk_buf blk;	/* the open block's datums */
	long long count;	/* datums in it */
	struct fk_buf frame;	/* a block framed */
	struct zip z;
	const unsigned char *sync;
	int err;		/* errno of the first failed write */
};

static int
put(struct avro_out *w, const void *p, size_t n)
{
	if (w->err == 0 && n > 0 && fwrite(p, 1, n, w->out) != n)
		w->err = errno ? errno : EIO;
	return w->err == 0 ? 0 : -1;
}

/* Avro long: a zigzag varint, appended to b. */
static int
buf_long(struct fk_buf *b, int64_t v)
{
	unsigned char t[VARINT_MAX];

	return fk_buf_add(b, t, varint_put(t, varint_zigzag(v)));
}

/* Avro string or bytes: the length, then the bytes. */
static int
buf_bytes(struct fk_buf *b, const void *p, size_t n)
{
	if (buf_long(b, (int64_t)n) == -1)
		return -1;
	return fk_buf_add(b, p, n);
}

static int
codec_of(const char *name)
{
	if (name == NULL || strcmp(name, "deflate") == 0)
		return C_DEFLATE;
	if (strcmp(name, "snappy") == 0)
		return C_SNAPPY;
	if (strcmp(name, "null") == 0)
		return C_NULL;
	return -1;
}

static const char *
codec_name(enum codec c)
{
	return c == C_DEFLATE ? "deflate" : c == C_SNAPPY ? "snappy" : "null";
}

static int
zip_init(struct zip *z, int codec)
{
	memset(z, 0, sizeof(*z));
	z->codec = codec;
	if (codec != C_DEFLATE)
		return 0;
	if (deflateInit2(&z->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z->zinit = 1;
	return 0;
}

static void
zip_end(struct zip *z)
{
	if (z->zinit)
		deflateEnd(&z->zs);
	fk_buf_free(&z->zb);
	memset(z, 0, sizeof(*z));
}

/* Compress blk[0..n) into z->zb.p: its length, or -1 (errno set). */
static long
zip_block(struct zip *z, const char *blk, size_t n)
{
	size_t zn;
	uLong crc;

	if (z->codec == C_DEFLATE) {
		zn = deflateBound(&z->zs, n);
		if (fk_buf_reserve(&z->zb, zn) == -1)
			return errno = ENOMEM, -1;
		z->zs.next_in = (Bytef *)blk;
		z->zs.avail_in = (uInt)n;
		z->zs.next_out = (Bytef *)z->zb.p;
		z->zs.avail_out = (uInt)zn;
		if (deflate(&z->zs, Z_FINISH) != Z_STREAM_END)
			return errno = EIO, -1;
		zn -= z->zs.avail_out;
		deflateReset(&z->zs);
		return (long)zn;
	}
	zn = snappy_max_compressed_length(n);
	if (fk_buf_reserve(&z->zb, zn + 4) == -1)
		return errno = ENOMEM, -1;
	if (snappy_compress(blk, n, z->zb.p, &zn) != SNAPPY_OK)
		return errno = EIO, -1;
	crc = crc32(0L, (const Bytef *)blk, (uInt)n);
	z->zb.p[zn] = (char)(crc >> 24);
	z->zb.p[zn + 1] = (char)(crc >> 16);
	z->zb.p[zn + 2] = (char)(crc >> 8);
	z->zb.p[zn + 3] = (char)crc;
	return (long)(zn + 4);
}

/*
 * Append to dst the block of count datums blk[0..n): count, size, the
 * data (compressed), the sync marker.  -1 (errno set) on failure.
 */
static int
frame_block(struct fk_buf *dst, struct zip *z, long long count,
    const char *blk, size_t n, const unsigned char sync[16])
{
	const char *data = blk;
	long len = (long)n;

	if (z->codec != C_NULL) {
		if ((len = zip_block(z, blk, n)) == -1)
			return -1;
		data = z->zb.p;
	}
	if (buf_long(dst, count) == -1 || buf_long(dst, len) == -1 ||
	    fk_buf_add(dst, data, (size_t)len) == -1 ||
	    fk_buf_add(dst, sync, 16) == -1)
		return errno = ENOMEM, -1;
	return 0;
}

/* Write the open block, if it holds datums. */
static int
write_block(struct avro_out *w)
{
	if (w->count == 0)
		return w->err == 0 ? 0 : -1;
	fk_buf_reset(&w->frame);
	if (frame_block(&w->frame, &w->z, w->count, w->blk.p, w->blk.len,
	    w->sync) == -1) {
		w->err = errno;
		return -1;
	}
	if (put(w, w->frame.p, w->frame.len) == -1)
		return -1;
	w->count = 0;
	fk_buf_reset(&w->blk);
	return 0;
}

/*
 * A random sync marker: one that data could predict would let a crafted
 * string pass for a block boundary to readers that split files at
 * markers, as BigQuery does.
 */
static void
make_sync(unsigned char sync[16])
{
	struct timespec ts;
	size_t i;

	if (getrandom(sync, 16, 0) == 16)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	srand((unsigned int)(ts.tv_nsec ^ ts.tv_sec));
	for (i = 0; i < 16; i++)
		sync[i] = (unsigned char)rand();
}

/* Magic, metadata map (schema, codec), sync marker. */
static int
write_header(struct avro_out *w, const char *schema)
{
	const char *codec = codec_name(w->z.codec);
	struct fk_buf *h = &w->frame;

	fk_buf_reset(h);
	if (fk_buf_add(h, "Obj\1", 4) == -1 || buf_long(h, 2) == -1 ||
	    buf_bytes(h, "avro.schema", 11) == -1 ||
	    buf_bytes(h, schema, strlen(schema)) == -1 ||
	    buf_bytes(h, "avro.codec", 10) == -1 ||
	    buf_bytes(h, codec, strlen(codec)) == -1 || buf_long(h, 0) == -1 ||
	    fk_buf_add(h, w->sync, 16) == -1) {
		w->err = ENOMEM;
		return -1;
	}
	return put(w, h->p, h->len);
}

static void
out_free(struct avro_out *w)
{
	if (w == NULL)
		return;
	zip_end(&w->z);
	fk_buf_free(&w->blk);
	fk_buf_free(&w->frame);
	free(w);
}

/*
 * The container writer: avro_out_open starts a container on out (which
 * stays the caller's to close) with codec (enum codec) and sync (which
 * outlives it); block_size bounds one block's datums.  avro_out_append
 * takes one encoded datum, writing a block first when the datum would
 * take it past block_size (a bigger datum gets a block of its own);
 * avro_out_blocks writes blocks framed already.  avro_out_close writes
 * the last block, frees *wp and clears it; out_free drops a container
 * unfinished.  -1 with e (IOERR) on a write error.
 */
static struct avro_out *
avro_out_open(FILE *out, const char *schema, int codec,
    const unsigned char *sync, size_t block_size, struct fk_err *e)
{
	struct avro_out *w;
	avro_schema_t sc;

	/* The schema must be one libavro (and so the encoders) takes. */
	if (avro_schema_from_json_length(schema, strlen(schema), &sc) != 0) {
		fk_fail(e, FK_EX_SOFTWARE, "libavro rejects the schema: %s",
		    avro_strerror());
		return NULL;
	}
	avro_schema_decref(sc);
	w = calloc(1, sizeof(*w));
	if (w == NULL || zip_init(&w->z, codec) == -1) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		out_free(w);
		return NULL;
	}
	w->out = out;
	w->block_size = block_size;
	w->sync = sync;
	if (write_header(w, schema) == -1) {
		fk_fail(e, FK_EX_IOERR, "cannot start the Avro file: %s",
		    strerror(w->err));
		out_free(w);
		return NULL;
	}
	return w;
}

static int
avro_out_append(struct avro_out *w, const void *datum, size_t n,
    struct fk_err *e)
{
	/* A datum over block_size gets a block of its own. */
	if (w->count > 0 && w->blk.len + n > w->block_size &&
	    write_block(w) == -1)
		goto fail;
	if (fk_buf_add(&w->blk, datum, n) == -1) {
		w->err = ENOMEM;
		goto fail;
	}
	w->count++;
	return 0;
fail:
	return fk_fail(e, FK_EX_IOERR, "cannot write Avro: %s",
	    strerror(w->err));
}

static int
avro_out_blocks(struct avro_out *w, const void *p, size_t n,
    struct fk_err *e)
{
	if (write_block(w) == -1 || put(w, p, n) == -1)
		return fk_fail(e, FK_EX_IOERR, "cannot write Avro: %s",
		    strerror(w->err));
	return 0;
}

static int
avro_out_close(struct avro_out **wp, struct fk_err *e)
{
	struct avro_out *w = *wp;
	int rc = 0;

	*wp = NULL;

	if (write_block(w) == -1 || fflush(w->out) != 0) {
		rc = fk_fail(e, FK_EX_IOERR, "cannot finish the Avro file: %s",
		    strerror(w->err ? w->err : errno));
	}
	out_free(w);
	return rc;
}

/* ---- the writer (writer.h) ------------------------------------------- */

/* A row gets a block of its own if need be; BigQuery's limit is 16 MB. */
#define AVRO_ROW_MAX (15 * 1024 * 1024)

struct avro_run {
	const struct schema *s;
	char *text;		/* the Avro schema */
	int codec;		/* enum codec */
	size_t block;
	unsigned char sync[16];
	struct avro_out *out;
};

/* A worker's state: its encoder and its block compressor. */
struct avro_wenc {
	struct avro_enc *enc;
	struct zip z;
};

static void *
avro_w_setup(const struct schema *s, const struct writer_opts *o,
    struct fk_err *e)
{
	struct avro_run *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	r->s = s;
	r->codec = codec_of(o->avro_codec);
	if (r->codec == -1) {
		fk_fail(e, FK_EX_USAGE, "unknown Avro codec '%s'",
		    o->avro_codec);
		free(r);
		return NULL;
	}
	r->block = o->avro_block;
	make_sync(r->sync);
	r->text = avro_schema_json(s, e);
	if (r->text != NULL)
		return r;
	free(r);
	return NULL;
}

/* A container begun and not ended is dropped. */
static void
avro_w_release(void *run)
{
	struct avro_run *r = run;

	out_free(r->out);
	free(r->text);
	free(r);
}

static void
avro_w_enc_free(void *enc)
{
	struct avro_wenc *x = enc;

	if (x == NULL)
		return;
	avro_enc_free(x->enc);
	zip_end(&x->z);
	free(x);
}

static struct avro_wenc *
wenc_new(const struct avro_run *r, struct fk_err *e)
{
	struct avro_wenc *x = calloc(1, sizeof(*x));

	if (x == NULL || zip_init(&x->z, r->codec) == -1) {
		free(x);
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	if ((x->enc = avro_enc_new(r->text, e)) == NULL) {
		avro_w_enc_free(x);
		return NULL;
	}
	return x;
}

/*
 * The row appended to wb from before on ends, unless it is too big for
 * any Avro block BigQuery reads: then it is refused.
 */
static int
row_end(struct wbatch *wb, size_t before, struct fk_err *e)
{
	size_t n = wb->out.len - before;

	if (n > AVRO_ROW_MAX) {
		wbatch_undo(wb);
		fk_fail(e, FK_EX_DATAERR, "row is %zu bytes in Avro; BigQuery "
		    "reads no Avro block over 16 MB", n);
		return 1;
	}
	return wbatch_end_row(wb, e);
}

static int
avro_w_encode(const void *run, void **enc, jv row, struct wbatch *wb,
    struct fk_err *e)
{
	const struct avro_run *r = run;
	struct avro_wenc *x = *enc;
	size_t before = wb->out.len;

	if (x == NULL && (*enc = x = wenc_new(r, e)) == NULL)
		return -1;
	if (avro_enc_row(x->enc, r->s, row, &wb->out, e) == -1)
		return wbatch_encode_failed(wb, e);
	return row_end(wb, before, e);
}

static int
avro_w_encode_flat(const void *run, void **enc, const struct flat_val *v,
    struct wbatch *wb, struct fk_err *e)
{
	const struct avro_run *r = run;
	struct avro_wenc *x = *enc;
	size_t before = wb->out.len;

	if (x == NULL && (*enc = x = wenc_new(r, e)) == NULL)
		return -1;
	if (avro_enc_flat(x->enc, r->s, v, &wb->out, e) == -1)
		return wbatch_encode_failed(wb, e);
	return row_end(wb, before, e);
}

/*
 * On the worker: the batch's rows as framed blocks in wb->sealed, each
 * closed where avro_out_append would close it, the last at the batch's
 * end.  Left undone on failure: the writer thread then blocks the rows.
 */
static void
avro_w_seal(const void *run, void *enc, struct wbatch *wb)
{
	const struct avro_run *r = run;
	struct avro_wenc *x = enc;
	size_t i, start = 0, prev = 0;
	long long count = 0;

	fk_buf_reset(&wb->sealed);
	for (i = 0; i < wb->n; i++) {
		if (count > 0 && wb->end[i] - start > r->block) {
			if (frame_block(&wb->sealed, &x->z, count,
			    wb->out.p + start, prev - start, r->sync) == -1)
				return;
			start = prev;
			count = 0;
		}
		count++;
		prev = wb->end[i];
	}
	if (count > 0 && frame_block(&wb->sealed, &x->z, count,
	    wb->out.p + start, prev - start, r->sync) == -1)
		return;
	wb->sealed_rows = wb->n;
}

static int
avro_w_begin(void *run, FILE *out, struct fk_err *e)
{
	struct avro_run *r = run;

	r->out = avro_out_open(out, r->text, r->codec, r->sync, r->block, e);
	return r->out == NULL ? -1 : 0;
}

/*
 * A whole batch sealed goes as it is; else (the run stops inside the
 * batch, or sealing failed) its first n datums are blocked here.
 */
static int
avro_w_flush(void *run, FILE *out, struct wbatch *wb, size_t n,
    struct fk_err *e)
{
	struct avro_run *r = run;
	size_t i, off = 0;

	(void)out;
	if (n > 0 && n == wb->sealed_rows)
		return avro_out_blocks(r->out, wb->sealed.p, wb->sealed.len,
		    e);
	for (i = 0; i < n; i++) {
		if (avro_out_append(r->out, wb->out.p + off, wb->end[i] - off,
		    e) == -1)
			return -1;
		off = wb->end[i];
	}
	return 0;
}

static int
avro_w_end(void *run, FILE *out, struct fk_err *e)
{
	struct avro_run *r = run;

	(void)out;
	return avro_out_close(&r->out, e);
}

const struct writer avro_writer = {
	.name = "avro", .label = "Avro",
	.bq = "--source_format=AVRO --use_avro_logical_types",
	.flags = WRITER_NEEDS_SCHEMA | WRITER_TAKES_AVRO,
	/* on the workers, around the run, on the writer thread */
	.encode = avro_w_encode, .encode_flat = avro_w_encode_flat,
	.seal = avro_w_seal,
	.enc_free = avro_w_enc_free,
	.setup = avro_w_setup, .release = avro_w_release,
	.begin = avro_w_begin, .flush = avro_w_flush, .end = avro_w_end,
};
