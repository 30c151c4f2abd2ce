/*
 * auth.h: Application Default Credentials for gcs-put, no SDK.
 *
 * Lookup order (gcp-protocols.md part B):
 *   1. the JSON file named by GOOGLE_APPLICATION_CREDENTIALS (set but
 *      unusable is an error, never a fall-through);
 *   2. gcloud's application_default_credentials.json under
 *      $CLOUDSDK_CONFIG, else ~/.config/gcloud;
 *   3. the metadata server (Metadata-Flavor: Google), GCE_METADATA_HOST
 *      overriding metadata.google.internal.
 * service_account keys: RS256 JWT signed with libgcrypt, exchanged at the
 * key's token_uri (or used directly as a self-signed JWT);
 * authorized_user: the refresh-token grant.  Tokens are cached with their
 * expiry and refreshed before it.  No token, key or secret ever appears
 * in an fk_err message.
 */
#ifndef GCS_AUTH_AUTH_H
#define GCS_AUTH_AUTH_H

#include <stddef.h>

#include "fk.h"
#include "http.h"

struct auth;

enum auth_mode {
	AUTH_ADC,		/* the lookup above */
	AUTH_NONE		/* --anonymous or STORAGE_EMULATOR_HOST */
};

/*
 * Find credentials (reading files, not yet fetching a token; when no
 * file is found the metadata server is pinged, which fails within a
 * second where there is none).  o gives the timeouts for token
 * requests, r their retry policy.  NULL with e filled (FK_EX_CONFIG
 * when nothing is found or a file is unusable).  fk_http_global_init
 * must have been called.  FK_GCS_SELF_SIGNED_JWT=1 makes a
 * service_account key mint self-signed JWTs (aud
 * https://storage.googleapis.com/) instead of exchanging one at its
 * token_uri, the default.  The functions below are thread-safe.
 */
struct auth *auth_new(enum auth_mode mode,
    const struct fk_http_opts *o, const struct fk_retry *r, struct fk_err *e);

/* An out buffer of this size always holds the header line below. */
#define AUTH_HEADER_MAX 8192

/*
 * Write the "Authorization: Bearer ..." header line (no CRLF) into out,
 * fetching or refreshing the token when it is missing or expires within
 * the refresh margin.  With AUTH_NONE, out becomes "".  -1 with e
 * filled (FK_EX_NOPERM when the token endpoint refuses the credentials).
 */
int auth_header(struct auth *a, char *out, size_t outlen,
    struct fk_err *e);

/* Drop the cached token so the next auth_header fetches anew (after a 401). */
void auth_invalidate(struct auth *a);

/* A short description of the source, e.g. "service account key file"; no secrets. */
const char *auth_source(const struct auth *a);

/* Free everything, wiping key material. */
void auth_free(struct auth *a);

#endif
