/*
 * fk-fetch: FakerAPI records as NDJSON on standard output.
 *
 * Options, wiring, messages and exit codes; the work is in cmd/fetch/:
 * spec (what to fetch, checked), plan (split, seeds, ids, shards),
 * shard (the environment of batch systems), engine (requests, retries,
 * pacing, ordered output).
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/engine.h"
#include "fetch/job.h"
#include "fetch/plan.h"
#include "fetch/probe.h"
#include "fetch/progress.h"
#include "fetch/shard.h"
#include "fetch/spec.h"
#include "cli.h"
#include "fk.h"
#include "http.h"
#include "log.h"

#define DEFAULT_BASE	"https://fakerapi.it/api/v2"
#define DEFAULT_COUNT	100
#define DEFAULT_RATE	25
#define MAX_PARALLEL	64

struct opts {
	long long count;
	long long seed;			/* 0: none given */
	const char *seed_from;		/* "--seed" or "FK_SEED" */
	const char *base;
	struct fetch_param *params;
	size_t nparams;
	int parallel;
	long long rate;
	struct fetch_shard shard;
	int shard_given;
	int raw;
	long long retries;
	long long connect_timeout;
	long long stall_timeout;
	int unbuffered;
	int verbosity;
	const char *operand;		/* NULL: users */
};

/* The specs of the run and what the progress line needs. */
struct job {
	struct fetch_job fj;
	uint64_t nshard;
	struct fetch_progress pg;
	int progress;		/* a progress line is allowed (fk(7)) */
	int shown;		/* one is on the screen now */
	double every;		/* FK_LOG=json: seconds between events */
	double last_event;
};

enum {
	OPT_SHARD = 256, OPT_RAW, OPT_RETRIES, OPT_CONNECT_TIMEOUT,
	OPT_STALL_TIMEOUT
};

static const struct fk_opt opts[] = {
#include "fk-fetch.def"
	{ 0 }
};

static const char usage_text[] =
    "usage: fk-fetch [-quvhV] [-n N] [-s S] [-b URL] [-p KEY=VALUE]\n"
    "                [-j N] [-r N] [--shard I/N] [--raw] [--retries N]\n"
    "                [--connect-timeout S] [--stall-timeout S]\n"
    "                [RESOURCE[?QUERY] | -]\n";

static void
help(void)
{
	fputs(usage_text, stdout);
	fputs("\n"
	    "Fetch FakerAPI records and write them as NDJSON, one object per "
	    "line.\n"
	    "RESOURCE is users (default), persons, addresses, books, "
	    "companies,\n"
	    "credit_cards, images, places, products, texts or custom, "
	    "optionally with\n"
	    "a query (users?_locale=it_IT).  '-' reads one such spec per line "
	    "from stdin.\n"
	    "\n", stdout);
	fk_opts_help(stdout, opts);
	fputs("\n"
	    "The service's per-response counters (id, custom fields of type "
	    "counter)\n"
	    "become 1000*k + position + 1 for request k, unique across the "
	    "run;\n"
	    "nothing else is changed.  Exit status: 0 ok, 1 refused by the server, 64 "
	    "usage,\n"
	    "65 bad input or response, 74 I/O error, 75 temporary failure "
	    "(rerun),\n"
	    "77 permission refused.  See fk-fetch(1).\n", stdout);
}

static void
add_param(struct opts *o, const char *arg)
{
	struct fetch_param p, *np;
	struct fk_err e;
	size_t i;

	if (fetch_param_parse(arg, &p, &e) < 0)
		fk_usage_error("%s", e.msg);
	for (i = 0; i < o->nparams; i++)
		if (strcmp(o->params[i].key, p.key) == 0)
			fk_usage_error("parameter '%s' given twice", p.key);
	np = realloc(o->params, (o->nparams + 1) * sizeof(*np));
	if (np == NULL) {
		fk_error("out of memory");
		exit(FK_EX_SOFTWARE);
	}
	o->params = np;
	o->params[o->nparams++] = p;
}

