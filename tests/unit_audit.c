/* unit_audit.c - the agreement statistics and ProcessBench's figures on
 * worked examples published with them */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "audit.h"

#define NEAR(x, want) (fabs((x) - (want)) < 5e-4)

int main(void)
{
	/* Cohen's kappa: 50 proposals read by two readers, yes/yes 20,
	 * yes/no 5, no/yes 10, no/no 15: p_o 0.7, p_e 0.5, kappa 0.4 (the
	 * worked example of Wikipedia's "Cohen's kappa") */
	int a[50], b[50], two[100];
	for (int i = 0; i < 50; i++) {
		a[i] = i < 25 ? 1 : 0;
		b[i] = i < 20 ? 1 : i < 25 ? 0 : i < 35 ? 1 : 0;
		two[2 * i] = a[i];
		two[2 * i + 1] = b[i];
	}
	double k = stat_kappa(a, b, 50, 2);
	CHECK(NEAR(k, 0.4), "kappa %.4f, want 0.4", k);
	/* Gwet's AC1 (Gwet 2008, eq. for two raters) on the same table: pi_yes
	 * = (25/50 + 30/50) / 2 = 0.55, p_e = 2 * 0.55 * 0.45 / (2 - 1) = 0.495,
	 * AC1 = (0.7 - 0.495) / (1 - 0.495) = 0.40594 */
	double g = stat_ac1(two, 50, 2, 2);
	CHECK(NEAR(g, 0.40594), "AC1 %.5f, want 0.40594", g);
	/* Krippendorff's alpha, nominal: the 4 observers x 12 units example of
	 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
	 * missing values included: alpha = 0.743 */
	static const int kr[12][4] = {
		{1, 1, -1, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2},
		{1, 2, 3, 4}, {4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {-1, 5, 5, 5},
		{-1, -1, 1, 1}, {-1, 3, -1, -1},
	};
	double al = stat_alpha(&kr[0][0], 12, 4, 6);
	CHECK(NEAR(al, 0.743), "alpha %.4f, want 0.743", al);
	/* alpha of two raters without missing values equals Scott's pi
	 * corrected for sample size: on the kappa table, n = 100 values,
	 * yes 55, no 45, disagreements 15 pairs */
	double a2 = stat_alpha(two, 50, 2, 2);
	double want = 1 - 99.0 * 30 / (100.0 * 100 - 55 * 55 - 45 * 45);
	CHECK(NEAR(a2, want), "alpha of two %.4f, want %.4f", a2, want);
	/* degenerate: nothing rated, everyone the same category */
	CHECK(isnan(stat_kappa(a, b, 0, 2)), "kappa of nothing is undefined");
	int same[6] = {1, 1, 1, 1, 1, 1};
	CHECK(isnan(stat_alpha(same, 3, 2, 2)), "alpha of one category is undefined");
	CHECK(isnan(stat_kappa(same, same + 3, 3, 2)), "kappa of one category is undefined");
	int lone[4] = {1, -1, 0, -1};
	CHECK(isnan(stat_alpha(lone, 2, 2, 2)) && isnan(stat_ac1(lone, 2, 2, 2)),
	      "units of one rating pair nothing");
	/* "step labels are mostly +1": 95 agreements on +1, 5 disagreements;
	 * kappa collapses below 0, AC1 stays high (the paradox AC1 answers) */
	int sk[200];
	for (int i = 0; i < 100; i++) {
		sk[2 * i] = 1;
		sk[2 * i + 1] = i < 95 ? 1 : 0;
	}
	int x[100], y[100];
	for (int i = 0; i < 100; i++)
		x[i] = sk[2 * i], y[i] = sk[2 * i + 1];
	double kk = stat_kappa(x, y, 100, 2), ac = stat_ac1(sk, 100, 2, 2);
	CHECK(kk <= 0 && ac > 0.9, "the paradox: kappa %.3f, AC1 %.3f", kk, ac);

	/* ProcessBench's figures: F1 is the harmonic mean of the two
	 * accuracies, 0 when both are 0 */
	CHECK(NEAR(audit_f1(60, 100), 75), "F1 of 60 and 100");
	CHECK(audit_f1(0, 0) == 0, "F1 of nothing");
	CHECK(audit_pct(3, 0) == 0 && NEAR(audit_pct(1, 3), 33.3333), "percentages");
	CHECK(NEAR(audit_threshold(0), 0.05) && NEAR(audit_threshold(AUDIT_NT - 1), 0.95), "thresholds");
	return tap_done();
}
