/* prov_calc.c - the offline tool check: each step's arithmetic claims,
 * verified exactly; no model, no request */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "calc.h"

static int calc_start(struct pjob *pj)
{
	const struct item *it = &pj->v.it;
	struct buf report = {0};
	int first = -1;
	for (size_t i = 0; i < it->nsteps; i++) {
		int checked;
		buf_reset(&report);
		int wrong = calc_check(it->steps[i].text, &report, &checked);
		if (!checked)
			continue;
		struct suggestion *g = pjob_sug(pj, (int)i);
		g->value = wrong ? 0 : 1;
		g->rationale = arena_strndup(&pj->a, report.data, report.len);
		if (wrong && first < 0)
			first = (int)i;
	}
	if (first >= 0) {
		struct suggestion *g = pjob_sug(pj, -1);
		g->first_error = first;
	}
	buf_free(&report);
	pj->done = 1;
	return 0;
}

const struct provider_ops calc_ops = {
	.name = "calc",
	.summary = "each step's arithmetic checked exactly, offline",
	.show = SHOW_CHECK,
	.area = "calc",
	/* its first error is the first step with a false claim, which says
	 * nothing of the steps before it (unchecked ones may be wrong): the
	 * steps it checked carry their own marks, the others stay unrated
	 * (item_resolve reads this; so do the audit, consensus, accept and
	 * export --source calc) */
	.fe_names_only = 1,
	.start = calc_start,
	.free = NULL,
};
