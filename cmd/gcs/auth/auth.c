/*
 * auth.c: Application Default Credentials without an SDK (auth.h,
 * gcp-protocols.md part B).
 *
 * auth_new finds the credentials once; auth_header hands out a
 * cached access token and fetches a new one shortly before it expires.
 * Everything secret (keys, client secrets, refresh tokens, assertions,
 * access tokens) stays in memory owned here, is wiped before it is
 * freed, and is scrubbed from every message that leaves this file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jv.h>

#include "auth.h"
#include "file.h"
#include "json.h"
#include "jwt.h"

#define SCOPE		"https://www.googleapis.com/auth/devstorage.read_write"
#define TOKEN_URI	"https://oauth2.googleapis.com/token"
#define STORAGE_AUD	"https://storage.googleapis.com/"
#define JWT_GRANT	"urn:ietf:params:oauth:grant-type:jwt-bearer"
#define META_HOST	"metadata.google.internal"
#define META_IP		"169.254.169.254"
#define META_ROOT	"/computeMetadata/v1/"
#define META_TOKEN	META_ROOT "instance/service-accounts/default/token"
#define WELL_KNOWN	"application_default_credentials.json"
#define GAC		"GOOGLE_APPLICATION_CREDENTIALS"

#define REFRESH_MARGIN	225.0	/* seconds before expiry (B.7) */
#define JWT_LIFETIME	3600	/* the most Google accepts */
#define MAX_CRED_FILE	(1 << 20)
#define MAX_TOKEN_BODY	(64 * 1024)
#define MAX_TOKEN	4096
#define PING_ATTEMPTS	3

enum src { SRC_NONE, SRC_SERVICE, SRC_USER, SRC_META };

struct auth {
	enum src src;
	char what[128];			/* auth_source */
	pthread_mutex_t lock;		/* uploads may run in threads */
	struct fk_http_opts o;
	struct fk_retry r;
	char *user_agent;
	CURL *h;			/* token requests only */
	/* service_account */
	struct jwt_rsa *key;
	char *email;
	char *kid;
	int self_signed;
	/* service_account and authorized_user */
	char *token_uri;
	char *client_id;
	char *client_secret;
	char *refresh_token;
	/* metadata server */
	char *meta_url;
	/* the cached token */
	char *token;
	double expiry;			/* fk_now() clock */
	double lifetime;
};

static void
free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * jv keeps its own copy of a parsed string; wipe it in place before the
 * value is freed (the object holds the only reference).
 */
static void
wipe_member(jv obj, const char *key)
{
	const char *s = fk_json_str(obj, key);

	if (s != NULL)
		explicit_bzero((char *)s, strlen(s));
}

/* Replace every occurrence of secret in msg with "[redacted]". */
static void
redact(char *msg, const char *secret)
{
	char out[FK_ERR_MAX], *hit;
	const char *p = msg;
	size_t n = 0, slen;

	if (secret == NULL || strlen(secret) < 4 || strstr(msg, secret) == NULL)
		return;
	slen = strlen(secret);
	while ((hit = strstr(p, secret)) != NULL) {
		n += (size_t)snprintf(out + n, sizeof(out) - n,
		    "%.*s[redacted]", (int)(hit - p), p);
		if (n >= sizeof(out))
			break;
		p = hit + slen;
	}
	if (n < sizeof(out))
		snprintf(out + n, sizeof(out) - n, "%s", p);
	memcpy(msg, out, sizeof(out));
	msg[FK_ERR_MAX - 1] = '\0';
}

/* Belt and braces: no message leaves with a secret we hold. */
static void
scrub(const struct auth *a, struct fk_err *e)
{
	if (e == NULL)
		return;
	redact(e->msg, a->token);
	redact(e->msg, a->client_secret);
	redact(e->msg, a->refresh_token);
}

/* One line, printable: server text may carry anything. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* ---- where requests may go */

static int
loopback_host(const char *h)
{
	struct in_addr a4;

	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 ||
	    strcmp(h, "::1") == 0)
		return 1;
	return inet_pton(AF_INET, h, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127;
}

/*
 * Tokens and secrets travel over https with verification, or plain http
 * to a loopback test server; never in clear text across a network.
 */
static int
check_token_uri(const char *uri, struct fk_err *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, uri, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcasecmp(scheme, "https") == 0 ||
		    (strcasecmp(scheme, "http") == 0 && loopback_host(host));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (!ok)
		return fk_fail(e, FK_EX_CONFIG, "token_uri '%.200s' is not an "
		    "https URL (plain http only to loopback hosts)", uri);
	return 0;
}

