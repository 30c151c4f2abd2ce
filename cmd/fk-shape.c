/*
 * fk-shape: JSON values in, BigQuery-ready NDJSON, CSV, Avro or Parquet
 * out.
 *
 * Options, wiring, messages and exit codes; the files around a run are
 * read and written by cmd/shape/files.c, the work is in cmd/shape/
 * (pipe.c drives it).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "cli.h"
#include "crypt.h"
#include "file.h"
#include "fk.h"
#include "json.h"
#include "log.h"
#include "shape/check/pii.h"
#include "shape/check/schema.h"
#include "shape/files.h"
#include "shape/pipe.h"
#include "shape/program/filter.h"
#include "shape/write/parquet/parquet.h"
#include "shape/write/writer.h"

#define MAX_SHOWN 20		/* bad records described on stderr */

enum {
	OPT_ARG = 256, OPT_ARGJSON, OPT_SCHEMA, OPT_EMIT, OPT_REJECT,
	OPT_MAXBAD, OPT_UNKNOWN, OPT_DROP, OPT_MASK, OPT_HASH, OPT_KEYFILE,
	OPT_CODEC, OPT_BLOCK, OPT_MAXREC, OPT_COMPRESSION, OPT_RGSIZE,
	OPT_SROWS, OPT_SBYTES
};

/* The sample an inferred schema comes from: BigQuery's 500 rows. */
#define SAMPLE_ROWS 500
#define SAMPLE_BYTES (4 << 20)
#define SAMPLE_BYTES_MAX (32 << 20)	/* it is held in memory */

static const struct fk_opt opts[] = {
#include "fk-shape.def"
	{ 0 }
};

struct conf {
	struct pipe_opts o;
	const struct writer *w;	/* -o */
	const char *progfile, *schemafile, *emitfile, *rejectfile;
	const char *keyfile, *outfile, *input;
	char *program;
	struct schema schema;
	int have_schema;
	int verbosity;
	long long shown;
	int failed;		/* the reject file could not be written */
};

/* The data output: global, so that a signal can remove -O's temporary. */
static struct files_out out;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: fk-shape [-qv] [-j N] [-o ndjson|csv|avro|parquet] [-O FILE]\n"
"                [--schema FILE] [--emit-schema FILE] [--reject FILE]\n"
"                [--max-bad N] [--unknown error|drop] [--drop FIELD,...]\n"
"                [--mask-ip FIELD,...] [--hash FIELD,...] [--hash-key-file FILE]\n"
"                [--codec deflate|snappy|null] [--avro-block-size SIZE]\n"
"                [--compression snappy|zstd|gzip|none] [--row-group-size SIZE]\n"
"                [--sample-rows N] [--sample-bytes SIZE]\n"
"                [--max-record-size SIZE] [--arg NAME VALUE]...\n"
"                [--argjson NAME JSON]... [-f FILE | PROGRAM] [INPUT]\n");
}

static void
help(void)
{
	usage(stdout);
	printf(
"\n"
"Read JSON values (NDJSON, concatenated JSON, FakerAPI envelopes) from INPUT\n"
"or stdin, run the jq PROGRAM on each, check every output row against a\n"
"BigQuery schema and write NDJSON, CSV, Avro or Parquet that `bq load` takes\n"
"as is.\n"
"\n");
	fk_opts_help(stdout, opts);
	printf(
"\n"
"Options come before operands.  With no PROGRAM every value must be a row\n"
"(an object); to name INPUT without a program, use '.' as the program.\n"
"See fk-shape(1).\n");
}

static void
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3),
    noreturn));

static void
die(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fk_error("%s", msg);
	if (out.tmp[0] != '\0')
		unlink(out.tmp);
	exit(code);
}

