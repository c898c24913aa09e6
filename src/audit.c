/* audit.c - each source against a truth, and people against each other,
 * from three ordered scans of the store (solutions, labels, suggestions) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "mcstat.h"
#include "resolve.h"
#include "walk.h"
#include "consensus.h"
#include "summary.h"

/* ---- the units of agreement, counted as they come (memory of the
 * categories, not of the units): each pair of annotators over the units
 * both rated, and everyone */

struct upair {
	struct stat_pair k;     /* kappa */
	struct stat_units two;  /* alpha and AC1 of the pair */
	long m, exact, within;
	int64_t *differ;        /* the solutions where they differ (collect) */
	size_t ndiffer;
};

struct units {
	int width;              /* annotators */
	int steps;              /* 0 first errors, 1 steps, 2 agents */
	long n, n2;             /* units; those of two or more values */
	struct stat_units all;  /* everyone */
	struct upair *pair;     /* width x width, i < j */
};

static void units_init(struct units *u, int width, int steps)
{
	u->width = width;
	u->steps = steps;
	u->pair = xcalloc((size_t)width * (size_t)width, sizeof(*u->pair));
}

/* one unit of sol: row's width values, -1 missing */
static void units_add(struct units *u, int64_t sol, const int *row, int collect)
{
	int w = u->width, m = 0;
	u->n++;
	for (int i = 0; i < w; i++)
		m += row[i] >= 0;
	u->n2 += m >= 2;
	if (w > 1 && m)
		stat_units_add(&u->all, row, w);
	if (m < 2)
		return; /* no pair */
	for (int i = 0; i < w; i++)
		for (int j = i + 1; j < w; j++) {
			int p = row[i], q = row[j];
			if (p < 0 || q < 0)
				continue;
			struct upair *pr = &u->pair[i * w + j];
			int two[2] = {p, q};
			stat_pair_add(&pr->k, p, q);
			stat_units_add(&pr->two, two, 2);
			pr->m++;
			pr->exact += p == q;
			if (p != q && collect && !u->steps) {
				pr->differ = xrealloc(pr->differ, (pr->ndiffer + 1) * sizeof(int64_t));
				pr->differ[pr->ndiffer++] = sol;
			}
			/* within one step: both name a step, at most one apart */
			pr->within += p == q || (!u->steps && p > 0 && q > 0 && abs(p - q) <= 1);
		}
}

static void units_free(struct units *u)
{
	for (int i = 0; i < u->width * u->width && u->pair; i++) {
		stat_pair_free(&u->pair[i].k);
		stat_units_free(&u->pair[i].two);
		free(u->pair[i].differ);
	}
	free(u->pair);
	stat_units_free(&u->all);
}

/* ---- one data set's accumulators */

struct acc {
	char *name;            /* NULL: all */
	struct audit_sys *sys; /* per system */
	long *labelled;        /* per source: solutions with a verdict */
	long *decided, *typed; /* per annotator */
	long *blind, *changed, *toward;
	struct units fe, steps;
	struct units agent;    /* traces: the agent each annotator blames */
	int maxcat;
	long *rule_decided, *rule_judged, *rule_same; /* per rule that decided */
	long *flt_kept, *flt_judged, *flt_same;       /* per filter */
	long *asg, *asg_done, *gold, *gold_done, *gold_right; /* per annotator */
	long *gold_near;
};

/* a solution dealt to an annotator (stepmark assign) */
struct asg {
	int64_t sol;
	int ann;         /* index into run's anns */
	int gold_fe;     /* a gold item's first error, -2 not gold */
};

/* a solution's agreed label, as stepmark consensus stored it */
struct arow {
	int64_t sol;
	int fe;          /* -2: no rule decided */
	char *ratings;
	int rule;        /* index into run's rules, -1 none */
};

/* a label the split reads (db_audit_split_rows) */
struct srow {
	int64_t sol, id;
	char *who, *text;
	int step;
};

struct run {
	struct names anns, srcs;
	struct mc_opts mc;     /* MC progress: K and alpha */
	struct names agents;   /* the agents annotators blamed: categories */
	int *is_truth;         /* per annotator */
	size_t nsys;           /* annotators not in the truth, then sources */
	struct acc *acc;       /* per data set, then all */
	size_t nacc;
	double threshold;
	long truth_split;
	int collect;            /* keep the solutions behind the counts */
	unsigned where;         /* SF_* flags a solution needs one of; 0 any */
	int *urow;              /* one unit of agreement, an annotator's value each */
	struct label *scratch;  /* one annotator's labels of a solution */
	size_t capscratch;
	/* what the audit reads of the walk's window beside it, in solution
	 * order: the agreed labels, the assignments, the split's labels, their
	 * strings in wa */
	int any_agreed;         /* the store has agreed labels */
	struct arow *agreed;
	size_t nagreed, at_agreed, capagreed;
	struct arena wa;
	int agreed_truth;       /* they are the truth */
	int agreed_sys;         /* they are measured (the last system) */
	struct names rules;     /* the rules that decided them */
	struct policy *filters; /* the policy's sources rules, each alone */
	size_t nfilters;
	struct decision dec;
	struct asg *asg;        /* the assignments */
	size_t nasg, at_asg, capasg;
	int viewer, viewer_blind; /* whose workbench (-1: none), its blind setting */
	struct label *seen;     /* the labels the viewer may see of a solution */
	size_t capseen;
	int *vr;                /* the viewer's ratings of one */
	size_t capvr;
	int by;                 /* what the accumulators split by (audit_by_find) */
	size_t all;             /* the accumulator of everything */
	struct srow *srows;     /* the split's labels */
	size_t nsrows, at_srow, capsrows;
};

static void acc_init(struct run *r, struct acc *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->name = name ? xstrdup(name) : NULL;
	a->sys = xcalloc(r->nsys + 1, sizeof(*a->sys));
	a->labelled = xcalloc(r->srcs.n + 1, sizeof(long));
	a->decided = xcalloc(r->anns.n + 1, sizeof(long));
	a->typed = xcalloc(r->anns.n + 1, sizeof(long));
	a->blind = xcalloc(r->anns.n + 1, sizeof(long));
	a->changed = xcalloc(r->anns.n + 1, sizeof(long));
	a->toward = xcalloc(r->anns.n + 1, sizeof(long));
	int width = (int)(r->anns.n ? r->anns.n : 1);
	units_init(&a->fe, width, 0);
	units_init(&a->steps, width, 1);
	units_init(&a->agent, width, 2);
	a->rule_decided = xcalloc(r->rules.n + 1, sizeof(long));
	a->rule_judged = xcalloc(r->rules.n + 1, sizeof(long));
	a->rule_same = xcalloc(r->rules.n + 1, sizeof(long));
	a->flt_kept = xcalloc(r->nfilters + 1, sizeof(long));
	a->flt_judged = xcalloc(r->nfilters + 1, sizeof(long));
	a->flt_same = xcalloc(r->nfilters + 1, sizeof(long));
	a->asg = xcalloc(r->anns.n + 1, sizeof(long));
	a->asg_done = xcalloc(r->anns.n + 1, sizeof(long));
	a->gold = xcalloc(r->anns.n + 1, sizeof(long));
	a->gold_done = xcalloc(r->anns.n + 1, sizeof(long));
	a->gold_right = xcalloc(r->anns.n + 1, sizeof(long));
	a->gold_near = xcalloc(r->anns.n + 1, sizeof(long));
}

