/*
 * object.c: object names, content types and resources (see object.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jv.h>

#include "json.h"
#include "object.h"

int
gcs_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, len;
	unsigned long cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

int
gcs_check_bucket(const char *b, struct fk_err *e)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 222)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid bucket name '%.64s': must be 3 to 222 characters",
		    b);
	for (i = 0; i < n; i++) {
		if ((b[i] >= 'a' && b[i] <= 'z') ||
		    (b[i] >= '0' && b[i] <= '9'))
			continue;
		if (i > 0 && i < n - 1 &&
		    (b[i] == '-' || b[i] == '_' || b[i] == '.'))
			continue;
		return fk_fail(e, FK_EX_USAGE, "invalid bucket name '%.64s': "
		    "use lowercase letters, digits, '-', '_' and '.', "
		    "starting and ending with a letter or digit", b);
	}
	return 0;
}

int
gcs_check_name(const char *name, struct fk_err *e)
{
	size_t n = strlen(name);

	if (n == 0)
		return fk_fail(e, FK_EX_USAGE, "missing object name");
	if (n > 1024)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid object name: %zu bytes, at most 1024", n);
	if (!gcs_utf8_valid(name, n))
		return fk_fail(e, FK_EX_USAGE,
		    "invalid object name: not valid UTF-8");
	if (strpbrk(name, "\r\n") != NULL)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid object name: contains CR or LF");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid object name '%s'", name);
	if (strncmp(name, ".well-known/acme-challenge/", 27) == 0)
		return fk_fail(e, FK_EX_USAGE, "invalid object name: "
		    "names under .well-known/acme-challenge/ are reserved");
	return 0;
}

int
gcs_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

int
gcs_meta_add(const char **kv, int *nkv, int max, const char *arg,
    struct fk_err *e)
{
	const char *eq = strchr(arg, '=');
	size_t klen;
	int i;

	if (eq == NULL || eq == arg)
		return fk_fail(e, FK_EX_USAGE, "invalid metadata '%s': "
		    "expected key=value", arg);
	if (!gcs_utf8_valid(arg, strlen(arg)))
		return fk_fail(e, FK_EX_USAGE, "invalid metadata: not valid "
		    "UTF-8");
	klen = (size_t)(eq - arg);
	for (i = 0; i < *nkv; i++)
		if (strncmp(kv[i], arg, klen + 1) == 0)
			return fk_fail(e, FK_EX_USAGE, "metadata key '%.*s' "
			    "given twice", (int)klen, arg);
	if (*nkv == max)
		return fk_fail(e, FK_EX_USAGE, "too many metadata entries (at "
		    "most %d)", max);
	kv[(*nkv)++] = arg;
	return 0;
}

int
gcs_storage_class(const char *s, char *out, size_t n, struct fk_err *e)
{
	size_t i, len = strlen(s);

	if (len == 0 || len >= n)
		return fk_fail(e, FK_EX_USAGE, "invalid storage class '%.40s'",
		    s);
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
			return fk_fail(e, FK_EX_USAGE, "invalid storage class "
			    "'%s'", s);
		out[i] = (char)(s[i] >= 'a' ? s[i] - 32 : s[i]);
	}
	out[len] = '\0';
	return 0;
}

int
gcs_parse_uri(const char *uri, char **bucket, char **name, struct fk_err *e)
{
	const char *b, *slash;

	*bucket = *name = NULL;
	if (strncmp(uri, "gs://", 5) != 0)
		return fk_fail(e, FK_EX_USAGE,
		    "invalid destination '%.64s': expected gs://BUCKET/OBJECT",
		    uri);
	b = uri + 5;
	slash = strchr(b, '/');
	if (slash == NULL || slash[1] == '\0')
		return fk_fail(e, FK_EX_USAGE,
		    "invalid destination '%.64s': missing object name", uri);
	*bucket = strndup(b, (size_t)(slash - b));
	*name = strdup(slash + 1);
	if (*bucket == NULL || *name == NULL)
		goto nomem;
	if (gcs_check_bucket(*bucket, e) < 0 || gcs_check_name(*name, e) < 0)
		goto bad;
	return 0;
nomem:
	fk_fail(e, FK_EX_SOFTWARE, "out of memory");
bad:
	free(*bucket);
	free(*name);
	*bucket = *name = NULL;
	return -1;
}

static int
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

const char *
gcs_guess_type(const char *name, int gzip)
{
	static const struct {
		const char *suffix;
		const char *type;
	} types[] = {
		{ ".avro", "application/avro" },
		{ ".json", "application/json" },
		{ ".ndjson", "application/x-ndjson" },
		{ ".jsonl", "application/x-ndjson" },
		{ ".csv", "text/csv" },
		{ ".parquet", "application/vnd.apache.parquet" },
		{ ".gz", "application/gzip" },
	};
	size_t n = strlen(name), i;

	if (gzip && has_suffix(name, n, ".gz"))
		n -= 3;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (has_suffix(name, n, types[i].suffix))
			return types[i].type;
	return "application/octet-stream";
}

static jv
set_str(jv o, const char *key, const char *val)
{
	if (val == NULL)
		return o;
	return jv_object_set(o, jv_string(key), jv_string(val));
}

jv
gcs_resource(const char *name, const struct gcs_meta *m,
    const struct gcs_sums *sums)
{
	jv o = jv_object(), md;
	const char *eq;
	int i;

	o = set_str(o, "name", name);
	o = set_str(o, "contentType", m->content_type);
	o = set_str(o, "contentEncoding", m->content_encoding);
	o = set_str(o, "cacheControl", m->cache_control);
	o = set_str(o, "storageClass", m->storage_class);
	if (m->nkv > 0) {
		md = jv_object();
		for (i = 0; i < m->nkv; i++) {
			eq = strchr(m->kv[i], '=');
			if (eq == NULL)
				continue;
			md = jv_object_set(md, jv_string_sized(m->kv[i],
			    (int)(eq - m->kv[i])), jv_string(eq + 1));
		}
		o = jv_object_set(o, jv_string("metadata"), md);
	}
	if (sums != NULL) {
		o = set_str(o, "crc32c", sums->crc32c);
		o = set_str(o, "md5Hash", sums->md5);
	}
	return o;
}

/*
 * The resource's size: the JSON API spells int64 as a string.  An absent
 * size is 0: proto3 JSON leaves zero-valued fields out.
 */
