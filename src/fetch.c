/* fetch.c - the background engine */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "owner.h"
#include "fetch.h"
#include "fetch_loop.h"
#include "json.h"
#include "oai.h"
#include "prompt.h"
#include "prov.h"
#include "reqset.h"
#include "summary.h"

#define LEASE_S 120.0       /* a job's lease; renewed every RENEW_S */
#define RENEW_S 30.0
#define MAX_BODY (64u << 20)
#define FLUSH_MS 100.0      /* finished jobs wait at most this to be stored */

struct ajob;

/* One request waiting to be sent, or being sent. Each holds one of its
 * job's outstanding requests until it is answered, fails or is dropped
 * (released). Identical requests of other jobs wait as its twins and
 * get its reply: one request in flight per distinct body. */
struct pending_req {
	struct ajob *aj;
	struct preq rq;
	int attempts;
	double not_before;      /* ms, monotonic */
	struct pending_req *next;      /* in the queue, or among a leader's twins */
	struct pending_req *hnext;     /* in the table of requests asked */
	struct pending_req *twins;
	int registered;         /* in the table: the leader of its hash */
	int released;           /* its job's outstanding count is given back */
	int settled;            /* answered, failed or dropped */
	int nocache;            /* the cached reply did not pass: send it */
	int missed;             /* the store's cache had no reply for it */
	struct buf hit;         /* the reply the store's cache had for it */
	/* a request cut into single-choice parts for an endpoint that does
	 * not take n: the parts point at it, it gathers their replies */
	struct pending_req *group;
	int slot;
	struct buf *parts;
	int nparts, parts_left, members;
};

struct xfer {
	struct pending_req *pd;
	int ep;
	CURL *h;
	struct buf resp;
	char ra_ms[32], ra[64];
	/* x-ratelimit-remaining/reset-requests/tokens */
	char rl_req[24], rl_req_reset[32], rl_tok[24], rl_tok_reset[32], rl_req_limit[24];
	char errbuf[CURL_ERROR_SIZE];
	int too_big;
	int sent;               /* times libcurl sent the request (it re-sends
				 * on a connection found dead) */
	struct xfer *next, *prev; /* the transfers running */
};

struct ajob {
	struct pjob pj;
	const struct provider_ops *ops;
	int outstanding;        /* requests not answered */
	int inflight;           /* transfers running */
	int dead;               /* finished (or failed): responses are dropped */
	int written;            /* its outcome is in the store */
	struct ajob *next;
};

struct epstate {
	int short_replies;      /* replies with fewer choices than asked for */
	int no_n;               /* the server refused n > 1: parts are sent */
	/* the budget the server's x-ratelimit headers gave: requests and
	 * tokens left until a time (ms, monotonic); 0 until: not known */
	long rl_req_left, rl_tok_left, rl_req_limit;
	int replied;            /* a reply came back: full concurrency from now */
	double rl_req_until, rl_tok_until;
	int inflight;
	struct curl_slist *headers;
	char *base;             /* the API base, and the server's root */
	char *root;
};

struct fetch {
	struct db *db;
	const struct fconf *fc;
	unsigned mask;
	/* what the command selected (0: everything) and what was leased */
	int64_t sel_dataset, sel_sol;
	long sel_limit;
	long leased[P_MAX];
	char *paid;             /* the mark of what a batch runner answered */
	char *params[P_MAX];
	char *tmpl[P_MAX];
	char owner[128];
	CURLM *multi;
	struct fetch_loop *loop;        /* its sockets and timers */
	struct epstate *eps;
	CURL **idle_handles;
	size_t nidle;
	struct pending_req *queue, *queue_tail; /* to send, oldest first */
	struct pending_req **live;     /* leaders by request hash, chained */
	size_t nlive, caplive;
	struct ajob *jobs;
	int njobs, target;
	int64_t prefer;
	int prefer_taken;
	double drained_at;      /* ms when the queue was last found empty */
	int drained;
	struct replies puts;     /* replies not in the store's cache yet */
	int unwritten;          /* finished jobs not stored yet */
	int late;               /* stored jobs with costs not stored yet */
	double last_flush, last_renew;
	struct fetch_progress prog;
	struct xfer *xfers;
	uint64_t rng;
	struct arena a;         /* response trees, reset each pass */
	struct buf scratch;
	int stopped;
	int reading;            /* in lease_more's read transaction */
};

struct fetch *fetch_new(struct db *db, const struct fconf *fc, unsigned mask,
			char *err, size_t errlen)
{
	static int curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			snprintf(err, errlen, "cannot start libcurl");
			return NULL;
		}
		curl_ready = 1;
	}
	struct fetch *f = xcalloc(1, sizeof(*f));
	f->db = db;
	f->fc = fc;
	f->mask = mask;
	for (int p = 0; p < nproviders; p++) {
		if (!(mask >> p & 1))
			continue;
		f->params[p] = fconf_params(fc, p, err, errlen);
		if (!f->params[p])
			goto fail;
		if (fconf_uses_template(fc, p) && !(f->tmpl[p] = prompt_template(fc, p, err, errlen)))
			goto fail;
	}
	f->rng = ((uint64_t)mono_ms() * 2654435761u) ^ ((uint64_t)getpid() << 32) ^ 1;
	owner_make(f->owner, sizeof(f->owner), (unsigned long)(f->rng & 0xffffffff));
	f->multi = curl_multi_init();
	f->loop = floop_new(f->multi);
	f->eps = xcalloc(fc->neps + 1, sizeof(*f->eps));
	long total = 0;
	for (size_t i = 0; i < fc->neps; i++) {
		const struct endpoint *e = &fc->eps[i];
		struct epstate *s = &f->eps[i];
		int used = 0;
		for (int p = 0; p < nproviders; p++)
			used |= (mask >> p & 1) && fconf_endpoint_ok(fc, i, p);
		if (!used)
			continue;
		total += e->concurrency;
		s->headers = curl_slist_append(NULL, "Content-Type: application/json");
		s->headers = curl_slist_append(s->headers, "Expect:");
		if (e->key) {
			struct buf h = {0};
			buf_printf(&h, "Authorization: Bearer %s", e->key);
			s->headers = curl_slist_append(s->headers, h.data);
			memset(h.data, 0, h.len);
			buf_free(&h);
		}
		s->base = xstrdup(e->url);
		s->root = xstrdup(e->url);
		size_t n = strlen(s->root);
		if (n > 3 && !strcmp(s->root + n - 3, "/v1"))
			s->root[n - 3] = '\0';
	}
	f->target = (int)(total * 2 < 4096 ? total * 2 : 4096);
	for (int p = 0; p < nproviders; p++)
		if (mask >> p & 1 && !provider_online(p)) {
			f->target += 64;
			break;
		}
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, total + 8);
	f->last_renew = f->last_flush = mono_ms();
	if (db_begin(db) == 0) {
		db_jobs_reclaim(db, owner_dead);
		db_commit(db);
	}
	return f;
