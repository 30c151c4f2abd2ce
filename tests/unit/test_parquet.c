/*
 * test_parquet.c: unit tests for the Parquet writer's pieces (Thrift
 * compact encoder, RLE/bit-packed hybrid, base64, codecs, file framing).
 *
 * With arguments it is also a driver for the shell tests, so that the
 * writer can be checked by independent readers without fk-shape:
 *   test_parquet write SCHEMA.json [codec [row-group-bytes [page-bytes
 *       [nodict]]]] < canonical.ndjson > out.parquet
 * reads a `bq load` schema file and canonical rows (schema.h) and writes
 * them with pq_*.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "b64.h"
#include "t.h"
#include "shape/write/parquet/parquet.h"
#include "shape/write/parquet/pq_enc.h"
#include "shape/write/parquet/thrift.h"

/* --- helpers -------------------------------------------------------- */

static int
bytes_are(const struct fk_buf *b, const unsigned char *want, size_t n)
{
	return b->len == n && memcmp(b->p, want, n) == 0;
}

/* Decode an RLE/bit-packed hybrid of n values; -1 if malformed. */
static int
rle_decode(const unsigned char *p, size_t len, int bw, uint32_t *out,
    size_t n)
{
	size_t i = 0, got = 0, k, count;
	uint64_t h;
	int shift, nb = (bw + 7) / 8, j;
	uint32_t v;

	while (got < n) {
		h = 0;
		shift = 0;
		do {
			if (i >= len)
				return -1;
			h |= (uint64_t)(p[i] & 0x7f) << shift;
			shift += 7;
		} while (p[i++] & 0x80);
		if (h & 1) {
			count = (size_t)(h >> 1) * 8;
			for (k = 0; k < count; k++) {
				size_t bit = k * (size_t)bw;

				v = 0;
				for (j = 0; j < bw; j++) {
					size_t b = bit + (size_t)j;

					if (i + b / 8 >= len)
						return -1;
					v |= (uint32_t)((p[i + b / 8] >> (b % 8)) &
					    1) << j;
				}
				if (got < n)
					out[got++] = v;
			}
			i += count * (size_t)bw / 8;
		} else {
			count = (size_t)(h >> 1);
			v = 0;
			for (j = 0; j < nb; j++) {
				if (i >= len)
					return -1;
				v |= (uint32_t)p[i++] << (8 * j);
			}
			for (k = 0; k < count && got < n; k++)
				out[got++] = v;
			if (k < count)
				return -1;	/* run longer than the data */
		}
	}
	return i == len ? 0 : -1;
}

static int
rle_roundtrip(const uint32_t *v, size_t n, int bw)
{
	struct rle r;
	uint32_t *back = calloc(n + 1, sizeof(*back));
	size_t i;
	int ok;

	memset(&r, 0, sizeof(r));
	rle_reset(&r, bw);
	for (i = 0; i < n; i++)
		rle_put(&r, v[i]);
	ok = rle_finish(&r) == 0 &&
	    rle_decode((unsigned char *)r.out.p, r.out.len, bw, back, n) == 0 &&
	    memcmp(back, v, n * sizeof(*v)) == 0;
	rle_free(&r);
	free(back);
	return ok;
}

/* --- unit tests ----------------------------------------------------- */

