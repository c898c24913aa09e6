/* sync.c - a store synced with its hub: solutions, labels and
 * suggestions the hub lacks pushed (idempotent: each label's and
 * suggestion's global id), then everything after the store's place on
 * the hub pulled, a page per transaction */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubshare.h"
#include "summary.h"
#include "sync.h"
#include "util.h"

#define CHUNK 1000 /* rows pushed per hub transaction */
#define BATCH 128  /* labels sent at once (one round trip; their results,
		    * ~150 bytes each, wait in the sockets' buffers) */

/* a label the hub has: its global id and place, to record in the store */
struct placed {
	char uid[40];
	int64_t seq;
};

/* labels waiting to be sent: the store's row lives only during its
 * callback, so their strings are copied into buf, each field an offset
 * (NOSTR: SQL NULL), the solution's steps hash the last */
#define NOSTR ((size_t)-1)
struct label_batch {
	char *buf;
	size_t len, cap;
	size_t off[BATCH][HL_N + 1];
	size_t n;
};

struct push {
	struct db *db;
	struct hub *h;
	const struct sync_hooks *hk;
	struct sync_counts *c;
	enum hub_role role;
	int64_t last_sol, committed_sol; /* solutions pushed, and committed */
	struct placed *pl;
	size_t npl, cappl, committed_pl;
	long in_tx;
	long sols, labels; /* new on the hub in the open transaction */
	struct {
		char dataset[200], key[400], hash[33];
	} last; /* the solution of the last label pushed */
	struct label_batch b; /* labels not sent yet */
	int err; /* -2: the hub failed */
};

/* the open hub transaction committed: what it held is the hub's */
static int chunk_commit(struct push *p)
{
	if (hub_commit(p->h) < 0 || hub_begin(p->h) < 0)
		return p->err = -2;
	p->committed_sol = p->last_sol;
	p->committed_pl = p->npl;
	p->c->sols_pushed += p->sols;
	p->c->labels_pushed += p->labels;
	p->in_tx = p->sols = p->labels = 0;
	return 0;
}

static int push_sol(void *ctx, int64_t id, const struct hub_sol *s)
{
	struct push *p = ctx;
	int rc = hub_push_solution(p->h, s);
	if (rc < 0)
		return p->err = -2;
	p->sols += rc == 1;
	if (rc == 2) {
		p->c->conflicts++;
		if (p->hk && p->hk->conflict)
			p->hk->conflict(p->hk->ctx, s->f[HS_DATASET], s->f[HS_KEY], 0);
	}
	p->last_sol = id;
	return ++p->in_tx >= CHUNK ? chunk_commit(p) : 0;
}

static size_t batch_str(struct label_batch *b, const char *v)
{
	if (!v)
		return NOSTR;
	size_t n = strlen(v) + 1, at = b->len;
	if (b->len + n > b->cap) {
		while (b->len + n > b->cap)
			b->cap = b->cap ? 2 * b->cap : 16384;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + at, v, n);
	b->len += n;
	return at;
}

static const char *batch_at(const struct label_batch *b, size_t i, int j)
{
	return b->off[i][j] == NOSTR ? NULL : b->buf + b->off[i][j];
}

/* the batch sent, then what each label met, in order, as one at a time:
 * counted, its place kept, the chunk committed at CHUNK (the batch ends
 * there: push_label sends it when it could fill the chunk) */
static int batch_send(struct push *p)
{
	struct label_batch *b = &p->b;
	struct hub_label l[BATCH] = {0};
	int rc[BATCH];
	int64_t seq[BATCH];
	for (size_t i = 0; i < b->n; i++) {
		for (int j = 0; j < HL_N; j++)
			l[i].f[j] = batch_at(b, i, j);
		l[i].sol_hash = batch_at(b, i, HL_N);
	}
	size_t n = b->n;
	int failed = hub_push_labels(p->h, l, n, rc, seq) < 0;
	int ret = 0;
	for (size_t i = 0; i < n && rc[i] >= 0 && !ret; i++) {
		if (rc[i] == 2 || rc[i] == 3) {
			*(rc[i] == 2 ? &p->c->not_on_hub : &p->c->conflict_labels) += 1;
			continue;
		}
		p->labels += rc[i] == 1;
		if (p->npl == p->cappl) {
			p->cappl = p->cappl ? 2 * p->cappl : 256;
			p->pl = xrealloc(p->pl, p->cappl * sizeof(*p->pl));
		}
		snprintf(p->pl[p->npl].uid, sizeof(p->pl[p->npl].uid), "%s", batch_at(b, i, HL_UID));
		p->pl[p->npl++].seq = seq[i];
		ret = ++p->in_tx >= CHUNK ? chunk_commit(p) : 0;
	}
	b->n = b->len = 0;
	return failed ? (p->err = -2) : ret;
}

