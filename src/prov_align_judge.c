/* prov_align_judge.c - the reference-guided judge (SPARE): one request per
 * solution with its reference in steps; the model names, for every step,
 * the reference steps it matches, a verdict and a reason, as JSON. The
 * links become alignments (source align-judge), the verdicts per-step
 * suggestions whose first incorrect step is the first error. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "json.h"
#include "reference.h"

static const char align_judge_builtin[] =
	"Below are a math problem, a reference solution and a proposed solution, "
	"each solution split into numbered steps (the first is step 0).\n"
	"\n"
	"[Problem]\n"
	"{problem}\n"
	"\n"
	"[Reference solution]\n"
	"{reference_steps}\n"
	"\n"
	"[Proposed solution]\n"
	"{steps}\n"
	"\n"
	"For every step of the proposed solution, name the reference steps it "
	"corresponds to (none, one or several), and judge the step against the "
	"reference: \"correct\", \"incorrect\", or \"neutral\" when it neither "
	"advances nor harms the solution. Reply with JSON only: a list with one "
	"object per proposed step, in order, such as\n"
	"[{{\"step\": 0, \"reference\": [0], \"verdict\": \"correct\", "
	"\"reason\": \"restates the setup\"}}]\n";

/* The verdicts a reply may give, as suggestion values. */
#define V_NONE (-1.0)

static const char *first_key(const struct jnode *o, const char *const *keys)
{
	for (; *keys; keys++)
		if (jget(o, *keys))
			return *keys;
	return NULL;
}

