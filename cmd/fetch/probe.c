/*
 * probe.c: which API versions answer (see probe.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "spec.h"

#define NVERSIONS	2

/*
 * The "/api" the base URL's version hangs from: "http://h/api/v2" gives
 * "http://h/api" and version 2; a base without "/api/vN" at its end is
 * taken as the root of a server ("http://h" gives "http://h/api").
 */
static int
split_base(const char *base, char *root, size_t n, int *version)
{
	const char *v = strrchr(base, '/');
	size_t len = strlen(base);

	*version = 0;
	if (v != NULL && v[1] == 'v' && v[2] >= '1' && v[2] <= '9' &&
	    strspn(v + 2, "0123456789") == strlen(v + 2) &&
	    (size_t)(v - base) >= 4 && strncmp(v - 4, "/api", 4) == 0) {
		*version = atoi(v + 2);
		len = (size_t)(v - base);
		return snprintf(root, n, "%.*s", (int)len, base) < (int)n ? 0 :
		    -1;
	}
	if (len >= 4 && strcmp(base + len - 4, "/api") == 0)
		return snprintf(root, n, "%s", base) < (int)n ? 0 : -1;
	return snprintf(root, n, "%s/api", base) < (int)n ? 0 : -1;
}

/* Nonzero if root/vN/users answers 200. */
static int
answers(const char *root, int version, const struct fk_http_opts *o)
{
	struct curl_slist *hdrs = NULL;
	struct fk_resp r;
	char url[4200];
	CURL *h;
	int ok = 0;

	snprintf(url, sizeof(url), "%s/v%d/users?_quantity=1", root, version);
	memset(&r, 0, sizeof(r));
	r.body.max = 1 << 20;
	h = fk_http_easy(o);
	hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (h == NULL || hdrs == NULL)
		goto out;
	fk_resp_attach(h, &r);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
		ok = r.status == 200;
	}
out:
	curl_slist_free_all(hdrs);
	if (h != NULL)
		curl_easy_cleanup(h);
	fk_resp_free(&r);
	return ok;
}

void
fetch_probe_versions(const char *base, const char *resource,
    const struct fk_http_opts *o, char *out, size_t outlen)
{
	char root[4096], shown[4096], list[64] = "";
	int cur, v, found = 0, last = 0, has[NVERSIONS + 1] = { 0 };

	out[0] = '\0';
	if (split_base(base, root, sizeof(root), &cur) < 0)
		return;
	for (v = 1; v <= NVERSIONS; v++) {
		has[v] = answers(root, v, o);
		if (!has[v])
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s/api/v%d", found ? " and " : "", v);
		found++;
		last = v;
	}
	fetch_url_redact(root, shown, sizeof(shown));
	if (found == 0)
		snprintf(out, outlen, "no FakerAPI version answers under '%s' "
		    "(tried /v1 and /v2): check --base-url", shown);
	else if (cur >= 1 && cur <= NVERSIONS && has[cur])
		snprintf(out, outlen, "the server has %s, but no resource "
		    "'%s' there", list, resource);
	else
		snprintf(out, outlen, "the server has %s%s: try --base-url "
		    "%s/v%d", list, found == 1 ? " only" : "", shown, last);
}
