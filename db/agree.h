/* agree.h - the agreed labels stepmark consensus stores, what it saw,
 * and the adjudicators' reasons (agree.c) */
#ifndef SM_DB_AGREE_H
#define SM_DB_AGREE_H

#include <stdint.h>
#include "../src/util.h"

struct db;

/* stepmark consensus notes the newest label and suggestion it saw (in
 * its transaction); stale: 1 when labels or suggestions came since (or
 * it never ran), 0 not, -1 error */
int db_consensus_mark(struct db *db);
int db_consensus_stale(struct db *db);
/* 1 when stepmark consensus ever ran on this store, 0 not, -1 error. */
int db_consensus_ran(struct db *db);

/* What a run read: the newest label and suggestion, the highest
 * solution with a summary and how many had one, how many agreed rows it
 * left, and the data set it decided (0 every one). A rerun under the
 * same policy reads again only the solutions with newer labels or
 * suggestions, and new solutions. */
struct consensus_mark {
	int64_t label, sug, sol, nsol, nagreed, dataset;
};
/* the store now (dataset is left as it is); 0, or -1 */
int db_consensus_now(struct db *db, struct consensus_mark *m);
int db_consensus_record(struct db *db, const struct consensus_mark *m, const char *policy);
/* The last run's mark into m when it ran under policy, by this
 * stepmark, and every solution it read has its summary still: 1; 0 when
 * not (a full run is needed), -1 error. */
int db_consensus_last(struct db *db, const char *policy, struct consensus_mark *m);
/* How many agreed rows per rule and reason (rule NULL: undecided), for
 * one data set or every one (0). */
int db_agreed_tally(struct db *db, int64_t dataset,
		    void (*fn)(void *ctx, const char *rule, const char *why, long n), void *ctx);

/* A solution's agreed row: decided by rule (fe its first error, -1 none,
 * ratings its per-step JSON, by who agreed), or undecided (rule NULL,
 * why the reason); policy is the policy's text as written. fe is -2
 * where the row has none. */
struct db_agreed {
	int64_t sol;
	int fe;
	const char *ratings, *rule, *why, *by, *policy;
	const char *agent; /* a trace's: the agent responsible, or NULL */
};
/* Every agreed row in solution order; the strings live until fn
 * returns. fn returns 0 to go on, else that is returned. -1 error. */
typedef int (*agreed_fn)(void *ctx, const struct db_agreed *g);
int db_agreed_each(struct db *db, agreed_fn fn, void *ctx);
/* The same for the solutions lo to hi. */
int db_agreed_range(struct db *db, int64_t lo, int64_t hi, agreed_fn fn, void *ctx);
/* sol's row into g, its strings in a: 1, 0 none stored, -1 error. */
int db_agreed_get(struct db *db, int64_t sol, struct arena *a, struct db_agreed *g);
/* The policy of the newest agreed row into *policy (to free; NULL when
 * there is none). 0, or -1 on a store error. */
int db_agreed_policy(struct db *db, char **policy);
/* Stores the n rows g, each replacing the one its solution had, at time
 * at (in g's order, many to a statement). 0 or -1. */
int db_agreed_put(struct db *db, const struct db_agreed *g, size_t n, const char *at);
/* Foreign-key checks off (on 0) or on again, outside a transaction (a
 * pragma inside one does nothing): consensus writes only rows of the
 * solutions its walk read in the same transaction, whose parents are
 * there, and saves a probe of the solution table per row (bench/consensus,
 * 100 K rows: 0.03 s of 0.55 s of CPU). 0 or -1. */
int db_agreed_checks(struct db *db, int on);
/* Sets the agreed mark of the summaries of the n solutions ids (the
 * queue's agreed filter reads it; it is 1 where the agreed row has a
 * rule): consensus writes it, in the agreed rows' transaction, where it
 * changes. 0 or -1. */
int db_summary_agreed(struct db *db, const int64_t *ids, size_t n, int agreed);
/* The undecided solutions (of dataset; 0: all) in id order, at most
 * limit (-1: all): data set, id, why. 0 or -1. */
int db_undecided_each(struct db *db, int64_t dataset, long limit,
		      void (*fn)(void *ctx, const char *dataset, const char *key, const char *why),
		      void *ctx);
/* The latest 500 adjudications' reasons, newest first, until fn returns
 * non-zero. 0 or -1. */
int db_adjudication_reasons(struct db *db, int (*fn)(void *ctx, const char *text), void *ctx);

#endif
