/*
 * progress.h: how far an upload got, as fk(7) PROGRESS says: a line
 * redrawn on a terminal, or under FK_LOG=json an event every few
 * seconds; nothing when a pipe feeds gcs-put (the stage upstream runs
 * as long and knows the totals).
 */
#ifndef GCS_PROGRESS_H
#define GCS_PROGRESS_H

#include "upload.h"

struct gcs_progress {
	int line;			/* draw a line on stderr */
	int drawn;			/* one is on the screen now */
	double every;			/* > 0: JSON progress events */
	double last_event;
	double start;
};

/* Decide what to show (stdin is fd 0) and start the clock. */
void gcs_progress_init(struct gcs_progress *p);

/* A GCS_EV_PROGRESS event: redraw the line or log an event. */
void gcs_progress_show(struct gcs_progress *p, const struct gcs_event *ev);

/* Take the line off the screen before another message. */
void gcs_progress_clear(struct gcs_progress *p);

#endif
