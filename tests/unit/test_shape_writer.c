/*
 * test_shape_writer.c: the writer table (cmd/shape/write/writer.c) and
 * each format behind it: names, options, a batch cut at a bad record,
 * a row Avro refuses, and the `bq load` flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "t.h"
#include "shape/check/schema.h"
#include "shape/write/writer.h"

static const char schema[] =
    "[{\"name\":\"id\",\"type\":\"INTEGER\"},"
    "{\"name\":\"name\",\"type\":\"STRING\"}]";

static jv
canon(const struct schema *s, const char *json)
{
	struct schema_cerr ce;
	jv in = jv_parse(json), out;

	if (schema_coerce(s, in, 0, NULL, &out, &ce) == -1)
		out = jv_invalid();
	jv_free(in);
	return out;
}

/* Which format options the format called name takes. */
static unsigned
takes(const char *name)
{
	return writer_find(name)->flags &
	    (WRITER_TAKES_AVRO | WRITER_TAKES_PARQUET);
}

static void
test_find(void)
{
	static const char *names[] = { "ndjson", "json", "csv", "avro",
	    "parquet" };
	const struct writer *w;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		w = writer_find(names[i]);
		T_OK(w != NULL && w->encode != NULL && w->bq != NULL,
		    "%s: an encoder and its bq load flags", names[i]);
	}
	T_OK(writer_find("json") == writer_find("ndjson"),
	    "json is ndjson");
	T_OK(writer_find("orc") == NULL, "orc: no such format");
	T_OK(writer_find("CSV") == NULL, "names are exact");
	T_OK(takes("avro") == WRITER_TAKES_AVRO, "avro options");
	T_OK(takes("parquet") == WRITER_TAKES_PARQUET, "parquet options");
	T_OK(takes("csv") == 0 && takes("ndjson") == 0,
	    "csv, ndjson: no options of their own");
	T_OK((writer_find("avro")->flags & WRITER_NEEDS_SCHEMA) &&
	    (writer_find("parquet")->flags & WRITER_NEEDS_SCHEMA) &&
	    !(writer_find("ndjson")->flags & WRITER_NEEDS_SCHEMA),
	    "binary files need a schema even with no rows");
}

/* Encode rows, then write only the first n, as the pipeline does at a cut.
 * Coerce and encode both borrow their row: each jv is freed here. */
