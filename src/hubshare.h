/* hubshare.h - what a sync moves besides labels and suggestions
 * (hubshare.c): the workbench's actions and alignment links both ways,
 * the response cache pushed */
#ifndef SM_HUBSHARE_H
#define SM_HUBSHARE_H

#include "../db/hub.h"

struct db;
struct sync_counts;

/*
 * The workbench's actions with their active time first: a member's own
 * (a lead's: every one) after its mark pushed, a batch per statement
 * (each once by its uid; those on a solution the hub lacks are counted
 * and left), then every member pulls those after its place. Then a
 * lead's or worker's alignment links made since the store's last push
 * (less a minute: a row written as it began), and its cached responses
 * after its mark, pushed in chunks (each link once by its uid, each
 * response once by its request's hash: a different response under a hash
 * there is kept out and counted); then every member pulls the links
 * after its place, a page per store transaction. 0, -1 on a store error,
 * -2 on a hub error (what committed is kept and the next sync goes on).
 */
int hubshare_sync(struct db *db, struct hub *h, const struct hub_me *me, int page,
		  struct sync_counts *c);

/* The same on the workbench's connection, a statement at a time (the
 * background sync's round, after the deal): the actions pushed and
 * pulled, then a lead's or worker's alignment links pushed, then the
 * links pulled (never the cache). hubshare_bg_begin starts a round's;
 * hubshare_bg_send sends its next statement: 1 sent (hub_step moves it,
 * then hubshare_bg_take takes its answer into the store), 0 nothing more
 * this round, -1 a store error (the store busy: the round ends), -2 the
 * hub failed (hub_errmsg). hubshare_bg_take: 0, -1 on a store error (the
 * round ends; the next goes on from the store's marks). */
struct hubshare_bg;
struct hubshare_bg *hubshare_bg_new(void);
void hubshare_bg_free(struct hubshare_bg *g);
void hubshare_bg_begin(struct hubshare_bg *g);
int hubshare_bg_send(struct hubshare_bg *g, struct db *db, struct hub *h,
		     const struct hub_me *me, int page);
int hubshare_bg_take(struct hubshare_bg *g, struct db *db, struct hub *h,
		     const struct hub_me *me, int page);

#endif
