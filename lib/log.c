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

#include "buf.h"
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

static int
add_str(struct fk_buf *b, const char *s)
{
	return fk_buf_add(b, s, strlen(s));
}

static int
add_jstr(struct fk_buf *b, const char *s)
{
	return fk_buf_add_jstr(b, s, strlen(s));
}

/* RFC 3339 in UTC, with the zone spelled "Z", to the millisecond. */
static int
add_time(struct fk_buf *b)
{
	struct timeval tv;
	struct tm tm;
	char day[32], t[64];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(t, sizeof(t), "\"time\":\"%s.%03ldZ\"", day,
	    (long)(tv.tv_usec / 1000));
	return add_str(b, t);
}

/* One event field: a string, a finite number, or null. */
static int
add_field(struct fk_buf *b, const struct fk_kv *kv)
{
	char num[32];

	if (add_str(b, ",") < 0 || add_jstr(b, kv->key) < 0 ||
	    add_str(b, ":") < 0)
		return -1;
	if (kv->str != NULL)
		return add_jstr(b, kv->str);
	if (!isfinite(kv->num))
		return add_str(b, "null");
	snprintf(num, sizeof(num), "%.17g", kv->num);
	return add_str(b, num);
}

#define LABELS ",\"logging.googleapis.com/labels\":{\"program\":"

/*
 * One line in the shape of Google's structured logging: severity,
 * message, time and the program as a label come first, then our own
 * event name and fields, which Cloud Logging keeps in jsonPayload.
 */
static int
build_json(struct fk_buf *b, int level, const char *event,
    const struct fk_kv *kv, int nkv, const char *msg)
{
	int i;

	if (add_str(b, "{\"severity\":\"") < 0 ||
	    add_str(b, severities[level]) < 0 ||
	    add_str(b, "\",\"message\":") < 0 || add_jstr(b, msg) < 0 ||
	    add_str(b, ",") < 0 || add_time(b) < 0 ||
	    add_str(b, LABELS) < 0 || add_jstr(b, prog) < 0 ||
	    add_str(b, "}") < 0)
		return -1;
	if (event != NULL && (add_str(b, ",\"event\":") < 0 ||
	    add_jstr(b, event) < 0))
		return -1;
	for (i = 0; i < nkv; i++)
		if (add_field(b, &kv[i]) < 0)
			return -1;
	return add_str(b, "}\n");
}

/*
 * The line is built whole and written in one call, so that the tools of
 * a pipeline, sharing one stderr, never cut into each other's lines.
 * Out of memory, the message still goes out, as text.
 */
static void
emit_json(int level, const char *event, const struct fk_kv *kv, int nkv,
    const char *msg)
{
	struct fk_buf b = { 0 };

	if (build_json(&b, level, event, kv, nkv, msg) == 0)
		fwrite(b.p, 1, b.len, stderr);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
	fk_buf_free(&b);
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
