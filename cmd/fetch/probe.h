/*
 * probe.h: after a 404, which versions of the API does the server have?
 *
 * The live FakerAPI serves /api/v2, its public source code /api/v1 only;
 * a base URL naming the other one gets 404 for every resource.  Two
 * small requests (users, one record, under /api/v1 and /api/v2 beside
 * the base URL) tell which versions answer, so the message can say so.
 */
#ifndef FETCH_PROBE_H
#define FETCH_PROBE_H

#include <stddef.h>

#include "http.h"

/*
 * Write into out a one-line hint for a 404 from base (checked, without
 * trailing '/') on resource, e.g. "the server has /api/v1 only: try
 * --base-url http://h/api/v1".  out is "" when nothing useful was found.
 */
void fetch_probe_versions(const char *base, const char *resource,
    const struct fk_http_opts *o, char *out, size_t outlen);

#endif
