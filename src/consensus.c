/* consensus.c - the rules of a consensus policy, and how a solution's
 * labels and suggestions meet them */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus.h"
#include "resolve.h"
#include "trace.h"
#include "summary.h"

const char *const consensus_why[WHY_N] = {
	"", "annotators disagree", "people and sources disagree", "sources disagree",
	"too few labels", "no verdict from a source the policy names",
};

/* ---- what one solution holds */

struct voice {
	const char *name;  /* the annotator */
	int fe;            /* -1 or a step */
	int *r;            /* ratings per step */
	const char *agent; /* a trace's decisive error: the agent named */
};

/* One solution's scratch memory: a block on consensus_decide's stack,
 * then the heap (a chain freed at the end). It runs for every solution:
 * a dozen malloc and free pairs each were a fifth of its time. */
struct cmem {
	unsigned char *at;
	size_t left;
	void *heap; /* the newest block, its first bytes the one before */
};

#define CMEM_ALIGN sizeof(max_align_t)

/* n bytes (zeroed when zero) */
static void *cmem_get(struct cmem *m, size_t n, int zero)
{
	n = (n + CMEM_ALIGN - 1) / CMEM_ALIGN * CMEM_ALIGN;
	void *p;
	if (n <= m->left) {
		p = m->at;
		m->at += n;
		m->left -= n;
	} else {
		unsigned char *b = xmalloc(CMEM_ALIGN + n);
		memcpy(b, &m->heap, sizeof(m->heap));
		m->heap = b;
		p = b + CMEM_ALIGN;
	}
	return zero ? memset(p, 0, n) : p;
}

static void cmem_free(struct cmem *m)
{
	while (m->heap) {
		void *next;
		memcpy(&next, m->heap, sizeof(next));
		free(m->heap);
		m->heap = next;
	}
}

struct ctx {
	struct cmem *m;
	const struct item *it;
	struct voice *people; /* people whose labels decide a first error */
	size_t np;
	const struct label *adj; /* the adjudication in force, or NULL */
	char **keys;          /* the sources' keys ("mc/model"), in keytext */
	char *keytext;
	size_t nkeys;
	int *keyof;           /* per suggestion: its key */
	size_t *order;        /* scratch: the keys a rule covers */
	int *scratch;
	/* what the rules saw, for the reason when none decides */
	int src_split, person_src;
};

static int agree(int a, int b, int tol)
{
	if (a < 0 || b < 0)
		return a == b;
	return abs(a - b) <= tol;
}