static int push_label(void *ctx, const struct hub_label *lb)
{
	struct push *p = ctx;
	/* an annotator's adjudication: the hub would refuse it, and the push */
	if (p->role == HUB_ANNOTATOR && !strcmp(lb->f[HL_KIND], "adjudication"))
		return 0;
	/* the store's steps of its solution: the hub takes it only onto the same */
	if (strcmp(p->last.dataset, lb->f[HL_DATASET]) || strcmp(p->last.key, lb->f[HL_KEY])) {
		if (db_hub_solution_hash(p->db, lb->f[HL_DATASET], lb->f[HL_KEY], p->last.hash) < 0)
			return -1;
		snprintf(p->last.dataset, sizeof(p->last.dataset), "%s", lb->f[HL_DATASET]);
		snprintf(p->last.key, sizeof(p->last.key), "%s", lb->f[HL_KEY]);
	}
	struct label_batch *b = &p->b;
	for (int j = 0; j < HL_N; j++)
		b->off[b->n][j] = batch_str(b, lb->f[j]);
	b->off[b->n][HL_N] = batch_str(b, p->last.hash);
	b->n++;
	/* sent when full, or when its labels could end the chunk */
	if (b->n == BATCH || p->in_tx + (long)b->n >= CHUNK)
		return batch_send(p);
	return 0;
}

/* what the hub committed, recorded in the store: the solutions' mark,
 * the labels' places */
static int record(struct push *p, const char *hub_id, int64_t sol_mark)
{
	if (db_begin(p->db) < 0)
		return -1;
	if (p->committed_sol > sol_mark &&
	    db_hub_mark_set(p->db, "pushed", hub_id, p->committed_sol) < 0)
		goto fail;
	for (size_t i = 0; i < p->committed_pl; i++)
		if (db_hub_label_placed(p->db, p->pl[i].uid, p->pl[i].seq) < 0)
			goto fail;
	return db_commit(p->db);
fail:
	db_rollback(p->db);
	return -1;
}

/* suggestions pushed, a transaction per chunk */
struct sugpush {
	struct hub *h;
	struct sync_counts *c;
	long in_tx, added;
	int64_t last, committed; /* the store's ids pushed, and committed */
	int err;
};

static int push_sug(void *ctx, int64_t id, const struct hub_sug *g)
{
	struct sugpush *p = ctx;
	int rc = hub_push_sug(p->h, g, 0);
	if (rc < 0)
		return p->err = -2;
	p->added += rc == 1;
	p->c->sugs_kept += rc == 2;
	p->last = id;
	if (++p->in_tx < CHUNK)
		return 0;
	if (hub_commit(p->h) < 0 || hub_begin(p->h) < 0)
		return p->err = -2;
	p->committed = p->last;
	p->c->sugs_pushed += p->added;
	p->in_tx = p->added = 0;
	return 0;
}

/* A lead's or worker's suggestions after the store's mark; the mark
 * moves to what the hub committed. */
static int push_sugs(struct db *db, struct hub *h, const struct hub_me *me,
		     struct sync_counts *c)
{
	if (me->role != HUB_LEAD && me->role != HUB_WORKER)
		return 0;
	struct sugpush p = {.h = h, .c = c};
	int64_t mark = db_hub_mark(db, "sugs", me->id);
	if (mark < 0 || hub_begin(h) < 0)
		return mark < 0 ? -1 : -2;
	p.last = p.committed = mark;
	int rc = db_hub_sugs(db, mark, 0, push_sug, &p);
	if (rc == 0 && hub_commit(h) == 0) {
		p.committed = p.last;
		c->sugs_pushed += p.added;
	} else {
		hub_rollback(h);
		if (rc == 0)
			rc = -2;
	}
	if (p.err)
		rc = p.err;
	if (p.committed > mark &&
	    (db_begin(db) < 0 || db_hub_mark_set(db, "sugs", me->id, p.committed) < 0 ||
	     db_commit(db) < 0)) {
		db_rollback(db);
		return -1;
	}
	return rc < 0 ? rc : 0;
}

