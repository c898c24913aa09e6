/* team.h - how a labelling team is doing: each annotator's accuracy on
 * the gold items dealt to them (who passed qualification), and the
 * progress figures of `stepmark progress` */
#ifndef SM_TEAM_H
#define SM_TEAM_H

#include <stddef.h>
#include "util.h"
#include "../db/db.h"

#define TEAM_PASS 0.8 /* the gold accuracy that passes when no policy says */

/* One annotator, over everything dealt to them and all their labels. */
struct team_ann {
	char *name;
	long assigned, done;       /* solutions dealt; of those, decided */
	long gold, gold_answered;  /* gold items dealt; of those, decided */
	long gold_right, gold_near; /* the gold's first error, exactly; within
				     * one step (no error only as no error) */
	long decided;              /* solutions decided, dealt or not */
	long long active_ms;       /* active time over all their actions */
	long pairs, agree, agree_near; /* another person decided the same
					* solution: pairs, the same first
					* error, within one step */
};

/* One data set: what is left. */
struct team_ds {
	char *name;
	int64_t id;
	long solutions, dealt;     /* solutions; dealt to someone */
	long open;                 /* assignments not decided yet */
	long undecided;            /* solutions nobody decided yet */
};

/* Labels made under one guidelines version by one annotator. */
struct team_version {
	char *annotator, *hash, *path; /* hash NULL: none */
	long solutions, labels;
};

struct team {
	struct team_ann *ann;
	size_t nann;
	struct team_ds *ds;
	size_t nds;
	struct team_version *ver;
	size_t nver;
};

/* Only the gold figures (the consensus's min-gold-accuracy): 0, or -1 on
 * a store error. */
int team_gold(struct db *db, struct team *t);
/* Every figure: 0, or -1. */
int team_read(struct db *db, struct team *t);
void team_free(struct team *t);
/* name's figures, or NULL. */
const struct team_ann *team_find(const struct team *t, const char *name);

/* Accuracy on gold, 0 to 1 (exact first error; NAN with none answered). */
double team_gold_accuracy(const struct team_ann *a);
/* Against the bar p: 1 passed, 0 below it, -1 dealt gold but answered
 * none yet (not passed), -2 never dealt gold (not measured). */
int team_passed(const struct team_ann *a, double p);
/* The same from the counts: gold dealt, answered, answered right. */
int team_pass(long gold, long answered, long right, double p);
/* The bar of a consensus policy's text (its min-gold-accuracy), else
 * TEAM_PASS (text NULL, unreadable, or without the option). */
double team_bar(const char *policy);
/* Rate: solutions decided per hour of active time (NAN without any). */
double team_rate(const struct team_ann *a);

#endif