/* the system index of annotator i (-1 for the truth's) and of source j */
static int sys_of_ann(const struct run *r, size_t i)
{
	if (r->is_truth[i])
		return -1;
	int k = 0;
	for (size_t j = 0; j < i; j++)
		k += !r->is_truth[j];
	return k;
}

/* One system's verdict (fe, step ratings, per-step values) against the
 * truth's on one solution. */
static void keep(struct audit_sys *s, int o, int64_t sol)
{
	if (s->nids[o] == s->capids[o]) {
		s->capids[o] = s->capids[o] ? s->capids[o] * 2 : 64;
		s->ids[o] = xrealloc(s->ids[o], s->capids[o] * sizeof(int64_t));
	}
	s->ids[o][s->nids[o]++] = sol;
}

/* the outcome of a verdict fe against the truth's tfe */
static int outcome(int tfe, int fe)
{
	if (fe < -1)
		return AO_NONE;
	if (fe == tfe)
		return AO_SAME;
	if (tfe < 0)
		return AO_FALSE;
	return fe == -1 ? AO_MISSED : fe < tfe ? AO_EARLIER : AO_LATER;
}

/* One solution's section-level precision, recall and F1 as DeltaBench's
 * evaluation script scores an item: the predicted wrong steps after the
 * truth's last wrong step are dropped; a solution the truth finds no
 * error in scores 0 on all three (the script averages it in so); a
 * ratio with nothing under it is 0. */
static void judge_macro(struct audit_sys *s, const int *truth, const int *rt, size_t nsteps)
{
	long tp = 0, fp = 0, fn = 0, rated = 0;
	size_t last = 0;
	int any = 0;
	for (size_t i = 0; i < nsteps; i++) {
		rated += truth[i] != NO_RATING;
		if (truth[i] == -1) {
			last = i;
			any = 1;
		}
	}
	if (!rated)
		return;
	s->mac_n++;
	if (!any)
		return;
	for (size_t i = 0; i <= last; i++) {
		if (truth[i] == NO_RATING)
			continue;
		int tw = truth[i] == -1, pw = rt[i] == -1;
		tp += tw && pw;
		fp += !tw && pw;
		fn += tw && !pw;
	}
	double p = tp + fp ? (double)tp / (tp + fp) : 0, r = tp + fn ? (double)tp / (tp + fn) : 0;
	s->mac_p += p;
	s->mac_r += r;
	s->mac_f1 += p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static void judge_sys(struct audit_sys *s, int tfe, const int *truth, int fe,
		      const int *rt, const double *val, size_t nsteps, int64_t sol)
{
	if (sol)
		keep(s, outcome(tfe, fe), sol);
	if (tfe >= 0)
		s->n_error++;
	else
		s->n_correct++;
	if (fe < -1) {
		s->none++;
	} else if (tfe >= 0) {
		s->ok_error += fe == tfe;
		if (fe >= 0) {
			int d = fe - tfe;
			s->offset[(d < -3 ? -3 : d > 3 ? 3 : d) + 3]++;
		}
		if (fe == tfe)
			s->same++;
		else if (fe == -1)
			s->missed++;
		else if (fe < tfe)
			s->earlier++;
		else
			s->later++;
	} else {
		s->ok_correct += fe == -1;
		if (fe == -1)
			s->same++;
		else
			s->false_alarm++;
	}
	for (size_t i = 0; i < nsteps; i++) {
		if (truth[i] == NO_RATING)
			continue;
		int tw = truth[i] == -1, pw = rt[i] == -1;
		s->tp += tw && pw;
		s->fp += !tw && pw;
		s->fn += tw && !pw;
		s->tn += !tw && !pw;
	}
	judge_macro(s, truth, rt, nsteps);
	if (!val)
		return;
	s->has_values = 1;
	for (int t = 0; t < AUDIT_NT; t++) {
		double th = audit_threshold(t);
		int f = -1;
		for (size_t i = 0; i < nsteps; i++)
			if (val[i] != NO_VALUE && val[i] < th) {
				f = (int)i;
				break;
			}
		if (tfe >= 0)
			s->sweep[t][0] += f == tfe;
		else
			s->sweep[t][1] += f == -1;
	}
}

/* ---- one solution */

struct sol {
	int64_t id;
	int acc;              /* its data set's accumulator */
	struct item it;
	const struct arow *ag; /* its agreed label, or NULL */
	const struct asg *asg; /* its assignments */
	size_t nasg;
	const struct srow *srow; /* the split's labels of it */
	size_t nsrow;
};

/* progress on the assignments, accuracy on gold items */
static void assigned_counts(const struct sol *s, struct acc *a, const int *fe)
{
	for (size_t k = 0; k < s->nasg; k++) {
		const struct asg *g = &s->asg[k];
		int i = g->ann;
		a->asg[i]++;
		a->asg_done[i] += fe[i] >= -1;
		if (g->gold_fe < -1)
			continue;
		a->gold[i]++;
		if (fe[i] >= -1) {
			a->gold_done[i]++;
			a->gold_right[i] += fe[i] == g->gold_fe;
			a->gold_near[i] += fe[i] == g->gold_fe ||
					   (fe[i] >= 0 && g->gold_fe >= 0 && abs(fe[i] - g->gold_fe) <= 1);
		}
	}
}

/* marks (+ 0 - .) as ratings */
static void marks_ratings(const char *m, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = m && *m ? *m++ : '.';
		out[i] = c == '+' ? 1 : c == '0' ? 0 : c == '-' ? -1 : NO_RATING;
	}
}

/* the agreed labels and the consensus filters, per solution */
static void agreed_counts(struct run *r, struct sol *s, struct acc **accs, int tfe,
			  const int *truth, const int *atr)
{
	const struct arow *g = s->ag;
	size_t n = s->it.nsteps;
	int *kept = xcalloc(r->nfilters + 1, sizeof(int)), *ffe = xcalloc(r->nfilters + 1, sizeof(int));
	struct item bare = s->it;
	bare.nlabels = 0; /* the rule alone on the sources: people set aside */
	for (size_t f = 0; f < r->nfilters; f++) {
		consensus_decide(&r->filters[f], &bare, &r->dec);
		kept[f] = r->dec.rule >= 0;
		ffe[f] = r->dec.fe;
	}
	for (int w = 0; w < 2; w++) {
		struct acc *a = accs[w];
		if (g && g->rule >= 0) {
			a->rule_decided[g->rule]++;
			if (tfe >= -1 && !r->agreed_truth) {
				a->rule_judged[g->rule]++;
				a->rule_same[g->rule] += g->fe == tfe;
			}
		}
		if (tfe >= -1 && r->agreed_sys && g)
			judge_sys(&a->sys[r->nsys - 1], tfe, truth, g->fe, atr, NULL, n,
				  r->collect ? s->id : 0);
		for (size_t f = 0; f < r->nfilters; f++) {
			if (!kept[f])
				continue;
			a->flt_kept[f]++;
			if (tfe >= -1) {
				a->flt_judged[f]++;
				a->flt_same[f] += ffe[f] == tfe;
			}
		}
	}
	free(kept);
	free(ffe);
}