/*
 * The key file's token_uri, or Google's when it has none (gcloud writes
 * none; a test server names its own), checked and kept in a->token_uri.
 */
static int
take_token_uri(struct auth *a, jv v, struct fk_err *e)
{
	const char *uri = fk_json_str(v, "token_uri");

	if (uri == NULL || *uri == '\0')
		uri = TOKEN_URI;
	if (check_token_uri(uri, e) < 0)
		return -1;
	a->token_uri = strdup(uri);
	if (a->token_uri == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	return 0;
}

/* host[:port] as GCE_METADATA_HOST may give it: no path, no user info. */
static int
plain_host(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(".-:[]", *s) != NULL))
			return 0;
	return 1;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* ---- the HTTP handle */

/* Reset the handle for one kind of request: token endpoint or metadata. */
static void
prepare(struct auth *a, int meta)
{
	curl_easy_reset(a->h);
	fk_http_setup(a->h, &a->o);
	curl_easy_setopt(a->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(a->h, CURLOPT_SSL_VERIFYHOST, 2L);
	/* The metadata server is link-local: a proxy cannot reach it. */
	if (meta)
		curl_easy_setopt(a->h, CURLOPT_NOPROXY, "*");
}

/* A genuine metadata server answers with Metadata-Flavor: Google. */
static int
google_flavor(const struct fk_resp *r)
{
	char v[32];

	return fk_resp_header(r, "Metadata-Flavor", v, sizeof(v)) != NULL &&
	    strcmp(v, "Google") == 0;
}

/* ---- credential files */

/*
 * The file at path, NUL-terminated, malloc'ed.  1 when it does not
 * exist and absent_ok; -1 with e filled on any other failure.
 */
static int
slurp(const char *path, const char *origin, int absent_ok, char **out,
    size_t *len, struct fk_err *e)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (absent_ok && (errno == ENOENT || errno == ENOTDIR))
			return 1;
		return fk_fail(e, FK_EX_CONFIG, "cannot read credentials '%s' "
		    "from %s: %s", path, origin, strerror(errno));
	}
	/* A FIFO or a device could hang us or feed us without end. */
	if (!S_ISREG(st.st_mode))
		return fk_fail(e, FK_EX_CONFIG, "cannot read credentials '%s' "
		    "from %s: not a regular file", path, origin);
	if (fk_read_file(path, MAX_CRED_FILE, out, len) < 0)
		return fk_fail(e, errno == ENOMEM ? FK_EX_SOFTWARE :
		    FK_EX_CONFIG, "cannot read credentials '%s' from %s: %s",
		    path, origin, errno == EFBIG ? "larger than 1 MiB" :
		    strerror(errno));
	return 0;
}