static void
add_arg(struct conf *c, int json, const char *name, char **argv, int argc)
{
	const char *val;
	jv v;

	if (optind >= argc)
		fk_usage_error("--%s %s: missing value", json ? "argjson" : "arg",
		    name);
	val = argv[optind++];
	if (json) {
		v = jv_parse(val);
		if (!jv_is_valid(v)) {
			jv_free(v);
			fk_usage_error("--argjson %s: the value is not JSON",
			    name);
		}
	} else {
		v = jv_string(val);
	}
	c->o.args = jv_object_set(c->o.args, jv_string(name), v);
}

static void
pii_opt(struct conf *c, enum pii_op op, const char *list)
{
	struct fk_err e;

	if (pii_add((struct pii *)c->o.pii, op, list, &e) == -1)
		fk_usage_error("%s", e.msg);
}

static void
options(struct conf *c, int argc, char **argv)
{
	struct fk_cli cli = { .order = "+", .opts = opts, .help = help,
	    .verbosity = 1 };
	int ch;

	while ((ch = fk_getopt(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'f':
			c->progfile = optarg;
			break;
		case 'j':
			c->o.workers = (int)fk_opt_number("--jobs", optarg, 1,
			    64);
			break;
		case 'O':
			c->outfile = optarg;
			break;
		case 'o':
			c->w = writer_find(optarg);
			if (c->w == NULL)
				fk_usage_error("-o: unknown format '%s'", optarg);
			break;
		case OPT_ARG:
		case OPT_ARGJSON:
			add_arg(c, ch == OPT_ARGJSON, optarg, argv, argc);
			break;
		case OPT_SCHEMA:
			c->schemafile = optarg;
			break;
		case OPT_EMIT:
			c->emitfile = optarg;
			break;
		case OPT_REJECT:
			c->rejectfile = optarg;
			break;
		case OPT_MAXBAD:
			c->o.max_bad = fk_opt_number("--max-bad", optarg, 0,
			    LLONG_MAX);
			break;
		case OPT_UNKNOWN:
			if (strcmp(optarg, "error") != 0 &&
			    strcmp(optarg, "drop") != 0)
				fk_usage_error("--unknown: '%s' is not error or "
				    "drop", optarg);
			c->o.drop_unknown = strcmp(optarg, "drop") == 0;
			break;
		case OPT_DROP:
			pii_opt(c, PII_DROP, optarg);
			break;
		case OPT_MASK:
			pii_opt(c, PII_MASK_IP, optarg);
			break;
		case OPT_HASH:
			pii_opt(c, PII_HASH, optarg);
			break;
		case OPT_KEYFILE:
			c->keyfile = optarg;
			break;
		case OPT_CODEC:
			if (strcmp(optarg, "none") == 0)
				optarg = "null";
			if (strcmp(optarg, "deflate") != 0 &&
			    strcmp(optarg, "snappy") != 0 &&
			    strcmp(optarg, "null") != 0)
				fk_usage_error("--codec: unknown codec '%s'",
				    optarg);
			c->o.wopts.avro_codec = optarg;
			break;
		case OPT_BLOCK:
			/* BigQuery refuses Avro blocks over 16 MB. */
			c->o.wopts.avro_block = fk_opt_size("--avro-block-size",
			    optarg, 1 << 10, 16 << 20);
			break;
		case OPT_SROWS:
			c->o.sample_rows = (size_t)fk_opt_number(
			    "--sample-rows", optarg, 1, 1000000);
			break;
		case OPT_SBYTES:
			c->o.sample_bytes = fk_opt_size("--sample-bytes",
			    optarg, 1 << 10, SAMPLE_BYTES_MAX);
			break;
		case OPT_MAXREC:
			c->o.max_record = fk_opt_size("--max-record-size",
			    optarg, 1 << 10, 1 << 30);
			break;
		case OPT_COMPRESSION:
			if (strcmp(optarg, "snappy") != 0 &&
			    strcmp(optarg, "zstd") != 0 &&
			    strcmp(optarg, "gzip") != 0 &&
			    strcmp(optarg, "none") != 0)
				fk_usage_error("--compression: unknown codec '%s'",
				    optarg);
			c->o.wopts.pq.codec = optarg;
			break;
		case OPT_RGSIZE:
			c->o.wopts.pq.row_group_bytes = fk_opt_size(
			    "--row-group-size", optarg, 64 << 10, 2ULL << 30);
			break;
		}
	}
	c->verbosity = cli.verbosity;
}

static void
operands(struct conf *c, int argc, char **argv)
{
	int n = argc - optind, avro, pq;

	if (c->progfile == NULL && n > 0) {
		c->program = strdup(argv[optind++]);
		n--;
	}
	if (n > 1)
		fk_usage_error("too many operands ('%s')", argv[optind + 1]);
	if (n == 1)
		c->input = argv[optind];
	avro = c->w->flags & WRITER_TAKES_AVRO;
	pq = c->w->flags & WRITER_TAKES_PARQUET;
	if (!avro && c->o.wopts.avro_codec != NULL)
		fk_usage_error("--codec is for -o avro");
	if (!avro && c->o.wopts.avro_block != 0)
		fk_usage_error("--avro-block-size is for -o avro");
	if (!pq && c->o.wopts.pq.codec != NULL)
		fk_usage_error("--compression is for -o parquet");
	if (!pq && c->o.wopts.pq.row_group_bytes != 0)
		fk_usage_error("--row-group-size is for -o parquet");
	if (c->schemafile != NULL && (c->o.sample_rows != 0 ||
	    c->o.sample_bytes != 0))
		fk_usage_error("--sample-rows and --sample-bytes are for an "
		    "inferred schema (no --schema)");
	if (c->keyfile != NULL && !pii_has(c->o.pii, PII_HASH))
		fk_usage_error("--hash-key-file without --hash");
}

/* The HMAC key: --hash-key-file, else $FK_HASH_KEY; raw bytes. */
static void
load_key(struct conf *c)
{
	struct fk_err e;
	size_t n;

	if (!pii_has(c->o.pii, PII_HASH))
		return;
	if (files_hash_key((struct pii *)c->o.pii, c->keyfile, &n, &e) == -1)
		die(e.code, "%s", e.msg);
	if (n < 16)
		fk_warn("the --hash key is only %zu bytes; 32 random bytes "
		    "resist guessing", n);
}

static void
load_program(struct conf *c)
{
	struct fk_err e;

	if (c->progfile != NULL &&
	    files_program(c->progfile, &c->program, &e) == -1)
		die(e.code, "%s", e.msg);
}

/*
 * A program that does not compile is a usage error, before any output.
 * The identity is no program (fast_path).  A program in the fast path's
 * grammar always compiles (tests/fuzz/fuzz_proj.c checks the grammar
 * against libjq), so it is compiled only by a worker that needs libjq
 * for a value: compiling jq's builtins costs more than running
 * users.jq over 20,000 records.
 */
static void
check_program(struct conf *c)
{
	struct filter *q;
	struct fk_err e;

	if (c->o.program == NULL || c->o.proj != NULL)
		return;
	q = filter_new(c->o.program, c->o.args, &e);
	if (q == NULL)
		fk_usage_error("%s", e.msg);
	filter_free(q);
}

/*
 * The projection fast path (proj.h) for a program in its grammar, unless
 * FK_SHAPE_JQ=1 asks for libjq on every value (to compare the two).
 */
static void
fast_path(struct conf *c)
{
	const char *env = getenv("FK_SHAPE_JQ");
	struct proj *pj = NULL;

	if (env == NULL || strcmp(env, "1") != 0)
		pj = proj_new(c->program != NULL ? c->program : ".");
	if (c->program == NULL || (pj != NULL && proj_is_identity(pj))) {
		/* No jq to compile; the fast path still reads the values. */
		fk_log(FK_LOG_DEBUG, "program", NULL, 0,
		    "program: identity, no program run");
		c->o.program = NULL;
		c->o.proj = pj;
		return;
	}
	fk_log(FK_LOG_DEBUG, "program", NULL, 0, "program: %s",
	    pj != NULL ? "projection fast path" : "libjq");
	c->o.proj = pj;
}

static void
load_schema(struct conf *c)
{
	struct fk_err e;

	if (c->schemafile == NULL)
		return;
	if (files_schema(c->schemafile, &c->schema, &e) == -1)
		die(e.code, "%s", e.msg);
	c->have_schema = 1;
	c->o.schema = &c->schema;
}

static void
on_signal(int sig)
{
	if (out.tmp[0] != '\0')
		unlink(out.tmp);
	fk_die_by_signal(sig);
}

static void
open_output(struct conf *c)
{
	struct fk_err e;

	if (c->outfile != NULL && strcmp(c->outfile, "-") != 0) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
	}
	if (files_out_open(&out, c->outfile, &e) == -1)
		die(e.code, "%s", e.msg);
	c->o.out = out.f;
	setvbuf(c->o.out, NULL, _IOFBF, 1 << 18);
	if (c->rejectfile != NULL) {
		c->o.reject = fopen(c->rejectfile, "w");
		if (c->o.reject == NULL)
			die(FK_EX_IOERR, "cannot create the reject file '%s': "
			    "%s", c->rejectfile, strerror(errno));
	}
}

