/* consensus.h - each solution's agreed label, as an ordered list of rules
 * decides it: a policy such as
 *     adjudicated, human-majority 2, confirmed-suggestion, sources mc judge
 * The first rule that decides wins; a solution no rule decides says why. */
#ifndef SM_CONSENSUS_H
#define SM_CONSENSUS_H

#include <stddef.h>
#include "item.h"
#include "util.h"

#define POLICY_MAX 16

struct rule {
	int kind;          /* the rule's line in consensus.c's table */
	int min;           /* human-majority N, human: at least N people */
	int tol;           /* first errors within tol steps agree */
	int min_rollouts;  /* an MC verdict counts from this many rollouts */
	double threshold;  /* a per-step value below it is an error */
	char **srcs;       /* sources named: "mc", or "mc/model" */
	size_t nsrcs;
	char *text;        /* as it is written back: "sources mc judge" */
};

struct policy {
	struct rule r[POLICY_MAX];
	size_t n;
	char *text;        /* the rules' texts joined by ", " */
	double min_gold;   /* min-gold-accuracy P (a policy option, not a
			    * rule): only the labels of annotators who pass
			    * count (team.h, team_passed); -1 none */
	/* "guidelines current": only people's labels made under the
	 * guidelines' version in force count (adjudications count anyway);
	 * the caller sets current, the version (NULL: none, so none count) */
	int guidelines_current;
	const char *current;
};

/* 0, or -1 with what is wrong in err. */
int policy_parse(const char *text, struct policy *p, char *err, size_t n);
void policy_free(struct policy *p);
/* 1 when one of r's sources ("mc", "mc/model") names key ("mc/model") */
int consensus_covers(const struct rule *r, const char *key);
/* "adjudicated, human-majority N, ...": the rules with their options */
const char *consensus_rules_help(void);

/* Why no rule decided. */
enum why { WHY_NONE, WHY_ANNOTATORS, WHY_PERSON_SOURCES, WHY_SOURCES, WHY_FEW, WHY_MISSING,
	   WHY_N };
extern const char *const consensus_why[WHY_N];

struct decision {
	int fe;            /* -1 no error, >= 0 the step, -2 undecided */
	int rule;          /* index into the policy, -1 undecided */
	enum why why;
	struct buf ratings; /* decided: a mark per step, + 0 - or . */
	struct buf by;     /* decided: "@ann,@ann2,mc/model" */
	char missing[200]; /* WHY_MISSING: the sources the policy names that
			    * have no verdict on it, "judge, mc" */
	const char *agent; /* decided, a trace: the agent the deciders agree
			    * on (the item's string), else NULL */
	size_t left_out;   /* guidelines current: the labels left out, made
			    * under other guidelines or none */
};

/* Why no rule decided: only what the policy's rules look at counts
 * (people for the human rules and confirmed-suggestion, the sources a
 * rule names, any source for confirmed-suggestion without names); a
 * source the rules name that has no verdict is WHY_MISSING, named in
 * d->missing. Decides it under p. d's buffers are reused (buf_free them at the end).
 * Labels of every annotator count (kinds rating, first_error, ratings;
 * with guidelines current, only those made under p->current: the others
 * are counted in d->left_out);
 * the newest adjudication label is the adjudicators'. */
void consensus_decide(const struct policy *p, const struct item *it, struct decision *d);

#endif