/* The push: solutions (a lead's), then labels, in chunks; what the hub
 * committed is recorded in the store even when a later chunk fails. */
static int push(struct db *db, struct hub *h, const struct hub_me *me,
		const struct sync_hooks *hk, struct sync_counts *c)
{
	if (me->role == HUB_AUDITOR || me->role == HUB_NONE || me->role == HUB_WORKER)
		return 0;
	struct push p = {.db = db, .h = h, .hk = hk, .c = c, .role = me->role};
	int64_t sol_mark = db_hub_mark(db, "pushed", me->id);
	if (sol_mark < 0 || hub_begin(h) < 0)
		return sol_mark < 0 ? -1 : -2;
	p.last_sol = p.committed_sol = sol_mark;
	int rc = 0;
	if (me->role == HUB_LEAD)
		rc = db_hub_solutions(db, sol_mark, push_sol, &p);
	if (rc == 0)
		rc = db_hub_unpushed(db, me->role == HUB_LEAD ? NULL : me->user, push_label, &p);
	if (p.b.n && !p.err) { /* the last batch (sent after a store error as well:
				* one at a time, they were before it) */
		int sent = batch_send(&p);
		if (rc == 0)
			rc = sent;
	}
	if (rc == 0 && hub_commit(h) == 0) {
		p.committed_sol = p.last_sol;
		p.committed_pl = p.npl;
		c->sols_pushed += p.sols;
		c->labels_pushed += p.labels;
	} else {
		hub_rollback(h);
		if (rc == 0)
			rc = -2;
	}
	if (p.err)
		rc = p.err;
	int rec = record(&p, me->id, sol_mark);
	free(p.pl);
	free(p.b.buf);
	if (rec < 0)
		return -1;
	return rc < 0 ? rc : 0;
}


/* A page's labels' solutions, each looked up in the store once: by data
 * set and id (the page's own strings), whether here and with the steps
 * the hub's have. Open addressing; lives as long as the page's
 * transaction (a solution written in it is there, or rolled back with it). */
struct page_sol {
	const char *dataset, *key; /* NULL: a free slot */
	struct db_hub_here here;
	int same; /* not here, or here with the hub's steps */
	int disorder; /* its labels out of order until the page's end */
};
struct page_sols {
	struct page_sol *slot;
	size_t mask;
};

static void page_sols_init(struct page_sols *ps, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	ps->slot = xcalloc(cap, sizeof(*ps->slot));
	ps->mask = cap - 1;
}