static int
open_input(struct conf *c)
{
	int fd;

	if (c->input == NULL || strcmp(c->input, "-") == 0)
		return 0;
	fd = open(c->input, O_RDONLY);
	if (fd == -1)
		die(FK_EX_NOINPUT, "cannot open '%s': %s", c->input,
		    strerror(errno));
	return fd;
}

static void
on_bad(void *ctx, long long rec, const char *msg)
{
	struct conf *c = ctx;

	(void)rec;
	if (c->rejectfile != NULL)
		return;
	if (c->shown++ < MAX_SHOWN)
		fk_error("%s", msg);
	else if (c->shown == MAX_SHOWN + 1)
		fk_error("more bad records not shown");
}

static void
emit_schema(struct conf *c, const struct pipe_stats *st)
{
	struct fk_err e;
	char flags[512];

	if (files_emit_schema(c->w, pipe_schema(&c->o, st), st->widen,
	    st->csv_newlines, c->emitfile, flags, sizeof(flags), &e) == -1)
		die(e.code, "%s", e.msg);
	fk_log(FK_LOG_INFO, "bq_load", (struct fk_kv[]){ { "flags", flags,
	    0 }, FK_S("schema", c->emitfile) }, 2,
	    "load with: bq load %s DATASET.TABLE SOURCE", flags);
}

