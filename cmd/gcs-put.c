/*
 * gcs-put: store standard input as one Cloud Storage object, streaming
 * in bounded memory, verified by CRC-32C and MD5 before it becomes
 * visible, and print the object resource as one JSON line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>
#include <jv.h>

#include "cli.h"
#include "fk.h"
#include "gcs/auth/auth.h"
#include "gcs/endpoint.h"
#include "gcs/object.h"
#include "gcs/source.h"
#include "gcs/upload.h"
#include "http.h"
#include "json.h"
#include "log.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)
#define CHUNK_UNIT	(256 * KIB)
#define CHUNK_DEFAULT	(8 * MIB)
#define CHUNK_MAX	(1 * GIB)
#define MAX_META	64

_Static_assert(GCS_AUTH_MAX >= AUTH_HEADER_MAX,
    "the upload's header buffer must hold any Authorization line");

static volatile sig_atomic_t got_signal;

struct opts {
	int anonymous, check, gzip, no_empty, overwrite, verbosity;
	long long if_gen;		/* -1: not given */
	unsigned long long chunk;
	const char *content_type, *cache_control, *endpoint, *spool;
	char storage_class[32];
	const char *kv[MAX_META];
	int nkv;
	int retries;
	double retry_delay, retry_time;
	long stall_timeout;
};

/* What the upload's callbacks need from main. */
struct ctx {
	struct auth *auth;
	int progress;			/* draw progress on stderr */
	int drawn;			/* a progress line is on screen */
	double every;			/* > 0: JSON progress events */
	double last_event;
	double start;
	int check;			/* --check: nothing will be uploaded */
	int unreadable;			/* the existence check met a 403 */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: gcs-put [-qvz] [--anonymous] [--cache-control value] [--check]\n"
"               [--chunk-size size] [--content-type type] [--endpoint url]\n"
"               [--if-generation-match n | --overwrite] [-m key=value]\n"
"               [--no-empty] [--retries n] [--retry-delay seconds]\n"
"               [--retry-time seconds] [--spool dir]\n"
"               [--stall-timeout seconds] [--storage-class class]\n"
"               gs://bucket/object\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\n"
"Store standard input as one Cloud Storage object and print the object\n"
"resource (bucket, name, generation, size, crc32c, md5Hash, contentType,\n"
"metadata) as one JSON line.  Create-only unless told otherwise.\n"
"\n"
"  --anonymous             send no credentials\n"
"  --cache-control value   the object's Cache-Control\n"
"  --check                 read no input, create nothing: only check that\n"
"                          the credentials work, the bucket accepts new\n"
"                          objects and the precondition holds\n"
"  --chunk-size size       resumable chunk, k x 256KiB (default 8MiB);\n"
"                          a size as in fk(7): 256K, 8M, 1G\n"
"  --content-type type     default: from the name (.avro .json .ndjson\n"
"                          .jsonl .csv .parquet .gz)\n"
"  --endpoint url          service URL (http:// only to loopback)\n"
"  -h, --help              this help\n"
"  --if-generation-match n replace only generation n (0: create only)\n"
"  -m, --metadata key=value  custom metadata (repeatable)\n"
"  --no-empty              fail on empty input instead of storing 0 bytes\n"
"  --overwrite             replace an existing object\n"
"  -q, --quiet             errors only\n"
"  --retries n             retries per request without progress (10)\n"
"  --retry-delay seconds   first backoff ceiling, doubling to 32 (1)\n"
"  --retry-time seconds    time budget per request's retries (600; 0: none)\n"
"  --spool dir             keep a copy in dir to restart a lost session\n"
"  --stall-timeout seconds fail a request idle this long (60)\n"
"  --storage-class class   STANDARD, NEARLINE, COLDLINE, ARCHIVE, ...\n"
"  -v, --verbose           log each request (tokens and upload ids hidden)\n"
"  -V, --version           print the version\n"
"  -z, --gzip              compress with gzip, set contentEncoding gzip\n"
"\n"
"Environment: STORAGE_EMULATOR_HOST (host:port or URL: an emulator, no\n"
"credentials), GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_CONFIG,\n"
"GCE_METADATA_HOST, FK_LOG=json.\n"
"Exit: 0 ok, 1 refused (412: object exists), 64 usage, 65 data mismatch\n"
"or empty input with --no-empty, 74 read error, 75 retry later, 77 access\n"
"denied, 78 no credentials.\n");
}

