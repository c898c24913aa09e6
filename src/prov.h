/* prov.h - suggestion providers: requests for a job, suggestions from
 * the responses. One file per provider (prov_NAME.c) fills one struct
 * provider_ops, and one line of providers.def lists it (HACKING). */
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
	/* the hash's state after body's first mark bytes (up to its prompt's
	 * closing quote), for the job's next request: 0, none */
	size_t mark;
	struct hasher at_mark;
	/* its prompt's text (text_len bytes), escaped in body from text_at
	 * to mark, until the job's next request has compared its own: NULL */
	char *text;
	size_t text_len, text_at;
	size_t copied; /* body's first bytes copied from the previous request's */
};

/* One job in progress. */
struct pjob {
	struct db_job j;
	int p;                       /* P_* */
	const struct fconf *fc;
	const struct endpoint *ep;   /* whose model and sampling are asked */
	const char *tmpl;
	char samp[80];               /* ep's temperature and top_p as its
				      * requests say them (prov.c, once) */
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
	struct db_align *links;      /* alignments to the reference, if any */
	size_t nlinks, caplinks;
	struct arena a;              /* the suggestions' strings */
};

/* A provider's setting: "provider NAME OPTION VALUE" in the config. */
enum { PO_INT, PO_CHOICE, PO_BOOL };
struct popt {
	const char *name;
	int type;
	long def;                    /* the default (a choice's index) */
	long min, max;               /* PO_INT's range */
	const char *unit;            /* PO_INT: after the range in errors */
	const char *const *choices;  /* PO_CHOICE: the names, NULL-terminated */
	int cli;                     /* also `stepmark fetch --NAME VALUE` */
	const char *help;            /* what it does, for the docs */
};

/* How the workbench shows a provider's per-step suggestions: a bar of
 * the value, k/n rollouts, a mark of the rating (ok, bad, ERR), or a mark
 * only on the steps it checked (a value present). */
enum { SHOW_VALUE, SHOW_MC, SHOW_MARK, SHOW_CHECK };

/*
 * Everything a provider is. A new provider is one file filling one of
 * these and one line in the table in prov.c: the config, `fetch`, the
 * templates, the job's identity, the workbench and the docs' lists all
 * come from it.
 */
struct provider_ops {
	const char *name;
	const char *summary;          /* for --help: at most 50 characters */
	const struct popt *opts;      /* its settings; ends with a NULL name */
	/* the endpoint kind its requests need under c (EP_*); NULL member:
	 * it runs offline, with no endpoint and no request */
	int (*kind)(const struct fconf *c, int p);
	/* its built-in template under c; NULL member: it has none */
	const char *(*builtin)(const struct fconf *c, int p);
	/* 0 when the settings in c send no template (NULL member: 1) */
	int (*uses_template)(const struct fconf *c, int p);
	/* its settings that change the answers, as ",\"name\":value"
	 * members of the job's params (its identity in the store) */
	void (*params)(const struct fconf *c, int p, struct buf *b);
	int show;                     /* SHOW_* */
	int links;                    /* its outcome has alignment links to
				       * the reference: they replace the
				       * solution's earlier ones of its name */
	const char *area;             /* the theme's colour area of its marks */
	int traces_only;              /* it asks only of agent traces (solutions
				       * whose turns name their agents) */
	int fe_names_only;            /* its first error names the first bad
				       * step and says nothing of the others;
				       * 0 (the default): every step before it
				       * is good (item_resolve rates them +1) */
	/* the first requests (or the outcome, for calc) */
	int (*start)(struct pjob *pj);
	/* one answered request: 0 taken, -1 the response is unusable (the
	 * reason in why; the request counts as failed). take and next are
	 * NULL for a provider that finishes in start (offline) */
	int (*take)(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		    char *why, size_t whylen);
	/* every request so far is answered: more requests, or the outcome */
	int (*next)(struct pjob *pj);
	void (*free)(struct pjob *pj);
};

/* The table: providers[0..nproviders-1]. */
extern const struct provider_ops *const providers[];
extern const int nproviders;
int provider_find(const char *name); /* -1 unknown */
/* Its name; the source of its suggestions. */
const char *provider_name(int p);
/* 1 when p sends requests (it needs an endpoint). */
int provider_online(int p);
/* The provider whose suggestions carry this source ("mc", "mc/model"):
 * -1 none. */
int provider_of_source(const char *source);
/* 1 when a first error of source ("calc", "mc/model") means every step
 * before it is good: not its provider's fe_names_only; 1 for a source no
 * provider makes (imported). */
int provider_fe_fills(const char *source);
/* A setting of p: the value of its i-th option. */
long provider_set(const struct fconf *c, int p, int i);
/* "judge, mc, prm" : the names of the providers with (online 1) or
 * without (0) requests, or every one (-1), into out. */
void provider_list(char *out, size_t n, int online);

/* Helpers for the providers. */
/* Queues a request for steps 0..upto of the solution (all of them when
 * upto < 0), asking n choices with seed offset seed_off. A template's
 * {prefix} is then empty, and a chat continuation asks the question
 * alone (MC's empty prefix). */
void pjob_ask(struct pjob *pj, int tag, int n, int upto, int seed_off);
void pjob_ask_logprobs(struct pjob *pj, int tag, int upto);
/* Queues one chat request whose user message is text (a provider that
 * writes its own prompts), one choice. */
void pjob_ask_chat(struct pjob *pj, int tag, const char *text, size_t len);
struct suggestion *pjob_sug(struct pjob *pj, int step);
/* An alignment link of the job's outcome (see db_alignment_put). */
void pjob_link(struct pjob *pj, int step, int ref, double score);
void pjob_fail(struct pjob *pj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void preq_free(struct preq *rq);
/* The hash of a request: 32 hex digits of path and body. */
void preq_hash(const char *path, const char *body, char out[33]);

/* align-judge: one step's judgement as a reply gives it. */
#define AJ_MAX_REFS 16
struct aj_step {
	int step;                /* -1: the reply left it out */
	double verdict;          /* 1 correct, 0 incorrect, 0.5 neutral, -1 none */
	int refs[AJ_MAX_REFS];   /* the reference steps it matches */
	int nrefs;
	const char *reason;      /* in the arena, or NULL */
};
/* Reads a reply leniently (code fences, prose around the JSON, trailing
 * commas, a list or an object holding one or keyed by step, steps by
 * "step"/"index" or by position, numbered from 0 or 1) into out[0..nsteps):
 * the number of steps judged, or -1 with the reason in why. */
struct arena;
int aj_parse(const char *text, size_t nsteps, size_t nrefs, struct aj_step *out,
	     struct arena *a, char *why, size_t whylen);

/* The first-error index a judge's reply names in its last \boxed{}: -1
 * none, -2 when there is no such box. */
int judge_parse(const char *text);
/* The log probability of want ('+' or '-') in a first token's
 * top_logprobs into out: 1 found, 0 not there. */
struct jnode;
int prm_top_lp(const struct jnode *top, char want, double *out);

#endif
