/* prov.c - what the providers share: building requests, outcomes */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "prompt.h"

/* The providers: a line each in providers.def. */
#define P(ops) extern const struct provider_ops ops;
#include "providers.def"
#undef P
#define P(ops) &ops,
const struct provider_ops *const providers[] = {
#include "providers.def"
};
#undef P
const int nproviders = (int)(sizeof(providers) / sizeof(providers[0]));

int provider_find(const char *name)
{
	for (int p = 0; p < nproviders; p++)
		if (!strcmp(name, providers[p]->name))
			return p;
	return -1;
}

const char *provider_name(int p)
{
	return providers[p]->name;
}

int provider_online(int p)
{
	return providers[p]->kind != NULL;
}

int provider_of_source(const char *source)
{
	size_t n = strcspn(source, "/");
	for (int p = 0; p < nproviders; p++)
		if (strlen(providers[p]->name) == n && !strncmp(source, providers[p]->name, n))
			return p;
	return -1;
}

int provider_fe_fills(const char *source)
{
	int p = provider_of_source(source);
	return p < 0 || !providers[p]->fe_names_only;
}

long provider_set(const struct fconf *c, int p, int i)
{
	return c->set[p][i];
}

void provider_list(char *out, size_t n, int online)
{
	size_t o = 0;
	out[0] = '\0';
	for (int p = 0; p < nproviders && o < n; p++)
		if (online < 0 || provider_online(p) == online)
			o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "",
					      providers[p]->name);
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
	free(rq->text);
	rq->body = rq->text = NULL;
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

/* a request's body and prompt start this large (bytes): buf_grow makes
 * it 1 024, which glibc's per-thread cache serves and takes back (1 536
 * was 2 048, from the heap's bins each time) */
#define PJOB_BUF 1000

static void sampling(struct buf *b, struct pjob *pj, int n, int seed_off, int max_tokens)
{
	const struct endpoint *e = pj->ep;
	static const char mct[] = ",\"max_completion_tokens\":", mt[] = ",\"max_tokens\":";
	if (e->sampling && !pj->samp[0]) /* %g costs: once a job */
		snprintf(pj->samp, sizeof(pj->samp), ",\"temperature\":%g,\"top_p\":%g",
			 e->temperature, e->top_p);
	/* in place, grown once: a buf_add a member was most of it */
	size_t sl = e->sampling ? strlen(pj->samp) : 0;
	buf_grow(b, sizeof(mct) + sl + 8 + 5 + 3 * 24);
	char *o = b->data + b->len;
	if (e->completion_tokens) {
		memcpy(o, mct, sizeof(mct) - 1);
		o += sizeof(mct) - 1;
	} else {
		memcpy(o, mt, sizeof(mt) - 1);
		o += sizeof(mt) - 1;
	}
	o = put_decimal(o, max_tokens);
	memcpy(o, pj->samp, sl);
	o += sl;
	memcpy(o, ",\"seed\":", 8);
	o = put_decimal(o + 8, e->seed + seed_off);
	memcpy(o, ",\"n\":", 5);
	o = put_decimal(o + 5, n);
	*o = '\0';
	b->len = (size_t)(o - b->data);
	if (e->reasoning_effort)
		buf_printf(b, ",\"reasoning_effort\":\"%s\"", e->reasoning_effort);
}

/* rq's body is b; its hash, and the hash's state after the body's first
 * mark bytes (0: none). Resumed from the job's previous request where its
 * marked bytes begin this body too: MC's prefix k + 1 repeats prefix k's
 * prompt, which was hashed again for each prefix. The same hash as
 * preq_hash (the hasher is the same in any pieces). */
