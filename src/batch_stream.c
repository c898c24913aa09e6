/* batch_stream.c - --batch-out as a stream: the queued jobs in solution
 * order, a window of them per transaction, each job's requests answered
 * from the cache (a job they finish is stored) or written as lines (the
 * job waits on the round), each distinct request written once */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "fetch.h"
#include "oai.h"
#include "owner.h"
#include "prompt.h"
#include "prov.h"
#include "reqset.h"
#include "summary.h"
#include "../db/db.h"

#define LEASE_S 120.0         /* a job finished from the cache, while it is stored */
#define SEEN_GEN 131072       /* distinct requests one generation of the written set holds */

struct stream {
	const struct batch_run *r;
	struct fetch_progress *pg;
	char *tmpl[P_MAX];
	char owner[128];
	char samp[P_MAX][80]; /* a provider's pjob.samp, made by its first job */
	/* the requests written: this generation and the last (memory bounded:
	 * an identical request of a job far behind may be written again) */
	struct hset seen[2];
	struct arena a;       /* a cached reply's tree */
	struct arena texts;   /* the window's solutions' strings */
	struct buf body;      /* a cached reply */
	int nocache;          /* the cache was empty when the window began */
	char *err;
	size_t errlen;
};

/* by the request hash's key, made once a request (hset_key) */
static int written(const struct stream *s, uint64_t k)
{
	return hset_has_key(&s->seen[0], k) || hset_has_key(&s->seen[1], k);
}

static void mark_written(struct stream *s, uint64_t k)
{
	hset_seen_key(&s->seen[0], k);
	if (s->seen[0].n >= SEEN_GEN) {
		hset_free(&s->seen[1]);
		s->seen[1] = s->seen[0];
		memset(&s->seen[0], 0, sizeof(s->seen[0]));
	}
}

/* a reply no choice of which has content: not worth taking from the cache */
static int reply_empty(const struct preq *rq, const struct oai_resp *r)
{
	if (rq->kind == OAI_POOLING)
		return 0;
	for (size_t i = 0; i < r->nchoices; i++)
		if (r->choices[i].text || r->choices[i].top_logprobs)
			return 0;
	return 1;
}

/* the cached reply in s->body for rq, taken by pj: 0, or -1 when it does
 * not pass (the request is asked again: it goes to a file) */
static int take_cached(struct stream *s, struct pjob *pj, const struct preq *rq)
{
	struct oai_resp r;
	char why[400] = "";
	arena_reset(&s->a);
	if (oai_check(&s->a, rq->kind, 200, NULL, s->body.data, s->body.len, rq->n, &r) != OAI_OK ||
	    reply_empty(rq, &r) || providers[pj->p]->take(pj, rq, &r, why, sizeof(why)) < 0)
		return -1;
	pj->j.cached++;
	s->pg->cached++;
	if (s->r->paid && db_cache_take(s->r->db, rq->hash, s->r->paid) > 0) {
		/* a batch runner's: its tokens, once */
		pj->j.tokens += r.tokens_in + r.tokens_out;
		pj->j.tokens_in += r.tokens_in;
		pj->j.tokens_out += r.tokens_out;
		s->pg->tokens_in += r.tokens_in;
		s->pg->tokens_out += r.tokens_out;
	}
	return 0;
}

/* a request of pj: 0 answered from the cache, 1 in a file (written now
 * or earlier in the run), -2 a line not written (s->err) */
static int ask(struct stream *s, struct pjob *pj, const struct preq *rq)
{
	uint64_t k = hset_key(rq->hash);
	if (written(s, k))
		return 1;
	int hit = s->nocache ? 0 : db_cache_get(s->r->db, rq->hash, &s->body);
	if (hit == 1 && take_cached(s, pj, rq) == 0)
		return 0;
	mark_written(s, k);
	if (batch_request(s->r->out, pj->j.id, rq->path, rq->body, rq->hash, s->err,
			  s->errlen) < 0)
		return -2;
	s->pg->batched++;
	return 1;
}

