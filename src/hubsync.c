/* hubsync.c - a store synced with its hub in the background of one loop:
 * connect, who this is, push the member's labels a batch at a time, pull
 * pages after the store's place, then the deal, the actions and the
 * alignment links (hubshare.h), idle for the interval, back off on a
 * failure and connect again; libpq's non-blocking calls, each turn a
 * look at the socket, and the store's side short transactions that never
 * wait on the network */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubshare.h"
#include "hubsync.h"
#include "sync.h"
#include "util.h"

#define BATCH 100         /* labels per push */
#define PAGE 500          /* events per pull at most (one transaction of the store) */
#define PAGE_MIN 20       /* ... and at least */
#define PAGE_MS 3.0       /* a page's store at most (CPU), so that no key waits on it */
#define ANSWER_MS 30000.0 /* a hub silent this long is gone */
#define SOON_MS 300.0     /* a round after the store changed, at the soonest */

enum hs_state {
	ST_WAIT,    /* not connected: connects at due */
	ST_CONNECT, /* connecting */
	ST_WHO,     /* asking who this is */
	ST_PUSH,    /* a batch of labels in flight */
	ST_PULL,    /* a page asked for */
	ST_DEAL,    /* a page of the deal and policy asked for (syncdeal.h) */
	ST_SHARE,   /* actions and alignment links (hubshare.h), a statement */
	ST_IDLE,    /* in sync: the next round at due */
	ST_STOPPED  /* this store does not sync with this hub: never again */
};

struct hubsync {
	struct db *db;    /* its own connection to the store */
	char *conninfo;
	char *annotator;  /* whose labels count until the hub says */
	struct hub *h;    /* NULL while not connected */
	enum hs_state st;
	double due;       /* when the wait of the state ends */
	double round_at;  /* when the last round began */
	int interval_ms, backoff_ms;
	struct hub_me me;
	int known;        /* me is the hub's answer */
	/* the batch in flight: copies, the store's statement long finished */
	struct arena a;
	struct hub_label batch[BATCH];
	char hash[BATCH][33];
	int64_t ids[BATCH];
	size_t n;
	int64_t push_after; /* the last label id tried this round */
	int64_t pull_after;
	int page;         /* the events asked for in a page: as many as PAGE_MS stores */
	struct hubsync_page last; /* the last page stored */
	long pages;       /* pages stored */
	struct sync_seen seen;
	struct sync_keep *keep; /* what the pages keep from page to page */
	struct hubshare_bg *share; /* the round's actions and links */
	int64_t dv;       /* the store's data version last seen */
	int again;        /* the store changed during the round */
	long unsynced, pulled;
	long offline;     /* offline conflicts met this round */
	int mine;         /* the round began with labels not on the hub */
	int online;
	int finishing;    /* hubsync_finish: rounds push, and pull no more */
	int resume;       /* pushing between two pages: the pull goes on after */
	int offline_said; /* since it was last online */
	char news[700];
	int news_new;
};

static void say(struct hubsync *s, const char *fmt, const char *arg)
{
	snprintf(s->news, sizeof(s->news), fmt, arg);
	s->news_new = 1;
}

struct hubsync *hubsync_new(const char *dbpath, const char *conninfo, const char *annotator,
			    int interval_s, char *err, size_t errlen)
{
	struct db *db = db_open(dbpath, err, errlen);
	if (!db)
		return NULL;
	db_set_busy_ms(db, 20); /* a busy store: the next round */
	struct hubsync *s = xcalloc(1, sizeof(*s));
	s->db = db;
	s->conninfo = xstrdup(conninfo);
	s->annotator = xstrdup(annotator ? annotator : "");
	s->interval_ms = (interval_s > 0 ? interval_s : 1) * 1000;
	s->backoff_ms = 1000;
	s->page = PAGE / 5; /* grows while pages are quick */
	s->st = ST_WAIT;
	s->due = 0;
	s->dv = db_data_version(db);
	sync_seen_init(&s->seen);
	s->keep = sync_keep_new();
	s->share = hubshare_bg_new();
	hubsync_recount(s);
	return s;
}

