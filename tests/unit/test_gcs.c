/*
 * test_gcs.c: gcs-put's modules without a server: CRC-32C, digests and
 * base64, object names, content types, resources and their check, URL
 * rules, the Range header, and the stdin source (look-ahead, gzip,
 * spool, read errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <jv.h>
#include <zlib.h>

#include "b64.h"
#include "t.h"
#include "gcs/crc32c.h"
#include "gcs/digest.h"
#include "gcs/endpoint.h"
#include "gcs/object.h"
#include "json.h"
#include "gcs/source.h"
#include "gcs/upload.h"

static void
test_crc32c(void)
{
	static unsigned char big[70001];
	uint32_t whole, sw, parts;
	size_t i, cut, off;
	int bad = 0;

	T_OK(gcs_crc32c(0, "123456789", 9) == 0xE3069283u,
	    "crc32c check value of \"123456789\" is E3069283");
	T_OK(gcs_crc32c_sw(0, "123456789", 9) == 0xE3069283u,
	    "slice-by-8 path gives the check value");
	T_OK(gcs_crc32c(0, "", 0) == 0, "crc32c of nothing is 0");
	/* RFC 3720 B.4: 32 bytes of zeros -> 8A9136AA. */
	memset(big, 0, 32);
	T_OK(gcs_crc32c(0, big, 32) == 0x8A9136AAu, "32 zero bytes: 8A9136AA");
	memset(big, 0xff, 32);
	T_OK(gcs_crc32c(0, big, 32) == 0x62A8AB43u, "32 0xff bytes: 62A8AB43");
	srand(7);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)rand();
	whole = gcs_crc32c(0, big, sizeof(big));
	sw = gcs_crc32c_sw(0, big, sizeof(big));
	T_OK(whole == sw, "hardware (%s) and table paths agree on 70001 bytes",
	    gcs_crc32c_hw() ? "sse4.2" : "absent");
	for (cut = 0; cut <= 300; cut++) {
		parts = gcs_crc32c(gcs_crc32c(0, big, cut), big + cut,
		    sizeof(big) - cut);
		bad += parts != whole;
	}
	T_OK(bad == 0, "streaming in two pieces at every cut 0..300 matches");
	for (off = 1, bad = 0; off < 16; off++)
		bad += gcs_crc32c(0, big + off, 1000) !=
		    gcs_crc32c_sw(0, big + off, 1000);
	T_OK(bad == 0, "unaligned starts agree between paths");
	parts = 0;
	for (i = 0; i < sizeof(big); i += 977)
		parts = gcs_crc32c(parts, big + i, i + 977 > sizeof(big) ?
		    sizeof(big) - i : 977);
	T_OK(parts == whole, "streaming in 977-byte pieces matches");
}

static void
test_b64(void)
{
	char out[64];

	fk_b64_encode("", 0, out, FK_B64_STD);
	T_STREQ(out, "", "base64 of nothing");
	fk_b64_encode("f", 1, out, FK_B64_STD);
	T_STREQ(out, "Zg==", "base64 'f'");
	fk_b64_encode("fo", 2, out, FK_B64_STD);
	T_STREQ(out, "Zm8=", "base64 'fo'");
	fk_b64_encode("foo", 3, out, FK_B64_STD);
	T_STREQ(out, "Zm9v", "base64 'foo'");
	fk_b64_encode("foobar", 6, out, FK_B64_STD);
	T_STREQ(out, "Zm9vYmFy", "base64 'foobar'");
	fk_b64_encode("\xfb\xff", 2, out, FK_B64_STD);
	T_STREQ(out, "+/8=", "base64 uses + and /");
	gcs_crc32c_b64(0, out);
	T_STREQ(out, "AAAAAA==", "crc32c of empty input in GCS form");
	gcs_crc32c_b64(0xE3069283u, out);
	T_STREQ(out, "4waSgw==", "crc32c base64 is big-endian");
}