/* The ratings an annotator typed (not those a first-error mark filled
 * in): the newest label of each step. */
static void typed_ratings(const struct item *it, const char *who, int *out)
{
	for (size_t i = 0; i < it->nsteps; i++)
		out[i] = NO_RATING;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->annotator != who)
			continue;
		if (l->kind == LK_RATING && l->step >= 0 && (size_t)l->step < it->nsteps)
			out[l->step] = l->text && !strcmp(l->text, "filled") ? NO_RATING : l->value;
		else if (l->kind == LK_RATINGS && l->text)
			for (size_t k = 0; k < it->nsteps && l->text[k]; k++)
				if (strchr("+0-", l->text[k]))
					out[k] = l->text[k] == '+' ? 1 : l->text[k] == '0' ? 0 : -1;
	}
}

/* the truth: the first error its annotators share (-2 none, or they
 * split), and their ratings into *truth */
static int truth_of(struct run *r, const int *fe, const int *rt, size_t n, const int **truth)
{
	int tfe = -2, split = 0;
	for (size_t i = 0; i < r->anns.n; i++) {
		if (!r->is_truth[i] || fe[i] < -1)
			continue;
		if (tfe == -2) {
			tfe = fe[i];
			*truth = rt + i * (n + 1);
		} else if (fe[i] != tfe) {
			split = 1;
		}
	}
	if (split) {
		r->truth_split++;
		tfe = -2;
	}
	return tfe;
}

/* agreement units: the first error (category fe + 1), and each step's
 * typed rating (category rating + 1) of the na annotators */
static void agreement_units(struct run *r, struct acc *a, int64_t id, const int *fe,
			    const int *typed, size_t na, size_t n)
{
	int *row = r->urow;
	for (size_t i = 0; i < na; i++) {
		row[i] = -1;
		if (fe[i] >= -1) {
			row[i] = fe[i] + 1;
			if (row[i] + 1 > a->maxcat)
				a->maxcat = row[i] + 1;
		}
	}
	units_add(&a->fe, id, row, r->collect);
	for (size_t k = 0; k < n; k++) {
		int m = 0;
		for (size_t i = 0; i < na; i++)
			m += typed[i * (n + 1) + k] != NO_RATING;
		if (m < 2)
			continue; /* a unit nobody else rated tells nothing */
		for (size_t i = 0; i < na; i++)
			row[i] = typed[i * (n + 1) + k] != NO_RATING ? typed[i * (n + 1) + k] + 1 : -1;
		units_add(&a->steps, id, row, r->collect);
	}
}

/* A system's attribution (turn fe, agent) against the truth's. */
static void judge_attribution(struct audit_sys *s, int tfe, const char *tagent, int fe,
			      const char *agent)
{
	s->att_n++;
	if (fe < -1)
		return; /* no answer: wrong on both counts */
	s->att_answered++;
	s->att_agent += agent && !strcmp(agent, tagent);
	s->att_step += fe == tfe;
	s->att_within1 += fe >= 0 && abs(fe - tfe) <= 1;
	s->att_within3 += fe >= 0 && abs(fe - tfe) <= 3;
}

/* Every system's attribution on a trace the truth attributes. */
static void attributions(struct run *r, const struct sol *s, struct acc *a, const int *fe,
			 int tfe)
{
	const char *tagent = NULL;
	size_t na = r->anns.n, ns = r->srcs.n;
	for (size_t i = 0; i < na && !tagent && !r->agreed_truth; i++)
		if (r->is_truth[i] && fe[i] == tfe)
			tagent = label_fe_agent(&s->it, r->anns.v[i], tfe);
	if (tfe < 0 || !tagent)
		return;
	for (size_t i = 0; i < na; i++) {
		int k = sys_of_ann(r, i);
		if (k >= 0)
			judge_attribution(&a->sys[k], tfe, tagent, fe[i],
					  fe[i] >= 0 ? label_fe_agent(&s->it, r->anns.v[i], fe[i]) : NULL);
	}
	size_t base = r->nsys - ns - (size_t)r->agreed_sys;
	for (size_t j = 0; j < ns; j++)
		judge_attribution(&a->sys[base + j], tfe, tagent, fe[na + j],
				  fe[na + j] >= 0 ? sug_fe_agent(&s->it, r->srcs.v[j], fe[na + j]) : NULL);
}

/* agreement units on a trace: the agent each annotator blames for the
 * decisive error (categories: the agents' names, in order seen) */
static void agent_units(struct run *r, struct acc *a, const struct sol *s, const int *fe)
{
	int *row = r->urow, any = 0;
	for (size_t i = 0; i < r->anns.n; i++) {
		const char *ag = fe[i] >= 0 ? label_fe_agent(&s->it, r->anns.v[i], fe[i]) : NULL;
		row[i] = -1;
		if (!ag)
			continue;
		names_add(&r->agents, ag);
		row[i] = names_index(&r->agents, ag);
		any = 1;
	}
	if (any)
		units_add(&a->agent, s->id, row, r->collect);
}

/* ---- the splits (--by): what a solution's figures count under */


/* the accumulator of the group named name, made when new */
static size_t group_acc(struct run *r, const char *name)
{
	for (size_t k = 0; k < r->nacc; k++)
		if (k != r->all && r->acc[k].name && !strcmp(r->acc[k].name, name))
			return k;
	r->acc = xrealloc(r->acc, (r->nacc + 1) * sizeof(*r->acc));
	acc_init(r, &r->acc[r->nacc], name);
	return r->nacc++;
}

/* the truth's category of its first error: the newest category label of
 * the truth's annotators (with --truth agreed: of those whose first error
 * it is) on that step; "no error", "none" (not said), "undecided" */
static const char *key_category(const struct run *r, const struct sol *s, const int *fe,
				int tfe)
{
	if (tfe < -1)
		return "undecided";
	if (tfe == -1)
		return "no error";
	const char *key = NULL;
	for (size_t k = 0; k < s->nsrow; k++) {
		const struct srow *w = &s->srow[k];
		int i = names_index(&r->anns, w->who);
		if (w->step == tfe && i >= 0 && (r->agreed_truth ? fe[i] == tfe : r->is_truth[i]))
			key = w->text; /* in label order: the newest wins, NULL cleared */
	}
	return key ? key : "none";
}

/* the guidelines the solution was labelled under: those of the newest
 * verdict label of an annotator measured (not the truth's), else of the
 * truth's; "none" when it records none */
