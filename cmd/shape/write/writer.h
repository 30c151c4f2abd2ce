/*
 * writer.h: the table of output formats.  fk-shape looks the -o name up
 * once; what a format needs beyond the pipeline's own encoders (its
 * `bq load` flags, the Parquet row sink) comes from its entry.
 */
#ifndef FK_SHAPE_WRITER_H
#define FK_SHAPE_WRITER_H

#include <stddef.h>

#include "shape/pipe.h"
#include "shape/write/parquet/parquet.h"

struct fk_writer {
	const char *name;
	enum fk_format format;
	/*
	 * The `bq load` flags for a file of this format: schema is the
	 * --emit-schema file, newlines whether a CSV field held a line break.
	 */
	void (*bq_flags)(char *buf, size_t n, const char *schema, int newlines);
};

/* The format called name ("ndjson", "json", "csv", "avro", "parquet"). */
const struct fk_writer *fk_writer_find(const char *name);

/* -o parquet: the Parquet writer behind the pipeline's row sink. */
struct fk_pq_sink_ctx {
	struct fk_pq_opts o;
	struct fk_pq *w;
	int opened;
	struct fk_rowsink sink;
};

/* Point ctx->sink at ctx; set ctx->o first. */
struct fk_rowsink *fk_pq_rowsink(struct fk_pq_sink_ctx *ctx);

#endif
