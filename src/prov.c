/* prov.c - what the providers share: building requests, outcomes */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "prompt.h"

const struct provider_ops *provider_ops_of(int p)
{
	switch (p) {
	case P_JUDGE: return &judge_ops;
	case P_MC: return &mc_ops;
	case P_PRM: return &prm_ops;
	case P_CALC: return &calc_ops;
	default: return NULL;
	}
}

void preq_hash(const char *path, const char *body, char out[33])
{
	struct hasher h;
	hasher_init(&h);
	hasher_add(&h, path, strlen(path));
	hasher_add(&h, "\n", 1);
	hasher_add(&h, body, strlen(body));
	hasher_hex(&h, out);
}

void preq_free(struct preq *rq)
{
	free(rq->body);
	rq->body = NULL;
}

static struct preq *new_req(struct pjob *pj)
{
	if (pj->nreqs == pj->capreqs) {
		pj->capreqs = pj->capreqs ? pj->capreqs * 2 : 8;
		pj->reqs = xrealloc(pj->reqs, pj->capreqs * sizeof(*pj->reqs));
	}
	struct preq *rq = &pj->reqs[pj->nreqs++];
	memset(rq, 0, sizeof(*rq));
	return rq;
}

static void sampling(struct buf *b, const struct endpoint *e, int n, int seed_off,
		     int max_tokens)
{
	buf_printf(b, ",\"%s\":%d", e->completion_tokens ? "max_completion_tokens" :
		   "max_tokens", max_tokens);
	if (e->sampling)
		buf_printf(b, ",\"temperature\":%g,\"top_p\":%g", e->temperature, e->top_p);
	buf_printf(b, ",\"seed\":%ld,\"n\":%d", e->seed + seed_off, n);
	if (e->reasoning_effort)
		buf_printf(b, ",\"reasoning_effort\":\"%s\"", e->reasoning_effort);
}

static void finish_req(struct preq *rq, struct buf *b)
{
	buf_putc(b, '}');
	rq->body = b->data;
	preq_hash(rq->path, rq->body, rq->hash);
}

void pjob_ask(struct pjob *pj, int tag, int n, int upto, int seed_off)
{
	const struct endpoint *e = pj->ep;
	const struct item *it = &pj->v.it;
	struct preq *rq = new_req(pj);
	struct buf b = {0}, text = {0};
	char err[200];
	rq->tag = tag;
	rq->n = n;
	buf_puts(&b, "{\"model\":");
	buf_json_str(&b, e->model, strlen(e->model));
	if (pj->p == P_PRM) { /* Qwen PRM over /pooling */
		rq->kind = OAI_POOLING;
		rq->path = "pooling";
		prompt_render(pj->tmpl, it, -1, PRM_QWEN, &text, err, sizeof(err));
		buf_puts(&b, ",\"input\":");
		buf_json_str(&b, text.data, text.len);
		if (e->pooling_task) /* current vLLM asks which pooling */
			buf_printf(&b, ",\"task\":\"%s\"", e->pooling_task);
		rq->n = 0;
	} else if (pj->p == P_MC && pj->fc->mc_chat) {
		/* chat continuation: the prefix is the assistant's message */
		rq->kind = OAI_CHAT;
		rq->path = "chat/completions";
		prompt_render("{prefix}\n\n", it, upto, 0, &text, err, sizeof(err));
		buf_puts(&b, ",\"messages\":[{\"role\":\"user\",\"content\":");
		buf_json_str(&b, it->problem, strlen(it->problem));
		buf_puts(&b, "},{\"role\":\"assistant\",\"content\":");
		buf_json_str(&b, text.data, text.len);
		buf_puts(&b, "}],\"continue_final_message\":true,\"add_generation_prompt\":false");
		sampling(&b, e, n, seed_off, e->max_tokens);
	} else if (pj->p == P_MC) {
		rq->kind = OAI_COMPLETIONS;
		rq->path = "completions";
		prompt_render(pj->tmpl, it, upto, 0, &text, err, sizeof(err));
		buf_puts(&b, ",\"prompt\":");
		buf_json_str(&b, text.data, text.len);
		sampling(&b, e, n, seed_off, e->max_tokens);
	} else {
		rq->kind = OAI_CHAT;
		rq->path = "chat/completions";
		prompt_render(pj->tmpl, it, upto, 0, &text, err, sizeof(err));
		buf_puts(&b, ",\"messages\":[{\"role\":\"user\",\"content\":");
		buf_json_str(&b, text.data, text.len);
		buf_puts(&b, "}]");
		sampling(&b, e, n, seed_off, e->max_tokens);
	}
	buf_free(&text);
	finish_req(rq, &b);
}

void pjob_ask_logprobs(struct pjob *pj, int tag, int upto)
{
	const struct endpoint *e = pj->ep;
	struct preq *rq = new_req(pj);
	struct buf b = {0}, text = {0};
	char err[200];
	rq->tag = tag;
	rq->n = 1;
	rq->kind = OAI_COMPLETIONS;
	rq->path = "completions";
	prompt_render(pj->tmpl, &pj->v.it, upto, PRM_SHEPHERD, &text, err, sizeof(err));
	buf_puts(&b, "{\"model\":");
	buf_json_str(&b, e->model, strlen(e->model));
	buf_puts(&b, ",\"prompt\":");
	buf_json_str(&b, text.data, text.len);
	sampling(&b, e, 1, 0, 1);
	buf_puts(&b, ",\"logprobs\":20");
	buf_free(&text);
	finish_req(rq, &b);
}

struct suggestion *pjob_sug(struct pjob *pj, int step)
{
	pj->sugs = xrealloc(pj->sugs, (pj->nsugs + 1) * sizeof(*pj->sugs));
	struct suggestion *g = &pj->sugs[pj->nsugs++];
	memset(g, 0, sizeof(*g));
	g->source = provider_names[pj->p];
	g->model = pj->ep ? pj->ep->model : NULL;
	g->origin = "fetch";
	g->step = step;
	g->value = NO_VALUE;
	g->first_error = -2;
	return g;
}

void pjob_fail(struct pjob *pj, const char *fmt, ...)
{
	va_list ap;
	buf_reset(&pj->error);
	va_start(ap, fmt);
	char tmp[400];
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_puts(&pj->error, tmp);
	pj->done = 1;
	pj->failed = 1;
	pj->nsugs = 0;
}