static const char *key_guidelines(const struct run *r, const struct sol *s, const int *fe,
				  int tfe)
{
	(void)fe;
	(void)tfe;
	const struct srow *best = NULL, *truth = NULL;
	for (size_t k = 0; k < s->nsrow; k++) {
		const struct srow *w = &s->srow[k];
		int i = names_index(&r->anns, w->who);
		const struct srow **b = i >= 0 && r->is_truth[i] ? &truth : &best;
		if (!*b || w->id > (*b)->id)
			*b = w;
	}
	if (!best)
		best = truth;
	return best && best->text ? best->text : "none";
}

/* the domain its metadata names (VersaPRM's import keeps it); "none"
 * when it names none */
static const char *key_domain(const struct run *r, const struct sol *s, const int *fe, int tfe)
{
	(void)r;
	(void)fe;
	(void)tfe;
	return s->nsrow && s->srow[0].text && *s->srow[0].text ? s->srow[0].text : "none";
}

typedef const char *split_fn(const struct run *r, const struct sol *s, const int *fe, int tfe);
/* What the figures split by, one line each: the name --by takes, the
 * report's column, the group of a solution (NULL: its data set's), the
 * rows of the store it reads (db_audit_split_rows). */
static const struct split {
	const char *name, *column;
	split_fn *key;
	enum db_split rows;
} splits[] = {
	{"dataset", "data set", NULL, DB_SPLIT_CATEGORY},
	{"category", "category", key_category, DB_SPLIT_CATEGORY},
	{"guidelines", "guidelines", key_guidelines, DB_SPLIT_GUIDELINES},
	{"domain", "domain", key_domain, DB_SPLIT_DOMAIN},
};

int audit_by_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(splits); i++)
		if (!strcmp(name, splits[i].name))
			return (int)i;
	return -1;
}

const char *audit_by_name(int by)
{
	return by >= 0 && (size_t)by < ARRAY_SIZE(splits) ? splits[by].name : NULL;
}

const char *audit_by_column(int by)
{
	return by >= 0 && (size_t)by < ARRAY_SIZE(splits) ? splits[by].column : "data set";
}

static void on_srow(void *arg, const struct db_split_row *w)
{
	struct run *r = arg;
	if (r->nsrows == r->capsrows) {
		r->capsrows = r->capsrows ? r->capsrows * 2 : 1024;
		r->srows = xrealloc(r->srows, r->capsrows * sizeof(*r->srows));
	}
	struct srow *g = &r->srows[r->nsrows++];
	const char *who = w->annotator ? w->annotator : "";
	g->sol = w->sol;
	g->id = w->id;
	g->step = w->step;
	g->who = arena_strndup(&r->wa, who, strlen(who));
	g->text = w->text ? arena_strndup(&r->wa, w->text, strlen(w->text)) : NULL;
}

/* MC's progress and effective reward, systems of their own ("mc/M:progress"),
 * their values mapped into 0..1 so that the sweep's thresholds span them:
 * (1 + progress) / 2, (effective + alpha) / (1 + 2 alpha) */
static void mc_derived(const struct run *r, const struct sol *s, int *fe, int *rt,
		       double *val, char *hasval, char *touched)
{
	size_t n = s->it.nsteps;
	char base[200];
	double *v = xmalloc((n + 1) * sizeof(double)), a = r->mc.K ? r->mc.alpha : 0.5;
	for (size_t j = 0; j < r->srcs.n; j++) {
		int kind = mc_soft_kind(r->srcs.v[j], base, sizeof(base));
		if (kind == MC_SOFT_NONE || !mc_soft_values(&s->it, base, kind, &r->mc, v))
			continue;
		touched[j] = hasval[j] = 1;
		int *rj = rt + j * (n + 1);
		double *vj = val + j * (n + 1);
		fe[j] = -1;
		for (size_t i = 0; i < n; i++) {
			if (v[i] == NO_VALUE) {
				rj[i] = NO_RATING;
				fe[j] = fe[j] == -1 ? -2 : fe[j];
				continue;
			}
			vj[i] = kind == MC_SOFT_PROGRESS ? (1 + v[i]) / 2 : (v[i] + a) / (1 + 2 * a);
			rj[i] = vj[i] >= r->threshold ? 1 : -1;
			if (rj[i] == -1 && fe[j] == -1)
				fe[j] = (int)i;
		}
	}
	free(v);
}

