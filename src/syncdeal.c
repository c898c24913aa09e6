/* syncdeal.c - the deal (stepmark assign's) and the consensus policy
 * between a store and its hub: a lead's deal written on the hub in one
 * transaction under the hub's lock, never twice; the deal and the
 * policy pulled after the store's place, idempotently */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncdeal.h"
#include "util.h"
#include "../db/db.h"
#include "../db/hub.h"

/* store_state's place of the deal and policy pulled ("hub.dealt.ID") */
#define MARK "dealt"

/* a row's gold: its first error (-1 none), -2 not gold or not known */
static int gold_of(const struct hub_deal_row *r)
{
	if (!r->f[HD_GOLD] || strcmp(r->f[HD_GOLD], "1"))
		return -2;
	return r->f[HD_GOLD_FE] ? atoi(r->f[HD_GOLD_FE]) : -1;
}

/* a page into the store, in one transaction, up to the first row whose
 * solution it lacks: 1 when it took every row of a full page, 0, -1 */
static int page_store(struct db *db, const struct hub_deal_page *p, const char *hub_id,
		      int page, struct deal_counts *c)
{
	if (!p->n)
		return 0;
	if (db_begin(db) < 0)
		return -1;
	int64_t mark = -1;
	long rows = 0, policies = 0;
	size_t i;
	for (i = 0; i < p->n; i++) {
		const struct hub_deal_row *r = &p->rows[i];
		int rc;
		if (!strcmp(r->f[HD_KIND], "policy")) {
			char by[300];
			snprintf(by, sizeof(by), "%s at %s", r->f[HD_BY] ? r->f[HD_BY] : "?",
				 r->f[HD_AT] ? r->f[HD_AT] : "?");
			rc = r->f[HD_RULES] ? db_deal_policy_set(db, hub_id, r->f[HD_RULES], by) : 0;
			policies++;
		} else {
			rc = db_deal_put(db, r->f[HD_DATASET], r->f[HD_KEY], r->f[HD_ANNOTATOR],
					 strtoll(r->f[HD_ORD], NULL, 10), gold_of(r), r->f[HD_AT]);
			if (rc == 2) /* its solution comes with a later pull */
				break;
			rows += rc == 1;
		}
		if (rc < 0)
			goto fail;
		mark = r->seq;
	}
	if ((rows && db_generation_bump(db) < 0) ||
	    (mark >= 0 && db_hub_mark_set(db, MARK, hub_id, mark) < 0) || db_commit(db) < 0)
		goto fail;
	c->rows += rows;
	c->policies += policies;
	c->waiting += (long)(p->n - i);
	return i == p->n && p->n == (size_t)page;
fail:
	db_rollback(db);
	return -1;
}

int syncdeal_pull(struct db *db, struct hub *h, const char *hub_id, int page,
		  struct deal_counts *c)
{
	for (;;) {
		int64_t after = db_hub_mark(db, MARK, hub_id);
		if (after < 0)
			return -1;
		struct hub_deal_page p;
		if (hub_deal_pull(h, after, page, &p) < 0)
			return -2;
		int more = page_store(db, &p, hub_id, page, c);
		hub_deal_page_free(&p);
		if (more <= 0)
			return more;
	}
}

int syncdeal_send(struct db *db, struct hub *h, const char *hub_id, int page)
{
	int64_t after = db_hub_mark(db, MARK, hub_id);
	if (after < 0)
		return -1;
	return hub_send_deal_pull(h, after, page) < 0 ? -2 : 0;
}

int syncdeal_take(struct db *db, struct hub *h, const char *hub_id, int page,
		  struct deal_counts *c)
{
	struct hub_deal_page p;
	hub_take_deal_pull(h, &p);
	int more = page_store(db, &p, hub_id, page, c);
	hub_deal_page_free(&p);
	return more;
}

int syncdeal_policy(struct db *db, char **rules, char **by)
{
	char hub[80];
	*rules = NULL;
	if (by)
		*by = NULL;
	if (db_hub_bound(db, hub, sizeof(hub)) < 0)
		return -1;
	return *hub ? db_deal_policy(db, hub, rules, by) : 0;
}

/* one pile's rows onto the hub: 0, 1 (why), -1, -2 */
static int write_pile(struct db *db, struct hub *h, const struct deal_pile *p, const char *now,
		      char *why, size_t nwhy)
{
	char dataset[200], key[400], hash[33];
	for (size_t i = 0; i < p->n; i++) {
		int rc = db_deal_ident(db, p->sols[i], dataset, sizeof(dataset), key, sizeof(key));
		if (rc <= 0 || db_hub_solution_hash(db, dataset, key, hash) < 0)
			return -1;
		rc = hub_deal_add(h, dataset, key, hash, p->annotator, p->first_ord + (int64_t)i,
				  p->gold_fe[i], now);
		if (rc < 0)
			return -2;
		if (rc == 2) {
			snprintf(why, nwhy, "%s %s is not on the hub with this store's steps (a "
				 "lead's sync pushes it; one in conflict cannot be dealt)",
				 inert(dataset, 0), inert(key, 1));
			return 1;
		}
	}
	return 0;
}

int syncdeal_write(struct db *db, struct hub *h, const char *hub_id,
		   const struct deal_pile *p, size_t np, const char *now, char *why,
		   size_t nwhy)
{
	int64_t top, mark = db_hub_mark(db, MARK, hub_id);
	if (mark < 0)
		return -1;
	if (hub_deal_begin(h, &top) < 0)
		return -2;
	int rc = 0;
	if (top > mark) {
		snprintf(why, nwhy, "the hub's deal has rows this store has not pulled (another "
			 "lead dealt meanwhile, or their solutions are not here yet): stepmark sync, "
			 "then assign again");
		rc = 1;
	}
	for (size_t i = 0; rc == 0 && i < np; i++)
		rc = write_pile(db, h, &p[i], now, why, nwhy);
	if (rc != 0) {
		hub_rollback(h);
		return rc;
	}
	return hub_commit(h) < 0 ? -2 : 0;
}