void hubsync_free(struct hubsync *s)
{
	if (!s)
		return;
	hub_close(s->h);
	sync_seen_free(&s->seen);
	sync_keep_free(s->keep);
	hubshare_bg_free(s->share);
	db_close(s->db);
	arena_free(&s->a);
	free(s->conninfo);
	free(s->annotator);
	free(s);
}

/* whose labels this store pushes: NULL every one's (a lead) */
static const char *pusher(const struct hubsync *s)
{
	if (!s->known)
		return s->annotator;
	return s->me.role == HUB_LEAD ? NULL : s->me.user;
}

static int pushes(const struct hubsync *s)
{
	return !s->known || (s->me.role != HUB_AUDITOR && s->me.role != HUB_NONE &&
			     s->me.role != HUB_WORKER);
}

long hubsync_recount(struct hubsync *s)
{
	long n = pushes(s) ? db_hub_unpushed_mine(s->db, pusher(s),
						  s->known && s->me.role == HUB_ANNOTATOR) : 0;
	if (n >= 0)
		s->unsynced = n;
	return s->unsynced;
}

/* the gist of libpq's reason: its first line, after "...failed: " and
 * "FATAL:", 200 bytes at most (the workbench fits it to its width) */
static const char *reason(const char *why, char *out, size_t size)
{
	static const char *const skip[] = {"failed: ", "FATAL:  ", "ERROR:  "};
	for (size_t i = 0; i < ARRAY_SIZE(skip); i++) {
		const char *p, *last = NULL;
		for (p = why; (p = strstr(p, skip[i])) && p < why + strcspn(why, "\n"); p++)
			last = p;
		if (last)
			why = last + strlen(skip[i]);
	}
	int n = (int)strcspn(why, "\n");
	if (n > 200) { /* cut between two characters */
		int k = 197;
		while (k > 0 && ((unsigned char)why[k] & 0xc0) == 0x80)
			k--;
		snprintf(out, size, "%.*s...", k, why);
	} else
		snprintf(out, size, "%.*s", n, why);
	return out;
}

/* the hub failed or went silent: closed, tried again after a while */
static void fail(struct hubsync *s, double now, const char *why)
{
	char gist[208];
	if (!s->offline_said)
		say(s, "hub offline: %s", reason(why, gist, sizeof(gist)));
	s->offline_said = 1;
	hub_close(s->h);
	s->h = NULL;
	s->online = 0;
	s->st = ST_WAIT;
	s->due = now + s->backoff_ms;
	int cap = 5 * s->interval_ms > 5000 ? 5 * s->interval_ms : 5000;
	s->backoff_ms = 2 * s->backoff_ms > cap ? cap : 2 * s->backoff_ms;
}

static void stop(struct hubsync *s, const char *fmt, const char *arg)
{
	say(s, fmt, arg);
	hub_close(s->h);
	s->h = NULL;
	s->online = 0;
	s->st = ST_STOPPED;
}

static void hub_failed(struct hubsync *s, double now)
{
	char why[600];
	snprintf(why, sizeof(why), "%s", hub_errmsg(s->h));
	fail(s, now, why);
}

static void pull_next(struct hubsync *s, double now)
{
	s->st = ST_PULL;
	s->due = now + ANSWER_MS;
	if (hub_send_pull(s->h, s->pull_after, s->page) < 0)
		hub_failed(s, now);
}

/* a label of the batch copied (the store's row lives until we return) */
static int batch_add(void *ctx, int64_t id, const struct hub_label *l)
{
	struct hubsync *s = ctx;
	struct hub_label *b = &s->batch[s->n];
	memset(b, 0, sizeof(*b));
	for (int c = 0; c < HL_N; c++)
		b->f[c] = l->f[c] ? arena_strndup(&s->a, l->f[c], strlen(l->f[c])) : NULL;
	s->ids[s->n++] = id;
	return 0;
}

static void idle(struct hubsync *s, double now);