static void
test_thrift(void)
{
	struct fk_buf b = { 0 };
	struct thrift t;
	static const unsigned char hdr[] = {
		0x15, 0x00,		/* 1: i32 0 */
		0x15, 0x84, 0x01,	/* 2: i32 66 */
		0x15, 0x83, 0x01,	/* 3: i32 -66 */
		0x2c,			/* 5: struct */
		0x15, 0x06,		/*   1: i32 3 */
		0x12,			/*   2: bool false */
		0x00,
		0x11,			/* 6: bool true */
		0x08, 0x2c,		/* 22 (delta 16: long form) */
		0x02, 'h', 'i',		/*   binary "hi" */
		0x00
	};
	static const unsigned char list[] = {
		0x19, 0x35, 0x00, 0x06, 0x10,	/* 1: list<i32> [0,3,8] */
		0x19, 0xf8, 0x0f,		/* 2: list<binary> of 15 */
	};

	thrift_init(&t, &b);
	thrift_begin(&t);
	thrift_i32(&t, 1, 0);
	thrift_i32(&t, 2, 66);
	thrift_i32(&t, 3, -66);
	thrift_struct(&t, 5);
	thrift_i32(&t, 1, 3);
	thrift_bool(&t, 2, 0);
	thrift_end(&t);
	thrift_bool(&t, 6, 1);
	thrift_str(&t, 22, "hi");
	thrift_end(&t);
	T_OK(!thrift_failed(&t) && bytes_are(&b, hdr, sizeof(hdr)),
	    "thrift: field deltas, long field ids, zigzag, bools, nesting");

	fk_buf_reset(&b);
	thrift_init(&t, &b);
	thrift_begin(&t);
	thrift_list(&t, 1, THRIFT_I32, 3);
	thrift_elem_i32(&t, 0);
	thrift_elem_i32(&t, 3);
	thrift_elem_i32(&t, 8);
	thrift_list(&t, 2, THRIFT_BINARY, 15);
	T_OK(bytes_are(&b, list, sizeof(list)),
	    "thrift: short and long list headers");

	fk_buf_reset(&b);
	thrift_init(&t, &b);
	thrift_i32(&t, 1, 1);
	T_OK(thrift_failed(&t), "thrift: a field outside a struct fails");
	fk_buf_free(&b);
}

static void
test_rle(void)
{
	static const uint32_t ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2 };
	uint32_t v[3000];
	struct rle r;
	size_t i;
	static const unsigned char run[] = { 0x14, 0x01 };	/* 10 x 1 */
	static const unsigned char packed[] = {
		0x03, 0x88, 0xc6, 0xfa		/* spec example 0..7, bw 3 */
	};

	memset(&r, 0, sizeof(r));
	rle_reset(&r, 1);
	for (i = 0; i < 10; i++)
		rle_put(&r, 1);
	T_OK(rle_finish(&r) == 0 && bytes_are(&r.out, run, sizeof(run)),
	    "rle: a run of 10 is one RLE run");
	rle_reset(&r, 3);
	for (i = 0; i < 8; i++)
		rle_put(&r, (uint32_t)i);
	T_OK(rle_finish(&r) == 0 &&
	    bytes_are(&r.out, packed, sizeof(packed)),
	    "rle: bit-packing matches the spec's example");
	rle_free(&r);

	T_OK(rle_roundtrip(ramp, 11, 3), "rle: a padded last group");
	for (i = 0; i < 3000; i++)
		v[i] = (i / 7) % 3 == 0 ? 2 : (uint32_t)(i * 7919 % 5);
	T_OK(rle_roundtrip(v, 3000, 3), "rle: runs and literals mixed");
	for (i = 0; i < 3000; i++)
		v[i] = (uint32_t)(i * 2654435761u % 100000);
	T_OK(rle_roundtrip(v, 3000, 17), "rle: literals over many runs");
	for (i = 0; i < 3000; i++)
		v[i] = i % 13 < 9 ? 0 : 1;
	T_OK(rle_roundtrip(v, 3000, 1), "rle: runs of 9 after odd literals");
	for (i = 0; i < 3000; i++)
		v[i] = i < 1500 ? 7 : 4000000000u;
	T_OK(rle_roundtrip(v, 3000, 32), "rle: 32-bit values");
	T_OK(rle_roundtrip(v, 1, 32), "rle: a single value");

	T_OK(rle_bit_width(0) == 0 && rle_bit_width(1) == 1 &&
	    rle_bit_width(2) == 2 && rle_bit_width(255) == 8 &&
	    rle_bit_width(256) == 9, "rle: bit widths");
}

static void
test_base64(void)
{
	struct fk_buf b = { 0 };
	int oom;

	T_OK(fk_b64_decode_buf("aGVsbG8=", 8, &b, &oom) == 0 &&
	    b.len == 5 && memcmp(b.p, "hello", 5) == 0, "base64: padded");
	fk_buf_reset(&b);
	T_OK(fk_b64_decode_buf("AP8=", 4, &b, &oom) == 0 && b.len == 2 &&
	    (unsigned char)b.p[0] == 0 && (unsigned char)b.p[1] == 0xff,
	    "base64: binary bytes");
	fk_buf_reset(&b);
	T_OK(fk_b64_decode_buf("", 0, &b, &oom) == 0 && b.len == 0,
	    "base64: empty");
	T_OK(fk_b64_decode_buf("a", 1, &b, &oom) == -1 && !oom,
	    "base64: a lone character is rejected");
	T_OK(fk_b64_decode_buf("aGk*", 4, &b, &oom) == -1,
	    "base64: a character outside the alphabet is rejected");
	T_OK(fk_b64_decode_buf("aG=k", 4, &b, &oom) == -1,
	    "base64: data after padding is rejected");
	fk_buf_free(&b);
}