/* a job the cache finished: leased for the moment it is stored, as the
 * engine stores one. 0 (also when another run holds it now), -1. */
static int store_job(struct stream *s, struct pjob *pj)
{
	struct db *db = s->r->db;
	const char *kind = provider_name(pj->p), *err = pj->error.len ? pj->error.data : NULL;
	struct db_job held;
	int n = db_jobs_lease(db, kind, s->r->params[pj->p], s->owner, LEASE_S, 0, pj->j.sol, 1,
			      &held);
	if (n <= 0)
		return n;
	int rc = db_job_finish(db, &pj->j, s->owner, pj->failed, err, pj->sugs, pj->nsugs);
	if (rc == 1 && pj->nsugs && summary_refresh(db, pj->j.sol) < 0)
		rc = -1;
	else if (rc == 1 && !pj->failed && providers[pj->p]->links &&
		 db_alignment_put(db, pj->j.sol, kind, pj->links, pj->nlinks) < 0)
		rc = -1;
	if (rc < 0)
		return -1;
	if (pj->failed) {
		s->pg->failed++;
		snprintf(s->pg->last_error, sizeof(s->pg->last_error), "%s", err ? err : "");
	} else {
		s->pg->done++;
	}
	return 0;
}

static void pjob_clear(struct pjob *pj)
{
	if (providers[pj->p]->free)
		providers[pj->p]->free(pj);
	for (size_t i = 0; i < pj->nreqs; i++)
		preq_free(&pj->reqs[i]);
	free(pj->reqs);
	free(pj->sugs);
	free(pj->links);
	buf_free(&pj->error);
	arena_free(&pj->a);
	db_solution_free(&pj->v);
}

/* One job, of solution v: what it asks until it finishes (stored) or waits on lines
 * (one of the round's jobs). 0, -1 a store error, -2 a line not written
 * (the reason in s->err). */
static int run_job(struct stream *s, int p, const struct db_job *j, struct db_solution *v)
{
	const struct provider_ops *ops = providers[p];
	struct pjob pj;
	memset(&pj, 0, sizeof(pj));
	pj.j = *j;
	pj.p = p;
	pj.fc = s->r->fc;
	pj.ep = fconf_first(s->r->fc, p);
	pj.tmpl = s->tmpl[p];
	/* every job of p asks fconf_first's endpoint: its %g once a run */
	_Static_assert(sizeof(pj.samp) == sizeof(s->samp[p]), "pjob.samp's size");
	memcpy(pj.samp, s->samp[p], sizeof(pj.samp));
	int waits = 0, rc = 0;
	pj.v = *v; /* its texts are pj's now (pjob_clear frees them) */
	memset(v, 0, sizeof(*v));
	if (!pj.v.id)
		pjob_fail(&pj, "the solution is not in the store");
	else
		ops->start(&pj);
	while (!pj.done) {
		for (size_t i = 0; i < pj.nreqs; i++) { /* the written sets' misses at once */
			uint64_t k = hset_key(pj.reqs[i].hash);
			for (int g = 0; g < 2; g++)
				hset_prefetch_key(&s->seen[g], k);
		}
		for (size_t i = 0; i < pj.nreqs && rc == 0 && !pj.done; i++) {
			int a = ask(s, &pj, &pj.reqs[i]);
			rc = a < 0 ? a : 0;
			waits |= a > 0;
		}
		for (size_t i = 0; i < pj.nreqs; i++)
			preq_free(&pj.reqs[i]);
		pj.nreqs = 0;
		if (rc < 0 || waits || pj.done)
			break;
		if (ops->next)
			ops->next(&pj);
		if (!pj.nreqs && !pj.done)
			pjob_fail(&pj, "internal: the provider asked nothing and did not finish");
	}
	if (rc == 0 && waits) /* a line of the round names it: its round */
		batch_job(s->r->out, j->id);
	if (rc == 0 && pj.done) {
		if ((rc = store_job(s, &pj)) < 0)
			snprintf(s->err, s->errlen, "cannot store a job: %s", db_errmsg(s->r->db));
	} else if (rc == 0) {
		s->pg->deferred++;
		/* the tokens of the replies it took count now; the replies
		 * count again when it takes them in the next round */
		pj.j.requests = pj.j.cached = 0;
		if (pj.j.tokens && db_job_book(s->r->db, &pj.j) < 0) {
			snprintf(s->err, s->errlen, "cannot store a job: %s", db_errmsg(s->r->db));
			rc = -1;
		}
	}
	if (!s->samp[p][0])
		memcpy(s->samp[p], pj.samp, sizeof(pj.samp));
	pjob_clear(&pj);
	return rc;
}

