/* hubfetch.c - `stepmark fetch --hub`: the run's jobs put on the hub,
 * leased a batch at a time (expiring leases: a dead worker's come back),
 * done by the local engine on the local store, and ended on the hub with
 * their suggestions in one transaction, so that each job ends there once
 * whatever the workers and their faults */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hubfetch.h"
#include "hubwarm.h"
#include "owner.h"
#include "progress.h"
#include "prompt.h"
#include "prov.h"
#include "sync.h"
#include "util.h"
#include "../db/hubjobs.h"

/* one job of a batch: the hub's, the store's solution and job */
struct hjslot {
	int p;
	struct hub_job j;
	int64_t sol;
	const char *why; /* why it fails here without running (NULL: it runs) */
	int final;       /* the store's job is done or failed (or why) */
	struct db_hub_job lj;
};

struct hubworker {
	struct db *db;
	struct hub *h;
	struct fetch *f;
	unsigned mask;
	const struct hubfetch_opts *o;
	struct hubfetch_counts *c;
	char owner[128];
	struct hjslot *s;
	int n;
	char *tmpl[P_MAX];  /* the providers' templates, as the engine's */
	int64_t cache_mark; /* the store's cache rows before the batch ran */
};

static unsigned need_of(int p)
{
	return (providers[p]->traces_only ? JOBS_TRACES : 0) |
	       (providers[p]->links ? JOBS_REFERENCE : 0);
}

struct hjput {
	struct hub *h;
	const char *kind, *params;
	struct hubfetch_counts *c;
};

static int put_one(void *ctx, const char *dataset, const char *key, int64_t sol)
{
	struct hjput *u = ctx;
	(void)sol;
	int rc = hub_job_add(u->h, u->kind, u->params, dataset, key);
	if (rc < 0)
		return -2;
	*(rc == 1 ? &u->c->put : rc == 0 ? &u->c->there : &u->c->missing) += 1;
	return 0;
}

/* the selection's jobs of each provider on the hub, a transaction each */
static int put_jobs(struct hubworker *w)
{
	for (int p = 0; p < nproviders; p++) {
		if (!(w->mask >> p & 1))
			continue;
		struct hjput u = {w->h, provider_name(p), fetch_params(w->f, p), w->c};
		if (hub_begin(w->h) < 0)
			return -2;
		int rc = db_hub_candidates(w->db, need_of(p), w->o->dataset, w->o->sol, w->o->limit,
					   put_one, &u);
		if (rc != 0 || hub_commit(w->h) < 0) {
			hub_rollback(w->h);
			return rc == -1 ? -1 : -2;
		}
	}
	return 0;
}

static void batch_free(struct hubworker *w)
{
	for (int i = 0; i < w->n; i++) {
		free(w->s[i].j.dataset);
		free(w->s[i].j.key);
		free(w->s[i].j.hash);
	}
	free(w->s);
	w->s = NULL;
	w->n = 0;
}

/* a batch leased of each provider: how many, -2 on a hub error */
static int lease(struct hubworker *w)
{
	batch_free(w);
	for (int p = 0; p < nproviders; p++) {
		if (!(w->mask >> p & 1))
			continue;
		struct hub_job *js;
		int n = hub_jobs_lease(w->h, provider_name(p), fetch_params(w->f, p), w->owner,
				       w->o->lease_s, w->o->batch, &js);
		if (n < 0)
			return -2;
		w->s = xrealloc(w->s, ((size_t)w->n + (size_t)n + 1) * sizeof(*w->s));
		for (int i = 0; i < n; i++)
			w->s[w->n++] = (struct hjslot){.p = p, .j = js[i]};
		free(js); /* its strings now the slots' */
	}
	return w->n;
}

/* each job of the batch made ready in the store: its solution found
 * (with the hub's steps), its job queued for the engine unless it ended
 * here before (its outcome is then the one written) */
