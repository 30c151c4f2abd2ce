/*
 * t.h: a tiny unit-test harness printing the TAP-style lines tests/run.sh
 * counts.  Include once per test program; end main with T_DONE().
 */
#ifndef FK_T_H
#define FK_T_H

#include <stdio.h>
#include <string.h>

static int t_failed;

#define T_OK(cond, ...) do {						\
	int t_ok_ = (cond) ? 1 : 0;	/* evaluate once: side effects */	\
									\
	printf(t_ok_ ? "ok - " : "not ok - ");				\
	t_failed += !t_ok_;						\
	printf(__VA_ARGS__);						\
	if (!t_ok_)							\
		printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);	\
	putchar('\n');							\
} while (0)

#define T_STREQ(a, b, ...) T_OK(strcmp((a), (b)) == 0, __VA_ARGS__)
#define T_DONE() return t_failed != 0

#endif