static void
summary(const struct conf *c, const struct pipe_stats *st)
{
	int op;
	size_t i;
	const char *path;

	fk_log(FK_LOG_NOTICE, "summary", (struct fk_kv[]){
	    FK_N("read", st->read), FK_N("rows", st->rows),
	    FK_N("written", st->written), FK_N("rejected", st->rejected) }, 4,
	    "read %lld records; %lld rows: %lld written, %lld rejected",
	    st->read, st->rows, st->written, st->rejected);
	if (c->o.proj != NULL)
		fk_log(FK_LOG_DEBUG, "program", NULL, 0, "program: %lld of %lld "
		    "values by the projection fast path, the rest by libjq",
		    st->fast, st->read);
	if (c->o.proj != NULL)
		fk_log(FK_LOG_DEBUG, "program", NULL, 0, "program: %lld of "
		    "those written straight from their text, no jv made",
		    st->flat);
	for (i = 0; st->hits != NULL && i < pii_npaths(c->o.pii); i++) {
		path = pii_path(c->o.pii, i, &op);
		if (st->hits[i] == 0 && st->written > 0)
			fk_warn("%s '%s' matched no field in any row",
			    op == PII_DROP ? "--drop" : op == PII_HASH ?
			    "--hash" : "--mask-ip", path);
	}
}

/*
 * Close the data output: 74 on a write error, the -O rename last.
 * quiet: the run already said it could not write.
 */