fail:
	for (int p = 0; p < nproviders; p++) {
		free(f->params[p]);
		free(f->tmpl[p]);
	}
	free(f);
	return NULL;
}

const char *fetch_params(struct fetch *f, int p)
{
	return f->params[p];
}

long fetch_enqueue(struct fetch *f, int p, int64_t dataset, int64_t sol, long limit)
{
	if (!f->params[p])
		return 0;
	/* links need a reference, a trace's questions a trace: no job elsewhere */
	unsigned need = (providers[p]->traces_only ? JOBS_TRACES : 0) |
			(providers[p]->links ? JOBS_REFERENCE : 0);
	long n = db_jobs_enqueue(f->db, provider_name(p), f->params[p], dataset, sol, limit, need);
	if (n > 0)
		f->drained = 0;
	return n;
}

void fetch_select(struct fetch *f, int64_t dataset, int64_t sol, long limit)
{
	f->sel_dataset = dataset;
	f->sel_sol = sol;
	f->sel_limit = limit;
}

/* whether p (or a twin waiting on it) asks for solution sol */
static int pend_for(const struct pending_req *p, int64_t sol)
{
	if (p->group)
		return pend_for(p->group, sol);
	if (p->aj->pj.j.sol == sol)
		return 1;
	for (const struct pending_req *t = p->twins; t; t = t->next)
		if (t->aj->pj.j.sol == sol)
			return 1;
	return 0;
}

void fetch_prefer(struct fetch *f, int64_t sol)
{
	if (f->prefer == sol)
		return;
	f->prefer = sol;
	f->prefer_taken = 0;
	/* requests of that solution's active jobs go to the front */
	struct pending_req **pp = &f->queue, *front = NULL, **ft = &front, *last = NULL;
	while (*pp) {
		struct pending_req *p = *pp;
		if (pend_for(p, sol)) {
			*pp = p->next;
			p->next = NULL;
			*ft = p;
			ft = &p->next;
		} else {
			last = p;
			pp = &p->next;
		}
	}
	f->queue_tail = last;
	if (front) {
		*ft = f->queue;
		f->queue = front;
		if (!f->queue_tail) {
			struct pending_req *t = front;
			while (t->next)
				t = t->next;
			f->queue_tail = t;
		}
	}
}

void fetch_paid(struct fetch *f, const char *mark)
{
	free(f->paid);
	f->paid = mark ? xstrdup(mark) : NULL;
}

/* ---- the request queue ---- */

static void push(struct fetch *f, struct pending_req *p, int front)
{
	p->next = NULL;
	if (!f->queue) {
		f->queue = f->queue_tail = p;
	} else if (front) {
		p->next = f->queue;
		f->queue = p;
	} else {
		f->queue_tail->next = p;
		f->queue_tail = p;
	}
}

/* The table of leaders: the one request in the queue or in flight for
 * each distinct body. */
static struct pending_req **live_slot(struct fetch *f, const char *hash)
{
	return &f->live[hash64(hash, 32, 0x11fe) & (f->caplive - 1)];
}

static struct pending_req *live_find(struct fetch *f, const char *hash)
{
	if (!f->caplive)
		return NULL;
	for (struct pending_req *p = *live_slot(f, hash); p; p = p->hnext)
		if (!memcmp(p->rq.hash, hash, 32))
			return p;
	return NULL;
}

static void live_add(struct fetch *f, struct pending_req *p)
{
	if (f->nlive >= f->caplive) {
		size_t old = f->caplive;
		struct pending_req **was = f->live;
		f->caplive = old ? old * 2 : 256;
		f->live = xcalloc(f->caplive, sizeof(*f->live));
		for (size_t i = 0; i < old; i++)
			for (struct pending_req *q = was[i], *n; q; q = n) {
				n = q->hnext;
				struct pending_req **slot = live_slot(f, q->rq.hash);
				q->hnext = *slot;
				*slot = q;
			}
		free(was);
	}
	struct pending_req **slot = live_slot(f, p->rq.hash);
	p->hnext = *slot;
	*slot = p;
	p->registered = 1;
	f->nlive++;
}

