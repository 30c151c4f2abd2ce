/*
 * fuzz_shape.c: libFuzzer target over fk-shape's record path: scan the
 * input into JSON values, parse each with libjq, infer a schema from the
 * first object, coerce every value against it and against a schema with
 * every type, and encode the canonical rows as NDJSON, CSV, Avro and
 * Parquet.
 *
 *   tests/fuzz/run.sh SECONDS    build with clang and run for a while
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <jv.h>

#include "buf.h"
#include "scan.h"
#include "shape/check/infer.h"
#include "shape/check/pii.h"
#include "shape/check/schema.h"
#include "shape/write/avro.h"
#include "shape/write/parquet/parquet.h"
#include "shape/write/csv.h"
#include "shape/write/ndjson.h"

static const char all_types[] =
    "[{\"name\":\"s\",\"type\":\"STRING\"},{\"name\":\"b\",\"type\":\"BYTES\"},"
    "{\"name\":\"i\",\"type\":\"INTEGER\"},{\"name\":\"f\",\"type\":\"FLOAT\"},"
    "{\"name\":\"n\",\"type\":\"NUMERIC\"},{\"name\":\"ok\",\"type\":\"BOOL\"},"
    "{\"name\":\"d\",\"type\":\"DATE\"},{\"name\":\"t\",\"type\":\"TIME\"},"
    "{\"name\":\"dt\",\"type\":\"DATETIME\"},{\"name\":\"ts\",\"type\":"
    "\"TIMESTAMP\"},{\"name\":\"j\",\"type\":\"JSON\"},{\"name\":\"r\","
    "\"type\":\"INTEGER\",\"mode\":\"REPEATED\"},{\"name\":\"o\",\"type\":"
    "\"RECORD\",\"fields\":[{\"name\":\"x\",\"type\":\"TIMESTAMP\"},"
    "{\"name\":\"y\",\"type\":\"NUMERIC\",\"mode\":\"REPEATED\"}]}]";

static struct schema fixed;
static char *fixed_avro;
static struct pii *pii;

/*
 * A one-row Parquet file in memory.  A schema Parquet cannot hold (a
 * RECORD without fields) may be refused; a canonical row never.
 */
static void
encode_parquet(const struct schema *s, jv canon)
{
	struct pq *w;
	struct fk_err e;
	char *p = NULL;
	size_t n = 0;
	FILE *f;

	f = open_memstream(&p, &n);
	if (f == NULL)
		abort();
	w = pq_open(f, s, NULL, &e);
	if (w != NULL && (pq_write(w, jv_copy(canon), &e) == -1 ||
	    pq_close(w, &e) == -1))
		abort();
	fclose(f);
	free(p);
}

/* Every encoder on one canonical row of s; they must not fail. */
static void
encode_all(const struct schema *s, const char *avro_schema, jv canon)
{
	struct fk_buf b = { 0 }, tmp = { 0 };
	struct avro_enc *x;
	struct csv *csv;
	struct fk_err e;
	int nl = 0;

	if (ndjson_row(s, canon, &b) == -1)
		abort();
	csv = csv_new(s, &e);
	if (csv != NULL) {
		if (csv_header(csv, &b) == -1 ||
		    csv_row(csv, canon, &b, &tmp, &nl) == -1)
			abort();
		csv_free(csv);
	}
	if (avro_schema != NULL) {
		x = avro_enc_new(avro_schema, &e);
		if (x == NULL || avro_enc_row(x, s, canon, &b, &e) == -1)
			abort();
		avro_enc_free(x);
	}
	encode_parquet(s, canon);
	fk_buf_free(&b);
	fk_buf_free(&tmp);
}

static void
one(jv v, struct schema *inferred, int *have, char **avro_text)
{
	struct pii_state *st;
	struct schema_cerr ce;
	struct fk_err e;
	jv canon;

	st = pii_state_new(pii, &e);
	if (st != NULL && pii_apply(st, jv_copy(v), &canon, &ce) == 0)
		jv_free(canon);
	else if (st != NULL)
		jv_free(canon);
	pii_state_free(st);
	if (!*have && infer_one(v, inferred, &ce) == 0) {
		*have = 1;
		*avro_text = avro_schema_json(inferred, &e);
	}
	if (*have && schema_coerce(inferred, v, SCHEMA_CO_THREAD_KEYS, NULL,
	    &canon, &ce) == 0) {
		encode_all(inferred, *avro_text, canon);
		jv_free(canon);
	}
	if (schema_coerce(&fixed, v, SCHEMA_CO_DROP_UNKNOWN, NULL, &canon,
	    &ce) == 0) {
		encode_all(&fixed, fixed_avro, canon);
		jv_free(canon);
	}
	jv_free(v);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fk_err e;

	(void)argc;
	(void)argv;
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	if (schema_parse(jv_parse(all_types), &fixed, &e) == -1)
		abort();
	fixed_avro = avro_schema_json(&fixed, &e);
	pii = pii_new();
	pii_add(pii, PII_DROP, "a.b", &e);
	pii_add(pii, PII_MASK_IP, "ip,o.x", &e);
	pii_add(pii, PII_HASH, "s,r", &e);
	pii_set_key(pii, "fuzz", 4, &e);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema inferred;
	struct fk_scan sc;
	const char *buf = (const char *)data;
	char *avro_text = NULL;
	size_t pos = 0;
	int have = 0, r, n = 0;
	jv v;

	memset(&inferred, 0, sizeof(inferred));
	fk_scan_init(&sc);
	while (n++ < 64) {
		r = fk_scan_next(&sc, buf, size, &pos);
		if (r == FK_SCAN_MORE)
			r = fk_scan_eof(&sc);
		if (r != FK_SCAN_VALUE)
			break;
		/* What the scanner accepts, jq 1.6 must parse. */
		v = jv_parse_sized(buf + sc.start, (int)((r == FK_SCAN_VALUE &&
		    pos > sc.start ? pos : size) - sc.start));
		if (!jv_is_valid(v))
			abort();
		one(v, &inferred, &have, &avro_text);
		if (pos >= size)
			break;
	}
	if (have)
		schema_free(&inferred);
	free(avro_text);
	schema_thread_done();
	return 0;
}