/* the next batch of this round sent, else the pull begun */
static void push_next(struct hubsync *s, double now)
{
	arena_reset(&s->a);
	s->n = 0;
	int rc = pushes(s) ? db_hub_unpushed_from(s->db, pusher(s), s->me.role == HUB_ANNOTATOR,
						 s->push_after, BATCH, batch_add, s) : 0;
	for (size_t i = 0; rc == 0 && i < s->n; i++) {
		const struct hub_label *l = &s->batch[i];
		/* the store's steps of its solution: the hub takes it only onto those */
		if (i > 0 && !strcmp(l->f[HL_DATASET], s->batch[i - 1].f[HL_DATASET]) &&
		    !strcmp(l->f[HL_KEY], s->batch[i - 1].f[HL_KEY]))
			memcpy(s->hash[i], s->hash[i - 1], 33);
		else if (db_hub_solution_hash(s->db, l->f[HL_DATASET], l->f[HL_KEY], s->hash[i]) < 0)
			rc = -1;
		s->batch[i].sol_hash = s->hash[i];
	}
	if ((rc != 0 || s->n == 0) && (s->finishing || s->resume)) {
		s->n = 0;
		if (s->resume && !s->finishing) {
			s->resume = 0;
			pull_next(s, now);
		} else {
			idle(s, now);
		}
		return;
	}
	if (rc != 0 || s->n == 0) { /* a store error: this round pulls only */
		s->n = 0;
		s->pull_after = db_hub_mark(s->db, "pulled", s->me.id);
		/* what the store made since it last synced, for the conflicts
		 * of labels made offline (the push left the place as it was) */
		if (s->pull_after >= 0 && sync_seen_start(s->db, s->me.id, &s->seen) < 0)
			s->pull_after = -1;
		s->seen.mine |= s->mine;
		if (s->pull_after < 0) {
			s->st = ST_IDLE; /* the store is busy: the next round */
			s->due = now + s->interval_ms;
			return;
		}
		pull_next(s, now);
		return;
	}
	s->st = ST_PUSH;
	s->due = now + ANSWER_MS;
	if (hub_send_push(s->h, s->batch, s->n) < 0)
		hub_failed(s, now);
}

/* what the hub took, recorded in one short transaction of the store (a
 * busy store: the next round pushes them again, and the hub says where
 * each is) */
static void pushed(struct hubsync *s, double now)
{
	int rc[BATCH];
	int64_t seq[BATCH];
	hub_take_push(s->h, rc, seq);
	if (db_begin(s->db) == 0) {
		int ok = 1;
		for (size_t i = 0; ok && i < s->n; i++)
			if (rc[i] == 0 || rc[i] == 1)
				ok = db_hub_label_placed(s->db, s->batch[i].f[HL_UID], seq[i]) == 0;
		if (!ok || db_commit(s->db) < 0)
			db_rollback(s->db);
	}
	s->push_after = s->ids[s->n - 1];
	push_next(s, now);
}

static void round_start(struct hubsync *s, double now)
{
	s->round_at = now;
	s->push_after = 0;
	s->resume = 0;
	s->offline = 0;
	s->mine = s->unsynced > 0; /* labels of this store not on the hub */
	hubshare_bg_begin(s->share);
	push_next(s, now);
}

/* in sync (or the store busy: the next round) */
static void idle(struct hubsync *s, double now)
{
	if (s->offline) { /* said once, at the round's end */
		char n[48];
		snprintf(n, sizeof(n), "%ld solution%s", s->offline, s->offline == 1 ? "" : "s");
		say(s, "hub: %s labelled on two stores offline: the later labels hold", n);
		s->offline = 0;
	}
	hubsync_recount(s);
	s->st = ST_IDLE;
	s->due = now + (s->again && s->unsynced ? SOON_MS : s->interval_ms);
	s->again = 0;
}

static void deal_next(struct hubsync *s, double now);

/* the next page's size after one of n events (full: as many as asked
 * for) stored in ms of CPU: cut to what PAGE_MS stores when it took
 * longer, doubled when a full one took under half of it (a key typed
 * meanwhile waits for the store) */
static void page_size(struct hubsync *s, size_t n, int full, double ms)
{
	s->last = (struct hubsync_page){(long)n, ms, s->page, 0};
	if (ms > PAGE_MS)
		s->page = (int)(s->page * PAGE_MS / ms);
	else if (full && ms < PAGE_MS / 2)
		s->page *= 2;
	s->page = s->page < PAGE_MIN ? PAGE_MIN : s->page > PAGE ? PAGE : s->page;
	s->last.next = s->page;
	s->pages++;
}

