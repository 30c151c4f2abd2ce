/*
 * endpoint.c: the service base URL and the loopback rule (endpoint.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "endpoint.h"

/* URL parts as malloc'ed strings (NULL when absent); 0 or -1. */
struct parts {
	char *scheme, *host, *port, *user, *query, *fragment;
};

static void
parts_free(struct parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
	curl_free(p->port);
	curl_free(p->user);
	curl_free(p->query);
	curl_free(p->fragment);
	memset(p, 0, sizeof(*p));
}

static int
parts_get(const char *url, struct parts *p)
{
	CURLU *u = curl_url();
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &p->host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p->port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_USER, &p->user, 0);
	curl_url_get(u, CURLUPART_QUERY, &p->query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &p->fragment, 0);
	rc = 0;
out:
	if (rc < 0)
		parts_free(p);
	curl_url_cleanup(u);
	return rc;
}

static int
host_loopback(const char *h)
{
	unsigned a, b, c, d;
	char extra;

	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 ||
	    strcmp(h, "::1") == 0)
		return 1;
	if (sscanf(h, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4)
		return 0;
	return a == 127 && b < 256 && c < 256 && d < 256;
}

int
gcs_url_allowed(const char *url)
{
	struct parts p;
	int ok;

	if (parts_get(url, &p) < 0)
		return 0;
	ok = strcasecmp(p.scheme, "https") == 0 ||
	    (strcasecmp(p.scheme, "http") == 0 && host_loopback(p.host));
	parts_free(&p);
	return ok;
}

/* Without an emulator, gcs_endpoint(NULL) is the service. */
char *
gcs_endpoint_resolve(const char *opt, struct fk_err *e)
{
	if (opt != NULL)
		return gcs_endpoint(opt, FK_EX_USAGE, e);
	return gcs_endpoint(gcs_emulated(NULL), FK_EX_CONFIG, e);
}

const char *
gcs_emulated(const char *opt)
{
	const char *env = getenv("STORAGE_EMULATOR_HOST");

	if (opt != NULL || env == NULL || *env == '\0')
		return NULL;
	return env;
}

int
gcs_same_origin(const char *a, const char *b)
{
	struct parts pa, pb;
	int same;

	if (parts_get(a, &pa) < 0)
		return 0;
	if (parts_get(b, &pb) < 0) {
		parts_free(&pa);
		return 0;
	}
	same = strcasecmp(pa.scheme, pb.scheme) == 0 &&
	    strcasecmp(pa.host, pb.host) == 0 && strcmp(pa.port, pb.port) == 0;
	parts_free(&pa);
	parts_free(&pb);
	return same;
}

/* spec as a URL: "host:port" gets http://; no trailing slash. */
static char *
spec_url(const char *spec)
{
	char *url;
	size_t n;

	if (spec == NULL)
		return strdup(GCS_DEFAULT_BASE);
	if (strstr(spec, "://") != NULL)
		url = strdup(spec);
	else if (asprintf(&url, "http://%s", spec) < 0)
		url = NULL;
	if (url == NULL)
		return NULL;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}

/* 0 if url may be the base URL; -1 with e filled (code) otherwise. */
static int
check_base(const char *url, const char *spec, int code, struct fk_err *e)
{
	struct parts p;
	int rc = -1;

	if (parts_get(url, &p) < 0)
		return fk_fail(e, code, "invalid endpoint '%.100s'", spec);
	if (p.user != NULL || p.query != NULL || p.fragment != NULL)
		fk_fail(e, code, "invalid endpoint '%.100s': no user, query "
		    "or fragment allowed", spec);
	else if (strcasecmp(p.scheme, "https") != 0 &&
	    strcasecmp(p.scheme, "http") != 0)
		fk_fail(e, code, "invalid endpoint '%.100s': not http or https",
		    spec);
	else if (!gcs_url_allowed(url))
		fk_fail(e, code, "refusing plain http to '%.100s': only "
		    "loopback emulators may use http://", p.host);
	else
		rc = 0;
	parts_free(&p);
	return rc;
}

char *
gcs_endpoint(const char *spec, int code, struct fk_err *e)
{
	char *url = spec_url(spec);

	if (url == NULL) {
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	/* Never echo user info: it may hold a password. */
	if (spec != NULL && strchr(spec, '@') != NULL)
		spec = "(with user info)";
	if (check_base(url, spec != NULL ? spec : url, code, e) < 0) {
		free(url);
		return NULL;
	}
	return url;
}