static void
test_codecs(void)
{
	static const char *const names[] = { "snappy", "zstd", "gzip", "none" };
	static const int ids[] = { 1, 6, 2, 0 };
	char in[4096];
	struct pqz z;
	struct fk_err e;
	size_t i;

	memset(in, 'x', sizeof(in));
	for (i = 0; i < 4; i++) {
		T_OK(pqz_init(&z, names[i], &e) == 0 && z.codec == ids[i] &&
		    pqz_run(&z, in, sizeof(in), &e) == 0 &&
		    z.len > 0 && z.len <= sizeof(in),
		    "codec %s compresses", names[i]);
		if (i == 2)
			T_OK(z.p[0] == 0x1f && z.p[1] == 0x8b,
			    "codec gzip has gzip framing");
		pqz_free(&z);
	}
	T_OK(pqz_init(&z, "lzo", &e) == -1 && e.code == FK_EX_USAGE &&
	    strstr(e.msg, "'lzo'") != NULL, "codec: unknown name is a usage "
	    "error naming it");
}

static unsigned char *
write_mem(const struct schema *s, const char *rows[], size_t n,
    size_t *len, struct fk_err *e)
{
	struct pq *w;
	char *p = NULL;
	FILE *f = open_memstream(&p, len);
	size_t i;
	int rc = -1;

	w = pq_open(f, s, NULL, e);
	if (w == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (pq_write(w, jv_parse(rows[i]), e) == -1) {
			pq_abort(w);
			goto out;
		}
	rc = pq_close(w, e);
out:
	fclose(f);
	if (rc == -1) {
		free(p);
		return NULL;
	}
	return (unsigned char *)p;
}

static void
test_file(void)
{
	struct schema_field f[] = {
		{ .name = "id", .type = SCHEMA_INTEGER,
		    .mode = SCHEMA_REQUIRED },
		{ .name = "name", .type = SCHEMA_STRING,
		    .mode = SCHEMA_NULLABLE },
	};
	struct schema s = { .fields = f, .nfields = 2 };
	struct schema none = { .fields = NULL, .nfields = 0 };
	const char *rows[] = {
		"{\"id\":1,\"name\":\"a\"}", "{\"id\":2,\"name\":null}",
	};
	const char *bad[] = { "{\"id\":null,\"name\":\"a\"}" };
	const char *badtype[] = { "{\"id\":\"x1\",\"name\":\"a\"}" };
	struct fk_err e;
	unsigned char *p;
	size_t len = 0;
	uint32_t flen;

	p = write_mem(&s, rows, 2, &len, &e);
	T_OK(p != NULL && len > 12 && memcmp(p, "PAR1", 4) == 0 &&
	    memcmp(p + len - 4, "PAR1", 4) == 0, "file: magic at both ends");
	if (p != NULL) {
		flen = (uint32_t)p[len - 8] | (uint32_t)p[len - 7] << 8 |
		    (uint32_t)p[len - 6] << 16 | (uint32_t)p[len - 5] << 24;
		T_OK(flen > 0 && flen < len - 12, "file: footer length fits");
	}
	free(p);
	p = write_mem(&s, rows, 0, &len, &e);
	T_OK(p != NULL && memcmp(p + len - 4, "PAR1", 4) == 0,
	    "file: zero rows still make a file");
	free(p);
	p = write_mem(&s, bad, 1, &len, &e);
	T_OK(p == NULL && e.code == FK_EX_DATAERR &&
	    strstr(e.msg, "'id'") != NULL, "file: null REQUIRED is DATAERR "
	    "naming the field (%s)", e.msg);
	p = write_mem(&s, badtype, 1, &len, &e);
	T_OK(p == NULL && e.code == FK_EX_DATAERR &&
	    strstr(e.msg, "INTEGER") != NULL, "file: wrong type is DATAERR "
	    "(%s)", e.msg);
	p = write_mem(&none, rows, 0, &len, &e);
	T_OK(p == NULL && e.code == FK_EX_DATAERR,
	    "file: an empty schema is refused (%s)", e.msg);
}

/* --- driver --------------------------------------------------------- */

static const char *const tnames[] = {
	"STRING", "BYTES", "INTEGER", "FLOAT", "NUMERIC", "BOOLEAN", "DATE",
	"TIME", "DATETIME", "TIMESTAMP", "JSON", "RECORD"
};

static int
parse_fields(jv a, struct schema_field **out, size_t *n)
{
	struct schema_field *f;
	const char *t, *m;
	int i, k, len = jv_array_length(jv_copy(a));
	jv o, sub;

	f = calloc((size_t)len + 1, sizeof(*f));
	*out = f;
	*n = (size_t)len;
	for (i = 0; i < len; i++) {
		o = jv_array_get(jv_copy(a), i);
		f[i].name = strdup(fk_json_str(o, "name"));
		t = fk_json_str(o, "type");
		m = fk_json_str(o, "mode");
		for (k = 0; k < 12; k++)
			if (strcmp(t, tnames[k]) == 0)
				f[i].type = (enum schema_type)k;
		if (strcmp(t, "INT64") == 0)
			f[i].type = SCHEMA_INTEGER;
		if (strcmp(t, "FLOAT64") == 0)
			f[i].type = SCHEMA_FLOAT;
		if (strcmp(t, "BOOL") == 0)
			f[i].type = SCHEMA_BOOLEAN;
		if (strcmp(t, "STRUCT") == 0)
			f[i].type = SCHEMA_RECORD;
		f[i].mode = m == NULL || strcmp(m, "NULLABLE") == 0 ?
		    SCHEMA_NULLABLE : strcmp(m, "REQUIRED") == 0 ?
		    SCHEMA_REQUIRED : SCHEMA_REPEATED;
		sub = jv_object_get(jv_copy(o), jv_string("fields"));
		if (jv_get_kind(sub) == JV_KIND_ARRAY)
			parse_fields(sub, &f[i].fields, &f[i].nfields);
		else
			jv_free(sub);
		jv_free(o);
	}
	jv_free(a);
	return 0;
}

static void
free_fields(struct schema_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].name);
		free_fields(f[i].fields, f[i].nfields);
	}
	free(f);
}

