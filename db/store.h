/* store.h - the store opened (or made), locked, committed and traced (store.c) */
#ifndef SM_DB_STORE_H
#define SM_DB_STORE_H

#include <stdint.h>
#include <stdio.h>

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
/* A read transaction around many reads, which then take the store's
 * read locks once rather than each its own: 1 begun, 0 not needed (a
 * transaction is open), -1. db_read_end ends what db_read_begin began
 * (its return value). No write inside. */
int db_read_begin(struct db *db);
void db_read_end(struct db *db, int began);
int db_import_cache(struct db *db, int importing); /* an import into a WAL store */
/* A connection that reads the store through once, window by window,
 * beside another that writes (consensus): a small page cache. */
int db_stream_cache(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* The TUI's connection: a short lock wait (it retries a busy write
 * itself rather than keep a key waiting); its commits made durable by
 * db_sync, outside the lock. */
int db_set_interactive(struct db *db);
/* Every commit of an interactive connection on the disk (its log synced
 * if one is not): 0, or -1 (errno says why). */
int db_sync(struct db *db);
/* The workbench's checkpoint, between keys: once the log held 1000 pages
 * or more at this connection's last commit, a passive one (it waits for
 * no reader or writer). 1 when it ran. */
int db_checkpoint_idle(struct db *db);
int db_busy(struct db *db); /* the last error was a lock held elsewhere */
int db_full(struct db *db); /* the last error was a full disk (said by db_errmsg) */
/* For commands that only read: never writes, never creates; refuses a
 * file that is missing or not a stepmark store at the current schema. */
struct db *db_open_ro(const char *path, char *err, size_t errlen);
/* A write waits for another writer as long as that one makes progress
 * (the default); say: where to say once that it waits (NULL: silent). */
void db_say_waits(struct db *db, FILE *say);
/* Changes when another connection commits. */
int64_t db_data_version(struct db *db);
/* Where the store's append-only tables stood, to tell what another
 * connection's commit changed: the generation moves when what the
 * queue's filters read besides labels and suggestions does (agreed
 * labels, assignments: db_generation_bump, inside the writer's
 * transaction). */
struct db_marks {
	int64_t generation, label, suggestion, solution;
};
int db_generation_bump(struct db *db);
int db_changes_mark(struct db *db, struct db_marks *m);
/* fn(arg, sol) for each solution that gained a label, a suggestion or
 * came to be since m, and m moved on: 0; 1 when more changed than that
 * or than limit solutions say (everything must be read again); -1 on a
 * store error. */
int db_changes_since(struct db *db, struct db_marks *m, long limit,
		     void (*fn)(void *, int64_t), void *arg);
/* A long operation's progress (db_export_each and db_walk by solution,
 * a merge by plan step): fn(ctx, done, total) after each unit, total
 * counted first; a nonzero return stops the operation, which fails
 * (returns -1). NULL: none. */
typedef int (*db_progress_fn)(void *ctx, int64_t done, int64_t total);
void db_set_progress(struct db *db, db_progress_fn fn, void *ctx);
/* Writes every statement run (parameters expanded) to fp; NULL stops. */
void db_trace(struct db *db, FILE *fp);

/* A write waits for the lock at most ms, in steps of a quarter of a
 * millisecond, then fails busy (db_busy). */
void db_set_busy_ms(struct db *db, int ms);
/* The schema version this stepmark reads and writes. */
int db_schema_current(void);

#endif
