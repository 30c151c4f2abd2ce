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
	if (cond) {							\
		printf("ok - ");					\
	} else {							\
		printf("not ok - ");					\
		t_failed++;						\
	}								\
	printf(__VA_ARGS__);						\
	if (!(cond))							\
		printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);	\
	putchar('\n');							\
} while (0)

#define T_STREQ(a, b, ...) T_OK(strcmp((a), (b)) == 0, __VA_ARGS__)
#define T_DONE() return t_failed != 0

#endif