static void one_solution(struct run *r, struct sol *s)
{
	size_t n = s->it.nsteps, na = r->anns.n, ns = r->srcs.n;
	int *fe = xmalloc((na + ns + 1) * sizeof(int));
	int *rt = xmalloc(((na + ns) * (n + 1) + 1) * sizeof(int));
	int *typed = xmalloc((na * (n + 1) + 1) * sizeof(int));
	int *bfe = xmalloc((na + 1) * sizeof(int)), *brt = xmalloc((n + 1) * sizeof(int));
	double *val = xmalloc((ns * (n + 1) + 1) * sizeof(double));
	char *hasval = xcalloc(ns + 1, 1);
	/* who labelled the solution at all: the others are not measured on
	 * it (coverage, not error) */
	char *touched = xcalloc(na + ns + 1, 1);
	if (r->capscratch < s->it.nlabels + 1) {
		r->capscratch = s->it.nlabels + 16;
		r->scratch = xrealloc(r->scratch, r->capscratch * sizeof(*r->scratch));
	}
	for (size_t i = 0; i < na; i++) {
		/* names are interned: the annotator's labels by pointer */
		struct item sub = s->it;
		sub.labels = r->scratch;
		sub.nlabels = 0;
		sub.nsugs = 0;
		for (size_t k = 0; k < s->it.nlabels; k++)
			if (s->it.labels[k].annotator == r->anns.v[i] &&
			    s->it.labels[k].kind != LK_ADJUDICATION)
				r->scratch[sub.nlabels++] = s->it.labels[k];
		touched[i] = sub.nlabels > 0;
		fe[i] = sub.nlabels ? item_resolve(&sub, NULL, rt + i * (n + 1)) : -2;
		if (!sub.nlabels)
			for (size_t k = 0; k < n; k++)
				rt[i * (n + 1) + k] = NO_RATING;
		typed_ratings(&sub, r->anns.v[i], typed + i * (n + 1));
		/* what the labels given blind decided */
		size_t nb = 0;
		for (size_t k = 0; k < sub.nlabels; k++)
			if (sub.labels[k].origin == walk_blind_origin)
				sub.labels[nb++] = sub.labels[k];
		sub.nlabels = nb;
		bfe[i] = nb ? item_resolve(&sub, NULL, brt) : -2;
	}
	for (size_t j = 0; j < ns; j++) {
		struct resolve_opts o = {.source = r->srcs.v[j], .threshold = r->threshold};
		fe[na + j] = item_resolve(&s->it, &o, rt + (na + j) * (n + 1));
		double *v = val + j * (n + 1);
		for (size_t i = 0; i < n; i++)
			v[i] = NO_VALUE;
	}
	struct buf key = {0};
	for (size_t g = 0; g < s->it.nsugs; g++) {
		const struct suggestion *sg = &s->it.sugs[g];
		sug_key(&key, sg);
		int j = names_index(&r->srcs, key.data);
		if (j < 0)
			continue;
		touched[na + (size_t)j] = 1;
		if (sg->step < 0 || (size_t)sg->step >= n)
			continue;
		double v = sg->n > 0 ? (double)sg->k / sg->n : sg->value;
		if (v != NO_VALUE) {
			val[(size_t)j * (n + 1) + (size_t)sg->step] = v;
			hasval[j] = 1;
		}
	}
	buf_free(&key);
	mc_derived(r, s, fe + na, rt + na * (n + 1), val, hasval, touched + na);
	const int *truth = NULL;
	int tfe = truth_of(r, fe, rt, n, &truth);
	int *atr = xmalloc((n + 1) * sizeof(int));
	marks_ratings(s->ag ? s->ag->ratings : NULL, n, atr);
	if (r->agreed_truth) {
		tfe = s->ag ? s->ag->fe : -2;
		truth = atr;
	}
	if (splits[r->by].key)
		s->acc = (int)group_acc(r, splits[r->by].key(r, s, fe, tfe));
	struct acc *accs[2] = {&r->acc[s->acc], &r->acc[r->all]};
	agreed_counts(r, s, accs, tfe, truth, atr);
	assigned_counts(s, accs[0], fe);
	assigned_counts(s, accs[1], fe);
	for (int w = 0; w < 2; w++) {
		struct acc *a = accs[w];
		for (size_t i = 0; i < na; i++) {
			if (bfe[i] >= -1) {
				a->blind[i]++;
				if (fe[i] >= -1 && fe[i] != bfe[i]) {
					a->changed[i]++;
					int now = 0, then = 0;
					for (size_t j = 0; j < ns; j++) {
						now |= fe[na + j] == fe[i];
						then |= fe[na + j] == bfe[i];
					}
					a->toward[i] += now && !then;
				}
			}
			a->decided[i] += fe[i] >= -1;
			for (size_t k = 0; k < n; k++)
				a->typed[i] += typed[i * (n + 1) + k] != NO_RATING;
		}
		for (size_t j = 0; j < ns; j++)
			a->labelled[j] += fe[na + j] >= -1;
		attributions(r, s, a, fe, tfe);
		if (tfe >= -1) {
			for (size_t i = 0; i < na; i++) {
				int k = sys_of_ann(r, i);
				if (k >= 0 && touched[i])
					judge_sys(&a->sys[k], tfe, truth, fe[i], rt + i * (n + 1), NULL, n,
						  r->collect ? s->id : 0);
			}
			size_t base = r->nsys - ns - (size_t)r->agreed_sys;
			for (size_t j = 0; j < ns; j++)
				if (touched[na + j])
					judge_sys(&a->sys[base + j], tfe, truth, fe[na + j],
						  rt + (na + j) * (n + 1),
						  hasval[j] ? val + j * (n + 1) : NULL, n,
						  r->collect ? s->id : 0);
		}
		if (na) {
			agreement_units(r, a, s->id, fe, typed, na, n);
			agent_units(r, a, s, fe);
		}
	}
	free(atr);
	free(fe);
	free(rt);
	free(typed);
	free(bfe);
	free(brt);
	free(val);
	free(hasval);
	free(touched);
}

/* ---- the scan */

struct scan {
	struct db *db;
	struct run *r;
	const char *dataset;
	const struct names *ds;
	int64_t *dsid;  /* data set ids to accumulators (-1: not selected) */
	int *dsacc;
	size_t nds;
	struct sol s;
};

/* The workbench's audit: on a solution dealt to its user, other people's
 * labels and the agreed label count only where the user may see them
 * (summary_others_hidden): a gold item is any item there too. */
static void as_seen(struct run *r, struct sol *s)
{
	int mine = 0;
	for (size_t k = 0; k < s->nasg && r->viewer >= 0; k++)
		mine |= s->asg[k].ann == r->viewer;
	if (!mine)
		return;
	const char *me = r->anns.v[r->viewer];
	if (r->capvr < s->it.nsteps + 1) {
		r->capvr = s->it.nsteps + 16;
		r->vr = xrealloc(r->vr, r->capvr * sizeof(int));
	}
	if (!summary_others_hidden(r->viewer_blind, 1, summary_annotator(&s->it, me, r->vr) >= -1))
		return;
	if (r->capseen < s->it.nlabels + 1) {
		r->capseen = s->it.nlabels + 16;
		r->seen = xrealloc(r->seen, r->capseen * sizeof(*r->seen));
	}
	size_t n = 0;
	for (size_t k = 0; k < s->it.nlabels; k++)
		if (s->it.labels[k].annotator == me) /* interned */
			r->seen[n++] = s->it.labels[k];
	s->it.labels = r->seen;
	s->it.nlabels = n;
	s->ag = NULL;
}

static int on_solution(void *arg, const struct walk_sol *w)
{
	struct scan *sc = arg;
	struct run *r = sc->r;
	sc->s.acc = -1;
	for (size_t k = 0; k < sc->nds; k++)
		if (sc->dsid[k] == w->dataset_id)
			sc->s.acc = sc->dsacc[k];
	if (sc->s.acc < 0 || (r->where && !(w->flags & r->where)))
		return 0;
	sc->s.id = w->id;
	sc->s.it = w->it;
	while (r->at_agreed < r->nagreed && r->agreed[r->at_agreed].sol < w->id)
		r->at_agreed++;
	sc->s.ag = r->at_agreed < r->nagreed && r->agreed[r->at_agreed].sol == w->id ?
		   &r->agreed[r->at_agreed] : NULL;
	while (r->at_asg < r->nasg && r->asg[r->at_asg].sol < w->id)
		r->at_asg++;
	sc->s.asg = r->asg + r->at_asg;
	sc->s.nasg = 0;
	while (r->at_asg + sc->s.nasg < r->nasg && r->asg[r->at_asg + sc->s.nasg].sol == w->id)
		sc->s.nasg++;
	while (r->at_srow < r->nsrows && r->srows[r->at_srow].sol < w->id)
		r->at_srow++;
	sc->s.srow = r->srows + r->at_srow;
	sc->s.nsrow = 0;
	while (r->at_srow + sc->s.nsrow < r->nsrows && r->srows[r->at_srow + sc->s.nsrow].sol == w->id)
		sc->s.nsrow++;
	as_seen(r, &sc->s);
	one_solution(r, &sc->s);
	return 0;
}

static void on_dataset(void *arg, int64_t id, const char *name)
{
	struct scan *sc = arg;
	sc->dsid = xrealloc(sc->dsid, (sc->nds + 1) * sizeof(*sc->dsid));
	sc->dsacc = xrealloc(sc->dsacc, (sc->nds + 1) * sizeof(*sc->dsacc));
	sc->dsid[sc->nds] = id;
	sc->dsacc[sc->nds++] = sc->dataset && strcmp(name, sc->dataset) ? -1 :
			       sc->r->by ? 0 : names_index(sc->ds, name); /* a split: its key's */
}

static void on_assigned(void *arg, const struct db_assignment *a);
static int on_agreed(void *arg, const struct db_agreed *a);