static void live_del(struct fetch *f, struct pending_req *p)
{
	if (!p->registered)
		return;
	for (struct pending_req **pp = live_slot(f, p->rq.hash); *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	p->registered = 0;
	f->nlive--;
}

/* moves the requests the provider just asked for into the queue: one
 * already asked by another job waits on that one as its twin */
static void take_requests(struct fetch *f, struct ajob *aj)
{
	int front = aj->pj.j.sol == f->prefer;
	for (size_t i = 0; i < aj->pj.nreqs; i++) {
		struct pending_req *p = xcalloc(1, sizeof(*p));
		p->aj = aj;
		p->rq = aj->pj.reqs[i];
		aj->outstanding++;
		struct pending_req *lead = live_find(f, p->rq.hash);
		if (lead) {
			p->next = lead->twins;
			lead->twins = p;
		} else {
			live_add(f, p);
			push(f, p, front);
			/* the store's cache asked now, in the read transaction
			 * the jobs start in, not alone in dispatch */
			if (f->reading && db_cache_get(f->db, p->rq.hash, &p->hit) != 1)
				p->missed = 1;
		}
	}
	aj->pj.nreqs = 0;
}

static void job_done(struct fetch *f, struct ajob *aj)
{
	if (aj->dead)
		return;
	aj->dead = 1;
	f->unwritten++;
	if (aj->pj.failed) {
		f->prog.failed++;
		snprintf(f->prog.last_error, sizeof(f->prog.last_error), "%s",
			 aj->pj.error.data ? aj->pj.error.data : "");
	} else {
		f->prog.done++;
	}
}

/* after a response or at the start: more requests, or the outcome */
static void advance(struct fetch *f, struct ajob *aj)
{
	while (!aj->dead && !aj->pj.done && aj->outstanding == 0) {
		if (aj->ops->next)
			aj->ops->next(&aj->pj);
		if (aj->pj.nreqs)
			take_requests(f, aj);
		else if (!aj->pj.done)
			pjob_fail(&aj->pj, "internal: the provider asked nothing and did not finish");
	}
	if (aj->pj.done)
		job_done(f, aj);
}

static void fail_job(struct fetch *f, struct ajob *aj, const char *why)
{
	if (aj->dead)
		return;
	pjob_fail(&aj->pj, "%s", why);
	job_done(f, aj);
}

enum { FROM_NET, FROM_CACHE, FROM_TWIN };

/* Costs are booked to a job's counters, which the store adds to the
 * job's totals when it ends, when it goes back to the queue (Ctrl-C), or
 * at the next flush for costs that came after its end. */
static void spend_requests(struct fetch *f, struct ajob *aj, long n)
{
	aj->pj.j.requests += n;
	f->prog.requests += n;
	f->late |= aj->written;
}

/* the tokens of a reply's usage, booked to the job that paid for it */
static void spend_tokens(struct fetch *f, struct ajob *aj, const struct oai_resp *r)
{
	aj->pj.j.tokens += r->tokens_in + r->tokens_out;
	aj->pj.j.tokens_in += r->tokens_in;
	aj->pj.j.tokens_out += r->tokens_out;
	f->prog.tokens_in += r->tokens_in;
	f->prog.tokens_out += r->tokens_out;
	f->late |= aj->written;
}

static int has_costs(const struct db_job *j)
{
	return j->requests || j->cached || j->tokens || j->tokens_in || j->tokens_out;
}

/* the costs are in the store: the counters start again */
static void costs_booked(struct db_job *j)
{
	j->requests = j->cached = j->tokens = j->tokens_in = j->tokens_out = 0;
}

/* A reply no choice of which has content (the model spent its budget
 * reasoning): a job may take it, but it is not worth keeping. */
static int reply_empty(const struct preq *rq, const struct oai_resp *r)
{
	if (rq->kind == OAI_POOLING)
		return 0;
	for (size_t i = 0; i < r->nchoices; i++)
		if (r->choices[i].text || r->choices[i].top_logprobs)
			return 0;
	return 1;
}

/* A reply (from the network, the cache or a twin) for a request of aj,
 * read (r, which passed oai_check): gives back the job's outstanding
 * request, hands the reply to the provider. 0 taken; 1 taken but not for
 * the cache (empty, or refused: the job failed); -1 (nothing done) when
 * a reply from the cache is empty or refused: it is asked again. Its
 * tokens were booked where it was paid for (end_xfer), once. */
static int deliver(struct fetch *f, struct ajob *aj, const struct preq *rq,
		   const struct oai_resp *r, int from)
{
	int empty = reply_empty(rq, r);
	if (from == FROM_CACHE && empty) /* kept by an older stepmark */
		return -1;
	char why[400] = "";
	int took = aj->dead ? 0 : aj->ops->take(&aj->pj, rq, r, why, sizeof(why));
	if (took < 0 && from == FROM_CACHE)
		return -1;
	aj->outstanding--;
	if (from != FROM_NET) {
		aj->pj.j.cached++;
		f->late |= aj->written;
		if (from == FROM_CACHE)
			f->prog.cached++;
		else
			f->prog.shared++;
	}
	if (from == FROM_CACHE && f->paid && db_cache_take(f->db, rq->hash, f->paid) > 0)
		spend_tokens(f, aj, r);
	if (aj->dead)
		return empty;
	if (took < 0) {
		fail_job(f, aj, why);
		return 1;
	}
	advance(f, aj);
	return empty;
}

static void pend_destroy(struct pending_req *p)
{
	for (int i = 0; p->parts && i < p->nparts; i++)
		buf_free(&p->parts[i]);
	free(p->parts);
	preq_free(&p->rq);
	buf_free(&p->hit);
	free(p);
}

/* frees a twin, giving back its job's request */
static void twin_gone(struct pending_req *t)
{
	t->aj->outstanding--;
	pend_destroy(t);
}

/* p leaves the queue for good: out of the table, its job's request
 * given back; freed unless parts of it are still out */
static void settle(struct fetch *f, struct pending_req *p)
{
	live_del(f, p);
	if (!p->released) {
		p->aj->outstanding--;
		p->released = 1;
	}
	p->settled = 1;
	if (!p->parts || p->members == 0)
		pend_destroy(p);
}

/* Whether anyone still wants p's reply: its job, a twin's, or (for a
 * part) the request it is part of. */
static int wanted(const struct pending_req *p)
{
	if (p->group)
		return !p->group->settled && wanted(p->group);
	if (!p->aj->dead)
		return 1;
	for (const struct pending_req *t = p->twins; t; t = t->next)
		if (!t->aj->dead)
			return 1;
	return 0;
}

static void drop_pend(struct fetch *f, struct pending_req *p);

/* a part of a split request leaves */
static void part_gone(struct fetch *f, struct pending_req *c)
{
	struct pending_req *g = c->group;
	c->aj->outstanding--;
	pend_destroy(c);
	if (--g->members > 0)
		return;
	if (g->settled)
		pend_destroy(g);
	else
		drop_pend(f, g);
}

/* p and its twins are wanted by no one: they go without a word */
static void drop_pend(struct fetch *f, struct pending_req *p)
{
	if (p->group) {
		part_gone(f, p);
		return;
	}
	for (struct pending_req *t = p->twins, *n; t; t = n) {
		n = t->next;
		twin_gone(t);
	}
	p->twins = NULL;
	settle(f, p);
}

/* p failed for good: its job fails, and every job waiting on it */
static void fail_pend(struct fetch *f, struct pending_req *p, const char *why)
{
	if (p->group) {
		struct pending_req *g = p->group;
		if (!g->settled)
			fail_pend(f, g, why);
		part_gone(f, p);
		return;
	}
	fail_job(f, p->aj, why);
	for (struct pending_req *t = p->twins, *n; t; t = n) {
		n = t->next;
		fail_job(f, t->aj, why);
		twin_gone(t);
	}
	p->twins = NULL;
	settle(f, p);
}

static int combine_parts(struct fetch *f, struct pending_req *g);

/* A reply for p: it answers p and its twins (or, for a part, waits for
 * the other parts). read: the body as oai_check read it, if the caller
 * did (end_xfer: once per reply, not again here); the twins take the same
 * tree (the same request: the same kind and n). -1 when the body does
 * not pass (then p is as it was). */
static int answer(struct fetch *f, struct pending_req *p, const char *body, size_t len, int from,
		  const struct oai_resp *read)
{
	if (p->group) {
		/* the part goes first: the job may move on only once none of
		 * its requests is out */
		struct pending_req *g = p->group;
		int complete = 0;
		if (!g->settled) {
			buf_add(&g->parts[p->slot], body, len);
			complete = --g->parts_left == 0;
		}
		p->aj->outstanding--;
		pend_destroy(p);
		g->members--;
		if (complete) {
			if (combine_parts(f, g) < 0)
				fail_pend(f, g, "the single-sample replies do not make one reply");
		} else if (g->members == 0) {
			if (g->settled)
				pend_destroy(g);
			else
				drop_pend(f, g);
		}
		return 0;
	}
	struct oai_resp own;
	if (!read) {
		arena_reset(&f->a);
		if (oai_check(&f->a, p->rq.kind, 200, NULL, body, len, p->rq.n, &own) != OAI_OK)
			return -1;
		read = &own;
	}
	/* out of the table first: the provider's next requests may be
	 * the same body again, and must not wait on this one */
	live_del(f, p);
	int kept = deliver(f, p->aj, &p->rq, read, from);
	if (kept < 0) {
		live_add(f, p);
		return -1;
	}
	p->released = 1;
	if (from == FROM_NET && kept == 0) /* only a reply a job could use */
		replies_add(&f->puts, p->rq.hash, body, len);
	struct pending_req *t = p->twins;
	p->twins = NULL;
	while (t) {
		struct pending_req *n = t->next;
		if (deliver(f, t->aj, &t->rq, read, FROM_TWIN) < 0) {
			fail_job(f, t->aj, "internal: a shared reply did not pass");
			t->aj->outstanding--;
		}
		pend_destroy(t);
		t = n;
	}
	settle(f, p);
	return 0;
}

/* The body of part i of a request asking n choices: n 1, seed + i (the
 * seeds vLLM gives the samples of one request). NULL if unreadable. */
static char *part_body(const char *body, int i)
{
	struct arena a = {0};
	const struct jnode *root = jparse(&a, body, strlen(body));
	if (!root || root->type != J_OBJ) {
		arena_free(&a);
		return NULL;
	}
	struct buf b = {0};
	buf_putc(&b, '{');
	for (const struct jnode *m = root->child; m; m = m->next) {
		if (m != root->child)
			buf_putc(&b, ',');
		buf_json_str(&b, m->key, m->keylen);
		buf_putc(&b, ':');
		long long v;
		if (m->keylen == 1 && m->key[0] == 'n')
			buf_puts(&b, "1");
		else if (m->keylen == 4 && !memcmp(m->key, "seed", 4) && !jint(m, &v))
			buf_printf(&b, "%lld", v + i);
		else
			jwrite(&b, m);
	}
	buf_putc(&b, '}');
	arena_free(&a);
	return b.data;
}

/* Cuts p (n > 1) into n single-choice parts queued at the front; p
 * stays in the table, its twins waiting on it, until the parts answer. */
static int split(struct fetch *f, struct pending_req *p)
{
	int n = p->rq.n;
	char **bodies = xcalloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n; i++)
		if (!(bodies[i] = part_body(p->rq.body, i))) {
			while (i--)
				free(bodies[i]);
			free(bodies);
			return -1;
		}
	p->parts = xcalloc((size_t)n, sizeof(*p->parts));
	p->nparts = p->parts_left = p->members = n;
	for (int i = n - 1; i >= 0; i--) {
		struct pending_req *c = xcalloc(1, sizeof(*c));
		c->aj = p->aj;
		c->group = p;
		c->slot = i;
		c->rq.tag = p->rq.tag;
		c->rq.kind = p->rq.kind;
		c->rq.path = p->rq.path;
		c->rq.n = 1;
		c->rq.body = bodies[i];
		preq_hash(c->rq.path, c->rq.body, c->rq.hash);
		p->aj->outstanding++;
		push(f, c, 1);
	}
	free(bodies);
	return 0;
}

