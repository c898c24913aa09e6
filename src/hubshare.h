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

#endif