static double
parse_seconds(const char *opt, const char *s, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(v >= 0) || v > max)
		fk_usage_error("invalid %s '%s': seconds from 0 to %g", opt, s,
		    max);
	return v;
}

/* Printable ASCII only: these values end up in HTTP headers. */
static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static void
add_metadata(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen;
	int i;

	if (eq == NULL || eq == arg)
		fk_usage_error("invalid metadata '%s': expected key=value", arg);
	if (!gcs_utf8_valid(arg, strlen(arg)))
		fk_usage_error("invalid metadata: not valid UTF-8");
	klen = (size_t)(eq - arg);
	for (i = 0; i < o->nkv; i++)
		if (strncmp(o->kv[i], arg, klen + 1) == 0)
			fk_usage_error("metadata key '%.*s' given twice",
			    (int)klen, arg);
	if (o->nkv == MAX_META)
		fk_usage_error("too many metadata entries (at most %d)", MAX_META);
	o->kv[o->nkv++] = arg;
}

static void
set_storage_class(struct opts *o, const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= sizeof(o->storage_class))
		fk_usage_error("invalid storage class '%.40s'", s);
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
			fk_usage_error("invalid storage class '%s'", s);
		o->storage_class[i] = (char)(s[i] >= 'a' ? s[i] - 32 : s[i]);
	}
	o->storage_class[n] = '\0';
}

enum {
	OPT_ANON = 256, OPT_CACHE, OPT_CHUNK, OPT_CTYPE, OPT_ENDPOINT,
	OPT_IFGEN, OPT_NOEMPTY, OPT_OVERWRITE, OPT_RETRIES, OPT_RDELAY,
	OPT_RTIME, OPT_SPOOL, OPT_STALL, OPT_CLASS, OPT_CHECK
};

/* The leading ':' lets us word the complaints ourselves. */
static const char shortopts[] = ":hm:qvVz";

static const struct option longopts[] = {
	{ "anonymous", no_argument, NULL, OPT_ANON },
	{ "cache-control", required_argument, NULL, OPT_CACHE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "chunk-size", required_argument, NULL, OPT_CHUNK },
	{ "content-type", required_argument, NULL, OPT_CTYPE },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "gzip", no_argument, NULL, 'z' },
	{ "help", no_argument, NULL, 'h' },
	{ "if-generation-match", required_argument, NULL, OPT_IFGEN },
	{ "metadata", required_argument, NULL, 'm' },
	{ "no-empty", no_argument, NULL, OPT_NOEMPTY },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "retry-delay", required_argument, NULL, OPT_RDELAY },
	{ "retry-time", required_argument, NULL, OPT_RTIME },
	{ "spool", required_argument, NULL, OPT_SPOOL },
	{ "stall-timeout", required_argument, NULL, OPT_STALL },
	{ "storage-class", required_argument, NULL, OPT_CLASS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
parse_long(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_ANON:
		o->anonymous = 1;
		break;
	case OPT_CACHE:
		if (!header_safe(arg))
			fk_usage_error("invalid --cache-control: printable ASCII "
			    "only");
		o->cache_control = arg;
		break;
	case OPT_CHUNK:
		o->chunk = fk_opt_size("--chunk-size", arg, CHUNK_UNIT,
		    CHUNK_MAX);
		if (o->chunk % CHUNK_UNIT != 0)
			fk_usage_error("invalid --chunk-size '%s': not a "
			    "multiple of 256K", arg);
		break;
	case OPT_CTYPE:
		if (!header_safe(arg) || strchr(arg, '/') == NULL)
			fk_usage_error("invalid --content-type '%s'", arg);
		o->content_type = arg;
		break;
	case OPT_ENDPOINT:
		o->endpoint = arg;
		break;
	case OPT_IFGEN:
		o->if_gen = fk_opt_number("--if-generation-match", arg, 0,
		    (1LL << 62));
		break;
	case OPT_NOEMPTY:
		o->no_empty = 1;
		break;
	case OPT_OVERWRITE:
		o->overwrite = 1;
		break;
	case OPT_RETRIES:
		o->retries = (int)fk_opt_number("--retries", arg, 0, 1000);
		break;
	case OPT_RDELAY:
		o->retry_delay = parse_seconds("--retry-delay", arg, 3600);
		break;
	case OPT_RTIME:
		o->retry_time = parse_seconds("--retry-time", arg, 7 * 86400);
		break;
	case OPT_SPOOL:
		o->spool = arg;
		break;
	case OPT_STALL:
		o->stall_timeout = (long)fk_opt_number("--stall-timeout", arg, 1,
		    86400);
		break;
	case OPT_CLASS:
		set_storage_class(o, arg);
		break;
	case OPT_CHECK:
		o->check = 1;
		break;
	}
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->if_gen = -1;
	o->chunk = CHUNK_DEFAULT;
	o->verbosity = 1;
	o->retries = 10;
	o->retry_delay = 1;
	o->retry_time = 600;
	o->stall_timeout = 60;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
			exit(0);
		case 'm':
			add_metadata(o, optarg);
			break;
		case 'q':
			o->verbosity = 0;
			break;
		case 'v':
			o->verbosity = 2;
			break;
		case 'V':
			printf("gcs-put %s\n", FK_VERSION);
			exit(0);
		case 'z':
			o->gzip = 1;
			break;
		case '?':
		case ':':
			fk_bad_option(c, argv, shortopts);
		default:
			parse_long(o, c, optarg);
		}
	}
	if (o->overwrite && o->if_gen >= 0)
		fk_usage_error("--overwrite and --if-generation-match conflict");
	if (optind != argc - 1)
		fk_usage_error(optind == argc ? "missing destination "
		    "gs://bucket/object" : "too many operands");
	return optind;
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

