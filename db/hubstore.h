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
struct hub_sug;

/* The id of the hub the store syncs with into out ("" none); 0, -1. */
int db_hub_bound(struct db *db, char *out, size_t n);
int db_hub_bind(struct db *db, const char *hub_id);
/* A place kept per hub in store_state: "pulled" (the hub's place pulled
 * up to), "pushed" (the last solution of this store pushed). 0 when
 * none; -1 on a store error. */
int64_t db_hub_mark(struct db *db, const char *what, const char *hub_id);
int db_hub_mark_set(struct db *db, const char *what, const char *hub_id, int64_t v);
/* A time kept per hub in store_state ("" none), like db_hub_mark: 0, -1. */
int db_hub_time_mark(struct db *db, const char *what, const char *hub_id, char *out,
		     size_t n);
int db_hub_time_mark_set(struct db *db, const char *what, const char *hub_id,
			 const char *v);

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
 * place recorded), 4 here already and its solution's labels put in
 * order (*sol: its summary is the caller's), 2 its solution is not
 * here, 3 not a label this store takes (kind, step, value), -1 on a
 * store error. A solution's labels go in the order of the time each was
 * made (of one time, in the order they came here): the store's labels
 * made after a label added move after it, and a label of this store's
 * that comes back out of that order (a clock behind, a merge) is put in
 * it. The labels in force are then the same on every store, whatever
 * order the labels came in. */
int db_hub_label_put(struct db *db, const struct hub_label *l, int64_t *sol);
/* Whether solution sol has its summary: 1, 0, -1 on a store error. */
int db_hub_summary_here(struct db *db, int64_t sol);
/* Records that some solution lacks its summary (summary_backfill makes
 * it): 0, -1 on a store error. */
int db_hub_summaries_later(struct db *db);
/* The solution dataset/key of this store, looked up once for the labels
 * of a pull: its id, data set, steps and their hash (found 0: none). */
struct db_hub_here {
	int64_t sol, ds;
	int nsteps, found;
	char hash[33];
};
/* 1 found, 0 no such solution, -1 on a store error. */
int db_hub_solution_here(struct db *db, const char *dataset, const char *key,
			 struct db_hub_here *h);
/* A label pulled onto the solution h (as db_hub_solution_here found it,
 * in this transaction): as db_hub_label_put, but with disorder given its
 * solution's order is the caller's: *disorder (whether the caller knows
 * the solution out of order already: then unchecked) set to 1 when the
 * label leaves it out of order, and 4 means here already and out of
 * order. The caller then puts it in order (db_hub_label_order) before
 * the transaction ends: once for all the labels of a page. */
int db_hub_label_put_here(struct db *db, const struct hub_label *l,
			  const struct db_hub_here *h, int *disorder);
/* The labels of sol put in the order of their time, as db_hub_label_put
 * does: 1 when some moved, 0 they were, -1 on a store error. */
int db_hub_label_order(struct db *db, int64_t sol);
/* Whether annotator holds a label on sol that this store made since it
 * last synced: not on the hub, or placed there after mark (the store's
 * place before the sync) with an id at most top (its last label then).
 * 1, 0, -1 on a store error. */
int db_hub_offline(struct db *db, int64_t sol, const char *annotator, int64_t mark,
		   int64_t top);
/* When annotator's latest label on sol was made, into at: 0, -1. */
int db_hub_latest_at(struct db *db, int64_t sol, const char *annotator, char *at, size_t atlen);
/* The store's last label id (0 none), -1 on a store error. */
int64_t db_hub_label_top(struct db *db);

/* A global id of fields f[from..to]: tag, then each field (NULL told
 * from ""), hashed in one piece (b: scratch) */
void db_hub_fields_uid(struct buf *b, const char *tag, const char *const *f, int from, int to,
		       char out[33]);
/* Suggestions as they travel (their uid computed: a hash of the data
 * set and id of their solution and their columns but when they were
 * made): those with an id above after, or (job not 0) those of the
 * store's job, in id order, to fn with their id, like db_hub_solutions. */
int db_hub_sugs(struct db *db, int64_t after, int64_t job,
		int (*fn)(void *ctx, int64_t id, const struct hub_sug *g), void *ctx);
/* The store's last suggestion id (0 none); -1 on a store error. */
int64_t db_hub_sug_top(struct db *db);
/* A suggestion pulled: 1 added (*sol its solution), 0 here already (a
 * suggestion of that uid), 2 its solution is not here, 3 not one this
 * store takes; -1 on a store error. */
int db_hub_sug_put(struct db *db, const struct hub_sug *g, int64_t *sol);
/* The solution of the last suggestion pulled and the uids of its
 * suggestions here, kept from one db_hub_sug_put_on to the next in one
 * transaction of the store (a page's suggestions come a solution at a
 * time): zeroed to begin, db_hub_sug_uids_free at the end. */
struct db_hub_sug_uids {
	const char *dataset, *key; /* the suggestion's own strings (NULL: none) */
	int64_t sol, ds;
	int nsteps, found;
	char (*uid)[33];
	size_t n, cap;
};
/* db_hub_sug_put through u: its solution looked up and its suggestions
 * read once for a run of suggestions on it, not for each. */
int db_hub_sug_put_on(struct db *db, const struct hub_sug *g, int64_t *sol,
		      struct db_hub_sug_uids *u);
void db_hub_sug_uids_free(struct db_hub_sug_uids *u);

/* The solutions (data set, id, the store's id) that get a job of a
 * provider that needs what need says (JOBS_* of jobs.h), as
 * db_jobs_enqueue selects them, whether they have one or not, in id
 * order, to fn like db_hub_solutions. */
int db_hub_candidates(struct db *db, unsigned need, int64_t dataset, int64_t sol, long limit,
		      int (*fn)(void *ctx, const char *dataset, const char *key, int64_t sol),
		      void *ctx);
/* The store's id of solution dataset/key; 0 none, -1 on a store error. */
int64_t db_hub_solution_id(struct db *db, const char *dataset, const char *key);
/* The store's job of kind, params on sol: 1 into j, 0 none, -1. */
struct db_hub_job {
	int64_t id;
	char state[16];
	char error[200];
	int64_t costs[4]; /* requests, cached, tokens in, tokens out */
};
int db_hub_local_job(struct db *db, const char *kind, const char *params, int64_t sol,
		     struct db_hub_job *j);

#endif
