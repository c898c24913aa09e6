/* view_audit.c - the audit in the workbench: each source and annotator
 * against the truth, agreement between people, coverage; Enter on a row
 * opens the queue on exactly the solutions behind a count */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "../src/audit.h"
#include "../src/util.h"

#define RECOMPUTE_MS 2000.0 /* at most this often while the store changes */

enum { LN_TEXT, LN_HEAD, LN_SYS, LN_PAIR };

struct line {
	char *text;
	int kind;
	size_t idx; /* into a.sys or a.pairs */
};

struct av {
	struct tui *t;
	struct audit a;
	int ok;
	char err[600];
	char *truth, *dataset;
	unsigned where;
	struct line *lines;
	size_t nlines;
	int sel, top, h, w;
	double computed_at;
	int stale;
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
}

static void clear_lines(struct av *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
}

static void num(char *o, size_t n, double v)
{
	if (isnan(v))
		snprintf(o, n, "-");
	else
		snprintf(o, n, "%.3f", v);
}

/* the rows of the data set on screen: "all" covers the selection */
static int shown(const char *dataset)
{
	return dataset == NULL;
}

static void layout(struct av *p)
{
	clear_lines(p);
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
	/* the names as wide as they are, if the 60 columns of figures fit
	 * beside them; then the F1 bar where there is room */
	int nw = 10;
	for (size_t i = 0; i < p->a.nsys; i++)
		if (shown(p->a.sys[i].dataset) && (int)strlen(p->a.sys[i].name) > nw)
			nw = (int)strlen(p->a.sys[i].name);
	if (nw > p->w - 63)
		nw = p->w - 63 > 10 ? p->w - 63 : 10;
	int bar = p->w - nw - 66;
	bar = bar >= 8 ? bar : 0;
	add(p, LN_HEAD, 0, "%-*s %5s %5s %5s %5s %5s %4s %4s %4s %4s %4s %4s  %s", nw, "source",
	    "n_err", "n_cor", "err%", "cor%", "F1", "same", "earl", "late", "miss", "fals",
	    "none", bar ? "F1" : "");
	for (size_t i = 0; i < p->a.nsys; i++) {
		const struct audit_sys *s = &p->a.sys[i];
		if (!shown(s->dataset))
			continue;
		double ae = audit_pct(s->ok_error, s->n_error), ac = audit_pct(s->ok_correct, s->n_correct);
		double f = audit_f1(ae, ac);
		struct buf b = {0};
		if (bar)
			audit_bar(&b, f / 100, bar > 30 ? 30 : bar, 0);
		add(p, LN_SYS, i, "%-*.*s %5ld %5ld %5.1f %5.1f %5.1f %4ld %4ld %4ld %4ld %4ld %4ld  %s",
		    nw, nw, inert(s->name, 0), s->n_error, s->n_correct, ae, ac, f, s->same, s->earlier,
		    s->later, s->missed, s->false_alarm, s->none, b.data ? b.data : "");
		buf_free(&b);
	}
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
		add(p, LN_SYS, i, "%-16.16s %6.2f %7.1f %7.1f  %s", inert(s->name, 0),
		    audit_threshold(best), f1[best], at >= 0 && at < AUDIT_NT ? f1[at] : NAN,
		    b.data ? b.data : "");
		buf_free(&b);
	}
	for (int steps = 0; steps < 2; steps++) {
		any = 0;
		for (size_t i = 0; i < p->a.npairs; i++) {
			const struct audit_pair *q = &p->a.pairs[i];
			if (!shown(q->dataset) || q->steps != steps)
				continue;
			if (!any++) {
				add(p, LN_TEXT, 0, "%s", "");
				add(p, LN_HEAD, 0, "%-30s %6s %6s %7s %6s %6s %6s",
				    steps ? "agreement: typed step ratings" : "agreement: first errors",
				    "n", "exact%", "within1", "kappa", "alpha", "AC1");
			}
			char k[16], al[16], ac[16], ex[16] = "-", w1[16] = "-", who[160];
			num(k, sizeof(k), q->kappa);
			num(al, sizeof(al), q->alpha);
			num(ac, sizeof(ac), q->ac1);
			if (q->exact >= 0)
				snprintf(ex, sizeof(ex), "%.1f", audit_pct(q->exact, q->n));
			if (q->exact >= 0 && !steps)
				snprintf(w1, sizeof(w1), "%.1f", audit_pct(q->within1, q->n));
			snprintf(who, sizeof(who), "%s%s%s", q->a, q->b ? " ~ " : "", q->b ? q->b : "");
			add(p, q->b && !steps ? LN_PAIR : LN_TEXT, i, "%-30.30s %6ld %6s %7s %6s %6s %6s",
			    inert(who, 0), q->n, ex, w1, k, al, ac);
		}
	}
	any = 0;
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
	if (p->sel >= 0 && (size_t)p->sel >= p->nlines)
		p->sel = (int)p->nlines - 1;
}

