/* merge.h - another store attached and brought into this one: solutions matched, labels, suggestions and alignments copied (merge.c) */
#ifndef SM_DB_MERGE_H
#define SM_DB_MERGE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* What a merge found (each -1 when it cannot be counted). */
struct db_merge_counts {
	long matched;     /* solutions in both stores */
	long other;       /* solutions of the other store */
	long conflicts;   /* of the matched, those kept as this store has them */
	long suggestions; /* suggestions this store lacked */
};

/* Attaches the store at path beside this one. 1 attached, 0 when it
 * cannot be opened (db_errmsg says why), -1 on a store error. */
int db_merge_attach(struct db *db, const char *path);
/* 1 when the attached store is at this stepmark's schema and has labels,
 * else 0; *version is its schema version (-1 unreadable). */
int db_merge_check(struct db *db, long *version);
/* Inside the caller's transaction: matches the solutions, finds the
 * conflicts and brings the labels, suggestions and alignments this store
 * lacks, with their tallies. 0, or -1 on a store error. */
int db_merge_apply(struct db *db);
/* The solutions that received labels or suggestions, into *ids (the
 * caller frees) and *n: 0, or -1 on a store error (*ids NULL). */
int db_merge_solutions(struct db *db, int64_t **ids, size_t *n);
/* Enters every annotator of the labels brought in the annotator table:
 * 0, or -1 on a store error. */
int db_merge_annotators(struct db *db);
/* Fills c with what the merge found. */
void db_merge_count(struct db *db, struct db_merge_counts *c);
/* Each annotator of the labels brought, by name, to fn with how many.
 * Returns how many annotators fn saw, -1 when the list cannot be read. */
long db_merge_labels(struct db *db, void (*fn)(void *ctx, const char *annotator, long n),
		     void *ctx);
/* The first max conflicts, in this store's order, to fn: the data set,
 * the solution's id and why. 0, or -1 when the list cannot be read. */
int db_merge_conflicts(struct db *db, int max,
		       void (*fn)(void *ctx, const char *dataset, const char *key,
				  const char *why), void *ctx);
/* Ends a merge: a transaction still open is rolled back, the merge's
 * tables are dropped and the other store detached. */
void db_merge_detach(struct db *db);

#endif
