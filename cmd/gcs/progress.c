/*
 * progress.c: an upload's progress on stderr (see progress.h).
 */
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"
#include "progress.h"

void
gcs_progress_init(struct gcs_progress *p)
{
	struct stat st;
	int piped = fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));

	p->line = fk_progress_rule(piped, &p->every);
	p->drawn = 0;
	p->start = p->last_event = fk_now();
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
draw(struct gcs_progress *p, const struct gcs_event *ev)
{
	char done[32], rate[32];
	double secs = fk_now() - p->start;

	human((double)ev->sent, done, sizeof(done));
	human(secs > 0 ? (double)ev->sent / secs : 0, rate, sizeof(rate));
	fprintf(stderr, "\r%s sent, %s/s, %d retr%s    ", done, rate,
	    ev->retries, ev->retries == 1 ? "y" : "ies");
	p->drawn = 1;
}

/* Under FK_LOG=json: how far the upload got, every p->every seconds. */
static void
log_event(struct gcs_progress *p, const struct gcs_event *ev)
{
	double now = fk_now(), secs = now - p->start;

	if (now - p->last_event < p->every)
		return;
	p->last_event = now;
	fk_log(FK_LOG_INFO, "progress", (struct fk_kv[]){
	    FK_N("sent", (double)ev->sent),
	    FK_N("confirmed", (double)ev->confirmed),
	    FK_N("seconds", secs),
	    FK_N("rate", secs > 0 ? (double)ev->sent / secs : 0),
	    FK_N("retries", ev->retries) }, 5, "%llu bytes sent", ev->sent);
}

void
gcs_progress_show(struct gcs_progress *p, const struct gcs_event *ev)
{
	if (p->line)
		draw(p, ev);
	else if (p->every > 0)
		log_event(p, ev);
}

void
gcs_progress_clear(struct gcs_progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r%60s\r", "");
	p->drawn = 0;
}
