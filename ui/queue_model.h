/* queue_model.h - the queue as a model, with no curses: its filter and
 * order, its counts (per chunk of ids, kept per filter while the store
 * holds still), the cursor's rank, the neighbours of a solution (in the
 * queue or a side queue), and walks for the search. The queue view, the
 * solution and review views, search.c and tui.c call it. */
#ifndef SM_QUEUE_MODEL_H
#define SM_QUEUE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"
#include "../src/annot.h"

/* The solutions this workbench labelled, in order, so that the counts
 * redo only their chunks; epoch moves when another writer changed the
 * store (every count again). */
struct writes {
	int64_t *ids;
	size_t n, cap;
	long epoch;
};
void writes_add(struct writes *w, int64_t sol);
void writes_free(struct writes *w);

struct qmodel;
/* The queue of db under filter what in order sort, for ann and the blind
 * setting (both read as they change), counting the writes in w. Opened
 * by qmodel_reopen. A row (qmodel_row) shows what ann may see of others'
 * labels (summary_others_hidden). */
struct qmodel *qmodel_new(struct db *db, const struct annotator *ann, const int *blind,
			  const struct writes *w, int what, int sort);
void qmodel_free(struct qmodel *m);
/* Opens the queue again under the filter as it is now (the counts are
 * started again by qmodel_recount). */
void qmodel_reopen(struct qmodel *m);
/* Counts again: the chunks the store changed under, or all of them. */
void qmodel_recount(struct qmodel *m);
/* Between keys: a chunk of the count, and the rank moved toward at (the
 * cursor's solution). Returns 1 while more remains; *changed is set when
 * what the status line says changed. */
int qmodel_idle(struct qmodel *m, int64_t at, int *changed);

/* Up to n positions after (dir > 0) or before from; the count. */
int qmodel_step(struct qmodel *m, const struct qpos *from, int dir, int n,
		struct qpos *out);
/* The first position (the walk starts after it). */
struct qpos qmodel_start(void);
/* Where sol stands in the queue's order (it need not match). */
struct qpos qmodel_pos(struct qmodel *m, int64_t sol);
/* One row's columns, from the store, as ann may see them. 1 when found. */
int qmodel_row(struct qmodel *m, int64_t sol, struct arena *a, struct db_qrow *r);
/* The neighbour of sol in dir under the filter, or what (a Q_* filter
 * in place of the queue's, on a side queue kept open; -1: the queue's):
 * 0 when none. */
int64_t qmodel_neighbour(struct qmodel *m, int64_t sol, int dir, int what);
/* 1 when sol is in the queue as filtered now (one opened by :open or a
 * search need not be). */
int qmodel_contains(struct qmodel *m, int64_t sol);
/* A walk of its own over the queue as filtered and ordered now: sol's
 * position in it, and its rows (an estimate while they are counted). */
struct queue *qmodel_walk(struct qmodel *m, int64_t sol, struct qpos *at, long *rows);
/* A solution named as the store's number or the solution's own id: 0
 * none; *nsame: how many solutions have that id. */
int64_t qmodel_lookup(struct qmodel *m, const char *name, int *nsame);

/* The filter, named: "todo  gsm8k  by progress  grep /x/". */
void qmodel_describe(const struct qmodel *m, char *out, size_t n);
/* The status line's text: the filter, the position, the count. */
void qmodel_status(struct qmodel *m, int64_t sel, char *out, size_t n);
/* 1 when the store has solutions at all. */
int qmodel_has_solutions(const struct qmodel *m);
/* The summary flags of its disagreement filter (0: none). */
unsigned qmodel_where(const struct qmodel *m);
/* Its data set (NULL: every one). */
const char *qmodel_dataset(const struct qmodel *m);

/* Changing the filter (then qmodel_reopen). The cycles return the name
 * of what is shown now; the setters -1 when arg names nothing. */
const char *qmodel_cycle_filter(struct qmodel *m);
const char *qmodel_cycle_sort(struct qmodel *m);
const char *qmodel_cycle_dataset(struct qmodel *m); /* NULL: all */
int qmodel_set_filter(struct qmodel *m, const char *arg);
int qmodel_set_sort(struct qmodel *m, const char *arg);
int qmodel_set_dataset(struct qmodel *m, const char *arg);
/* A pattern the solutions must match ("" clears it): -1 with err. */
int qmodel_set_grep(struct qmodel *m, const char *arg, char *err, size_t n);
/* Only the solutions db_pick chose, described by label. */
void qmodel_pick(struct qmodel *m, const char *label);

#endif
