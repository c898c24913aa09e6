/* prov_attribute.c - who failed, and when: a model names a trace's
 * decisive error (its turn and agent) all at once, step by step, or by
 * binary search, as Who&When's three methods do */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prompt.h"
#include "prov.h"

enum { METHOD, TRUTH };
enum { ALL_AT_ONCE, STEP_BY_STEP, BINARY };
static const char *const methods[] = {"all-at-once", "step-by-step", "binary", NULL};

struct attrib {
	int method;
	int lo, hi;       /* binary: the turns that hold the error; step: the turn asked */
	int step;         /* the answer: a turn, -1 none, -2 not yet */
	const char *agent;
	int failed;       /* a reply said nothing usable (why in pj->error) */
	struct buf why;   /* every round's reply, for the rationale */
};

/* The built-in prompts, one per method, in our own words. */
#define HEAD \
	"A team of agents worked on the task below; their log follows, turn by turn (the " \
	"first turn is turn 0). The team did not reach the right answer.\n\n" \
	"[Task]\n{problem}\n\n{truth}[Agents]\n{agents}\n[Log: turns {lo} to {hi}]\n{turns}"
static const char *const builtins[] = {
	[ALL_AT_ONCE] = HEAD
	"Find the decisive error: the earliest turn whose mistake led the team to the wrong "
	"answer, and the agent who made it. Answer in this form:\n"
	"Agent Name: <one of the agents above>\n"
	"Step Number: <the number of that turn>\n"
	"Reason for Mistake: <one sentence>\n",
	[STEP_BY_STEP] = HEAD
	"Look at turn {hi}, the last one shown, by {agent}. Is it the decisive error: the "
	"mistake that led the team to the wrong answer? Answer Yes or No on the first line, "
	"then give your reason in one sentence.\n",
	[BINARY] = HEAD
	"The decisive error (the earliest mistake that led the team to the wrong answer) is "
	"in turns {lo} to {hi}. Is it in the upper half (turns {lo} to {mid}) or in the lower "
	"half (turns {mid_next} to {hi})? Answer \"upper half\" or \"lower half\" on the first "
	"line, then give your reason in one sentence.\n",
};
#undef HEAD

/* The request of this round: the turns it shows (step by step: up to the
 * turn asked; binary: those that hold the error). */
static void ask(struct pjob *pj)
{
	struct attrib *s = pj->state;
	int last = (int)pj->v.it.nsteps - 1;
	struct prompt_span sp = {0, last, (int)provider_set(pj->fc, pj->p, TRUTH)};
	if (s->method == STEP_BY_STEP)
		sp.hi = s->lo;
	else if (s->method == BINARY)
		sp.lo = s->lo, sp.hi = s->hi;
	struct buf b = {0};
	char err[200];
	prompt_render_span(pj->tmpl, &pj->v.it, &sp, &b, err, sizeof(err));
	pjob_ask_chat(pj, 0, b.data, b.len);
	buf_free(&b);
}

static int attrib_start(struct pjob *pj)
{
	struct attrib *s = xcalloc(1, sizeof(*s));
	pj->state = s;
	s->method = (int)provider_set(pj->fc, pj->p, METHOD);
	s->step = -2;
	s->lo = 0;
	s->hi = (int)pj->v.it.nsteps - 1;
	if (pj->v.it.nsteps == 0) {
		pjob_fail(pj, "the solution has no steps");
		return 0;
	}
	ask(pj);
	return 0;
}

/* The word at the start of a line after the key (case-insensitive),
 * trimmed of markdown, quotes and commas; NULL when no line holds key. */
static char *value_after(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, key, kl) != 0)
			continue;
		const char *v = p + kl;
		while (*v && strchr("\"*_ \t", *v))
			v++;
		if (*v != ':')
			continue;
		v++;
		while (*v && strchr("\"*_` \t", *v))
			v++;
		size_t n = strcspn(v, "\n");
		while (n && strchr("\"*_`,} \t\r.", v[n - 1]))
			n--;
		return xstrndup(v, n);
	}
	return NULL;
}

/* The trace's agent a reply names: exactly (any case), else the longest
 * agent the reply's words contain. */
static const char *known_agent(const struct item *it, const char *said)
{
	const char *best = NULL;
	for (size_t i = 0; i < it->nsteps; i++) {
		const char *a = it->steps[i].agent;
		if (!a)
			continue;
		if (!strcasecmp(a, said))
			return a;
		if (strstr(said, a) && (!best || strlen(a) > strlen(best)))
			best = a;
	}
	return best;
}

static void take_all(struct pjob *pj, const char *text)
{
	struct attrib *s = pj->state;
	const struct item *it = &pj->v.it;
	char *agent = value_after(text, "agent name");
	if (!agent)
		agent = value_after(text, "agent");
	char *step = value_after(text, "step number");
	if (!step)
		step = value_after(text, "step");
	char *end = NULL;
	long v = step ? strtol(step, &end, 10) : -2;
	const char *a = agent ? known_agent(it, agent) : NULL;
	if (!agent || !step || end == step || v < 0 || v >= (long)it->nsteps)
		pjob_fail(pj, "the reply named no %s", !agent ? "agent" : "turn of the log");
	else if (!a)
		pjob_fail(pj, "the reply named an agent who acts in no turn of the log");
	else {
		s->step = (int)v;
		s->agent = a;
	}
	s->failed = s->step < 0;
	free(agent);
	free(step);
}