static void
test_digest(void)
{
	struct gcs_digest d;
	struct gcs_sums s;
	struct fk_err e;

	T_OK(gcs_digest_init(&d, &e) == 0, "digest starts");
	T_OK(gcs_digest_sums(&d, &s, &e) == 0, "sums of nothing");
	T_STREQ(s.md5, "1B2M2Y8AsgTpgAmY7PhCfg==", "md5 of nothing");
	T_STREQ(s.crc32c, "AAAAAA==", "crc32c of nothing");
	gcs_digest_update(&d, "1234", 4);
	gcs_digest_sums(&d, &s, &e);
	gcs_digest_update(&d, "56789", 5);
	T_OK(gcs_digest_sums(&d, &s, &e) == 0 && s.size == 9,
	    "sums can be read mid-stream and the digest goes on");
	T_STREQ(s.crc32c, "4waSgw==", "crc32c of 123456789 in pieces");
	T_STREQ(s.md5, "JfnnlDI7RTiF9RgfG2JNCw==", "md5 of 123456789");
	gcs_digest_free(&d);
}

static void
test_names(void)
{
	struct fk_err e;
	char *b, *n, big[1100];

	T_OK(gcs_utf8_valid("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 12),
	    "utf-8: 2, 3 and 4-byte forms");
	T_OK(!gcs_utf8_valid("\xc0\xaf", 2), "utf-8: overlong refused");
	T_OK(!gcs_utf8_valid("\xed\xa0\x80", 3), "utf-8: surrogate refused");
	T_OK(!gcs_utf8_valid("\xf4\x90\x80\x80", 4), "utf-8: > U+10FFFF");
	T_OK(!gcs_utf8_valid("\xe2\x82", 2), "utf-8: truncated sequence");
	T_OK(!gcs_utf8_valid("\xff", 1), "utf-8: 0xff refused");

	T_OK(gcs_check_name("a b/c#d?e%f \xc3\xa9", &e) == 0,
	    "name with space, /, #, ?, %% and unicode is valid");
	T_OK(gcs_check_name("", &e) < 0 && e.code == FK_EX_USAGE,
	    "empty name refused");
	T_OK(gcs_check_name(".", &e) < 0 && gcs_check_name("..", &e) < 0,
	    ". and .. refused");
	T_OK(gcs_check_name("../x", &e) == 0, "../x is just a name");
	T_OK(gcs_check_name("a\nb", &e) < 0 && strstr(e.msg, "CR or LF"),
	    "LF refused");
	T_OK(gcs_check_name("a\rb", &e) < 0, "CR refused");
	T_OK(gcs_check_name("a\xff", &e) < 0 && strstr(e.msg, "UTF-8"),
	    "invalid UTF-8 refused");
	memset(big, 'x', 1024);
	big[1024] = '\0';
	T_OK(gcs_check_name(big, &e) == 0, "1024 bytes allowed");
	big[1024] = 'x';
	big[1025] = '\0';
	T_OK(gcs_check_name(big, &e) < 0 && strstr(e.msg, "1025"),
	    "1025 bytes refused");
	T_OK(gcs_check_name(".well-known/acme-challenge/x", &e) < 0,
	    "acme-challenge prefix refused");

	T_OK(gcs_check_bucket("my-bucket.v2_x", &e) == 0, "bucket name ok");
	T_OK(gcs_check_bucket("ab", &e) < 0, "bucket too short");
	T_OK(gcs_check_bucket("Bucket", &e) < 0, "bucket uppercase refused");
	T_OK(gcs_check_bucket("-abc", &e) < 0, "bucket leading dash refused");

	T_OK(gcs_parse_uri("gs://bkt/dir/obj.csv", &b, &n, &e) == 0 &&
	    strcmp(b, "bkt") == 0 && strcmp(n, "dir/obj.csv") == 0,
	    "gs:// uri split at the first slash");
	free(b);
	free(n);
	T_OK(gcs_parse_uri("gs://bkt//x", &b, &n, &e) == 0 &&
	    strcmp(n, "/x") == 0, "leading slash kept in the name");
	free(b);
	free(n);
	T_OK(gcs_parse_uri("s3://bkt/x", &b, &n, &e) < 0 &&
	    e.code == FK_EX_USAGE, "other schemes refused");
	T_OK(gcs_parse_uri("gs://bkt", &b, &n, &e) < 0, "no object refused");
	T_OK(gcs_parse_uri("gs://bkt/", &b, &n, &e) < 0,
	    "empty object refused");
	T_OK(gcs_parse_uri("gs://bkt/..", &b, &n, &e) < 0 && b == NULL,
	    "bad name refused, nothing left allocated");
}

static void
test_types(void)
{
	T_STREQ(gcs_guess_type("x.avro", 0), "application/avro", ".avro");
	T_STREQ(gcs_guess_type("x.json", 0), "application/json", ".json");
	T_STREQ(gcs_guess_type("x.ndjson", 0), "application/x-ndjson",
	    ".ndjson");
	T_STREQ(gcs_guess_type("x.JSONL", 0), "application/x-ndjson",
	    ".JSONL (case-insensitive)");
	T_STREQ(gcs_guess_type("x.csv", 0), "text/csv", ".csv");
	T_STREQ(gcs_guess_type("x.parquet", 0),
	    "application/vnd.apache.parquet", ".parquet");
	T_STREQ(gcs_guess_type("x.ndjson.gz", 0), "application/gzip",
	    ".gz stored as is");
	T_STREQ(gcs_guess_type("x.ndjson.gz", 1), "application/x-ndjson",
	    "--gzip: the type of what is inside");
	T_STREQ(gcs_guess_type("x.csv", 1), "text/csv", "--gzip without .gz");
	T_STREQ(gcs_guess_type("x", 0), "application/octet-stream", "other");
	T_STREQ(gcs_guess_type("gz", 0), "application/octet-stream",
	    "no dot, no suffix");
}

static jv
parse(const char *s)
{
	return jv_parse(s);
}

static void
test_resource(void)
{
	const char *kv[] = { "a=1", "k=v=w", "empty=" };
	struct gcs_meta m = { "text/csv", "gzip", "no-cache", "NEARLINE",
	    kv, 3 };
	struct gcs_sums s = { "AAAAAA==", "1B2M2Y8AsgTpgAmY7PhCfg==", 0 };
	jv r, want;

	r = gcs_resource("d/x.csv", &m, &s);
	want = parse("{\"name\":\"d/x.csv\",\"contentType\":\"text/csv\","
	    "\"contentEncoding\":\"gzip\",\"cacheControl\":\"no-cache\","
	    "\"storageClass\":\"NEARLINE\",\"metadata\":{\"a\":\"1\","
	    "\"k\":\"v=w\",\"empty\":\"\"},\"crc32c\":\"AAAAAA==\","
	    "\"md5Hash\":\"1B2M2Y8AsgTpgAmY7PhCfg==\"}");
	T_OK(jv_equal(r, want), "resource carries every field and the hashes");
	m = (struct gcs_meta){ "text/csv", NULL, NULL, NULL, NULL, 0 };
	r = gcs_resource("x", &m, NULL);
	want = parse("{\"name\":\"x\",\"contentType\":\"text/csv\"}");
	T_OK(jv_equal(r, want), "unset fields are left out");
}

static void
test_verify(void)
{
	struct gcs_sums s = { "4waSgw==", "JfnnlDI7RTiF9RgfG2JNCw==", 9 };
	struct fk_err e;
	jv o;

	o = parse("{\"size\":\"9\",\"crc32c\":\"4waSgw==\","
	    "\"md5Hash\":\"JfnnlDI7RTiF9RgfG2JNCw==\"}");
	T_OK(gcs_verify(o, &s, &e) == 0, "matching object verifies");
	jv_free(o);
	o = parse("{\"size\":\"10\",\"crc32c\":\"4waSgw==\"}");
	T_OK(gcs_verify(o, &s, &e) < 0 && e.code == FK_EX_DATAERR &&
	    strstr(e.msg, "size"), "size mismatch is a data error");
	jv_free(o);
	o = parse("{\"size\":\"9\",\"crc32c\":\"AAAAAA==\"}");
	T_OK(gcs_verify(o, &s, &e) < 0 && strstr(e.msg, "crc32c"),
	    "crc32c mismatch");
	jv_free(o);
	o = parse("{\"size\":\"9\",\"crc32c\":\"4waSgw==\","
	    "\"md5Hash\":\"1B2M2Y8AsgTpgAmY7PhCfg==\"}");
	T_OK(gcs_verify(o, &s, &e) < 0 && strstr(e.msg, "md5Hash"),
	    "md5Hash mismatch");
	jv_free(o);
	o = parse("{\"size\":9,\"crc32c\":\"4waSgw==\"}");
	T_OK(gcs_verify(o, &s, &e) == 0, "numeric size, no md5Hash: accepted");
	jv_free(o);
	o = parse("{\"size\":\"9\"}");
	T_OK(gcs_verify(o, &s, &e) < 0 && strstr(e.msg, "crc32c"),
	    "missing crc32c is 0 (AAAAAA==): a mismatch for 9 bytes");
	jv_free(o);
	{
		struct gcs_sums z = { "AAAAAA==", "1B2M2Y8AsgTpgAmY7PhCfg==", 0 };

		o = parse("{\"md5Hash\":\"1B2M2Y8AsgTpgAmY7PhCfg==\"}");
		T_OK(gcs_verify(o, &z, &e) == 0, "proto3: an empty object "
		    "without size or crc32c verifies");
		o = gcs_proto3_defaults(o);
		T_OK(strcmp(fk_json_str(o, "size"), "0") == 0 &&
		    strcmp(fk_json_str(o, "crc32c"), "AAAAAA==") == 0,
		    "proto3 defaults spell out size 0 and crc32c AAAAAA==");
		jv_free(o);
		o = parse("{\"size\":\"9\"}");
		T_OK(gcs_verify(o, &z, &e) < 0, "... but not with size 9");
		jv_free(o);
	}
	o = parse("[]");
	T_OK(gcs_verify(o, &s, &e) < 0, "not an object refused");
	jv_free(o);

	o = gcs_summary(parse("{\"kind\":\"storage#object\",\"bucket\":\"b\","
	    "\"name\":\"n\",\"generation\":\"5\",\"size\":\"9\","
	    "\"crc32c\":\"x\",\"md5Hash\":\"y\",\"contentType\":\"t\","
	    "\"metadata\":{\"a\":\"1\"},\"selfLink\":\"z\"}"));
	T_OK(jv_equal(o, parse("{\"bucket\":\"b\",\"name\":\"n\","
	    "\"generation\":\"5\",\"size\":\"9\",\"crc32c\":\"x\","
	    "\"md5Hash\":\"y\",\"contentType\":\"t\","
	    "\"metadata\":{\"a\":\"1\"}}")),
	    "summary keeps the documented fields only");
}

static void
test_urls(void)
{
	struct fk_err e;
	char out[256], *u;

	gcs_redact("https://h/upload?uploadType=resumable&upload_id="
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ&x=1", out, sizeof(out));
	T_STREQ(out, "https://h/upload?uploadType=resumable&upload_id="
	    "ABCDEF...&x=1", "upload_id shortened, the rest kept");
	gcs_redact("http://h/u?upload_id=abcdef", out, sizeof(out));
	T_STREQ(out, "http://h/u?upload_id=abc...", "a short id is halved");
	gcs_redact("http://h/o?name=x", out, sizeof(out));
	T_STREQ(out, "http://h/o?name=x", "no upload_id: unchanged");

	T_OK(gcs_range_persisted(NULL) == 0, "no Range: nothing persisted");
	T_OK(gcs_range_persisted("bytes=0-262143") == 262144,
	    "Range bytes=0-262143 is 262144 bytes");
	T_OK(gcs_range_persisted("bytes=0-0") == 1, "bytes=0-0 is one byte");
	T_OK(gcs_range_persisted("bytes=1-5") < 0, "not from 0: refused");
	T_OK(gcs_range_persisted("bytes=0-") < 0, "open range refused");
	T_OK(gcs_range_persisted("0-5") < 0, "no unit refused");
	T_OK(gcs_range_persisted("bytes=0-5x") < 0, "trailing junk refused");

	u = gcs_endpoint("127.0.0.1:4443", FK_EX_CONFIG, &e);
	T_OK(u != NULL && strcmp(u, "http://127.0.0.1:4443") == 0,
	    "host:port means http://host:port");
	free(u);
	u = gcs_endpoint("http://localhost:9023/", FK_EX_CONFIG, &e);
	T_OK(u != NULL && strcmp(u, "http://localhost:9023") == 0,
	    "URL form, trailing slash dropped");
	free(u);
	u = gcs_endpoint("http://[::1]:80", FK_EX_CONFIG, &e);
	T_OK(u != NULL, "http to [::1] allowed");
	free(u);
	u = gcs_endpoint("https://storage.example.com", FK_EX_USAGE, &e);
	T_OK(u != NULL, "https anywhere allowed");
	free(u);
	u = gcs_endpoint("gcs.example.com:4443", FK_EX_CONFIG, &e);
	T_OK(u == NULL && e.code == FK_EX_CONFIG && strstr(e.msg, "loopback"),
	    "plain http to a remote host refused");
	u = gcs_endpoint("http://128.0.0.1", FK_EX_USAGE, &e);
	T_OK(u == NULL && e.code == FK_EX_USAGE, "128.0.0.1 is not loopback");
	u = gcs_endpoint("http://u:secret@127.0.0.1", FK_EX_USAGE, &e);
	T_OK(u == NULL && strstr(e.msg, "secret") == NULL,
	    "user info refused and not echoed");
	u = gcs_endpoint("ftp://127.0.0.1", FK_EX_USAGE, &e);
	T_OK(u == NULL, "ftp refused");
	u = gcs_endpoint(NULL, FK_EX_USAGE, &e);
	T_OK(u != NULL && strcmp(u, "https://storage.googleapis.com") == 0,
	    "default is the service");
	free(u);
	T_OK(gcs_url_allowed("http://127.1.2.3:5/x"),
	    "127/8 is loopback: plain http allowed");
	T_OK(!gcs_url_allowed("http://localhost.evil.com/"),
	    "localhost.evil.com is not loopback");
	T_OK(gcs_same_origin("http://127.0.0.1:80/a", "http://127.0.0.1/b?c"),
	    "default port equals explicit");
	T_OK(!gcs_same_origin("http://127.0.0.1:81/a", "http://127.0.0.1/a"),
	    "another port is another origin");
	T_OK(!gcs_url_allowed("http://10.0.0.1/u?upload_id=1"),
	    "a session URI in clear text elsewhere is refused");
}

/* A pipe carrying n bytes of data, written by a child. */
static int
pipe_of(const unsigned char *data, size_t n)
{
	int fd[2];
	pid_t pid;
	ssize_t w;
	size_t off = 0;

	if (pipe(fd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		while (off < n) {
			w = write(fd[1], data + off, n - off > 4096 ? 4096 :
			    n - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fd[1]);
	return fd[0];
}

static void
test_source(void)
{
	static unsigned char in[600000], out[700000], back[600000];
	struct gcs_src s;
	struct fk_err e;
	z_stream z;
	ssize_t n, m;
	int fd, dir;
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + i / 1000);

	/* Exactly two chunks: the look-ahead must find EOF after the second. */
	fd = pipe_of(in, 524288);
	gcs_src_open(&s, fd, 0, NULL, NULL, &e);
	n = gcs_src_read(&s, out, 262144, &e);
	T_OK(n == 262144 && gcs_src_at_eof(&s, &e) == 0,
	    "a full chunk with more to come");
	m = gcs_src_read(&s, out + n, 262144, &e);
	T_OK(m == 262144 && gcs_src_at_eof(&s, &e) == 1,
	    "a full chunk at the very end: look-ahead sees EOF");
	T_OK(memcmp(out, in, 524288) == 0, "bytes come out in order");
	T_OK(gcs_src_read(&s, out, 10, &e) == 0, "then nothing");
	gcs_src_close(&s);
	close(fd);

	/* Spool: every produced byte can be read back. */
	fd = pipe_of(in, 300000);
	T_OK(gcs_src_open(&s, fd, 0, "/tmp", NULL, &e) == 0, "spool opens");
	n = gcs_src_read(&s, out, 262144, &e);
	gcs_src_at_eof(&s, &e);
	m = gcs_src_read(&s, out, 262144, &e);
	T_OK(n == 262144 && m == 300000 - 262144, "short last piece");
	T_OK(gcs_src_replay(&s, 1000, back, 299000, &e) == 0 &&
	    memcmp(back, in + 1000, 299000) == 0, "spool replays exact bytes");
	T_OK(gcs_src_replay(&s, 299999, back, 2, &e) < 0,
	    "replay past what was produced refused");
	gcs_src_close(&s);
	close(fd);

	/* gzip: what comes out inflates to what went in. */
	fd = pipe_of(in, sizeof(in));
	gcs_src_open(&s, fd, 1, NULL, NULL, &e);
	n = 0;
	do {
		m = gcs_src_read(&s, out + n, 262144, &e);
		n += m > 0 ? m : 0;
	} while (m == 262144);
	T_OK(m >= 0 && s.raw == sizeof(in) && (unsigned long long)n ==
	    s.produced, "gzip consumed all input");
	T_OK(n > 18 && out[0] == 0x1f && out[1] == 0x8b, "gzip magic");
	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 15 + 16);
	z.next_in = out;
	z.avail_in = (uInt)n;
	z.next_out = back;
	z.avail_out = sizeof(back);
	T_OK(inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out ==
	    sizeof(in) && memcmp(back, in, sizeof(in)) == 0,
	    "gzip output inflates to the input");
	inflateEnd(&z);
	gcs_src_close(&s);
	close(fd);

	/* gzip of nothing is still a gzip stream. */
	fd = pipe_of(in, 0);
	gcs_src_open(&s, fd, 1, NULL, NULL, &e);
	n = gcs_src_read(&s, out, 262144, &e);
	T_OK(n == 20 && s.raw == 0, "gzip of empty input is 20 bytes");
	gcs_src_close(&s);
	close(fd);

	/* A directory as stdin: a read error, exit class 74. */
	dir = open("/", O_RDONLY | O_DIRECTORY);
	gcs_src_open(&s, dir, 0, NULL, NULL, &e);
	T_OK(gcs_src_read(&s, out, 100, &e) < 0 && e.code == FK_EX_IOERR &&
	    strstr(e.msg, "standard input"), "read error is FK_EX_IOERR: %s",
	    e.msg);
	gcs_src_close(&s);
	close(dir);
	T_OK(gcs_src_open(&s, 0, 0, "/nonexistent/dir", NULL, &e) < 0 &&
	    e.code == FK_EX_IOERR, "unusable spool directory refused");
}

int
main(void)
{
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	test_crc32c();
	test_b64();
	test_digest();
	test_names();
	test_types();
	test_resource();
	test_verify();
	test_urls();
	test_source();
	T_DONE();
}
