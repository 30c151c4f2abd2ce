/*
 * pii.c: drop, mask and hash fields of a row (see pii.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "pii.h"
#include "shape/numfmt.h"

#define MAXPATH 64

struct path {
	char *text;		/* as given, for messages */
	char **comp;
	size_t ncomp;
	enum pii_op op;
};

struct pii {
	struct path *paths;
	size_t n;
	unsigned char *key;
	size_t klen;
};

struct pii_state {
	const struct pii *p;
	gcry_mac_hd_t mac;
	unsigned long *hits;
	struct schema_cerr *ce;
	int failed;
};

struct pii *
pii_new(void)
{
	return calloc(1, sizeof(struct pii));
}

static void
path_free(struct path *p)
{
	size_t i;

	for (i = 0; i < p->ncomp; i++)
		free(p->comp[i]);
	free(p->comp);
	free(p->text);
}

void
pii_free(struct pii *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		path_free(&p->paths[i]);
	free(p->paths);
	if (p->key != NULL) {
		explicit_bzero(p->key, p->klen);
		free(p->key);
	}
	free(p);
}

/* Split one dotted path into components. */
static int
path_parse(struct path *p, const char *s, size_t n, struct fk_err *e)
{
	const char *q, *end = s + n;
	char **c;

	memset(p, 0, sizeof(*p));
	p->text = strndup(s, n);
	if (p->text == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	for (;;) {
		q = memchr(s, '.', (size_t)(end - s));
		if (q == NULL)
			q = end;
		if (q == s || p->ncomp == MAXPATH) {
			fk_fail(e, FK_EX_USAGE, "bad field path '%s'",
			    p->text);
			path_free(p);
			return -1;
		}
		c = realloc(p->comp, (p->ncomp + 1) * sizeof(*c));
		if (c == NULL) {
			path_free(p);
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		}
		p->comp = c;
		c[p->ncomp] = strndup(s, (size_t)(q - s));
		if (c[p->ncomp++] == NULL) {
			path_free(p);
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		}
		if (q == end)
			return 0;
		s = q + 1;
	}
}

int
pii_add(struct pii *p, enum pii_op op, const char *list,
    struct fk_err *e)
{
	const char *s = list, *q;
	struct path *np, path;
	size_t i;

	do {
		q = strchr(s, ',');
		if (q == NULL)
			q = s + strlen(s);
		if (path_parse(&path, s, (size_t)(q - s), e) == -1)
			return -1;
		for (i = 0; i < p->n; i++) {
			if (strcmp(p->paths[i].text, path.text) == 0) {
				fk_fail(e, FK_EX_USAGE, "field '%s' is named "
				    "twice in --drop, --mask-ip or --hash",
				    path.text);
				path_free(&path);
				return -1;
			}
		}
		np = realloc(p->paths, (p->n + 1) * sizeof(*np));
		if (np == NULL) {
			path_free(&path);
			return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		}
		p->paths = np;
		path.op = op;
		p->paths[p->n++] = path;
		s = q + 1;
	} while (*q != '\0');
	return 0;
}

int
pii_has(const struct pii *p, int op)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (op == -1 || (int)p->paths[i].op == op)
			return 1;
	return 0;
}