/* Before each window of the walk, solutions lo to hi: what the audit
 * reads beside the walk of them (the agreed labels, the assignments, the
 * split's labels), the last window's let go. */
static int on_window(void *arg, int64_t lo, int64_t hi)
{
	struct scan *sc = arg;
	struct run *r = sc->r;
	r->nagreed = r->at_agreed = r->nasg = r->at_asg = r->nsrows = r->at_srow = 0;
	arena_reset(&r->wa);
	if (db_agreed_range(sc->db, lo, hi, on_agreed, r) < 0 ||
	    db_assignments_range(sc->db, lo, hi, on_assigned, r) < 0 ||
	    (splits[r->by].key &&
	     db_audit_split_rows(sc->db, splits[r->by].rows, lo, hi, on_srow, r) < 0))
		return -1;
	return 0;
}

static int scan(struct db *db, struct run *r, const char *dataset, struct names *ds)
{
	struct scan sc = {.db = db, .r = r, .dataset = dataset, .ds = ds};
	struct walk_opts o = {.anns = &r->anns, .srcs = &r->srcs, .win = on_window,
			      .fn = on_solution, .arg = &sc};
	int ok = db_dataset_ids(db, on_dataset, &sc) == 0 && db_walk_with(db, &o) == 0;
	free(sc.dsid);
	free(sc.dsacc);
	return ok ? 0 : -1;
}

struct cov_ctx {
	const struct run *r;
	struct audit *out;
};

/* one data set and source's jobs: what they cost */
static void on_coverage(void *arg, const struct db_coverage *row)
{
	struct cov_ctx *cx = arg;
	const struct run *r = cx->r;
	struct audit *out = cx->out;
	out->cov = xrealloc(out->cov, (out->ncov + 1) * sizeof(*out->cov));
	struct audit_cov *c = &out->cov[out->ncov++];
	memset(c, 0, sizeof(*c));
	c->dataset = xstrdup(row->dataset);
	c->name = xstrdup(row->source);
	c->done = row->done;
	c->failed = row->failed;
	c->pending = row->pending;
	c->requests = row->requests;
	c->tokens_in = row->tokens_in;
	c->tokens_out = row->tokens_out;
	for (size_t a = 0; a + 1 < r->nacc; a++) {
		int j = names_index(&r->srcs, c->name);
		if (j >= 0 && r->acc[a].name && !strcmp(r->acc[a].name, c->dataset))
			c->labelled = r->acc[a].labelled[j];
	}
}

/* jobs per data set and source: what each cost */
static int coverage(struct db *db, const struct run *r, struct audit *out, const char *dataset)
{
	struct cov_ctx cx = {r, out};
	return db_audit_coverage(db, dataset, on_coverage, &cx);
}

static int by_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* per annotator row of out: the times of its data set (or of all) */
struct active {
	const struct audit *out;
	double **t;
	size_t *n;
};

static void on_active(void *arg, const char *who, const char *ds, double active_ms)
{
	struct active *tm = arg;
	double v = active_ms / 1000;
	for (size_t i = 0; i < tm->out->nanns; i++) {
		const struct audit_ann *a = &tm->out->anns[i];
		if (strcmp(a->name, who) || (a->dataset && strcmp(a->dataset, ds)))
			continue;
		tm->t[i] = xrealloc(tm->t[i], (tm->n[i] + 1) * sizeof(double));
		tm->t[i][tm->n[i]++] = v;
	}
}

/* the median active time per solution of each annotator row in out */
static int active_times(struct db *db, struct audit *out, const char *dataset)
{
	double **t = xcalloc(out->nanns + 1, sizeof(double *));
	size_t *n = xcalloc(out->nanns + 1, sizeof(size_t));
	struct active tm = {out, t, n};
	int rc = db_active_times(db, dataset, on_active, &tm);
	for (size_t i = 0; i < out->nanns; i++) {
		if (n[i]) {
			qsort(t[i], n[i], sizeof(double), by_double);
			out->anns[i].active_s = n[i] % 2 ? t[i][n[i] / 2] :
						(t[i][n[i] / 2 - 1] + t[i][n[i] / 2]) / 2;
			out->anns[i].timed = (long)n[i];
		}
		free(t[i]);
	}
	free(t);
	free(n);
	return rc;
}

/* agreement on one set of units: each pair, then everyone (a pair's
 * solutions that differ move to out) */
static void agreement(struct audit *out, const struct run *r, struct acc *a, struct units *u,
		      int steps, int ncat)
{
	size_t na = r->anns.n;
	for (size_t i = 0; i < na; i++)
		for (size_t j = i + 1; j < na; j++) {
			struct upair *p = &u->pair[i * (size_t)u->width + j];
			if (!p->m)
				continue;
			out->pairs = xrealloc(out->pairs, (out->npairs + 1) * sizeof(*out->pairs));
			struct audit_pair *pr = &out->pairs[out->npairs++];
			memset(pr, 0, sizeof(*pr));
			pr->dataset = a->name ? xstrdup(a->name) : NULL;
			pr->a = xstrdup(r->anns.v[i]);
			pr->b = xstrdup(r->anns.v[j]);
			pr->steps = steps;
			pr->n = p->m;
			pr->exact = p->exact;
			pr->within1 = p->within;
			pr->kappa = stat_pair_kappa(&p->k, ncat);
			pr->alpha = stat_units_alpha(&p->two, ncat);
			pr->ac1 = stat_units_ac1(&p->two, ncat);
			pr->differ = p->differ;
			pr->ndiffer = p->ndiffer;
			p->differ = NULL;
			p->ndiffer = 0;
		}
	if (na > 1 && u->n2) {
		out->pairs = xrealloc(out->pairs, (out->npairs + 1) * sizeof(*out->pairs));
		struct audit_pair *pr = &out->pairs[out->npairs++];
		memset(pr, 0, sizeof(*pr));
		pr->dataset = a->name ? xstrdup(a->name) : NULL;
		pr->a = xstrdup("everyone");
		pr->steps = steps;
		pr->n = u->n2;
		pr->exact = pr->within1 = -1;
		pr->kappa = NAN;
		pr->alpha = stat_units_alpha(&u->all, ncat);
		pr->ac1 = stat_units_ac1(&u->all, ncat);
	}
}

static int run(struct db *db, const char *dataset, unsigned where, int by, char **truth,
	       size_t ntruth, double threshold, int collect, const struct audit_as *as,
	       struct audit *out, char *err, size_t errlen);

static void on_assigned(void *arg, const struct db_assignment *a)
{
	struct run *r = arg;
	int i = names_index(&r->anns, a->annotator);
	if (i < 0)
		return;
	if (r->nasg == r->capasg) {
		r->capasg = r->capasg ? r->capasg * 2 : 1024;
		r->asg = xrealloc(r->asg, r->capasg * sizeof(*r->asg));
	}
	struct asg *g = &r->asg[r->nasg++];
	g->sol = a->sol;
	g->ann = i;
	g->gold_fe = a->gold_fe;
}

