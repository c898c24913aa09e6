/* tap.h - the few checks the C unit tests need; exit code for automake */
#ifndef SM_TAP_H
#define SM_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		tap_run++;                                                  \
		if (!(cond)) {                                              \
			tap_failed++;                                       \
			printf("not ok %d - %s:%d: ", tap_run, __FILE__, __LINE__); \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
		}                                                           \
	} while (0)

static inline const char *tap_str(const char *s)
{
	return s ? s : "(null)";
}

#define CHECK_STR(got, want)                                                \
	CHECK(strcmp(tap_str(got), (want)) == 0, "got \"%s\", want \"%s\"",  \
	      tap_str(got), (want))

/* A small seeded random number below n (xorshift): runs repeat. */
static inline unsigned tap_rnd(unsigned n)
{
	static unsigned long long s = 88172645463325252ull;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned)(s % n);
}

static inline int tap_done(void)
{
	printf("%d checks, %d failed\n", tap_run, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
