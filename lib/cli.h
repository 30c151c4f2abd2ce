/*
 * cli.h: the command-line grammar the three tools share, so that a user
 * who learns one already knows the others: one answer to a bad option or
 * value, one way to write numbers and sizes, one way to close standard
 * output and to die of a signal.
 *
 * Like log.c, and unlike every other lib/ module, these functions print
 * and some exit: they are the mains' own words, kept in one place.  Call
 * fk_log_init() first, so that messages carry the program's name and
 * follow FK_LOG=json.
 */
#ifndef FK_CLI_H
#define FK_CLI_H

#include <getopt.h>
#include <stdio.h>

/*
 * One option of a tool.  Each tool lists its options once, as FK_OPT()
 * lines in cmd/TOOL.def in the order --help shows them, the common four
 * (-h/--help, -q/--quiet, -v/--verbose, -V/--version) among them; getopt's
 * short and long tables and the options part of --help are all made from
 * that list, so that no option is missing from either.
 */
struct fk_opt {
	int val;		/* the short letter, or the code (>= 256) */
	const char *name;	/* the long name, without "--" */
	const char *arg;	/* what the value is called; NULL: none taken */
	const char *help;	/* the help, lines split by '\n' */
};
#define FK_OPT(val, name, arg, help) { (val), (name), (arg), (help) },
#define FK_OPTS_MAX 40

/* A tool's command line, and what its common options asked for. */
struct fk_cli {
	const char *order;		/* "+": options before operands */
	const struct fk_opt *opts;	/* the tool's .def, then { 0 } */
	void (*help)(void);		/* the full help, on stdout */
	int verbosity;			/* 1; -q: 0, -v: 2 (not both) */
	int quiet, verbose;		/* -q, -v were given */
	/* getopt's view of opts, made by the first fk_getopt() */
	char shortopts[2 * FK_OPTS_MAX + 3];
	struct option longopts[FK_OPTS_MAX + 1];
};

/*
 * getopt_long over c's options, answering the common ones here: -h
 * prints c->help() and exits 0, -V prints "PROG VERSION" and exits 0, -q
 * and -v set c->verbosity, and a bad option is a usage
 * error.  Returns the tool's next own option, or -1 after the last one
 * (optind then names the first operand).
 */
int fk_getopt(struct fk_cli *c, int argc, char **argv);

/*
 * The options part of --help, from the same list: "  -f, --from-file FILE"
 * (or "      --arg NAME VALUE"), the help from column 28 on.
 */
void fk_opts_help(FILE *f, const struct fk_opt *opts);

/*
 * The answer to every bad option, operand or value: "PROG: MESSAGE", then
 * "Try 'PROG --help'.", exit 64.  Under FK_LOG=json it is one JSON line
 * (event "usage") carrying the same hint.
 */
void fk_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* The "Try 'PROG --help'." line alone, after an error already printed. */
void fk_usage_hint(void);

/*
 * A whole decimal number in [min, max] for option opt (as the user would
 * name it: "--count", "FK_SEED"), or a usage error:
 *   PROG: invalid --count 'abc': not a number (1 to 100000000)
 */
long long fk_opt_number(const char *opt, const char *arg, long long min,
    long long max);

/*
 * The one size grammar: a byte count, or a number with k, K or KiB, m, M
 * or MiB, g, G or GiB, all powers of 1024 (documented in fk(7)).  0 and
 * the byte count in *out, or -1 and a reason in *why.
 */
int fk_parse_size(const char *s, unsigned long long *out, const char **why);

/* A size in [min, max] for option opt, or a usage error. */
unsigned long long fk_opt_size(const char *opt, const char *arg,
    unsigned long long min, unsigned long long max);

/* A size as the grammar writes it: "256K", "16M", "1G", "1000". */
void fk_size_str(unsigned long long v, char *out, size_t n);

/*
 * Close standard output with a checked error: 0, or 74 after one
 * message.  When the reader went away (EPIPE), FK_EPIPE_SIGNAL dies of
 * SIGPIPE as cat(1) would; FK_EPIPE_QUIET returns 0 without a word, for
 * a tool whose work is done before it prints.
 */
enum { FK_EPIPE_SIGNAL, FK_EPIPE_QUIET };
int fk_close_stdout(int on_epipe);

/*
 * Die of sig with its default action, so that the shell sees the signal
 * and not an exit code.  Safe in a signal handler for that signal.
 */
void fk_die_by_signal(int sig) __attribute__((noreturn));

#endif
