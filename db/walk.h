/* walk.h - every solution of the store with its labels and suggestions,
 * from three ordered scans (solutions, labels, suggestions): what the
 * audit, consensus and assign read, without loading solutions one by
 * one; and the lists of names they read them for (walk.c) */
#ifndef SM_DB_WALK_H
#define SM_DB_WALK_H

#include <stdint.h>
#include "../src/item.h"
#include "../src/util.h"

struct db;

/* The lists of names a walk is read for. */
enum db_names {
	DB_NAMES_RATERS,       /* annotators with ratings or first errors, by name */
	DB_NAMES_DECIDERS,     /* ... or adjudications, in the store's order */
	DB_NAMES_SOURCES,      /* every source ("source" or "source/model"), by name */
	DB_NAMES_SOURCES_SEEN, /* the same in the store's order */
	DB_NAMES_PRM,          /* the PRM sources, in the store's order */
	DB_NAMES_DATASETS,     /* data sets, by name */
	DB_NAMES_ASSIGNED,     /* annotators with an assignment, by name */
	DB_NAMES_N
};
/* Adds the names of list which to ns (once each); -1 on a store error. */
int db_names(struct db *db, enum db_names which, struct names *ns);

/* The origin of labels given while the suggestions were hidden, as a
 * walk gives it (compare pointers). */
extern const char walk_blind_origin[];

/* One solution: its summary's facts, and an item with nsteps, the labels
 * of the walk's annotators (kinds rating, first_error, ratings and
 * adjudication; text kept for ratings, "filled" and adjudication; a
 * trace's first error with its agent, the guidelines' version each was
 * made under) oldest first, and the suggestions
 * of its sources, whose source is the whole key ("source/model"), with
 * their agents. No step texts. */
struct walk_sol {
	int64_t id, dataset_id;
	unsigned flags;
	int agreed; /* the summary's agreed mark (summary.agreed) */
	struct item it;
};

/* fn returns 0 to go on, else the walk stops and returns that. */
typedef int (*walk_fn)(void *arg, const struct walk_sol *s);
/* Every solution with a summary, in id order, read a window of
 * solutions at a time (memory stays that of a window). -1 when the
 * store fails. A solution's item lives until fn returns. */
int db_walk(struct db *db, const struct names *anns, const struct names *srcs, walk_fn fn,
	    void *arg);
/* Before the solutions of each window, ids lo to hi: win (to read what
 * the caller keeps of that range), 0 to go on. */
typedef int (*walk_window_fn)(void *arg, int64_t lo, int64_t hi);
enum { WALK_EVERY_ANNOTATOR = 1, WALK_EVERY_SOURCE = 2 };
/* A walk, in full: every (WALK_EVERY_...) makes the walk add to anns
 * (srcs) each annotator (source) it meets, rather than read only those
 * listed (a list of every name would scan the whole table first); since,
 * when set, walks only the solutions with a label or suggestion newer
 * than those ids, or an id above since->sol. */
struct walk_since {
	int64_t label, sug, sol;
};
struct walk_opts {
	struct names *anns, *srcs;
	unsigned every;
	const struct walk_since *since;
	walk_window_fn win;
	walk_fn fn;
	void *arg;
};
/* -1 when the store fails, else what a callback returned to stop, 0 */
int db_walk_with(struct db *db, const struct walk_opts *o);

#endif