int
pii_set_key(struct pii *p, const void *key, size_t n,
    struct fk_err *e)
{
	if (n == 0)
		return fk_fail(e, FK_EX_CONFIG, "the --hash key is empty");
	p->key = malloc(n);
	if (p->key == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	memcpy(p->key, key, n);
	p->klen = n;
	return 0;
}

size_t
pii_npaths(const struct pii *p)
{
	return p->n;
}

const char *
pii_path(const struct pii *p, size_t i, int *op)
{
	*op = (int)p->paths[i].op;
	return p->paths[i].text;
}

unsigned long
pii_hits(const struct pii_state *st, size_t i)
{
	return st->hits[i];
}

struct pii_state *
pii_state_new(const struct pii *p, struct fk_err *e)
{
	struct pii_state *st;
	gcry_error_t ge;

	st = calloc(1, sizeof(*st));
	if (st == NULL || (st->hits = calloc(p->n + 1,
	    sizeof(*st->hits))) == NULL) {
		free(st);
		fk_fail(e, FK_EX_SOFTWARE, "out of memory");
		return NULL;
	}
	st->p = p;
	if (!pii_has(p, PII_HASH))
		return st;
	if (p->key == NULL) {
		pii_state_free(st);
		fk_fail(e, FK_EX_CONFIG, "--hash needs a key");
		return NULL;
	}
	ge = gcry_mac_open(&st->mac, GCRY_MAC_HMAC_SHA256, 0, NULL);
	if (ge == 0)
		ge = gcry_mac_setkey(st->mac, p->key, p->klen);
	if (ge != 0) {
		fk_fail(e, FK_EX_SOFTWARE, "cannot set up HMAC-SHA256: %s",
		    gcry_strerror(ge));
		pii_state_free(st);
		return NULL;
	}
	return st;
}

void
pii_state_free(struct pii_state *st)
{
	if (st == NULL)
		return;
	if (st->mac != NULL)
		gcry_mac_close(st->mac);
	free(st->hits);
	free(st);
}

static void
tohex(const unsigned char *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* HMAC on an open handle already keyed. */
static int
mac_hex(gcry_mac_hd_t h, const void *msg, size_t n, char out[65])
{
	unsigned char d[32];
	size_t dl = sizeof(d);

	if (gcry_mac_reset(h) != 0 || gcry_mac_write(h, msg, n) != 0 ||
	    gcry_mac_read(h, d, &dl) != 0 || dl != sizeof(d))
		return -1;
	tohex(d, dl, out);
	return 0;
}

int
pii_hmac_hex(const void *key, size_t klen, const void *msg, size_t n,
    char out[65])
{
	gcry_mac_hd_t h;
	int rc = -1;

	if (gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, 0, NULL) != 0)
		return -1;
	if (gcry_mac_setkey(h, key, klen) == 0)
		rc = mac_hex(h, msg, n, out);
	gcry_mac_close(h);
	return rc;
}

int
pii_mask_ip(const char *text, char out[64])
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1) {
		a[3] = 0;
		return inet_ntop(AF_INET, a, out, 64) != NULL ? 0 : -1;
	}
	if (inet_pton(AF_INET6, text, a) == 1) {
		memset(a + 6, 0, 10);
		return inet_ntop(AF_INET6, a, out, 64) != NULL ? 0 : -1;
	}
	return -1;
}

static int
pfail(struct pii_state *st, const struct path *p, const char *why)
{
	snprintf(st->ce->path, sizeof(st->ce->path), "%s", p->text);
	snprintf(st->ce->reason, sizeof(st->ce->reason), "%s", why);
	st->failed = 1;
	return -1;
}

/* Mask or hash one value (consumed); arrays element by element. */
static jv
transform(struct pii_state *st, const struct path *p, jv v)
{
	char buf[64], hex[65];
	const char *s;
	int i, n;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		return v;
	case JV_KIND_ARRAY:
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n && !st->failed; i++)
			v = jv_array_set(v, i, transform(st, p,
			    jv_array_get(jv_copy(v), i)));
		return v;
	case JV_KIND_STRING:
		s = jv_string_value(v);
		if (p->op == PII_MASK_IP) {
			if (pii_mask_ip(s, buf) == -1) {
				pfail(st, p, "not an IPv4 or IPv6 address");
				return v;
			}
			jv_free(v);
			return jv_string(buf);
		}
		if (mac_hex(st->mac, s, (size_t)jv_string_length_bytes(
		    jv_copy(v)), hex) == -1) {
			pfail(st, p, "HMAC failed");
			return v;
		}
		jv_free(v);
		return jv_string(hex);
	case JV_KIND_NUMBER:
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		if (p->op == PII_MASK_IP) {
			pfail(st, p, "not an IPv4 or IPv6 address");
			return v;
		}
		/* Hash the JSON text: 42 and "42" give the same token. */
		if (jv_get_kind(v) == JV_KIND_NUMBER)
			numfmt_double(jv_number_value(v), buf);
		else
			snprintf(buf, sizeof(buf), "%s",
			    jv_get_kind(v) == JV_KIND_TRUE ? "true" : "false");
		if (mac_hex(st->mac, buf, strlen(buf), hex) == -1) {
			pfail(st, p, "HMAC failed");
			return v;
		}
		jv_free(v);
		return jv_string(hex);
	default:
		pfail(st, p, p->op == PII_HASH ? "cannot hash an object; "
		    "name its fields" : "not an IPv4 or IPv6 address");
		return v;
	}
}

