/* summary.h - what the queue shows of one solution */
#ifndef SM_SUMMARY_H
#define SM_SUMMARY_H

#include "item.h"
#include "util.h"
#include "../db/db.h"

/* Fills sum from it: steps, steps with a label in force, the first error
 * according to each annotator and each source (written into verdicts,
 * which sum->verdicts then points into) and the disagreement flags. */
void summary_compute(const struct item *it, struct buf *verdicts,
		     struct summary *sum);

/* What stepmark stats counts of it, a line per annotator whose labels
 * rate steps, mark a first error or adjudicate (db_counts_line's), in
 * name order: whether its ratings or first error decide the solution or
 * rate a step, the steps rated in force, whether it adjudicated;
 * appended to out. summary_compute puts them in sum->counts. */
void summary_counts(const struct item *it, struct buf *out);

/* The first error an annotator's labels decide: -1 none, -2 undecided. */
int summary_annotator(const struct item *it, const char *annotator,
		      int *ratings);

/* Whether an annotator is shown other people's labels, counts and
 * verdicts on a solution. On one dealt to them (stepmark assign: a gold
 * item looks like any other) only once they decided it with blind mode
 * off; elsewhere unless blind mode hides everything (BLIND_ALL) and they
 * have not decided it. blind: the setting (BLIND_*). */
int summary_others_hidden(int blind, int assigned, int decided);
/* The first error a summary's verdicts give annotator who ("\n@who\tFE"):
 * -1 none, -2 undecided (or not there). */
int summary_fe(const char *verdicts, const char *who);
/* 1 when a summary's verdicts hold me's decision (FE >= -1). */
int summary_decided(const char *verdicts, const char *me);
/* Drops from it every label that is not me's (in place, order kept). */
void summary_only(struct item *it, const char *me);

/* Computes and stores the summaries every solution lacks (a store from
 * an older stepmark), and counts the store's labels for stepmark stats
 * once if it was never counted (said on stderr: a walk of every label).
 * Returns how many summaries, or -1. */
long summary_backfill(struct db *db);

/* Rewrites sol's summary from the store (inside the caller's
 * transaction). 0 ok, -1 error. */
int summary_refresh(struct db *db, int64_t sol);
/* The same for a solution whose texts are in v (db_solution_texts):
 * only its labels and suggestions are read (db_solution_marks). */
int summary_refresh_texts(struct db *db, struct db_solution *v);

/* The labels and suggestions of the solutions whose summaries were last
 * rewritten, kept between transactions of one connection (a sync's
 * pages): a summary rewritten again reads only what was added since
 * (db_solution_verdicts_more), not the solution's whole history. */
struct summary_cache;
struct summary_cache *summary_cache_new(void);
void summary_cache_free(struct summary_cache *c);
/* Forgets every solution: after the connection rolled back a
 * transaction that rewrote some. */
void summary_cache_clear(struct summary_cache *c);
/* summary_refresh through the cache (NULL: summary_refresh). */
int summary_refresh_with(struct db *db, int64_t sol, struct summary_cache *c);

#endif