static void
parse_opt(struct opts *o, int c)
{
	struct fk_err e;

	switch (c) {
	case 'b':
		o->base = optarg;
		break;
	case 'j':
		o->parallel = (int)fk_opt_number("--parallel", optarg, 1,
		    MAX_PARALLEL);
		break;
	case 'n':
		o->count = fk_opt_number("--count", optarg, 1,
		    FETCH_MAX_COUNT);
		break;
	case 'p':
		add_param(o, optarg);
		break;
	case 'r':
		o->rate = fk_opt_number("--rate", optarg, 0, 1000000);
		break;
	case 's':
		o->seed = fk_opt_number("--seed", optarg, 1, FETCH_SEED_MAX);
		o->seed_from = "--seed";
		break;
	case 'u':
		o->unbuffered = 1;
		break;
	case OPT_SHARD:
		if (fetch_shard_parse(optarg, &o->shard, &e) < 0)
			fk_usage_error("%s", e.msg);
		o->shard_given = 1;
		break;
	case OPT_RAW:
		o->raw = 1;
		break;
	case OPT_RETRIES:
		o->retries = fk_opt_number("--retries", optarg, 0, 100);
		break;
	case OPT_CONNECT_TIMEOUT:
		o->connect_timeout = fk_opt_number("--connect-timeout",
		    optarg, 1, 3600);
		break;
	case OPT_STALL_TIMEOUT:
		o->stall_timeout = fk_opt_number("--stall-timeout", optarg,
		    1, 3600);
		break;
	}
}

static const char *
env(const char *name)
{
	return getenv(name);
}

/* Flags first, then FK_* variables, then the built-in defaults. */
static void
apply_env(struct opts *o)
{
	const char *v;
	struct fk_err e;

	if (o->base == NULL)
		o->base = getenv("FK_BASE_URL");
	if (o->base == NULL || *o->base == '\0')
		o->base = DEFAULT_BASE;
	v = getenv("FK_SEED");
	if (o->seed == 0 && v != NULL && *v != '\0') {
		o->seed = fk_opt_number("FK_SEED", v, 1, FETCH_SEED_MAX);
		o->seed_from = "FK_SEED";
	}
	if (!o->shard_given && fetch_shard_env(env, &o->shard, &e) < 0)
		fk_usage_error("%s", e.msg);
	if (o->shard.n > 1 && o->seed == 0)
		fk_usage_error("sharding (%s) needs --seed or FK_SEED, the same "
		    "on every shard", o->shard.from);
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	struct fk_cli cli = { .opts = opts, .help = help, .verbosity = 1 };
	int c;

	memset(o, 0, sizeof(*o));
	o->count = DEFAULT_COUNT;
	o->parallel = 4;
	o->rate = DEFAULT_RATE;
	o->retries = 7;
	o->connect_timeout = 10;
	o->stall_timeout = 30;
	o->shard.i = o->shard.n = 1;
	while ((c = fk_getopt(&cli, argc, argv)) != -1)
		parse_opt(o, c);
	o->verbosity = cli.verbosity;
	if (argc - optind > 1)
		fk_usage_error("too many operands: one resource, or '-' for "
		    "stdin, starting at '%s'", argv[optind + 1]);
	o->operand = optind < argc ? argv[optind] : NULL;
	apply_env(o);
}

static void
lint_warn(const char *msg)
{
	fk_warn("%s", msg);
}

static void
build_job(struct job *j, const struct opts *o)
{
	struct fetch_defaults d = { o->count, o->params, o->nparams, NULL };
	struct fk_err e;

	memset(j, 0, sizeof(*j));
	if (fetch_job_build(&j->fj, o->operand, &d, lint_warn, &e) == 0)
		return;
	if (e.code == FK_EX_USAGE)
		fk_usage_error("%s", e.msg);
	fk_error("%s", e.msg);
	exit(e.code);
}

static uint32_t
pick_seed(const struct opts *o)
{
	struct fk_err e;
	uint32_t s;

	if (o->seed != 0)
		return (uint32_t)o->seed;
	if (fetch_random_seed(&s, &e) < 0) {
		fk_error("%s", e.msg);
		exit(e.code);
	}
	return s;
}

