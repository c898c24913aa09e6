/* resolve.h - what an item's labels and suggestions say: the ratings and
 * first error in force, by a person's labels, a source's suggestions or
 * the agreed label */
#ifndef SM_RESOLVE_H
#define SM_RESOLVE_H

#include "item.h"
#include "util.h"

/* Whose verdicts are resolved, and by what rule. */
struct resolve_opts {
	const char *source; /* a source's suggestions ("mc", "mc/model"),
			     * not labels */
	double threshold;   /* a suggestion's value counted good from here */
	int agreed;         /* the agreed label (stepmark consensus), when no
			     * source is named */
};

/* Ratings in force: ratings[i] for each step, NO_RATING when unlabelled.
 * Returns the first error (-1 none), or -2 when the labels do not decide
 * it. o NULL: the item's labels (the newest of each kind wins); with
 * o->source, that source's suggestions (whether its first error makes the
 * steps before it good is its provider's word: provider_fe_fills); else
 * with o->agreed, the agreed label. */
int item_resolve(const struct item *it, const struct resolve_opts *o, int *ratings);

/* 1 when the item came from PRM800K (it has a finish reason or
 * alternatives): its exports keep PRM800K's own rules. */
int item_is_prm800k(const struct item *it);

/* A suggestion's source as one name: "source", or "source/model". */
void sug_key(struct buf *b, const struct suggestion *g);

/* 1 when g comes from want: "source", or "source/model". */
int sug_source_is(const struct suggestion *g, const char *want);

/* A trace's decisive error: the agent the newest first-error label of
 * annotator names, when that label is fe; the agent source's newest
 * whole-solution suggestion names, when it is fe. NULL otherwise. */
const char *label_fe_agent(const struct item *it, const char *annotator, int fe);
const char *sug_fe_agent(const struct item *it, const char *source, int fe);

/* The step written for step i in force (a correction: text, its author's
 * rating): each annotator's newest correction of the step is theirs (none
 * when its text is NULL); of those, the newest, only of the names in by
 * (comma-separated, as the agreed label's deciders) unless by is NULL.
 * NULL when there is none. */
const struct label *item_correction(const struct item *it, size_t i, const char *by);

#endif
