/* db.h - the store: the only interface to SQL */
#ifndef SM_DB_H
#define SM_DB_H

#include <stdint.h>
#include "../src/item.h"

struct db;

/* Opens (creating or migrating) the store at path. NULL on error, with
 * the reason in err. */
struct db *db_open(const char *path, char *err, size_t errlen);
void db_close(struct db *db);
/* A new store built by one process alone: no journal on disk, no sync.
 * Only for a file nobody else can see (see import.c); db_bulk_finish
 * turns it into an ordinary WAL store and closes it. */
struct db *db_open_bulk(const char *path, char *err, size_t errlen);
int db_bulk_finish(struct db *db);
const char *db_errmsg(struct db *db);

int db_begin(struct db *db);   /* BEGIN IMMEDIATE */
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* Data sets and imports. */
int64_t db_dataset_ensure(struct db *db, const char *name, const char *format);
/* 1 when this content was already imported with these options. */
int db_import_seen(struct db *db, int64_t dataset, const char *hash,
		   const char *options);
int64_t db_import_add(struct db *db, int64_t dataset, const char *path,
		      const char *hash, const char *options);
int db_import_finish(struct db *db, int64_t import_id, const char *hash,
		     long records, long skipped, long duplicates);

/* Stores one item. Returns 1 stored, 0 already present (same key), -1
 * on error. */
int db_item_insert(struct db *db, int64_t dataset, int64_t import_id,
		   const struct item *it);

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

/* Export: every selected solution as an item, in store order. */
struct export_filter {
	const char *datasets_json;   /* JSON array of names, or NULL = all */
	const char *annotators_json; /* JSON array of names, or NULL = all */
};
struct arena;
typedef int (*item_fn)(void *ctx, const struct item *it, const char *dataset);
int db_export_each(struct db *db, const struct export_filter *f,
		   item_fn fn, void *ctx);

/* The annotators and suggestion sources (source or source/model) that
 * appear in the selection, sorted. */
typedef void (*name_fn)(void *ctx, const char *name);
int db_export_columns(struct db *db, const struct export_filter *f,
		      name_fn on_annotator, name_fn on_source, void *ctx);

#endif
