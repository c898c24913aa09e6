/* hubact.h - the workbench's actions (each with the active time it
 * measured) as they travel: on the hub (hubact.c) and in the store
 * (hubact_store.c) */
#ifndef SM_DB_HUBACT_H
#define SM_DB_HUBACT_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct db;
struct hub;

/* An action as it travels, as text (NULL: SQL NULL): its global id (a
 * hash of its solution's data set and id and its columns, computed:
 * db_hub_acts), its solution, who, do/undo/redo, the uid of the action
 * an undo or redo names, its name, when, its active time in ms. seq its
 * place on the hub (0: none yet). */
enum {
	HX_UID, HX_DATASET, HX_KEY, HX_ANNOTATOR, HX_OP, HX_REF, HX_NAME, HX_AT, HX_ACTIVE,
	HX_N
};
struct hub_act {
	const char *f[HX_N];
	int64_t seq;
};

/* ---- the hub's side ---- */

/* n actions in one statement (a JSON array of them built in b): *added
 * how many are new on the hub, *missing how many have no solution there
 * (not taken); the others were there already. 0, -1 on error (the
 * server refuses the whole statement: an annotator's action under
 * another's name). */
int hub_act_push(struct hub *h, struct buf *b, const struct hub_act *a, size_t n,
		 long *added, long *missing);
/* The same on the workbench's connection (hub_step moves it; 0, -1),
 * what it met taken when it is done (0, -1 when the hub refused it). */
int hub_send_act_push(struct hub *h, struct buf *b, const struct hub_act *a, size_t n);
int hub_take_act_push(struct hub *h, long *added, long *missing);

/* The actions whose place is after after, oldest first, at most max; hi
 * the last place (after: nothing new). Strings live until
 * hub_act_page_free. 0, -1. */
struct hub_act_page {
	struct hub_act *v;
	size_t n;
	int64_t hi;
	void *res;
};
int hub_act_pull(struct hub *h, int64_t after, int max, struct hub_act_page *p);
/* The same on the workbench's connection; taken with the after it was
 * sent with. */
int hub_send_act_pull(struct hub *h, int64_t after, int max);
void hub_take_act_pull(struct hub *h, int64_t after, struct hub_act_page *p);
void hub_act_page_free(struct hub_act_page *p);

/* ---- the store's side ---- */

/* At most max (0: every one) of the store's actions with an id above
 * after (only annotator's when not NULL), in id order, their uid and the
 * uid of the action each names computed, to fn with their id (the row
 * lives until fn returns; fn must not commit). 0, -1 on a store error,
 * else what fn returned to stop. */
int db_hub_acts(struct db *db, int64_t after, const char *annotator, int max,
		int (*fn)(void *ctx, int64_t id, const struct hub_act *a), void *ctx);
/* An action pulled: 1 added, 0 here already (an action of that uid), 2
 * its solution is not here, 3 not one this store takes; -1 on a store
 * error. The action it names (ref) is found here by its uid (none: no
 * ref). */
int db_hub_act_put(struct db *db, const struct hub_act *a);
/* The store's last action id (0 none); -1 on a store error. */
int64_t db_hub_act_top(struct db *db);

#endif