/*
 * No SA_RESTART: a blocked read(2) of stdin must return EINTR.  A signal
 * ignored on entry (a background job of a script) stays ignored.
 */
static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

static int
auth_cb(void *arg, int refresh, char *hdr, size_t len, struct fk_err *e)
{
	struct ctx *x = arg;

	if (refresh)
		auth_invalidate(x->auth);
	return auth_header(x->auth, hdr, len, e);
}

static void
human(double n, char *out, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (n >= 1024 && i < 4) {
		n /= 1024;
		i++;
	}
	snprintf(out, len, i == 0 ? "%.0f %s" : "%.1f %s", n, units[i]);
}

static void
draw_progress(struct ctx *x, const struct gcs_event *ev)
{
	char done[32], rate[32];
	double secs = fk_now() - x->start;

	human((double)ev->sent, done, sizeof(done));
	human(secs > 0 ? (double)ev->sent / secs : 0, rate, sizeof(rate));
	fprintf(stderr, "\r%s sent, %s/s, %d retr%s    ", done, rate,
	    ev->retries, ev->retries == 1 ? "y" : "ies");
	x->drawn = 1;
}

static void
clear_progress(struct ctx *x)
{
	if (x->drawn)
		fprintf(stderr, "\r%60s\r", "");
	x->drawn = 0;
}

/* Under FK_LOG=json: how far the upload got, every x->every seconds. */
static void
log_progress(struct ctx *x, const struct gcs_event *ev)
{
	double now = fk_now(), secs = now - x->start;

	if (now - x->last_event < x->every)
		return;
	x->last_event = now;
	fk_log(FK_LOG_INFO, "progress", (struct fk_kv[]){
	    FK_N("sent", (double)ev->sent),
	    FK_N("confirmed", (double)ev->confirmed),
	    FK_N("seconds", secs),
	    FK_N("rate", secs > 0 ? (double)ev->sent / secs : 0),
	    FK_N("retries", ev->retries) }, 5, "%llu bytes sent", ev->sent);
}

/* A 403 on the existence check: what it means depends on the mode. */
static void
unreadable(struct ctx *x)
{
	x->unreadable = 1;
	if (x->check)
		fk_warn("--check cannot tell whether the object may be "
		    "created: no permission to read whether it exists (HTTP "
		    "403); an upload's own precondition will decide");
	else
		fk_warn("cannot tell whether the object exists (HTTP 403: no "
		    "permission to read it); uploading with the precondition "
		    "alone");
}