static void finish_req(struct pjob *pj, struct preq *rq, struct buf *b, size_t mark)
{
	/* put_text copied the previous body's first mark bytes: known the same */
	int same = rq->copied && pj->reqs[pj->nreqs - 2].mark == rq->copied;
	buf_putc(b, '}');
	rq->body = b->data;
	const struct preq *prev = pj->nreqs > 1 ? &pj->reqs[pj->nreqs - 2] : NULL;
	struct hasher h;
	size_t from = 0;
	if (prev && prev->mark && prev->body && prev->mark <= mark &&
	    !strcmp(prev->path, rq->path) && (same || !memcmp(prev->body, b->data, prev->mark))) {
		h = prev->at_mark;
		from = prev->mark;
	} else {
		hasher_init(&h);
		hasher_add(&h, rq->path, strlen(rq->path));
		hasher_add(&h, "\n", 1);
	}
	hasher_add(&h, b->data + from, mark - from);
	if (mark) {
		rq->mark = mark;
		rq->at_mark = h;
	}
	hasher_add(&h, b->data + mark, b->len - mark);
	hasher_hex(&h, rq->hash);
}

/* text as a JSON string at b's end: the index of its closing quote (the
 * hash's mark). Where the job's previous request has the same head (b so
 * far) and its text begins this one, ending in ASCII (its characters are
 * then this one's first: buf_json_chars), its escaped text is copied,
 * not made again: MC's prefix k + 1 repeats prefix k's prompt. rq keeps
 * text's buffer for the next request; the previous one's is freed. */
static size_t put_text(struct pjob *pj, struct preq *rq, struct buf *b, struct buf *text)
{
	struct preq *prev = pj->nreqs > 1 ? &pj->reqs[pj->nreqs - 2] : NULL;
	size_t from = 0;
	buf_putc(b, '"');
	size_t at = b->len;
	if (prev && prev->text && prev->text_at == at && prev->text_len &&
	    prev->text_len <= text->len && (unsigned char)prev->text[prev->text_len - 1] < 0x80 &&
	    prev->mark > at && !memcmp(prev->body, b->data, at) &&
	    !memcmp(prev->text, text->data, prev->text_len)) {
		buf_add(b, prev->body + at, prev->mark - at);
		from = prev->text_len;
		rq->copied = prev->mark;
	}
	buf_json_chars(b, text->data + from, text->len - from);
	size_t mark = b->len;
	buf_putc(b, '"');
	if (prev) {
		free(prev->text);
		prev->text = NULL;
	}
	rq->text = text->data;
	rq->text_len = text->len;
	rq->text_at = at;
	memset(text, 0, sizeof(*text));
	return mark;
}