static int
object_size(jv obj, unsigned long long *out)
{
	jv v = jv_object_get(jv_copy(obj), jv_string("size"));
	char *end;
	int rc = -1;

	if (!jv_is_valid(v) || jv_get_kind(v) == JV_KIND_NULL) {
		*out = 0;
		rc = 0;
	} else if (jv_get_kind(v) == JV_KIND_STRING) {
		*out = strtoull(jv_string_value(v), &end, 10);
		rc = *jv_string_value(v) != '\0' && *end == '\0' ? 0 : -1;
	} else if (jv_get_kind(v) == JV_KIND_NUMBER &&
	    jv_number_value(v) >= 0) {
		*out = (unsigned long long)jv_number_value(v);
		rc = 0;
	}
	jv_free(v);
	return rc;
}

int
gcs_verify(jv obj, const struct gcs_sums *sent, struct fk_err *e)
{
	unsigned long long size;
	const char *crc, *md5;

	if (jv_get_kind(obj) != JV_KIND_OBJECT || object_size(obj, &size) < 0)
		return fk_fail(e, FK_EX_DATAERR,
		    "invalid object resource from the server: bad size");
	if (size != sent->size)
		return fk_fail(e, FK_EX_DATAERR, "size mismatch: sent %llu "
		    "bytes, the server stored %llu", sent->size, size);
	crc = fk_json_str(obj, "crc32c");
	if (crc == NULL)
		crc = GCS_CRC32C_ZERO;
	if (strcmp(crc, sent->crc32c) != 0)
		return fk_fail(e, FK_EX_DATAERR, "crc32c mismatch: sent %s, "
		    "the server stored %.16s", sent->crc32c, crc);
	md5 = fk_json_str(obj, "md5Hash");
	if (md5 != NULL && strcmp(md5, sent->md5) != 0)
		return fk_fail(e, FK_EX_DATAERR, "md5Hash mismatch: sent %s, "
		    "the server stored %.32s", sent->md5, md5);
	return 0;
}

jv
gcs_proto3_defaults(jv obj)
{
	static const struct {
		const char *key, *zero;
	} fields[] = {
		{ "size", "0" }, { "crc32c", GCS_CRC32C_ZERO },
	};
	jv v;
	size_t i;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return obj;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		v = jv_object_get(jv_copy(obj), jv_string(fields[i].key));
		if (!jv_is_valid(v) || jv_get_kind(v) == JV_KIND_NULL)
			obj = jv_object_set(obj, jv_string(fields[i].key),
			    jv_string(fields[i].zero));
		jv_free(v);
	}
	return obj;
}

jv
gcs_summary(jv obj)
{
	static const char *const keys[] = {
		"bucket", "name", "generation", "size", "crc32c", "md5Hash",
		"contentType", "contentEncoding", "cacheControl",
		"storageClass", "metadata"
	};
	jv out = jv_object(), v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = jv_object_get(jv_copy(obj), jv_string(keys[i]));
		if (jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL)
			out = jv_object_set(out, jv_string(keys[i]), v);
		else
			jv_free(v);
	}
	jv_free(obj);
	return out;
}

void
gcs_redact(const char *url, char *out, size_t outlen)
{
	const char *id = strstr(url, "upload_id=");
	size_t keep, vlen;

	if (outlen == 0)
		return;
	if (id == NULL) {
		snprintf(out, outlen, "%s", url);
		return;
	}
	id += strlen("upload_id=");
	vlen = strcspn(id, "&#");
	/* Short ids (test servers) keep even less: never the whole id. */
	keep = vlen > 12 ? 6 : vlen / 2;
	snprintf(out, outlen, "%.*s%.*s...%s", (int)(id - url), url,
	    (int)keep, id, id + vlen);
}