/* Walk p->comp from component i inside v (consumed). */
static jv
walk(struct pii_state *st, size_t pi, jv v, size_t i)
{
	const struct path *p = &st->p->paths[pi];
	jv key, m;
	int j, n;

	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(v));
		for (j = 0; j < n && !st->failed; j++)
			v = jv_array_set(v, j, walk(st, pi,
			    jv_array_get(jv_copy(v), j), i));
		return v;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return v;
	key = jv_string(p->comp[i]);
	m = jv_object_get(jv_copy(v), jv_copy(key));
	if (!jv_is_valid(m)) {
		jv_free(key);
		jv_free(m);
		return v;
	}
	if (i + 1 < p->ncomp) {
		/* Drop v's own reference first so m is changed in place. */
		v = jv_object_set(v, jv_copy(key), jv_null());
		return jv_object_set(v, key, walk(st, pi, m, i + 1));
	}
	st->hits[pi]++;
	if (p->op == PII_DROP) {
		jv_free(m);
		return jv_object_delete(v, key);
	}
	v = jv_object_set(v, jv_copy(key), jv_null());
	return jv_object_set(v, key, transform(st, p, m));
}

int
pii_apply(struct pii_state *st, jv row, jv *out, struct schema_cerr *ce)
{
	static const enum pii_op order[] = { PII_DROP, PII_MASK_IP,
	    PII_HASH };
	size_t i, k;

	st->ce = ce;
	st->failed = 0;
	for (k = 0; k < 3; k++)
		for (i = 0; i < st->p->n && !st->failed; i++)
			if (st->p->paths[i].op == order[k])
				row = walk(st, i, row, 0);
	*out = row;
	return st->failed ? -1 : 0;
}

/* ---- rows as text ----------------------------------------------------- */

static int
key_is(const struct proj_kv *m, const char *name)
{
	return strncmp(name, m->k, m->kn) == 0 && name[m->kn] == '\0';
}

/*
 * Mask or hash the member m (p a one-name path) into its JSON text at
 * out; -1: the canonical path must take it.
 */
static int
text_value(struct pii_state *st, const struct path *p, struct proj_kv *m,
    char *out)
{
	char ip[64], res[65];
	size_t n;

	if (m->v == NULL || m->v[0] == 'n')
		return 0;		/* null stays null */
	if (m->v[0] != '"' || memchr(m->v + 1, '\\', m->vn - 2) != NULL)
		return -1;
	n = m->vn - 2;
	if (p->op == PII_MASK_IP) {
		if (n >= sizeof(ip))
			return -1;
		memcpy(ip, m->v + 1, n);
		ip[n] = '\0';
		if (pii_mask_ip(ip, res) == -1)
			return -1;
	} else if (mac_hex(st->mac, m->v + 1, n, res) == -1) {
		return -1;
	}
	n = (size_t)snprintf(out, PII_TEXT_MAX, "\"%s\"", res);
	m->v = out;
	m->vn = n;
	return 0;
}

/* One path over the row's members; -1: the canonical path's. */
static int
text_path(struct pii_state *st, size_t pi, struct proj_kv *kv, size_t *n,
    char *buf)
{
	const struct path *p = &st->p->paths[pi];
	size_t j, k;
	int hit = 0;

	for (j = 0, k = 0; j < *n; j++) {
		kv[k] = kv[j];
		if (!key_is(&kv[j], p->comp[0])) {
			k++;
			continue;
		}
		if (p->ncomp > 1) {
			/* It reaches inside only objects and arrays. */
			if (kv[j].v != NULL && (kv[j].v[0] == '{' ||
			    kv[j].v[0] == '['))
				return -1;
			k++;
			continue;
		}
		hit = 1;
		if (p->op == PII_DROP)
			continue;
		if (text_value(st, p, &kv[k], buf + j * PII_TEXT_MAX) == -1)
			return -1;
		k++;
	}
	*n = k;
	st->hits[pi] += (unsigned long)hit;
	return 0;
}

int
pii_apply_text(struct pii_state *st, struct proj_kv *kv, size_t *n,
    char *buf)
{
	static const enum pii_op order[] = { PII_DROP, PII_MASK_IP,
	    PII_HASH };
	size_t i, k;

	for (k = 0; k < 3; k++)
		for (i = 0; i < st->p->n; i++)
			if (st->p->paths[i].op == order[k] &&
			    text_path(st, i, kv, n, buf) == -1)
				return 1;
	return 0;
}
