/* refs.h - references, gold answers from them, and the links of solution steps to their steps (refs.c) */
#ifndef SM_DB_REFS_H
#define SM_DB_REFS_H

#include <stdint.h>
#include "../src/util.h"

struct db;

struct db_align {
	int step, ref;
	double score;
	const char *source;
};

/* How many solutions (of dataset; 0: all) have links of source, and in
 * *no_ref how many have no reference to link to. -1 on error. */
long db_linked_solutions(struct db *db, const char *source, int64_t dataset, long *no_ref);
/* Every problem (of dataset; 0: all) to fn: its id and text. */
int db_problems_each(struct db *db, int64_t dataset,
		     void (*fn)(void *ctx, int64_t id, const char *text), void *ctx);
/* The problem of the solution with this id in dataset: 0 none, -1 error. */
int64_t db_problem_of_key(struct db *db, int64_t dataset, const char *ext_key);
/* A problem's text, reference ("" none) and the spans of its steps ("":
 * the default cut; spans may be NULL) into the buffers: 1, 0 no such
 * problem, -1 error. */
int db_problem_reference(struct db *db, int64_t problem, struct buf *text, struct buf *ref,
			 struct buf *spans);
/* The gold answer from a reference's file: set where the problem has none,
 * or one taken from a solution marked correct (or any, with replace).
 * 1 set, 0 another kept, -1 error. */
int db_problem_set_gold(struct db *db, int64_t problem, const char *gold, int replace);
/* Sets a problem's reference and its steps' spans (NULL: the default
 * cut); its solutions' links to the old one go. */
int db_problem_set_reference(struct db *db, int64_t problem, const char *ref,
			     const char *spans);
/* The links of source for sol replace the ones it had: step to ref with
 * a score; an extra step has ref -1, a skipped reference step step -1.
 * 0, or -1 on a store error. */
int db_alignment_put(struct db *db, int64_t sol, const char *source,
		     const struct db_align *links, size_t n);

#endif