static char *
dup_member(jv v, const char *key)
{
	const char *s = fk_json_str(v, key);

	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

static int
load_service(struct auth *a, jv v, struct fk_err *e)
{
	const char *pem = fk_json_str(v, "private_key");
	const char *self = env("FK_GCS_SELF_SIGNED_JWT");

	if (pem == NULL || *pem == '\0')
		return fk_fail(e, FK_EX_CONFIG, "no \"private_key\"");
	a->email = dup_member(v, "client_email");
	if (a->email == NULL)
		return fk_fail(e, FK_EX_CONFIG, "no \"client_email\"");
	if (take_token_uri(a, v, e) < 0)
		return -1;
	a->kid = dup_member(v, "private_key_id");
	a->key = jwt_rsa_from_pem(pem, strlen(pem), e);
	if (a->key == NULL)
		return -1;
	a->self_signed = self != NULL && strcmp(self, "0") != 0;
	a->src = SRC_SERVICE;
	return 0;
}

static int
load_user(struct auth *a, jv v, struct fk_err *e)
{
	static const char *need[] = { "client_id", "client_secret",
	    "refresh_token" };
	const char *val;
	size_t i;

	for (i = 0; i < 3; i++) {
		val = fk_json_str(v, need[i]);
		if (val == NULL || *val == '\0')
			return fk_fail(e, FK_EX_CONFIG, "no \"%s\"", need[i]);
	}
	if (take_token_uri(a, v, e) < 0)
		return -1;
	a->client_id = dup_member(v, "client_id");
	a->client_secret = dup_member(v, "client_secret");
	a->refresh_token = dup_member(v, "refresh_token");
	if (a->client_id == NULL || a->client_secret == NULL ||
	    a->refresh_token == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	a->src = SRC_USER;
	return 0;
}

/* Dispatch on "type" (B.2); e gets the reason alone. */
static int
load_json(struct auth *a, jv v, struct fk_err *e)
{
	const char *type = fk_json_str(v, "type");

	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return fk_fail(e, FK_EX_CONFIG, "not a JSON object");
	if (type == NULL)
		return fk_fail(e, FK_EX_CONFIG, "no \"type\"");
	if (strcmp(type, "service_account") == 0)
		return load_service(a, v, e);
	if (strcmp(type, "authorized_user") == 0)
		return load_user(a, v, e);
	return fk_fail(e, FK_EX_CONFIG, "unsupported credential type '%.40s' "
	    "(service_account and authorized_user are supported)", type);
}

/*
 * fk_json_parse, but libjq's message quotes the text it was parsing (a
 * private key, say): keep only where the error is.
 */
static int
parse_quietly(const char *buf, size_t len, jv *v, struct fk_err *e)
{
	const char *at;
	int line, col;

	if (fk_json_parse(buf, len, v, e) == 0)
		return 0;
	at = strstr(e->msg, " at line ");
	if (at != NULL &&
	    sscanf(at, " at line %d, column %d", &line, &col) == 2)
		return fk_fail(e, FK_EX_CONFIG, "invalid JSON at line %d, "
		    "column %d", line, col);
	return fk_fail(e, FK_EX_CONFIG, "invalid JSON");
}

/*
 * Load the credential file at path.  0 when loaded, 1 when absent and
 * absent_ok, -1 with e filled ("cannot use credentials 'path' ...").
 */
static int
load_file(struct auth *a, const char *path, const char *origin,
    int absent_ok, struct fk_err *e)
{
	char why[FK_ERR_MAX], *buf = NULL;
	size_t len = 0;
	jv v;
	int rc;

	rc = slurp(path, origin, absent_ok, &buf, &len, e);
	if (rc != 0)
		return rc;
	rc = parse_quietly(buf, len, &v, e);
	explicit_bzero(buf, len);
	free(buf);
	if (rc == 0) {
		rc = load_json(a, v, e);
		wipe_member(v, "private_key");
		wipe_member(v, "client_secret");
		wipe_member(v, "refresh_token");
		jv_free(v);
	}
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", e->msg);
		fk_fail(e, e->code == FK_EX_SOFTWARE ? FK_EX_SOFTWARE :
		    FK_EX_CONFIG, "cannot use credentials '%s' from %s: %s",
		    path, origin, why);
	}
	return rc;
}

/* gcloud's well-known file (B.1 step 2), or NULL without a home. */
static char *
well_known_path(void)
{
	const char *dir = env("CLOUDSDK_CONFIG"), *home = env("HOME");
	struct passwd *pw;
	char *p = NULL;

	if (dir != NULL) {
		if (asprintf(&p, "%s/%s", dir, WELL_KNOWN) < 0)
			p = NULL;
		return p;
	}
	if (home == NULL && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL)
		return NULL;
	if (asprintf(&p, "%s/.config/gcloud/%s", home, WELL_KNOWN) < 0)
		p = NULL;
	return p;
}

/* ---- the metadata server */

static long
metadata_timeout(void)
{
	const char *v = env("GCE_METADATA_TIMEOUT"), *why;
	long long t;

	if (v == NULL || fk_parse_ll(v, 1, 60, &t, &why) < 0)
		return 3;
	return (long)t;
}

/* One ping: 1 found, 0 a retryable answer, -1 nothing there (why). */
static int
ping_once(struct auth *a, const char *url, struct curl_slist *hdr,
    char *why, size_t whylen)
{
	struct fk_http_req q = { "GET", url, NULL, hdr, NULL, 0, NULL, NULL };
	struct fk_retry once = { 1, 0, 0, 0 };
	struct fk_resp r = { 0 };
	struct fk_err e;
	int rc;

	prepare(a, 1);
	curl_easy_setopt(a->h, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(a->h, CURLOPT_TIMEOUT_MS, metadata_timeout() * 1000);
	r.body.max = MAX_TOKEN_BODY;
	rc = fk_http_do(a->h, &q, &once, &r, &e);
	if (rc == 0 && google_flavor(&r)) {
		rc = 1;
	} else if (rc == 0) {
		snprintf(why, whylen, "an answer without Metadata-Flavor: "
		    "Google");
		rc = -1;
	} else if (r.status != 0) {
		snprintf(why, whylen, "HTTP %ld", r.status);
		rc = fk_retryable_status(r.status) ? 0 : -1;
	} else {
		snprintf(why, whylen, "%.180s", r.errbuf[0] ? r.errbuf :
		    "no answer");
		rc = -1;
	}
	fk_resp_free(&r);
	return rc;
}

/*
 * Is a metadata server there?  A refused or timed-out connection says
 * no at once (the common case off Google Cloud, and it must be fast); a
 * 5xx or 429 is tried again, as the client libraries do.
 */
static int
metadata_probe(struct auth *a, const char *where, char *why,
    size_t whylen)
{
	struct curl_slist *hdr = curl_slist_append(NULL,
	    "Metadata-Flavor: Google");
	char *url = NULL;
	int i, rc = -1;

	if (hdr == NULL || asprintf(&url, "http://%s" META_ROOT, where) < 0) {
		snprintf(why, whylen, "out of memory");
		url = NULL;
		goto out;
	}
	for (i = 1; i <= PING_ATTEMPTS; i++) {
		rc = ping_once(a, url, hdr, why, whylen);
		if (rc != 0)
			break;
		rc = -1;
		if (i < PING_ATTEMPTS)
			fk_sleep(0.2 * i);
	}
out:
	free(url);
	curl_slist_free_all(hdr);
	return rc > 0 ? 0 : -1;
}

static int
metadata_setup(struct auth *a, char *why, size_t whylen,
    struct fk_err *e)
{
	const char *host = env("GCE_METADATA_HOST"), *ping;
	char reason[256];

	if (host == NULL)
		host = env("GCE_METADATA_ROOT");	/* the older name */
	ping = env("GCE_METADATA_IP");
	if (ping == NULL)
		ping = host != NULL ? host : META_IP;
	if (host == NULL)
		host = META_HOST;
	if (!plain_host(host) || !plain_host(ping))
		return fk_fail(e, FK_EX_CONFIG, "metadata server '%.100s' is "
		    "not a host[:port]", plain_host(host) ? ping : host);
	if (metadata_probe(a, ping, why, whylen) < 0) {
		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, whylen, "at '%.60s': %.150s", ping, reason);
		return 1;
	}
	if (asprintf(&a->meta_url, "http://%s" META_TOKEN, host) < 0) {
		a->meta_url = NULL;
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	}
	a->src = SRC_META;
	return 0;
}

/* ---- the lookup (B.1) */

static void
describe(struct auth *a, const char *origin)
{
	static const char *kind[] = { "none (anonymous)",
	    "service account key", "authorized user (refresh token)",
	    "metadata server" };

	snprintf(a->what, sizeof(a->what), "%s%s%s%s", kind[a->src],
	    origin ? " from " : "", origin ? origin : "",
	    a->self_signed ? ", self-signed JWT" : "");
}

static int
find_credentials(struct auth *a, struct fk_err *e)
{
	const char *gac = env(GAC);
	char *wk, meta_why[256] = "", wk_why[300];
	int rc;

	/* Named explicitly: use it or fail, never fall through. */
	if (gac != NULL) {
		rc = load_file(a, gac, GAC, 0, e);
		describe(a, GAC);
		return rc;
	}
	wk = well_known_path();
	if (wk != NULL) {
		rc = load_file(a, wk, "gcloud's configuration", 1, e);
		snprintf(wk_why, sizeof(wk_why), "no '%s'", wk);
		free(wk);
		describe(a, "gcloud's " WELL_KNOWN);
		if (rc <= 0)
			return rc;
	} else {
		snprintf(wk_why, sizeof(wk_why), "no home directory for "
		    "gcloud's " WELL_KNOWN);
	}
	rc = metadata_setup(a, meta_why, sizeof(meta_why), e);
	describe(a, NULL);
	if (rc <= 0)
		return rc;
	one_line(meta_why);
	return fk_fail(e, FK_EX_CONFIG, "no credentials found: " GAC " not "
	    "set; %s; no metadata server %s", wk_why, meta_why);
}

struct auth *
auth_new(enum auth_mode mode, const struct fk_http_opts *o,
    const struct fk_retry *r, struct fk_err *e)
{
	struct auth *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	a->o = *o;
	a->r = *r;
	if (mode == AUTH_NONE) {
		describe(a, NULL);
		return a;
	}
	if (o->user_agent != NULL) {
		a->user_agent = strdup(o->user_agent);
		a->o.user_agent = a->user_agent;
	}
	if (jwt_crypto_init(e) < 0)
		goto fail;
	a->h = curl_easy_init();
	if (a->h == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "cannot create a libcurl handle");
		goto fail;
	}
	if (find_credentials(a, e) < 0)
		goto fail;
	return a;
fail:
	auth_free(a);
	return NULL;
}