static size_t name_hash(const char *a, const char *b)
{
	size_t h = 1469598103934665603u;
	for (const char *p = a; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (const char *p = b; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

/* The solutions found here, from page to page (their strings copies),
 * and the summaries' cache */
#define KEEP_MAX 4096 /* solutions found kept at most: then forgotten */
struct sync_keep {
	struct page_sols found;
	struct arena a;
	size_t n;
	struct summary_cache *sums;
};

struct sync_keep *sync_keep_new(void)
{
	struct sync_keep *k = xcalloc(1, sizeof(*k));
	k->sums = summary_cache_new();
	return k;
}

static void keep_clear(struct sync_keep *k)
{
	if (!k)
		return;
	free(k->found.slot);
	k->found.slot = NULL;
	k->n = 0;
	arena_reset(&k->a);
	summary_cache_clear(k->sums);
}

void sync_keep_free(struct sync_keep *k)
{
	if (!k)
		return;
	keep_clear(k);
	arena_free(&k->a);
	summary_cache_free(k->sums);
	free(k);
}

/* the slot of d/k in ps: its own, or the free one it would take */
static struct page_sol *sols_slot(struct page_sols *ps, const char *d, const char *k)
{
	size_t i = name_hash(d, k) & ps->mask;
	while (ps->slot[i].dataset && (strcmp(ps->slot[i].dataset, d) || strcmp(ps->slot[i].key, k)))
		i = (i + 1) & ps->mask;
	return &ps->slot[i];
}

/* the solution d/k as db_hub_solution_here finds it: kept from an earlier
 * page, else looked up (and kept when here) */
static int solution_here(struct db *db, struct sync_keep *kp, const char *d, const char *k,
			 struct db_hub_here *h)
{
	if (!kp)
		return db_hub_solution_here(db, d, k, h);
	if (!kp->found.slot || kp->n >= KEEP_MAX) {
		keep_clear(kp);
		page_sols_init(&kp->found, KEEP_MAX);
	}
	struct page_sol *e = sols_slot(&kp->found, d, k);
	if (e->dataset) {
		*h = e->here;
		return 1;
	}
	int rc = db_hub_solution_here(db, d, k, h);
	if (rc == 1) {
		e->dataset = arena_strndup(&kp->a, d, strlen(d));
		e->key = arena_strndup(&kp->a, k, strlen(k));
		e->here = *h;
		kp->n++;
	}
	return rc;
}

/* whether l's solution here has the steps the hub's has (seen: the last
 * one asked, kept for a workbench's pages); NULL on a store error */
static struct page_sol *page_sol_of(struct db *db, struct page_sols *ps,
					  const struct hub_label *l, struct sync_seen *seen,
					  struct sync_keep *kp)
{
	const char *d = l->f[HL_DATASET] ? l->f[HL_DATASET] : "";
	const char *k = l->f[HL_KEY] ? l->f[HL_KEY] : "";
	struct page_sol *e = sols_slot(ps, d, k);
	if (e->dataset)
		return e;
	if (solution_here(db, kp, d, k, &e->here) < 0)
		return NULL;
	e->dataset = d;
	e->key = k;
	e->same = !e->here.found || (l->sol_hash && !strcmp(e->here.hash, l->sol_hash));
	snprintf(seen->dataset, sizeof(seen->dataset), "%s", d);
	snprintf(seen->key, sizeof(seen->key), "%s", k);
	seen->same = e->same;
	return e;
}

void sync_seen_init(struct sync_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->dataset[0] = '\x01'; /* matches no data set */
	s->same = 1;
}

void sync_seen_free(struct sync_seen *s)
{
	for (size_t i = 0; i < s->nsaid; i++)
		free(s->said[i]);
	free(s->said);
	sync_seen_init(s);
}

int sync_seen_start(struct db *db, const char *hub_id, struct sync_seen *s)
{
	sync_seen_free(s);
	long left = db_hub_unpushed_count(db);
	s->mark = db_hub_mark(db, "pulled", hub_id);
	s->top = db_hub_label_top(db);
	s->mine = left > 0;
	return left < 0 || s->mark < 0 || s->top < 0 ? -1 : 0;
}

/* Whether l (pulled) meets a label its annotator made on its solution
 * here (sol) since the store last synced: 1, 0, -1. Asked before l is
 * added (which may move those after it). */
static int offline_met(struct db *db, const struct hub_label *l, const struct sync_seen *s,
		       int64_t sol)
{
	if (!s->mine || !l->f[HL_ANNOTATOR] || sol <= 0)
		return 0;
	return db_hub_offline(db, sol, l->f[HL_ANNOTATOR], s->mark, s->top);
}

/* l added, and it met a label made here offline: a conflict, said once
 * per solution and annotator in a sync. 0, -1. */
static int offline(struct db *db, int64_t sol, const struct hub_label *l,
		   const struct sync_hooks *hk, struct sync_counts *c, struct sync_seen *s)
{
	struct buf b = {0};
	buf_printf(&b, "%lld\x1f%s", (long long)sol, l->f[HL_ANNOTATOR]);
	for (size_t i = 0; i < s->nsaid; i++)
		if (!strcmp(s->said[i], b.data)) {
			buf_free(&b);
			return 0;
		}
	if (s->nsaid == s->capsaid) {
		s->capsaid = s->capsaid ? 2 * s->capsaid : 16;
		s->said = xrealloc(s->said, s->capsaid * sizeof(*s->said));
	}
	s->said[s->nsaid++] = b.data;
	c->offline++;
	char at[40];
	if (db_hub_latest_at(db, sol, l->f[HL_ANNOTATOR], at, sizeof(at)) < 0)
		return -1;
	if (hk && hk->offline)
		hk->offline(hk->ctx, l->f[HL_ANNOTATOR], l->f[HL_DATASET], l->f[HL_KEY], at);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* a page's suggestions into the store; the solutions given one are added
 * to touched. The store's mark of suggestions pushed moves past them when
 * it was at the store's last one (they are the hub's already). */
static int pulled_sugs(struct db *db, const struct hub_page *pg, const char *hub_id,
		       struct sync_counts *c, int64_t *touched, size_t *nt)
{
	if (!pg->nsugs)
		return 0;
	int64_t mark = db_hub_mark(db, "sugs", hub_id), top = db_hub_sug_top(db);
	if (mark < 0 || top < 0)
		return -1;
	struct db_hub_sug_uids u = {0}; /* a solution's suggestions read once */
	for (size_t i = 0; i < pg->nsugs; i++) {
		int64_t sol;
		int rc = db_hub_sug_put_on(db, &pg->sugs[i], &sol, &u);
		if (rc < 0) {
			db_hub_sug_uids_free(&u);
			return -1;
		}
		c->sugs_pulled += rc == 1;
		if (rc == 1 && (*nt == 0 || touched[*nt - 1] != sol))
			touched[(*nt)++] = sol;
	}
	db_hub_sug_uids_free(&u);
	if (mark == top && (top = db_hub_sug_top(db)) > mark &&
	    db_hub_mark_set(db, "sugs", hub_id, top) < 0)
		return -1;
	return 0;
}

int sync_page_store(struct db *db, const struct hub_page *pg, const char *hub_id,
		    const struct sync_hooks *hk, struct sync_counts *c, struct sync_seen *seen,
		    struct sync_keep *keep)
{
	if (db_begin(db) < 0) /* the store busy: nothing taken, the page comes again */
		return -1;
	int64_t *touched = xmalloc((pg->nlabels + pg->nsugs + 1) * sizeof(*touched));
	/* the solutions a label left out of order: put in order once, at the
	 * page's end (a burst of older labels moves the newer ones once) */
	int64_t *order = xmalloc((pg->nlabels + 1) * sizeof(*order));
	size_t nt = 0, no = 0;
	struct page_sols ps = {0};
	for (size_t i = 0; i < pg->nsols; i++) {
		struct hub_sol *s = &pg->sols[i];
		char hash[33];
		db_hub_steps_hash(s, hash);
		s->f[HS_HASH] = hash; /* the steps as received, whatever the hub says */
		int64_t sol;
		int rc = db_hub_solution_put(db, s, &sol);
		if (rc < 0 || (rc == 1 && (seen->later ? db_hub_summaries_later(db)
					   : summary_refresh(db, sol)) < 0))
			goto fail;
		c->sols_pulled += rc == 1;
		if (rc == 2) {
			c->conflicts++;
			if (hk && hk->conflict)
				hk->conflict(hk->ctx, s->f[HS_DATASET], s->f[HS_KEY], 1);
		}
	}
	if (pulled_sugs(db, pg, hub_id, c, touched, &nt) < 0)
		goto fail;
	if (pg->nlabels)
		page_sols_init(&ps, pg->nlabels);
	for (size_t i = 0; i < pg->nlabels; i++) {
		const struct hub_label *l = &pg->labels[i];
		struct page_sol *at = page_sol_of(db, &ps, l, seen, keep);
		if (!at)
			goto fail;
		if (!at->same) {
			c->conflict_labels++;
			continue;
		}
		int met = offline_met(db, l, seen, at->here.sol);
		int was = at->disorder;
		int rc = met < 0 ? -1 : db_hub_label_put_here(db, l, &at->here, &at->disorder);
		if (rc < 0)
			goto fail;
		if (at->disorder && !was)
			order[no++] = at->here.sol;
		c->labels_pulled += rc == 1;
		c->bad += rc == 3 || rc == 2;
		if (rc == 1 && met && offline(db, at->here.sol, l, hk, c, seen) < 0)
			goto fail;
		if ((rc == 1 || rc == 4) && (nt == 0 || touched[nt - 1] != at->here.sol))
			touched[nt++] = at->here.sol;
	}
	free(ps.slot);
	ps.slot = NULL;
	for (size_t i = 0; i < no; i++)
		if (db_hub_label_order(db, order[i]) < 0)
			goto fail;
	/* each solution's summary once (a page's labels come by place) */
	qsort(touched, nt, sizeof(*touched), cmp_id);
	for (size_t i = 0; i < nt; i++) {
		if (i > 0 && touched[i] == touched[i - 1])
			continue;
		/* one without a summary yet gets it at the pull's end */
		int has = seen->later ? db_hub_summary_here(db, touched[i]) : 1;
		if (has < 0 || (has && summary_refresh_with(db, touched[i], keep ? keep->sums : NULL) < 0))
			goto fail;
	}
	if (db_hub_mark_set(db, "pulled", hub_id, pg->hi) < 0)
		goto fail;
	free(touched);
	free(order);
	if (db_commit(db) == 0)
		return 0;
	keep_clear(keep); /* what it found is no more */
	return -1;
fail:
	free(ps.slot);
	free(touched);
	free(order);
	db_rollback(db);
	keep_clear(keep);
	return -1;
}

static int pull(struct db *db, struct hub *h, const struct hub_me *me, int page,
		const struct sync_hooks *hk, struct sync_counts *c, struct sync_seen *seen)
{
	int64_t after = db_hub_mark(db, "pulled", me->id);
	if (after < 0)
		return -1;
	struct sync_keep *keep = sync_keep_new();
	int rc;
	for (;;) {
		struct hub_page pg;
		if (hub_pull_page(h, after, page, &pg) < 0) {
			rc = summary_backfill(db) < 0 ? -1 : -2;
			break;
		}
		int empty = pg.hi <= after;
		rc = empty ? 0 : sync_page_store(db, &pg, me->id, hk, c, seen, keep);
		after = pg.hi;
		hub_page_free(&pg);
		if (rc < 0 || empty) {
			if (rc == 0)
				rc = summary_backfill(db) < 0 ? -1 : 0;
			break;
		}
	}
	sync_keep_free(keep);
	return rc;
}

int sync_pull(struct db *db, struct hub *h, const struct hub_me *me, int page,
	      const struct sync_hooks *hk, struct sync_counts *c)
{
	struct sync_seen seen;
	sync_seen_init(&seen);
	int rc = sync_seen_start(db, me->id, &seen);
	/* the solutions pulled get their summaries once, at the end (a cut
	 * leaves them missing, which the next backfill makes) */
	seen.later = 1;
	if (rc == 0)
		rc = pull(db, h, me, page, hk, c, &seen);
	sync_seen_free(&seen);
	return rc;
}

int sync_run(struct db *db, struct hub *h, const struct hub_me *me, int page,
	     const struct sync_hooks *hk, struct sync_counts *c)
{
	memset(c, 0, sizeof(*c));
	struct sync_seen seen;
	sync_seen_init(&seen);
	if (summary_backfill(db) < 0 || sync_seen_start(db, me->id, &seen) < 0)
		return -1;
	seen.later = 1; /* as in sync_pull */
	int rc = push(db, h, me, hk, c);
	if (rc == 0)
		rc = push_sugs(db, h, me, c);
	if (rc == 0 && me->role == HUB_LEAD) /* a deal made before the store was tied */
		rc = syncdeal_push_own(db, h, me->id, &c->deal);
	if (rc == 0)
		rc = pull(db, h, me, page, hk, c, &seen);
	sync_seen_free(&seen);
	if (rc == 0)
		rc = hubshare_sync(db, h, me, page, c);
	if (rc == 0)
		rc = syncdeal_pull(db, h, me->id, page, &c->deal);
	long left = db_hub_unpushed_count(db);
	c->unpushed = left < 0 ? 0 : left;
	return rc;
}
