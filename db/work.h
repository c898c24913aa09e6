/* work.h - the workbench: one solution, its actions, the queue's rows, search (work.c, regex.c) */
#ifndef SM_DB_WORK_H
#define SM_DB_WORK_H

#include <stdint.h>
#include "../src/item.h"
#include "../src/util.h"
#include "refs.h"

struct db;

/* One solution with all its rows; strings live in a. */
struct db_solution {
	int64_t id, dataset_id;
	const char *dataset;
	struct item it;
	int64_t *label_ids, *label_actions; /* parallel to it.labels */
	struct db_align *aligns;
	size_t naligns;
	int64_t sug_top; /* db_solution_verdicts': its last suggestion's id */
	size_t dropped;  /* ... and the labels dropped since it was read */
	struct arena a;
};
/* 1 loaded, 0 no such solution, -1 error. */
int db_solution_load(struct db *db, int64_t sol, struct db_solution *v);
/* The same without its labels, suggestions and alignments (what a
 * provider's requests are made of: the problem, its gold and reference,
 * the steps). */
int db_solution_texts(struct db *db, int64_t sol, struct db_solution *v);
/* v, as db_solution_texts loaded it, given its solution's labels and
 * suggestions as the store has them now (those it had are dropped): a
 * solution's steps never change, so v is then what db_solution_load
 * gives, alignments aside. 0, or -1. */
int db_solution_marks(struct db *db, struct db_solution *v);
/* db_solution_texts of n solutions (sols in ascending order, each once)
 * into out[0..n), for the requests of their jobs: when they are near
 * each other (a --batch-out window's), only what a provider's request is
 * made of (the data set, the problem, its gold answer and reference, the
 * steps' text, agent and role; the rest NULL, no verdict, the steps'
 * choice -1) in two statements, their strings in a (or, for solutions
 * far apart, each one's own, whole). One not in the store is left with
 * id 0. 0, or -1 on a store error. */
int db_solutions_texts(struct db *db, const int64_t *sols, size_t n, struct db_solution *out,
		       struct arena *a);
/* What a summary is made of (src/summary.c), as db_solution_load has it
 * but read lighter: the data set, the labels, the suggestions (without
 * their rationale and rollouts) and the steps' count (it.steps NULL,
 * it.trace set for an agent trace, as a walk's item). 1, 0, -1. */
int db_solution_verdicts(struct db *db, int64_t sol, struct db_solution *v);
/* v (db_solution_verdicts') brought up to date: the labels and
 * suggestions added to its solution since it was read, appended (a
 * label or suggestion gets an id above every one before it, and so
 * does a label a sync puts in order: the labels it holds that are no
 * longer there are dropped, they come again with their new ids; nothing
 * moves or deletes a suggestion). 1 when v holds them all now, 0 when
 * it is to be read again (a label there it lacks, many dropped); -1 on
 * a store error. A v read in a transaction rolled back since is not to
 * be brought up to date (its rows' ids may be another's now). */
int db_solution_verdicts_more(struct db *db, struct db_solution *v);
void db_solution_free(struct db_solution *v);

/* Actions (see schema.c): op is do, undo or redo; ref names the action
 * an undo or redo repeats or reverts. */
int64_t db_action_add(struct db *db, int64_t sol, const char *annotator,
		      const char *op, int64_t ref, const char *name, long active_ms);
/* The name of an action ("first error at step 5"). */
int db_action_name(struct db *db, int64_t action, char *out, size_t n);
typedef void (*action_fn)(void *ctx, int64_t id, const char *op, int64_t ref,
			  const char *name);
int db_actions(struct db *db, int64_t sol, const char *annotator,
	       action_fn fn, void *ctx);
/* The labels an action wrote (step, kind, value, text, agent), xmalloc'd. */
int db_action_labels(struct db *db, int64_t action, struct arena *a,
		     struct label **out, size_t *n);
/* The guidelines version (hash) an annotator's newest label made in the
 * workbench records, "" when none: 1, or 0 when they made none, -1 error. */
int db_guidelines_last(struct db *db, const char *annotator, char *out, size_t n);
/* Sets l's value, text and agent to those in force for its kind and step just
 * before action ran (NO_RATING and NULL when there were none). */
int db_label_before(struct db *db, int64_t sol, const char *annotator,
		    struct label *l, int64_t action, struct arena *a);

struct db_qrow {
	int64_t id;
	const char *dataset, *key, *verdicts, *problem;
	int nsteps, labelled, flags;
	int trace;  /* an agent trace: its turns count from 0 on screen */
};
int db_queue_row(struct db *db, int64_t sol, struct arena *a, struct db_qrow *r);

/* PCRE2 with smart case (caseless when the pattern has no capital);
 * NULL with the reason in err. */
void *db_regex_compile(const char *pat, char *err, size_t errlen);
void db_regex_free(void *re);
int db_regex_match(void *re, const char *text, size_t n, size_t *at, size_t *len);
/* 1 when no problem or step of the store can match re (a plain word of
 * it is in none of the store's words: a look-up, not a read of the
 * texts), 0 when one may, -1 on a store error. Read the store's last
 * solution id before: it holds for the solutions up to that one. */
int db_regex_nowhere(struct db *db, void *re);
/* 1 when the solution's problem or one of its steps matches re, 0 when
 * none does, -1 on a store error. */
int db_solution_grep(struct db *db, int64_t sol, void *re);
/* The same for the solutions lo..hi in two scans (problems, then steps):
 * hit(arg, id) for each text that matches, of a solution known(arg, id)
 * does not already say; 0, or -1 on a store error. */
int db_solutions_grep(struct db *db, int64_t lo, int64_t hi, void *re,
		      int (*known)(void *, int64_t), void (*hit)(void *, int64_t), void *arg);
/* The same for the n solutions ids, far apart (a statement each for
 * problems and steps, not one per solution). */
int db_solutions_grep_ids(struct db *db, const int64_t *ids, size_t n, void *re,
			  int (*known)(void *, int64_t), void (*hit)(void *, int64_t), void *arg);

#endif