/* ---- tokens */

static double
margin(double lifetime)
{
	/* Short-lived tokens (test servers) would otherwise never be fresh. */
	return lifetime >= 2 * REFRESH_MARGIN ? REFRESH_MARGIN : lifetime / 2;
}

static int
set_token(struct auth *a, const char *tok, double lifetime, double t0,
    struct fk_err *e)
{
	char *t = strdup(tok);

	if (t == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	free_secret(a->token);
	a->token = t;
	a->lifetime = lifetime;
	a->expiry = t0 + lifetime;
	return 0;
}

/* A header value must not smuggle in CR, LF or spaces. */
static int
token_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > MAX_TOKEN)
		return 0;
	for (; *t != '\0'; t++)
		if (*t <= 0x20 || *t >= 0x7f)
			return 0;
	return 1;
}

/* Borrows obj (an object): nonzero if it has member key. */
static int
has_member(jv obj, const char *key)
{
	return jv_object_has(jv_copy(obj), jv_string(key));
}

/* The token from a 2xx answer: access_token, expires_in, token_type. */
static int
take_token(struct auth *a, const struct fk_resp *r, const char *from,
    double t0, struct fk_err *e)
{
	const char *tok, *type;
	long long ttl = JWT_LIFETIME;
	jv v;
	int rc = -1;

	if (fk_json_parse(r->body.p ? r->body.p : "", r->body.len, &v, e) < 0)
		return fk_fail(e, FK_EX_DATAERR, "invalid token response from "
		    "%s: not JSON", from);
	tok = fk_json_str(v, "access_token");
	type = fk_json_str(v, "token_type");
	if (tok == NULL || !token_ok(tok))
		fk_fail(e, FK_EX_DATAERR, "invalid token response from %s: "
		    "no usable \"access_token\"", from);
	else if (type != NULL && strcasecmp(type, "Bearer") != 0)
		fk_fail(e, FK_EX_DATAERR, "invalid token response from %s: "
		    "token_type '%.20s'", from, type);
	else if (has_member(v, "expires_in") &&
	    (fk_json_int(v, "expires_in", &ttl) < 0 || ttl <= 0 ||
	    ttl > 86400 * 366))
		fk_fail(e, FK_EX_DATAERR, "invalid token response from %s: "
		    "bad \"expires_in\"", from);
	else
		rc = set_token(a, tok, (double)ttl, t0, e);
	wipe_member(v, "access_token");
	wipe_member(v, "refresh_token");
	jv_free(v);
	return rc;
}

