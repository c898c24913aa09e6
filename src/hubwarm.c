/* hubwarm.c - the store's response cache warmed from the hub's: a leased
 * group's requests played round by round as the engine asks them, each
 * round's misses looked up on the hub in one statement */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hubwarm.h"
#include "oai.h"
#include "prov.h"
#include "util.h"

#define MAX_ROUNDS 256

/* a job played: its provider's state, the round's requests */
struct wjob {
	struct pjob pj;
	struct preq *reqs;
	size_t nreqs;
	int live, started;
};

/* a response the hub had */
struct wgot {
	char hash[33];
	struct buf body;
};

struct wround {
	struct wgot *v;
	size_t n, cap;
};

static void wjob_free(struct wjob *w)
{
	if (w->started && providers[w->pj.p]->free)
		providers[w->pj.p]->free(&w->pj);
	for (size_t i = 0; i < w->nreqs; i++)
		preq_free(&w->reqs[i]);
	free(w->reqs);
	for (size_t i = 0; i < w->pj.nreqs; i++)
		preq_free(&w->pj.reqs[i]);
	free(w->pj.reqs);
	free(w->pj.sugs);
	free(w->pj.links);
	buf_free(&w->pj.error);
	arena_free(&w->pj.a);
	db_solution_free(&w->pj.v);
}

/* the provider's new requests become the round's */
static void take_reqs(struct wjob *w)
{
	for (size_t i = 0; i < w->nreqs; i++)
		preq_free(&w->reqs[i]);
	free(w->reqs);
	w->reqs = w->pj.reqs;
	w->nreqs = w->pj.nreqs;
	w->pj.reqs = NULL;
	w->pj.nreqs = w->pj.capreqs = 0;
	w->live = !w->pj.done && w->nreqs > 0;
}

static int got_one(void *ctx, const char *hash, const char *body, size_t len)
{
	struct wround *r = ctx;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	struct wgot *g = &r->v[r->n++];
	memset(g, 0, sizeof(*g));
	snprintf(g->hash, sizeof(g->hash), "%s", hash);
	buf_add(&g->body, body, len);
	return 0;
}

static void round_free(struct wround *r)
{
	for (size_t i = 0; i < r->n; i++)
		buf_free(&r->v[i].body);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* the round's requests the store's cache lacks, looked up on the hub; what
 * it has put in the store's cache, counted in *got */
static int round_fetch(struct db *db, struct hub *h, struct wjob *w, int n, struct wround *r,
		       long *got)
{
	size_t nh = 0, cap = 0;
	const char **hashes = NULL;
	struct buf tmp = {0};
	for (int i = 0; i < n; i++)
		for (size_t k = 0; w[i].live && k < w[i].nreqs; k++) {
			if (db_cache_get(db, w[i].reqs[k].hash, &tmp))
				continue;
			if (nh == cap) {
				cap = cap ? 2 * cap : 64;
				hashes = xrealloc(hashes, cap * sizeof(*hashes));
			}
			hashes[nh++] = w[i].reqs[k].hash;
		}
	buf_free(&tmp);
	int rc = nh ? hub_cache_find(h, hashes, nh, got_one, r) : 0;
	free(hashes);
	if (rc < 0)
		return -2;
	if (!r->n)
		return 0;
	if (db_begin(db) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		if (db_cache_put(db, r->v[i].hash, r->v[i].body.data, r->v[i].body.len) < 0) {
			db_rollback(db);
			return -1;
		}
	if (db_commit(db) < 0)
		return -1;
	*got += (long)r->n;
	return 0;
}

/* each request of w's round answered from the store's cache (the hub's
 * are there now): the provider's next round, or w stops */
static void round_play(struct db *db, struct wjob *w, struct arena *a)
{
	struct buf body = {0};
	for (size_t k = 0; w->live && k < w->nreqs; k++) {
		const struct preq *rq = &w->reqs[k];
		struct oai_resp resp;
		char why[400];
		arena_reset(a);
		w->live = db_cache_get(db, rq->hash, &body) &&
			  oai_check(a, rq->kind, 200, NULL, body.data ? body.data : "", body.len,
				    rq->n, &resp) == OAI_OK &&
			  providers[w->pj.p]->take(&w->pj, rq, &resp, why, sizeof(why)) == 0;
	}
	buf_free(&body);
	if (w->live && providers[w->pj.p]->next) {
		providers[w->pj.p]->next(&w->pj);
		take_reqs(w);
	} else {
		w->live = 0;
	}
}

int hubwarm_run(struct db *db, struct hub *h, const struct fconf *fc, char *const *tmpl,
		const struct hubwarm_job *jobs, int n, long *got)
{
	struct wjob *w = xcalloc((size_t)n + 1, sizeof(*w));
	struct arena a = {0};
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct pjob *pj = &w[i].pj;
		pj->j.sol = jobs[i].sol;
		pj->p = jobs[i].p;
		pj->fc = fc;
		pj->ep = fconf_first(fc, pj->p);
		pj->tmpl = tmpl[pj->p];
		/* offline providers ask nothing */
		if (!providers[pj->p]->kind || !pj->ep ||
		    db_solution_load(db, jobs[i].sol, &pj->v) != 1)
			continue;
		providers[pj->p]->start(pj);
		w[i].started = 1;
		take_reqs(&w[i]);
	}
	for (int round = 0; round < MAX_ROUNDS && rc == 0; round++) {
		int live = 0;
		for (int i = 0; i < n; i++)
			live += w[i].live;
		if (!live)
			break;
		struct wround r = {0};
		rc = round_fetch(db, h, w, n, &r, got);
		round_free(&r);
		for (int i = 0; i < n && rc == 0; i++)
			if (w[i].live)
				round_play(db, &w[i], &a);
	}
	for (int i = 0; i < n; i++)
		wjob_free(&w[i]);
	free(w);
	arena_free(&a);
	return rc;
}
