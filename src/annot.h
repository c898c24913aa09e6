/* annot.h - a person's labelling actions on one solution */
#ifndef SM_ANNOT_H
#define SM_ANNOT_H

#include "item.h"
#include "../db/db.h"

/* Who labels, and how labels are marked. */
struct annotator {
	const char *name;
	const char *origin; /* "tui", or "tui-blind" while suggestions are hidden */
	long active_ms;     /* time on the solution since its last action (keys
			     * arriving, gaps over a minute left out): the next
			     * action records it; 0 unknown */
	struct db_guidelines guidelines; /* in force: every label of an
					  * action records their version
					  * (NULL hash: none) */
};

enum annot_rc { ANNOT_OK = 0, ANNOT_BUSY = 1, ANNOT_NOTHING = 2, ANNOT_FULL = 3,
		ANNOT_ERR = -1 };

/* What an action did: its id, and a sentence naming every step whose
 * rating it changed ("first error at step 5; steps 2-4 now +1"). On
 * ANNOT_NOTHING, what says why nothing was done. */
struct annot_result {
	int64_t action;
	char what[320];
	int step;  /* undo, redo: the first step they changed; -1 none */
};

/* The text a rating label carries when an action filled it in (a first
 * error, no error, accept) rather than the annotator typing it. */
#define ANNOT_FILLED "filled"

/* Each call is one action in its own transaction: the solution is read
 * again inside it, the labels, the action row and the solution's new
 * summary are committed together, or nothing is. ANNOT_BUSY: another
 * writer holds the store, nothing was written (retry later); ANNOT_FULL:
 * the disk is full, nothing was written (retry once there is room). v is
 * reloaded in every case. res may be NULL.
 *
 * The last action wins and the labels never contradict it: a first error
 * k is rated -1 and nothing before it is -1 (earlier -1s and unrated steps
 * become +1, the ratings an earlier action filled in after k are
 * withdrawn, hand-typed ones stay); "no error" has no -1; a finish reason
 * of found_error has a first error, solution has none. */
int annot_rate(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, int value, struct annot_result *res);
int annot_first_error(struct db *db, struct db_solution *v,
		      const struct annotator *a, int step, struct annot_result *res);
int annot_no_error(struct db *db, struct db_solution *v,
		   const struct annotator *a, struct annot_result *res);
/* Takes source's suggestions (source or source/model) as one's labels, up
 * to the source's own first error. */
int annot_accept(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *source, struct annot_result *res);
int annot_finish(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *reason, struct annot_result *res);
/* A trace's decisive error (the annotator's first error) blamed on
 * agent, one of the trace's, rather than on its turn's agent. */
int annot_blame(struct db *db, struct db_solution *v, const struct annotator *a,
		const char *agent, struct annot_result *res);
/* A note on a step (-1: on the solution); an empty text clears it. */
int annot_note(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, const char *text, struct annot_result *res);
/* Rates alternative alt of a step (PRM800K's completions not chosen):
 * -1, 0, +1, or NO_RATING to clear. */
int annot_rate_alt(struct db *db, struct db_solution *v, const struct annotator *a,
		   int step, int alt, int value, struct annot_result *res);
/* Flags a step the annotator cannot judge, or takes the flag back. */
int annot_flag(struct db *db, struct db_solution *v, const struct annotator *a, int step,
	       struct annot_result *res);
/* The right step for a step, written by the annotator: stored as a
 * correction (text, rated +1 by its author); the newest in force is the
 * annotator's. Nothing is saved (ANNOT_NOTHING, what says why) for an
 * empty text, one the same as the step or the annotator's correction in
 * force, one over ANNOT_MAX_TEXT bytes or not UTF-8. Trailing blanks are
 * dropped first. */
#define ANNOT_MAX_TEXT 65536
int annot_correct(struct db *db, struct db_solution *v, const struct annotator *a, int step,
		  const char *text, struct annot_result *res);
/* The kind of a step's error, a taxonomy's key (NULL or "": taken back),
 * and whether a later step recovered from it (1, 0, NO_RATING unsaid).
 * Only on a step the annotator rated -1 (their first error is): on any
 * other, ANNOT_NOTHING says so. */
int annot_category(struct db *db, struct db_solution *v, const struct annotator *a, int step,
		   const char *key, int recovered, struct annot_result *res);
/* An adjudicator decides the solution's first error (-1: no error), for
 * a reason (required): the label outranks every annotator's in consensus
 * and is undone like any other action. */
int annot_adjudicate(struct db *db, struct db_solution *v, const struct annotator *a,
		     int first_error, const char *reason, struct annot_result *res);
int annot_undo(struct db *db, struct db_solution *v, const struct annotator *a,
	       struct annot_result *res);
int annot_redo(struct db *db, struct db_solution *v, const struct annotator *a,
	       struct annot_result *res);

/* One annotator's labels in force on a solution. */
struct annot_state {
	size_t n;
	int *r;              /* rating per step, NO_RATING when none */
	unsigned char *fill; /* 1 where an action filled the rating in */
	int fe;              /* first error claimed; -1 no error; NO_RATING none */
	int base;            /* the number step 0 goes by in words: 1, or 0 on an
			      * agent trace (its data counts turns from 0) */
	int decisive;        /* an agent trace: the error marked is the decisive
			      * one, and says nothing of the turns before it */
	const char *unit;    /* "step", or "turn" on an agent trace */
	const char *err;     /* "first error", or "decisive error" */
	char finish[48];     /* finish reason, "" when none */
};
void annot_state_load(struct annot_state *s, const struct item *it,
		      const char *annotator);
void annot_state_free(struct annot_state *s);
/* NULL when s holds no contradiction, else what is wrong. */
const char *annot_state_check(const struct annot_state *s);

/* The four finish reasons of PRM800K. */
extern const char *const annot_finish_reasons[4];

#endif
