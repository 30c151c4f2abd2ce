/*
 * fk.h: what every fk tool and every lib/ module shares, with no
 * third-party dependency: the exit-code table and the error carrier.
 *
 * lib/ never prints and never exits.  A function that can fail takes a
 * struct fk_err *, fills it with one line of text and an exit class, and
 * returns -1 (or NULL).  cmd/ decides what to print and which code to use.
 */
#ifndef FK_H
#define FK_H

#include <stddef.h>

#ifndef FK_VERSION
#define FK_VERSION "0.1.0"
#endif

/*
 * The one exit-code table of the toolkit (sysexits(3) values), documented
 * in every man page and in fk(7).  Keep the three in step.
 */
enum {
	FK_EX_OK = 0,		/* success */
	FK_EX_FAIL = 1,		/* permanent failure: HTTP 4xx, too many bad rows */
	FK_EX_USAGE = 64,	/* bad flag, operand or option value */
	FK_EX_DATAERR = 65,	/* bad input data or invalid server response */
	FK_EX_NOINPUT = 66,	/* an input file cannot be opened */
	FK_EX_SOFTWARE = 70,	/* internal error (a bug) */
	FK_EX_IOERR = 74,	/* local read or write error */
	FK_EX_TEMPFAIL = 75,	/* transient failure, retries exhausted: rerun */
	FK_EX_NOPERM = 77,	/* authentication or permission refused */
	FK_EX_CONFIG = 78	/* missing or unusable configuration/credentials */
};

#define FK_ERR_MAX 512

/*
 * An error on its way up to cmd/.  code is one of FK_EX_*; msg is one
 * line with no trailing newline, never containing secrets.
 */
struct fk_err {
	int code;
	char msg[FK_ERR_MAX];
};

/* Fill e (if not NULL) and return -1, so callers can "return fk_fail(...)". */
int fk_fail(struct fk_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Strict whole-string integer parse in [min, max]; -1 with a reason if not. */
int fk_parse_ll(const char *s, long long min, long long max, long long *out,
    const char **why);

/* Monotonic clock in seconds, for timeouts, pacing and latency. */
double fk_now(void);

/* Sleep for the given seconds (fractions allowed); returns early on signals. */
void fk_sleep(double seconds);

#endif