/* a page pulled into the store; the round ends with an empty one */
static void page_in(struct hubsync *s, double now)
{
	struct hub_page pg;
	hub_take_pull(s->h, &pg);
	int64_t hi = pg.hi;
	int empty = hi <= s->pull_after, rc = 0;
	struct sync_counts c = {0};
	if (!empty) {
		size_t n = pg.nsols + pg.nlabels + pg.nsugs;
		int full = pg.nsols >= (size_t)s->page || pg.nlabels >= (size_t)s->page ||
			   pg.nsugs >= (size_t)s->page;
		double t0 = cpu_ms();
		rc = sync_page_store(s->db, &pg, s->me.id, NULL, &c, &s->seen, s->keep);
		page_size(s, n, full, cpu_ms() - t0);
	}
	hub_page_free(&pg);
	s->offline += rc == 0 ? c.offline : 0;
	if (!empty && rc == 0 && !s->finishing) {
		s->pulled += c.labels_pulled;
		s->pull_after = hi;
		if (s->again && s->unsynced > 0) { /* typed meanwhile: pushed first */
			s->again = 0;
			s->resume = 1;
			push_next(s, now);
			return;
		}
		pull_next(s, now);
		return;
	}
	s->pulled += rc == 0 ? c.labels_pulled : 0;
	if (rc == 0 && !s->finishing)
		deal_next(s, now); /* then the deal and the policy */
	else
		idle(s, now);
}

/* a page of the deal and policy asked for (the store busy: idle) */
static void deal_next(struct hubsync *s, double now)
{
	int rc = syncdeal_send(s->db, s->h, s->me.id, PAGE);
	if (rc == -2) {
		hub_failed(s, now);
	} else if (rc < 0) {
		idle(s, now);
	} else {
		s->st = ST_DEAL;
		s->due = now + ANSWER_MS;
	}
}

/* the round's actions and alignment links, a statement at a time; the
 * round ends when none is left (the store busy: at the next round) */
static void share_next(struct hubsync *s, double now)
{
	int rc = hubshare_bg_send(s->share, s->db, s->h, &s->me, PAGE);
	if (rc == -2) {
		hub_failed(s, now);
	} else if (rc <= 0) {
		idle(s, now);
	} else {
		s->st = ST_SHARE;
		s->due = now + ANSWER_MS;
	}
}

static void share_in(struct hubsync *s, double now)
{
	if (hubshare_bg_take(s->share, s->db, s->h, &s->me, PAGE) < 0)
		idle(s, now);
	else
		share_next(s, now);
}

static void deal_in(struct hubsync *s, double now)
{
	struct deal_counts c = {0};
	if (syncdeal_take(s->db, s->h, s->me.id, PAGE, &c) == 1 && !s->finishing)
		deal_next(s, now);
	else
		share_next(s, now);
}

static void online(struct hubsync *s, double now);

/* who this is: checked against the hub's schema and the store's hub */
static void who(struct hubsync *s, double now)
{
	hub_take_me(s->h, &s->me);
	s->known = 1;
	char bound[80];
	if (s->me.role == HUB_NONE) {
		stop(s, "hub: %s is not a member of the hub: not synced", inert(s->me.user, 0));
	} else if (s->me.version != hub_schema_current()) {
		stop(s, "hub: its schema is not this stepmark's (%s): not synced",
		     s->me.version < hub_schema_current() ? "a lead runs hub init" :
		     "a newer stepmark wrote it");
	} else if (db_hub_bound(s->db, bound, sizeof(bound)) < 0) {
		fail(s, now, "the store is busy");
	} else if (strcmp(bound, s->me.id)) {
		stop(s, "hub: %s: not synced in the background",
		     *bound ? "this store syncs with another hub" :
		     "this store has not synced with the hub yet (stepmark sync ties it)");
	} else {
		online(s, now);
	}
}

