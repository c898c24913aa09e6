/* view_audit.c - the audit in the workbench: each source and annotator
 * against the truth, agreement between people, coverage; Enter on a row
 * opens the queue on exactly the solutions behind a count */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "tui.h"
#include "../src/audit.h"
#include "../src/syncdeal.h"
#include "../src/team.h"
#include "../src/util.h"

#define RECOMPUTE_MS 2000.0 /* at most this often while the store changes */

enum { LN_TEXT, LN_HEAD, LN_SYS, LN_PAIR };

struct line {
	char *text;
	int kind;
	size_t idx; /* into a.sys or a.pairs */
};

/* The audit computed on a thread of its own, over a read-only connection
 * of its own, so that no key waits for it. Shared by the view and the
 * thread; the last of them to let go frees it. */
struct work {
	pthread_mutex_t mu;
	int done, abandoned;
	char *dbpath, *dataset, *truth;
	unsigned where;
	char *viewer;  /* the workbench's annotator: what they may see */
	int blind;
	struct audit a;
	int ok;
	char err[600];
};

static void work_free(struct work *w)
{
	if (w->ok)
		audit_free(&w->a);
	pthread_mutex_destroy(&w->mu);
	free(w->dbpath);
	free(w->dataset);
	free(w->truth);
	free(w->viewer);
	free(w);
}

static void *work_run(void *arg)
{
	struct work *w = arg;
	struct db *db = db_open_ro(w->dbpath, w->err, sizeof(w->err));
	if (db) {
		char *copy = xstrdup(w->truth), *names[32];
		size_t nn = 0;
		for (char *s = strtok(copy, ","); s && nn < 32; s = strtok(NULL, ","))
			names[nn++] = s;
		struct audit_as as = {w->viewer, w->blind};
		w->ok = audit_run_collect(db, w->dataset, w->where, names, nn, 0.5, &as, &w->a,
					  w->err, sizeof(w->err)) == 0;
		free(copy);
		db_close(db);
	}
	pthread_mutex_lock(&w->mu);
	int gone = w->abandoned;
	w->done = 1;
	pthread_mutex_unlock(&w->mu);
	if (gone)
		work_free(w);
	return NULL;
}

/* the view lets go: frees it, or leaves that to the thread */
static void work_drop(struct work *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	int done = w->done;
	w->abandoned = 1;
	pthread_mutex_unlock(&w->mu);
	if (done)
		work_free(w);
}

struct av {
	struct tui *t;
	struct work *work;      /* being computed, or NULL */
	double started;
	struct audit a;
	int ok;
	char err[600];
	char *truth, *dataset;
	unsigned where;
	struct line *lines;
	size_t nlines;
	struct pos pos;         /* the cursor: on a source or a pair */
	int h, w;
	double computed_at;
	int stale;
	int have;               /* figures have arrived once */
	int menu_row; /* the row a menu was opened for */
};

static void add(struct av *p, int kind, size_t idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct av *p, int kind, size_t idx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->lines = xrealloc(p->lines, (p->nlines + 1) * sizeof(*p->lines));
	p->lines[p->nlines++] = (struct line){xstrdup(buf), kind, idx};
	p->pos.n = (int)p->nlines;
}

static void clear_lines(struct av *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
	p->pos.n = 0;
}


/* the rows of the data set on screen: "all" covers the selection */
static int shown(const char *dataset)
{
	return dataset == NULL;
}