/* The parts' replies as one reply of n choices, answering g. */
static int combine_parts(struct fetch *f, struct pending_req *g)
{
	struct arena a = {0};
	struct buf b = {0};
	long long in = 0, out = 0;
	buf_puts(&b, "{\"object\":\"stepmark.parts\",\"choices\":[");
	int ok = 1;
	for (int i = 0; i < g->nparts && ok; i++) {
		const struct jnode *root = jparse(&a, g->parts[i].data ? g->parts[i].data : "",
						  g->parts[i].len);
		const struct jnode *ch = root ? jget(root, "choices") : NULL;
		if (!ch || ch->type != J_ARR || ch->len != 1 || ch->child->type != J_OBJ) {
			ok = 0;
			break;
		}
		buf_printf(&b, "%s{\"index\":%d", i ? "," : "", i);
		for (const struct jnode *m = ch->child->child; m; m = m->next) {
			if (m->keylen == 5 && !memcmp(m->key, "index", 5))
				continue;
			buf_putc(&b, ',');
			buf_json_str(&b, m->key, m->keylen);
			buf_putc(&b, ':');
			jwrite(&b, m);
		}
		buf_putc(&b, '}');
		const struct jnode *u = jget(root, "usage");
		long long v;
		if (u && !jint(jget(u, "prompt_tokens"), &v))
			in += v;
		if (u && !jint(jget(u, "completion_tokens"), &v))
			out += v;
	}
	buf_printf(&b, "],\"usage\":{\"prompt_tokens\":%lld,\"completion_tokens\":%lld}}", in, out);
	arena_free(&a);
	int rc = ok ? answer(f, g, b.data, b.len, FROM_NET, NULL) : -1;
	buf_free(&b);
	return rc;
}

/* ---- transfers ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (x->resp.len + n > MAX_BODY) {
		x->too_big = 1;
		return 0;
	}
	buf_add(&x->resp, ptr, n);
	return n;
}

/* Counts each time the request goes out: libcurl sends it again on a
 * fresh connection when a reused one turns out dead. The pre-request
 * callback, where libcurl has it (7.80), is called once per send; the
 * debug callback it replaces needed CURLOPT_VERBOSE, which had libcurl
 * format every line of its log for nothing (callgrind, bench/fetch). */
