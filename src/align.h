/* align.h - the offline aligner: each solution step linked to the
 * reference steps it restates */
#ifndef SM_ALIGN_H
#define SM_ALIGN_H

#include <stddef.h>
#include <stdint.h>

#include "reference.h"

/* A link: solution step `step` restates reference step `ref`. An extra
 * step (no counterpart) is {step, -1}; a skipped reference step (never
 * reached) is {-1, ref}. */
struct alink {
	int step, ref;
	double score;
};

/* What the aligner keeps between solutions: its scratch space. */
struct aligner;
struct aligner *aligner_new(void);
void aligner_free(struct aligner *al);
/* Links less similar than this are not made (default 0.35). */
void aligner_threshold(struct aligner *al, double min_score);

/*
 * Aligns the solution's steps to the reference, monotonically: each step
 * to zero, one or more consecutive reference steps, a step sharing the
 * last reference step of the one before it (many to one) allowed. The
 * similarity of two steps is built from the quantities they share
 * (numbers, fractions, \frac, compared as exact rationals: 0.5 meets 1/2
 * and \frac12), the variables and operators of their math, and their
 * words. Returns the number of links in *out (links, then extra steps,
 * then skipped reference steps; owned by al, valid until its next call);
 * 0 when the reference has no step. spans: its steps as the store keeps
 * them (ref_split_stored), NULL for the default cut.
 */
size_t align_steps(struct aligner *al, const char *const *steps, size_t nsteps,
		   const char *reference, const char *spans, const struct alink **out);

/* The similarity of two texts, 0 to 1 (for tests). */
double align_similarity(struct aligner *al, const char *a, const char *b);

#endif
