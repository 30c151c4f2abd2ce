/*
 * test_fetch_progress.c: the records a shard asks for, the rate over
 * the last pages, and an ETA that the pace bounds from below.
 */
#include <string.h>

#include "t.h"
#include "fetch/progress.h"

int
main(void)
{
	struct fetch_spec sp[2];
	struct fetch_progress p;
	char text[160];
	int i;

	memset(sp, 0, sizeof(sp));
	/* 2500 users (k 0..2), then 1200 books (k 3..4). */
	sp[0].count = 2500, sp[0].first_k = 0, sp[0].nreq = 3;
	sp[1].count = 1200, sp[1].first_k = 3, sp[1].nreq = 2;
	T_OK(fetch_shard_records(sp, 2, 1, 1) == 3700, "one shard: all");
	/* Shard 1/2: k 0, 2, 4 = 1000 + 500 + 200; 2/2: k 1, 3 = 2000. */
	T_OK(fetch_shard_records(sp, 2, 1, 2) == 1700, "shard 1/2: 1700");
	T_OK(fetch_shard_records(sp, 2, 2, 2) == 2000, "shard 2/2: 2000");
	T_OK(fetch_shard_records(sp, 2, 5, 5) == 200, "shard 5/5: k 4");

	/* Unpaced: 10 pages of 1000 in 10 s, 100 pages in all. */
	fetch_progress_init(&p, 100000, 100, 0, 0);
	T_OK(fetch_progress_eta(&p, 0) < 0, "no page yet: ETA unknown");
	for (i = 1; i <= 10; i++)
		fetch_progress_add(&p, 1000, i);
	T_OK(fetch_progress_rate(&p, 10) == 1000, "rate: 1000 records/s");
	T_OK(fetch_progress_eta(&p, 10) == 90, "ETA: 90000 records at 1000/s");
	fetch_progress_text(&p, 10, text, sizeof(text));
	T_STREQ(text, "10000/100000 records (10%), 1000/s, ETA 1m30s",
	    "the line: %s", text);
	/* The rate is the current one: the last 15 pages, not the run. */
	for (i = 1; i <= 20; i++)
		fetch_progress_add(&p, 1000, 10 + 0.5 * i);
	T_OK(fetch_progress_rate(&p, 20) == 2000, "rate now: 2000 records/s");

	/* Paced at 30 a minute: the first pages come fast, the rest not. */
	fetch_progress_init(&p, 600000, 600, 30, 0);
	fetch_progress_add(&p, 1000, 0.1);
	fetch_progress_add(&p, 1000, 0.2);
	/* 598 left: the next may start now, each later one 2 s after. */
	T_OK(fetch_progress_eta(&p, 0.2) == 597 * 2.0, "ETA: 598 more "
	    "requests at one per 2 s (the pace), not one per 0.1 s");
	fetch_progress_text(&p, 0.2, text, sizeof(text));
	T_STREQ(text, "2000/600000 records (0%), 10000/s, ETA 19m54s",
	    "paced line: %s", text);
	for (i = 3; i <= 600; i++)
		fetch_progress_add(&p, 1000, 2.0 * i);
	fetch_progress_text(&p, 1200, text, sizeof(text));
	T_STREQ(text, "600000/600000 records (100%), 500/s, ETA 0s",
	    "done: %s", text);
	fetch_progress_init(&p, 10000000, 10000, 30, 0);
	fetch_progress_add(&p, 1000, 1);
	fetch_progress_text(&p, 1, text, sizeof(text));
	T_STREQ(text, "1000/10000000 records (0%), 1000/s, ETA 5h33m",
	    "hours: %s", text);
	T_DONE();
}
