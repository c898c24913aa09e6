/* fmt_steppairs.c - step-level preference pairs (Step-DPO style): the
 * problem, the shared correct prefix, a correct next step and a wrong one,
 * from the candidates rated at the same step (PRM800K's alternatives, the
 * solution's own step as its labels rate it, the step an annotator wrote
 * for it), each side with its source */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* one candidate next step */
struct cand {
	const char *text;
	int rating;        /* 1, 0, -1, NO_RATING */
	char source[160];
};

/* the annotator's newest rating of alternative k of step i, else the
 * data's (a human completion unrated counts as good, as the public
 * PRM800K conversion takes it) */
static int alt_rating(const struct item *it, size_t i, size_t k, char *by, size_t n)
{
	const struct alt *a = &it->steps[i].alts[k];
	int r = a->rating;
	snprintf(by, n, "alternative %zu, %s", k + 1, a->human ? "human completion" :
		 "the data's rating");
	if (a->human && r == NO_RATING)
		r = 1;
	for (size_t j = 0; j < it->nlabels; j++) {
		const struct label *l = &it->labels[j];
		if (l->kind == LK_ALT_RATING && l->step == (int)i && l->alt >= 0 &&
		    (size_t)l->alt == k) {
			r = l->value;
			snprintf(by, n, "alternative %zu, rated by %.60s", k + 1, l->annotator);
		}
	}
	return r;
}

static const char *own_source(const struct wr *w)
{
	return w->o->source ? w->o->source : w->o->agreed ? "the agreed label" :
	       "the labels in force";
}

static size_t candidates(const struct wr *w, const struct item *it, size_t i, const int *r,
			 struct cand *c)
{
	const struct step *st = &it->steps[i];
	size_t n = 0;
	if (!st->nalts) {
		c[n].text = st->text;
		c[n].rating = r[i];
		snprintf(c[n++].source, sizeof(c->source), "step %zu, %s", i + 1, own_source(w));
	}
	for (size_t k = 0; k < st->nalts; k++) {
		c[n].text = st->alts[k].text;
		/* the step taken (or, none taken, the one the solution shows)
		 * is rated by the labels */
		if ((int)k == st->chosen || (st->chosen < 0 && !strcmp(st->alts[k].text, st->text))) {
			/* a human completion taken counts as good unless relabelled */
			c[n].rating = r[i] == NO_RATING && st->alts[k].human ? 1 : r[i];
			snprintf(c[n].source, sizeof(c->source), "step %zu, %s", i + 1,
				 st->alts[k].human && r[i] == NO_RATING ? "human completion" :
				 own_source(w));
		} else {
			c[n].rating = alt_rating(it, i, k, c[n].source, sizeof(c->source));
		}
		n++;
	}
	const struct label *fix = wr_correction(w, it, i);
	if (fix) { /* the right step an annotator wrote: rated by its author */
		c[n].text = fix->text;
		c[n].rating = fix->value;
		snprintf(c[n++].source, sizeof(c->source), "step %zu, written by %.60s", i + 1,
			 fix->annotator);
	}
	return n;
}

static void put(struct buf *b, const char *key, const char *v)
{
	wr_key(b, key);
	buf_json_str(b, v, strlen(v));
}

static void pair(struct wr *w, const struct item *it, const char *dataset, size_t i,
		 const struct cand *good, const struct cand *bad)
{
	struct buf *b = &w->out;
	buf_putc(b, '{');
	put(b, "dataset", dataset);
	buf_putc(b, ',');
	put(b, "id", it->key);
	buf_putc(b, ',');
	put(b, "prompt", it->problem);
	buf_putc(b, ',');
	wr_key(b, "initial_reason_steps");
	struct buf pre = {0};
	for (size_t k = 0; k < i; k++)
		buf_printf(&pre, "%s\n", it->steps[k].text);
	buf_json_str(b, pre.data ? pre.data : "", pre.len);
	buf_free(&pre);
	buf_printf(b, ",\"step\":%zu,", i);
	put(b, "chosen", good->text);
	buf_putc(b, ',');
	put(b, "rejected", bad->text);
	buf_putc(b, ',');
	put(b, "chosen_source", good->source);
	buf_putc(b, ',');
	put(b, "rejected_source", bad->source);
	wr_agreement(w, it);
	buf_puts(b, "}\n");
	w->rows++;
	wr_flush(w, 0);
}

/* every good candidate against every wrong one */
static void pairs(struct wr *w, const struct item *it, const char *dataset, size_t i,
		  const struct cand *c, size_t n)
{
	for (size_t g = 0; g < n; g++)
		for (size_t x = 0; c[g].rating == 1 && x < n; x++)
			if (c[x].rating == -1 && strcmp(c[g].text, c[x].text))
				pair(w, it, dataset, i, &c[g], &c[x]);
}

static int sp_write(struct wr *w, const struct item *it, const char *dataset)
{
	int *r = xmalloc((it->nsteps + 1) * sizeof(int));
	int fe = item_resolve(it, &w->ro, r);
	size_t cap = 1;
	for (size_t i = 0; i < it->nsteps; i++)
		cap = it->steps[i].nalts + 2 > cap ? it->steps[i].nalts + 2 : cap;
	struct cand *c = xmalloc(cap * sizeof(*c));
	long before = w->rows;
	/* the prefix is shared and correct up to step i: nothing in it wrong
	 * or unrated */
	size_t i;
	for (i = 0; i < it->nsteps; i++) {
		size_t n = candidates(w, it, i, r, c);
		pairs(w, it, dataset, i, c, n);
		int taken = c[0].rating; /* the step taken, where it is among them */
		for (size_t k = 0; k < n; k++)
			if (!strcmp(c[k].text, it->steps[i].text))
				taken = c[k].rating;
		if (taken == -1 || taken == NO_RATING)
			break;
	}
	if (i == it->nsteps && it->ntail) { /* the candidates after the last step */
		c = xrealloc(c, (it->ntail + 1) * sizeof(*c));
		for (size_t k = 0; k < it->ntail; k++) {
			const struct alt *a = &it->tail[k];
			c[k].text = a->text;
			c[k].rating = a->human && a->rating == NO_RATING ? 1 : a->rating;
			snprintf(c[k].source, sizeof(c->source), "alternative %zu, %s", k + 1,
				 a->human ? "human completion" : "the data's rating");
		}
		pairs(w, it, dataset, i, c, it->ntail);
	}
	int decided = fe >= -1;
	free(c);
	free(r);
	return w->rows > before ? 0 : decided || w->o->incomplete ? 3 : 1;
}

const struct format_ops fmt_steppairs = {
	.name = "step-pairs",
	.summary = "step preference pairs (Step-DPO): prompt, initial_reason_steps, chosen, rejected",
	.own_labels = 1,
	.unit = "pairs",
	.empty = "no step has both a good and a wrong candidate (pairs need rated alternatives)",
	.write = sp_write,
};