static void
clear_progress(struct job *j)
{
	if (j->shown)
		fputs("\r\033[K", stderr);
	j->shown = 0;
}

/*
 * A page arrived: redraw the line on a terminal, or under FK_LOG=json
 * log a progress event every j->every seconds (fk(7), PROGRESS).
 */
static void
progress(struct job *j, long records)
{
	double now = fk_now();
	char text[160];

	fetch_progress_add(&j->pg, records, now);
	if (!j->progress && (j->every <= 0 || now - j->last_event < j->every))
		return;
	fetch_progress_text(&j->pg, now, text, sizeof(text));
	if (j->progress) {
		fprintf(stderr, "\r\033[K%s: %s", fk_prog(), text);
		j->shown = 1;
		return;
	}
	j->last_event = now;
	fk_log(FK_LOG_INFO, "progress", (struct fk_kv[]){
	    FK_N("records", j->pg.done), FK_N("total", j->pg.total),
	    FK_N("requests", j->pg.reqs), FK_N("rate",
	    fetch_progress_rate(&j->pg, now)), FK_N("eta",
	    fetch_progress_eta(&j->pg, now)) }, 5, "%s", text);
}

static void
on_event(void *arg, const struct fetch_event *ev)
{
	struct job *j = arg;
	struct fk_kv kv[7] = {
		FK_S("url", ev->url), FK_N("status", ev->status),
		FK_N("seed", ev->seed), FK_N("attempt", ev->attempt),
		FK_N("latency", ev->latency), FK_N("records", ev->records),
		FK_S("reason", ev->reason)
	};

	clear_progress(j);
	fk_log(FK_LOG_DEBUG, "request", kv, ev->reason ? 7 : 6,
	    "GET %s %ld seed %lu attempt %d %.3fs%s%s", ev->url, ev->status,
	    (unsigned long)ev->seed, ev->attempt, ev->latency,
	    ev->reason ? ": " : "", ev->reason ? ev->reason : "");
	if (ev->kind == FETCH_EV_RETRY) {
		kv[5] = FK_N("delay", ev->delay);
		fk_log(FK_LOG_WARN, "retry", kv, 7, "retrying '%s' in %.1fs "
		    "(attempt %d: %s)", ev->url, ev->delay, ev->attempt,
		    ev->reason);
	}
	if (ev->kind == FETCH_EV_DONE)
		progress(j, ev->records);
}

/* Say what the run will be, for the record and for the patient. */
static void
announce(const struct opts *o, struct job *j, uint32_t seed)
{
	double minutes;

	if (j->fj.any_seeded && o->seed == 0)
		fk_log(FK_LOG_NOTICE, "seed", (struct fk_kv[]){
		    FK_N("seed", seed) }, 1, "seed %lu (repeat with --seed %lu)",
		    (unsigned long)seed, (unsigned long)seed);
	if (j->fj.any_custom && fk_log_enabled(FK_LOG_WARN))
		fk_warn("custom takes no _seed: its records are not "
		    "reproducible");
	if (o->shard.n > 1)
		fk_log(FK_LOG_DEBUG, "shard", NULL, 0, "shard %d/%d (from %s): "
		    "%llu of %llu requests", o->shard.i, o->shard.n,
		    o->shard.from, (unsigned long long)j->nshard,
		    (unsigned long long)j->fj.total);
	minutes = o->rate > 0 && j->nshard > 1 ?
	    (double)(j->nshard - 1) / (double)o->rate : 0;
	if (minutes >= 2)
		fk_info("%llu requests at %lld per minute: about %.0f minutes",
		    (unsigned long long)j->nshard, o->rate, minutes);
}

static void
free_job(struct job *j, struct opts *o)
{
	size_t i;

	fetch_job_free(&j->fj);
	for (i = 0; i < o->nparams; i++)
		fetch_param_free(&o->params[i]);
	free(o->params);
}