static int prepare(struct hubworker *w)
{
	if (db_begin(w->db) < 0)
		return -1;
	for (int i = 0; i < w->n; i++) {
		struct hjslot *s = &w->s[i];
		const char *kind = provider_name(s->p), *params = fetch_params(w->f, s->p);
		char here[33];
		if ((s->sol = db_hub_solution_id(w->db, s->j.dataset, s->j.key)) < 0)
			goto fail;
		int rc = s->sol ? db_hub_solution_hash(w->db, s->j.dataset, s->j.key, here) : 0;
		if (rc < 0 || (rc = db_hub_local_job(w->db, kind, params, s->sol, &s->lj)) < 0)
			goto fail;
		if (!s->sol)
			s->why = "its solution is not in this worker's store";
		else if (strcmp(here, s->j.hash))
			s->why = "this worker's store has other steps under its id";
		else if (rc == 0 && fetch_enqueue(w->f, s->p, 0, s->sol, 1) <= 0)
			s->why = "the provider takes no job on this solution";
		else if (rc == 1 && !strcmp(s->lj.state, "failed") &&
			 db_jobs_requeue(w->db, kind, params, 0, s->sol, "failed") < 0)
			goto fail;
		s->final = s->why != NULL;
	}
	return db_commit(w->db);
fail:
	db_rollback(w->db);
	return -1;
}

/* the batch's requests looked up in the hub's cache (those its jobs will
 * ask, round by round), what it has put in the store's; then the mark of
 * the store's cache rows: those after it the batch paid for. 0, -1, -2 */
static int warm(struct hubworker *w)
{
	int rc = 0;
	if (w->o->fc) {
		struct hubwarm_job *js = xcalloc((size_t)w->n + 1, sizeof(*js));
		int n = 0;
		for (int i = 0; i < w->n; i++)
			if (!w->s[i].why && strcmp(w->s[i].lj.state, "done"))
				js[n++] = (struct hubwarm_job){w->s[i].p, w->s[i].sol};
		rc = hubwarm_run(w->db, w->h, w->o->fc, w->tmpl, js, n, &w->c->hub_cached);
		free(js);
	}
	if (rc == 0 && (w->cache_mark = db_hub_cache_top(w->db)) < 0)
		rc = -1;
	return rc;
}

/* 1 when every job of the batch has ended in the store, 0 not yet, -1 */
static int all_final(struct hubworker *w)
{
	for (int i = 0; i < w->n; i++) {
		struct hjslot *s = &w->s[i];
		if (s->final)
			continue;
		if (db_hub_local_job(w->db, provider_name(s->p), fetch_params(w->f, s->p), s->sol,
				     &s->lj) < 0)
			return -1;
		s->final = !strcmp(s->lj.state, "done") || !strcmp(s->lj.state, "failed");
		if (!s->final)
			return 0;
	}
	return 1;
}

/* the engine run until the batch has ended, the leases renewed a third
 * of their length apart: 0, 1 stopped, -1, -2 */
static int run_batch(struct hubworker *w)
{
	double renewed = mono_ms();
	for (;;) {
		if (progress_stopped())
			return 1;
		fetch_work(w->f, 50);
		int rc = all_final(w);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		fetch_wait(w->f, NULL, 0, 100);
		if (mono_ms() - renewed > w->o->lease_s * 1000 / 3) {
			if (hub_jobs_renew(w->h, w->owner, w->o->lease_s) < 0)
				return -2;
			renewed = mono_ms();
		}
	}
}

struct hjsugput {
	struct hub *h;
	int64_t job;
	long added;
};

struct hjcacheput {
	struct hub *h;
	long put, kept;
};

static int cache_one(void *ctx, int64_t row, const char *hash, const char *body, size_t n,
		     const char *at)
{
	struct hjcacheput *u = ctx;
	(void)row;
	int rc = hub_cache_put(u->h, hash, body, n, at);
	if (rc < 0)
		return -2;
	u->put += rc == 1;
	u->kept += rc == 2;
	return 0;
}

static int sug_one(void *ctx, int64_t id, const struct hub_sug *g)
{
	struct hjsugput *u = ctx;
	(void)id;
	int rc = hub_push_sug(u->h, g, u->job);
	if (rc < 0)
		return -2;
	u->added += rc == 1;
	return 0;
}

/* the batch's ends and suggestions on the hub, one transaction with the
 * responses the batch paid for (to the hub's cache, a job lost or not):
 * a job whose lease another worker took is left to it */
