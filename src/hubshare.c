/* hubshare.c - what a sync moves besides labels and suggestions: the
 * workbench's actions with their active time (a member's own pushed, a
 * lead's every one; every member's pulled), alignment links (a lead's or
 * worker's pushed, every member's pulled,
 * idempotent by their global id and the store's place) and the response
 * cache (a lead's or worker's pushed; pulled only by fetch --hub, for
 * the requests it is about to send) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hubshare.h"
#include "sync.h"
#include "util.h"

#define CHUNK 1000 /* rows pushed per hub transaction */
#define ACT_BATCH 500 /* actions pushed per statement */

struct sharepush {
	struct hub *h;
	long in_tx, added, kept, cnt_added, cnt_kept;
	int64_t last, committed; /* the cache's rows pushed, and committed */
	int err;
};

/* the open hub transaction committed: what it held is the hub's */
static int chunk_commit(struct sharepush *p)
{
	if (hub_commit(p->h) < 0 || hub_begin(p->h) < 0)
		return p->err = -2;
	p->committed = p->last;
	p->cnt_added += p->added;
	p->cnt_kept += p->kept;
	p->in_tx = p->added = p->kept = 0;
	return 0;
}

static int push_align(void *ctx, const struct hub_align *a)
{
	struct sharepush *p = ctx;
	int rc = hub_align_push(p->h, a);
	if (rc < 0)
		return p->err = -2;
	p->added += rc == 1;
	p->kept += rc == 2;
	return ++p->in_tx >= CHUNK ? chunk_commit(p) : 0;
}

static int push_cached(void *ctx, int64_t row, const char *hash, const char *body, size_t n,
		       const char *at)
{
	struct sharepush *p = ctx;
	int rc = hub_cache_put(p->h, hash, body, n, at);
	if (rc < 0)
		return p->err = -2;
	p->added += rc == 1;
	p->kept += rc == 2;
	p->last = row;
	return ++p->in_tx >= CHUNK ? chunk_commit(p) : 0;
}

/* the last transaction of a push: 0 committed, else the push's error */
static int push_end(struct sharepush *p, int rc)
{
	if (rc == 0 && hub_commit(p->h) == 0) {
		p->committed = p->last;
		p->cnt_added += p->added;
		p->cnt_kept += p->kept;
		return 0;
	}
	hub_rollback(p->h);
	return p->err ? p->err : rc == 0 ? -2 : rc;
}

/* a time a minute before now, as the store writes them */
static void minute_ago(char out[32])
{
	time_t t = time(NULL) - 60;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".000Z");
}

/* the links made since the last push: a set made anew gets new rows
 * (a time mark, not a row mark: a set replaced reuses its rows) */