static int
drive(int argc, char **argv)
{
	struct pq_opts o = { 0 };
	struct schema s;
	struct pq *w;
	struct fk_err e;
	jv_parser *p = NULL;
	char buf[65536];
	size_t n;
	FILE *f;
	jv v;

	f = fopen(argv[2], "r");
	if (f == NULL)
		return 66;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	parse_fields(jv_parse(buf), &s.fields, &s.nfields);
	o.codec = argc > 3 ? argv[3] : NULL;
	o.row_group_bytes = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
	o.page_bytes = argc > 5 ? strtoul(argv[5], NULL, 10) : 0;
	o.no_dict = argc > 6 && strcmp(argv[6], "nodict") == 0;
	w = pq_open(stdout, &s, &o, &e);
	if (w == NULL)
		goto fail;
	p = jv_parser_new(0);
	for (;;) {
		n = fread(buf, 1, sizeof(buf), stdin);
		jv_parser_set_buf(p, buf, (int)n, n > 0);
		while (jv_is_valid(v = jv_parser_next(p)))
			if (pq_write(w, v, &e) == -1) {
				pq_abort(w);
				goto fail;
			}
		jv_free(v);
		if (n == 0)
			break;
	}
	jv_parser_free(p);
	p = NULL;
	if (pq_close(w, &e) == -1)
		goto fail;
	free_fields(s.fields, s.nfields);
	return fclose(stdout) == 0 ? 0 : 74;
fail:
	if (p != NULL)
		jv_parser_free(p);
	free_fields(s.fields, s.nfields);
	fprintf(stderr, "test_parquet: %s\n", e.msg);
	return e.code;
}

int
main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "write") == 0)
		return drive(argc, argv);
	test_thrift();
	test_rle();
	test_base64();
	test_codecs();
	test_file();
	T_DONE();
}
