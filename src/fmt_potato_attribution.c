/* fmt_potato_attribution.c - Potato's failure attribution of an agent
 * trace: who (responsible_agent), when (decisive_step) and why (reason) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/*
 * A record: {instance_id, annotator, responsible_agent, decisive_step,
 * reason}, labels alone for a solution already in the store (import needs
 * --dataset), as potato-prm's. It is stored as Who&When's attribution is:
 * a first-error label naming the agent, the reason its text; with
 * --as-source, a whole-solution suggestion of that source. decisive_step
 * counts the steps from 0, as the data does; null (or -1) says the trace
 * has no decisive error, and then responsible_agent is null.
 */

static const char *pa_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"instance_id", "decisive_step"};
	return detect_keys(rec, need, ARRAY_SIZE(need), why, n);
}

static const char *pa_check(const struct import_opts *o)
{
	return o->dataset ? NULL : "needs --dataset NAME: the data set whose traces the "
				   "attributions are for (Potato's labels carry no text)";
}

/* decisive_step: an integer (or a string holding one, as Who&When's
 * mistake_step); null or -1: none. */
static int read_step(struct rd *r, const struct jnode *v, int *out)
{
	long long s = -1;
	int rc = v && v->type != J_NULL ? rd_int_text(r, v, "decisive_step", &s) : 0;
	if (rc == -2)
		return rd_fail(r, "decisive_step must be an integer or null, not %s",
			       jtype_name(v->type));
	if (rc < 0)
		return -1;
	if (s < -1 || s >= 100000)
		return rd_fail(r, "decisive_step %lld is not a step (0 and up, or null for none)", s);
	*out = (int)s;
	return 0;
}

static int pa_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (potato_instance(r, rec, it) < 0)
		return -1;
	int step = -1;
	if (read_step(r, jget(rec, "decisive_step"), &step) < 0)
		return -1;
	const char *agent = rd_str(r, rec, "responsible_agent", 0);
	const char *reason = rd_str(r, rec, "reason", 0);
	if (r->err[0])
		return -1;
	if (step < 0 && agent)
		return rd_fail(r, "responsible_agent \"%s\" without a decisive_step", agent);
	if (agent && !*agent)
		return rd_fail(r, "field \"responsible_agent\" is empty");
	reason = reason && *reason ? reason : NULL;
	it->nsteps = (size_t)(step + 1); /* the solution must have the step */
	it->steps = rd_alloc(r, (it->nsteps + 1) * sizeof(*it->steps));
	for (size_t k = 0; k < it->nsteps; k++)
		it->steps[k].chosen = -1;
	if (r->o->as_source) { /* a predictor's: it says nothing of the steps before */
		struct suggestion *g = rd_suggestion(r, it, r->o->as_source, NULL, -1);
		g->first_error = step;
		g->agent = agent;
		g->rationale = reason;
		return 0;
	}
	rd_label(r, it, LK_FIRST_ERROR, -1, step, reason);
	it->labels[it->nlabels - 1].agent = agent;
	return 0;
}

static void put_str(struct buf *b, const char *key, const char *v)
{
	buf_putc(b, ',');
	wr_key(b, key);
	if (v)
		buf_json_str(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

/* The reason of who's attribution fe: the text of their first-error label
 * that says fe, else their newest note on the decisive step. */
static const char *reason_of(const struct item *one, const char *who, int fe)
{
	const char *reason = NULL;
	for (size_t i = 0; i < one->nlabels; i++) {
		const struct label *l = &one->labels[i];
		if (who && strcmp(l->annotator, who))
			continue;
		if (l->kind == LK_FIRST_ERROR && l->value == fe)
			reason = l->text;
		else if (l->kind == LK_ADJUDICATION && l->fe == fe && l->text && *l->text)
			reason = l->text;
	}
	for (size_t i = 0; i < one->nlabels && !reason && who && fe >= 0; i++) {
		const struct label *l = &one->labels[i];
		if (l->kind == LK_NOTE && l->step == fe && !strcmp(l->annotator, who))
			reason = l->text && *l->text ? l->text : NULL;
	}
	return reason && *reason ? reason : NULL;
}

/* One record: who's (NULL: null) attribution as one holds it. */
static int put_record(struct wr *w, const struct item *one, const char *who, int *ratings)
{
	int fe = item_resolve(one, &w->ro, ratings);
	if (fe < -1)
		return 1;
	const char *agent = NULL, *reason = NULL;
	if (w->ro.source) {
		agent = sug_fe_agent(one, w->ro.source, fe);
		for (size_t i = 0; i < one->nsugs; i++) {
			const struct suggestion *g = &one->sugs[i];
			if (g->step < 0 && g->first_error == fe && sug_source_is(g, w->ro.source))
				reason = g->rationale;
		}
	} else if (w->ro.agreed) {
		agent = one->agreed.agent;
		reason = reason_of(one, NULL, fe);
	} else {
		agent = label_fe_agent(one, who, fe);
		reason = reason_of(one, who, fe);
	}
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "instance_id");
	buf_json_str(b, one->key, strlen(one->key));
	put_str(b, "annotator", who);
	put_str(b, "responsible_agent", fe >= 0 ? agent : NULL);
	buf_putc(b, ',');
	wr_key(b, "decisive_step");
	if (fe >= 0)
		buf_printf(b, "%d", fe);
	else
		buf_puts(b, "null");
	put_str(b, "reason", reason);
	wr_agreement(w, one);
	buf_puts(b, "}\n");
	w->rows++;
	return 0;
}

static int pa_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	return wr_per_annotator(w, it, put_record);
}

const struct format_ops fmt_potato_attribution = {
	.name = "potato-attribution",
	.summary = "Potato's failure attribution: instance_id, annotator, responsible_agent, "
		   "decisive_step (0-based, null: none), reason, for traces already in --dataset "
		   "(JSON Lines)",
	.check = pa_check,
	.own_labels = 1,
	.detect = pa_detect,
	.read = pa_read,
	.write = pa_write,
};