/* the threshold sweep of the sources with values */
static void layout_sweep(struct av *p)
{
	int any = 0;
	for (size_t i = 0; i < p->a.nsys; i++) {
		const struct audit_sys *s = &p->a.sys[i];
		if (!shown(s->dataset) || !s->has_values)
			continue;
		if (!any++) {
			add(p, LN_TEXT, 0, "%s", "");
			add(p, LN_HEAD, 0, "%-16s %6s %7s %7s  %s", "threshold sweep", "best t", "F1 best",
			    "F1 at t", "F1 over t = 0.05 ... 0.95");
		}
		double f1[AUDIT_NT];
		int best;
		audit_sweep_f1(s, f1, &best);
		int at = (int)lround(p->a.threshold / 0.05) - 1;
		struct buf b = {0};
		audit_spark(&b, f1, AUDIT_NT, 0);
		char fb[16], fa[16];
		audit_num(fb, sizeof(fb), f1[best], 1);
		audit_num(fa, sizeof(fa), at >= 0 && at < AUDIT_NT ? f1[at] : NAN, 1);
		add(p, LN_SYS, i, "%-16.16s %6.2f %7s %7s  %s", inert(s->name, 0),
		    audit_threshold(best), fb, fa, b.data ? b.data : "");
		buf_free(&b);
	}
}

/* agreement between annotators: first errors, typed step ratings, and on
 * traces the agent blamed */
static void layout_agreement(struct av *p)
{
	static const char *const title[] = {"agreement: first errors",
					    "agreement: typed step ratings", "agreement: agent blamed"};
	for (int steps = 0; steps < 3; steps++) {
		int any = 0;
		for (size_t i = 0; i < p->a.npairs; i++) {
			const struct audit_pair *q = &p->a.pairs[i];
			if (!shown(q->dataset) || q->steps != steps)
				continue;
			if (!any++) {
				add(p, LN_TEXT, 0, "%s", "");
				add(p, LN_HEAD, 0, "%-30s %6s %6s %7s %6s %6s %6s", title[steps], "n", "exact%", "within1", "kappa", "alpha", "AC1");
			}
			char k[16], al[16], ac[16], ex[16], w1[16], who[160];
			audit_num(k, sizeof(k), q->kappa, 3);
			audit_num(al, sizeof(al), q->alpha, 3);
			audit_num(ac, sizeof(ac), q->ac1, 3);
			audit_num(ex, sizeof(ex), audit_exact(q), 1);
			audit_num(w1, sizeof(w1), audit_within1(q), 1);
			snprintf(who, sizeof(who), "%s%s%s", q->a, q->b ? " ~ " : "", q->b ? q->b : "");
			add(p, q->b && !steps ? LN_PAIR : LN_TEXT, i, "%-30.30s %6ld %6s %7s %6s %6s %6s",
			    inert(who, 0), q->n, ex, w1, k, al, ac);
		}
	}
}

/* who passed qualification: each annotator dealt gold (stepmark assign),
 * their accuracy on it against the consensus policy's min-gold-accuracy */
static void layout_gold(struct av *p)
{
	char *hub_rules = NULL; /* the hub's policy the store pulled, else the config's */
	syncdeal_policy(p->t->db, &hub_rules, NULL);
	double bar = team_bar(hub_rules ? hub_rules : config_conf(p->t->cfg)->consensus);
	free(hub_rules);
	int any = 0;
	for (size_t i = 0; i < p->a.nanns; i++) {
		const struct audit_ann *n = &p->a.anns[i];
		if (!shown(n->dataset) || !n->gold)
			continue;
		if (!any++) {
			add(p, LN_TEXT, 0, "%s", "");
			add(p, LN_TEXT, 0, "who passed on gold: exact %% at least %g%% (the policy's "
			    "min-gold-accuracy)", 100 * bar);
			add(p, LN_HEAD, 0, "%-16s %8s %8s %8s %8s %8s", "annotator", "gold", "answered",
			    "exact %", "near %", "passed");
		}
		char e[16] = "-", nr[16] = "-";
		if (n->gold_done) {
			snprintf(e, sizeof(e), "%.0f", 100.0 * (double)n->gold_right / (double)n->gold_done);
			snprintf(nr, sizeof(nr), "%.0f", 100.0 * (double)n->gold_near / (double)n->gold_done);
		}
		int passed = team_pass(n->gold, n->gold_done, n->gold_right, bar);
		add(p, LN_TEXT, 0, "%-16.16s %8ld %8ld %8s %8s %8s", inert(n->name, 0), n->gold,
		    n->gold_done, e, nr, passed == 1 ? "yes" : passed == 0 ? "no" : "not yet");
	}
}

