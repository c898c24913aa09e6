/* fmt_thinkprm.c - ThinkPRM: a verifier's chain of thought over a
 * solution's steps, a \boxed{correct} or \boxed{incorrect} per step */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/*
 * A record: problem, prefix_steps (the steps), gt_step_labels ("+" or
 * "-" per step) and cot (the verifier's text, one verdict per step in
 * order). The ground truth becomes the --as annotator's ratings; the
 * verifier's verdicts a judge's suggestions of source "thinkprm" (or the
 * --as-source name): a value per step (1 correct, 0 incorrect), its first
 * incorrect step as its first error, the whole text as its rationale.
 * With --as-source only the verifier's part is kept.
 */

static const char *tp_detect(const struct jnode *rec, char *why, size_t n)
{
	static const char *const need[] = {"problem", "prefix_steps", "cot"};
	const char *no = detect_keys(rec, need, ARRAY_SIZE(need), why, n);
	if (no)
		return no;
	if (jget(rec, "prefix_steps")->type != J_ARR)
		return "\"prefix_steps\" is not a list";
	return NULL;
}

/* The verdicts in the text's order: 1 for \boxed{correct}, 0 for
 * \boxed{incorrect}; how many, at most max. */
static size_t verdicts(const char *cot, int *out, size_t max)
{
	static const char tag[] = "\\boxed{";
	size_t n = 0;
	for (const char *p = cot; n < max && (p = strstr(p, tag)); p++) {
		const char *v = p + sizeof(tag) - 1;
		while (*v == ' ')
			v++;
		if (!strncmp(v, "correct", 7) && (v[7] == '}' || v[7] == ' '))
			out[n++] = 1;
		else if (!strncmp(v, "incorrect", 9) && (v[9] == '}' || v[9] == ' '))
			out[n++] = 0;
	}
	return n;
}

static int read_truth(struct rd *r, const struct jnode *rec, struct item *it)
{
	const struct jnode *g = jget(rec, "gt_step_labels");
	if (!g || g->type == J_NULL)
		return 0;
	if (g->type != J_ARR)
		return rd_fail(r, "field \"gt_step_labels\" must be a list of \"+\" and \"-\", not %s",
			       jtype_name(g->type));
	if (g->len != it->nsteps)
		return rd_fail(r, "gt_step_labels has %zu labels for %zu steps", g->len, it->nsteps);
	int *marks = rd_alloc(r, (it->nsteps + 1) * sizeof(int));
	size_t i = 0;
	for (const struct jnode *c = g->child; c; c = c->next, i++) {
		if (c->type != J_STR || (strcmp(c->str, "+") && strcmp(c->str, "-")))
			return rd_fail(r, "gt_step_labels[%zu] must be \"+\" or \"-\"", i);
		marks[i] = c->str[0] == '+' ? 1 : -1;
	}
	rd_ratings(r, it, marks, it->nsteps);
	return 0;
}

static void read_verifier(struct rd *r, const char *cot, struct item *it)
{
	int *v = rd_alloc(r, (it->nsteps + 1) * sizeof(int));
	size_t n = verdicts(cot, v, it->nsteps);
	int fe = n == it->nsteps ? -1 : -2; /* no error only when every step was judged */
	for (size_t i = 0; i < n; i++) {
		rd_suggestion(r, it, "thinkprm", NULL, (int)i)->value = v[i];
		if (!v[i] && (fe < 0))
			fe = (int)i;
	}
	struct suggestion *g = rd_suggestion(r, it, "thinkprm", NULL, -1);
	g->first_error = fe;
	g->rationale = cot;
}

static int tp_read(struct rd *r, const struct jnode *rec, struct item *it)
{
	if (rec->type != J_OBJ)
		return rd_fail(r, "the record is a %s, not an object", jtype_name(rec->type));
	it->key = rd_text(r, rec, "id", 0);
	if (r->err[0] || !(it->problem = rd_str(r, rec, "problem", 1)))
		return -1;
	const char **steps;
	size_t n;
	if (rd_str_list(r, rec, "prefix_steps", &steps, &n) < 0)
		return -1;
	if (n == 0)
		return rd_fail(r, "\"prefix_steps\" is empty");
	rd_steps(r, it, steps, n);
	const char *cot = rd_str(r, rec, "cot", 1);
	if (!cot)
		return -1;
	if (!r->o->as_source && read_truth(r, rec, it) < 0)
		return -1;
	read_verifier(r, cot, it);
	if (!it->key)
		it->key = rd_content_key(r, it);
	return 0;
}

/* The verifier's text: the newest whole-solution rationale of source
 * name (thinkprm, or the export's --source) */
static const char *verifier_text(const struct item *it, const char *name)
{
	const char *cot = NULL;
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		if (g->step < 0 && g->rationale && !strcmp(g->source, name))
			cot = g->rationale;
	}
	return cot;
}

/* The same shape back: the labels in force as gt_step_labels (+1 and 0
 * "+", -1 "-"), the verifier's text as cot. A solution with a step
 * unrated, or without a verifier's text, is left out (the reader needs
 * both). */
static int tp_write(struct wr *w, const struct item *it, const char *dataset)
{
	(void)dataset;
	const char *cot = verifier_text(it, w->o->source ? w->o->source : "thinkprm");
	int *ratings = xmalloc((it->nsteps + 1) * sizeof(int));
	int whole = cot && item_resolve(it, &w->ro, ratings) >= -1;
	for (size_t i = 0; i < it->nsteps && whole; i++)
		whole = ratings[i] != NO_RATING;
	if (!whole) {
		free(ratings);
		return 1;
	}
	struct buf *b = &w->out;
	buf_putc(b, '{');
	wr_key(b, "id");
	buf_json_str(b, it->key, strlen(it->key));
	buf_putc(b, ',');
	wr_key(b, "problem");
	buf_json_str(b, it->problem, strlen(it->problem));
	buf_putc(b, ',');
	wr_steps(b, "prefix_steps", it);
	buf_putc(b, ',');
	wr_key(b, "gt_step_labels");
	buf_putc(b, '[');
	for (size_t i = 0; i < it->nsteps; i++)
		buf_puts(b, ratings[i] < 0 ? (i ? ",\"-\"" : "\"-\"") : (i ? ",\"+\"" : "\"+\""));
	buf_puts(b, "],");
	wr_key(b, "cot");
	buf_json_str(b, cot, strlen(cot));
	wr_agreement(w, it);
	buf_puts(b, "}\n");
	free(ratings);
	w->rows++;
	return 0;
}

const struct format_ops fmt_thinkprm = {
	.name = "thinkprm",
	.summary = "ThinkPRM verification chains of thought: problem, prefix_steps, gt_step_labels, cot",
	.detect = tp_detect,
	.read = tp_read,
	.write = tp_write,
};
