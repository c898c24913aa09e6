/* stat.c - agreement statistics: Cohen's kappa, Krippendorff's alpha
 * (nominal, missing values allowed) and Gwet's AC1 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "util.h"

/* The categories of u grown to hold category c (the new ones empty). */
static void units_grow(struct stat_units *u, int c)
{
	if (c < u->ncat)
		return;
	int n = c + 8;
	u->nc = xrealloc(u->nc, (size_t)n * sizeof(long));
	u->nuc = xrealloc(u->nuc, (size_t)n * sizeof(long));
	u->pi = xrealloc(u->pi, (size_t)n * sizeof(double));
	for (int k = u->ncat; k < n; k++) {
		u->nc[k] = u->nuc[k] = 0;
		u->pi[k] = 0;
	}
	u->ncat = n;
}

/* Each sum below runs over the unit's categories in order as the
 * figures over the whole list did: a category met later adds zeros
 * before it is met, so the sums are the same to the last bit. */
void stat_units_add(struct stat_units *u, const int *row, int nraters)
{
	long m = 0;
	for (int r = 0; r < nraters; r++)
		if (row[r] >= 0)
			units_grow(u, row[r]);
	if (u->ncat)
		memset(u->nuc, 0, (size_t)u->ncat * sizeof(long));
	for (int r = 0; r < nraters; r++)
		if (row[r] >= 0) {
			u->nuc[row[r]]++;
			m++;
		}
	if (m < 1)
		return;
	/* AC1: the categories' shares; agreement over units of two or more */
	u->rated++;
	for (int k = 0; k < u->ncat; k++)
		u->pi[k] += (double)u->nuc[k] / m;
	if (m < 2)
		return;
	u->paired++;
	for (int k = 0; k < u->ncat; k++)
		u->pa += (double)u->nuc[k] * (u->nuc[k] - 1) / ((double)m * (m - 1));
	/* alpha: the coincidences within the unit */
	double same = 0;
	for (int k = 0; k < u->ncat; k++) {
		same += (double)u->nuc[k] * u->nuc[k];
		u->nc[k] += u->nuc[k];
	}
	u->dis += ((double)m * m - same) / (m - 1);
	u->n += m;
}

/* Krippendorff's alpha for nominal data: 1 - D_o / D_e from the
 * coincidences of the values within each unit of two or more. */
double stat_units_alpha(const struct stat_units *u, int ncat)
{
	double sq = 0;
	for (int k = 0; k < ncat; k++) {
		long c = k < u->ncat ? u->nc[k] : 0;
		sq += (double)c * c;
	}
	double de = u->n * u->n - sq;
	if (u->n < 2 || de <= 0)
		return NAN;
	return 1 - (u->n - 1) * u->dis / de;
}

/* Gwet's AC1 (2008) for any number of raters with missing ratings:
 * agreement over units of two or more ratings, chance agreement from the
 * categories' shares, (1 / (K - 1)) sum pi_k (1 - pi_k), K the number of
 * categories used. */
double stat_units_ac1(const struct stat_units *u, int ncat)
{
	int used = 0;
	double pe = 0;
	for (int k = 0; k < ncat; k++) {
		double pk = k < u->ncat ? u->pi[k] : 0;
		if (pk > 0)
			used++;
		double p = u->rated ? pk / u->rated : 0;
		pe += p * (1 - p);
	}
	if (!u->paired)
		return NAN;
	double pa = u->pa / u->paired;
	pe = used > 1 ? pe / (used - 1) : 0;
	if (pe >= 1)
		return NAN;
	return (pa - pe) / (1 - pe);
}

void stat_units_free(struct stat_units *u)
{
	free(u->nc);
	free(u->nuc);
	free(u->pi);
	memset(u, 0, sizeof(*u));
}

void stat_pair_add(struct stat_pair *p, int a, int b)
{
	if (a < 0 || b < 0)
		return;
	int c = a > b ? a : b;
	if (c >= p->ncat) {
		int n = c + 8;
		p->ma = xrealloc(p->ma, (size_t)n * sizeof(long));
		p->mb = xrealloc(p->mb, (size_t)n * sizeof(long));
		for (int k = p->ncat; k < n; k++)
			p->ma[k] = p->mb[k] = 0;
		p->ncat = n;
	}
	p->both++;
	p->agree += a == b;
	p->ma[a]++;
	p->mb[b]++;
}

double stat_pair_kappa(const struct stat_pair *p, int ncat)
{
	double pe = 0;
	for (int k = 0; k < ncat && p->both; k++) {
		long a = k < p->ncat ? p->ma[k] : 0, b = k < p->ncat ? p->mb[k] : 0;
		pe += (double)a / p->both * ((double)b / p->both);
	}
	if (!p->both || pe >= 1)
		return NAN;
	return ((double)p->agree / p->both - pe) / (1 - pe);
}

void stat_pair_free(struct stat_pair *p)
{
	free(p->ma);
	free(p->mb);
	memset(p, 0, sizeof(*p));
}

/* ---- the same over a whole list: values of ncat and above missing */

double stat_kappa(const int *a, const int *b, size_t n, int ncat)
{
	struct stat_pair p = {0};
	for (size_t i = 0; i < n; i++)
		if (a[i] < ncat && b[i] < ncat)
			stat_pair_add(&p, a[i], b[i]);
	double k = stat_pair_kappa(&p, ncat);
	stat_pair_free(&p);
	return k;
}

/* the units of v (values of ncat and above missing) into u */
static void units_of(struct stat_units *u, const int *v, size_t nunits, int nraters, int ncat)
{
	int *row = xmalloc(((size_t)nraters + 1) * sizeof(int));
	for (size_t i = 0; i < nunits; i++) {
		for (int r = 0; r < nraters; r++) {
			int x = v[i * (size_t)nraters + r];
			row[r] = x < ncat ? x : -1;
		}
		stat_units_add(u, row, nraters);
	}
	free(row);
}

double stat_alpha(const int *v, size_t nunits, int nraters, int ncat)
{
	struct stat_units u = {0};
	units_of(&u, v, nunits, nraters, ncat);
	double a = stat_units_alpha(&u, ncat);
	stat_units_free(&u);
	return a;
}

double stat_ac1(const int *v, size_t nunits, int nraters, int ncat)
{
	struct stat_units u = {0};
	units_of(&u, v, nunits, nraters, ncat);
	double a = stat_units_ac1(&u, ncat);
	stat_units_free(&u);
	return a;
}