static void
on_event(void *arg, const struct gcs_event *ev)
{
	struct ctx *x = arg;

	if (ev->kind == GCS_EV_PROGRESS) {
		if (x->progress)
			draw_progress(x, ev);
		else if (x->every > 0)
			log_progress(x, ev);
		return;
	}
	clear_progress(x);
	switch (ev->kind) {
	case GCS_EV_REQUEST:
		fk_log(FK_LOG_DEBUG, "request", (struct fk_kv[]){
		    FK_S("method", ev->method), FK_S("url", ev->url),
		    FK_S("range", ev->range), FK_N("status", ev->status),
		    FK_N("seconds", ev->seconds) }, 5, "%s %s%s%s -> %ld "
		    "(%.3f s)", ev->method, ev->url, ev->range ? " " : "",
		    ev->range ? ev->range : "", ev->status, ev->seconds);
		break;
	case GCS_EV_RETRY:
		fk_log(FK_LOG_INFO, "retry", (struct fk_kv[]){
		    FK_N("attempt", ev->attempt), FK_N("delay", ev->delay),
		    FK_N("confirmed", ev->confirmed) }, 3,
		    "retry %d in %.2f s: %s", ev->attempt, ev->delay,
		    ev->why->msg);
		break;
	case GCS_EV_RESTART:
		fk_log(FK_LOG_WARN, "restart", (struct fk_kv[]){
		    FK_N("status", ev->status) }, 1, "upload session lost "
		    "(HTTP %ld); starting again from the spool", ev->status);
		break;
	case GCS_EV_UNREADABLE:
		unreadable(x);
		break;
	case GCS_EV_ADOPT:
		fk_log(FK_LOG_INFO, "adopt", NULL, 0, "an earlier attempt "
		    "stored the object; its hashes match");
		break;
	default:
		break;
	}
}

/*
 * fk(7), PROGRESS: a stage that reads a pipe leaves the line to the one
 * upstream, which runs as long and knows the totals.
 */
static void
set_progress(struct ctx *x)
{
	struct stat st;
	int piped = fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));

	x->progress = fk_progress_rule(piped, &x->every);
}

static void
summary(struct gcs_up *u, jv obj, double secs)
{
	struct gcs_up_stats st;
	const char *size = fk_json_str(obj, "size");
	double n = size != NULL ? strtod(size, NULL) : 0;

	gcs_up_stats(u, &st);
	fk_log(FK_LOG_DEBUG, "summary", (struct fk_kv[]){
	    FK_N("bytes", n), FK_N("seconds", secs),
	    FK_N("requests", st.requests), FK_N("retries", st.retries),
	    FK_N("restarts", st.restarts), FK_N("wire", (double)st.wire) }, 6,
	    "stored %.0f bytes by %s upload in %.2f s (%.1f MiB/s), %d "
	    "requests, %d retries", n, st.resumable ? "resumable" :
	    "multipart", secs, secs > 0 ? n / secs / MIB : 0, st.requests,
	    st.retries);
}

static void
init_gcrypt(void)
{
	if (gcry_check_version(GCRYPT_VERSION) == NULL) {
		fk_error("libgcrypt is older than %s", GCRYPT_VERSION);
		exit(FK_EX_SOFTWARE);
	}
	/* A little locked memory for the credentials module's keys. */
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 32768, 0);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

static char *
resolve_base(const struct opts *o, struct fk_err *e)
{
	const char *env = getenv("STORAGE_EMULATOR_HOST");

	if (o->endpoint != NULL)
		return gcs_endpoint(o->endpoint, FK_EX_USAGE, e);
	if (env != NULL && *env != '\0')
		return gcs_endpoint(env, FK_EX_CONFIG, e);
	return gcs_endpoint(NULL, FK_EX_CONFIG, e);
}

/* Object fields from the options; the type follows the name by default. */
static void
set_meta(struct gcs_meta *m, const struct opts *o, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->content_type = o->content_type != NULL ? o->content_type :
	    gcs_guess_type(name, o->gzip);
	m->content_encoding = o->gzip ? "gzip" : NULL;
	m->cache_control = o->cache_control;
	m->storage_class = o->storage_class[0] ? o->storage_class : NULL;
	m->kv = o->kv;
	m->nkv = o->nkv;
}

/* Timeouts and the retry budget, shared by uploads and token requests. */
static void
set_policy(struct gcs_up_conf *c, const struct opts *o)
{
	struct fk_retry r = FK_RETRY_DEFAULT;

	c->http.connect_timeout = 30;
	c->http.stall_timeout = o->stall_timeout;
	c->http.user_agent = "gcs-put/" FK_VERSION;
	r.max_attempts = o->retries + 1;
	r.base = o->retry_delay;
	r.max_elapsed = o->retry_time;
	c->retry = r;
}

