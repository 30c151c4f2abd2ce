/*
 * counter.h: the one rule by which fk-fetch changes a field of a record.
 *
 * FakerAPI numbers the records of every response 1..N, and the numbers
 * restart in every response, so a run of many requests would repeat
 * them.  fk-fetch makes the service's own counter run-wide and touches
 * nothing else.  A top-level field of a record is renumbered when both:
 *
 *   - it is a counter field of its spec: "id" on the resources where the
 *     service generates it (users, persons, addresses, books, companies,
 *     products), or a field of the custom resource whose type is
 *     "counter" (a custom field named "id" of any other type is the
 *     user's, e.g. -p id=uuid);
 *   - its value is a JSON number equal to the record's position in the
 *     response (1-based), which is what the service writes there.
 *
 * It then becomes fetch_id(k, pos) = 1000 k + pos + 1 for request k.
 * Any other value (a string, null, another number) passes through as
 * sent.  Nested objects (a person's address, a company's contact) are
 * never looked at.  The helpers below have no dependencies, so a byte
 * level renderer can apply the same rule to the number's text.
 */
#ifndef FETCH_COUNTER_H
#define FETCH_COUNTER_H

#include <stddef.h>

/*
 * Nonzero if word is one of the space-separated words of list, which
 * starts and ends with a space (" users persons ").
 */
int fetch_in_list(const char *list, const char *word);

/* Nonzero if the service puts its per-response counter in "id". */
int fetch_resource_has_id(const char *resource);

/* Nonzero if a custom field of this type is the per-response counter. */
int fetch_type_is_counter(const char *type);

/*
 * Nonzero if a number v found in a counter field of the record at
 * position pos (0-based) is the service's count, pos + 1.
 */
int fetch_counter_value(double v, long long pos);

/*
 * The same test on the text of a JSON value (len bytes, no surrounding
 * blanks): nonzero only for a JSON number equal to pos + 1 ("3", and
 * also "3.0" or "3e0", as a JSON parser would read them).  Strings,
 * null and malformed numbers are never counters.
 */
int fetch_counter_token(const char *tok, size_t len, long long pos);

#endif