static char *
run_format(const char *name, const struct schema *s, const char **rows,
    size_t nrows, size_t n, size_t *len)
{
	const struct writer *w = writer_find(name);
	struct writer_opts o = { "null", 1 << 20, { "none", 0, 0, 0 } };
	struct wbatch wb = { 0 };
	struct fk_err e;
	void *run, *enc = NULL;
	char *buf = NULL;
	FILE *f;
	size_t i;
	int ok = 1;

	f = open_memstream(&buf, len);
	run = writer_setup(w, s, &o, &e);
	if (f == NULL || run == NULL)
		return NULL;
	for (i = 0; i < nrows; i++) {
		jv row = canon(s, rows[i]);

		ok &= w->encode(run, &enc, row, &wb, &e) == 0;
		jv_free(row);
	}
	ok &= wb.n == nrows;
	/* As a worker ends its batch: Parquet's pages take the n rows. */
	writer_seal(w, run, enc, &wb);
	ok &= writer_admit(w, run, &enc, &wb, n, 1, &e) == 0;
	ok &= writer_build(w, run, enc, &e) == 0;
	ok &= writer_begin(w, run, f, &e) == 0;
	ok &= writer_flush(w, run, f, &wb, n, &e) == 0;
	ok &= writer_end(w, run, f, &e) == 0;
	writer_enc_free(w, enc);
	writer_release(w, run);
	wbatch_free(&wb);
	fclose(f);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
test_cut(const struct schema *s)
{
	const char *rows[] = { "{\"id\":1,\"name\":\"a\"}",
	    "{\"id\":2,\"name\":\"b,c\"}", "{\"id\":3,\"name\":\"d\"}" };
	const char *nd = "{\"id\":1,\"name\":\"a\"}\n"
	    "{\"id\":2,\"name\":\"b,c\"}\n";
	const char *csv = "id,name\r\n1,a\r\n2,\"b,c\"\r\n";
	size_t len;
	char *out;

	out = run_format("ndjson", s, rows, 3, 2, &len);
	T_OK(out != NULL && len == strlen(nd) && memcmp(out, nd, len) == 0,
	    "ndjson: two rows of three, whole");
	free(out);
	out = run_format("csv", s, rows, 3, 2, &len);
	T_OK(out != NULL && len == strlen(csv) && memcmp(out, csv, len) == 0,
	    "csv: header and two rows of three");
	free(out);
	out = run_format("csv", s, rows, 3, 0, &len);
	T_OK(out != NULL && len == 9 && memcmp(out, "id,name\r\n", 9) == 0,
	    "csv: a cut before the first row still has the header");
	free(out);
	out = run_format("avro", s, rows, 3, 1, &len);
	T_OK(out != NULL && len > 4 && memcmp(out, "Obj\1", 4) == 0 &&
	    memmem(out, len, "\2\2a", 3) != NULL &&
	    memmem(out, len, "b,c", 3) == NULL,
	    "avro: a container holding the first row only");
	free(out);
	out = run_format("parquet", s, rows, 3, 2, &len);
	T_OK(out != NULL && len > 8 && memcmp(out, "PAR1", 4) == 0 &&
	    memcmp(out + len - 4, "PAR1", 4) == 0 &&
	    memmem(out, len, "b,c", 3) != NULL &&
	    memmem(out, len, "\1\0\0\0d", 5) == NULL,
	    "parquet: a file holding the first two rows");
	free(out);
}

static void
test_avro_refuses(const struct schema *s)
{
	const struct writer *w = writer_find("avro");
	struct writer_opts o = { "null", 1 << 20, { NULL, 0, 0, 0 } };
	struct wbatch wb = { 0 };
	struct fk_err e;
	void *run, *enc = NULL;
	size_t big = 15 * 1024 * 1024 + 1;
	char *str = malloc(big + 1);
	int rc;
	jv small, row;

	memset(str, 'x', big);
	str[big] = '\0';
	row = JV_OBJECT(jv_string("id"), jv_number(1), jv_string("name"),
	    jv_string(str));
	small = canon(s, "{\"id\":7,\"name\":\"ok\"}");
	run = writer_setup(w, s, &o, &e);
	rc = w->encode(run, &enc, small, &wb, &e);
	jv_free(small);
	T_OK(rc == 0 && wb.n == 1, "avro: a small row goes in");
	rc = w->encode(run, &enc, row, &wb, &e);
	T_OK(rc == 1 && wb.n == 1 && wb.out.len == wb.end[0] &&
	    strstr(e.msg, "16 MB") != NULL,
	    "avro: a row over 15 MiB is refused, nothing added: %s", e.msg);
	jv_free(row);
	writer_enc_free(w, enc);
	writer_release(w, run);
	wbatch_free(&wb);
	free(str);
}

static void
test_flags(void)
{
	char buf[256];

	writer_bq_flags(writer_find("csv"), buf, sizeof(buf), "s.json", 1);
	T_STREQ(buf, "--source_format=CSV --skip_leading_rows=1 "
	    "--allow_quoted_newlines --schema=s.json", "csv flags");
	writer_bq_flags(writer_find("csv"), buf, sizeof(buf), "s.json", 0);
	T_STREQ(buf, "--source_format=CSV --skip_leading_rows=1 "
	    "--schema=s.json", "csv flags, no line breaks");
	writer_bq_flags(writer_find("ndjson"), buf, sizeof(buf), "s.json", 0);
	T_STREQ(buf, "--source_format=NEWLINE_DELIMITED_JSON "
	    "--schema=s.json", "ndjson flags");
	writer_bq_flags(writer_find("avro"), buf, sizeof(buf), "s.json", 0);
	T_STREQ(buf, "--source_format=AVRO --use_avro_logical_types",
	    "avro flags");
	writer_bq_flags(writer_find("parquet"), buf, sizeof(buf), "s.json", 0);
	T_STREQ(buf, "--source_format=PARQUET "
	    "--parquet_enable_list_inference", "parquet flags");
}

int
main(void)
{
	struct schema s;
	struct fk_err e;

	test_find();
	test_flags();
	T_OK(schema_parse(jv_parse(schema), &s, &e) == 0, "schema");
	test_cut(&s);
	test_avro_refuses(&s);
	schema_free(&s);
	T_DONE();
}