static int
refused_error(const char *err)
{
	static const char *no[] = { "invalid_grant", "invalid_client",
	    "unauthorized_client", "access_denied", "invalid_scope" };
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(err, no[i]) == 0)
			return 1;
	return 0;
}

/*
 * After a failed token request: an OAuth error answer ({"error",
 * "error_description"}) becomes "refused" with FK_EX_NOPERM; anything
 * else keeps fk_http_judge's verdict.
 */
static void
token_refused(const struct fk_resp *r, const char *uri, struct fk_err *e)
{
	char desc[200];
	const char *err, *d;
	jv v;

	if (r->status < 400 || r->status > 499 || r->body.p == NULL)
		return;
	v = jv_parse_sized(r->body.p, (int)r->body.len);
	err = fk_json_str(v, "error");
	if (err != NULL) {
		d = fk_json_str(v, "error_description");
		snprintf(desc, sizeof(desc), "%s", d != NULL ? d : "");
		one_line(desc);
		fk_fail(e, r->status == 401 || r->status == 403 ||
		    refused_error(err) ? FK_EX_NOPERM : FK_EX_FAIL,
		    "cannot get an access token from '%s': credentials "
		    "refused (HTTP %ld %.40s%s%s)", uri, r->status, err,
		    desc[0] ? ": " : "", desc);
	}
	jv_free(v);
}