static void compute(struct av *p)
{
	struct tui *t = p->t;
	free(p->truth);
	free(p->dataset);
	p->truth = xstrdup(t->set->truth && *t->set->truth ? t->set->truth : t->ann.name);
	const char *ds = queue_dataset(t);
	p->dataset = ds ? xstrdup(ds) : NULL;
	if (p->ok)
		audit_free(&p->a);
	char *copy = xstrdup(p->truth), *names[32];
	size_t nn = 0;
	for (char *s = strtok(copy, ","); s && nn < 32; s = strtok(NULL, ","))
		names[nn++] = s;
	p->where = queue_where(t);
	p->ok = audit_run_collect(t->db, p->dataset, p->where, names, nn, 0.5, &p->a, p->err,
				  sizeof(p->err)) == 0;
	free(copy);
	p->computed_at = mono_ms();
	p->stale = 0;
	layout(p);
}

static void av_draw(struct view *v, int top, int h, int w)
{
	struct av *p = v->priv;
	p->h = h;
	if (p->w != w) {
		p->w = w;
		layout(p);
	}
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + h)
		p->top = p->sel - h + 1;
	if (p->top < 0)
		p->top = 0;
	for (int r = 0; r < h; r++) {
		size_t i = (size_t)(p->top + r);
		draw_line(top + r, 0, w, "", area_attr(C_DEFAULT));
		if (i >= p->nlines)
			continue;
		const struct line *l = &p->lines[i];
		int attr = (int)i == p->sel ? area_attr(C_CURSOR) :
			   l->kind == LN_HEAD ? area_attr(C_HEADER) : area_attr(C_DEFAULT);
		if ((int)i == p->sel)
			draw_line(top + r, 0, w, "", attr);
		draw_text(top + r, 1, w - 2, l->text, strlen(l->text), attr, NULL);
	}
}

static int selectable(const struct av *p, int i)
{
	return i >= 0 && (size_t)i < p->nlines &&
	       (p->lines[i].kind == LN_SYS || p->lines[i].kind == LN_PAIR);
}

static void sel_move(struct av *p, int dir, int n)
{
	int i = p->sel;
	while (n-- > 0) {
		int j = i + dir;
		while (j >= 0 && (size_t)j < p->nlines && !selectable(p, j))
			j += dir;
		if (!selectable(p, j))
			break;
		i = j;
	}
	p->sel = i;
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
	int page = p->h > 1 ? p->h - 1 : 1;
	switch (a) {
	case A_MOVE_DOWN: sel_move(p, 1, 1); break;
	case A_MOVE_UP: sel_move(p, -1, 1); break;
	case A_PAGE_DOWN: sel_move(p, 1, page); break;
	case A_PAGE_UP: sel_move(p, -1, page); break;
	case A_MOVE_FIRST: p->sel = -1; sel_move(p, 1, 1); break;
	case A_MOVE_LAST: p->sel = (int)p->nlines; sel_move(p, -1, 1); break;
	case A_REFRESH: compute(p); break;
	case A_AUDIT: break; /* it is open */
	case A_ENTER:
		if (!selectable(p, p->sel)) {
			tui_message(p->t, 0, "Enter on a source or on a pair of annotators");
		} else if (p->lines[p->sel].kind == LN_PAIR) {
			const struct audit_pair *q = &p->a.pairs[p->lines[p->sel].idx];
			char label[256];
			snprintf(label, sizeof(label), "%s and %s name different first errors (%zu)",
				 q->a, q->b, q->ndiffer);
			open_ids(p->t, q->differ, q->ndiffer, label);
		} else {
			p->menu_row = p->sel;
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
	if (!p->stale)
		return 0;
	if (mono_ms() - p->computed_at < RECOMPUTE_MS)
		return 1;
	compute(p);
	p->t->dirty = 1;
	return 0;
}

static void av_status(struct view *v, char *out, size_t n)
{
	struct av *p = v->priv;
	snprintf(out, n, "audit%s", p->stale ? " (updating)" : "");
}

static void av_done(struct view *v)
{
	struct av *p = v->priv;
	if (p->ok)
		audit_free(&p->a);
	clear_lines(p);
	free(p->truth);
	free(p->dataset);
	free(p);
	free(v);
}

static const struct view_ops audit_ops = {
	.name = "audit",
	.keymap = KM_PAGER,
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
	compute(p);
	p->sel = -1;
	sel_move(p, 1, 1);
	if (p->sel < 0)
		p->sel = 0;
	return v;
}