static void
configure(struct fetch_conf *c, const struct opts *o, struct job *j,
    const char *base, uint32_t seed)
{
	struct fk_retry r = FK_RETRY_DEFAULT;

	memset(c, 0, sizeof(*c));
	c->base = base;
	c->specs = j->fj.specs;
	c->nspecs = j->fj.nspecs;
	c->total = j->fj.total;
	c->seed = seed;
	c->shard_i = o->shard.i;
	c->shard_n = o->shard.n;
	c->parallel = o->parallel;
	c->rate = (double)o->rate;
	r.max_attempts = (int)o->retries + 1;
	c->retry = r;
	c->http.connect_timeout = (long)o->connect_timeout;
	c->http.stall_timeout = (long)o->stall_timeout;
	c->http.user_agent = "fk-fetch/" FK_VERSION;
	c->raw = o->raw;
	c->unbuffered = o->unbuffered;
	/* For tests: the byte path and the libjq path must agree. */
	c->jv_only = getenv("FK_FETCH_JV") != NULL &&
	    strcmp(getenv("FK_FETCH_JV"), "1") == 0;
	c->out = stdout;
	c->on_event = on_event;
	c->arg = j;
}

/* A 404: say which versions of the API the server has. */
static void
version_hint(const struct fetch_stats *st, const char *base,
    const struct fetch_conf *c)
{
	char hint[FK_ERR_MAX];

	if (st->fail_status != 404 || st->fail_resource == NULL)
		return;
	fetch_probe_versions(base, st->fail_resource, &c->http, hint,
	    sizeof(hint));
	if (hint[0] != '\0')
		fk_error("%s", hint);
}

int
main(int argc, char **argv)
{
	struct fetch_stats st;
	struct fetch_conf c;
	struct fk_err e;
	struct opts o;
	struct job j;
	uint32_t seed;
	char *base;
	int rc;

	/* libcurl's sockets must not kill us; stdout's EPIPE is handled. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Every page allocates and frees the same few hundred KiB again:
	 * keep 8 MiB of freed heap rather than give it back and fault it in
	 * anew (a tenth of the page faults; CPU per record halved, RSS the
	 * same, as measured with 100 pages of 1000 users).
	 */
	mallopt(M_TOP_PAD, 8 << 20);
	fk_log_init("fk-fetch", 1);
	parse_args(&o, argc, argv);
	fk_log_init("fk-fetch", o.verbosity);
	base = fetch_base_check(o.base, &e);
	if (base == NULL)
		fk_usage_error("%s", e.msg);
	build_job(&j, &o);
	seed = pick_seed(&o);
	j.nshard = fetch_shard_size(j.fj.total, o.shard.i, o.shard.n);
	j.progress = fk_progress_rule(0, &j.every);
	j.last_event = fk_now();
	fetch_progress_init(&j.pg, fetch_shard_records(j.fj.specs, j.fj.nspecs,
	    o.shard.i, o.shard.n), j.nshard, (double)o.rate, j.last_event);
	announce(&o, &j, seed);
	if (fk_http_global_init(&e) < 0) {
		fk_error("%s", e.msg);
		return e.code;
	}
	if (!isatty(1))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	configure(&c, &o, &j, base, seed);
	rc = fetch_run(&c, &st, &e);
	clear_progress(&j);
	if (rc < 0 && st.epipe)
		fk_die_by_signal(SIGPIPE);
	fk_log(FK_LOG_DEBUG, "summary", NULL, 0, "%llu records in %llu "
	    "requests, %llu retries, %llu pages split on their bytes",
	    (unsigned long long)st.records, (unsigned long long)st.requests,
	    (unsigned long long)st.retries, (unsigned long long)st.split);
	if (rc < 0 && e.code == FK_EX_IOERR) {
		/* The output failed already: one message is enough. */
		fk_error("%s", e.msg);
		(void)fclose(stdout);
	} else if (fk_close_stdout(FK_EPIPE_SIGNAL) != 0 && rc == 0) {
		/* Whole pages already written still reach the reader. */
		rc = -1;
		e.code = FK_EX_IOERR;
	} else if (rc < 0) {
		fk_error("%s", e.msg);
		version_hint(&st, base, &c);
	}
	free_job(&j, &o);
	free(base);
	curl_global_cleanup();
	return rc < 0 ? e.code : 0;
}
