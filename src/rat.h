/* rat.h - exact rationals over int64; every operation reports overflow */
#ifndef SM_RAT_H
#define SM_RAT_H

#include <stdint.h>

struct rat {
	int64_t n, d; /* d > 0, gcd(n, d) = 1 */
};

/* gcd(|a|, |b|); 0 when both are 0. */
int64_t rat_gcd(int64_t a, int64_t b);
/* n/d in lowest terms; -1 when d is 0 or a value cannot be negated. */
int rat_make(int64_t n, int64_t d, struct rat *out);
/* The operations return 0, or -1 on overflow (or division by zero). */
int rat_add(struct rat a, struct rat b, struct rat *out);
int rat_sub(struct rat a, struct rat b, struct rat *out);
int rat_mul(struct rat a, struct rat b, struct rat *out);
int rat_div(struct rat a, struct rat b, struct rat *out);

#endif
