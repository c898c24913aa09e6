/* prov_mc.c - Monte Carlo estimates of each prefix (Math-Shepherd), or a
 * binary search for the first error (OmegaPRM) with early stopping */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "grade.h"
#include "mcstat.h"

/* A rollout continues the solution after the prefix. */
static const char mc_builtin[] =
	"Solve the following math problem step by step. Put the final answer "
	"in \\boxed{{}}.\n"
	"\n"
	"Problem: {problem}\n"
	"\n"
	"Solution:\n"
	"{prefix}\n"
	"\n";

enum { STRATEGY, ROLLOUTS, BATCH, HITS, BUDGET, CHAT, KEEP };
enum { VANILLA, BISECT };
/* the settings of the job's run, read once */
struct mcset {
	int strategy, rollouts, batch, hits, budget;
};

static void mcset_of(const struct pjob *pj, struct mcset *c)
{
	c->strategy = (int)provider_set(pj->fc, pj->p, STRATEGY);
	c->rollouts = (int)provider_set(pj->fc, pj->p, ROLLOUTS);
	c->batch = (int)provider_set(pj->fc, pj->p, BATCH);
	c->hits = (int)provider_set(pj->fc, pj->p, HITS);
	c->budget = (int)provider_set(pj->fc, pj->p, BUDGET);
}

/* Prefix i (0 <= i < n) ends with step i; prefix n is the empty one:
 * rollouts from the question alone (PAV's q0). */
struct mc {
	const char *gold;
	int n;          /* steps */
	int *k, *m;     /* per prefix: rollouts reaching gold, rollouts */
	int keep;       /* finished rollouts kept per prefix and outcome */
	struct buf *kept; /* per prefix: those kept (mcstat.h's encoding) */
	int *kept_good, *kept_bad;
	int empty_asked;
	int used;       /* rollouts asked so far */
	int lo, hi;     /* bisect: the first error is in [lo, hi + 1] */
	int mid;        /* bisect: the prefix being estimated, -1 none */
	int short_budget;
};

/* The final answer of a rollout from prefix upto: in its text, else
 * (when the prefix already ends the solution) in the prefix; its span
 * into a, alen (NULL, 0 none). */
static int reaches_gold(const struct pjob *pj, const struct mc *s, int upto,
			const struct oai_choice *c, const char **a, size_t *alen)
{
	*a = NULL;
	*alen = 0;
	if (!strcmp(c->finish, "length") || !c->text)
		return 0; /* cut off before an answer */
	if (grade_extract(c->text, a, alen) < 0 &&
	    (upto >= s->n || grade_extract(pj->v.it.steps[upto].text, a, alen) < 0)) {
		*a = NULL;
		*alen = 0;
		return 0;
	}
	char *given = xstrndup(*a, *alen);
	int ok = grade_answer(given, s->gold);
	free(given);
	return ok;
}

/* A finished rollout kept, while the prefix has fewer than keep of its
 * outcome: what an annotator reads to see why MC says what it says */
static void keep_rollout(struct mc *s, int i, int ok, const struct oai_choice *c,
			 const char *a, size_t alen)
{
	int *kept = ok ? &s->kept_good[i] : &s->kept_bad[i];
	if (!c->text || !strcmp(c->finish, "length") || *kept >= s->keep)
		return;
	(*kept)++;
	mc_keep_add(&s->kept[i], ok, a, alen, c->text, strlen(c->text));
}

static void ask(struct pjob *pj, struct mc *s, int prefix, int count)
{
	int max = pj->ep->max_n;
	for (int off = 0; off < count; off += max) {
		int n = count - off < max ? count - off : max;
		pjob_ask(pj, prefix, n, prefix, s->m[prefix] + off);
	}
	s->used += count;
}

static int mc_next(struct pjob *pj);

/* the empty prefix: rollouts from the question alone */
static void ask_empty(struct pjob *pj, struct mc *s, int count)
{
	int max = pj->ep->max_n;
	for (int off = 0; off < count; off += max)
		pjob_ask(pj, s->n, count - off < max ? count - off : max, -1, off);
	s->used += count;
	s->empty_asked = 1;
}