/*
 * Send q for a token from `from` and take the token from its answer.
 * meta: the metadata server, whose answer must say Metadata-Flavor:
 * Google; otherwise a token endpoint, whose OAuth error answer words a
 * refusal.  The answer is a secret: it is wiped.  q's headers are freed.
 */
static int
token_request(struct auth *a, struct fk_http_req *q, const char *from,
    int meta, struct fk_err *e)
{
	struct fk_resp r = { 0 };
	double t0 = fk_now();
	int rc;

	r.body.max = MAX_TOKEN_BODY;
	prepare(a, meta);
	rc = fk_http_do(a->h, q, &a->r, &r, e);
	if (rc < 0 && !meta)
		token_refused(&r, q->url, e);
	else if (rc == 0 && meta && !google_flavor(&r))
		rc = fk_fail(e, FK_EX_DATAERR, "invalid token response from "
		    "%s: no Metadata-Flavor: Google", from);
	else if (rc == 0)
		rc = take_token(a, &r, from, t0, e);
	if (r.body.p != NULL)
		explicit_bzero(r.body.p, r.body.len);
	fk_resp_free(&r);
	curl_slist_free_all(q->headers);
	return rc;
}

static int
token_post(struct auth *a, const char *body, struct fk_err *e)
{
	struct curl_slist *hdr = NULL, *h2;
	struct fk_http_req q = { 0 };
	char what[300], from[300];

	hdr = curl_slist_append(NULL,
	    "Content-Type: application/x-www-form-urlencoded");
	h2 = hdr == NULL ? NULL :
	    curl_slist_append(hdr, "Accept: application/json");
	if (h2 == NULL) {
		curl_slist_free_all(hdr);
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	}
	snprintf(what, sizeof(what), "cannot get an access token from '%s'",
	    a->token_uri);
	snprintf(from, sizeof(from), "'%s'", a->token_uri);
	q.method = "POST";
	q.url = a->token_uri;
	q.what = what;
	q.headers = hdr;
	q.body = body;
	q.body_len = strlen(body);
	return token_request(a, &q, from, 0, e);
}

/* A signed JWT for aud: the 2LO assertion (scope) or a self-signed token. */
static char *
make_jwt(struct auth *a, const char *aud, int assertion, time_t now,
    struct fk_err *e)
{
	jv hdr = jv_object(), cl = jv_object(), hs, cs;
	char *jwt;

	hdr = jv_object_set(hdr, jv_string("alg"), jv_string("RS256"));
	hdr = jv_object_set(hdr, jv_string("typ"), jv_string("JWT"));
	if (a->kid != NULL)
		hdr = jv_object_set(hdr, jv_string("kid"), jv_string(a->kid));
	cl = jv_object_set(cl, jv_string("iss"), jv_string(a->email));
	if (assertion)
		cl = jv_object_set(cl, jv_string("scope"), jv_string(SCOPE));
	else
		cl = jv_object_set(cl, jv_string("sub"), jv_string(a->email));
	cl = jv_object_set(cl, jv_string("aud"), jv_string(aud));
	cl = jv_object_set(cl, jv_string("iat"), jv_number((double)now));
	cl = jv_object_set(cl, jv_string("exp"),
	    jv_number((double)(now + JWT_LIFETIME)));
	hs = jv_dump_string(hdr, 0);
	cs = jv_dump_string(cl, 0);
	jwt = jwt_sign(a->key, jv_string_value(hs), jv_string_value(cs), e);
	jv_free(hs);
	jv_free(cs);
	return jwt;
}

/*
 * POST n (at most 4) name=value pairs, form-encoded, to token_uri.
 * Values may be secrets: the body is built in one allocation, and every
 * copy is wiped.
 */
