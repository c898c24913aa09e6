/* queue.h - the queue: the solutions a filter keeps, in order, a window at a time (queue.c) */
#ifndef SM_DB_QUEUE_H
#define SM_DB_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "items.h" /* SF_*, the summary flags of QUEUE_FILTERS */

struct db;

/* The queue: solutions matching a filter, walked in order a window at a
 * time, so that memory does not grow with the store. */
/* _(ID, "name", flags): the filters, once. The Q_ID enum, the names of
 * `set filter`, `:filter` and `audit --where`, and the docs test come from
 * this list. flags: the summary flags (SF_*) that alone decide a
 * solution's place (0: every solution), or -1 when more than its summary
 * decides it. ASSIGNED: dealt to the annotator (stepmark assign);
 * AGREED*: an agreed label (stepmark consensus), decided by any rule, an
 * adjudicator, people (human, human-majority, confirmed-suggestion) or
 * sources; NO_AGREED: none yet. MC_UNSURE: a step's MC estimate too
 * uncertain to act on (src/mcstat.h's rule). DOMAIN: of the domain its
 * metadata names (VersaPRM's), of any without a name. cyc: 1 when the
 * filter key (f) visits it; 0 for one read from every solution's
 * metadata (no index: a store without it would be scanned whole by each
 * window of rows), named with :filter alone. */
#define QUEUE_FILTERS(_) \
	_(ALL, "all", 0, 1) \
	_(TODO, "todo", -1, 1) \
	_(MINE, "mine", -1, 1) \
	_(DIS_ANY, "disagree", SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA, 1) \
	_(DIS_ANN, "disagree-annotators", SF_DIS_ANN, 1) \
	_(DIS_SRC, "disagree-sources", SF_DIS_SRC, 1) \
	_(DIS_HA, "disagree-human-auto", SF_DIS_HA, 1) \
	_(ASSIGNED, "assigned", -1, 1) \
	_(NO_AGREED, "no-consensus", -1, 1) \
	_(AGREED, "agreed", -1, 1) \
	_(AGREED_ADJ, "agreed-adjudicated", -1, 1) \
	_(AGREED_PEOPLE, "agreed-people", -1, 1) \
	_(AGREED_SOURCES, "agreed-sources", -1, 1) \
	_(MC_UNSURE, "mc-uncertain", SF_MC_UNSURE, 1) \
	_(DOMAIN, "domain", -1, 0)
#define QUEUE_FILTER_ENUM(id, name, flags, cyc) Q_##id,
enum queue_filter { QUEUE_FILTERS(QUEUE_FILTER_ENUM) Q_NWHAT };
enum { QS_ID, QS_PROGRESS, QS_N };
struct qfilter {
	int what, sort;
	int64_t dataset;       /* 0 = every data set */
	const char *annotator; /* for Q_TODO, Q_MINE and Q_ASSIGNED */
	const char *regex;     /* over problem and step texts, or NULL */
	const char *rule;      /* Q_AGREED: decided by this rule (as written) */
	const char *domain;    /* Q_DOMAIN: of this domain, NULL any */
	int picked;            /* only the solutions db_pick chose */
	int blind;             /* the annotator's blind setting: on a solution
				* dealt to them that they have not decided
				* (or any, blind), other people's verdicts
				* and the agreed label count for nothing, as
				* the workbench hides them (summary.h,
				* summary_others_hidden) */
};
/* The solutions a filter with picked set keeps (a temporary table of
 * this connection: nothing is written to the store). 0, or -1. */
int db_pick(struct db *db, const int64_t *ids, size_t n);
struct qpos {
	int64_t key, id; /* sort key, then solution id */
};
/* The assigned filter in id order walks one's assignment in the order it
 * was dealt instead: the key is the assignment's ord (0 when sol is not
 * assigned to annotator). */
int db_queue_dealt(const struct qfilter *f);
int64_t db_assigned_ord(struct db *db, const char *annotator, int64_t sol);
struct queue;
struct queue *db_queue_open(struct db *db, const struct qfilter *f);
void db_queue_close(struct queue *q);
/* Up to n positions after (dir > 0) or before from. Returns the count. */
int db_queue_step(struct queue *q, const struct qpos *from, int dir, int n,
		  struct qpos *out);
/* The dealt order's position of at (1 for the first), -1 in another
 * order: a count over the annotator's assignment up to at. */
long db_queue_rank(struct queue *q, const struct qpos *at);
/* Matching solutions with ids in [lo, hi]. */
long db_queue_count(struct queue *q, int64_t lo, int64_t hi);

#endif