#if LIBCURL_VERSION_NUM >= 0x075000
static int on_prereq(void *ud, char *ip, char *local, int port, int local_port)
{
	(void)ip;
	(void)local;
	(void)port;
	(void)local_port;
	((struct xfer *)ud)->sent++;
	return CURL_PREREQFUNC_OK;
}
#else
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	(void)h;
	(void)data;
	(void)size;
	if (type == CURLINFO_HEADER_OUT)
		((struct xfer *)ud)->sent++;
	return 0;
}
#endif

static void header_value(const char *line, size_t n, const char *name, char *out,
			 size_t outlen)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	const char *v = line + k + 1;
	size_t vn = n - k - 1;
	while (vn && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
		vn--;
	snprintf(out, outlen, "%.*s", (int)vn, v);
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (n > 6 && !strncmp(ptr, "HTTP/", 5)) { /* a new response: 1xx, redirects */
		x->ra_ms[0] = x->ra[0] = '\0';
		x->rl_req[0] = x->rl_req_reset[0] = x->rl_tok[0] = x->rl_tok_reset[0] = '\0';
		x->rl_req_limit[0] = '\0';
		buf_reset(&x->resp);
	}
	header_value(ptr, n, "retry-after-ms", x->ra_ms, sizeof(x->ra_ms));
	header_value(ptr, n, "retry-after", x->ra, sizeof(x->ra));
	if (n > 12 && !strncasecmp(ptr, "x-ratelimit-", 12)) {
		header_value(ptr, n, "x-ratelimit-remaining-requests", x->rl_req, sizeof(x->rl_req));
		header_value(ptr, n, "x-ratelimit-limit-requests", x->rl_req_limit,
			     sizeof(x->rl_req_limit));
		header_value(ptr, n, "x-ratelimit-reset-requests", x->rl_req_reset,
			     sizeof(x->rl_req_reset));
		header_value(ptr, n, "x-ratelimit-remaining-tokens", x->rl_tok, sizeof(x->rl_tok));
		header_value(ptr, n, "x-ratelimit-reset-tokens", x->rl_tok_reset,
			     sizeof(x->rl_tok_reset));
	}
	return n;
}

/* Reads what the server's x-ratelimit headers say is left, counting
 * the requests still in flight to it as spent. */
static void rate_update(struct fetch *f, struct xfer *x)
{
	struct epstate *s = &f->eps[x->ep];
	double now = mono_ms(), d;
	char *end;
	long v;
	if (x->rl_req[0] && (v = strtol(x->rl_req, &end, 10)) >= 0 && !*end &&
	    (d = oai_duration(x->rl_req_reset)) >= 0) {
		/* a margin: servers round the time left down */
		double until = now + d * 1000 * 1.02 + 25;
		long left = v - s->inflight;
		/* replies of one window can be read out of order: an older one
		 * never gives back what a newer one spent */
		if (s->rl_req_until > now && until <= s->rl_req_until + 100) {
			if (left < s->rl_req_left)
				s->rl_req_left = left;
		} else {
			s->rl_req_left = left;
			s->rl_req_until = until;
		}
		if ((v = strtol(x->rl_req_limit, &end, 10)) > 0 && !*end)
			s->rl_req_limit = v;
	}
	if (x->rl_tok[0] && (v = strtol(x->rl_tok, &end, 10)) >= 0 && !*end &&
	    (d = oai_duration(x->rl_tok_reset)) >= 0) {
		s->rl_tok_left = v;
		s->rl_tok_until = now + d * 1000 * 1.02 + 25;
	}
}

/* When the endpoint's budget allows a request again: 0 now. A window
 * that has ended starts with the whole limit, the requests still in
 * flight spent (they may land in it), until a reply says more. */
static double rate_wait(struct fetch *f, size_t i, double now)
{
	struct epstate *s = &f->eps[i];
	double until = 0;
	if (s->rl_req_until && s->rl_req_until <= now && s->rl_req_limit > 0) {
		s->rl_req_left = s->rl_req_limit - s->inflight;
		s->rl_req_until = now + 60000;
	}
	if (s->rl_req_until > now && s->rl_req_left <= 0)
		until = s->rl_req_until;
	if (s->rl_tok_until > now && s->rl_tok_left < f->fc->eps[i].max_tokens &&
	    s->rl_tok_until > until)
		until = s->rl_tok_until;
	return until;
}

/* the endpoint with the most room that serves p, or -1 */
static int pick_endpoint(struct fetch *f, int p)
{
	int best = -1;
	double best_load = 1, now = mono_ms();
	for (size_t i = 0; i < f->fc->neps; i++) {
		const struct endpoint *e = &f->fc->eps[i];
		if (!fconf_endpoint_ok(f->fc, i, p) || rate_wait(f, i, now) > 0)
			continue;
		/* one request first: its reply may announce a rate limit */
		if (!f->eps[i].replied && f->eps[i].inflight > 0)
			continue;
		double load = (double)f->eps[i].inflight / e->concurrency;
		if (load < best_load) {
			best_load = load;
			best = (int)i;
		}
	}
	return best;
}

/* the job a request's cost is booked to: its own, or while that one is
 * over, a job still waiting on it */
static struct ajob *payer(struct pending_req *p)
{
	if (p->group)
		return payer(p->group);
	if (!p->aj->dead)
		return p->aj;
	for (struct pending_req *t = p->twins; t; t = t->next)
		if (!t->aj->dead)
			return t->aj;
	return p->aj;
}

/* A new handle with what every transfer sets the same: a handle back
 * from a transfer keeps them (not reset), and gets only what changes */
static CURL *new_handle(void)
{
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "stepmark/" PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075000
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
#else
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
#endif
	return h;
}

static void start_xfer(struct fetch *f, struct pending_req *p, int ep)
{
	const struct endpoint *e = &f->fc->eps[ep];
	struct epstate *s = &f->eps[ep];
	struct xfer *x = xcalloc(1, sizeof(*x));
	x->pd = p;
	x->ep = ep;
	x->h = f->nidle ? f->idle_handles[--f->nidle] : new_handle();
	CURL *h = x->h;
	buf_reset(&f->scratch);
	buf_printf(&f->scratch, "%s/%s", !strcmp(p->rq.path, "pooling") ? s->root : s->base,
		   p->rq.path);
	curl_easy_setopt(h, CURLOPT_URL, f->scratch.data);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->rq.body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(p->rq.body));
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, e->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, e->connect_timeout_ms);
#if LIBCURL_VERSION_NUM >= 0x075000
	curl_easy_setopt(h, CURLOPT_PREREQDATA, x);
