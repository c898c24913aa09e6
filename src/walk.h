/* walk.h - every solution of the store with its labels and suggestions,
 * from three ordered scans (solutions, labels, suggestions): what the
 * audit and consensus read, without loading solutions one by one */
#ifndef SM_WALK_H
#define SM_WALK_H

#include <stdint.h>
#include <sqlite3.h>
#include "item.h"

/* Names (annotators, sources, data sets) in the order they were added;
 * the labels and suggestions a walk gives point into them, so one name
 * is one pointer. */
struct names {
	char **v;
	size_t n;
};
int names_index(const struct names *ns, const char *s); /* -1 absent */
void names_add(struct names *ns, const char *s);        /* once */
void names_free(struct names *ns);
/* Adds the first column of every row of sql; -1 on error. */
int names_query(sqlite3 *h, const char *sql, struct names *ns);

/* The origin of labels given while the suggestions were hidden, as a
 * walk gives it (compare pointers). */
extern const char walk_blind_origin[];

/* One solution: its summary's facts, and an item with nsteps, the labels
 * of the walk's annotators (kinds rating, first_error, ratings and
 * adjudication; text kept for ratings, "filled" and adjudication) oldest
 * first, and the suggestions of its sources, whose source is the whole
 * key ("source/model"). No step texts. */
struct walk_sol {
	int64_t id, dataset_id;
	unsigned flags;
	struct item it;
};

/* fn returns 0 to go on, else the walk stops and returns that. */
typedef int (*walk_fn)(void *arg, const struct walk_sol *s);
/* Every solution with a summary, in id order. -1 when the store fails. */
int walk_store(sqlite3 *h, const struct names *anns, const struct names *srcs, walk_fn fn,
	       void *arg);

#endif