static int mc_start(struct pjob *pj)
{
	/* malloc and memset, not calloc: glibc's calloc skips its per-thread
	 * cache, 400 instructions a call where malloc takes 50 */
	struct mc *s = memset(xmalloc(sizeof(*s)), 0, sizeof(*s));
	pj->state = s;
	const struct item *it = &pj->v.it;
	s->n = (int)it->nsteps;
	/* one allocation for the per-prefix arrays (five were a tenth of
	 * what a job of --batch-out costs beside its requests) */
	size_t np = (size_t)s->n + 1;
	size_t all = np * (sizeof(*s->kept) + 4 * sizeof(int));
	s->kept = memset(xmalloc(all), 0, all);
	s->k = (int *)(void *)(s->kept + np);
	s->m = s->k + np;
	s->kept_good = s->m + np;
	s->kept_bad = s->kept_good + np;
	s->keep = (int)provider_set(pj->fc, pj->p, KEEP);
	s->mid = -1;
	s->gold = it->gold && *it->gold ? it->gold : NULL;
	if (!s->gold) {
		pjob_fail(pj, "no gold answer for this problem: MC needs one (import it, "
			  "e.g. generic --gold FIELD; ProcessBench has one only where a "
			  "solution is marked correct)");
		return 0;
	}
	if (s->n == 0) {
		pjob_fail(pj, "the solution has no steps");
		return 0;
	}
	struct mcset set, *c = &set;
	mcset_of(pj, c);
	if (c->strategy == VANILLA) {
		int room = c->budget / c->rollouts;
		int upto = s->n < room ? s->n : room;
		s->short_budget = upto < s->n;
		for (int i = 0; i < upto; i++)
			ask(pj, s, i, c->rollouts);
		if (upto > 0 && upto < room)
			ask_empty(pj, s, c->rollouts);
		if (upto == 0)
			pjob_fail(pj, "a budget of %d rollouts cannot estimate one prefix "
				  "with %d rollouts", c->budget, c->rollouts);
		return 0;
	}
	s->lo = 0;
	s->hi = s->n - 1;
	return mc_next(pj);
}

static int mc_take(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		   char *why, size_t whylen)
{
	struct mc *s = pj->state;
	(void)why;
	(void)whylen;
	int i = rq->tag;
	for (size_t c = 0; c < r->nchoices; c++) {
		const char *a;
		size_t alen;
		int ok = reaches_gold(pj, s, i, &r->choices[c], &a, &alen);
		s->k[i] += ok;
		keep_rollout(s, i, ok, &r->choices[c], a, alen);
	}
	s->m[i] += (int)r->nchoices;
	return 0;
}

static const char *kept_of(struct pjob *pj, const struct mc *s, int i)
{
	const struct buf *b = &s->kept[i];
	return b->len ? arena_strndup(&pj->a, b->data, b->len) : NULL;
}

static void store(struct pjob *pj, struct mc *s, int first_error, int decided)
{
	for (int i = 0; i < s->n; i++) {
		if (!s->m[i])
			continue;
		struct suggestion *g = pjob_sug(pj, i);
		g->k = s->k[i];
		g->n = s->m[i];
		g->value = (double)s->k[i] / s->m[i];
		g->rollouts = kept_of(pj, s, i);
	}
	/* the whole solution's row: the first error, and the empty
	 * prefix's estimate */
	if (decided || s->m[s->n]) {
		struct suggestion *g = pjob_sug(pj, -1);
		if (decided)
			g->first_error = first_error;
		g->k = s->k[s->n];
		g->n = s->m[s->n];
		g->rollouts = kept_of(pj, s, s->n);
	}
	pj->done = 1;
}

