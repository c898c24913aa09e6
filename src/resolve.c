/* resolve.c - what an item's labels and suggestions say: a person's, a
 * source's or the agreed ratings and first error in force */
#include "config.h"

#include <string.h>

#include "resolve.h"
#include "trace.h"
#include "prov.h"

int item_is_prm800k(const struct item *it)
{
	if (it->finish || it->ntail)
		return 1;
	for (size_t i = 0; i < it->nsteps; i++)
		if (it->steps[i].nalts)
			return 1;
	return 0;
}

void sug_key(struct buf *b, const struct suggestion *g)
{
	buf_reset(b);
	buf_puts(b, g->source);
	if (g->model && *g->model)
		buf_printf(b, "/%s", g->model);
}

int sug_source_is(const struct suggestion *g, const char *want)
{
	size_t n = strlen(g->source);
	if (strncmp(want, g->source, n) != 0)
		return 0;
	if (want[n] == '\0')
		return 1;
	return want[n] == '/' && g->model && strcmp(want + n + 1, g->model) == 0;
}

const char *label_fe_agent(const struct item *it, const char *annotator, int fe)
{
	const char *agent = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_FIRST_ERROR && !strcmp(l->annotator, annotator))
			agent = l->value == fe ? l->agent : NULL;
	}
	return agent;
}

const char *sug_fe_agent(const struct item *it, const char *source, int fe)
{
	const char *agent = NULL;
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		if (g->step < 0 && g->first_error >= -1 && sug_source_is(g, source))
			agent = g->first_error == fe ? g->agent : NULL;
	}
	return agent;
}

static int sug_rating(const struct suggestion *g, const struct resolve_opts *o)
{
	if (g->n > 0)
		return g->k > 0 ? 1 : -1;
	if (g->value == NO_VALUE)
		return NO_RATING;
	return g->value >= o->threshold ? 1 : -1;
}

static int mark_rating(char c)
{
	return c == '+' ? 1 : c == '0' ? 0 : c == '-' ? -1 : NO_RATING;
}

/* the agreed label: its marks, and its first error (-2 undecided) */
static int agreed_ratings(const struct item *it, int *ratings)
{
	if (it->agreed.fe < -1)
		return -2;
	const char *m = it->agreed.ratings ? it->agreed.ratings : "";
	for (size_t i = 0; i < it->nsteps && m[i]; i++)
		ratings[i] = mark_rating(m[i]);
	return it->agreed.fe;
}

/* a source's per-step marks, and its own first error (NO_RATING none);
 * fills: the first error means the steps before it are good */
static int source_ratings(const struct item *it, const struct resolve_opts *o, int fills,
			  int *ratings)
{
	int fe = NO_RATING;
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		if (!sug_source_is(g, o->source))
			continue;
		if (g->step >= 0 && (size_t)g->step < it->nsteps)
			ratings[g->step] = sug_rating(g, o);
		else if (g->step < 0 && g->first_error != -2)
			fe = g->first_error;
	}
	/* a source's own first error outranks its per-step values
	 * (bisect's sequential test may call a prefix with one hit bad) */
	if (fe != NO_RATING)
		for (size_t i = 0; i < it->nsteps && (fe < 0 || (int)i <= fe); i++)
			if ((int)i == fe || fills)
				ratings[i] = (int)i == fe ? -1 : 1;
	return fe;
}

/* the labels' ratings and first error (NO_RATING none): labels come
 * oldest first, the newest of each kind wins */
static int label_ratings(const struct item *it, int *ratings)
{
	int fe = NO_RATING;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_RATING && l->step >= 0 && (size_t)l->step < it->nsteps) {
			ratings[l->step] = l->value;
		} else if (l->kind == LK_RATINGS && l->text) {
			for (size_t k = 0; k < it->nsteps && l->text[k]; k++)
				if (mark_rating(l->text[k]) != NO_RATING)
					ratings[k] = mark_rating(l->text[k]);
		} else if (l->kind == LK_FIRST_ERROR) {
			fe = l->value;
		}
	}
	return fe;
}

int item_resolve(const struct item *it, const struct resolve_opts *o, int *ratings)
{
	/* a person's first error, and the agreed one, fill: the steps before
	 * it are good; not on an agent trace, whose decisive error says
	 * nothing of the turns before it */
	int fe, fills = !trace_is(it);
	for (size_t i = 0; i < it->nsteps; i++)
		ratings[i] = NO_RATING;
	if (o && o->agreed && !o->source) {
		if ((fe = agreed_ratings(it, ratings)) == -2)
			return -2;
	} else if (o && o->source) {
		/* what a source's first error says is its provider's */
		fills = fills && provider_fe_fills(o->source);
		fe = source_ratings(it, o, fills, ratings);
	} else {
		fe = label_ratings(it, ratings);
	}
	/* a first error that says nothing of the steps before it is still
	 * the verdict: the steps left unrated do not make it undecided */
	if (!fills && fe != NO_RATING) {
		if (fe >= 0 && (size_t)fe < it->nsteps && ratings[fe] == NO_RATING)
			ratings[fe] = -1;
		return fe;
	}
	if (fe != NO_RATING) {
		/* a first error implies the steps before it are fine (when
		 * it fills), and the step it names is wrong */
		for (size_t i = 0; i < it->nsteps; i++) {
			if (ratings[i] != NO_RATING)
				continue;
			if (fills && (fe < 0 || (int)i < fe))
				ratings[i] = 1;
			else if ((int)i == fe)
				ratings[i] = -1;
		}
	}
	for (size_t i = 0; i < it->nsteps; i++) {
		if (ratings[i] == -1)
			return (int)i;
		if (ratings[i] == NO_RATING)
			return -2;
	}
	return it->nsteps ? -1 : -2;
}

/* 1 when list (the agreed label's deciders, comma-separated: "@person",
 * "!adjudicator", "source") names the person name, written as the list
 * writes it (a comma, tab or newline as a space) */
static int decided_by(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list;;) {
		size_t k = strcspn(p, ",");
		int same = (*p == '@' || *p == '!') && k == n + 1;
		for (size_t i = 0; same && i < n; i++)
			same = p[i + 1] == (strchr(",\t\n", name[i]) && name[i] ? ' ' : name[i]);
		if (same)
			return 1;
		if (!p[k])
			return 0;
		p += k + 1;
	}
}

const struct label *item_correction(const struct item *it, size_t i, const char *by)
{
	const struct label *found = NULL;
	for (size_t k = 0; k < it->nlabels; k++) {
		const struct label *l = &it->labels[k];
		if (l->kind != LK_CORRECTION || l->step != (int)i || !l->text ||
		    (by && !decided_by(by, l->annotator)))
			continue;
		int newer = 0; /* the annotator's own later one withdrew or replaced it */
		for (size_t m = k + 1; m < it->nlabels && !newer; m++)
			newer = it->labels[m].kind == LK_CORRECTION && it->labels[m].step == (int)i &&
				!strcmp(it->labels[m].annotator, l->annotator);
		if (!newer)
			found = l;
	}
	return found;
}
