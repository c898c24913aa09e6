/* fmt_openrlhf.c - OpenRLHF's process reward data set: one text with the
 * placeholder token after every step, and a label list with one entry per
 * placeholder: a reward token (Math-Shepherd's defaults: ки, + and -), or
 * with --soft a float, the step's soft estimate (or, --soft=mc:progress
 * and mc:effective, MC's progress or effective reward) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define PLACEHOLDER "\xd0\xba\xd0\xb8" /* ки */

/* the soft value of step i: the source's k/n, or its value; derived
 * (MC's progress...): derived[i] */
static double soft(struct wr *w, const struct item *it, size_t i, int hard,
		   const double *derived)
{
	if (derived) {
		if (derived[i] != NO_VALUE)
			return derived[i];
		w->hard_steps++;
		return hard;
	}
	const struct suggestion *got = NULL;
	for (size_t k = 0; k < it->nsugs; k++) {
		const struct suggestion *g = &it->sugs[k];
		if (g->step == (int)i && sug_source_is(g, w->o->soft_source) &&
		    (g->n > 0 || g->value != NO_VALUE))
			got = g;
	}
	if (got)
		return got->n > 0 ? (double)got->k / got->n : got->value;
	w->hard_steps++;
	return hard;
}

static int orl_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	const char *ph = w->o->placeholder ? w->o->placeholder : PLACEHOLDER;
	int *labels;
	size_t n;
	int rc = wr_prm_labels(w, it, ph, &labels, &n);
	if (rc)
		return rc;
	struct buf text = {0};
	buf_puts(&text, it->problem);
	for (size_t i = 0; i < n; i++)
		buf_printf(&text, "%s%s %s", i ? "\n" : " ", it->steps[i].text, ph);
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "input");
	buf_json_str(b, text.data, text.len);
	buf_putc(b, ',');
	wr_key(b, "label");
	buf_putc(b, '[');
	double *derived = NULL;
	char base[200];
	int kind = w->o->soft_source ? mc_soft_kind(w->o->soft_source, base, sizeof(base)) :
		   MC_SOFT_NONE;
	if (kind != MC_SOFT_NONE) {
		derived = xmalloc((it->nsteps + 1) * sizeof(double));
		mc_soft_values(it, base, kind, &w->o->mc, derived);
	}
	const char *good = w->o->reward_good ? w->o->reward_good : "+";
	const char *bad = w->o->reward_bad ? w->o->reward_bad : "-";
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		if (w->o->soft_source)
			buf_printf(b, "%.6g", soft(w, it, i, labels[i], derived));
		else
			buf_json_str(b, labels[i] ? good : bad, strlen(labels[i] ? good : bad));
	}
	buf_puts(b, "]}\n");
	buf_free(&text);
	free(derived);
	free(labels);
	w->rows++;
	return 0;
}

const struct format_ops fmt_openrlhf = {
	.name = "openrlhf",
	.summary = "OpenRLHF process reward data: input (the steps, each followed by \xd0\xba\xd0\xb8), label (+ or - per step, to the first error)",
	.write = orl_write,
};
