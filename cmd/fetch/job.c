/*
 * job.c: the specs of a run and its base seed (see job.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "job.h"
#include "plan.h"

#define MAX_LINE	65536

/* Where a lint warning goes, and the spec it is about. */
struct lint {
	const struct fetch_spec *sp;
	void (*warn)(const char *msg);
};

static void
today(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

static void
lint_warn(void *arg, const char *msg)
{
	const struct lint *l = arg;
	char line[FK_ERR_MAX + 32];

	if (l->sp->lineno <= 0) {
		l->warn(msg);
		return;
	}
	snprintf(line, sizeof(line), "stdin line %ld: %s", l->sp->lineno,
	    msg);
	l->warn(line);
}

static int
add_spec(struct fetch_job *j, const struct fetch_spec *sp, struct lint *l,
    struct fk_err *e)
{
	struct fetch_spec *n;

	n = realloc(j->specs, (j->nspecs + 1) * sizeof(*n));
	if (n == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "out of memory");
	j->specs = n;
	j->specs[j->nspecs] = *sp;
	j->specs[j->nspecs].first_k = j->total;
	j->specs[j->nspecs].nreq = fetch_nreq(sp->count);
	l->sp = &j->specs[j->nspecs];
	fetch_spec_lint(l->sp, lint_warn, l);
	j->total += j->specs[j->nspecs].nreq;
	j->any_seeded |= sp->seeded;
	j->any_custom |= !sp->seeded;
	j->nspecs++;
	if (j->total > FETCH_MAX_REQUESTS)
		return fk_fail(e, FK_EX_DATAERR, "too many requests in one run "
		    "(over %llu)", (unsigned long long)FETCH_MAX_REQUESTS);
	return 0;
}

/* Strip the line end and surrounding blanks in place. */
static char *
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Read and check every stdin line before any request goes out. */
static int
read_specs(struct fetch_job *j, const struct fetch_defaults *d,
    struct lint *l, struct fk_err *e)
{
	struct fetch_spec sp;
	struct fk_err why;
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t len;
	long no = 0;
	int rc = -1;

	while ((len = getline(&line, &cap, stdin)) != -1) {
		no++;
		if (len > MAX_LINE) {
			fk_fail(e, FK_EX_DATAERR, "stdin line %ld: longer than "
			    "%d bytes", no, MAX_LINE);
			goto out;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (fetch_spec_parse(s, d, &sp, &why) < 0) {
			fk_fail(e, FK_EX_DATAERR, "stdin line %ld: %s", no,
			    why.msg);
			goto out;
		}
		sp.lineno = no;
		if (add_spec(j, &sp, l, e) < 0) {
			if (e->code == FK_EX_SOFTWARE)
				fetch_spec_free(&sp);
			goto out;
		}
	}
	if (ferror(stdin)) {
		fk_fail(e, FK_EX_IOERR, "cannot read standard input: %s",
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

int
fetch_job_build(struct fetch_job *j, const char *operand,
    const struct fetch_defaults *d,
    void (*warn)(const char *msg), struct fk_err *e)
{
	struct lint l = { NULL, warn };
	struct fetch_defaults dd = *d;
	struct fetch_spec sp;
	char date[16];

	memset(j, 0, sizeof(*j));
	today(date, sizeof(date));
	dd.today = date;
	if (operand != NULL && strcmp(operand, "-") == 0)
		return read_specs(j, &dd, &l, e);
	if (fetch_spec_parse(operand ? operand : "users", &dd, &sp, e) < 0)
		return -1;
	return add_spec(j, &sp, &l, e);
}

void
fetch_job_free(struct fetch_job *j)
{
	while (j->nspecs > 0)
		fetch_spec_free(&j->specs[--j->nspecs]);
	free(j->specs);
	j->specs = NULL;
}

int
fetch_random_seed(uint32_t *seed, struct fk_err *e)
{
	uint32_t s = 0;

	/* Request 0 uses the base seed itself when it is at most p. */
	while (s == 0 || s > FETCH_PRIME) {
		if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
			return fk_fail(e, FK_EX_SOFTWARE, "cannot pick a "
			    "seed: %s", strerror(errno));
	}
	*seed = s;
	return 0;
}
