/*
 * endpoint.h: where gcs-put sends requests.  The service by default;
 * an emulator named by STORAGE_EMULATOR_HOST (host:port or a URL, as
 * the official client libraries accept it); or --endpoint URL.  Plain
 * http:// is allowed only to loopback hosts, so a token or an object
 * never crosses a network in clear text.
 */
#ifndef GCS_ENDPOINT_H
#define GCS_ENDPOINT_H

#include "fk.h"

#define GCS_DEFAULT_BASE "https://storage.googleapis.com"

/*
 * The base URL for spec (NULL: the service): "host:port" means
 * http://host:port; otherwise an http or https URL without user info,
 * query or fragment.  Returns a malloc'ed URL without a trailing slash,
 * or NULL with e filled (code `code`, the caller's choice of usage or
 * configuration error).
 */
char *gcs_endpoint(const char *spec, int code, struct fk_err *e);

/*
 * The base URL: --endpoint (opt; a bad one is a usage error), else
 * $STORAGE_EMULATOR_HOST, else the service.  Malloc'ed, or NULL with e
 * filled.
 */
char *gcs_endpoint_resolve(const char *opt, struct fk_err *e);

/*
 * The emulator $STORAGE_EMULATOR_HOST names when no --endpoint (opt) is
 * given: it gets no credentials.  NULL when opt is given or the variable
 * is unset or empty.
 */
const char *gcs_emulated(const char *opt);

/* Nonzero if a and b have the same scheme, host and port. */
int gcs_same_origin(const char *a, const char *b);

/*
 * Nonzero if url may receive requests: https, or http to a loopback
 * host.  A session URI from the server is checked with this too.
 */
int gcs_url_allowed(const char *url);

#endif