static int as_index(const struct jnode *n, long long *out)
{
	if (!n)
		return -1;
	if (n->type == J_NUM)
		return jint(n, out);
	if (n->type == J_STR) {
		char *end;
		const char *s = n->str;
		while (*s == ' ')
			s++;
		if (!strncmp(s, "step", 4) || !strncmp(s, "Step", 4))
			s += 4;
		while (*s == ' ' || *s == '_')
			s++;
		long long v = strtoll(s, &end, 10);
		if (end == s || *end)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}

static double verdict_of(const struct jnode *n)
{
	if (!n)
		return V_NONE;
	if (n->type == J_NUM) {
		double d;
		if (jdouble(n, &d) < 0)
			return V_NONE;
		return d > 0 ? 1 : d < 0 ? 0 : 0.5;
	}
	if (n->type == J_BOOL)
		return n->boolean ? 1 : 0;
	if (n->type != J_STR)
		return V_NONE;
	char w[16];
	size_t k = 0;
	for (const char *s = n->str; *s && k < sizeof(w) - 1; s++)
		if (*s != ' ')
			w[k++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	w[k] = '\0';
	if (!strcmp(w, "correct") || !strcmp(w, "+") || !strcmp(w, "positive") ||
	    !strcmp(w, "good") || !strcmp(w, "right") || !strcmp(w, "+1"))
		return 1;
	if (!strcmp(w, "incorrect") || !strcmp(w, "-") || !strcmp(w, "negative") ||
	    !strcmp(w, "bad") || !strcmp(w, "wrong") || !strcmp(w, "-1") || !strcmp(w, "error"))
		return 0;
	if (!strcmp(w, "neutral") || !strcmp(w, "0"))
		return 0.5;
	return V_NONE;
}

/* The JSON inside a reply: code fences and prose around it dropped, the
 * trailing commas before ] and } taken out (outside strings). */
static void extract_json(const char *text, struct buf *out)
{
	const char *a = text, *z = text + strlen(text);
	const char *fence = strstr(text, "```");
	if (fence) {
		const char *body = strchr(fence + 3, '\n');
		const char *end = body ? strstr(body, "```") : NULL;
		if (body && end) {
			a = body + 1;
			z = end;
		}
	}
	const char *ob = memchr(a, '[', (size_t)(z - a)), *oc = memchr(a, '{', (size_t)(z - a));
	const char *start = !ob ? oc : !oc ? ob : ob < oc ? ob : oc;
	if (!start) {
		buf_reset(out);
		buf_puts(out, "");
		return;
	}
	char close = *start == '[' ? ']' : '}';
	const char *end = z;
	while (end > start && end[-1] != close)
		end--;
	buf_reset(out);
	int str = 0;
	for (const char *p = start; p < end; p++) {
		if (str) {
			buf_putc(out, *p);
			if (*p == '\\' && p + 1 < end)
				buf_putc(out, *++p);
			else if (*p == '"')
				str = 0;
			continue;
		}
		if (*p == '"')
			str = 1;
		if (*p == ',') {
			const char *q = p + 1;
			while (q < end && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
				q++;
			if (q < end && (*q == ']' || *q == '}'))
				continue; /* a trailing comma */
		}
		buf_putc(out, *p);
	}
	if (!out->data)
		buf_puts(out, "");
}

/* One step's judgement from an object; its index by its own key, else
 * pos. 0 taken, -1 not a step. */
static int take_one(const struct jnode *o, long long pos, struct aj_step *out, size_t nsteps,
		    size_t nrefs, struct arena *a, int *numbered_from_1)
{
	static const char *const idx_keys[] = {"step", "index", "id", "paragraph", "step_index", NULL};
	static const char *const ref_keys[] = {"reference", "references", "ref", "refs",
					       "reference_steps", "matches", "aligned", NULL};
	static const char *const v_keys[] = {"verdict", "label", "judgement", "judgment",
					     "rating", "correctness", NULL};
	static const char *const why_keys[] = {"reason", "explanation", "rationale", "why", NULL};
	if (!o || o->type != J_OBJ)
		return -1;
	const char *k = first_key(o, idx_keys);
	long long i = pos;
	if (k && as_index(jget(o, k), &i) < 0)
		return -1;
	if (k && i == (long long)nsteps)
		*numbered_from_1 = 1;
	if (i < 0 || i > (long long)nsteps)
		return -1;
	struct aj_step s = {.step = (int)i, .verdict = V_NONE};
	k = first_key(o, v_keys);
	s.verdict = k ? verdict_of(jget(o, k)) : V_NONE;
	k = first_key(o, ref_keys);
	const struct jnode *r = k ? jget(o, k) : NULL;
	if (r && r->type == J_ARR) {
		for (const struct jnode *c = r->child; c; c = c->next) {
			long long v;
			if (as_index(c, &v) == 0 && v >= 0 && v <= (long long)nrefs &&
			    s.nrefs < AJ_MAX_REFS)
				s.refs[s.nrefs++] = (int)v;
		}
	} else if (r) {
		long long v;
		if (as_index(r, &v) == 0 && v >= 0 && v <= (long long)nrefs)
			s.refs[s.nrefs++] = (int)v;
	}
	k = first_key(o, why_keys);
	const struct jnode *w = k ? jget(o, k) : NULL;
	s.reason = w && w->type == J_STR ? arena_strndup(a, w->str, w->len) : NULL;
	*out = s;
	return 0;
}

int aj_parse(const char *text, size_t nsteps, size_t nrefs, struct aj_step *out,
	     struct arena *a, char *why, size_t whylen)
{
	for (size_t i = 0; i < nsteps; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].step = -1;
		out[i].verdict = V_NONE;
	}
	if (!text) {
		snprintf(why, whylen, "the reply has no content");
		return -1;
	}
	struct buf j = {0};
	extract_json(text, &j);
	struct arena tmp = {0};
	char jwhy[160] = "";
	const struct jnode *root = jparse_why(&tmp, j.data, j.len, jwhy, sizeof(jwhy));
	buf_free(&j);
	if (!root) {
		snprintf(why, whylen, "the reply holds no JSON list of steps%s%s",
			 jwhy[0] ? ": " : "", jwhy);
		arena_free(&tmp);
		return -1;
	}
	/* a list; an object holding one ("steps": [...]); or an object keyed
	 * by the step's number */
	const struct jnode *list = root;
	if (root->type == J_OBJ) {
		for (const struct jnode *c = root->child; c; c = c->next)
			if (c->type == J_ARR) {
				list = c;
				break;
			}
	}
	struct aj_step *got = xcalloc(nsteps + 2, sizeof(*got));
	size_t ngot = 0;
	int from_1 = 0, any_zero = 0;
	long long pos = 0;
	for (const struct jnode *c = list->child; c && ngot < nsteps + 1; c = c->next, pos++) {
		const struct jnode *o = c;
		long long keyed = pos;
		if (list->type == J_OBJ) { /* {"0": {...}} or {"step 1": {...}} */
			struct jnode kn = {.type = J_STR, .str = NULL};
			char *kcopy = xstrndup(c->key, c->keylen);
			kn.str = kcopy;
			kn.len = c->keylen;
			int ok = as_index(&kn, &keyed) == 0;
			free(kcopy);
			if (!ok)
				continue;
		}
		struct aj_step s;
		if (take_one(o, keyed, &s, nsteps, nrefs, a, &from_1) == 0) {
			any_zero |= s.step == 0;
			got[ngot++] = s;
		}
	}
	/* numbered from 1 although asked from 0: the step n is there and
	 * step 0 is not */
	int shift = from_1 && !any_zero;
	size_t taken = 0;
	for (size_t i = 0; i < ngot; i++) {
		struct aj_step s = got[i];
		s.step -= shift;
		if (s.step < 0 || (size_t)s.step >= nsteps || out[s.step].step >= 0)
			continue; /* out of range, or a step said twice: the first holds */
		if (shift)
			for (int r = 0; r < s.nrefs; r++)
				s.refs[r] -= s.refs[r] > 0 ? 1 : 0;
		int nr = 0;
		for (int r = 0; r < s.nrefs; r++)
			if (s.refs[r] >= 0 && (size_t)s.refs[r] < nrefs)
				s.refs[nr++] = s.refs[r];
		s.nrefs = nr;
		out[s.step] = s;
		taken++;
	}
	free(got);
	arena_free(&tmp);
	if (!taken) {
		snprintf(why, whylen, "the reply's JSON judges no step");
		return -1;
	}
	return (int)taken;
}

/* ---- the provider ---- */

struct aj {
	struct refsteps rs;
};

static int aj_start(struct pjob *pj)
{
	const struct item *it = &pj->v.it;
	if (!it->reference || !*it->reference) {
		pj->done = 1; /* nothing to judge against: no request */
		return 0;
	}
	if (!it->nsteps) {
		pjob_fail(pj, "the solution has no steps");
		return 0;
	}
	struct aj *s = xcalloc(1, sizeof(*s));
	pj->state = s;
	ref_split_stored(it->reference, it->reference_steps, &s->rs);
	pjob_ask(pj, 0, 1, -1, 0);
	return 0;
}

static int aj_take(struct pjob *pj, const struct preq *rq, const struct oai_resp *r,
		   char *why, size_t whylen)
{
	(void)rq;
	struct aj *s = pj->state;
	const struct item *it = &pj->v.it;
	size_t n = it->nsteps;
	struct aj_step *st = xcalloc(n + 1, sizeof(*st));
	int got = aj_parse(r->nchoices ? r->choices[0].text : NULL, n, s->rs.n, st, &pj->a,
			   why, whylen);
	if (got < 0) {
		free(st);
		return -1;
	}
	struct buf left = {0};
	char *covered = xcalloc(s->rs.n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (st[i].step < 0) {
			buf_printf(&left, "%s%zu", left.len ? ", " : "", i);
			continue;
		}
		if (st[i].verdict != V_NONE) {
			struct suggestion *g = pjob_sug(pj, (int)i);
			g->value = st[i].verdict;
			g->rationale = st[i].reason;
		}
		for (int k = 0; k < st[i].nrefs; k++) {
			pjob_link(pj, (int)i, st[i].refs[k], NAN);
			covered[st[i].refs[k]] = 1;
		}
		if (!st[i].nrefs)
			pjob_link(pj, (int)i, -1, NAN);
	}
	for (size_t j = 0; j < s->rs.n; j++)
		if (!covered[j])
			pjob_link(pj, -1, (int)j, NAN);
	free(covered);
	/* the first error: the first incorrect step, when every step before
	 * it was judged; none when all were and none is incorrect */
	int fe = -1;
	for (size_t i = 0; i < n && fe == -1; i++)
		if (st[i].step < 0 || st[i].verdict == V_NONE)
			fe = -2;
		else if (st[i].verdict == 0)
			fe = (int)i;
	struct suggestion *g = pjob_sug(pj, -1);
	g->first_error = fe;
	if (left.len) {
		struct buf b = {0};
		buf_printf(&b, "the reply left out step%s %s", strchr(left.data, ',') ? "s" : "",
			   left.data);
		g->rationale = arena_strndup(&pj->a, b.data, b.len);
		buf_free(&b);
	}
	buf_free(&left);
	free(st);
	pj->done = 1;
	return 0;
}

static int aj_next(struct pjob *pj)
{
	if (!pj->done)
		pjob_fail(pj, "no usable reply");
	return 0;
}

static void aj_free(struct pjob *pj)
{
	struct aj *s = pj->state;
	if (!s)
		return;
	refsteps_free(&s->rs);
	free(s);
	pj->state = NULL;
}

static int aj_kind(const struct fconf *c, int p)
{
	(void)c, (void)p;
	return EP_CHAT;
}

static const char *aj_builtin(const struct fconf *c, int p)
{
	(void)c, (void)p;
	return align_judge_builtin;
}

const struct provider_ops align_judge_ops = {
	.name = "align-judge",
	.summary = "a model judges each step against the reference",
	.kind = aj_kind,
	.builtin = aj_builtin,
	.show = SHOW_MARK,
	.links = 1,
	.area = "judge",
	.start = aj_start,
	.take = aj_take,
	.next = aj_next,
	.free = aj_free,
};
