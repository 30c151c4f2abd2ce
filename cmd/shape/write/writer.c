/*
 * writer.c: the table of output formats (see writer.h).
 */
#include <stdio.h>
#include <string.h>

#include "shape/write/writer.h"

static void
ndjson_flags(char *buf, size_t n, const char *schema, int newlines)
{
	(void)newlines;
	snprintf(buf, n, "--source_format=NEWLINE_DELIMITED_JSON --schema=%s",
	    schema);
}

static void
csv_flags(char *buf, size_t n, const char *schema, int newlines)
{
	snprintf(buf, n, "--source_format=CSV --skip_leading_rows=1%s "
	    "--schema=%s", newlines ? " --allow_quoted_newlines" : "", schema);
}

static void
avro_flags(char *buf, size_t n, const char *schema, int newlines)
{
	(void)schema;
	(void)newlines;
	snprintf(buf, n, "--source_format=AVRO --use_avro_logical_types");
}

static void
parquet_flags(char *buf, size_t n, const char *schema, int newlines)
{
	(void)schema;
	(void)newlines;
	snprintf(buf, n, "--source_format=PARQUET "
	    "--parquet_enable_list_inference");
}

static const struct fk_writer writers[] = {
	{ "ndjson", FK_FMT_NDJSON, ndjson_flags },
	{ "json", FK_FMT_NDJSON, ndjson_flags },
	{ "csv", FK_FMT_CSV, csv_flags },
	{ "avro", FK_FMT_AVRO, avro_flags },
	{ "parquet", FK_FMT_ROWS, parquet_flags },
};

const struct fk_writer *
fk_writer_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(name, writers[i].name) == 0)
			return &writers[i];
	return NULL;
}

static int
pq_open(void *ctx, const struct fk_schema *s, FILE *out, struct fk_err *e)
{
	struct fk_pq_sink_ctx *q = ctx;

	q->w = fk_pq_open(out, s, &q->o, e);
	q->opened = q->w != NULL;
	return q->w == NULL ? -1 : 0;
}

static int
pq_write(void *ctx, jv row, struct fk_err *e)
{
	return fk_pq_write(((struct fk_pq_sink_ctx *)ctx)->w, row, e);
}

static int
pq_close(void *ctx, struct fk_err *e)
{
	struct fk_pq_sink_ctx *q = ctx;
	int rc = fk_pq_close(q->w, e);

	q->w = NULL;
	return rc;
}

static void
pq_abort(void *ctx)
{
	struct fk_pq_sink_ctx *q = ctx;

	fk_pq_abort(q->w);
	q->w = NULL;
}

struct fk_rowsink *
fk_pq_rowsink(struct fk_pq_sink_ctx *q)
{
	q->sink = (struct fk_rowsink){ q, pq_open, pq_write, pq_close,
	    pq_abort };
	return &q->sink;
}