/* each annotator's work, and the fetched sources' coverage */
static void layout_people(struct av *p)
{
	int any = 0;
	for (size_t i = 0; i < p->a.nanns; i++) {
		const struct audit_ann *n = &p->a.anns[i];
		if (!shown(n->dataset))
			continue;
		if (!any++) {
			add(p, LN_TEXT, 0, "%s", "");
			add(p, LN_HEAD, 0, "%-16s %8s %8s %8s %8s %8s %8s", "annotator", "decided",
			    "typed", "active s", "blind", "changed", "toward");
		}
		char act[16] = "-";
		if (n->timed)
			snprintf(act, sizeof(act), "%.1f", n->active_s);
		add(p, LN_TEXT, 0, "%-16.16s %8ld %8ld %8s %8ld %8ld %8ld", inert(n->name, 0),
		    n->decided, n->typed, act, n->blind, n->changed, n->toward);
	}
	if (p->a.ncov) {
		add(p, LN_TEXT, 0, "%s", "");
		add(p, LN_HEAD, 0, "%-16s %8s %6s %6s %7s %8s %10s", "fetched source", "verdicts",
		    "done", "failed", "pending", "requests", "tokens");
		for (size_t i = 0; i < p->a.ncov; i++) {
			const struct audit_cov *c = &p->a.cov[i];
			add(p, LN_TEXT, 0, "%-16.16s %8ld %6ld %6ld %7ld %8ld %10ld", inert(c->name, 0),
			    c->labelled, c->done, c->failed, c->pending, c->requests,
			    c->tokens_in + c->tokens_out);
		}
	}
}