/* Provider p's jobs a window at a time. 0 when none is left, 1 when
 * tick stopped it, -1 or -2 as run_job (s->err). */
static int stream_provider(struct stream *s, int p, struct db_job *win,
			   struct db_solution *sols)
{
	const struct batch_run *r = s->r;
	int64_t ids[BATCH_WINDOW];
	int64_t after = 0;
	long taken = 0;
	for (;;) {
		int want = BATCH_WINDOW;
		if (r->limit > 0 && want > r->limit - taken)
			want = (int)(r->limit - taken);
		if (want <= 0)
			return 0;
		if (db_begin(r->db) < 0) {
			snprintf(s->err, s->errlen, "cannot write the store: %s", db_errmsg(r->db));
			return -1;
		}
		/* the window's transaction holds the store: an empty cache
		 * stays empty (the stream only stamps replies it takes) */
		s->nocache = db_cache_any(r->db) == 0;
		int n = db_batch_queued(r->db, provider_name(p), r->params[p], after, r->sol,
					r->dataset, want, win), rc = 0;
		/* the window's solutions in two statements, not two a job */
		for (int i = 0; i < n; i++)
			ids[i] = win[i].sol;
		arena_reset(&s->texts);
		if (n > 0 && db_solutions_texts(r->db, ids, (size_t)n, sols, &s->texts) < 0)
			n = -1;
		if (n < 0)
			snprintf(s->err, s->errlen, "cannot read the jobs: %s", db_errmsg(r->db));
		for (int i = 0; i < n && rc == 0; i++)
			rc = run_job(s, p, &win[i], &sols[i]);
		for (int i = 0; i < n; i++) /* those a failure left unrun */
			db_solution_free(&sols[i]);
		if (n < 0 || rc < 0 || db_commit(r->db) < 0) {
			if (n >= 0 && rc == 0)
				snprintf(s->err, s->errlen, "cannot write the store: %s",
					 db_errmsg(r->db));
			db_rollback(r->db);
			return rc < 0 ? rc : -1;
		}
		if (n == 0)
			return 0;
		taken += n;
		after = win[n - 1].sol;
		if (r->tick && r->tick(r->ctx))
			return 1;
		if (n < want)
			return 0;
	}
}

int batch_stream(const struct batch_run *r, struct fetch_progress *pg, char *err, size_t n)
{
	struct stream s = {.r = r, .pg = pg, .err = err, .errlen = n};
	struct db_job *win = xcalloc(BATCH_WINDOW, sizeof(*win));
	struct db_solution *sols = xcalloc(BATCH_WINDOW, sizeof(*sols));
	int rc = 0;
	memset(pg, 0, sizeof(*pg));
	owner_make(s.owner, sizeof(s.owner), (unsigned long)(mono_ms() * 1000.0));
	for (int p = 0; p < nproviders && rc == 0; p++) {
		if (!(r->mask >> p & 1) || !r->params[p])
			continue;
		if (fconf_uses_template(r->fc, p) &&
		    !(s.tmpl[p] = prompt_template(r->fc, p, err, n)))
			rc = -2;
		else
			rc = stream_provider(&s, p, win, sols);
	}
	for (int p = 0; p < P_MAX; p++)
		free(s.tmpl[p]);
	hset_free(&s.seen[0]);
	hset_free(&s.seen[1]);
	arena_free(&s.a);
	arena_free(&s.texts);
	buf_free(&s.body);
	free(win);
	free(sols);
	return rc;
}
