/*
 * cli.c: the shared command-line grammar; see cli.h.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "fk.h"
#include "log.h"

#define KIB 1024ULL
#define HELP_COL 28		/* where --help's descriptions start */

static void
vusage(const char *fmt, va_list ap)
{
	char msg[FK_ERR_MAX], hint[128];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(hint, sizeof(hint), "Try '%s --help'.", fk_prog());
	fk_log(FK_LOG_ERROR, "usage", (struct fk_kv[]){ { "hint", hint, 0 } },
	    1, "%s", msg);
	fk_usage_hint();
}

void
fk_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(fmt, ap);
	va_end(ap);
	exit(FK_EX_USAGE);
}

void
fk_usage_hint(void)
{
	/* A JSON line already carries the hint; text gets its own line. */
	if (!fk_log_json())
		fprintf(stderr, "Try '%s --help'.\n", fk_prog());
}

/*
 * getopt_long's complaint in our words, for its '?' and ':' returns
 * (short options start with ':' after any '+'; opterr is 0).
 */
static void __attribute__((noreturn))
bad_option(int c, char **argv, const char *shortopts)
{
	const char *arg = argv[optind - 1];
	char name[64];
	int islong = strncmp(arg, "--", 2) == 0;

	/* A long option is named as typed; a short one by its letter. */
	if (islong)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="),
		    arg);
	else
		snprintf(name, sizeof(name), "-%c", optopt);
	if (c == ':')
		fk_usage_error("option '%s' needs a value", name);
	/* --help=x: getopt knows the option, which takes no value. */
	if (islong && optopt != 0 &&
	    (optopt >= 256 || strchr(shortopts, optopt) != NULL))
		fk_usage_error("option '%s' takes no value", name);
	fk_usage_error("unknown option '%s'", name);
}

/*
 * getopt's tables from the tool's list: "+" if asked, ':' so that a
 * missing value is told apart, then each letter (with ':' if it takes a
 * value); a long entry for every option.
 */
static void
make_tables(struct fk_cli *c)
{
	const struct fk_opt *o;
	char *s = c->shortopts;
	size_t n = 0;

	s = stpcpy(stpcpy(s, c->order != NULL ? c->order : ""), ":");
	for (o = c->opts; o->name != NULL; o++, n++) {
		/* A list too long for the tables is the tool's bug. */
		if (n == FK_OPTS_MAX)
			abort();
		if (o->val < 256) {
			*s++ = (char)o->val;
			if (o->arg != NULL)
				*s++ = ':';
		}
		c->longopts[n] = (struct option){ o->name,
		    o->arg != NULL ? required_argument : no_argument, NULL,
		    o->val };
	}
	*s = '\0';
	c->longopts[n] = (struct option){ NULL, 0, NULL, 0 };
}

int
fk_getopt(struct fk_cli *c, int argc, char **argv)
{
	int ch;

	opterr = 0;
	if (c->longopts[0].name == NULL)
		make_tables(c);
	for (;;) {
		ch = getopt_long(argc, argv, c->shortopts, c->longopts, NULL);
		switch (ch) {
		case 'h':
			c->help();
			exit(fk_close_stdout(FK_EPIPE_QUIET));
		case 'V':
			printf("%s %s\n", fk_prog(), FK_VERSION);
			exit(fk_close_stdout(FK_EPIPE_QUIET));
		case 'q':
			c->quiet = 1;
			c->verbosity = 0;
			break;
		case 'v':
			c->verbose = 1;
			c->verbosity = 2;
			break;
		case '?':
		case ':':
			bad_option(ch, argv, c->shortopts);
		case -1:
			/* Quiet and verbose at once is a contradiction in all three. */
			if (c->quiet && c->verbose)
				fk_usage_error("-q and -v cannot be used "
				    "together");
			return ch;
		default:
			return ch;
		}
	}
}

void
fk_opts_help(FILE *f, const struct fk_opt *o)
{
	char letter[8], left[96];
	const char *h, *nl;
	int n;

	for (; o->name != NULL; o++) {
		/* "  -f, " or, with no letter, as many spaces. */
		if (o->val < 256)
			snprintf(letter, sizeof(letter), "  -%c, ", o->val);
		else
			strcpy(letter, "      ");
		n = snprintf(left, sizeof(left), "%s--%s%s%s", letter, o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
		/* A long left side keeps two spaces before its help. */
		fprintf(f, "%s%*s", left, n <= HELP_COL - 2 ? HELP_COL - n : 2,
		    "");
		for (h = o->help; (nl = strchr(h, '\n')) != NULL; h = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COL, "");
		fprintf(f, "%s\n", h);
	}
}

long long
fk_opt_number(const char *opt, const char *arg, long long min,
    long long max)
{
	const char *why;
	long long v;

	if (fk_parse_ll(arg, min, max, &v, &why) < 0)
		fk_usage_error("invalid %s '%s': %s (%lld to %lld)", opt, arg,
		    why, min, max);
	return v;
}

int
fk_parse_size(const char *s, unsigned long long *out, const char **why)
{
	static const struct {
		const char *suffix;
		unsigned long long mul;
	} units[] = {
		{ "", 1 },
		{ "k", KIB }, { "K", KIB }, { "KiB", KIB },
		{ "m", KIB * KIB }, { "M", KIB * KIB }, { "MiB", KIB * KIB },
		{ "g", KIB * KIB * KIB }, { "G", KIB * KIB * KIB },
		{ "GiB", KIB * KIB * KIB },
	};
	unsigned long long v = 0;
	const char *p;
	size_t i;

	*why = "not a size";
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (1ULL << 50)) {
			*why = "too large";
			return -1;
		}
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (p == s)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].suffix) == 0) {
			if (v > (1ULL << 50) / units[i].mul) {
				*why = "too large";
				return -1;
			}
			*out = v * units[i].mul;
			return 0;
		}
	}
	return -1;
}

void
fk_size_str(unsigned long long v, char *out, size_t n)
{
	static const char units[] = "KMG";
	int i = -1;

	while (i < 2 && v >= KIB && v % KIB == 0) {
		v /= KIB;
		i++;
	}
	if (i < 0)
		snprintf(out, n, "%llu", v);
	else
		snprintf(out, n, "%llu%c", v, units[i]);
}

unsigned long long
fk_opt_size(const char *opt, const char *arg, unsigned long long min,
    unsigned long long max)
{
	char lo[32], hi[32];
	const char *why;
	unsigned long long v;

	if (fk_parse_size(arg, &v, &why) == 0) {
		if (v >= min && v <= max)
			return v;
		why = v < min ? "too small" : "too large";
	}
	fk_size_str(min, lo, sizeof(lo));
	fk_size_str(max, hi, sizeof(hi));
	fk_usage_error("invalid %s '%s': %s (%s to %s)", opt, arg, why, lo,
	    hi);
}

int
fk_close_stdout(int on_epipe)
{
	int err;

	errno = 0;
	err = fk_fclose_checked(stdout);
	if (err == 0)
		return 0;
	if (err == EPIPE && on_epipe == FK_EPIPE_QUIET)
		return 0;
	if (err == EPIPE)
		fk_die_by_signal(SIGPIPE);
	fk_error("cannot write standard output: %s", strerror(err));
	return FK_EX_IOERR;
}

void
fk_die_by_signal(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	/* Inside a handler sig is blocked: let it through at once. */
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}