static int push_aligns(struct db *db, struct hub *h, const struct hub_me *me,
		       struct sync_counts *c)
{
	char since[64], next[32];
	minute_ago(next);
	if (db_hub_time_mark(db, "aligned", me->id, since, sizeof(since)) < 0)
		return -1;
	struct sharepush p = {.h = h};
	if (hub_begin(h) < 0)
		return -2;
	int rc = push_end(&p, db_hub_aligns(db, since, push_align, &p));
	c->aligns_pushed += p.cnt_added;
	if (rc != 0)
		return rc;
	if (db_begin(db) < 0 || db_hub_time_mark_set(db, "aligned", me->id, next) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* the cached responses after the store's mark; the mark moves to what
 * the hub committed */
static int push_cache(struct db *db, struct hub *h, const struct hub_me *me,
		      struct sync_counts *c)
{
	int64_t mark = db_hub_mark(db, "cache", me->id);
	if (mark < 0)
		return -1;
	struct sharepush p = {.h = h, .last = mark, .committed = mark};
	if (hub_begin(h) < 0)
		return -2;
	int rc = push_end(&p, db_hub_cache_rows(db, mark, push_cached, &p));
	c->cache_pushed += p.cnt_added;
	c->cache_kept_out += p.cnt_kept;
	if (p.committed > mark &&
	    (db_begin(db) < 0 || db_hub_mark_set(db, "cache", me->id, p.committed) < 0 ||
	     db_commit(db) < 0)) {
		db_rollback(db);
		return -1;
	}
	return rc;
}

/* a page of links into the store with its place, in one transaction:
 * 0, -1 */
static int aligns_page_store(struct db *db, const struct hub_me *me,
			     const struct hub_align_page *pg, long *added)
{
	long n = 0;
	int ok = db_begin(db) == 0;
	for (size_t i = 0; ok && i < pg->n; i++) {
		int rc = db_hub_align_put(db, &pg->v[i]);
		ok = rc >= 0;
		n += rc == 1;
	}
	ok = ok && db_hub_mark_set(db, "aligns", me->id, pg->hi) == 0 && db_commit(db) == 0;
	if (!ok) {
		db_rollback(db);
		return -1;
	}
	*added += n;
	return 0;
}

/* the links after the store's place, a page per transaction */
static int pull_aligns(struct db *db, struct hub *h, const struct hub_me *me, int page,
		       struct sync_counts *c)
{
	int64_t after = db_hub_mark(db, "aligns", me->id);
	if (after < 0)
		return -1;
	for (;;) {
		struct hub_align_page pg;
		if (hub_align_pull(h, after, page, &pg) < 0)
			return -2;
		int rc = pg.n ? aligns_page_store(db, me, &pg, &c->aligns_pulled) : 0;
		size_t n = pg.n;
		after = pg.hi;
		hub_align_page_free(&pg);
		if (rc < 0 || n == 0)
			return rc;
	}
}

/* ---- the workbench's actions (with their active time) ---- */

/* whose actions this member pushes (NULL: every one's, a lead's) and the
 * store's mark of them ("acts" a lead's, "acts/NAME" a member's: a store
 * shared by several members keeps each one's): 1, 0 it pushes none */
static int act_pusher(const struct hub_me *me, const char **who, char *mark, size_t n)
{
	*who = NULL;
	if (me->role == HUB_LEAD) {
		snprintf(mark, n, "acts");
		return 1;
	}
	if (me->role != HUB_ANNOTATOR && me->role != HUB_ADJUDICATOR)
		return 0;
	*who = me->user;
	snprintf(mark, n, "acts/%s", me->user);
	return 1;
}

/* A batch of the store's actions as they travel (their strings in a),
 * last the store's id of the last; json the statement's scratch. */
struct act_batch {
	struct arena a;
	struct hub_act *v;
	size_t n, cap;
	int64_t last;
	struct buf json;
};

/* a batch of the store's actions, copied (a row lives in its callback) */
static int act_copy(void *ctx, int64_t id, const struct hub_act *x)
{
	struct act_batch *b = ctx;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	struct hub_act *a = &b->v[b->n++];
	memset(a, 0, sizeof(*a));
	for (int c = 0; c < HX_N; c++)
		a->f[c] = x->f[c] ? arena_strndup(&b->a, x->f[c], strlen(x->f[c])) : NULL;
	b->last = id;
	return 0;
}

static int acts_sent(struct db *db, const struct hub_me *me, const struct act_batch *b);

/* the next batch after the member's mark read into b (b->n 0: none): 0, -1 */
static int acts_read(struct db *db, const struct hub_me *me, struct act_batch *b)
{
	const char *who;
	char mark[200];
	arena_reset(&b->a);
	b->n = 0;
	if (!act_pusher(me, &who, mark, sizeof(mark)))
		return 0;
	int64_t after = db_hub_mark(db, mark, me->id), top = db_hub_act_top(db);
	if (after < 0 || top < 0)
		return -1;
	b->last = after;
	if (db_hub_acts(db, after, who, ACT_BATCH, act_copy, b) < 0)
		return -1;
	/* a batch not full holds every action of the member up to top: the
	 * mark may pass the others' (pulled ones, another member's), so that
	 * the next read does not walk them again */
	if (b->n < ACT_BATCH && top > b->last)
		b->last = top;
	return b->n == 0 && b->last > after ? acts_sent(db, me, b) : 0;
}

/* the batch the hub took: the member's mark past it. 0, -1 */
static int acts_sent(struct db *db, const struct hub_me *me, const struct act_batch *b)
{
	const char *who;
	char mark[200];
	act_pusher(me, &who, mark, sizeof(mark));
	if (db_begin(db) < 0 || db_hub_mark_set(db, mark, me->id, b->last) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static void acts_free(struct act_batch *b)
{
	arena_free(&b->a);
	free(b->v);
	buf_free(&b->json);
	memset(b, 0, sizeof(*b));
}

/* a page of actions into the store with its place, in one transaction;
 * the member's mark moves past them when it was at the store's last
 * action (they are the hub's already). Those it does not take (on a
 * solution it lacks, a column it would not hold) are counted in *bad.
 * 0, -1 */
static int acts_page_store(struct db *db, const struct hub_me *me,
			   const struct hub_act_page *p, long *added, long *bad)
{
	const char *who;
	char mark[200];
	int pushes = act_pusher(me, &who, mark, sizeof(mark));
	if (db_begin(db) < 0)
		return -1;
	int64_t pm = pushes ? db_hub_mark(db, mark, me->id) : 0, top = db_hub_act_top(db);
	long n = 0, left = 0;
	int ok = pm >= 0 && top >= 0;
	for (size_t i = 0; ok && i < p->n; i++) {
		int rc = db_hub_act_put(db, &p->v[i]);
		ok = rc >= 0;
		n += rc == 1;
		left += rc == 2 || rc == 3;
	}
	int64_t now = ok && pushes && pm == top ? db_hub_act_top(db) : top;
	ok = ok && now >= 0 && (now == top || db_hub_mark_set(db, mark, me->id, now) == 0) &&
	     db_hub_mark_set(db, "actsin", me->id, p->hi) == 0 && db_commit(db) == 0;
	if (!ok) {
		db_rollback(db);
		return -1;
	}
	*added += n;
	*bad += left;
	return 0;
}

/* the member's actions after its mark, a batch per statement */
static int push_acts(struct db *db, struct hub *h, const struct hub_me *me,
		     struct sync_counts *c)
{
	struct act_batch b = {0};
	int rc = 0;
	for (;;) {
		if (acts_read(db, me, &b) < 0) {
			rc = -1;
			break;
		}
		if (b.n == 0)
			break;
		long added, missing;
		if (hub_act_push(h, &b.json, b.v, b.n, &added, &missing) < 0) {
			rc = -2;
			break;
		}
		c->acts_pushed += added;
		c->acts_kept += missing;
		if (acts_sent(db, me, &b) < 0) {
			rc = -1;
			break;
		}
		if (b.n < ACT_BATCH)
			break;
	}
	acts_free(&b);
	return rc;
}

/* the actions after the store's place, a page per transaction */
static int pull_acts(struct db *db, struct hub *h, const struct hub_me *me, int page,
		     struct sync_counts *c)
{
	for (;;) {
		int64_t after = db_hub_mark(db, "actsin", me->id);
		if (after < 0)
			return -1;
		struct hub_act_page p;
		if (hub_act_pull(h, after, page, &p) < 0)
			return -2;
		int rc = p.n ? acts_page_store(db, me, &p, &c->acts_pulled, &c->acts_bad) : 0;
		size_t n = p.n;
		hub_act_page_free(&p);
		if (rc < 0)
			return -1;
		if (n < (size_t)page)
			return 0;
	}
}

int hubshare_sync(struct db *db, struct hub *h, const struct hub_me *me, int page,
		  struct sync_counts *c)
{
	int rc = push_acts(db, h, me, c);
	if (rc == 0)
		rc = pull_acts(db, h, me, page, c);
	if (rc == 0 && (me->role == HUB_LEAD || me->role == HUB_WORKER)) {
		rc = push_aligns(db, h, me, c);
		if (rc == 0)
			rc = push_cache(db, h, me, c);
	}
	return rc == 0 ? pull_aligns(db, h, me, page, c) : rc;
}

/* ---- the same in the workbench's background, a statement at a time ---- */

#define ALN_BATCH 500 /* links pushed per statement */

enum bg_stage { BG_ACT_PUSH, BG_ACT_PULL, BG_ALN_PUSH, BG_ALN_PULL, BG_DONE };

struct hubshare_bg {
	enum bg_stage stage;
	struct act_batch acts; /* the actions in flight */
	int64_t after;         /* a pull's place, as sent */
	/* the links to push this round, copied at their stage's start */
	struct arena la;
	struct hub_align *links;
	size_t nlinks, caplinks, at, sending;
	int links_read;
	char next[32];         /* their time mark once every one is pushed */
	struct buf json;
};

struct hubshare_bg *hubshare_bg_new(void)
{
	return xcalloc(1, sizeof(struct hubshare_bg));
}

void hubshare_bg_free(struct hubshare_bg *g)
{
	if (!g)
		return;
	acts_free(&g->acts);
	arena_free(&g->la);
	free(g->links);
	buf_free(&g->json);
	free(g);
}

void hubshare_bg_begin(struct hubshare_bg *g)
{
	g->stage = BG_ACT_PUSH;
	arena_reset(&g->la);
	g->nlinks = g->at = g->sending = 0;
	g->links_read = 0;
}

static int link_copy(void *ctx, const struct hub_align *x)
{
	struct hubshare_bg *g = ctx;
	if (g->nlinks == g->caplinks) {
		g->caplinks = g->caplinks ? 2 * g->caplinks : 64;
		g->links = xrealloc(g->links, g->caplinks * sizeof(*g->links));
	}
	struct hub_align *a = &g->links[g->nlinks++];
	memset(a, 0, sizeof(*a));
	for (int c = 0; c < HA_N; c++)
		a->f[c] = x->f[c] ? arena_strndup(&g->la, x->f[c], strlen(x->f[c])) : NULL;
	return 0;
}

/* the links stage's next statement sent (as hubshare_bg_send), or 0 when
 * every link went (the time mark moved) */
static int bg_links_send(struct hubshare_bg *g, struct db *db, struct hub *h,
			 const struct hub_me *me)
{
	if (!g->links_read) {
		char since[64];
		minute_ago(g->next);
		if (db_hub_time_mark(db, "aligned", me->id, since, sizeof(since)) < 0 ||
		    db_hub_aligns(db, since, link_copy, g) < 0)
			return -1;
		g->links_read = 1;
	}
	if (g->at < g->nlinks) {
		g->sending = g->nlinks - g->at < ALN_BATCH ? g->nlinks - g->at : ALN_BATCH;
		return hub_send_align_push(h, &g->json, g->links + g->at, g->sending) < 0 ? -2 : 1;
	}
	if (db_begin(db) < 0 || db_hub_time_mark_set(db, "aligned", me->id, g->next) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int hubshare_bg_send(struct hubshare_bg *g, struct db *db, struct hub *h,
		     const struct hub_me *me, int page)
{
	for (;;) {
		int rc = 0;
		switch (g->stage) {
		case BG_ACT_PUSH:
			if (acts_read(db, me, &g->acts) < 0)
				return -1;
			if (g->acts.n)
				return hub_send_act_push(h, &g->acts.json, g->acts.v, g->acts.n) < 0 ? -2 : 1;
			break;
		case BG_ACT_PULL:
		case BG_ALN_PULL:
			g->after = db_hub_mark(db, g->stage == BG_ACT_PULL ? "actsin" : "aligns", me->id);
			if (g->after < 0)
				return -1;
			rc = g->stage == BG_ACT_PULL ? hub_send_act_pull(h, g->after, page)
				: hub_send_align_pull(h, g->after, page);
			return rc < 0 ? -2 : 1;
		case BG_ALN_PUSH:
			if (me->role == HUB_LEAD || me->role == HUB_WORKER)
				rc = bg_links_send(g, db, h, me);
			if (rc != 0)
				return rc;
			break;
		case BG_DONE:
			return 0;
		}
		g->stage++; /* nothing (more) to send in this stage */
	}
}

int hubshare_bg_take(struct hubshare_bg *g, struct db *db, struct hub *h,
		     const struct hub_me *me, int page)
{
	long added = 0, missing = 0, left = 0; /* (the workbench counts none of them) */
	int rc = 0, more = 0; /* more: the stage has more to send */
	switch (g->stage) {
	case BG_ACT_PUSH:
		rc = hub_take_act_push(h, &added, &missing) < 0 ? -1 : acts_sent(db, me, &g->acts);
		more = g->acts.n == ACT_BATCH;
		break;
	case BG_ACT_PULL: {
		struct hub_act_page p;
		hub_take_act_pull(h, g->after, &p);
		rc = p.n ? acts_page_store(db, me, &p, &added, &left) : 0;
		more = p.n == (size_t)page;
		hub_act_page_free(&p);
		break;
	}
	case BG_ALN_PUSH:
		(void)hub_take_align_push(h, &added, &missing);
		g->at += g->sending;
		more = 1; /* its stage ends when every link went (bg_links_send) */
		break;
	case BG_ALN_PULL: {
		struct hub_align_page p;
		hub_take_align_pull(h, g->after, &p);
		rc = p.n ? aligns_page_store(db, me, &p, &added) : 0;
		more = p.n == (size_t)page;
		hub_align_page_free(&p);
		break;
	}
	case BG_DONE:
		break;
	}
	if (rc == 0 && !more && g->stage != BG_DONE)
		g->stage++;
	return rc;
}
