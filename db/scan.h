/* scan.h - the store read whole: stats, and every solution in order for export (scan.c) */
#ifndef SM_DB_SCAN_H
#define SM_DB_SCAN_H

#include <stdint.h>
#include "../src/item.h"
#include "items.h"

struct db;

/* Stats, one callback per row. */
struct ds_stats {
	const char *name, *format;
	long problems, solutions, steps, labelled_steps;
};
typedef void (*ds_stats_fn)(void *ctx, const struct ds_stats *s);
typedef void (*count_fn)(void *ctx, const char *dataset, const char *what,
			 long n);
int db_stats(struct db *db, ds_stats_fn on_ds, count_fn on_annotator,
	     count_fn on_source, void *ctx);
/* What the summaries count per annotator (items.h, db_counts_known: only
 * when their sums hold), one call per data set and annotator with labels
 * that decide or adjudicate there, by data set then annotator: the
 * solutions its labels decide or rate, the steps they rate, the
 * solutions it adjudicated. 0 or -1. */
typedef void (*stats_counts_fn)(void *ctx, const char *dataset, const char *annotator,
				long decided, long rated, long adjudicated);
int db_stats_counts(struct db *db, stats_counts_fn fn, void *ctx);

/* Export: every selected solution as an item, in store order. */
struct export_filter {
	const char *datasets_json;   /* JSON array of names, or NULL = all */
	const char *annotators_json; /* JSON array of names, or NULL = all */
	int steps_only;              /* items without labels and suggestions */
};
typedef int (*item_fn)(void *ctx, const struct item *it, const char *dataset);
int db_export_each(struct db *db, const struct export_filter *f,
		   item_fn fn, void *ctx);

/* The annotators and suggestion sources (source or source/model) that
 * appear in the selection, sorted; a NULL callback skips its list. */
int db_export_columns(struct db *db, const struct export_filter *f,
		      name_fn on_annotator, name_fn on_source, void *ctx);

int64_t db_max_solution(struct db *db);

#endif