static int
close_output(struct conf *c, int ok, int quiet)
{
	int err;

	err = c->o.reject != NULL ? fk_fclose_checked(c->o.reject) : 0;
	if (err != 0) {
		fk_error("cannot write the reject file '%s': %s",
		    c->rejectfile, strerror(err));
		ok = 0;
		c->failed = 1;
	}
	err = files_out_close(&out, ok);
	if (err != 0 && !quiet)
		fk_error("cannot write %s%s%s: %s", c->outfile ? "'" : "the "
		    "output", c->outfile ? c->outfile : "", c->outfile ? "'" :
		    "", strerror(err));
	return err != 0 || c->failed ? FK_EX_IOERR : 0;
}

static int
exit_code(const struct conf *c, const struct pipe_stats *st)
{
	if (st->stop == PIPE_STOP_MALFORMED)
		return FK_EX_DATAERR;
	if (st->stop == PIPE_STOP_TOO_MANY) {
		fk_error("too many bad records: stopped at bad record %lld "
		    "(--max-bad %lld)%s%s", st->rejected, c->o.max_bad,
		    c->rejectfile ? "; see " : "", c->rejectfile ?
		    c->rejectfile : "");
		return FK_EX_FAIL;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct pipe_stats st;
	struct conf c;
	struct fk_err e;
	int fd, rc, code;
	long n;

	/*
	 * Parquet's column chunks (a few hundred KB each) grow on the
	 * workers and are freed by the writer thread once written.  After
	 * the first such free, glibc's sliding threshold serves them from
	 * the heap, whose holes raised peak RSS from 42 to 54 MiB between
	 * 100k and 1M users (-j 2); mapped, they are given back (44 MiB),
	 * in the same time.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	memset(&c, 0, sizeof(c));
	c.verbosity = 1;
	fk_log_init("fk-shape", 1);
	c.o.args = jv_object();
	c.o.pii = pii_new();
	c.o.max_record = 16 << 20;
	c.w = writer_find("ndjson");
	if (c.o.pii == NULL)
		return FK_EX_SOFTWARE;
	options(&c, argc, argv);
	fk_log_init("fk-shape", c.verbosity);
	operands(&c, argc, argv);
	if (fk_crypt_init(0, &e) == -1)
		die(e.code, "%s", e.msg);
	if (c.o.workers == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		c.o.workers = n < 1 ? 1 : n > 64 ? 64 : (int)n;
	}
	if (c.o.wopts.avro_codec == NULL)
		c.o.wopts.avro_codec = "deflate";
	if (c.o.wopts.avro_block == 0)
		c.o.wopts.avro_block = 1 << 20;
	if (c.o.sample_rows == 0)
		c.o.sample_rows = SAMPLE_ROWS;
	if (c.o.sample_bytes == 0)
		c.o.sample_bytes = SAMPLE_BYTES;
	c.o.on_bad = on_bad;
	c.o.on_bad_ctx = &c;
	c.o.writer = c.w;
	load_key(&c);
	load_program(&c);
	c.o.program = c.program;
	fast_path(&c);
	check_program(&c);
	load_schema(&c);
	fd = open_input(&c);
	open_output(&c);
	rc = pipe_run(&c.o, fd, &st, &e);
	if (rc == -1)
		fk_error("%s", e.msg);
	if (rc == -1 && e.code == FK_EX_USAGE)
		fk_usage_hint();
	summary(&c, &st);
	code = rc == -1 ? e.code : exit_code(&c, &st);
	if (code == 0 && c.emitfile != NULL)
		emit_schema(&c, &st);
	rc = close_output(&c, code == 0, code == FK_EX_IOERR);
	if (code == 0)
		code = rc;
	pipe_stats_free(&st);
	if (c.have_schema)
		schema_free(&c.schema);
	pii_free((struct pii *)c.o.pii);
	jv_free(c.o.args);
	free(c.program);
	proj_free((struct proj *)c.o.proj);
	if (fd > 0)
		close(fd);
	return code;
}
