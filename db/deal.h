/* deal.h - assignments of solutions to annotators (deal.c; the queue's
 * assigned filter reads them too), and the deal and policy pulled from a
 * hub (hubdeal.h: the hub's side) */
#ifndef SM_DB_DEAL_H
#define SM_DB_DEAL_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* Every solution dealt to someone, in id order, appended to *ids (n
 * counts them; xrealloc'd). 0, or -1 on a store error. */
int db_assigned_solutions(struct db *db, int64_t **ids, size_t *n);
/* The place of the last solution dealt to annotator: 0 when nothing
 * was dealt to them yet, -1 on a store error. */
int64_t db_assigned_last(struct db *db, const char *annotator);
/* Deals sols to annotator after what it has, in that order; gold_fe[i]
 * is a gold item's first error (-1 none), -2 for an item that is not
 * gold. A solution it has already keeps its place. 0, or -1. */
int db_assign_add(struct db *db, const char *annotator, const int64_t *sols,
		  const int *gold_fe, size_t n, const char *now);

/* Every row of the store's deal, each annotator's in the order of their
 * queue, to fn (gold_fe as db_assign_add's; the row lives until fn
 * returns, which must not commit). 0, -1 on a store error, else what fn
 * returned to stop. */
int db_deal_rows(struct db *db, int (*fn)(void *ctx, const char *annotator, int64_t sol,
					   int64_t ord, int gold_fe), void *ctx);
/* The data set and id of solution sol, copied: 1, 0 no such solution, -1. */
int db_deal_ident(struct db *db, int64_t sol, char *dataset, size_t nd, char *key, size_t nk);
/* A row of a hub's deal: solution dataset/key dealt to annotator at its
 * place ord (gold_fe as db_assign_add's). 1 added, 0 there already (it
 * keeps its place), 2 no such solution here, -1 on a store error. */
int db_deal_put(struct db *db, const char *dataset, const char *key, const char *annotator,
		int64_t ord, int gold_fe, const char *at);
/* The consensus policy pulled from hub hub_id: 1 (*rules, and *by when
 * by is not NULL: who set it and when; xmalloc'd), 0 none, -1. */
int db_deal_policy(struct db *db, const char *hub_id, char **rules, char **by);
int db_deal_policy_set(struct db *db, const char *hub_id, const char *rules, const char *by);

#endif
