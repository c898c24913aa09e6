/* item.h - one solution with everything known about it, format-neutral */
#ifndef SM_ITEM_H
#define SM_ITEM_H

#include <stddef.h>

#define NO_RATING (-128) /* an alternative or label without a rating */
#define NO_VALUE (-1e300) /* a suggestion without a per-step value */

/* A candidate next step (PRM800K keeps several per step). */
struct alt {
	const char *text;
	int rating;  /* -1, 0, +1 or NO_RATING */
	int flagged; /* -1 unknown, 0, 1 */
	int human;   /* 1 for PRM800K's human_completion */
};

struct step {
	const char *text;
	int chosen;  /* index into alts of the step taken, -1 none */
	struct alt *alts;
	size_t nalts;
	/* the alternatives as the store keeps them (db_alts_json's text, or
	 * NULL), when encoded already: import does it on its reader thread */
	const char *alts_json;
	int alts_encoded;
	/* an agent trajectory's turn: who acted, and the role as the data
	 * gives it (NULL both for a math solution's step) */
	const char *agent, *role;
};

/* LK_RATINGS rates every step at once: text holds one mark per step,
 * '+' (+1), '0', '-' (-1) or '.' (not rated). LK_ALT_RATING rates one of
 * a step's alternatives: alt is its index into the step's alts (the
 * store keeps it in the text column, decimal). LK_FLAG: value 1 when the
 * annotator cannot judge the step, 0 when the flag is taken back.
 * LK_ADJUDICATION: an adjudicator's decision on the whole solution (step
 * -1): fe the first error (-1 none, NO_RATING withdrawn; the store keeps
 * it in the value column), text the reason; it is nobody's own verdict.
 * LK_CORRECTION: the right step written by the annotator for a step
 * (`w`): text the step written (NULL: withdrawn), value its author's
 * rating (+1).
 * LK_CATEGORY: the kind of a step's error, text the category's key of a
 * taxonomy (NULL: taken back), value 1 when a later step recovered from
 * it, 0 when none did, NO_RATING unsaid. */
enum label_kind { LK_RATING, LK_FIRST_ERROR, LK_FINISH, LK_NOTE, LK_RATINGS, LK_ALT_RATING,
		  LK_FLAG, LK_ADJUDICATION,
		  LK_CORRECTION, LK_CATEGORY };

struct label {
	enum label_kind kind;
	int step;         /* step index, -1 for the whole solution */
	int value;        /* rating, or first-error index (-1 none) */
	const char *text; /* finish reason or note */
	const char *annotator;
	const char *origin;
	const char *at;   /* ISO time; NULL = now */
	int alt;          /* LK_ALT_RATING: the alternative rated, else -1 */
	int fe;           /* LK_ADJUDICATION: the first error decided, else
			   * NO_RATING */
	const char *agent; /* LK_FIRST_ERROR of a trace: the agent responsible
			    * (text: the reason), else NULL */
	const char *guidelines; /* read back: the version (hash) of the
				 * guidelines it was made under, NULL none */
};

struct suggestion {
	const char *source; /* judge, mc, prm, calc, imported */
	const char *model;
	const char *origin;
	int step;           /* -1 for the whole solution */
	double value;       /* NO_VALUE when absent */
	int first_error;    /* -2 when absent */
	int k, n;           /* MC successes out of rollouts, 0/0 absent */
	const char *rationale;
	const char *agent;  /* a trace's first error: the agent responsible */
	long long job;      /* the job that made it, 0 none (read back) */
	const char *rollouts; /* MC: the rollouts kept of the prefix (mcstat.h) */
};

/* The label consensus agreed on (stepmark consensus), as stored. */
struct agreed {
	int fe;               /* -1 none, >= 0 a step; -2 no rule decided, -3
			       * not computed */
	const char *ratings;  /* a mark per step, + 0 - or ., or NULL */
	const char *rule, *by, *policy; /* the rule, who and what agreed */
	const char *agent;    /* a trace's: the agent its deciders agreed on */
};

struct item {
	const char *key;       /* unique within the data set */
	const char *problem;
	const char *gold;      /* gold final answer */
	int gold_derived;      /* gold taken from a solution marked correct */
	const char *reference; /* reference solution text */
	const char *reference_steps; /* its steps as spans, when a pattern cut
				      * it; NULL: the default cut */
	const char *generator;
	const char *final_answer;
	int correct;           /* final answer correct: 1, 0, -1 unknown */
	const char *finish;    /* PRM800K finish_reason */
	const char *meta;      /* JSON object of format-specific extras */
	long line;
	struct step *steps;
	size_t nsteps;
	/* PRM800K: candidates offered after the last step, none taken */
	struct alt *tail;
	size_t ntail;
	struct label *labels;
	size_t nlabels;
	struct suggestion *sugs;
	size_t nsugs;
	struct agreed agreed;  /* export's items only: -3 elsewhere */
	int trace;             /* an agent trace whose steps are not loaded (a
			        * walk's item): trace_is() */
};

#endif