static int same_agent(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* two verdicts agree: their first errors within tol, and on a trace the
 * same agent responsible (a decisive error is a turn and an agent) */
static int agree_on(int fa, const char *aa, int fb, const char *ab, int tol)
{
	return agree(fa, fb, tol) && same_agent(aa, ab);
}

/* a rule's source name ("mc" or "mc/model") covers a key */
static int names_key(const char *want, const char *key);

int consensus_covers(const struct rule *r, const char *key)
{
	for (size_t i = 0; i < r->nsrcs; i++)
		if (names_key(r->srcs[i], key))
			return 1;
	return 0;
}

static int names_key(const char *want, const char *key)
{
	size_t n = strlen(want);
	return !strncmp(key, want, n) && (key[n] == '\0' || key[n] == '/');
}


/* the keys a rule covers, in the order it names its sources (each
 * source's keys by name; all keys by name when it names none) */
static size_t rule_keys(const struct ctx *c, const struct rule *r, size_t *out)
{
	size_t n = 0;
	for (size_t s = 0; s < (r->nsrcs ? r->nsrcs : 1); s++)
		for (size_t k = 0; k < c->nkeys; k++) {
			if (r->nsrcs && !names_key(r->srcs[s], c->keys[k]))
				continue;
			size_t j = 0;
			while (j < n && out[j] != k)
				j++;
			if (j == n)
				out[n++] = k;
		}
	return n;
}

/* a source's first error under the rule's options: -2 when it has none,
 * or when an MC estimate it rests on had too few rollouts */
static int src_fe(struct ctx *c, size_t key, const struct rule *r)
{
	struct resolve_opts o = {.source = c->keys[key], .threshold = r->threshold};
	int fe = item_resolve(c->it, &o, c->scratch);
	if (fe < -1 || !r->min_rollouts)
		return fe;
	for (size_t i = 0; i < c->it->nsugs; i++) {
		const struct suggestion *g = &c->it->sugs[i];
		if ((size_t)c->keyof[i] != key || g->n <= 0 || g->n >= r->min_rollouts)
			continue;
		if (g->step < 0 || fe < 0 || g->step <= fe)
			return -2;
	}
	return fe;
}

/* takes back what a rule said of who agreed, when it does not decide */
static void unsay_by(struct decision *d, size_t mark)
{
	d->by.len = mark;
	if (d->by.data)
		d->by.data[mark] = '\0';
}

static void say_by(struct decision *d, const char *mark, const char *name)
{
	if (d->by.len)
		buf_putc(&d->by, ',');
	buf_puts(&d->by, mark);
	for (const char *p = name; *p; p++)
		buf_putc(&d->by, *p == ',' || *p == '\n' || *p == '\t' ? ' ' : *p);
}

/* the ratings of the decision: a person's when one agreeing with fe rated
 * the steps, else good up to fe and bad at it */
static void set_ratings(struct decision *d, const struct ctx *c, int fe, const int *from)
{
	size_t n = c->it->nsteps;
	int fills = !trace_is(c->it); /* a trace's decisive turn: no more */
	buf_reset(&d->ratings);
	for (size_t i = 0; i < n; i++) {
		int v = from ? from[i] : NO_RATING;
		if (!from || (int)i == fe)
			v = (int)i == fe ? -1 : fills && ((int)i < fe || fe < 0) ? 1 : NO_RATING;
		else if (fe >= 0 && (int)i < fe && v == -1)
			v = 1; /* nothing before the first error is wrong */
		buf_putc(&d->ratings, v == 1 ? '+' : v == 0 ? '0' : v == -1 ? '-' : '.');
	}
	if (!d->ratings.data)
		buf_puts(&d->ratings, "");
	d->fe = fe;
}

static const int *ratings_of(const struct ctx *c, int fe)
{
	for (size_t i = 0; i < c->np; i++)
		if (c->people[i].fe == fe)
			return c->people[i].r;
	return NULL;
}

/* the earliest first error of a group (-1 when it finds none) */
static int earliest(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* every person who decided agrees with every other */
static int people_agree(const struct ctx *c, int tol, int *fe)
{
	*fe = -2;
	for (size_t i = 0; i < c->np; i++) {
		for (size_t j = 0; j < i; j++)
			if (!agree_on(c->people[i].fe, c->people[i].agent, c->people[j].fe,
				      c->people[j].agent, tol))
				return 0;
		*fe = i ? earliest(*fe, c->people[i].fe) : c->people[i].fe;
	}
	return c->np > 0;
}

/* the agent of the people's verdict fe, when they name one */
static const char *people_agent(const struct ctx *c, int fe)
{
	for (size_t i = 0; i < c->np; i++)
		if (c->people[i].fe == fe && c->people[i].agent)
			return c->people[i].agent;
	return NULL;
}

/* ---- the rules */

static int r_adjudicated(const struct rule *r, struct ctx *c, struct decision *d)
{
	(void)r;
	if (!c->adj)
		return 0;
	say_by(d, "!", c->adj->annotator);
	d->agent = c->adj->agent;
	set_ratings(d, c, c->adj->fe, ratings_of(c, c->adj->fe));
	return 1;
}

static int r_majority(const struct rule *r, struct ctx *c, struct decision *d)
{
	size_t best = 0, most = 0;
	for (size_t i = 0; i < c->np; i++) {
		size_t n = 0;
		for (size_t j = 0; j < c->np; j++)
			n += agree_on(c->people[i].fe, c->people[i].agent, c->people[j].fe,
				      c->people[j].agent, r->tol);
		if (n > most) {
			most = n;
			best = i;
		}
	}
	if (!most || most < (size_t)r->min || 2 * most <= c->np)
		return 0;
	int fe = c->people[best].fe;
	d->agent = c->people[best].agent;
	for (size_t j = 0; j < c->np; j++)
		if (agree_on(c->people[best].fe, c->people[best].agent, c->people[j].fe,
			     c->people[j].agent, r->tol)) {
			fe = earliest(fe, c->people[j].fe);
			say_by(d, "@", c->people[j].name);
		}
	set_ratings(d, c, fe, ratings_of(c, fe));
	return 1;
}

static int r_human(const struct rule *r, struct ctx *c, struct decision *d)
{
	int fe;
	if (c->np < (size_t)(r->min > 0 ? r->min : 1) || !people_agree(c, r->tol, &fe))
		return 0;
	for (size_t j = 0; j < c->np; j++)
		say_by(d, "@", c->people[j].name);
	d->agent = people_agent(c, fe);
	set_ratings(d, c, fe, ratings_of(c, fe));
	return 1;
}

static int r_confirmed(const struct rule *r, struct ctx *c, struct decision *d)
{
	int fe;
	if (!people_agree(c, r->tol, &fe))
		return 0;
	size_t mark = d->by.len;
	for (size_t j = 0; j < c->np; j++)
		say_by(d, "@", c->people[j].name);
	int any = 0;
	size_t nk = rule_keys(c, r, c->order);
	for (size_t i = 0; i < nk; i++) {
		size_t k = c->order[i];
		int s = src_fe(c, k, r);
		if (s >= -1 && agree_on(s, sug_fe_agent(c->it, c->keys[k], s), fe, people_agent(c, fe), r->tol)) {
			say_by(d, "", c->keys[k]);
			any = 1;
		} else if (s >= -1) {
			c->person_src = 1;
		}
	}
	if (!any) {
		unsay_by(d, mark);
		return 0;
	}
	d->agent = people_agent(c, fe);
	set_ratings(d, c, fe, ratings_of(c, fe));
	return 1;
}

static int r_sources(const struct rule *r, struct ctx *c, struct decision *d)
{
	int fe = -2;
	int *got = cmem_get(c->m, (r->nsrcs + 1) * sizeof(int), 1);
	int *seen = cmem_get(c->m, (c->nkeys + 1) * sizeof(int), 0);
	const char **seen_agent = cmem_get(c->m, (c->nkeys + 1) * sizeof(char *), 0);
	const char *agent = NULL;
	size_t nseen = 0;
	int ok = 1;
	size_t mark = d->by.len;
	size_t nk = rule_keys(c, r, c->order);
	for (size_t i = 0; ok && i < nk; i++) {
		size_t k = c->order[i];
		int s = src_fe(c, k, r);
		if (s < -1)
			continue;
		const char *sa = sug_fe_agent(c->it, c->keys[k], s);
		for (size_t j = 0; j < nseen; j++)
			if (!agree_on(s, sa, seen[j], seen_agent[j], r->tol))
				ok = 0, c->src_split = 1;
		seen_agent[nseen] = sa;
		seen[nseen++] = s;
		agent = sa ? sa : agent;
		fe = fe == -2 ? s : earliest(fe, s);
		for (size_t n = 0; n < r->nsrcs; n++)
			got[n] |= names_key(r->srcs[n], c->keys[k]);
		say_by(d, "", c->keys[k]);
	}
	for (size_t i = 0; ok && i < r->nsrcs; i++)
		ok = got[i];
	/* sources never overrule a person */
	for (size_t j = 0; ok && j < c->np; j++)
		if (!(ok = agree_on(c->people[j].fe, c->people[j].agent, fe, agent, r->tol)))
			c->person_src = 1;
	if (!ok) {
		unsay_by(d, mark);
		return 0;
	}
	d->agent = agent;
	set_ratings(d, c, fe, NULL);
	return 1;
}

enum { O_MIN = 1, O_TOL = 2, O_ROLL = 4, O_THR = 8, O_SRCS = 16, O_NEEDSRC = 32 };

struct rule_ops {
	const char *name;
	const char *args; /* as the help shows them */
	unsigned opts;
	int dflt_min;
	int (*decide)(const struct rule *r, struct ctx *c, struct decision *d);
};

static const struct rule_ops rules[] = {
	{"adjudicated", "", 0, 0, r_adjudicated},
	{"human-majority", " N [tolerance K]", O_MIN | O_TOL, 2, r_majority},
	{"human", " [N] [tolerance K]", O_MIN | O_TOL, 1, r_human},
	{"confirmed-suggestion", " [SOURCE...] [tolerance K] [threshold T] [min-rollouts R]",
	 O_TOL | O_SRCS | O_THR | O_ROLL, 0, r_confirmed},
	{"sources", " SOURCE... [tolerance K] [threshold T] [min-rollouts R]",
	 O_TOL | O_SRCS | O_NEEDSRC | O_THR | O_ROLL, 0, r_sources},
};

const char *consensus_rules_help(void)
{
	return "adjudicated, human-majority N, human [N], confirmed-suggestion [SOURCE...], "
	       "sources SOURCE...; options: tolerance K, threshold T, min-rollouts R; "
	       "policy options: min-gold-accuracy P, guidelines current";
}

/* ---- the policy's text */

static void rule_free(struct rule *r)
{
	for (size_t i = 0; i < r->nsrcs; i++)
		free(r->srcs[i]);
	free(r->srcs);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		rule_free(&p->r[i]);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

static int whole_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* one rule from its words */
static int rule_parse(char **w, size_t nw, struct rule *r, char *err, size_t n)
{
	const struct rule_ops *op = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!strcmp(w[0], rules[i].name))
			op = &rules[i];
	if (!op) {
		snprintf(err, n, "unknown rule \"%.60s\" (rules: %s)", inert(w[0], 0),
			 consensus_rules_help());
		return -1;
	}
	r->kind = (int)(op - rules);
	r->min = op->dflt_min;
	r->threshold = 0.5;
	struct buf t = {0};
	buf_puts(&t, op->name);
	for (size_t i = 1; i < nw; i++) {
		const char *a = w[i], *v = i + 1 < nw ? w[i + 1] : NULL;
		unsigned need = !strcmp(a, "tolerance") ? O_TOL : !strcmp(a, "threshold") ? O_THR :
				!strcmp(a, "min-rollouts") ? O_ROLL : 0;
		if (need && !(op->opts & need)) {
			snprintf(err, n, "%s takes no %s (%s%s)", op->name, a, op->name, op->args);
			goto bad;
		}
		if (need && !v) {
			snprintf(err, n, "%s: %s needs a value", op->name, a);
			goto bad;
		}
		if (need == O_TOL && whole_int(v, 0, 1000, &r->tol) < 0) {
			snprintf(err, n, "%s: tolerance is a number of steps, 0 to 1000", op->name);
			goto bad;
		}
		if (need == O_ROLL && whole_int(v, 1, 1000000, &r->min_rollouts) < 0) {
			snprintf(err, n, "%s: min-rollouts is a whole number from 1", op->name);
			goto bad;
		}
		if (need == O_THR) {
			char *end;
			r->threshold = strtod(v, &end);
			if (end == v || *end || !(r->threshold >= 0 && r->threshold <= 1)) {
				snprintf(err, n, "%s: threshold is a number from 0 to 1", op->name);
				goto bad;
			}
		}
		if (need) {
			buf_printf(&t, " %s %s", a, v);
			i++;
			continue;
		}
		if ((op->opts & O_MIN) && i == 1 && whole_int(a, 1, 1000, &r->min) == 0) {
			buf_printf(&t, " %d", r->min);
			continue;
		}
		if (!(op->opts & O_SRCS) || strspn(a, "0123456789.") == strlen(a)) {
			snprintf(err, n, "%s: unexpected \"%.40s\" (%s%s)", op->name, inert(a, 0),
				 op->name, op->args);
			goto bad;
		}
		r->srcs = xrealloc(r->srcs, (r->nsrcs + 1) * sizeof(char *));
		r->srcs[r->nsrcs++] = xstrdup(a);
		buf_printf(&t, " %s", a);
	}
	if ((op->opts & O_NEEDSRC) && !r->nsrcs) {
		snprintf(err, n, "%s needs the sources that must agree (%s%s)", op->name, op->name,
			 op->args);
		goto bad;
	}
	r->text = t.data;
	return 0;
bad:
	buf_free(&t);
	rule_free(r); /* the sources named before the mistake */
	return -1;
}

/* the policy option "min-gold-accuracy P" from its words into p */
static int option_parse(char **w, size_t nw, struct policy *p, char *err, size_t n)
{
	char *end = NULL;
	double v = nw == 2 ? strtod(w[1], &end) : -1;
	if (nw != 2 || end == w[1] || *end || !(v >= 0 && v <= 1)) {
		snprintf(err, n, "min-gold-accuracy is a share from 0 to 1 (0.8: four in five)");
		return -1;
	}
	if (p->min_gold >= 0) {
		snprintf(err, n, "min-gold-accuracy given twice");
		return -1;
	}
	p->min_gold = v;
	return 0;
}

/* one item of the policy, a rule or the option, into p and its text */
static int policy_item(char **w, size_t nw, struct policy *p, struct buf *all, char *err,
		       size_t n)
{
	if (!strcmp(w[0], "guidelines")) { /* not a rule: which labels count */
		if (nw != 2 || strcmp(w[1], "current") || p->guidelines_current) {
			snprintf(err, n, "guidelines takes current, once (guidelines current)");
			return -1;
		}
		p->guidelines_current = 1;
		buf_printf(all, "%sguidelines current", all->len ? ", " : "");
		return 0;
	}
	if (!strcmp(w[0], "min-gold-accuracy")) {
		if (option_parse(w, nw, p, err, n) < 0)
			return -1;
		buf_printf(all, "%smin-gold-accuracy %s", all->len ? ", " : "", w[1]);
		return 0;
	}
	if (p->n == POLICY_MAX) {
		snprintf(err, n, "more than %d rules", POLICY_MAX);
		return -1;
	}
	if (rule_parse(w, nw, &p->r[p->n], err, n) < 0)
		return -1;
	buf_printf(all, "%s%s", all->len ? ", " : "", p->r[p->n++].text);
	return 0;
}

int policy_parse(const char *text, struct policy *p, char *err, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->min_gold = -1;
	char *copy = xstrdup(text);
	char *w[64];
	size_t nw = 0;
	int rc = 0;
	struct buf all = {0};
	for (char *q = copy;; q++) {
		int end = *q == '\0' || *q == ',';
		if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || end) {
			char c = *q;
			*q = '\0';
			if (end) {
				if (!nw) {
					snprintf(err, n, "an empty rule in the policy%s",
						 c ? " (two commas?)" : "");
					rc = -1;
					break;
				}
				if (policy_item(w, nw, p, &all, err, n) < 0) {
					rc = -1;
					break;
				}
				nw = 0;
			}
			if (!c)
				break;
			continue;
		}
		if (q == copy || q[-1] == '\0') {
			if (nw == ARRAY_SIZE(w)) {
				snprintf(err, n, "a rule of too many words");
				rc = -1;
				break;
			}
			w[nw++] = q;
		}
	}
	free(copy);
	if (rc == 0 && !p->n) {
		snprintf(err, n, "a policy needs a rule (%s)", consensus_rules_help());
		rc = -1;
	}
	if (rc < 0) {
		buf_free(&all);
		policy_free(p);
		return -1;
	}
	p->text = all.data;
	return 0;
}

/* ---- one solution */

/* the kinds that make a person's verdict */
static int verdict_kind(enum label_kind k)
{
	return k == LK_RATING || k == LK_FIRST_ERROR || k == LK_RATINGS;
}

static void ctx_people(struct ctx *c)
{
	const struct item *it = c->it;
	size_t n = it->nsteps;
	c->people = cmem_get(c->m, (it->nlabels + 1) * sizeof(*c->people), 1);
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_ADJUDICATION) {
			/* the newest decision in force of any adjudicator: one's
			 * undo withdraws one's own, not another's */
			int later = 0;
			for (size_t k = i + 1; k < it->nlabels && !later; k++)
				later = it->labels[k].kind == LK_ADJUDICATION &&
					!strcmp(it->labels[k].annotator, l->annotator);
			if (!later && l->fe >= -1 && l->fe < (int)n)
				c->adj = l;
			continue;
		}
		if (!verdict_kind(l->kind))
			continue;
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = verdict_kind(it->labels[k].kind) &&
			       !strcmp(it->labels[k].annotator, l->annotator);
		if (seen)
			continue;
		int *r = cmem_get(c->m, (n + 1) * sizeof(int), 0);
		int fe = summary_annotator(it, l->annotator, r);
		if (fe < -1)
			continue;
		c->people[c->np].name = l->annotator;
		c->people[c->np].fe = fe;
		c->people[c->np].agent = label_fe_agent(it, l->annotator, fe);
		c->people[c->np++].r = r;
	}
}

