/* prov_judge.c - the ProcessBench-style first-error critic, voted over
 * n samples; the whole rationale is kept */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "prov.h"

/* The ProcessBench critic's structure, in our own words. */
static const char judge_builtin[] =
	"Below is a math problem and a proposed solution, split into numbered "
	"paragraphs (the first is paragraph 0).\n"
	"\n"
	"[Problem]\n"
	"{problem}\n"
	"\n"
	"[Solution]\n"
	"{steps}\n"
	"\n"
	"Read the solution one paragraph at a time and check each: its "
	"arithmetic, its reasoning, and whether it reads the problem right. "
	"Find the earliest paragraph that is wrong. Once you have checked "
	"them, give that paragraph's index inside \\boxed{{}}, for example "
	"\\boxed{{2}}. If no paragraph is wrong, give \\boxed{{-1}}.\n";

enum { SAMPLES };

struct judge {
	int asked, answered;
	int *votes;          /* per sample: the index named, -2 none */
	struct buf rationale;
	int null_content, cut_off; /* samples with no content, cut at length */
};

static pcre2_code *boxed_re;

/* The last \boxed{...} without nested braces, as an integer; -2 none. */
int judge_parse(const char *text)
{
	if (!text)
		return -2;
	if (!boxed_re) {
		int ec;
		PCRE2_SIZE eo;
		boxed_re = pcre2_compile((PCRE2_SPTR) "\\\\boxed\\{([^{}]*)\\}",
					 PCRE2_ZERO_TERMINATED, PCRE2_MATCH_INVALID_UTF | PCRE2_UTF,
					 &ec, &eo, NULL);
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(boxed_re, NULL);
	size_t len = strlen(text), off = 0;
	int found = -2;
	while (off <= len && pcre2_match(boxed_re, (PCRE2_SPTR)text, len, off, 0, md, NULL) > 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		const char *s = text + ov[2], *e = text + ov[3];
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\n'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
			e--;
		char num[24];
		found = -3; /* a box that is not an index */
		if (e > s && (size_t)(e - s) < sizeof(num)) {
			memcpy(num, s, (size_t)(e - s));
			num[e - s] = '\0';
			char *end;
			long v = strtol(num, &end, 10);
			if (*end == '\0' && v >= -1 && v < 100000)
				found = (int)v;
		}
		off = ov[1] > off ? ov[1] : off + 1;
	}
	pcre2_match_data_free(md);
	return found < -1 ? -2 : found;
}

static int judge_start(struct pjob *pj)
{
	struct judge *s = xcalloc(1, sizeof(*s));
	pj->state = s;
	int n = (int)provider_set(pj->fc, pj->p, SAMPLES), max = pj->ep->max_n;
	s->votes = xmalloc((size_t)n * sizeof(int));
	for (int i = 0; i < n; i++)
		s->votes[i] = -2;
	for (int off = 0; off < n; off += max)
		pjob_ask(pj, off, n - off < max ? n - off : max, -1, off);
	s->asked = n;
	return 0;
}

static int judge_take(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		      char *why, size_t whylen)
{
	struct judge *s = pj->state;
	(void)why;
	(void)whylen;
	for (size_t i = 0; i < r->nchoices; i++) {
		const struct oai_choice *c = &r->choices[i];
		int k = rq->tag + (int)i;
		int v = judge_parse(c->text);
		int nsteps = (int)pj->v.it.nsteps;
		if (v >= nsteps)
			v = -2; /* names a paragraph that does not exist */
		if (!strcmp(c->finish, "length") && v != -2)
			v = -2; /* cut off: a box seen so far is not the verdict */
		s->votes[k] = v;
		buf_printf(&s->rationale, "%s=== sample %d of %d: ", s->rationale.len ? "\n\n" : "",
			   k + 1, s->asked);
		if (v >= -1)
			buf_printf(&s->rationale, "paragraph %d", v);
		else
			buf_puts(&s->rationale, "no prediction");
		buf_printf(&s->rationale, " (finish_reason %s) ===\n", *c->finish ? c->finish : "none");
		if (c->reasoning && *c->reasoning)
			buf_printf(&s->rationale, "[reasoning]\n%s\n%s", c->reasoning,
				   c->text ? "[answer]\n" : "");
		if (c->text)
			buf_puts(&s->rationale, c->text);
		else
			buf_puts(&s->rationale, "(no answer: content is null)");
		s->null_content += !c->text;
		s->cut_off += !strcmp(c->finish, "length");
		s->answered++;
	}
	return 0;
}

static int judge_next(struct pjob *pj)
{
	struct judge *s = pj->state;
	int best = -2, best_n = 0;
	for (int i = 0; i < s->asked; i++) {
		if (s->votes[i] < -1)
			continue;
		int c = 0;
		for (int j = 0; j < s->asked; j++)
			c += s->votes[j] == s->votes[i];
		if (c > best_n) /* ties go to the sample seen first */
			best = s->votes[i], best_n = c;
	}
	if (best < -1) { /* say what happened */
		if (s->null_content == s->asked)
			pjob_fail(pj, "the judge's %s no content (only reasoning%s): raise the "
				  "endpoint's max-tokens", s->asked == 1 ? "reply had" : "replies had",
				  s->cut_off ? ", cut off at max-tokens" : "");
		else if (s->cut_off == s->asked)
			pjob_fail(pj, "the judge's %s cut off at max-tokens before a verdict: raise "
				  "the endpoint's max-tokens", s->asked == 1 ? "reply was" : "replies were");
		else
			pjob_fail(pj, "the judge named no paragraph in %d sample%s (no \\boxed{index})",
				  s->asked, s->asked == 1 ? "" : "s");
		return 0;
	}
	struct suggestion *g = pjob_sug(pj, -1);
	g->first_error = best;
	g->value = (double)best_n / s->asked;
	g->rationale = arena_strndup(&pj->a, s->rationale.data, s->rationale.len);
	pj->done = 1;
	return 0;
}

static void judge_free(struct pjob *pj)
{
	struct judge *s = pj->state;
	if (!s)
		return;
	free(s->votes);
	buf_free(&s->rationale);
	free(s);
	pj->state = NULL;
}

static int judge_kind(const struct fconf *c, int p)
{
	(void)c, (void)p;
	return EP_CHAT;
}

static const char *judge_builtin_of(const struct fconf *c, int p)
{
	(void)c, (void)p;
	return judge_builtin;
}

static void judge_params(const struct fconf *c, int p, struct buf *b)
{
	buf_printf(b, ",\"samples\":%ld", provider_set(c, p, SAMPLES));
}

static const struct popt judge_opts[] = {
	[SAMPLES] = {"samples", PO_INT, 1, 1, 64, NULL, NULL, 1,
		     "replies asked per solution; the first error is their vote"},
	{NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

const struct provider_ops judge_ops = {
	.name = "judge",
	.summary = "a critic names each solution's first wrong step",
	.opts = judge_opts,
	.kind = judge_kind,
	.builtin = judge_builtin_of,
	.params = judge_params,
	.show = SHOW_MARK,
	.area = "judge",
	.start = judge_start,
	.take = judge_take,
	.next = judge_next,
	.free = judge_free,
};