/* The first of the words in text (whole words, any case): its index, or
 * -1 when none is there. */
static int first_word(const char *text, const char *const *words, size_t n)
{
	const char *best = NULL;
	int which = -1;
	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(words[i]);
		for (const char *p = text; (p = strcasestr(p, words[i])); p++) {
			int start = p == text || !isalpha((unsigned char)p[-1]);
			int stop = !isalpha((unsigned char)p[wl]);
			if (start && stop) {
				if (!best || p < best)
					best = p, which = (int)i;
				break;
			}
		}
	}
	return which;
}

static int attrib_take(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		       char *why, size_t whylen)
{
	struct attrib *s = pj->state;
	(void)rq;
	if (r->nchoices == 0 || !r->choices[0].text) {
		snprintf(why, whylen, "the reply had no content%s",
			 r->nchoices && !strcmp(r->choices[0].finish, "length") ?
			 " (cut off at max-tokens)" : "");
		return -1;
	}
	const char *text = r->choices[0].text;
	if (s->method == ALL_AT_ONCE) {
		buf_puts(&s->why, text);
		take_all(pj, text);
		return 0;
	}
	static const char *const yesno[] = {"yes", "no"};
	static const char *const halves[] = {"upper", "lower", "first half", "second half"};
	int w = s->method == STEP_BY_STEP ? first_word(text, yesno, 2) : first_word(text, halves, 4);
	if (s->method == STEP_BY_STEP)
		buf_printf(&s->why, "%s=== turn %d: %s ===\n%s", s->why.len ? "\n\n" : "", s->lo,
			   w == 0 ? "yes" : w == 1 ? "no" : "no answer", text);
	else
		buf_printf(&s->why, "%s=== turns %d to %d: %s ===\n%s", s->why.len ? "\n\n" : "",
			   s->lo, s->hi, w < 0 ? "no answer" : w % 2 == 0 ? "upper half" : "lower half",
			   text);
	if (w < 0) {
		s->failed = 1;
		pjob_fail(pj, s->method == STEP_BY_STEP ? "turn %d: the reply said neither yes nor no" :
			  "turns %d to %d: the reply named neither half", s->lo, s->hi);
		return 0;
	}
	if (s->method == STEP_BY_STEP) {
		if (w == 0)
			s->step = s->lo;
		else if (++s->lo >= (int)pj->v.it.nsteps)
			s->step = -1; /* no turn was the decisive error */
	} else {
		int mid = (s->lo + s->hi) / 2;
		if (w % 2 == 0)
			s->hi = mid;
		else
			s->lo = mid + 1;
		if (s->lo == s->hi)
			s->step = s->lo;
	}
	return 0;
}

static int attrib_next(struct pjob *pj)
{
	struct attrib *s = pj->state;
	if (s->failed || pj->done || pj->failed)
		return 0;
	if (s->step == -2) {
		ask(pj);
		return 0;
	}
	struct suggestion *g = pjob_sug(pj, -1);
	/* the method (and the truth shown) in the model's name: each is a
	 * source of its own in the audit, as Who&When compares them */
	char model[300];
	snprintf(model, sizeof(model), "%s+%s%s", g->model ? g->model : "", methods[s->method],
		 provider_set(pj->fc, pj->p, TRUTH) ? "+truth" : "");
	g->model = arena_strndup(&pj->a, model, strlen(model));
	g->first_error = s->step;
	const char *agent = s->step < 0 ? NULL : s->agent ? s->agent : pj->v.it.steps[s->step].agent;
	g->agent = agent ? arena_strndup(&pj->a, agent, strlen(agent)) : NULL;
	g->rationale = arena_strndup(&pj->a, s->why.data ? s->why.data : "", s->why.len);
	pj->done = 1;
	return 0;
}

static void attrib_free(struct pjob *pj)
{
	struct attrib *s = pj->state;
	if (!s)
		return;
	buf_free(&s->why);
	free(s);
	pj->state = NULL;
}

static int attrib_kind(const struct fconf *c, int p)
{
	(void)c, (void)p;
	return EP_CHAT;
}

static const char *attrib_builtin(const struct fconf *c, int p)
{
	return builtins[provider_set(c, p, METHOD)];
}

static void attrib_params(const struct fconf *c, int p, struct buf *b)
{
	buf_printf(b, ",\"method\":\"%s\",\"ground_truth\":%s", methods[provider_set(c, p, METHOD)],
		   provider_set(c, p, TRUTH) ? "true" : "false");
}

static const struct popt attrib_opts[] = {
	[METHOD] = {"method", PO_CHOICE, ALL_AT_ONCE, 0, 0, NULL, methods, 1,
		    "all-at-once asks for the agent and turn over the whole log; step-by-step "
		    "asks of each turn in order whether it is the decisive error; binary halves "
		    "the turns that hold it"},
	[TRUTH] = {"ground-truth", PO_BOOL, 0, 0, 0, NULL, NULL, 1,
		   "show the task's correct answer in the prompt"},
	{NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL},
};

const struct provider_ops attribute_ops = {
	.name = "attribute",
	.summary = "a model names a trace's decisive turn and agent",
	.opts = attrib_opts,
	.kind = attrib_kind,
	.builtin = attrib_builtin,
	.params = attrib_params,
	.show = SHOW_MARK,
	.area = "judge",
	.fe_names_only = 1,
	.traces_only = 1,
	.start = attrib_start,
	.take = attrib_take,
	.next = attrib_next,
	.free = attrib_free,
};