static int key_index(char *const *keys, size_t n, const char *key)
{
	size_t j = 0;
	while (j < n && strcmp(keys[j], key))
		j++;
	return (int)j;
}

/* g's key (sug_key's) at p: its length */
static size_t key_at(char *p, const struct suggestion *g)
{
	size_t n = strlen(g->source);
	memcpy(p, g->source, n);
	if (g->model && *g->model) {
		size_t m = strlen(g->model);
		p[n++] = '/';
		memcpy(p + n, g->model, m);
		n += m;
	}
	p[n] = '\0';
	return n;
}

/* the sources' keys, by name, and each suggestion's (each key built
 * once, the keys' text in one block: this runs for every solution) */
static void ctx_keys(struct ctx *c)
{
	const struct item *it = c->it;
	size_t len = 1;
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		len += strlen(g->source) + (g->model && *g->model ? strlen(g->model) + 1 : 0) + 1;
	}
	c->keytext = cmem_get(c->m, len, 0);
	c->keyof = cmem_get(c->m, (it->nsugs + 1) * sizeof(int), 0);
	c->keys = cmem_get(c->m, (it->nsugs + 1) * sizeof(char *), 0);
	c->order = cmem_get(c->m, (it->nsugs + 1) * sizeof(size_t), 0);
	const char **own = cmem_get(c->m, (it->nsugs + 1) * sizeof(char *), 0); /* each one's key */
	char *p = c->keytext;
	for (size_t i = 0; i < it->nsugs; i++) {
		size_t n = key_at(p, &it->sugs[i]);
		size_t j = (size_t)key_index(c->keys, c->nkeys, p);
		if (j == c->nkeys) {
			c->keys[c->nkeys++] = p;
			p += n + 1;
		}
		own[i] = c->keys[j];
	}
	for (size_t i = 1; i < c->nkeys; i++) /* by name: a few, an insertion sort */
		for (size_t j = i; j > 0 && strcmp(c->keys[j - 1], c->keys[j]) > 0; j--) {
			char *t = c->keys[j];
			c->keys[j] = c->keys[j - 1];
			c->keys[j - 1] = t;
		}
	for (size_t i = 0; i < it->nsugs; i++) {
		int j = 0;
		while (c->keys[j] != own[i])
			j++;
		c->keyof[i] = j;
	}
}

