/*
 * object.h: what gcs-put knows about Cloud Storage objects without
 * talking to the service: gs:// operands, the naming rules, content
 * types guessed from names, the object resource JSON sent at creation,
 * and the check of the resource the service returns.
 */
#ifndef GCS_OBJECT_H
#define GCS_OBJECT_H

#include <stddef.h>

#include <jv.h>

#include "digest.h"
#include "fk.h"

/* Object fields fixed at creation (all optional; NULL when unset). */
struct gcs_meta {
	const char *content_type;
	const char *content_encoding;
	const char *cache_control;
	const char *storage_class;
	const char *const *kv;	/* custom metadata as "key=value" */
	int nkv;
};

/* Nonzero if s[0..n) is well-formed UTF-8 (no overlongs, surrogates). */
int gcs_utf8_valid(const char *s, size_t n);

/* Printable ASCII only: for values that end up in HTTP headers. */
int gcs_header_safe(const char *s);

/*
 * Add arg, a custom metadata "key=value" (valid UTF-8, each key once),
 * to kv[*nkv] (at most max entries; arg is kept, not copied).  0, or -1
 * with e saying what is wrong with it.
 */
int gcs_meta_add(const char **kv, int *nkv, int max, const char *arg,
    struct fk_err *e);

/*
 * A storage class (letters and '_') in upper case into out, of n bytes.
 * 0, or -1 with e filled.
 */
int gcs_storage_class(const char *s, char *out, size_t n, struct fk_err *e);

/*
 * Split "gs://BUCKET/OBJECT" into malloc'ed *bucket and *name, checking
 * both.  -1 with e filled (FK_EX_USAGE) otherwise.
 */
int gcs_parse_uri(const char *uri, char **bucket, char **name,
    struct fk_err *e);

/* The bucket naming rules; -1 with a reason (FK_EX_USAGE). */
int gcs_check_bucket(const char *b, struct fk_err *e);

/*
 * The object naming rules: valid UTF-8, 1 to 1024 bytes, no CR or LF,
 * not "." or "..", not under .well-known/acme-challenge/.  -1 with a
 * reason (FK_EX_USAGE).
 */
int gcs_check_name(const char *name, struct fk_err *e);

/*
 * The content type for an object name: .avro, .json, .ndjson/.jsonl,
 * .csv, .parquet, .gz, else application/octet-stream.  With gzip (the
 * bytes are compressed on the way and stored with contentEncoding gzip)
 * a trailing ".gz" is skipped, since the type describes the content.
 */
const char *gcs_guess_type(const char *name, int gzip);

/*
 * The object resource JSON for an upload (consumed by nothing; the
 * caller frees the result): name, the fields of m, and, when sums is
 * not NULL, crc32c and md5Hash so the service verifies the bytes.
 */
jv gcs_resource(const char *name, const struct gcs_meta *m,
    const struct gcs_sums *sums);

/* The CRC32C of no bytes, as the JSON API spells it. */
#define GCS_CRC32C_ZERO "AAAAAA=="

/*
 * Borrows obj (a returned object resource): compare its size, crc32c
 * and md5Hash with what was sent.  A missing md5Hash is accepted
 * (composite objects have none).  A missing size or crc32c is 0 (the
 * proto3 JSON way: zero-valued fields are left out), so an empty object
 * without them is good.  -1 with e filled (FK_EX_DATAERR) on any
 * difference.
 */
int gcs_verify(jv obj, const struct gcs_sums *sent, struct fk_err *e);

/*
 * Consumes obj: the same resource with an absent size or crc32c spelled
 * out as 0 ("0", "AAAAAA=="), so that what gcs-put prints always has
 * them.  Only those two: they are the ones gcs-put checks and prints.
 */
jv gcs_proto3_defaults(jv obj);

/*
 * Consumes obj: the fields printed on stdout (bucket, name, generation,
 * size, crc32c, md5Hash, contentType, contentEncoding when set,
 * metadata), in that order.
 */
jv gcs_summary(jv obj);

/*
 * Copy url into out with the value of upload_id shortened to its first
 * 6 characters and "...": a session URI is a bearer capability and
 * must not reach logs whole.
 */
void gcs_redact(const char *url, char *out, size_t outlen);

#endif
