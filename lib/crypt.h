/*
 * crypt.h: starting libgcrypt, shared by fk-shape (HMAC for --hash) and
 * gcs-put (hashes, RSA).  Only a tool that calls it links libgcrypt.
 */
#ifndef FK_CRYPT_H
#define FK_CRYPT_H

#include <stddef.h>

#include "fk.h"

/*
 * Check the library's version and finish its initialisation, once,
 * before threads.  secmem: bytes of locked memory for keys, or 0 for
 * none.  0, or -1 with e filled.
 */
int fk_crypt_init(size_t secmem, struct fk_err *e);

#endif
