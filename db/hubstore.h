/* hubstore.h - the store's side of a sync with a hub: the hub it syncs
 * with, the places kept per hub, the rows that travel (hub.h) read from
 * the store and written into it (hubstore.c) */
#ifndef SM_DB_HUBSTORE_H
#define SM_DB_HUBSTORE_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct hub_sol;
struct hub_label;

/* The id of the hub the store syncs with into out ("" none); 0, -1. */
int db_hub_bound(struct db *db, char *out, size_t n);
int db_hub_bind(struct db *db, const char *hub_id);
/* A place kept per hub in store_state: "pulled" (the hub's place pulled
 * up to), "pushed" (the last solution of this store pushed). 0 when
 * none; -1 on a store error. */
int64_t db_hub_mark(struct db *db, const char *what, const char *hub_id);
int db_hub_mark_set(struct db *db, const char *what, const char *hub_id, int64_t v);

/* Each solution with an id above after, in id order, with its steps and
 * their content hash, to fn (the row lives until fn returns; fn must not
 * commit). 0, -1 on a store error, else what fn returned to stop. */
int db_hub_solutions(struct db *db, int64_t after,
		     int (*fn)(void *ctx, int64_t id, const struct hub_sol *s), void *ctx);
/* The content hash of a travelling solution's steps (as the store's). */
void db_hub_steps_hash(const struct hub_sol *s, char out[33]);
/* The hash of the steps of this store's solution dataset/key: 1, 0 no
 * such solution, -1 on a store error. */
int db_hub_solution_hash(struct db *db, const char *dataset, const char *key, char out[33]);
/* Each label not on the hub yet (only annotator's when not NULL), oldest
 * first, to fn, like db_hub_solutions. */
int db_hub_unpushed(struct db *db, const char *annotator,
		    int (*fn)(void *ctx, const struct hub_label *l), void *ctx);
/* The workbench's batches: at most max labels not on the hub with an id
 * above after (only annotator's when not NULL; no adjudication when
 * no_adjudication), oldest first, to fn with their id, like
 * db_hub_solutions (a short read: the caller copies what it keeps). */
int db_hub_unpushed_from(struct db *db, const char *annotator, int no_adjudication,
			 int64_t after, int max,
			 int (*fn)(void *ctx, int64_t id, const struct hub_label *l), void *ctx);
/* How many of those there are (every id); -1 on a store error. */
long db_hub_unpushed_mine(struct db *db, const char *annotator, int no_adjudication);
/* How many labels are not on the hub yet; -1 on a store error. */
long db_hub_unpushed_count(struct db *db);
/* The label uid is on the hub at place seq. 0, -1. */
int db_hub_label_placed(struct db *db, const char *uid, int64_t seq);

/* A solution pulled: 1 added (*sol its id; its summary is the caller's),
 * 0 here with the same steps, 2 here with other steps (a conflict:
 * nothing written), -1 on a store error. */
int db_hub_solution_put(struct db *db, const struct hub_sol *s, int64_t *sol);
/* A label pulled: 1 added (*sol its solution), 0 here already (its
 * place recorded), 2 its solution is not here, 3 not a label this store
 * takes (kind, step, value), -1 on a store error. */
int db_hub_label_put(struct db *db, const struct hub_label *l, int64_t *sol);

#endif
