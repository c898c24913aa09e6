/* sync.h - a store synced with its hub: what it lacks pushed, then
 * everything after its place pulled (sync.c) */
#ifndef SM_SYNC_H
#define SM_SYNC_H

#include "../db/db.h"
#include "../db/hub.h"
#include "syncdeal.h"

/* What a sync moved and met. */
struct sync_counts {
	long sols_pushed, labels_pushed; /* new on the hub */
	long sols_pulled, labels_pulled; /* new in the store */
	long conflicts;   /* solutions with other steps under one id */
	long conflict_labels; /* labels on such a solution, not moved */
	long not_on_hub;  /* labels whose solution the hub lacks: stay unpushed */
	long bad;         /* pulled labels the store does not take */
	long unpushed;    /* labels still not on the hub after it */
	long sugs_pushed, sugs_pulled; /* suggestions new on the hub, in the store */
	long sugs_kept;   /* not taken by the hub: its solution is not there, or
			   * the hub runs its job (fetch --hub) */
	long aligns_pushed, aligns_pulled, cache_pushed, cache_kept_out; /* hubshare.c */
	long acts_pushed, acts_pulled; /* the workbench's actions (hubshare.c) */
	long acts_kept;   /* actions on solutions the hub lacks: not pushed */
	long acts_bad;    /* pulled actions the store does not take */
	struct deal_counts deal; /* the deal and the policy pulled (syncdeal.h) */
	long offline;     /* solutions one annotator labelled on this store and
			   * on another while offline (each annotator once) */
};

/* What sync says as it goes: a conflict (here: the store's steps differ
 * from the hub's, found while pulling; else while pushing); one
 * annotator's labels on a solution made on this store and on another
 * while offline (at: when the latest, in force, was made). */
struct sync_hooks {
	void *ctx;
	void (*conflict)(void *ctx, const char *dataset, const char *key, int here);
	void (*offline)(void *ctx, const char *annotator, const char *dataset, const char *key,
			const char *at);
};

/* One sync of db with hub h as member me (its role decides what is
 * pushed: a lead pushes solutions, every label and the suggestions, an
 * annotator or adjudicator its own labels, a worker the suggestions, an
 * auditor nothing): what the hub lacks pushed (suggestions after the
 * store's mark), then pages of at most page events pulled, each
 * page one transaction of the store with its place. The store must be
 * bound to the hub (db_hub_bind). 0; -1 on a store error (db_errmsg),
 * -2 on a hub error (hub_errmsg): what moved before it is kept on both
 * sides, and the next sync goes on from there. */
int sync_run(struct db *db, struct hub *h, const struct hub_me *me, int page,
	     const struct sync_hooks *hk, struct sync_counts *c);
/* The pull alone (what sync_run does after its push): 0, -1, -2. */
int sync_pull(struct db *db, struct hub *h, const struct hub_me *me, int page,
	      const struct sync_hooks *hk, struct sync_counts *c);

/* The last solution whose steps were compared with the hub's, while
 * pulling (sync_seen_init: none yet); what the store had made since it
 * last synced (sync_seen_start, before the sync's push) and the offline
 * conflicts said. */
struct sync_seen {
	char dataset[200], key[400];
	int same;
	int later; /* summaries of solutions without one made at the pull's end */
	int mine;         /* the store had labels not on the hub */
	int64_t mark, top; /* its place on the hub and its last label then */
	char **said;      /* "solution id\x1fannotator" of the conflicts said */
	size_t nsaid, capsaid;
};
void sync_seen_init(struct sync_seen *s);
/* The store's state as a sync begins: 0, -1 on a store error. */
int sync_seen_start(struct db *db, const char *hub_id, struct sync_seen *s);
void sync_seen_free(struct sync_seen *s);
/* What the pages of one connection keep from page to page: the
 * solutions found here (their ids and steps' hash: a solution's steps
 * never change) and what their summaries were made of (summary.h's
 * cache); all forgotten when a page is rolled back. */
struct sync_keep;
struct sync_keep *sync_keep_new(void);
void sync_keep_free(struct sync_keep *k);
/* One pulled page into the store with its place, in one transaction of
 * the store: 0, -1 on a store error (nothing written). keep: the
 * connection's (NULL: none). */
int sync_page_store(struct db *db, const struct hub_page *pg, const char *hub_id,
		    const struct sync_hooks *hk, struct sync_counts *c, struct sync_seen *seen,
		    struct sync_keep *keep);

#endif
