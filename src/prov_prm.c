/* prov_prm.c - process reward model scores: Qwen-style PRMs over vLLM's
 * /pooling (one [p_bad, p_good] row per step), or Math-Shepherd-style
 * PRMs through the logprobs of + and - from /v1/completions */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"

/* Qwen2.5-Math-PRM's chat format, steps ended by <extra_0>. */
static const char prm_qwen_builtin[] =
	"<|im_start|>system\n"
	"Please reason step by step, and put your final answer within \\boxed{{}}."
	"<|im_end|>\n"
	"<|im_start|>user\n"
	"{problem}<|im_end|>\n"
	"<|im_start|>assistant\n"
	"{marked}<|im_end|><|endoftext|>";

/* Math-Shepherd's PRM: the next token after a step is + or -. */
static const char prm_shepherd_builtin[] = "{problem} {marked}";


enum { STYLE };
enum { QWEN, SHEPHERD };

struct prm {
	double *p;  /* per step, NO_VALUE until known */
};

static int prm_start(struct pjob *pj)
{
	struct prm *s = xcalloc(1, sizeof(*s));
	pj->state = s;
	size_t n = pj->v.it.nsteps;
	s->p = xmalloc((n + 1) * sizeof(double));
	for (size_t i = 0; i < n; i++)
		s->p[i] = NO_VALUE;
	if (n == 0) {
		pjob_fail(pj, "the solution has no steps");
		return 0;
	}
	if (provider_set(pj->fc, pj->p, STYLE) == QWEN)
		pjob_ask(pj, 0, 0, -1, 0);
	else
		for (size_t i = 0; i < n; i++)
			pjob_ask_logprobs(pj, (int)i, (int)i);
	return 0;
}

/* the logprob of a token among the top ones, trimmed of spaces */
int prm_top_lp(const struct jnode *top, char want, double *out)
{
	int found = 0;
	/* an object {token: logprob} (OpenAI), or a list of {token,
	 * logprob} (llama.cpp) */
	for (const struct jnode *c = top ? top->child : NULL; c; c = c->next) {
		const char *k = c->key;
		size_t n = c->keylen;
		const struct jnode *val = c;
		if (top->type == J_ARR) {
			const struct jnode *t = jget(c, "token");
			if (!t || t->type != J_STR)
				continue;
			k = t->str;
			n = t->len;
			val = jget(c, "logprob");
		}
		if (!k || !val)
			continue;
		while (n && (*k == ' ' || *k == '\xe2')) { /* a space, or U+2581 */
			if (*k == '\xe2' && n >= 3 && !memcmp(k, "\xe2\x96\x81", 3))
				k += 3, n -= 3;
			else if (*k == ' ')
				k++, n--;
			else
				break;
		}
		double v;
		if (n == 1 && *k == want && !jdouble(val, &v) && (!found || v > *out)) {
			*out = v;
			found = 1;
		}
	}
	return found;
}

static int prm_take(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		    char *why, size_t whylen)
{
	struct prm *s = pj->state;
	size_t n = pj->v.it.nsteps;
	if (provider_set(pj->fc, pj->p, STYLE) == QWEN) {
		const struct jnode *rows = r->pooling;
		if (rows->len != n) {
			snprintf(why, whylen, "the PRM returned %zu rows for %zu steps "
				 "(each step must end with <extra_0>)", rows->len, n);
			return -1;
		}
		size_t i = 0;
		for (const struct jnode *row = rows->child; row; row = row->next, i++) {
			double bad, good;
			if (row->type != J_ARR || row->len != 2 || jdouble(row->child, &bad) ||
			    jdouble(row->child->next, &good) || !(good >= 0 && good <= 1) ||
			    !(bad >= 0 && bad <= 1)) {
				snprintf(why, whylen, "row %zu of the PRM's output is not "
					 "[p_bad, p_good] with probabilities", i);
				return -1;
			}
			s->p[i] = good;
		}
		return 0;
	}
	const struct oai_choice *c = &r->choices[0];
	double plus = 0, minus = 0;
	int hp = prm_top_lp(c->top_logprobs, '+', &plus), hm = prm_top_lp(c->top_logprobs, '-', &minus);
	if (!hp && !hm) {
		snprintf(why, whylen, "neither + nor - is among the top logprobs after step %d "
			 "(is this a Math-Shepherd PRM, and does the server return logprobs?)",
			 rq->tag);
		return -1;
	}
	double a = hp ? exp(plus) : 0, b = hm ? exp(minus) : 0;
	s->p[rq->tag] = a / (a + b);
	return 0;
}

static int prm_next(struct pjob *pj)
{
	struct prm *s = pj->state;
	for (size_t i = 0; i < pj->v.it.nsteps; i++) {
		struct suggestion *g = pjob_sug(pj, (int)i);
		g->value = s->p[i];
	}
	pj->done = 1;
	return 0;
}

static void prm_free(struct pjob *pj)
{
	struct prm *s = pj->state;
	if (!s)
		return;
	free(s->p);
	free(s);
	pj->state = NULL;
}

static int prm_kind(const struct fconf *c, int p)
{
	return provider_set(c, p, STYLE) == QWEN ? EP_POOLING : EP_COMPLETIONS;
}

static const char *prm_builtin_of(const struct fconf *c, int p)
{
	return provider_set(c, p, STYLE) == QWEN ? prm_qwen_builtin : prm_shepherd_builtin;
}

static const char *const styles[] = {"qwen", "shepherd", NULL};

static void prm_params(const struct fconf *c, int p, struct buf *b)
{
	buf_printf(b, ",\"style\":\"%s\"", styles[provider_set(c, p, STYLE)]);
}

static const struct popt prm_opts[] = {
	[STYLE] = {"style", PO_CHOICE, QWEN, 0, 0, NULL, styles, 0,
		   "qwen: one request to /pooling; shepherd: the + and - logprobs after each step"},
	{NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

const struct provider_ops prm_ops = {
	.name = "prm",
	.summary = "a process reward model scores every step",
	.opts = prm_opts,
	.kind = prm_kind,
	.builtin = prm_builtin_of,
	.params = prm_params,
	.show = SHOW_VALUE,
	.area = "prm",
	.start = prm_start,
	.take = prm_take,
	.next = prm_next,
	.free = prm_free,
};
