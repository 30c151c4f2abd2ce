/*
 * check.h: is a response body a whole, valid FakerAPI page?
 *
 * The envelope is {"status":"OK","code":200,"total":N,"data":[...]}, and
 * v2 adds "locale" and "seed" (tolerated, never required).  A page is
 * valid when it is one JSON object, status is "OK", code is 200, data is
 * an array of N objects, total is N, N is the quantity asked for, and a
 * non-null echoed seed is the seed sent.  Nothing of a page is written
 * before it passes.
 */
#ifndef FETCH_CHECK_H
#define FETCH_CHECK_H

#include <stdint.h>
#include <jv.h>

#include "fk.h"

/*
 * Check body (len bytes) of a request that asked `quantity` records with
 * `seed` (0: unseeded).  Returns 0 with *env holding the parsed envelope
 * (the caller frees it), or -1 with e filled: code FK_EX_DATAERR and a
 * one-line reason that does not name the URL.
 */
int fetch_check(const char *body, size_t len, int quantity, uint32_t seed,
    jv *env, struct fk_err *e);

#endif
