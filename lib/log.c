/*
 * log.c: stderr diagnostics in text or JSON (FK_LOG=json).  Only cmd/
 * calls this module; see log.h.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *prog = "fk";
static int verbosity = 1;
static int json;
/* Workers log too: one event must not interleave with another. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Cloud Logging's severity names, indexed by FK_LOG_*: Cloud Run and GKE
 * read "severity" from a JSON line on stderr with no agent set up.
 */
static const char *severities[] = {
	"ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"
};

void
fk_log_init(const char *name, int v)
{
	const char *s = getenv("FK_LOG");

	prog = name;
	verbosity = v;
	json = s != NULL && strcmp(s, "json") == 0;
}

int
fk_log_enabled(int level)
{
	if (level == FK_LOG_ERROR)
		return 1;
	return level == FK_LOG_DEBUG ? verbosity >= 2 : verbosity >= 1;
}

int
fk_log_json(void)
{
	return json;
}

const char *
fk_prog(void)
{
	return prog;
}

/* Write s as a JSON string literal, escaping what RFC 8259 requires. */
static void
put_jstr(FILE *f, const char *s)
{
	const unsigned char *p;

	putc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			putc(*p, f);
	}
	putc('"', f);
}

/* RFC 3339 in UTC, with the zone spelled "Z", to the millisecond. */
static void
put_time(FILE *f)
{
	struct timeval tv;
	struct tm tm;
	char buf[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "\"time\":\"%s.%03ldZ\"", buf, (long)(tv.tv_usec / 1000));
}

/*
 * One line in the shape of Google's structured logging: severity,
 * message, time and the program as a label come first, then our own
 * event name and fields, which Cloud Logging keeps in jsonPayload.
 */
static void
emit_json(int level, const char *event, const struct fk_kv *kv, int nkv,
    const char *msg)
{
	int i;

	fprintf(stderr, "{\"severity\":\"%s\",\"message\":", severities[level]);
	put_jstr(stderr, msg);
	putc(',', stderr);
	put_time(stderr);
	fputs(",\"logging.googleapis.com/labels\":{\"program\":", stderr);
	put_jstr(stderr, prog);
	putc('}', stderr);
	if (event != NULL) {
		fputs(",\"event\":", stderr);
		put_jstr(stderr, event);
	}
	for (i = 0; i < nkv; i++) {
		putc(',', stderr);
		put_jstr(stderr, kv[i].key);
		putc(':', stderr);
		if (kv[i].str != NULL)
			put_jstr(stderr, kv[i].str);
		else if (isfinite(kv[i].num))
			fprintf(stderr, "%.17g", kv[i].num);
		else
			fputs("null", stderr);
	}
	fputs("}\n", stderr);
}

static void
vlog(int level, const char *event, const struct fk_kv *kv, int nkv,
    const char *fmt, va_list ap)
{
	char msg[2048];

	if (!fk_log_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pthread_mutex_lock(&lock);
	if (json)
		emit_json(level, event, kv, nkv, msg);
	else if (level == FK_LOG_WARN)
		fprintf(stderr, "%s: warning: %s\n", prog, msg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
	fflush(stderr);
	pthread_mutex_unlock(&lock);
}

void
fk_log(int level, const char *event, const struct fk_kv *kv, int nkv,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, event, kv, nkv, fmt, ap);
	va_end(ap);
}

#define SHORTHAND(name, level)						\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vlog(level, NULL, NULL, 0, fmt, ap);				\
	va_end(ap);							\
}

SHORTHAND(fk_error, FK_LOG_ERROR)
SHORTHAND(fk_warn, FK_LOG_WARN)
SHORTHAND(fk_info, FK_LOG_INFO)

int
fk_progress_rule(int defers, double *every)
{
	const char *env = getenv("FK_PROGRESS");
	const char *iv = getenv("FK_PROGRESS_INTERVAL");
	char *end;
	double v;

	*every = 0;
	if (verbosity < 1 || (env != NULL && strcmp(env, "0") == 0))
		return 0;
	if (json) {
		*every = 30;
		if (iv != NULL && (v = strtod(iv, &end)) > 0 && *end == '\0')
			*every = v;
		return 0;
	}
	if (!isatty(2))
		return 0;
	return !defers || (env != NULL && strcmp(env, "1") == 0);
}
