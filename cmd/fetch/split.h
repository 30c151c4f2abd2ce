/*
 * split.h: a FakerAPI page checked, split into records and renumbered on
 * its bytes, without building a jv per record.
 *
 * This is the fast path of check.c + page.c, and it must write exactly
 * what they write: each record as jq's compact dump of it (strings
 * re-escaped the way jq does, blanks dropped), its counters renumbered by
 * the same rule.  Whatever it cannot reproduce exactly, it does not try:
 * a page that is invalid (the jv path then words the error), or that
 * holds a number jq would print differently, a key with an escape, a
 * repeated key, a byte the strict scanner (lib/scan.h) refuses, is
 * handed back to the jv path untouched.
 */
#ifndef FETCH_SPLIT_H
#define FETCH_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/*
 * Check body (len bytes) as fetch_check() does for `quantity` records
 * and `seed`, and render its records as fetch_page_render() does for
 * request k of spec sp: its counter fields renumbered by the rule of
 * counter.h (fetch_counter_token() on the value's text), all else as
 * sent.  Returns the number of records with *text (malloc'ed,
 * *tlen bytes; hint is its expected size), -1 when memory runs out, or
 * -2 when the page must go the jv way (nothing allocated then).
 */
long fetch_split(const char *body, size_t len, int quantity, uint32_t seed,
    uint64_t k, const struct fetch_spec *sp, size_t hint,
    char **text, size_t *tlen);

#endif