static int commit_batch(struct hubworker *w)
{
	long done = 0, failed = 0, lost = 0, sugs = 0;
	if (hub_begin(w->h) < 0)
		return -2;
	for (int i = 0; i < w->n; i++) {
		struct hjslot *s = &w->s[i];
		int bad = s->why || !strcmp(s->lj.state, "failed");
		const char *why = s->why ? s->why : bad && *s->lj.error ? s->lj.error : NULL;
		int rc = hub_job_finish(w->h, s->j.id, w->owner, bad, why, s->lj.costs);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			lost++;
			continue;
		}
		*(bad ? &failed : &done) += 1;
		struct hjsugput u = {w->h, s->j.id, 0};
		if (!bad) {
			int r = db_hub_sugs(w->db, 0, s->lj.id, sug_one, &u);
			if (r == -1)
				goto store_fail;
			if (r != 0)
				goto fail;
		}
		sugs += u.added;
	}
	struct hjcacheput cu = {w->h, 0, 0};
	int r = db_hub_cache_rows(w->db, w->cache_mark, cache_one, &cu);
	if (r == -1)
		goto store_fail;
	if (r != 0 || hub_commit(w->h) < 0)
		goto fail;
	w->c->cache_put += cu.put;
	w->c->cache_kept += cu.kept;
	w->c->done += done;
	w->c->failed += failed;
	w->c->lost += lost;
	w->c->sugs += sugs;
	return 0;
store_fail:
	hub_rollback(w->h);
	return -1;
fail:
	hub_rollback(w->h);
	return -2;
}

/* 1 while a job of the run is leased by another worker (its lease may
 * run out: this one then takes it), 0 when none is, -2 */
static int others_hold(struct hubworker *w)
{
	for (int p = 0; p < nproviders; p++) {
		struct hub_job_counts hc;
		if (!(w->mask >> p & 1))
			continue;
		if (hub_jobs_count(w->h, provider_name(p), fetch_params(w->f, p), &hc) < 0)
			return -2;
		if (hc.leased || hc.expired || hc.queued)
			return 1;
	}
	return 0;
}

/* waits ms, or less when Ctrl-C comes */
static void pause_ms(double ms)
{
	double end = mono_ms() + ms;
	while (!progress_stopped() && mono_ms() < end) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static int work(struct hubworker *w)
{
	for (;;) {
		if (progress_stopped())
			return 0;
		int n = lease(w);
		if (n < 0)
			return n;
		if (n == 0) {
			int rc = others_hold(w);
			if (rc <= 0)
				return rc;
			pause_ms(w->o->lease_s * 1000 / 4 < 1000 ? w->o->lease_s * 1000 / 4 : 1000);
			continue;
		}
		int rc = prepare(w);
		if (rc == 0)
			rc = warm(w);
		if (rc == 0)
			rc = run_batch(w);
		if (rc == 0)
			rc = commit_batch(w);
		if (rc != 0)
			return rc > 0 ? 0 : rc;
	}
}

int hubfetch_run(struct db *db, struct hub *h, const struct hub_me *me, struct fetch *f,
		 unsigned mask, const struct hubfetch_opts *o, struct hubfetch_counts *c)
{
	memset(c, 0, sizeof(*c));
	struct hubworker w = {.db = db, .h = h, .f = f, .mask = mask, .o = o, .c = c};
	uint64_t nonce = (uint64_t)mono_ms() ^ ((uint64_t)time(NULL) << 20);
	owner_make(w.owner, sizeof(w.owner), (unsigned long)(nonce & 0xffffffff));
	/* the engine runs what this worker queues, whatever the selection */
	fetch_select(f, 0, 0, 0);
	for (int p = 0; o->fc && p < nproviders; p++) {
		char err[300];
		if ((mask >> p & 1) && fconf_uses_template(o->fc, p))
			w.tmpl[p] = prompt_template(o->fc, p, err, sizeof(err));
	}
	struct sync_counts sc;
	int rc = sync_pull(db, h, me, 1000, NULL, &sc);
	if (rc == 0)
		rc = put_jobs(&w);
	if (rc == 0)
		rc = work(&w);
	batch_free(&w);
	for (int p = 0; p < nproviders; p++)
		free(w.tmpl[p]);
	/* what is held goes back at once (else when its lease runs out) */
	if (rc != -2 && hub_jobs_release(h, w.owner) < 0)
		rc = -2;
	return rc;
}
