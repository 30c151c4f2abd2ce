/*
 * pq_plan.h: the Parquet plan of a schema (the node tree and its leaf
 * columns) and the shredded bytes that pass from the code that shreds
 * rows (shred.c) to the code that builds pages (parquet.c), both on the
 * workers.
 *
 * Each leaf column has a stream of its own, so that a column's pages
 * are built from bytes that lie together.  A row adds to each column's
 * stream:
 *
 *   the count of its entries, 4 bytes little-endian, if max_rep > 0
 *   (else exactly one entry), then each entry:
 *     the repetition level, one byte, if max_rep > 0
 *     the definition level, one byte, if max_def > 0
 *     if the definition level is max_def, the value:
 *       BYTE_ARRAY  4-byte little-endian length, then the bytes
 *       BOOLEAN     one byte, 0 or 1
 *       others      tlen bytes, PLAIN (little-endian, FLBA as is)
 *
 * A value's dictionary hash is made where the pages are built, and only
 * while the column's chunk still uses a dictionary.
 *
 * Levels fit a byte: a schema is at most PQ_MAX_DEPTH deep and every
 * level adds at most one of each.  The bytes never leave the process.
 */
#ifndef FK_SHAPE_PQ_PLAN_H
#define FK_SHAPE_PQ_PLAN_H

#include <stddef.h>

#include "parquet.h"

#define PQ_MAX_DEPTH 32		/* BigQuery allows 15 levels of RECORD */

struct pq_node {
	const struct schema_field *f;
	size_t idx;		/* in the tree, depth first (the root is 0) */
	char *path;		/* dotted, for messages */
	int def;		/* definition level of a present value */
	int rep;		/* REPEATED: repetition level of its elements */
	size_t col0, ncol;	/* the leaf columns under this node */
	struct pq_node *kids;	/* RECORD */
	size_t nkids;
};

struct pq_leaf {
	int ptype, tlen;	/* physical type; FLBA's length */
	int max_def, max_rep;
	int dict;		/* may use a dictionary */
	const char **path;	/* path_in_schema */
	size_t npath;
};

struct pq_plan {
	const struct schema *s;
	struct pq_node root;
	size_t nnodes;		/* root included */
	struct pq_leaf *cols;
	size_t ncols;
	int has_rep;		/* some column is repeated */
};

#endif
