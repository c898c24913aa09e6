/* rat.c - exact rationals over int64; every operation reports overflow */
#include "config.h"

#include "rat.h"

int64_t rat_gcd(int64_t a, int64_t b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int rat_make(int64_t n, int64_t d, struct rat *out)
{
	if (d == 0 || n == INT64_MIN || d == INT64_MIN)
		return -1;
	if (d < 0)
		n = -n, d = -d;
	int64_t g = rat_gcd(n, d);
	if (g > 1)
		n /= g, d /= g;
	out->n = n;
	out->d = d;
	return 0;
}

int rat_mul(struct rat a, struct rat b, struct rat *out)
{
	int64_t g1 = rat_gcd(a.n, b.d), g2 = rat_gcd(b.n, a.d);
	if (g1 == 0)
		g1 = 1;
	if (g2 == 0)
		g2 = 1;
	int64_t n, d;
	if (__builtin_mul_overflow(a.n / g1, b.n / g2, &n) ||
	    __builtin_mul_overflow(a.d / g2, b.d / g1, &d))
		return -1;
	return rat_make(n, d, out);
}

int rat_div(struct rat a, struct rat b, struct rat *out)
{
	struct rat inv;
	if (b.n == 0 || rat_make(b.d, b.n, &inv) < 0)
		return -1;
	return rat_mul(a, inv, out);
}

int rat_add(struct rat a, struct rat b, struct rat *out)
{
	int64_t x, y, n, d;
	if (__builtin_mul_overflow(a.n, b.d, &x) ||
	    __builtin_mul_overflow(b.n, a.d, &y) ||
	    __builtin_add_overflow(x, y, &n) ||
	    __builtin_mul_overflow(a.d, b.d, &d))
		return -1;
	return rat_make(n, d, out);
}

int rat_sub(struct rat a, struct rat b, struct rat *out)
{
	if (b.n == INT64_MIN)
		return -1;
	b.n = -b.n;
	return rat_add(a, b, out);
}
