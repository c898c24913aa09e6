/* mcstat.h - what Monte Carlo rollouts say, made readable: a 95 % Wilson
 * interval of each k/n, the rule that calls an estimate too uncertain to
 * act on, progress under a Best-of-K prover (Rewarding Progress, PAV),
 * the effective reward, and the few rollouts kept per prefix */
#ifndef SM_MCSTAT_H
#define SM_MCSTAT_H

#include <stddef.h>

#include "item.h"
#include "util.h"

/* 1 when a source name is MC's: "mc", or "mc/MODEL" (a walk's key). */
int mc_source(const char *source);

/* The 95 % Wilson score interval of k successes in n trials (n > 0). */
void mc_wilson(int k, int n, double *lo, double *hi);

/* The rule: an estimate is too uncertain to act on when it rests on
 * fewer than MC_MIN_N rollouts, or when its 95 % Wilson interval is
 * wider than MC_MAX_WIDTH. db/schema.c's migration that flags the
 * stores' summaries says the same in SQL. */
#define MC_MIN_N 4
#define MC_MAX_WIDTH 0.5
int mc_uncertain(int k, int n);

/* How progress is read: the prover's K (Best-of-K), α of the effective
 * reward, and the drop of progress called a pit (progress <= -pit). */
struct mc_opts {
	int K;
	double alpha, pit;
};
#define MC_OPTS_DEFAULT {4, 0.5, 0.3}

/* One MC source's figures on a solution, from the suggestions in force
 * (each step's newest row with rollouts; the empty prefix is the source's
 * whole-solution row, step -1, with rollouts). Arrays have nsteps
 * entries; q, Q, progress and effective are NO_VALUE where undefined. */
struct mc_fig {
	size_t nsteps;
	int *k, *n;          /* per prefix through step i: 0/0 not estimated */
	int k0, n0;          /* the empty prefix (rollouts from the question
			      * alone): n0 0 when not estimated */
	double Q0;           /* its prover value, NO_VALUE none */
	int same;            /* every prefix estimated by one job (the same
			      * rollout model and settings): differences
			      * mean something; 0: progress is not computed */
	double *q, *Q, *progress, *effective;
	int first_pit;       /* the first step with progress <= -pit, -1 none */
	const char **rollouts; /* per step, the kept rollouts (encoded), or NULL */
	const char *rollouts0; /* the empty prefix's */
};

/* The figures of source ("mc" or "mc/model") on it under o (NULL, or K
 * 0: MC_OPTS_DEFAULT): 1 when it has MC estimates, 0 none (f is still
 * to be freed). */
int mc_fig_of(const struct item *it, const char *source, const struct mc_opts *o,
	      struct mc_fig *f);
void mc_fig_free(struct mc_fig *f);

/* The derived per-step values an export or the audit reads as a source of
 * its own: "SOURCE:progress" and "SOURCE:effective" (SOURCE "mc" or
 * "mc/model"). MC_SOFT_NONE for any other name; else the kind, and the
 * MC source's name (before the colon) into base. */
enum { MC_SOFT_NONE, MC_SOFT_PROGRESS, MC_SOFT_EFFECTIVE };
int mc_soft_kind(const char *name, char *base, size_t n);
/* The values of a derived kind for each step into out[0..nsteps):
 * NO_VALUE where undefined. 1 when any is defined. */
int mc_soft_values(const struct item *it, const char *base, int kind,
		   const struct mc_opts *o, double *out);

/* The rollouts kept of a prefix, encoded compactly: for each one a mark
 * ('+' reached the gold answer, '-' did not), then its final answer and
 * its text, each as "LENGTH:BYTES". The text is cut to MC_KEEP_MAX bytes
 * (its start and its end, the cut said). */
#define MC_KEEP_MAX 2000
void mc_keep_add(struct buf *b, int reached, const char *answer, size_t alen,
		 const char *text, size_t tlen);
struct mc_kept {
	int reached;
	const char *answer, *text;
	size_t alen, tlen;
};
/* The next kept rollout from *p (advanced): 1, or 0 at the end or on a
 * malformed encoding. */
int mc_keep_next(const char **p, struct mc_kept *out);

#endif