#else
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, x);
#endif
	curl_multi_add_handle(f->multi, h);
	x->next = f->xfers;
	if (f->xfers)
		f->xfers->prev = x;
	f->xfers = x;
	s->inflight++;
	s->rl_req_left--;
	p->aj->inflight++;
	p->attempts++;
	f->prog.inflight++;
	spend_requests(f, payer(p), 1); /* counted as it goes: Ctrl-C may come */
}

static void end_xfer(struct fetch *f, struct xfer *x, CURLcode cc)
{
	struct pending_req *p = x->pd;
	struct ajob *aj = p->aj;
	const struct endpoint *e = &f->fc->eps[x->ep];
	long status = 0;
	curl_multi_remove_handle(f->multi, x->h);
	if (x->prev)
		x->prev->next = x->next;
	else
		f->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	if (cc == CURLE_OK)
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	f->eps[x->ep].inflight--;
	aj->inflight--;
	f->prog.inflight--;
	rate_update(f, x);
	f->eps[x->ep].replied = 1;
	char transport[300];
	if (x->too_big)
		snprintf(transport, sizeof(transport), "the response is larger than %u MB",
			 MAX_BODY >> 20);
	else
		snprintf(transport, sizeof(transport), "%s", x->errbuf[0] ? x->errbuf :
			 curl_easy_strerror(cc));
	arena_reset(&f->a);
	struct oai_resp r;
	int v = oai_check(&f->a, p->rq.kind, cc == CURLE_OK ? status : 0, transport,
			  x->resp.data, x->resp.len, p->rq.n, &r);
	/* what was sent is paid for, whatever came of it: the requests (once
	 * more each time libcurl sent it again), and the tokens of the reply's
	 * usage (a reply from the cache or shared with a twin cost nothing
	 * more) */
	struct ajob *pay = payer(p);
	if (x->sent > 1) { /* counted once when sent */
		spend_requests(f, pay, x->sent - 1);
		f->prog.resent += x->sent - 1;
	}
	spend_tokens(f, pay, &r);
	struct epstate *es = &f->eps[x->ep];
	if (!wanted(p)) {
		drop_pend(f, p);
	} else if (v == OAI_OK) {
		answer(f, p, x->resp.data ? x->resp.data : "", x->resp.len, FROM_NET, &r);
	} else if (r.no_n && p->rq.n > 1 && !p->group && split(f, p) == 0) {
		if (!es->no_n) {
			char clean[120];
			oai_clean(clean, sizeof(clean), r.why, 80, e->key);
			snprintf(f->prog.notice, sizeof(f->prog.notice),
				 "endpoint %s refuses n > 1: single samples with seeds seed+i sent "
				 "instead (its max-n 1 skips the first try); the server said: %s",
				 e->name, clean);
			f->prog.notices++;
		}
		es->no_n = 1;
	} else if (v == OAI_RETRY && p->attempts <= e->retries) {
		es->short_replies += r.short_reply;
		double ra = oai_retry_after(x->ra_ms, x->ra);
		double wait = ra >= 0 ? ra * 1000 : oai_backoff(p->attempts, 500, 30000, &f->rng);
		p->not_before = mono_ms() + wait;
		f->prog.retries++;
		snprintf(f->prog.last_error, sizeof(f->prog.last_error), "retrying: %.180s", r.why);
		push(f, p, 1);
	} else {
		char why[700], clean[400], hint[160] = "";
		oai_clean(clean, sizeof(clean), r.why, 360, e->key);
		es->short_replies += r.short_reply;
		/* the hint only when the endpoint keeps answering short */
		if (r.short_reply && es->short_replies >= 2)
			snprintf(hint, sizeof(hint), "; the server seems to ignore n: set endpoint "
				 "%s's max-n to 1", e->name);
		else if (oai_hint(r.why, p->rq.kind))
			snprintf(hint, sizeof(hint), "; set endpoint %s %s", e->name,
				 oai_hint(r.why, p->rq.kind));
		snprintf(why, sizeof(why), "%s%s (endpoint %s, %d attempt%s)%s",
			 v == OAI_RETRY ? "gave up: " : "", clean, e->name, p->attempts,
			 p->attempts == 1 ? "" : "s", hint);
		fail_pend(f, p, why);
	}
	buf_free(&x->resp);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, NULL); /* x goes */
	f->idle_handles = xrealloc(f->idle_handles, (f->nidle + 1) * sizeof(CURL *));
	f->idle_handles[f->nidle++] = x->h;
	free(x);
}

/* sends what can be sent; answers what the cache knows */
static void dispatch(struct fetch *f)
{
	double now = mono_ms();
	struct pending_req **pp = &f->queue, *prev = NULL;
	struct buf cached = {0};
	unsigned full = 0; /* providers with no endpoint room */
	while (*pp) {
		struct pending_req *p = *pp;
		int prov = p->aj->pj.p;
		if (!wanted(p)) { /* a failed job's requests go, the tail kept right */
			*pp = p->next;
			if (!*pp)
				f->queue_tail = prev;
			drop_pend(f, p);
			continue;
		}
		/* a reply the cache has needs no room: a request not looked
		 * up yet is, before it waits for room */
		if (p->not_before > now || ((full >> prov & 1) && !p->hit.len &&
					    (p->missed || p->nocache || p->attempts))) {
			prev = p;
			pp = &p->next;
			continue;
		}
		int ep = -1;
		const struct reply *put = p->nocache ? NULL : replies_find(&f->puts, p->rq.hash);
		/* the store asked once: a request waiting for room is met
		 * again on every pass */
		int hit = !p->nocache && p->attempts == 0 &&
			  (put || p->hit.len || (!p->missed && db_cache_get(f->db, p->rq.hash, &cached)));
		p->missed |= !hit;
		if (put) { /* received this run, not stored yet */
			buf_reset(&cached);
			buf_add(&cached, put->body.data, put->body.len);
		} else if (p->hit.len) { /* found as its job started */
			buf_free(&cached);
			cached = p->hit;
			p->hit = (struct buf){0};
		}
		if (!hit) {
			ep = pick_endpoint(f, prov);
			if (ep < 0) {
				full |= 1u << prov;
				prev = p;
				pp = &p->next;
				continue;
			}
		}
		*pp = p->next; /* unlink */
		if (!*pp)
			f->queue_tail = prev;
		if (hit && answer(f, p, cached.data, cached.len, FROM_CACHE, NULL) == 0) {
			; /* answered, with its twins */
		} else if (hit) { /* a cached body that no longer passes: ask again */
			p->nocache = 1;
			push(f, p, 1);
		} else if (p->rq.n > 1 && !p->group && f->eps[ep].no_n && split(f, p) == 0) {
			; /* its parts are at the front of the queue */
		} else {
			start_xfer(f, p, ep);
		}
		pp = prev ? &prev->next : &f->queue;
	}
	buf_free(&cached);
}

