/*
 * b64.h: base64 decoding (RFC 4648, standard alphabet), shared by
 * gcs-put (PEM keys) and fk-shape (canonical BYTES for Avro and Parquet).
 * No dependencies beyond buf.h.
 */
#ifndef FK_B64_H
#define FK_B64_H

#include <stddef.h>

#include "buf.h"

/*
 * Decode n characters of src into out, which must hold n / 4 * 3 + 3
 * bytes.  Whitespace is skipped (PEM wraps lines); padding is optional,
 * but when present it must complete the last quantum and nothing but
 * whitespace may follow it.  Returns the byte count, or -1 if src is not
 * base64.
 */
long fk_b64_decode(const char *src, size_t n, unsigned char *out);

/*
 * The same, appending the bytes to b.  -1 if src is not base64 or memory
 * ran out (*oom is then set).
 */
int fk_b64_decode_buf(const char *src, size_t n, struct fk_buf *b, int *oom);

#endif