/* the sources rule r names that have no verdict on the solution, into
 * miss (each once) */
static void missing_of(const struct rule *r, struct ctx *c, struct names *miss)
{
	struct rule any = *r;
	any.min_rollouts = 0; /* too few rollouts is too few labels, not none */
	for (size_t i = 0; i < r->nsrcs; i++) {
		int has = 0;
		for (size_t k = 0; k < c->nkeys && !has; k++)
			has = names_key(r->srcs[i], c->keys[k]) && src_fe(c, k, &any) >= -1;
		if (!has)
			names_add(miss, r->srcs[i]);
	}
}

/* why nothing decided, from what the policy's rules look at */
static enum why why_not(const struct policy *p, struct ctx *c, struct decision *d)
{
	int fe, people = 0, any_src = 0;
	struct names miss = {0};
	for (size_t i = 0; i < p->n; i++) {
		const struct rule *r = &p->r[i];
		int (*fn)(const struct rule *, struct ctx *, struct decision *) = rules[r->kind].decide;
		people |= fn == r_majority || fn == r_human || fn == r_confirmed;
		any_src |= fn == r_confirmed && !r->nsrcs;
		missing_of(r, c, &miss);
	}
	if (any_src && !c->nkeys && !miss.n)
		names_add(&miss, "any source");
	size_t at = 0;
	d->missing[0] = '\0';
	for (size_t i = 0; i < miss.n && at < sizeof(d->missing); i++)
		at += (size_t)snprintf(d->missing + at, sizeof(d->missing) - at, "%s%s",
				       i ? ", " : "", miss.v[i]);
	names_free(&miss);
	if (people && c->np >= 2 && !people_agree(c, 0, &fe))
		return WHY_ANNOTATORS;
	if (c->person_src)
		return WHY_PERSON_SOURCES;
	if (c->src_split)
		return WHY_SOURCES;
	return d->missing[0] ? WHY_MISSING : WHY_FEW;
}