static int
form_post(struct auth *a, const char *const *kv, size_t n, struct fk_err *e)
{
	char *v[4] = { NULL }, *body = NULL;
	size_t i, len = 1;
	int rc = -1;

	for (i = 0; i < n; i++) {
		v[i] = fk_url_escape(kv[2 * i + 1]);
		if (v[i] == NULL)
			goto out;
		len += strlen(kv[2 * i]) + strlen(v[i]) + 2;
	}
	body = malloc(len);
	if (body == NULL)
		goto out;
	body[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(body + strlen(body), len - strlen(body), "%s%s=%s",
		    i > 0 ? "&" : "", kv[2 * i], v[i]);
	rc = token_post(a, body, e);
out:
	if (rc < 0 && body == NULL)
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	for (i = 0; i < n; i++)
		free_secret(v[i]);
	free_secret(body);
	return rc;
}

/* B.3: exchange a signed assertion at token_uri. */
static int
jwt_exchange(struct auth *a, struct fk_err *e)
{
	char *jwt;
	int rc;

	jwt = make_jwt(a, a->token_uri, 1, time(NULL), e);
	if (jwt == NULL)
		return -1;
	rc = form_post(a, (const char *const[]){ "grant_type", JWT_GRANT,
	    "assertion", jwt }, 2, e);
	free_secret(jwt);
	return rc;
}

/* B.6: the signed JWT is the token; no request at all. */
static int
jwt_self_signed(struct auth *a, struct fk_err *e)
{
	double t0 = fk_now();
	char *jwt = make_jwt(a, STORAGE_AUD, 0, time(NULL), e);
	int rc;

	if (jwt == NULL)
		return -1;
	rc = set_token(a, jwt, JWT_LIFETIME, t0, e);
	free_secret(jwt);
	return rc;
}

/* B.4: the refresh-token grant. */
static int
refresh_grant(struct auth *a, struct fk_err *e)
{
	return form_post(a, (const char *const[]){ "grant_type",
	    "refresh_token", "client_id", a->client_id, "client_secret",
	    a->client_secret, "refresh_token", a->refresh_token }, 4, e);
}

/* B.5: the metadata server's token for the default service account. */
static int
metadata_token(struct auth *a, struct fk_err *e)
{
	struct fk_http_req q = { 0 };
	struct curl_slist *hdr;
	char what[300], from[300];

	hdr = curl_slist_append(NULL, "Metadata-Flavor: Google");
	if (hdr == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	snprintf(what, sizeof(what), "cannot get an access token from the "
	    "metadata server '%s'", a->meta_url);
	snprintf(from, sizeof(from), "the metadata server '%s'", a->meta_url);
	q.method = "GET";
	q.url = a->meta_url;
	q.what = what;
	q.headers = hdr;
	return token_request(a, &q, from, 1, e);
}

static int
fetch(struct auth *a, struct fk_err *e)
{
	switch (a->src) {
	case SRC_SERVICE:
		return a->self_signed ? jwt_self_signed(a, e) :
		    jwt_exchange(a, e);
	case SRC_USER:
		return refresh_grant(a, e);
	case SRC_META:
		return metadata_token(a, e);
	default:
		return fk_fail(e, FK_EX_SOFTWARE, "no credentials to refresh");
	}
}

/* Called with the lock held. */
static int
refresh(struct auth *a, struct fk_err *e)
{
	double now = fk_now();

	if (a->token != NULL && now < a->expiry - margin(a->lifetime))
		return 0;
	if (fetch(a, e) == 0)
		return 0;
	/* A transient failure inside the margin: the old token still works. */
	if (e->code == FK_EX_TEMPFAIL && a->token != NULL &&
	    fk_now() < a->expiry - 10)
		return 0;
	return -1;
}

int
auth_header(struct auth *a, char *out, size_t outlen, struct fk_err *e)
{
	struct fk_err local;
	int rc;

	if (e == NULL)
		e = &local;
	if (a->src == SRC_NONE) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	pthread_mutex_lock(&a->lock);
	rc = refresh(a, e);
	if (rc == 0 && (size_t)snprintf(out, outlen, "Authorization: Bearer %s",
	    a->token) >= outlen) {
		if (outlen > 0)
			explicit_bzero(out, outlen);
		rc = fk_fail(e, FK_EX_SOFTWARE, "authorization header longer "
		    "than %zu bytes", outlen);
	}
	if (rc < 0)
		scrub(a, e);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void
auth_invalidate(struct auth *a)
{
	pthread_mutex_lock(&a->lock);
	free_secret(a->token);
	a->token = NULL;
	pthread_mutex_unlock(&a->lock);
}

const char *
auth_source(const struct auth *a)
{
	return a->what;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->h != NULL)
		curl_easy_cleanup(a->h);
	jwt_rsa_free(a->key);
	free_secret(a->client_secret);
	free_secret(a->refresh_token);
	free_secret(a->token);
	free(a->client_id);
	free(a->email);
	free(a->kid);
	free(a->token_uri);
	free(a->meta_url);
	free(a->user_agent);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
