/* syncdeal.c - the deal (stepmark assign's) and the consensus policy
 * between a store and its hub: a lead's deal written on the hub in one
 * transaction under the hub's lock, never twice; the deal and the
 * policy pulled after the store's place, idempotently */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
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

/* name: a name a store keeps (src/name.h) */
static int name_ok(const char *name)
{
	char why[300];
	return name && name_check(name, strlen(name), "the annotator", why, sizeof(why)) == 0;
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
	long rows = 0, policies = 0, bad = 0;
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
		} else if (!name_ok(r->f[HD_ANNOTATOR])) {
			rc = 0; /* as import and merge take names: left out, said */
			bad++;
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
	c->bad += bad;
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

/* the store's deal read: each row, its annotator's index in names */
struct own_deal {
	char **names;
	size_t nnames, capnames;
	struct own_row {
		size_t who;
		int64_t sol, ord;
		int fe;
	} *rows;
	size_t n, cap;
};

static int own_row(void *ctx, const char *annotator, int64_t sol, int64_t ord, int gold_fe)
{
	struct own_deal *o = ctx;
	if (!o->nnames || strcmp(o->names[o->nnames - 1], annotator)) {
		if (o->nnames == o->capnames) {
			o->capnames = o->capnames ? 2 * o->capnames : 8;
			o->names = xrealloc(o->names, o->capnames * sizeof(*o->names));
		}
		o->names[o->nnames++] = xstrdup(annotator);
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 256;
		o->rows = xrealloc(o->rows, o->cap * sizeof(*o->rows));
	}
	o->rows[o->n++] = (struct own_row){o->nnames - 1, sol, ord, gold_fe};
	return 0;
}

/* the rows as piles: one per run of an annotator's consecutive places
 * (sols and fe: the rows' columns, in the same order) */
static size_t own_piles(const struct own_deal *o, int64_t *sols, int *fe,
			struct deal_pile *p)
{
	size_t np = 0;
	for (size_t i = 0; i < o->n; i++) {
		const struct own_row *r = &o->rows[i];
		sols[i] = r->sol;
		fe[i] = r->fe;
		if (i == 0 || r->who != o->rows[i - 1].who || r->ord != o->rows[i - 1].ord + 1)
			p[np++] = (struct deal_pile){o->names[r->who], &sols[i], &fe[i], 0, r->ord};
		p[np - 1].n++;
	}
	return np;
}

int syncdeal_push_own(struct db *db, struct hub *h, const char *hub_id, struct deal_counts *c)
{
	struct own_deal o = {0};
	int rc = db_deal_rows(db, own_row, &o) < 0 ? -1 : 0;
	int64_t top = 0;
	if (rc == 0 && o.n && hub_deal_top(h, &top) < 0)
		rc = -2;
	if (rc == 0 && o.n && top == 0) {
		int64_t *sols = xmalloc(o.n * sizeof(*sols));
		int *fe = xmalloc(o.n * sizeof(*fe));
		struct deal_pile *p = xmalloc(o.n * sizeof(*p));
		size_t np = own_piles(&o, sols, fe, p);
		char now[32];
		now_iso(now);
		/* under the hub's deal lock, refused whole if another lead dealt since */
		rc = syncdeal_write(db, h, hub_id, p, np, now, c->why, sizeof(c->why));
		if (rc == 0)
			c->pushed += (long)o.n;
		if (rc == 1)
			rc = 0; /* said in c->why; the store keeps its deal */
		free(sols);
		free(fe);
		free(p);
	}
	for (size_t i = 0; i < o.nnames; i++)
		free(o.names[i]);
	free(o.names);
	free(o.rows);
	return rc;
}
