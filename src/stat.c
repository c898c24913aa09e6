/* stat.c - agreement statistics: Cohen's kappa, Krippendorff's alpha
 * (nominal, missing values allowed) and Gwet's AC1 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "util.h"

/* How many of a unit's ratings fall in each category (into nuc, ncat
 * long): the number of ratings. */
static long unit_counts(const int *row, int nraters, int ncat, long *nuc)
{
	long m = 0;
	memset(nuc, 0, (size_t)ncat * sizeof(long));
	for (int r = 0; r < nraters; r++)
		if (row[r] >= 0 && row[r] < ncat) {
			nuc[row[r]]++;
			m++;
		}
	return m;
}

double stat_kappa(const int *a, const int *b, size_t n, int ncat)
{
	long *ma = xcalloc((size_t)ncat + 1, sizeof(long));
	long *mb = xcalloc((size_t)ncat + 1, sizeof(long));
	long both = 0, agree = 0;
	for (size_t i = 0; i < n; i++) {
		if (a[i] < 0 || b[i] < 0 || a[i] >= ncat || b[i] >= ncat)
			continue;
		both++;
		agree += a[i] == b[i];
		ma[a[i]]++;
		mb[b[i]]++;
	}
	double pe = 0;
	for (int k = 0; k < ncat && both; k++)
		pe += (double)ma[k] / both * ((double)mb[k] / both);
	free(ma);
	free(mb);
	if (!both || pe >= 1)
		return NAN;
	return ((double)agree / both - pe) / (1 - pe);
}

/* Krippendorff's alpha for nominal data: 1 - D_o / D_e from the
 * coincidences of the values within each unit of two or more. */
double stat_alpha(const int *v, size_t nunits, int nraters, int ncat)
{
	long *nc = xcalloc((size_t)ncat + 1, sizeof(long));
	long *nuc = xcalloc((size_t)ncat + 1, sizeof(long));
	double dis = 0, n = 0;
	for (size_t u = 0; u < nunits; u++) {
		long m = unit_counts(v + u * (size_t)nraters, nraters, ncat, nuc);
		if (m < 2)
			continue;
		double same = 0;
		for (int k = 0; k < ncat; k++) {
			same += (double)nuc[k] * nuc[k];
			nc[k] += nuc[k];
		}
		dis += ((double)m * m - same) / (m - 1);
		n += m;
	}
	double sq = 0;
	for (int k = 0; k < ncat; k++)
		sq += (double)nc[k] * nc[k];
	free(nc);
	free(nuc);
	double de = n * n - sq;
	if (n < 2 || de <= 0)
		return NAN;
	return 1 - (n - 1) * dis / de;
}

/* Gwet's AC1 (2008) for any number of raters with missing ratings:
 * agreement over units of two or more ratings, chance agreement from the
 * categories' shares, (1 / (K - 1)) sum pi_k (1 - pi_k), K the number of
 * categories used. */
double stat_ac1(const int *v, size_t nunits, int nraters, int ncat)
{
	double *pi = xcalloc((size_t)ncat + 1, sizeof(double));
	long *nuc = xcalloc((size_t)ncat + 1, sizeof(long));
	double pa = 0;
	long rated = 0, paired = 0;
	for (size_t u = 0; u < nunits; u++) {
		long m = unit_counts(v + u * (size_t)nraters, nraters, ncat, nuc);
		if (m < 1)
			continue;
		rated++;
		for (int k = 0; k < ncat; k++)
			pi[k] += (double)nuc[k] / m;
		if (m < 2)
			continue;
		paired++;
		for (int k = 0; k < ncat; k++)
			pa += (double)nuc[k] * (nuc[k] - 1) / ((double)m * (m - 1));
	}
	int used = 0;
	double pe = 0;
	for (int k = 0; k < ncat; k++) {
		if (pi[k] > 0)
			used++;
		double p = rated ? pi[k] / rated : 0;
		pe += p * (1 - p);
	}
	free(pi);
	free(nuc);
	if (!paired)
		return NAN;
	pa /= paired;
	pe = used > 1 ? pe / (used - 1) : 0;
	if (pe >= 1)
		return NAN;
	return (pa - pe) / (1 - pe);
}