/* the hub answers: a round at once */
static void online(struct hubsync *s, double now)
{
	if (s->offline_said)
		say(s, "%s", "hub online again");
	s->offline_said = 0;
	s->online = 1;
	s->backoff_ms = 1000;
	hubsync_recount(s);
	round_start(s, now);
}

/* the hub's socket ready (or gone) now */
static int ready(const struct hubsync *s)
{
	int wr, fd = hubsync_fd(s, &wr);
	if (fd < 0)
		return 1; /* libpq says why at the next step */
	struct pollfd p = {.fd = fd, .events = wr ? POLLOUT : POLLIN};
	return poll(&p, 1, 0) > 0;
}

/* the operation in flight moved on */
static void net_step(struct hubsync *s, double now)
{
	if (!ready(s)) {
		if (now >= s->due)
			fail(s, now, "the hub did not answer");
		return;
	}
	int r = hub_step(s->h);
	if (r == HUB_FAILED)
		hub_failed(s, now);
	if (r != HUB_DONE)
		return;
	switch (s->st) {
	case ST_CONNECT:
		s->st = ST_WHO;
		s->due = now + ANSWER_MS;
		if (hub_send_whoami(s->h) < 0)
			hub_failed(s, now);
		break;
	case ST_WHO: who(s, now); break;
	case ST_PUSH: pushed(s, now); break;
	case ST_PULL: page_in(s, now); break;
	case ST_DEAL: deal_in(s, now); break;
	case ST_SHARE: share_in(s, now); break;
	default: break;
	}
}

static void connect_start(struct hubsync *s, double now)
{
	char err[600];
	s->h = hub_start(s->conninfo, err, sizeof(err));
	if (!s->h) {
		fail(s, now, err);
		return;
	}
	s->st = ST_CONNECT;
	s->due = now + ANSWER_MS;
}

int hubsync_step(struct hubsync *s, double now)
{
	long before = s->unsynced;
	int was = s->online;
	int64_t dv = db_data_version(s->db);
	if (dv != s->dv && s->st != ST_STOPPED) { /* the workbench (or another) wrote */
		s->dv = dv;
		hubsync_recount(s);
		if (s->st == ST_IDLE && s->unsynced && s->due > s->round_at + SOON_MS)
			s->due = s->round_at + SOON_MS;
		else if (s->st != ST_IDLE)
			s->again = 1; /* a round under way: another soon after it */
	}
	switch (s->st) {
	case ST_WAIT:
		if (now >= s->due)
			connect_start(s, now);
		break;
	case ST_IDLE:
		if (now >= s->due)
			round_start(s, now);
		break;
	case ST_STOPPED: break;
	default: net_step(s, now); break;
	}
	return before != s->unsynced || was != s->online || s->news_new;
}

int hubsync_fd(const struct hubsync *s, int *write)
{
	*write = 0;
	if (!s->h || s->st == ST_IDLE || s->st == ST_WAIT || s->st == ST_STOPPED)
		return -1;
	return hub_socket(s->h, write);
}

int hubsync_timeout(const struct hubsync *s, double now_ms)
{
	if (s->st == ST_STOPPED)
		return -1;
	double d = s->due - now_ms;
	return d <= 0 ? 0 : d > 1e9 ? 1000000000 : (int)d;
}

long hubsync_unsynced(const struct hubsync *s)
{
	return s->unsynced;
}

int hubsync_online(const struct hubsync *s)
{
	return s->online;
}

long hubsync_pulled(const struct hubsync *s)
{
	return s->pulled;
}

long hubsync_last_page(const struct hubsync *s, struct hubsync_page *p)
{
	*p = s->last;
	return s->pages;
}

const char *hubsync_news(struct hubsync *s)
{
	if (!s->news_new)
		return NULL;
	s->news_new = 0;
	return s->news;
}

int hubsync_stopped(const struct hubsync *s)
{
	return s->st == ST_STOPPED;
}

int hubsync_busy(const struct hubsync *s)
{
	return s->st != ST_STOPPED && s->st != ST_IDLE && s->st != ST_WAIT;
}

void hubsync_round_now(struct hubsync *s)
{
	if (s->st == ST_IDLE)
		s->due = 0;
}

void hubsync_finish(struct hubsync *s)
{
	s->finishing = 1;
}