/* guidelines current: it without the people's labels made under other
 * guidelines or none, into kept (its labels xmalloc'd); the verdicts'
 * labels (rating, first_error, ratings) left out */
static size_t current_only(const struct policy *p, const struct item *it, struct item *kept)
{
	size_t left = 0;
	*kept = *it;
	kept->labels = xmalloc((it->nlabels + 1) * sizeof(*kept->labels));
	kept->nlabels = 0;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_ADJUDICATION || (p->current && l->guidelines &&
						   !strcmp(l->guidelines, p->current)))
			kept->labels[kept->nlabels++] = *l;
		else
			left += verdict_kind(l->kind);
	}
	return left;
}

void consensus_decide(const struct policy *p, const struct item *it, struct decision *d)
{
	struct item kept = {0};
	d->left_out = 0;
	if (p->guidelines_current) {
		d->left_out = current_only(p, it, &kept);
		it = &kept;
	}
	_Alignas(max_align_t) unsigned char stack[8192];
	struct cmem m = {stack, sizeof(stack), NULL};
	struct ctx c = {.m = &m, .it = it};
	c.scratch = cmem_get(&m, (it->nsteps + 1) * sizeof(int), 0);
	ctx_people(&c);
	ctx_keys(&c);
	buf_reset(&d->ratings);
	buf_reset(&d->by);
	d->fe = -2;
	d->rule = -1;
	d->why = WHY_NONE;
	d->agent = NULL;
	for (size_t i = 0; i < p->n; i++)
		if (rules[p->r[i].kind].decide(&p->r[i], &c, d)) {
			d->rule = (int)i;
			break;
		}
	if (d->rule < 0)
		d->why = why_not(p, &c, d);
	cmem_free(&m);
	free(kept.labels);
}
