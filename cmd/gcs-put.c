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
#include <unistd.h>

#include <jv.h>

#include "cli.h"
#include "crypt.h"
#include "fk.h"
#include "gcs/auth/auth.h"
#include "gcs/endpoint.h"
#include "gcs/object.h"
#include "gcs/progress.h"
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
	struct gcs_progress pg;
	int check;			/* --check: nothing will be uploaded */
	int unreadable;			/* the existence check got no answer */
};

enum {
	OPT_ANON = 256, OPT_CACHE, OPT_CHUNK, OPT_CTYPE, OPT_ENDPOINT,
	OPT_IFGEN, OPT_NOEMPTY, OPT_OVERWRITE, OPT_RETRIES, OPT_RDELAY,
	OPT_RTIME, OPT_SPOOL, OPT_STALL, OPT_CLASS, OPT_CHECK
};

static const struct fk_opt opts[] = {
#include "gcs-put.def"
	{ 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: gcs-put [-qvz] [--anonymous] [--cache-control VALUE] [--check]\n"
"               [--chunk-size SIZE] [--content-type TYPE] [--endpoint URL]\n"
"               [--if-generation-match N | --overwrite] [-m KEY=VALUE]\n"
"               [--no-empty] [--retries N] [--retry-delay SECONDS]\n"
"               [--retry-time SECONDS] [--spool DIR]\n"
"               [--stall-timeout SECONDS] [--storage-class CLASS]\n"
"               gs://BUCKET/OBJECT\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\n"
"Store standard input as one Cloud Storage object and print the object\n"
"resource (bucket, name, generation, size, crc32c, md5Hash, contentType,\n"
"metadata) as one JSON line.  Create-only unless told otherwise.\n"
"\n");
	fk_opts_help(stdout, opts);
	printf(
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

static void
add_metadata(struct opts *o, const char *arg)
{
	struct fk_err e;

	if (gcs_meta_add(o->kv, &o->nkv, MAX_META, arg, &e) < 0)
		fk_usage_error("%s", e.msg);
}

static void
parse_long(struct opts *o, int c, const char *arg)
{
	struct fk_err e;

	switch (c) {
	case OPT_ANON:
		o->anonymous = 1;
		break;
	case OPT_CACHE:
		if (!gcs_header_safe(arg))
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
		if (!gcs_header_safe(arg) || strchr(arg, '/') == NULL)
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
		if (gcs_storage_class(arg, o->storage_class,
		    sizeof(o->storage_class), &e) < 0)
			fk_usage_error("%s", e.msg);
		break;
	case OPT_CHECK:
		o->check = 1;
		break;
	}
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	struct fk_cli cli = { .opts = opts, .help = help, .verbosity = 1 };
	int c;

	memset(o, 0, sizeof(*o));
	o->if_gen = -1;
	o->chunk = CHUNK_DEFAULT;
	o->verbosity = 1;
	o->retries = 10;
	o->retry_delay = 1;
	o->retry_time = 600;
	o->stall_timeout = 60;
	while ((c = fk_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			add_metadata(o, optarg);
			break;
		case 'z':
			o->gzip = 1;
			break;
		default:
			parse_long(o, c, optarg);
		}
	}
	o->verbosity = cli.verbosity;
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

/*
 * The existence check was not answered (a 403 from a writer that may not
 * read, or a failure not retried): what that means depends on the mode.
 */
static void
unreadable(struct ctx *x, const struct gcs_event *ev)
{
	const char *why = ev->status == 403 ? ": no permission to read it" :
	    "";

	x->unreadable = 1;
	if (x->check)
		fk_warn("--check cannot tell whether the object exists (HTTP "
		    "%ld%s); an upload's own precondition will decide",
		    ev->status, why);
	else
		fk_warn("cannot tell whether the object exists (HTTP %ld%s); "
		    "uploading with the precondition alone", ev->status, why);
}

static void
on_event(void *arg, const struct gcs_event *ev)
{
	struct ctx *x = arg;

	if (ev->kind == GCS_EV_PROGRESS) {
		gcs_progress_show(&x->pg, ev);
		return;
	}
	gcs_progress_clear(&x->pg);
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
		unreadable(x, ev);
		break;
	case GCS_EV_ADOPT:
		fk_log(FK_LOG_INFO, "adopt", NULL, 0, "an earlier attempt "
		    "stored the object; its hashes match");
		break;
	default:
		break;
	}
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
	base = gcs_endpoint_resolve(o.endpoint, &e);
	if (base == NULL && e.code == FK_EX_USAGE)
		fk_usage_error("%s", e.msg);
	if (base == NULL)
		goto fail;
	/* A little locked memory for the credentials module's keys. */
	if (fk_crypt_init(32768, &e) < 0)
		goto fail;
	catch_signals();
	if (fk_http_global_init(&e) < 0)
		goto fail;
	set_policy(&conf, &o);
	/* An emulator named by STORAGE_EMULATOR_HOST gets no credentials. */
	x.auth = auth_new(o.anonymous || gcs_emulated(o.endpoint) ? AUTH_NONE :
	    AUTH_ADC, &conf.http, &conf.retry, &e);
	if (x.auth == NULL)
		goto fail;
	set_meta(&meta, &o, name);
	set_target(&conf, &o, base, bucket, name, &meta);
	conf.auth = auth_cb;
	conf.event = on_event;
	conf.arg = &x;
	conf.stop = &got_signal;
	gcs_progress_init(&x.pg);
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
	gcs_progress_clear(&x.pg);
	summary(u, obj, fk_now() - x.pg.start);
	/* Checked when stdout is closed, below. */
	(void)fk_json_write_line(gcs_summary(obj), stdout);
	goto out;
fail:
	gcs_progress_clear(&x.pg);
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