void pjob_ask(struct pjob *pj, int tag, int n, int upto, int seed_off)
{
	const struct endpoint *e = pj->ep;
	const struct item *it = &pj->v.it;
	struct preq *rq = new_req(pj);
	struct buf b = {0}, text = {0};
	char err[200];
	size_t mark = 0; /* where the prompt's text ends, before its quote */
	/* one allocation each for most requests, not 256, 512, 1024 */
	buf_grow(&b, PJOB_BUF);
	buf_grow(&text, PJOB_BUF);
	rq->tag = tag;
	rq->n = n;
	buf_puts(&b, "{\"model\":");
	buf_json_str(&b, e->model, strlen(e->model));
	if (e->kind == EP_POOLING) { /* a Qwen-style PRM over /pooling */
		rq->kind = OAI_POOLING;
		rq->path = "pooling";
		prompt_render(pj->tmpl, it, -1, MARK_QWEN, &text, err, sizeof(err));
		buf_puts(&b, ",\"input\":");
		mark = put_text(pj, rq, &b, &text);
		if (e->pooling_task) /* current vLLM asks which pooling */
			buf_printf(&b, ",\"task\":\"%s\"", e->pooling_task);
		rq->n = 0;
	} else if (e->kind == EP_CHAT && !pj->tmpl) {
		/* chat continuation: the prefix is the assistant's message */
		rq->kind = OAI_CHAT;
		rq->path = "chat/completions";
		buf_puts(&b, ",\"messages\":[{\"role\":\"user\",\"content\":");
		buf_json_str(&b, it->problem, strlen(it->problem));
		if (upto >= 0) {
			prompt_render("{prefix}\n\n", it, upto, 0, &text, err, sizeof(err));
			buf_puts(&b, "},{\"role\":\"assistant\",\"content\":");
			mark = put_text(pj, rq, &b, &text);
			buf_puts(&b, "}],\"continue_final_message\":true,\"add_generation_prompt\":false");
		} else { /* the empty prefix: the question alone */
			buf_puts(&b, "}]");
		}
		sampling(&b, pj, n, seed_off, e->max_tokens);
	} else if (e->kind == EP_COMPLETIONS) {
		rq->kind = OAI_COMPLETIONS;
		rq->path = "completions";
		prompt_render(pj->tmpl, it, upto, 0, &text, err, sizeof(err));
		buf_puts(&b, ",\"prompt\":");
		mark = put_text(pj, rq, &b, &text);
		sampling(&b, pj, n, seed_off, e->max_tokens);
	} else {
		rq->kind = OAI_CHAT;
		rq->path = "chat/completions";
		prompt_render(pj->tmpl, it, upto, 0, &text, err, sizeof(err));
		buf_puts(&b, ",\"messages\":[{\"role\":\"user\",\"content\":");
		mark = put_text(pj, rq, &b, &text);
		buf_puts(&b, "}]");
		sampling(&b, pj, n, seed_off, e->max_tokens);
	}
	buf_free(&text);
	finish_req(pj, rq, &b, mark);
}

void pjob_ask_chat(struct pjob *pj, int tag, const char *text, size_t len)
{
	const struct endpoint *e = pj->ep;
	struct preq *rq = new_req(pj);
	struct buf b = {0};
	rq->tag = tag;
	rq->n = 1;
	rq->kind = OAI_CHAT;
	rq->path = "chat/completions";
	buf_puts(&b, "{\"model\":");
	buf_json_str(&b, e->model, strlen(e->model));
	buf_puts(&b, ",\"messages\":[{\"role\":\"user\",\"content\":");
	buf_json_str(&b, text, len);
	buf_puts(&b, "}]");
	sampling(&b, pj, 1, 0, e->max_tokens);
	finish_req(pj, rq, &b, 0);
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
	prompt_render(pj->tmpl, &pj->v.it, upto, MARK_SHEPHERD, &text, err, sizeof(err));
	buf_puts(&b, "{\"model\":");
	buf_json_str(&b, e->model, strlen(e->model));
	buf_puts(&b, ",\"prompt\":");
	buf_json_str(&b, text.data, text.len);
	sampling(&b, pj, 1, 0, 1);
	buf_puts(&b, ",\"logprobs\":20");
	buf_free(&text);
	finish_req(pj, rq, &b, 0);
}

struct suggestion *pjob_sug(struct pjob *pj, int step)
{
	pj->sugs = xrealloc(pj->sugs, (pj->nsugs + 1) * sizeof(*pj->sugs));
	struct suggestion *g = &pj->sugs[pj->nsugs++];
	memset(g, 0, sizeof(*g));
	g->source = providers[pj->p]->name;
	g->model = pj->ep ? pj->ep->model : NULL;
	g->origin = "fetch";
	g->step = step;
	g->value = NO_VALUE;
	g->first_error = -2;
	return g;
}

void pjob_link(struct pjob *pj, int step, int ref, double score)
{
	if (pj->nlinks == pj->caplinks) {
		pj->caplinks = pj->caplinks ? pj->caplinks * 2 : 32;
		pj->links = xrealloc(pj->links, pj->caplinks * sizeof(*pj->links));
	}
	struct db_align *l = &pj->links[pj->nlinks++];
	l->step = step;
	l->ref = ref;
	l->score = score;
	l->source = providers[pj->p]->name;
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
	pj->nlinks = 0;
}