/* An emulator named by STORAGE_EMULATOR_HOST gets no credentials. */
static enum auth_mode
auth_mode(const struct opts *o)
{
	const char *env = getenv("STORAGE_EMULATOR_HOST");

	if (o->anonymous)
		return AUTH_NONE;
	if (o->endpoint == NULL && env != NULL && *env != '\0')
		return AUTH_NONE;
	return AUTH_ADC;
}

static void
set_target(struct gcs_up_conf *c, const struct opts *o, const char *base,
    const char *bucket, const char *name, const struct gcs_meta *meta)
{
	c->base = base;
	c->bucket = bucket;
	c->name = name;
	c->meta = meta;
	c->chunk = (size_t)o->chunk;
	if (o->overwrite)
		c->if_generation_match = -1;
	else
		c->if_generation_match = o->if_gen >= 0 ? o->if_gen : 0;
	c->no_empty = o->no_empty;
	c->max_restarts = 3;
}

/*
 * --check: everything an upload would need first, before a long job
 * produces its input.  0, or the exit code after saying why.
 */
static int
check_only(const struct gcs_up_conf *conf, const struct ctx *x,
    struct fk_err *e)
{
	struct gcs_up *u = gcs_up_new(conf, e);
	int rc = 0;

	if (u == NULL || gcs_up_check(u, e) < 0) {
		if (got_signal == 0)
			fk_error("%s", e->msg);
		rc = e->code != 0 ? e->code : FK_EX_SOFTWARE;
	} else {
		fk_log(FK_LOG_INFO, "check", NULL, 0, "gs://%s/%s: the "
		    "credentials work, the bucket accepts new objects%s",
		    conf->bucket, conf->name, x->unreadable ? "" :
		    " and the precondition holds");
	}
	gcs_up_free(u);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct ctx x = { 0 };
	struct gcs_meta meta;
	struct gcs_up_conf conf = { 0 };
	struct gcs_src src;
	struct gcs_up *u = NULL;
	struct fk_err e = { 0, "" };
	char *bucket = NULL, *name = NULL, *base = NULL;
	int src_open = 0, rc = 0, op, sig = 0, closed;
	jv obj = jv_invalid();

	fk_log_init("gcs-put", 1);
	op = parse_args(&o, argc, argv);
	fk_log_init("gcs-put", o.verbosity);
	if (gcs_parse_uri(argv[op], &bucket, &name, &e) < 0)
		fk_usage_error("%s", e.msg);
	base = resolve_base(&o, &e);
	if (base == NULL && e.code == FK_EX_USAGE)
		fk_usage_error("%s", e.msg);
	if (base == NULL)
		goto fail;
	init_gcrypt();
	catch_signals();
	if (fk_http_global_init(&e) < 0)
		goto fail;
	set_policy(&conf, &o);
	x.auth = auth_new(auth_mode(&o), &conf.http, &conf.retry, &e);
	if (x.auth == NULL)
		goto fail;
	set_meta(&meta, &o, name);
	set_target(&conf, &o, base, bucket, name, &meta);
	conf.auth = auth_cb;
	conf.event = on_event;
	conf.arg = &x;
	conf.stop = &got_signal;
	set_progress(&x);
	x.start = x.last_event = fk_now();
	x.check = o.check;
	if (o.check) {
		rc = check_only(&conf, &x, &e);
		sig = got_signal;
		goto out;
	}
	if (gcs_src_open(&src, 0, o.gzip, o.spool, &got_signal, &e) < 0)
		goto fail;
	src_open = 1;
	u = gcs_up_new(&conf, &e);
	if (u == NULL || gcs_up_run(u, &src, &obj, &e) < 0)
		goto fail;
	clear_progress(&x);
	summary(u, obj, fk_now() - x.start);
	/* Checked when stdout is closed, below. */
	(void)fk_json_write_line(gcs_summary(obj), stdout);
	goto out;
fail:
	clear_progress(&x);
	/* Nothing half-done may be finalised later: drop the session. */
	gcs_up_cancel(u);
	sig = got_signal;
	if (sig == 0) {
		fk_error("%s", e.msg);
		rc = e.code != 0 ? e.code : FK_EX_SOFTWARE;
	}
out:
	gcs_up_free(u);
	if (src_open)
		gcs_src_close(&src);
	auth_free(x.auth);
	free(bucket);
	free(name);
	free(base);
	if (sig != 0)
		fk_die_by_signal(sig);
	/* The object is stored: a reader that went away is no failure. */
	closed = fk_close_stdout(FK_EPIPE_QUIET);
	return rc != 0 ? rc : closed;
}
