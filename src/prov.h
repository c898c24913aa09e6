/* prov.h - suggestion providers: requests for a job, suggestions from
 * the responses. One file per provider fills one struct provider_ops. */
#ifndef SM_PROV_H
#define SM_PROV_H

#include "fconf.h"
#include "oai.h"
#include "../db/db.h"

/* A request a job needs answered. */
struct preq {
	int tag;          /* the provider's own (a prefix, a sample group) */
	int n;            /* choices asked */
	int kind;         /* OAI_CHAT, OAI_COMPLETIONS, OAI_POOLING */
	const char *path; /* after the API base: "chat/completions"... */
	char *body;       /* canonical JSON */
	char hash[33];    /* of path and body: the cache key */
};

/* One job in progress. */
struct pjob {
	struct db_job j;
	int p;                       /* P_* */
	const struct fconf *fc;
	const struct endpoint *ep;   /* whose model and sampling are asked */
	const char *tmpl;
	struct db_solution v;
	void *state;                 /* the provider's */
	/* requests to send now: filled by start and next */
	struct preq *reqs;
	size_t nreqs, capreqs;
	/* the outcome: set by next when there is nothing more to ask */
	int done, failed;
	struct buf error;
	struct suggestion *sugs;
	size_t nsugs;
	struct arena a;              /* the suggestions' strings */
};

struct provider_ops {
	const char *name;
	/* the first requests (or the outcome, for calc) */
	int (*start)(struct pjob *pj);
	/* one answered request: 0 taken, -1 the response is unusable (the
	 * reason in why; the request counts as failed) */
	int (*take)(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		    char *why, size_t whylen);
	/* every request so far is answered: more requests, or the outcome */
	int (*next)(struct pjob *pj);
	void (*free)(struct pjob *pj);
};

extern const struct provider_ops judge_ops, mc_ops, prm_ops, calc_ops;
const struct provider_ops *provider_ops_of(int p);

/* Helpers for the providers. */
/* Queues a request for steps 0..upto of the solution (all of them when
 * upto < 0), asking n choices with seed offset seed_off. */
void pjob_ask(struct pjob *pj, int tag, int n, int upto, int seed_off);
void pjob_ask_logprobs(struct pjob *pj, int tag, int upto);
struct suggestion *pjob_sug(struct pjob *pj, int step);
void pjob_fail(struct pjob *pj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void preq_free(struct preq *rq);
/* The hash of a request: 32 hex digits of path and body. */
void preq_hash(const char *path, const char *body, char out[33]);

/* The first-error index a judge's reply names in its last \boxed{}: -1
 * none, -2 when there is no such box. */
int judge_parse(const char *text);
/* The log probability of want ('+' or '-') in a first token's
 * top_logprobs into out: 1 found, 0 not there. */
struct jnode;
int prm_top_lp(const struct jnode *top, char want, double *out);

#endif