static void layout(struct av *p)
{
	clear_lines(p);
	if (!p->have) {
		add(p, LN_HEAD, 0, "Audit");
		add(p, LN_TEXT, 0, "computing the audit of %s...", p->work && p->work->dataset ?
		    inert(p->work->dataset, 0) : "every data set");
		return;
	}
	add(p, LN_HEAD, 0, "Audit  truth: %s  data set: %s%s", inert(p->truth, 0),
	    p->dataset ? inert(p->dataset, 1) : "all",
	    p->where ? "  (the queue's disagreement filter)" : "");
	if (!p->ok) {
		add(p, LN_TEXT, 0, "%s", inert(p->err, 0));
		add(p, LN_TEXT, 0, "The truth is your labels unless :set truth NAME[,NAME] says whose.");
		add(p, LN_TEXT, 0, "%s", "");
		return;
	}
	add(p, LN_TEXT, 0, "Enter on a row: its solutions in the queue. n_err, n_cor: the truth's");
	add(p, LN_TEXT, 0, "erroneous and correct solutions; err%%, cor%%, F1: ProcessBench's figures.");
	if (p->a.truth_split)
		add(p, LN_TEXT, 0, "%ld solutions left out: the truth's annotators disagree",
		    p->a.truth_split);
	add(p, LN_TEXT, 0, "%s", "");
	size_t rows = 0;
	for (size_t i = 0; i < p->a.nsys; i++)
		rows += shown(p->a.sys[i].dataset);
	if (!rows) {
		add(p, LN_TEXT, 0, "Nothing to measure: no source or other annotator has a");
		add(p, LN_TEXT, 0, "verdict on a solution whose first error the truth decided.");
	}
	/* the names as wide as they are, if the 60 columns of figures fit
	 * beside them; then the F1 bar where there is room */
	int nw = 10, cw = 4; /* name and count widths */
	long most = 0;
	for (size_t i = 0; i < p->a.nsys; i++) {
		const struct audit_sys *s = &p->a.sys[i];
		if (!shown(s->dataset))
			continue;
		if ((int)strlen(s->name) > nw)
			nw = (int)strlen(s->name);
		most = s->n_error > most ? s->n_error : most;
		most = s->n_correct > most ? s->n_correct : most;
	}
	while (most >= 10000 && cw < 9) {
		most /= 10;
		cw++;
	}
	int fixed = 2 * (cw + 2) + 18 + 6 * (cw + 1) + 2;
	if (nw > p->w - fixed - 3)
		nw = p->w - fixed - 3 > 10 ? p->w - fixed - 3 : 10;
	int bar = p->w - nw - fixed - 6;
	bar = bar >= 8 ? bar : 0;
	if (rows)
		add(p, LN_HEAD, 0, "%-*s %*s %*s %5s %5s %5s %*s %*s %*s %*s %*s %*s  %s", nw,
		    "source", cw + 1, "n_err", cw + 1, "n_cor", "err%", "cor%", "F1", cw, "same",
		    cw, "earl", cw, "late", cw, "miss", cw, "fals", cw, "none", bar ? "F1" : "");
	for (size_t i = 0; i < p->a.nsys; i++) {
		const struct audit_sys *s = &p->a.sys[i];
		if (!shown(s->dataset))
			continue;
		double ae = audit_pct(s->ok_error, s->n_error), ac = audit_pct(s->ok_correct, s->n_correct);
		double f = audit_sys_f1(s); /* NAN: undefined, "-" and no bar */
		char fs[16];
		audit_num(fs, sizeof(fs), f, 1);
		struct buf b = {0};
		if (bar)
			audit_bar(&b, f / 100, bar > 30 ? 30 : bar, 0);
		add(p, LN_SYS, i, "%-*.*s %*ld %*ld %5.1f %5.1f %5s %*ld %*ld %*ld %*ld %*ld %*ld  %s",
		    nw, nw, inert(s->name, 0), cw + 1, s->n_error, cw + 1, s->n_correct, ae, ac, fs,
		    cw, s->same, cw, s->earlier, cw, s->later, cw, s->missed, cw, s->false_alarm,
		    cw, s->none, b.data ? b.data : "");
		buf_free(&b);
	}
	layout_gold(p); /* who passed, on the first screen */
	static const char offhead[] = "<=-3 -2 -1  0 +1 +2 >=+3 missed false";
	if (rows) {
		add(p, LN_TEXT, 0, "%s", "");
		add(p, LN_TEXT, 0, "first-error offsets: the source's step minus the truth's");
		add(p, LN_HEAD, 0, "%-*s %s", nw, "source", offhead);
	}
	for (size_t i = 0; i < p->a.nsys; i++) {
		const struct audit_sys *s = &p->a.sys[i];
		if (!shown(s->dataset))
			continue;
		double h[9];
		audit_offset_heights(s, h);
		/* one bar a column, under its label */
		struct buf b = {0};
		int at[9], col = 0, k0 = 0; /* under the last character of each label */
		for (int c = 0; offhead[c] && k0 < 9; c++)
			if (offhead[c] != ' ' && (offhead[c + 1] == ' ' || !offhead[c + 1]))
				at[k0++] = c;
		for (int k = 0; k < 9; k++) {
			while (col < at[k]) {
				buf_putc(&b, ' ');
				col++;
			}
			audit_spark(&b, &h[k], 1, 0);
			col++;
		}
		add(p, LN_SYS, i, "%-*.*s %s", nw, nw, inert(s->name, 0), b.data ? b.data : "");
		buf_free(&b);
	}
	layout_sweep(p);
	layout_agreement(p);
	layout_people(p);
	if (p->pos.cur >= 0 && (size_t)p->pos.cur >= p->nlines)
		p->pos.cur = (int)p->nlines - 1;
}

/* starts computing the audit of what the queue shows; the figures on
 * screen stay until the new ones arrive */
