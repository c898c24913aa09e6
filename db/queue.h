/* queue.h - the queue: the solutions a filter keeps, in order, a window at a time (queue.c) */
#ifndef SM_DB_QUEUE_H
#define SM_DB_QUEUE_H

#include <stdint.h>

struct db;

/* The queue: solutions matching a filter, walked in order a window at a
 * time, so that memory does not grow with the store. */
/* Q_ASSIGNED: dealt to the annotator (stepmark assign); Q_AGREED*: an
 * agreed label (stepmark consensus), decided by any rule, an adjudicator,
 * people (human, human-majority, confirmed-suggestion) or sources;
 * Q_NO_AGREED: none yet */
enum { Q_ALL, Q_TODO, Q_MINE, Q_DIS_ANY, Q_DIS_ANN, Q_DIS_SRC, Q_DIS_HA, Q_ASSIGNED,
       Q_NO_AGREED, Q_AGREED, Q_AGREED_ADJ, Q_AGREED_PEOPLE, Q_AGREED_SOURCES, Q_NWHAT };
enum { QS_ID, QS_PROGRESS, QS_N };
struct qfilter {
	int what, sort;
	int64_t dataset;       /* 0 = every data set */
	const char *annotator; /* for Q_TODO, Q_MINE and Q_ASSIGNED */
	const char *regex;     /* over problem and step texts, or NULL */
	const char *rule;      /* Q_AGREED: decided by this rule (as written) */
	int picked;            /* only the solutions db_pick chose */
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