static int mc_next(struct pjob *pj)
{
	struct mc *s = pj->state;
	struct mcset set, *c = &set;
	mcset_of(pj, c);
	if (c->strategy == VANILLA) {
		/* hard estimate: the first prefix no rollout completes */
		int fe = -1;
		for (int i = 0; i < s->n && fe < 0; i++)
			if (s->m[i] && s->k[i] == 0)
				fe = i;
		store(pj, s, fe, fe >= 0 || !s->short_budget);
		if (s->short_budget && fe < 0)
			buf_printf(&pj->error, "the budget of %d rollouts covered %d of %d prefixes",
				   c->budget, c->budget / c->rollouts, s->n);
		return 0;
	}
	/* bisect: settle the prefix being estimated, then choose the next */
	int hits = c->hits < c->rollouts ? c->hits : c->rollouts;
	if (s->mid >= 0) {
		/* a sequential test: good once `hits` rollouts reach the gold
		 * answer, bad once the rest of the N cannot get it there */
		int mid = s->mid;
		if (s->k[mid] >= hits) {
			s->lo = mid + 1; /* the error is later */
			s->mid = -1;
		} else if (s->m[mid] - s->k[mid] > c->rollouts - hits) {
			s->hi = mid - 1; /* at or before mid */
			s->mid = -1;
		}
	}
	if (s->mid < 0) {
		if (s->lo > s->hi) {
			/* then the empty prefix, if the budget holds it */
			if (!s->empty_asked && s->used + c->rollouts <= c->budget) {
				ask_empty(pj, s, c->rollouts);
				return 0;
			}
			store(pj, s, s->lo < s->n ? s->lo : -1, 1);
			return 0;
		}
		s->mid = (s->lo + s->hi) / 2;
	}
	int want = c->rollouts - s->m[s->mid];
	if (want > c->batch)
		want = c->batch;
	if (s->used + want > c->budget) {
		store(pj, s, 0, 0);
		buf_printf(&pj->error, "the budget of %d rollouts ran out before the "
			   "first error was found", c->budget);
		return 0;
	}
	ask(pj, s, s->mid, want);
	return 0;
}

static void mc_free(struct pjob *pj)
{
	struct mc *s = pj->state;
	if (!s)
		return;
	for (int i = 0; i <= s->n; i++)
		buf_free(&s->kept[i]);
	free(s->kept); /* and k, m, kept_good, kept_bad after it */
	free(s);
	pj->state = NULL;
}

static int mc_kind(const struct fconf *c, int p)
{
	return provider_set(c, p, CHAT) ? EP_CHAT : EP_COMPLETIONS;
}

static const char *mc_builtin_of(const struct fconf *c, int p)
{
	(void)c, (void)p;
	return mc_builtin;
}

/* in chat continuation the problem and the prefix go as messages */
static int mc_uses_template(const struct fconf *c, int p)
{
	return !provider_set(c, p, CHAT);
}

static const char *const strategies[] = {"vanilla", "bisect", NULL};

static void mc_params(const struct fconf *c, int p, struct buf *b)
{
	long strategy = provider_set(c, p, STRATEGY);
	buf_printf(b, ",\"strategy\":\"%s\",\"rollouts\":%ld,\"budget\":%ld,\"chat\":%ld",
		   strategies[strategy], provider_set(c, p, ROLLOUTS),
		   provider_set(c, p, BUDGET), provider_set(c, p, CHAT));
	if (strategy == BISECT)
		buf_printf(b, ",\"batch\":%ld,\"hits\":%ld", provider_set(c, p, BATCH),
			   provider_set(c, p, HITS));
}

static const struct popt mc_opts[] = {
	[STRATEGY] = {"strategy", PO_CHOICE, VANILLA, 0, 0, NULL, strategies, 1,
		      "vanilla estimates every prefix; bisect searches for the first error"},
	[ROLLOUTS] = {"rollouts", PO_INT, 8, 1, 1024, NULL, NULL, 1,
		      "rollouts per estimated prefix"},
	[BATCH] = {"batch", PO_INT, 2, 1, 1024, NULL, NULL, 0,
		   "bisect: rollouts asked at a time"},
	[HITS] = {"hits", PO_INT, 2, 1, 1024, NULL, NULL, 0,
		  "bisect: a prefix is good once this many rollouts reach the gold answer"},
	[BUDGET] = {"budget", PO_INT, 256, 1, 1000000, " rollouts", NULL, 1,
		    "rollouts per solution at most"},
	[CHAT] = {"chat", PO_BOOL, 0, 0, 0, NULL, NULL, 0,
		  "continue the solution as a chat (the prefix as the assistant's message)"},
	[KEEP] = {"keep", PO_INT, 1, 0, 16, NULL, NULL, 0,
		  "finished rollouts kept per prefix that reached the gold answer, and as many that did not"},
	{NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

const struct provider_ops mc_ops = {
	.name = "mc",
	.summary = "rollouts from each prefix to the gold answer",
	.opts = mc_opts,
	.kind = mc_kind,
	.builtin = mc_builtin_of,
	.uses_template = mc_uses_template,
	.params = mc_params,
	.show = SHOW_MC,
	.area = "mc",
	.start = mc_start,
	.take = mc_take,
	.next = mc_next,
	.free = mc_free,
};