/* ---- jobs ---- */

static void free_ajob(struct ajob *aj)
{
	if (aj->ops->free)
		aj->ops->free(&aj->pj);
	for (size_t i = 0; i < aj->pj.nreqs; i++)
		preq_free(&aj->pj.reqs[i]);
	free(aj->pj.reqs);
	free(aj->pj.sugs);
	free(aj->pj.links);
	buf_free(&aj->pj.error);
	arena_free(&aj->pj.a);
	db_solution_free(&aj->pj.v);
	free(aj);
}

static void start_job(struct fetch *f, int p, const struct db_job *j)
{
	struct ajob *aj = xcalloc(1, sizeof(*aj));
	aj->pj.j = *j;
	aj->pj.p = p;
	aj->pj.fc = f->fc;
	aj->pj.ep = fconf_first(f->fc, p);
	aj->pj.tmpl = f->tmpl[p];
	aj->ops = providers[p];
	aj->next = f->jobs;
	f->jobs = aj;
	f->njobs++;
	/* what its requests are made of: the problem and steps (a
	 * provider reads no labels or suggestions) */
	if (db_solution_texts(f->db, j->sol, &aj->pj.v) != 1) {
		fail_job(f, aj, "the solution is not in the store");
		return;
	}
	aj->ops->start(&aj->pj);
	if (aj->pj.nreqs)
		take_requests(f, aj);
	if (aj->pj.done)
		job_done(f, aj);
	else if (!aj->outstanding)
		advance(f, aj);
}

static void lease_more(struct fetch *f)
{
	double now = mono_ms();
	/* finished jobs waiting to be stored (flush) leave room, up to half
	 * the target: counted as work, they kept the queue short of a lease
	 * until the next flush, and the transfers below concurrency */
	int room = f->target - f->njobs +
		   (f->unwritten < f->target / 2 ? f->unwritten : f->target / 2);
	int want_pref = f->prefer && !f->prefer_taken;
	if (!want_pref && (room < f->target / 2 || room <= 0))
		return;
	if (!want_pref && f->drained && now - f->drained_at < 2000)
		return;
	/* room, plus the one job per provider the solution on screen has */
	struct db_job *got = xmalloc(((size_t)(room > 0 ? room : 0) + (size_t)nproviders) * sizeof(*got));
	if (db_begin(f->db) < 0) {
		free(got);
		return; /* busy: next pass */
	}
	int total = 0, from[P_MAX + 1] = {0};
	for (int p = 0; p < nproviders; p++) {
		from[p] = total;
		if (!f->params[p] || total < 0)
			continue;
		int n = 0, m = 0, want = room - total;
		/* only what the command selected: its data set, its solution,
		 * at most its limit of jobs per provider */
		if (f->sel_limit > 0 && want > f->sel_limit - f->leased[p])
			want = (int)(f->sel_limit - f->leased[p]);
		if (want_pref && want > 0)
			n = db_jobs_lease(f->db, provider_name(p), f->params[p], f->owner,
					  LEASE_S, 0, f->prefer, 1, got + total);
		if (n >= 0 && want - n > 0)
			m = f->sel_sol ? db_jobs_lease(f->db, provider_name(p), f->params[p], f->owner,
						       LEASE_S, 0, f->sel_sol, 1, got + total + n) :
			    db_jobs_lease(f->db, provider_name(p), f->params[p], f->owner,
					  LEASE_S, f->sel_dataset, 0, want - n, got + total + n);
		if (n > 0 || m > 0)
			f->leased[p] += (n > 0 ? n : 0) + (m > 0 ? m : 0);
		total = n < 0 || m < 0 ? -1 : total + n + m;
	}
	if (total < 0 || db_commit(f->db) < 0) {
		db_rollback(f->db);
		free(got);
		return;
	}
	from[nproviders] = total;
	f->prefer_taken = 1;
	/* their solutions' texts and their requests' replies in the store's
	 * cache read in one transaction: the store's read locks taken once,
	 * not twice per job (4 + 2 fcntl calls, strace) */
	int rd = db_read_begin(f->db);
	f->reading = rd > 0;
	for (int p = 0; p < nproviders; p++)
		for (int k = from[p]; k < from[p + 1]; k++)
			start_job(f, p, &got[k]);
	f->reading = 0;
	db_read_end(f->db, rd);
	if (total == 0) {
		f->drained = 1;
		f->drained_at = now;
	} else {
		f->drained = 0;
	}
	free(got);
}

