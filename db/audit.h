/* audit.h - what the audit reads beside the walk: data sets, the jobs'
 * coverage, active times, assignments and agreed labels (audit.c) */
#ifndef SM_DB_AUDIT_H
#define SM_DB_AUDIT_H

#include <stdint.h>

struct db;

/* Every data set to fn: its id and name. 0, or -1 on a store error. */
int db_dataset_ids(struct db *db, void (*fn)(void *ctx, int64_t id, const char *name),
		   void *ctx);

/* The jobs of one data set and source ("kind" or "kind/model"). */
struct db_coverage {
	const char *dataset, *source;
	int64_t done, failed, pending; /* pending: queued or leased */
	int64_t requests, tokens_in, tokens_out;
};
/* The jobs per data set and source (of dataset only, unless NULL),
 * ordered by both, to fn. 0, or -1 on a store error. */
int db_audit_coverage(struct db *db, const char *dataset,
		      void (*fn)(void *ctx, const struct db_coverage *c), void *ctx);

/* Each annotator's timed actions per solution (of dataset only, unless
 * NULL) to fn: the annotator, the data set and the sum of their active
 * milliseconds, ordered by annotator and data set. 0, or -1 on a store
 * error. */
int db_active_times(struct db *db, const char *dataset,
		    void (*fn)(void *ctx, const char *annotator, const char *dataset,
			       double active_ms),
		    void *ctx);

/* One assignment of a solution to an annotator. */
struct db_assignment {
	int64_t sol;
	const char *annotator;
	int gold_fe; /* a gold item's first error; -2 not gold (or none) */
};
/* The assignments of the solutions lo to hi, in solution order, to fn.
 * 0, or -1 on a store error. */
int db_assignments_range(struct db *db, int64_t lo, int64_t hi,
			 void (*fn)(void *ctx, const struct db_assignment *a), void *ctx);

/* What the audit splits its figures by (--by), one row a label of the
 * solutions lo to hi: with
 * DB_SPLIT_CATEGORY, every category label (its step, the key in text,
 * NULL taken back), in solution and label order; with
 * DB_SPLIT_GUIDELINES, each annotator's newest verdict label (rating,
 * first error, ratings) per solution, the content hash of the guidelines
 * it was made under in text (NULL none); with DB_SPLIT_DOMAIN, one row
 * per solution whose metadata names its domain (VersaPRM's), the domain
 * in text, no annotator, in solution order. 0, or -1 on a store error. */
enum db_split { DB_SPLIT_CATEGORY, DB_SPLIT_GUIDELINES, DB_SPLIT_DOMAIN };
struct db_split_row {
	int64_t sol, id;
	const char *annotator, *text;
	int step;
};
int db_audit_split_rows(struct db *db, enum db_split which, int64_t lo, int64_t hi,
			void (*fn)(void *ctx, const struct db_split_row *r), void *ctx);
/* Each rule that decided an agreed label to fn, in the order of the first
 * solution it decided; NULL for the undecided rows, if any. 0, or -1 on a
 * store error. */
int db_audit_agreed_rules(struct db *db, void (*fn)(void *ctx, const char *rule), void *ctx);
#endif