static void compute(struct av *p)
{
	struct tui *t = p->t;
	work_drop(p->work);
	struct work *w = xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	w->dbpath = xstrdup(t->dbpath);
	w->truth = xstrdup(t->set->truth && *t->set->truth ? t->set->truth : t->ann.name);
	const char *ds = qmodel_dataset(t->queue);
	w->dataset = ds ? xstrdup(ds) : NULL;
	w->where = qmodel_where(t->queue);
	w->viewer = xstrdup(t->ann.name);
	w->blind = t->set->blind;
	w->a.mc = (struct mc_opts){t->set->mc_k, t->set->mc_alpha, t->set->mc_pit};
	pthread_t th;
	if (pthread_create(&th, NULL, work_run, w) != 0) {
		snprintf(w->err, sizeof(w->err), "cannot start the audit's thread");
		w->done = 1;
	} else {
		pthread_detach(th);
	}
	p->work = w;
	p->started = mono_ms();
	p->computed_at = p->started;
	p->stale = 0;
	layout(p);
}

/* the thread's figures, once it has them: 1 when they arrived */
static int collect(struct av *p)
{
	struct work *w = p->work;
	if (!w)
		return 0;
	pthread_mutex_lock(&w->mu);
	int done = w->done;
	pthread_mutex_unlock(&w->mu);
	if (!done)
		return 0;
	if (p->ok)
		audit_free(&p->a);
	free(p->truth);
	free(p->dataset);
	p->ok = w->ok;
	p->a = w->a;
	w->ok = 0; /* the view owns the figures now */
	snprintf(p->err, sizeof(p->err), "%s", w->err);
	p->truth = w->truth;
	p->dataset = w->dataset;
	p->where = w->where;
	w->truth = w->dataset = NULL;
	p->work = NULL;
	work_free(w);
	p->computed_at = mono_ms();
	p->have = 1;
	layout(p);
	return 1;
}

static void av_draw(struct view *v, int top, int h, int w)
{
	struct av *p = v->priv;
	p->h = h;
	if (p->w != w) {
		p->w = w;
		layout(p);
	}
	pos_show(&p->pos, p->pos.cur, p->pos.cur, h);
	for (int r = 0; r < h; r++) {
		size_t i = (size_t)(p->pos.top + r);
		draw_line(top + r, 0, w, "", area_attr(C_DEFAULT));
		if (i >= p->nlines)
			continue;
		const struct line *l = &p->lines[i];
		int attr = (int)i == p->pos.cur ? area_attr(C_CURSOR) :
			   l->kind == LN_HEAD ? area_attr(C_HEADER) : area_attr(C_DEFAULT);
		if ((int)i == p->pos.cur)
			draw_line(top + r, 0, w, "", attr);
		draw_text(top + r, 1, w - 2, l->text, strlen(l->text), attr, NULL);
	}
}

static int selectable(const struct av *p, int i)
{
	return i >= 0 && (size_t)i < p->nlines &&
	       (p->lines[i].kind == LN_SYS || p->lines[i].kind == LN_PAIR);
}

/* the cursor rests on the rows Enter opens */
static int sel_ok(const void *ctx, int i)
{
	return selectable(ctx, i);
}

static void open_ids(struct tui *t, const int64_t *ids, size_t n, const char *label)
{
	if (!n) {
		tui_message(t, 1, "no solution: %s", label);
		return;
	}
	if (db_pick(t->db, ids, n) < 0) {
		tui_message(t, 1, "cannot pick the solutions: %s", db_errmsg(t->db));
		return;
	}
	while (t->depth > 1)
		tui_pop(t);
	queue_picked(t, label);
}

