/*
 * bad.h: bad records, decided in input order (bad.c; the types are in
 * ring.h).
 */
#ifndef FK_SHAPE_BAD_H
#define FK_SHAPE_BAD_H

#include <jv.h>

struct batch;
struct item;
struct pii;
struct pipe;
struct worker;

/* Fail batch b with code and a message; returns -1. */
int bad_fail(struct batch *b, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether p asks for any personal data to be kept out of reject lines. */
int bad_pii_any(const struct pii *p);
/*
 * Record one bad record: its reject line (value consumed; pass
 * jv_invalid() to leave it out), its message, and a mark.
 */
void bad(struct worker *w, const struct item *it, const char *path,
    const char *reason, jv value, int fatal);
/* A value for a reject line, unless personal data must stay out of it. */
jv bad_keep(const struct worker *w, jv v);
/*
 * The index of the mark in b to stop at when allowed more rejects may
 * pass, or -1 to take the whole batch; *why gets the PIPE_STOP_ reason.
 */
long bad_cut(const struct batch *b, long long allowed, int *why);
/* bad_cut for the next batch to write, which sets p->st->stop. */
long bad_stop_at(struct pipe *p, const struct batch *b);

#endif
