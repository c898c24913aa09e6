/* hubcache.h - the response cache and alignments on the hub (hubcache.c)
 * and in the store as they travel (hubcache_store.c) */
#ifndef SM_DB_HUBCACHE_H
#define SM_DB_HUBCACHE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct db;
struct hub;

/* An alignment link as it travels: its global id (a hash of its
 * solution's data set and id, its columns and when its set was made,
 * db_hub_aligns), its solution, its columns as text; seq its place on the
 * hub (0: none yet). A solution's links of one source are one set, made
 * at one time: a newer set replaces an older in a store. */
enum { HA_UID, HA_DATASET, HA_KEY, HA_STEP, HA_REF, HA_SCORE, HA_SOURCE, HA_AT, HA_N };
struct hub_align {
	const char *f[HA_N];
	int64_t seq;
};

/* ---- the hub's side ---- */

/* A response put in the hub's cache under its request's hash (at: when
 * it was paid for): 1 added, 0 there already with the same response, 2
 * there with another (kept out: the hub's stays), -1 on error. */
int hub_cache_put(struct hub *h, const char *hash, const char *body, size_t n,
		  const char *at);
/* The responses of those of the n request hashes the hub's cache has, to
 * fn (the body lives until fn returns), in one statement per thousand:
 * 0, -1 on error, else what fn returned to stop. */
int hub_cache_find(struct hub *h, const char *const *hashes, size_t n,
		   int (*fn)(void *ctx, const char *hash, const char *body, size_t len),
		   void *ctx);
/* An alignment link: 1 added, 0 there already (its uid), 2 its solution
 * is not on the hub; -1 on error. */
int hub_align_push(struct hub *h, const struct hub_align *a);
/* The links whose place is after after, oldest first, at most max; hi
 * the last place (after: nothing new). Its strings live until
 * hub_align_page_free. 0, -1. */
struct hub_align_page {
	struct hub_align *v;
	size_t n;
	int64_t hi;
	void *res;
};
int hub_align_pull(struct hub *h, int64_t after, int max, struct hub_align_page *p);
void hub_align_page_free(struct hub_align_page *p);
/* The workbench's, on its connection (hub_step moves them; 0, -1): a
 * pull as hub_align_pull's, taken with the after it was sent with; n
 * links in one statement (a JSON array built in b), taken as how many
 * were added and how many have no solution on the hub (0, -1). */
int hub_send_align_pull(struct hub *h, int64_t after, int max);
void hub_take_align_pull(struct hub *h, int64_t after, struct hub_align_page *p);
int hub_send_align_push(struct hub *h, struct buf *b, const struct hub_align *a, size_t n);
int hub_take_align_push(struct hub *h, long *added, long *missing);

/* ---- the store's side ---- */

/* The store's links made at or after since (NULL: every one), their uid
 * computed, to fn like db_hub_solutions (fn must not commit). 0, -1 on a
 * store error, else what fn returned to stop. */
int db_hub_aligns(struct db *db, const char *since,
		  int (*fn)(void *ctx, const struct hub_align *a), void *ctx);
/* A link pulled: 1 added (a newer set than the store's replaces it), 0
 * here already or of an older set, 2 its solution is not here, 3 not a
 * link this store takes; -1 on a store error. */
int db_hub_align_put(struct db *db, const struct hub_align *a);
/* The store's cached responses after the row after (0: all), in row
 * order, to fn with their row, like db_hub_aligns. */
int db_hub_cache_rows(struct db *db, int64_t after,
		      int (*fn)(void *ctx, int64_t row, const char *hash, const char *body,
				size_t n, const char *at), void *ctx);
/* The store's last cache row (0 none); -1 on a store error. */
int64_t db_hub_cache_top(struct db *db);

#endif