static void rule_out(struct audit *out, const char *dataset, const char *rule, int filter,
		     long decided, long judged, long same)
{
	out->rules = xrealloc(out->rules, (out->nrules + 1) * sizeof(*out->rules));
	struct audit_rule *o = &out->rules[out->nrules++];
	o->dataset = dataset ? xstrdup(dataset) : NULL;
	o->rule = xstrdup(rule);
	o->filter = filter;
	o->decided = decided;
	o->judged = judged;
	o->same = same;
}

static int on_agreed(void *arg, const struct db_agreed *a)
{
	struct run *r = arg;
	if (r->nagreed == r->capagreed) {
		r->capagreed = r->capagreed ? r->capagreed * 2 : 1024;
		r->agreed = xrealloc(r->agreed, r->capagreed * sizeof(*r->agreed));
	}
	struct arow *g = &r->agreed[r->nagreed++];
	g->sol = a->sol;
	g->fe = a->fe;
	g->ratings = a->ratings ? arena_strndup(&r->wa, a->ratings, strlen(a->ratings)) : NULL;
	/* a rule another writer stored since the rules were read: none */
	g->rule = a->rule ? names_index(&r->rules, a->rule) : -1;
	return 0;
}

static void on_rule(void *arg, const char *rule)
{
	struct run *r = arg;
	r->any_agreed = 1;
	if (rule)
		names_add(&r->rules, rule);
}

/* the rules that decided the agreed labels (the labels themselves are
 * read a window at a time), and the newest policy's sources rules as
 * filters */
static int load_agreed(struct db *db, struct run *r, struct audit *out)
{
	if (db_audit_agreed_rules(db, on_rule, r) < 0 || db_agreed_policy(db, &out->policy) < 0)
		return -1;
	struct policy p;
	char why[300];
	if (!out->policy || policy_parse(out->policy, &p, why, sizeof(why)) < 0)
		return 0; /* a policy this stepmark cannot read: no filters */
	r->filters = xcalloc(p.n + 1, sizeof(*r->filters));
	for (size_t i = 0; i < p.n; i++)
		if (!strncmp(p.r[i].text, "sources ", 8) &&
		    policy_parse(p.r[i].text, &r->filters[r->nfilters], why, sizeof(why)) == 0)
			r->nfilters++;
	policy_free(&p);
	return 0;
}

int audit_run(struct db *db, const char *dataset, unsigned where, char **truth,
	      size_t ntruth, double threshold, struct audit *out, char *err, size_t errlen)
{
	return run(db, dataset, where, 0, truth, ntruth, threshold, 0, NULL, out, err, errlen);
}

int audit_run_by(struct db *db, const char *dataset, unsigned where, int by, char **truth,
		 size_t ntruth, double threshold, struct audit *out, char *err, size_t errlen)
{
	return run(db, dataset, where, by, truth, ntruth, threshold, 0, NULL, out, err, errlen);
}

int audit_run_collect(struct db *db, const char *dataset, unsigned where, char **truth,
		      size_t ntruth, double threshold, const struct audit_as *as,
		      struct audit *out, char *err, size_t errlen)
{
	return run(db, dataset, where, 0, truth, ntruth, threshold, 1, as, out, err, errlen);
}

/* what an accumulator owns */
static void acc_free(struct acc *a)
{
	free(a->name);
	free(a->sys);
	free(a->labelled);
	free(a->decided);
	free(a->typed);
	free(a->blind);
	free(a->changed);
	free(a->toward);
	units_free(&a->fe);
	units_free(&a->steps);
	units_free(&a->agent);
	free(a->rule_decided);
	free(a->rule_judged);
	free(a->rule_same);
	free(a->flt_kept);
	free(a->flt_judged);
	free(a->flt_same);
	free(a->asg);
	free(a->asg_done);
	free(a->gold);
	free(a->gold_done);
	free(a->gold_right);
	free(a->gold_near);
}

/* the systems an accumulator judged, named, into out (those that judged
 * nothing left out) */
static void systems_out(struct audit *out, const struct run *r, struct acc *a)
{
	for (size_t s = 0; s < r->nsys; s++) {
		struct audit_sys *y = &a->sys[s];
		if (!y->n_error && !y->n_correct) {
			for (int o = 0; o < AO_N; o++)
				free(y->ids[o]);
			continue;
		}
		out->sys = xrealloc(out->sys, (out->nsys + 1) * sizeof(*out->sys));
		struct audit_sys *o = &out->sys[out->nsys++];
		*o = *y;
		o->dataset = a->name ? xstrdup(a->name) : NULL;
		size_t nas = r->nsys - r->srcs.n - (size_t)r->agreed_sys;
		if (s >= nas + r->srcs.n) {
			o->name = xstrdup("agreed");
		} else if (s < nas) {
			size_t i = 0;
			for (int left = (int)s; i < r->anns.n; i++)
				if (!r->is_truth[i] && left-- == 0)
					break;
			struct buf b = {0};
			buf_printf(&b, "@%s", r->anns.v[i]);
			o->name = b.data;
		} else {
			o->name = xstrdup(r->srcs.v[s - nas]);
		}
	}
}

/* an accumulator's figures into out (nothing for a data set the
 * selection left out) */
static void acc_out(struct audit *out, struct run *r, struct acc *a)
{
	long seen = 0;
	for (size_t i = 0; i < r->anns.n; i++)
		seen += a->decided[i] + a->asg[i];
	for (size_t j = 0; j < r->srcs.n; j++)
		seen += a->labelled[j];
	if (!seen && a->name)
		return; /* a data set the selection left out */
	systems_out(out, r, a);
	for (size_t i = 0; i < r->rules.n; i++)
		if (a->rule_decided[i])
			rule_out(out, a->name, r->rules.v[i], 0, a->rule_decided[i],
				 a->rule_judged[i], a->rule_same[i]);
	for (size_t f = 0; f < r->nfilters; f++)
		rule_out(out, a->name, r->filters[f].text, 1, a->flt_kept[f], a->flt_judged[f],
			 a->flt_same[f]);
	for (size_t i = 0; i < r->anns.n; i++) {
		if (!a->decided[i] && !a->typed[i] && !a->asg[i])
			continue;
		out->anns = xrealloc(out->anns, (out->nanns + 1) * sizeof(*out->anns));
		struct audit_ann *o = &out->anns[out->nanns++];
		memset(o, 0, sizeof(*o));
		o->dataset = a->name ? xstrdup(a->name) : NULL;
		o->name = xstrdup(r->anns.v[i]);
		o->decided = a->decided[i];
		o->typed = a->typed[i];
		o->blind = a->blind[i];
		o->changed = a->changed[i];
		o->toward = a->toward[i];
		o->assigned = a->asg[i];
		o->assigned_done = a->asg_done[i];
		o->gold = a->gold[i];
		o->gold_done = a->gold_done[i];
		o->gold_right = a->gold_right[i];
		o->gold_near = a->gold_near[i];
	}
	agreement(out, r, a, &a->fe, 0, a->maxcat > 1 ? a->maxcat : 2);
	agreement(out, r, a, &a->steps, 1, 3);
	if (a->agent.n)
		agreement(out, r, a, &a->agent, 2, (int)r->agents.n);
}