/* stores finished jobs and new cache entries in one transaction */
static void flush(struct fetch *f, int force)
{
	double now = mono_ms();
	if (!f->unwritten && !f->puts.n && !f->late)
		return;
	if (!force && f->unwritten < 64 && now - f->last_flush < FLUSH_MS)
		return;
	if (db_begin(f->db) < 0)
		return; /* the store is busy: try again next pass */
	int ok = 1;
	for (size_t i = 0; i < f->puts.n && ok; i++)
		ok = db_cache_put(f->db, f->puts.v[i].hash, f->puts.v[i].body.data,
				  f->puts.v[i].body.len) == 0;
	for (struct ajob *aj = f->jobs; aj && ok; aj = aj->next) {
		if (!aj->dead)
			continue;
		struct pjob *pj = &aj->pj;
		if (aj->written) { /* costs that came after its end */
			ok = !has_costs(&pj->j) || db_job_book(f->db, &pj->j) == 0;
			continue;
		}
		const char *err = pj->error.len ? pj->error.data : NULL;
		int rc = db_job_finish(f->db, &pj->j, f->owner, pj->failed, err, pj->sugs,
				       pj->nsugs);
		if (rc < 0)
			ok = 0;
		else if (rc == 0) /* the lease was lost; what it cost still counts */
			ok = db_job_book(f->db, &pj->j) == 0;
		else if (rc == 1 && pj->nsugs && summary_refresh_texts(f->db, &pj->v) < 0)
			ok = 0;
		else if (rc == 1 && !pj->failed && providers[pj->p]->links &&
			 db_alignment_put(f->db, pj->j.sol, provider_name(pj->p), pj->links,
					  pj->nlinks) < 0)
			ok = 0;
	}
	if (!ok || db_commit(f->db) < 0) {
		db_rollback(f->db);
		return;
	}
	f->prog.stored_at = now;
	replies_clear(&f->puts);
	f->late = 0;
	/* written jobs leave once their transfers are over */
	struct ajob **pp = &f->jobs;
	while (*pp) {
		struct ajob *aj = *pp;
		if (aj->dead && !aj->written) {
			aj->written = 1;
			f->unwritten--;
		}
		if (aj->dead)
			costs_booked(&aj->pj.j);
		if (aj->written && !aj->inflight && !aj->outstanding) {
			*pp = aj->next;
			f->njobs--;
			free_ajob(aj);
		} else {
			pp = &aj->next;
		}
	}
	f->last_flush = now;
}

static void reap(struct fetch *f)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(f->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct xfer *x;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		end_xfer(f, x, m->data.result);
	}
}

int fetch_work(struct fetch *f, double budget_ms)
{
	if (f->stopped)
		return 0;
	double t0 = mono_ms();
	floop_run(f->loop);
	reap(f);
	if (mono_ms() - t0 < budget_ms)
		lease_more(f);
	dispatch(f);
	floop_run(f->loop); /* the transfers just added start */
	flush(f, 0);
	if (mono_ms() - f->last_renew > RENEW_S * 1000) {
		if (db_begin(f->db) == 0) {
			db_jobs_renew(f->db, f->owner, LEASE_S);
			db_jobs_reclaim(f->db, owner_dead);
			db_commit(f->db);
		}
		f->last_renew = mono_ms();
	}
	f->prog.active = f->njobs;
	return f->njobs > 0 || f->unwritten || f->puts.n || !f->drained;
}

int fetch_timeout(struct fetch *f)
{
	double now = mono_ms(), next = now + 1000;
	/* a request ready now waits for a transfer to end (the poll wakes
	 * on that); one waiting to retry, for its time */
	for (struct pending_req *p = f->queue; p; p = p->next)
		if (p->not_before > now && p->not_before < next)
			next = p->not_before;
	if (f->unwritten || f->puts.n)
		next = next < f->last_flush + FLUSH_MS ? next : f->last_flush + FLUSH_MS;
	for (size_t i = 0; f->queue && i < f->fc->neps; i++) { /* a budget's reset */
		double until = rate_wait(f, i, now);
		if (until > now && until < next)
			next = until;
	}
	if (!f->drained && f->njobs < f->target / 2)
		next = now;
	long ms = (long)(next - now);
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

int fetch_wait(struct fetch *f, const int *fds, int n, int timeout_ms)
{
	int t = fetch_timeout(f);
	return floop_wait(f->loop, fds, n, t < timeout_ms ? t : timeout_ms);
}

void fetch_progress(struct fetch *f, struct fetch_progress *p)
{
	*p = f->prog;
	p->active = f->njobs;
}

/* The jobs not finished go back to the queue, with what they cost so
 * far (requests sent, replies taken); 0, or -1 when the store would not. */
static int give_back(struct fetch *f)
{
	if (db_begin(f->db) < 0)
		return -1;
	int ok = 1;
	for (struct ajob *aj = f->jobs; aj && ok; aj = aj->next)
		if (!aj->dead && has_costs(&aj->pj.j))
			ok = db_job_book(f->db, &aj->pj.j) == 0;
	if (!ok || db_jobs_release(f->db, f->owner, 0) < 0 || db_commit(f->db) < 0) {
		db_rollback(f->db);
		return -1;
	}
	for (struct ajob *aj = f->jobs; aj; aj = aj->next)
		if (!aj->dead)
			costs_booked(&aj->pj.j);
	return 0;
}

void fetch_stop(struct fetch *f)
{
	if (f->stopped)
		return;
	floop_wait(f->loop, NULL, 0, 0); /* what is ready now */
	floop_run(f->loop);
	reap(f);
	/* abort the transfers still running: their jobs go back */
	while (f->xfers) {
		struct xfer *x = f->xfers;
		f->xfers = x->next;
		curl_multi_remove_handle(f->multi, x->h);
		curl_easy_cleanup(x->h);
		x->pd->aj->inflight--;
		f->prog.inflight--;
		f->eps[x->ep].inflight--;
		if (x->sent > 1) /* counted once when sent */
			spend_requests(f, payer(x->pd), x->sent - 1);
		drop_pend(f, x->pd);
		buf_free(&x->resp);
		free(x);
	}
	flush(f, 1);
	for (int tries = 0; tries < 50 && give_back(f) < 0; tries++)
		usleep(100000);
	f->stopped = 1;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	fetch_stop(f);
	/* the requests before the jobs they point at */
	while (f->queue) {
		struct pending_req *p = f->queue;
		f->queue = p->next;
		drop_pend(f, p);
	}
	for (struct ajob *aj = f->jobs; aj;) {
		struct ajob *next = aj->next;
		free_ajob(aj);
		aj = next;
	}
	free(f->live);
	for (size_t i = 0; i < f->nidle; i++)
		curl_easy_cleanup(f->idle_handles[i]);
	free(f->idle_handles);
	for (size_t i = 0; i < f->fc->neps; i++) {
		curl_slist_free_all(f->eps[i].headers);
		free(f->eps[i].base);
		free(f->eps[i].root);
	}
	free(f->eps);
	replies_free(&f->puts);
	for (int i = 0; i < nproviders; i++) {
		free(f->params[i]);
		free(f->tmpl[i]);
	}
	arena_free(&f->a);
	buf_free(&f->scratch);
	free(f->paid);
	curl_multi_cleanup(f->multi);
	floop_free(f->loop); /* after: the cleanup calls its callback */
	free(f);
}
