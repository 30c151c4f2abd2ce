/*
 * log.h: diagnostics on stderr for cmd/ (lib/ modules never call these).
 *
 * Plain text by default ("fk-fetch: cannot open 'x': reason"), or, when
 * FK_LOG=json, one JSON object per line per event, in the shape Cloud
 * Logging reads from a container's stderr, so that a run can be audited
 * with jq or filtered by severity and label in Cloud Run and GKE:
 *   {"severity":"DEBUG","message":"GET ...","time":"2026-11-25T01:02:03.456Z",
 *    "logging.googleapis.com/labels":{"program":"fk-fetch"},
 *    "event":"request","url":"...","status":200}
 * stdout is never touched.
 */
#ifndef FK_LOG_H
#define FK_LOG_H

/*
 * Levels, most severe first.  NOTICE is for the few lines a run is
 * remembered by (its seed, its totals); INFO for the rest of the normal
 * story.  Both show unless -q; DEBUG only with -v.
 */
enum { FK_LOG_ERROR, FK_LOG_WARN, FK_LOG_NOTICE, FK_LOG_INFO, FK_LOG_DEBUG };

/* One structured field of an event; build with FK_S() and FK_N(). */
struct fk_kv {
	const char *key;
	const char *str;	/* string value, or NULL for a number */
	double num;
};
#define FK_S(k, v) ((struct fk_kv){ (k), (v) ? (v) : "", 0 })
#define FK_N(k, v) ((struct fk_kv){ (k), NULL, (double)(v) })

/*
 * Set the program name and read FK_LOG.  verbosity: 0 for -q (errors
 * only), 1 by default (warnings and notices), 2 for -v (per-request lines).
 */
void fk_log_init(const char *prog, int verbosity);

/* Nonzero when messages of this level are shown. */
int fk_log_enabled(int level);

/* Nonzero when FK_LOG=json is in force. */
int fk_log_json(void);

/*
 * Log one event.  event is a short machine name ("request", "retry",
 * "summary", or NULL for plain messages); fmt gives the human text.  In
 * text mode the fields are not printed (put what a person needs in fmt);
 * in JSON mode they become members of the object.
 */
void fk_log(int level, const char *event, const struct fk_kv *kv, int nkv,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Shorthands for plain messages. */
void fk_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fk_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The progress rule of fk(7), PROGRESS, for every tool: returns 1 when a
 * progress line may be drawn on stderr (a terminal, and FK_PROGRESS is
 * not 0; a tool that defers, i.e. reads a pipe in a pipeline, draws only
 * with FK_PROGRESS=1), else 0.  *every is set to the seconds between
 * "progress" log events (FK_PROGRESS_INTERVAL, default 30) under
 * FK_LOG=json, where nothing is drawn, or to 0.  -q (verbosity 0): none.
 * Call after fk_log_init.
 */
int fk_progress_rule(int defers, double *every);

/* The name given to fk_log_init, for usage lines. */
const char *fk_prog(void);

#endif
