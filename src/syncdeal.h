/* syncdeal.h - the deal and the consensus policy between a store and its
 * hub: a lead's deal written on the hub, both pulled after the store's
 * place (syncdeal.c) */
#ifndef SM_SYNCDEAL_H
#define SM_SYNCDEAL_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct hub;

/* What a pull of the deal took. */
struct deal_counts {
	long rows;     /* rows of the deal new in the store */
	long policies; /* versions of the policy pulled */
	long waiting;  /* rows whose solution the store lacks yet: the next sync */
	long bad;      /* rows naming no annotator a store keeps: left out */
	long pushed;   /* rows of the store's own deal written on the hub */
	char why[600]; /* why the store's own deal was not ("": it was, or none) */
};

/* Every row of the deal (those the member may read) and version of the
 * policy after the store's place on hub hub_id, pages of at most page
 * rows, a store transaction each. 0, -1 on a store error, -2 on the
 * hub's. */
int syncdeal_pull(struct db *db, struct hub *h, const char *hub_id, int page,
		  struct deal_counts *c);
/* The same a page at a time on the workbench's connection: a page asked
 * for (0; -1 the store is busy, nothing sent; -2 the hub failed), then
 * taken into the store when it is there: 1 when more may follow, 0 in
 * sync, -1 on a store error (the page comes again). */
int syncdeal_send(struct db *db, struct hub *h, const char *hub_id, int page);
int syncdeal_take(struct db *db, struct hub *h, const char *hub_id, int page,
		  struct deal_counts *c);

/* A lead's store's own deal (made before the store was tied to the
 * hub) written on hub hub_id as syncdeal_write does, while the hub has
 * no deal: what the hub holds is never dealt again, and a deal written
 * meanwhile by another lead refuses it whole. Each run of an annotator's
 * places keeps them. c->pushed counts its rows; c->why says why it was
 * not written (a solution not on the hub...). Nothing when the store has
 * no deal or the hub has one (the store's is then the hub's, pulled, or
 * stays in the store). 0, -1 on a store error, -2 on the hub's. */
int syncdeal_push_own(struct db *db, struct hub *h, const char *hub_id, struct deal_counts *c);

/* The consensus policy of a store tied to a hub: 1 the hub's, as the
 * store last pulled it (*rules, and *by when by is not NULL: who set it
 * at when; xmalloc'd), 0 none (no hub, or no policy there: the config's
 * is in force), -1 on a store error. */
int syncdeal_policy(struct db *db, char **rules, char **by);

/* One annotator's new rows of a deal: sols[i] at place first_ord + i,
 * gold_fe[i] as db_assign_add's. */
struct deal_pile {
	const char *annotator;
	const int64_t *sols;
	const int *gold_fe;
	size_t n;
	int64_t first_ord;
};
/* The deal written on hub hub_id in one transaction, all or nothing
 * (the store unchanged: syncdeal_pull brings it in). 0; 1 not written,
 * why says why (the hub's deal moved past the store's place, or a
 * solution is not on the hub with the store's steps); -1 on a store
 * error, -2 on the hub's (a member who is no lead: the server refuses). */
int syncdeal_write(struct db *db, struct hub *h, const char *hub_id,
		   const struct deal_pile *p, size_t np, const char *now, char *why,
		   size_t nwhy);

#endif