/* the accumulators in the report's order: the data sets (a split's
 * groups by name), then everything */
static size_t *acc_order(const struct run *r)
{
	size_t *o = xmalloc((r->nacc + 1) * sizeof(*o)), n = 0;
	for (size_t k = 0; k < r->nacc; k++) {
		if (k == r->all)
			continue;
		size_t j = n++;
		for (; r->by && j > 0 && strcmp(r->acc[o[j - 1]].name, r->acc[k].name) > 0; j--)
			o[j] = o[j - 1];
		o[j] = k;
	}
	o[n] = r->all;
	return o;
}

/* each MC source's progress and effective reward, after the sources */
static int mc_systems(struct names *srcs)
{
	size_t n = srcs->n;
	for (size_t i = 0; i < n; i++) {
		if (!mc_source(srcs->v[i]) || strchr(srcs->v[i], ':'))
			continue;
		char name[300];
		snprintf(name, sizeof(name), "%s:progress", srcs->v[i]);
		names_add(srcs, name);
		snprintf(name, sizeof(name), "%s:effective", srcs->v[i]);
		names_add(srcs, name);
	}
	return 0;
}

static int run(struct db *db, const char *dataset, unsigned where, int by, char **truth,
	       size_t ntruth, double threshold, int collect, const struct audit_as *as,
	       struct audit *out, char *err, size_t errlen)
{
	struct run r = {0};
	struct mc_opts mc = out->mc;
	r.collect = collect;
	r.where = where;
	r.by = by;
	struct names ds = {0};
	memset(out, 0, sizeof(*out));
	out->by = by;
	r.mc = out->mc = mc;
	r.threshold = out->threshold = threshold;
	int rc = -1;
	if (db_names(db, DB_NAMES_RATERS, &r.anns) < 0 ||
	    db_names(db, DB_NAMES_SOURCES, &r.srcs) < 0 || mc_systems(&r.srcs) ||
	    db_names(db, DB_NAMES_DATASETS, &ds) < 0 ||
	    db_names(db, DB_NAMES_ASSIGNED, &r.anns) < 0) {
		snprintf(err, errlen, "cannot read the store: %s", db_errmsg(db));
		goto out;
	}
	if (dataset && names_index(&ds, dataset) < 0) {
		snprintf(err, errlen, "no data set named \"%s\"", dataset);
		goto out;
	}
	if (load_agreed(db, &r, out) < 0) {
		snprintf(err, errlen, "cannot read the agreed labels: %s", db_errmsg(db));
		goto out;
	}
	r.is_truth = xcalloc(r.anns.n + 1, sizeof(int));
	r.urow = xcalloc(r.anns.n + 1, sizeof(int));
	r.viewer = as && as->viewer ? names_index(&r.anns, as->viewer) : -1;
	r.viewer_blind = as ? as->blind : 0;
	r.agreed_truth = ntruth == 1 && !strcmp(truth[0], "agreed") &&
			 names_index(&r.anns, "agreed") < 0;
	if (r.agreed_truth && !r.any_agreed) {
		snprintf(err, errlen, "no agreed labels in the store: run stepmark consensus first");
		goto out;
	}
	for (size_t t = 0; t < ntruth && !r.agreed_truth; t++) {
		int i = names_index(&r.anns, truth[t]);
		if (i < 0) {
			snprintf(err, errlen, "no labels by \"%s\" in the store (annotators: %s%s)",
				 truth[t], r.anns.n ? r.anns.v[0] : "none",
				 r.anns.n > 1 ? ", ..." : "");
			goto out;
		}
		r.is_truth[i] = 1;
	}
	r.nsys = r.srcs.n;
	for (size_t i = 0; i < r.anns.n; i++)
		r.nsys += !r.is_truth[i];
	r.agreed_sys = r.any_agreed && !r.agreed_truth;
	r.nsys += r.agreed_sys;
	/* a split: its groups made as its solutions name them */
	r.nacc = by ? 1 : ds.n + 1;
	r.all = r.nacc - 1;
	r.acc = xcalloc(r.nacc, sizeof(*r.acc));
	for (size_t i = 0; i < r.all; i++)
		acc_init(&r, &r.acc[i], ds.v[i]);
	acc_init(&r, &r.acc[r.all], NULL);
	if (scan(db, &r, dataset, &ds) < 0) {
		snprintf(err, errlen, "cannot read the store: %s", db_errmsg(db));
		goto out;
	}
	out->truth_split = r.truth_split;
	out->truth = xcalloc(ntruth + 1, sizeof(char *));
	for (size_t t = 0; t < ntruth; t++)
		out->truth[out->ntruth++] = xstrdup(truth[t]);
	size_t *order = acc_order(&r);
	for (size_t k = 0; k < r.nacc; k++)
		acc_out(out, &r, &r.acc[order[k]]);
	free(order);
	if (active_times(db, out, dataset) < 0) {
		snprintf(err, errlen, "cannot read the actions: %s", db_errmsg(db));
		goto out;
	}
	if (!by && coverage(db, &r, out, dataset) < 0) { /* the jobs: per data set only */
		snprintf(err, errlen, "cannot read the jobs: %s", db_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	for (size_t k = 0; k < r.nacc; k++)
		acc_free(&r.acc[k]);
	free(r.asg);
	free(r.srows);
	free(r.agreed);
	arena_free(&r.wa);
	for (size_t f = 0; f < r.nfilters; f++)
		policy_free(&r.filters[f]);
	free(r.filters);
	names_free(&r.rules);
	buf_free(&r.dec.ratings);
	buf_free(&r.dec.by);
	free(r.acc);
	free(r.is_truth);
	free(r.urow);
	free(r.scratch);
	free(r.seen);
	free(r.vr);
	names_free(&r.anns);
	names_free(&r.srcs);
	names_free(&r.agents);
	names_free(&ds);
	if (rc < 0)
		audit_free(out);
	return rc;
}

void audit_free(struct audit *a)
{
	for (size_t i = 0; i < a->ntruth; i++)
		free(a->truth[i]);
	free(a->truth);
	for (size_t i = 0; i < a->nsys; i++) {
		free(a->sys[i].dataset);
		free(a->sys[i].name);
		for (int o = 0; o < AO_N; o++)
			free(a->sys[i].ids[o]);
	}
	free(a->sys);
	for (size_t i = 0; i < a->npairs; i++) {
		free(a->pairs[i].dataset);
		free(a->pairs[i].a);
		free(a->pairs[i].b);
		free(a->pairs[i].differ);
	}
	free(a->pairs);
	for (size_t i = 0; i < a->ncov; i++) {
		free(a->cov[i].dataset);
		free(a->cov[i].name);
	}
	free(a->cov);
	for (size_t i = 0; i < a->nanns; i++) {
		free(a->anns[i].dataset);
		free(a->anns[i].name);
	}
	free(a->anns);
	for (size_t i = 0; i < a->nrules; i++) {
		free(a->rules[i].dataset);
		free(a->rules[i].rule);
	}
	free(a->rules);
	free(a->policy);
	memset(a, 0, sizeof(*a));
}
