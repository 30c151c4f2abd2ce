/*
 * b64.h: base64 (RFC 4648), shared by gcs-put (PEM keys, JWTs, the
 * object's hashes) and fk-shape (canonical BYTES for Avro and Parquet).
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

/* The two alphabets of RFC 4648: section 4 padded, section 5 unpadded. */
enum { FK_B64_STD, FK_B64_URL };

/*
 * Encode n bytes of src into dst, which must hold 4 * ((n + 2) / 3) + 1
 * characters: FK_B64_STD with '=' padding, or FK_B64_URL ('-' and '_')
 * without, as JWTs are written.  dst is NUL-terminated; returns its
 * length.
 */
size_t fk_b64_encode(const void *src, size_t n, char *dst, int alphabet);

#endif