static void outcome_chosen(struct tui *t, const char *answer, void *arg)
{
	struct av *p = arg;
	if (!answer || !*answer || (size_t)p->menu_row >= p->nlines)
		return;
	static const char keys[] = "selmfn";
	static const char *const what[] = {"the same first error as", "an earlier first error than",
					   "a later first error than", "no error where",
					   "an error where", "no verdict where"};
	const char *k = strchr(keys, answer[0]);
	if (!k)
		return;
	int o = (int)(k - keys);
	const struct audit_sys *s = &p->a.sys[p->lines[p->menu_row].idx];
	char label[256];
	snprintf(label, sizeof(label), "%s: %s %s%s (%zu)", s->name, what[o], p->truth,
		 o == AO_MISSED ? " names one" : o == AO_FALSE ? " says none" :
		 o == AO_NONE ? " decided" : "", s->nids[o]);
	open_ids(t, s->ids[o], s->nids[o], label);
}

static int av_act(struct view *v, enum action a, const char *arg)
{
	(void)arg;
	struct av *p = v->priv;
	enum move m = move_of(a);
	if (m != MOVE_NONE && m != MOVE_SCROLL_UP && m != MOVE_SCROLL_DOWN) {
		pos_move(&p->pos, m, 1, pos_page(p->h));
		return 1;
	}
	switch (a) {
	case A_REFRESH: compute(p); break;
	case A_AUDIT: break; /* it is open */
	case A_ENTER:
		if (!p->have) {
			tui_message(p->t, 0, "the audit is being computed");
		} else if (!selectable(p, p->pos.cur)) {
			tui_message(p->t, 0, "Enter on a source or on a pair of annotators");
		} else if (p->lines[p->pos.cur].kind == LN_PAIR) {
			const struct audit_pair *q = &p->a.pairs[p->lines[p->pos.cur].idx];
			char label[256];
			snprintf(label, sizeof(label), "%s and %s name different first errors (%zu)",
				 q->a, q->b, q->ndiffer);
			open_ids(p->t, q->differ, q->ndiffer, label);
		} else {
			p->menu_row = p->pos.cur;
			tui_menu(p->t, "which solutions: s)ame e)arlier l)ater m)issed f)alse alarm "
				 "n)o verdict", "selmfn", outcome_chosen, p);
		}
		break;
	default:
		return 0;
	}
	return 1;
}

static void av_reload(struct view *v)
{
	struct av *p = v->priv;
	p->stale = 1;
}

static int av_idle(struct view *v)
{
	struct av *p = v->priv;
	if (p->work) {
		if (!collect(p))
			return 2; /* the thread works: look again soon */
		if (p->pos.cur < 0 || !selectable(p, p->pos.cur))
			pos_move(&p->pos, MOVE_FIRST, 1, 1);
		p->t->dirty = 1;
	}
	if (!p->stale)
		return 0;
	if (mono_ms() - p->computed_at < RECOMPUTE_MS)
		return 2;
	compute(p);
	return 2;
}

static void av_status(struct view *v, char *out, size_t n)
{
	struct av *p = v->priv;
	snprintf(out, n, "audit%s", p->work ? " (computing)" : p->stale ? " (updating)" : "");
}

static void av_done(struct view *v)
{
	struct av *p = v->priv;
	work_drop(p->work);
	if (p->ok)
		audit_free(&p->a);
	clear_lines(p);
	free(p->truth);
	free(p->dataset);
	free(p);
	free(v);
}

static const struct hint hints[] = {
	{A_HELP, "help"}, {A_ENTER, "pick"}, {A_REFRESH, "recount"}, {A_QUIT, "back"},
	{A_NONE, NULL}};
static const struct view_ops audit_ops = {
	.hints = hints,
	.id = V_AUDIT,
	.draw = av_draw,
	.act = av_act,
	.reload = av_reload,
	.idle = av_idle,
	.status = av_status,
	.done = av_done,
};

struct view *audit_view_new(struct tui *t)
{
	struct view *v = xcalloc(1, sizeof(*v));
	struct av *p = xcalloc(1, sizeof(*p));
	v->ops = &audit_ops;
	v->t = t;
	v->priv = p;
	p->t = t;
	p->pos.cur = -1;
	p->pos.ok = sel_ok;
	p->pos.ctx = p;
	compute(p);
	return v;
}
