/* items.h - data sets, imports and the items stored, with their summaries (items.c, rows.c) */
#ifndef SM_DB_ITEMS_H
#define SM_DB_ITEMS_H

#include <stdint.h>
#include "../src/item.h"
#include "../src/util.h"

struct db;

/* Data sets and imports. */
int64_t db_dataset_ensure(struct db *db, const char *name, const char *format);
/* 1 when this content was already imported with these options. */
int db_import_seen(struct db *db, int64_t dataset, const char *hash,
		   const char *options);
int64_t db_import_add(struct db *db, int64_t dataset, const char *path,
		      const char *hash, const char *options);
int db_import_finish(struct db *db, int64_t import_id, const char *hash,
		     long records, long skipped, long duplicates);

/* What the queue shows of a solution, rewritten with each change to its
 * labels or suggestions (see src/summary.c). */
enum {
	SF_HUMAN = 1,    /* some annotator labelled it */
	SF_AUTO = 2,     /* some source suggested */
	SF_DIS_ANN = 4,  /* annotators disagree on the first error */
	SF_DIS_SRC = 8,  /* sources disagree */
	SF_DIS_HA = 16,  /* an annotator and a source disagree */
	/* 32 is free: the agreed mark is summary.agreed (schema 20) */
	SF_TRACE = 64,   /* an agent trace: its turns name their agents */
	SF_MC_UNSURE = 128, /* a step's MC estimate too uncertain to act on
			     * (src/mcstat.h, mc_uncertain) */
};
struct summary {
	int nsteps, labelled, flags;
	const char *verdicts; /* "\n@annotator\tFE" and "\n#source\tFE" lines */
	const char *counts;   /* what stepmark stats counts, per annotator
			       * (src/summary.h, summary_counts); NULL: not
			       * counted */
};

/* Where a key is already used: the solution, whether by this import, its
 * line, and the file it came from; for a stored item, the gold answer of
 * its problem in force (which an earlier record may have given). */
struct db_clash {
	int64_t solution;
	int same_import;
	long line;
	char path[512];
	char gold[512];
};
/* A solution found by its key, with its data set's name. */
struct db_keyed {
	int64_t sol;
	char dataset[200];
};
/* The solutions whose key is key, in data set dataset (NULL: any), up to
 * max of them into out. Returns how many, -1 on error. */
int db_solutions_keyed(struct db *db, const char *key, const char *dataset,
		       struct db_keyed *out, int max);
/* The solutions whose own id (the data set's key) is key: up to max ids
 * into ids, those of data set dataset (0: any) first. Returns how many
 * there are, -1 on error. */
int db_solutions_by_key(struct db *db, const char *key, int64_t dataset, int64_t *ids,
			int max);

/* A step's alternatives as the store keeps them: JSON, or NULL when the
 * step had no choice (one completion, taken, nothing flagged) */
const char *db_alts_json(struct buf *b, const struct alt *alts, size_t n, int chosen);
/* Stores one item and its summary (if sum). Returns 1 stored, 0 a
 * duplicate (its key is in the data set with the same problem and steps:
 * nothing is written), 3 such a duplicate whose labels or suggestions say
 * something else than the store holds now for their annotator or source
 * (those are appended to clash->solution: the history keeps both; the
 * caller refreshes its summary), 2 a conflict (the key holds another problem or
 * other steps: clash, if not NULL, says where; nothing is written), -1 on
 * error. */
int db_item_insert(struct db *db, int64_t dataset, int64_t import_id,
		   const struct item *it, const struct summary *sum,
		   struct db_clash *clash);
/* Labels (and suggestions) for a solution already in the data set, named
 * by the item's key: an item without a problem or steps of its own (a
 * label-only format's), whose nsteps is how many steps its labels need.
 * Returns 3 when they say something new (appended to clash->solution, as
 * db_item_insert does), 0 when they do not, 4 when no solution of the data
 * set has the key, 5 when it has fewer steps (clash->line: how many), -1
 * on error. */
int db_item_labels(struct db *db, int64_t dataset, const struct item *it,
		   struct db_clash *clash);
int db_summary_put(struct db *db, int64_t sol, int64_t dataset,
		   const struct summary *sum);
/* Records that every solution has its summary (summary_backfill); 1 when
 * the store says so (then db_summary_missing counts nothing). Solutions
 * without one (a store written by an older stepmark): how many, which. */
int db_summaries_complete(struct db *db);
int db_summaries_known(struct db *db);
/* What stepmark stats counts per annotator, kept with the summaries
 * (schema: issue 30's migration): a summary's counts are a line per
 * annotator, "LEN\tNAME\tDECIDED\tRATED\tADJUDICATED\n" (LEN: the
 * name's bytes), appended to b by db_counts_line. 1 when the store's
 * sums hold (store_state 'counts'; then each summary written moves
 * them), else 0: summary_backfill counts it once by db_counts_clear,
 * db_counts_set for each summary (inside a transaction) and
 * db_counts_complete. 0 or -1 for the others. */
void db_counts_line(struct buf *b, const char *name, int decided, long rated, int adjudicated);
int db_counts_known(struct db *db);
int db_counts_clear(struct db *db);
int db_counts_set(struct db *db, int64_t sol, int64_t dataset, const char *counts);
int db_counts_complete(struct db *db);
long db_summary_missing(struct db *db);
int db_summary_missing_ids(struct db *db, int64_t **ids, size_t *n);

/* The annotators' short names (automatic ones for machine names), in the
 * order of their first label. */
int db_aliases(struct db *db, void (*fn)(void *ctx, const char *name, const char *alias),
	       void *ctx);

/* The guidelines in force when labels are made: their version (the
 * content hash; NULL or "": none) and the path they were read from. */
struct db_guidelines {
	const char *hash, *path;
};
/* Labels of one action (0: an import's, a command's). With g's version,
 * each label records it (label.guidelines), and the guidelines table
 * gets its row (hash, path, first_used) the first time it is used. */
int db_labels_add(struct db *db, int64_t sol, const struct label *lb, size_t n,
		  int64_t action, const struct db_guidelines *g);
/* The annotator table's row for name (labels written without
 * db_labels_add, e.g. by stepmark merge), first_label its first label's id. */
int db_annotator_ensure(struct db *db, const char *name, int64_t first_label);

int64_t db_dataset_id(struct db *db, const char *name); /* 0 unknown */
typedef void (*name_fn)(void *ctx, const char *name);
int db_datasets(struct db *db, name_fn fn, void *ctx);

#endif
