/* hubshare.c - what a sync moves besides labels and suggestions:
 * alignment links (a lead's or worker's pushed, every member's pulled,
 * idempotent by their global id and the store's place) and the response
 * cache (a lead's or worker's pushed; pulled only by fetch --hub, for
 * the requests it is about to send) */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hubshare.h"
#include "sync.h"

#define CHUNK 1000 /* rows pushed per hub transaction */

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
		if (pg.n == 0) {
			hub_align_page_free(&pg);
			return 0;
		}
		long added = 0;
		int ok = db_begin(db) == 0;
		for (size_t i = 0; ok && i < pg.n; i++) {
			int rc = db_hub_align_put(db, &pg.v[i]);
			ok = rc >= 0;
			added += rc == 1;
		}
		ok = ok && db_hub_mark_set(db, "aligns", me->id, pg.hi) == 0 && db_commit(db) == 0;
		after = pg.hi;
		hub_align_page_free(&pg);
		if (!ok) {
			db_rollback(db);
			return -1;
		}
		c->aligns_pulled += added;
	}
}

int hubshare_sync(struct db *db, struct hub *h, const struct hub_me *me, int page,
		  struct sync_counts *c)
{
	int rc = 0;
	if (me->role == HUB_LEAD || me->role == HUB_WORKER) {
		rc = push_aligns(db, h, me, c);
		if (rc == 0)
			rc = push_cache(db, h, me, c);
	}
	return rc == 0 ? pull_aligns(db, h, me, page, c) : rc;
}
