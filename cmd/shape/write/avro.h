/*
 * avro.h: Avro object container files through libavro (avro-c).
 *
 * Workers turn canonical rows into Avro binary datums with libavro
 * (avro_enc_*) and frame their batch's blocks (deflate/snappy/null, sync
 * markers); the single writer thread writes them, in order, after the
 * header, all in avro.c.
 *
 * The BigQuery schema maps to Avro as
 *   STRING string, BYTES bytes, INTEGER long, FLOAT double,
 *   NUMERIC bytes decimal(38, 9), BOOLEAN boolean, DATE int date,
 *   TIME long time-micros, DATETIME long local-timestamp-micros,
 *   TIMESTAMP long timestamp-micros, JSON string with sqlType JSON,
 *   RECORD record; NULLABLE ["null", T], REPEATED array of T.
 * avro-c 1.11 has no logical types and its file writer drops their
 * attributes from the header (and deflates at level 9), so avro.c writes
 * the header with the full schema text and compresses blocks itself.
 */
#ifndef FK_SHAPE_AVRO_H
#define FK_SHAPE_AVRO_H

#include <stddef.h>
#include <stdio.h>

#include <jv.h>

#include "buf.h"
#include "fk.h"
#include "shape/check/schema.h"

/* Exported for tests/fuzz only; fk-shape goes through avro_writer. */
/* The Avro schema text for s (malloc'ed), logical types included. */
char *avro_schema_json(const struct schema *s, struct fk_err *e);

struct avro_enc;

/* An encoder for one thread; schema is avro_schema_json's text. */
struct avro_enc *avro_enc_new(const char *schema, struct fk_err *e);
/* Takes a struct avro_enc; void * so it is the writer's enc_free as it is. */
void avro_enc_free(void *enc);

/*
 * Append the Avro binary encoding of one canonical row (borrowed) of s to
 * out.  -1 with e (DATAERR) if the row is not canonical.
 */
int avro_enc_row(struct avro_enc *x, const struct schema *s,
    jv row, struct fk_buf *out, struct fk_err *e);

#endif
