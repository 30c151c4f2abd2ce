/*
 * test_shape_pii.c: HMAC-SHA256 against RFC 4231, IP masking, and the
 * drop/mask/hash paths on rows.
 */
#include <string.h>

#include <gcrypt.h>

#include "t.h"
#include "shape/check/pii.h"

static size_t
unhex(const char *h, unsigned char *out)
{
	size_t n = 0;
	unsigned int b;

	for (; h[0] != '\0' && h[1] != '\0' && h[0] != '('; h += 2) {
		sscanf(h, "%2x", &b);
		out[n++] = (unsigned char)b;
	}
	return n;
}

static void
test_rfc4231(void)
{
	/* RFC 4231 section 4: key, data (hex), HMAC-SHA-256. */
	static const struct {
		const char *key, *data, *mac;
	} t[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		    "4869205468657265",
		    "b0344c61d8db38535ca8afceaf0bf12b"
		    "881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665",
		    "7768617420646f2079612077616e7420"
		    "666f72206e6f7468696e673f",
		    "5bdcc146bf60754e6a042426089575c7"
		    "5a003f089d2739839dec58b964ec3843" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    "dddddddddddddddddddddddddddddddddddddddddddddddddddd"
		    "dddddddddddddddddddddddddddddddddddddddddddddddd",
		    "773ea91e36800e46854db8ebd09181a7"
		    "2959098b3ef8c122d9635514ced565fe" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		    "82558a389a443c0ea4cc819899f2083a"
		    "85f0faa3e578f8077a2e3ff46729665b" },
		{ "(131 x aa)",
		    "54657374205573696e67204c61726765"
		    "72205468616e20426c6f636b2d53697a"
		    "65204b6579202d2048617368204b6579"
		    "204669727374",
		    "60e431591ee0b67f0d8a26aacbf5b77f"
		    "8e0bc6213728c5140546040f0ee37f54" },
		{ "(131 x aa)",
		    "54686973206973206120746573742075"
		    "73696e672061206c6172676572207468"
		    "616e20626c6f636b2d73697a65206b65"
		    "7920616e642061206c61726765722074"
		    "68616e20626c6f636b2d73697a652064"
		    "6174612e20546865206b6579206e6565"
		    "647320746f2062652068617368656420"
		    "6265666f7265206265696e6720757365"
		    "642062792074686520484d414320616c"
		    "676f726974686d2e",
		    "9b09ffa71b942fcb27635fbcd5b0e944"
		    "bfdc63644f0713938a7f51535c3a35e2" },
	};
	unsigned char key[200], data[200];
	size_t i, kl, dl;
	char out[65];
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		kl = unhex(t[i].key, key);
		if (i >= 4) {
			/* Cases 6 and 7: 131 bytes of 0xaa. */
			memset(key, 0xaa, 131);
			kl = 131;
		}
		dl = unhex(t[i].data, data);
		rc = pii_hmac_hex(key, kl, data, dl, out);
		T_OK(rc == 0 && strcmp(out, t[i].mac) == 0, "RFC 4231 "
		    "HMAC-SHA-256 case %zu", i < 4 ? i + 1 : i + 2);
	}
}

static void
test_mask(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "128.75.60.170", "128.75.60.0" },
		{ "10.0.0.1", "10.0.0.0" },
		{ "2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::" },
		{ "::1", "::" },
		{ "fe80::1", "fe80::" },
		{ "::ffff:1.2.3.4", "::" },
		{ "300.1.1.1", NULL },
		{ "1.2.3", NULL },
		{ "01.2.3.4", NULL },
		{ "example.com", NULL },
		{ "", NULL },
	};
	char out[64];
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = pii_mask_ip(t[i].in, out);
		if (t[i].want == NULL)
			T_OK(r == -1, "mask \"%s\" fails", t[i].in);
		else
			T_OK(r == 0 && strcmp(out, t[i].want) == 0, "mask %s: "
			    "want %s, got %s", t[i].in, t[i].want,
			    r == 0 ? out : "(error)");
	}
}

static void
test_apply(void)
{
	struct pii *p = pii_new();
	struct pii_state *st;
	struct schema_cerr ce;
	struct fk_err e;
	char mac[65];
	jv row, out, d;
	int rc;

	/* T_OK evaluates its condition twice: no side effects in it. */
	rc = pii_add(p, PII_DROP, "password,address.street", &e);
	T_OK(rc == 0, "add --drop paths");
	rc = pii_add(p, PII_MASK_IP, "ip,hosts.ip", &e);
	T_OK(rc == 0, "add --mask-ip paths");
	rc = pii_add(p, PII_HASH, "email", &e);
	T_OK(rc == 0, "add --hash paths");
	rc = pii_add(p, PII_HASH, "email", &e);
	T_OK(rc == -1, "a path named twice: %s", e.msg);
	rc = pii_add(p, PII_DROP, "a..b", &e);
	T_OK(rc == -1, "an empty component: %s", e.msg);
	st = pii_state_new(p, &e);
	T_OK(st == NULL && e.code == FK_EX_CONFIG, "--hash without a key: %s",
	    e.msg);
	rc = pii_set_key(p, "", 0, &e);
	T_OK(rc == -1, "empty key refused");
	rc = pii_set_key(p, "k3y", 3, &e);
	T_OK(rc == 0, "set the key");
	st = pii_state_new(p, &e);
	T_OK(st != NULL, "state");
	row = jv_parse("{\"email\":\"a@b.c\",\"password\":\"p\",\"ip\":"
	    "\"1.2.3.4\",\"address\":{\"street\":\"s\",\"city\":\"c\"},"
	    "\"hosts\":[{\"ip\":\"::1\"},{\"ip\":null}]}");
	rc = pii_apply(st, row, &out, &ce);
	T_OK(rc == 0, "apply");
	pii_hmac_hex("k3y", 3, "a@b.c", 5, mac);
	d = jv_dump_string(out, 0);
	T_OK(strstr(jv_string_value(d), mac) != NULL &&
	    strstr(jv_string_value(d), "password") == NULL &&
	    strstr(jv_string_value(d), "street") == NULL &&
	    strstr(jv_string_value(d), "\"ip\":\"1.2.3.0\"") != NULL &&
	    strstr(jv_string_value(d), "[{\"ip\":\"::\"},{\"ip\":null}]") !=
	    NULL, "dropped, masked, hashed: %s", jv_string_value(d));
	jv_free(d);
	T_OK(pii_hits(st, 0) == 1 && pii_hits(st, 3) == 2,
	    "hits counted (each array element)");
	row = jv_parse("{\"ip\":\"not an ip\"}");
	rc = pii_apply(st, row, &out, &ce);
	T_OK(rc == -1 && strcmp(ce.path, "ip") == 0, "bad IP: %s %s", ce.path,
	    ce.reason);
	jv_free(out);
	row = jv_parse("{\"email\":{\"x\":1}}");
	rc = pii_apply(st, row, &out, &ce);
	T_OK(rc == -1, "hash an object: %s", ce.reason);
	jv_free(out);
	row = jv_parse("{\"email\":42}");
	rc = pii_apply(st, row, &out, &ce);
	T_OK(rc == 0, "hash a number");
	pii_hmac_hex("k3y", 3, "42", 2, mac);
	d = jv_object_get(out, jv_string("email"));
	T_STREQ(jv_string_value(d), mac, "42 hashes as its text");
	jv_free(d);
	pii_state_free(st);
	pii_free(p);
}

int
main(void)
{
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	test_rfc4231();
	test_mask();
	test_apply();
	T_DONE();
}
