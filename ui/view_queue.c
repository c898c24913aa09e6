/* view_queue.c - one line per solution: data set, id, progress, the
 * first error by each annotator and source, disagreements. The view
 * holds one screenful of rows: it walks the queue (queue_model.c) a
 * window at a time, so its memory does not grow with the store. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "queue_model.h"
#include "tui.h"
#include "../src/latex.h"
#include "../src/summary.h"
#include "../src/util.h"

#define MAXROWS 512

struct qv {
	struct tui *t;
	struct qmodel *m;   /* the queue: filter, order, counts (t->queue) */
	struct qpos anchor; /* the position just before the top row */
	int anchored;       /* anchor is a real row (else: the start) */
	struct qpos rows[MAXROWS];
	int nrows, sel, height;
	/* what the window shows, read once per fill */
	struct db_qrow cache[MAXROWS];
	int cached;
	struct arena a;
	struct latex lx; /* a row's problem rendered */
};

static struct qv *qv_of(struct tui *t)
{
	return t->depth ? t->stack[0]->priv : NULL;
}

static void fill(struct qv *q)
{
	struct qpos from = q->anchored ? q->anchor : qmodel_start();
	int h = q->height > 0 && q->height < MAXROWS ? q->height : 1;
	q->nrows = qmodel_step(q->m, &from, 1, h, q->rows);
	if (q->nrows < 0)
		q->nrows = 0;
	q->cached = 0;
	if (q->sel >= q->nrows)
		q->sel = q->nrows ? q->nrows - 1 : 0;
}

static void reopen(struct qv *q)
{
	qmodel_reopen(q->m);
	q->anchored = 0;
	q->sel = 0;
	fill(q);
	qmodel_recount(q->m);
}

static int64_t sel_id(struct qv *q)
{
	return q->nrows ? q->rows[q->sel].id : 0;
}

/* Moves the cursor by delta rows, scrolling the window. */
static void move_by(struct qv *q, int delta);

/* A page: the target found in one query, the window placed around it. */
static void move_far(struct qv *q, int delta)
{
	struct qpos tmp[MAXROWS];
	int d = delta > 0 ? delta : -delta;
	if (d >= MAXROWS)
		d = MAXROWS - 1;
	if (!q->nrows)
		return;
	int n = qmodel_step(q->m, &q->rows[q->sel], delta > 0 ? 1 : -1, d, tmp);
	if (n <= 0)
		return;
	struct qpos target = tmp[n - 1];
	if (delta > 0 && q->sel + n < q->nrows) {
		q->sel += n;
		return;
	}
	if (delta < 0 && q->sel - n >= 0) {
		q->sel -= n;
		return;
	}
	/* the target at the top of the window */
	struct qpos pv;
	q->anchored = qmodel_step(q->m, &target, -1, 1, &pv) == 1;
	if (q->anchored)
		q->anchor = pv;
	fill(q);
	q->sel = 0;
}

static void move_by(struct qv *q, int delta)
{
	if (delta > 2 || delta < -2) {
		move_far(q, delta);
		return;
	}
	while (delta > 0) {
		if (q->sel + 1 < q->nrows) {
			q->sel++;
		} else {
			struct qpos nx;
			if (!q->nrows || qmodel_step(q->m, &q->rows[q->nrows - 1], 1, 1, &nx) != 1)
				break;
			q->anchor = q->rows[0];
			q->anchored = 1;
			fill(q);
			q->sel = q->nrows - 1;
		}
		delta--;
	}
	while (delta < 0) {
		if (q->sel > 0) {
			q->sel--;
		} else {
			if (!q->anchored)
				break;
			struct qpos pv;
			int n = qmodel_step(q->m, &q->anchor, -1, 1, &pv);
			q->anchored = n == 1;
			if (n == 1)
				q->anchor = pv;
			fill(q);
			q->sel = 0;
		}
		delta++;
	}
}

static void move_last(struct qv *q)
{
	struct qpos end = {INT64_MAX, INT64_MAX};
	struct qpos tail[MAXROWS];
	int h = q->height > 0 && q->height < MAXROWS ? q->height : 1;
	int n = qmodel_step(q->m, &end, -1, h, tail);
	if (n <= 0)
		return;
	struct qpos pv;
	q->anchored = qmodel_step(q->m, &tail[n - 1], -1, 1, &pv) == 1;
	if (q->anchored)
		q->anchor = pv;
	fill(q);
	q->sel = q->nrows - 1;
}

static int pos_before(struct qpos a, struct qpos b)
{
	return a.key < b.key || (a.key == b.key && a.id < b.id);
}

/* Selects sol (it need not match the filter): where the window shows it
 * already, only the cursor moves; else the window is placed with sol in
 * its middle, so the rows above it stay in sight. */
static void select_id(struct qv *q, int64_t sol)
{
	for (int i = 0; i < q->nrows; i++)
		if (q->rows[i].id == sol) {
			q->sel = i;
			return;
		}
	struct qpos p = qmodel_pos(q->m, sol);
	struct qpos back[MAXROWS], pv;
	int h = q->height > 0 && q->height < MAXROWS ? q->height : 1;
	int n = h > 1 ? qmodel_step(q->m, &p, -1, h / 2, back) : 0;
	if (n > 0) {
		q->anchored = qmodel_step(q->m, &back[n - 1], -1, 1, &pv) == 1;
		if (q->anchored)
			q->anchor = pv;
	} else {
		q->anchor = (struct qpos){p.key, p.id - 1};
		q->anchored = 1;
	}
	fill(q);
	q->sel = 0;
	for (int i = 0; i < q->nrows; i++) {
		if (q->rows[i].id == sol) {
			q->sel = i;
			break;
		}
		if (pos_before(q->rows[i], p))
			q->sel = i + 1 < q->nrows ? i + 1 : i;
	}
}

void queue_reopen(struct tui *t)
{
	struct qv *q = qv_of(t);
	if (q)
		reopen(q);
}

void queue_select(struct tui *t, int64_t sol)
{
	struct qv *q = qv_of(t);
	if (q)
		select_id(q, sol);
}

/* ---- drawing ---- */
/* Shows the first errors: yours first, then the sources', then the other
 * annotators' (by their short names); blind hides what the annotator must
 * not see before deciding: sources' (and with BLIND_ALL other people's). */
/* base: the number step 0 goes by (0 on an agent trace) */
static void verdict_text(struct buf *b, const char *v, const struct tui *t, int blind, int base)
{
	const char *me = t->ann.name;
	if (blind && summary_decided(v, me))
		blind = BLIND_OFF;
	char name[256];
	/* lines "\n@name\tFE" and "\n#source\tFE", in three passes */
	for (int pass = 0; pass < 3; pass++) {
		for (const char *p = v; p && *p;) {
			if (*p == '\n') {
				p++;
				continue;
			}
			const char *tab = strchr(p, '\t');
			const char *nl = strchr(p, '\n');
			if (!tab || (nl && nl < tab))
				break;
			int fe = (int)strtol(tab + 1, NULL, 10);
			size_t nlen = (size_t)(tab - p - 1);
			snprintf(name, sizeof(name), "%.*s", (int)nlen, p + 1);
			int mine = p[0] == '@' && !strcmp(name, me);
			int want = pass == 0 ? mine : pass == 1 ? p[0] == '#' : p[0] == '@' && !mine;
			p = nl ? nl : tab + strlen(tab);
			if (!want || (blind && pass == 1) || (blind == BLIND_ALL && pass == 2))
				continue;
			if (pass == 1 && fe < -1)
				continue; /* a source with no verdict (a verifier's score) */
			if (b->len)
				buf_putc(b, ' ');
			buf_puts(b, mine ? "me" : pass == 2 ? tui_alias(t, name) : name);
			if (fe >= 0)
				buf_printf(b, ":%d", fe + base);
			else
				buf_puts(b, fe == -1 ? ":ok" : ":?");
		}
	}
}

static void qv_draw(struct view *v, int top, int h, int w)
{
	struct qv *q = v->priv;
	int body = h - 1;
	if (body != q->height) {
		q->height = body > 0 ? body : 1;
		fill(q);
	}
	if (!q->cached) {
		arena_reset(&q->a);
		for (int i = 0; i < q->nrows; i++)
			if (qmodel_row(q->m, q->rows[i].id, &q->a, &q->cache[i]) != 1)
				memset(&q->cache[i], 0, sizeof(q->cache[i]));
		q->cached = 1;
	}
	/* the data set and key columns as wide as the rows need, while the
	 * verdicts and the problem keep half the width (at least 40) */
	int dsw = 8, keyw = 3;
	for (int i = 0; i < q->nrows && i < body; i++)
		if (q->cache[i].id) {
			int d = text_width(q->cache[i].dataset, strlen(q->cache[i].dataset));
			int k = text_width(q->cache[i].key, strlen(q->cache[i].key));
			dsw = d > dsw ? d : dsw;
			keyw = k > keyw ? k : keyw;
		}
	dsw = dsw > 24 ? 24 : dsw;
	keyw = keyw > 40 ? 40 : keyw;
	int room = w - 2 - 8 - 17 - 2 - (w / 2 > 40 ? w / 2 : 40);
	while (dsw + keyw > room && (dsw > 12 || keyw > 12)) {
		if (keyw >= dsw && keyw > 12)
			keyw--;
		else
			dsw--;
	}
	/* the last column's title as long as the width has room for */
	static const char *const fe_titles[] = {"first error: me, sources, others",
						"first error (who:step)", "first error"};
	int fixed = 2 + 8 + dsw + 1 + keyw + 1 + 17, ti = 0;
	while (ti < 2 && fixed + (int)strlen(fe_titles[ti]) > w)
		ti++;
	char head[256];
	snprintf(head, sizeof(head), "  %-7s %-*s %-*s %5s  %-9s  %s", "id", dsw, "data set", keyw,
		 "key", "steps", "labelled", fe_titles[ti]);
	draw_line(top, 0, w, head, area_attr(C_HEADER));
	struct buf vb = {0};
	for (int i = 0; i < q->nrows && i < body; i++) {
		struct db_qrow r = q->cache[i];
		int y = top + 1 + i;
		if (!r.id)
			continue;
		int base = i == q->sel ? area_attr(C_CURSOR) : area_attr(C_DEFAULT);
		draw_line(y, 0, w, "", base);
		int blind = q->t->set->blind && !summary_decided(r.verdicts, q->t->ann.name);
		int dis = !blind && (r.flags & (SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA));
		int x = 0;
		draw_text(y, x, 2, dis ? "! " : "  ", 2, dis ? (int)((unsigned)area_attr(C_DISAGREE) | ((unsigned)base & A_REVERSE)) : base, NULL);
		x = 2;
		char num[32];
		snprintf(num, sizeof(num), "%-7lld", (long long)r.id);
		draw_text(y, x, 8, num, strlen(num), i == q->sel ? base : area_attr(C_INDEX), NULL);
		x += 8;
		if (w - x > dsw + 1) {
			draw_text_mid(y, x, dsw, r.dataset, strlen(r.dataset), i == q->sel ? base : area_attr(C_DATASET));
			x += dsw + 1;
		}
		if (w - x > keyw + 1) {
			draw_text_mid(y, x, keyw, r.key, strlen(r.key), base);
			x += keyw + 1;
		}
		snprintf(num, sizeof(num), "%5d  %4d/%-4d ", r.nsteps, r.labelled, r.nsteps);
		if (w - x > 17) {
			draw_text(y, x, 17, num, strlen(num), base, NULL);
			x += 17;
		}
		buf_reset(&vb);
		verdict_text(&vb, r.verdicts, q->t, q->t->set->blind, r.trace ? 0 : 1);
		if (w - x > 4 && vb.len) {
			int vw = text_width(vb.data, vb.len);
			int vroom = w - x - 1;
			if (vw > vroom - 12 && vroom > 30)
				vw = vroom - 12;
			x += draw_text(y, x, vw < vroom ? vw : vroom, vb.data, vb.len, base, NULL) + 2;
		}
		int pattr = i == q->sel ? base : (int)((unsigned)area_attr(C_PROBLEM) & ~A_BOLD);
		if (w - x > 4 && r.problem && q->t->set->latex) {
			latex_render(&q->lx, r.problem, strlen(r.problem));
			/* one line: up to the first line break */
			size_t len = strcspn(q->lx.out.data, "\n");
			draw_latex(y, x, w - x, &q->lx, r.problem, 0, len, pattr, q->t->re);
		} else if (w - x > 4 && r.problem) {
			draw_text(y, x, w - x, r.problem, strlen(r.problem), pattr, q->t->re);
		}
	}
	buf_free(&vb);
	if (q->nrows == 0) {
		char what[300], line[400];
		qmodel_describe(q->m, what, sizeof(what));
		if (qmodel_has_solutions(q->m))
			snprintf(line, sizeof(line), "  no solution matches: %s (:filter all, :dataset all, "
				 ":grep with nothing clears them)", what);
		else
			snprintf(line, sizeof(line), "  no solutions: stepmark import FILE adds some");
		draw_line(top + 1, 0, w, line, area_attr(C_DIM));
	}
}

/* ---- actions ---- */
static void open_selected(struct qv *q)
{
	int64_t id = sel_id(q);
	if (id)
		tui_push(q->t, solution_view_new(q->t, id));
}

void queue_picked(struct tui *t, const char *label)
{
	struct qv *q = qv_of(t);
	if (!q)
		return;
	qmodel_pick(q->m, label);
	reopen(q);
	tui_message(t, 0, "picked: %s; f: all again", label);
}

static int qv_act(struct view *v, enum action a, const char *arg)
{
	(void)arg;
	struct qv *q = v->priv;
	enum move m = move_of(a);
	if (m == MOVE_FIRST) {
		q->anchored = 0;
		q->sel = 0;
		fill(q);
		return 1;
	}
	if (m == MOVE_LAST) {
		move_last(q);
		return 1;
	}
	if (m != MOVE_NONE) { /* a scroll moves the cursor, as a move */
		move_by(q, move_delta(m, pos_page(q->height)));
		return 1;
	}
	switch (a) {
	case A_ENTER: open_selected(q); break;
	case A_REVIEW:
		if (sel_id(q))
			tui_push(q->t, review_view_new(q->t, sel_id(q), 0));
		break;
	case A_NEXT_SOLUTION: move_by(q, 1); break;
	case A_PREV_SOLUTION: move_by(q, -1); break;
	case A_NEXT_UNLABELLED:
	case A_NEXT_DISAGREEMENT:
	case A_PREV_DISAGREEMENT: {
		int what = a == A_NEXT_UNLABELLED ? Q_TODO : Q_DIS_ANY;
		int dir = a == A_PREV_DISAGREEMENT ? -1 : 1;
		int64_t id = sel_id(q) ? qmodel_neighbour(q->m, sel_id(q), dir, what) : 0;
		if (id)
			select_id(q, id);
		else
			tui_message(q->t, 1, "no %s solution %s this one",
				    what == Q_TODO ? "undecided" : "disagreeing",
				    dir > 0 ? "after" : "before");
		break;
	}
	case A_FILTER: {
		const char *name = qmodel_cycle_filter(q->m);
		reopen(q);
		tui_message(q->t, 0, "filter: %s", name);
		break;
	}
	case A_SORT: {
		const char *name = qmodel_cycle_sort(q->m);
		reopen(q);
		tui_message(q->t, 0, "order: %s", name);
		break;
	}
	case A_DATASET: {
		const char *name = qmodel_cycle_dataset(q->m);
		reopen(q);
		tui_message(q->t, 0, "data set: %s", name ? inert(name, 0) : "all");
		break;
	}
	default:
		return 0;
	}
	return 1;
}

/* :filter, :sort, :dataset and :grep: 1 when verb is one of them
 * (said when its argument is not good) */
static int filter_command(struct qv *q, const char *verb, const char *arg)
{
	struct tui *t = q->t;
	char err[200];
	if (!strcmp(verb, "filter")) {
		if (qmodel_set_filter(q->m, arg) < 0) {
			tui_message(t, 1, "not a filter: %s (h lists them: all, todo, disagree..., "
				    "agreed...)", inert(arg, 0));
			return 1;
		}
	} else if (!strcmp(verb, "sort")) {
		if (qmodel_set_sort(q->m, arg) < 0) {
			tui_message(t, 1, "sort: id or progress");
			return 1;
		}
	} else if (!strcmp(verb, "dataset")) {
		if (qmodel_set_dataset(q->m, arg) < 0) {
			tui_message(t, 1, "no data set named %s", inert(arg, 0));
			return 1;
		}
	} else if (!strcmp(verb, "grep")) {
		if (qmodel_set_grep(q->m, arg, err, sizeof(err)) < 0) {
			tui_message(t, 1, "%s", err);
			return 1;
		}
	} else {
		return 0;
	}
	reopen(q);
	t->dirty = 1;
	return 1;
}

/* :open: the store's number, else the solution's own id (gsm8k-11) */
static void open_command(struct qv *q, const char *arg)
{
	struct tui *t = q->t;
	int nk;
	int64_t id = qmodel_lookup(q->m, arg, &nk);
	if (!id) {
		tui_message(t, 1, "no solution %s (a number, or a solution's own id)",
			    inert(arg, 0));
		return;
	}
	while (t->depth > 1)
		tui_pop(t);
	select_id(q, id);
	tui_push(t, solution_view_new(t, id));
	if (nk > 1)
		tui_message(t, 0, "%d solutions have id %s: opened #%lld (:open NUMBER "
			    "for another)", nk, inert(arg, 0), (long long)id);
}

int queue_command(struct tui *t, const char *verb, const char *arg)
{
	struct qv *q = qv_of(t);
	if (!q)
		return 0;
	if (!strcmp(verb, "open")) {
		open_command(q, arg);
		return 1;
	}
	return filter_command(q, verb, arg);
}

void queue_say_none(struct tui *t, int64_t sol, const char *kind, int dir)
{
	if (qmodel_contains(t->queue, sol)) /* else :open took it there */
		tui_message(t, 1, "no %s solution %s this one", kind, dir > 0 ? "after" : "before");
	else
		tui_message(t, 1, "#%lld is outside the queue's filter: no %s solution %s it",
			    (long long)sol, kind, dir > 0 ? "after" : "before");
}

static int qv_search(struct view *v, int dir)
{
	struct qv *q = v->priv;
	if (!sel_id(q))
		return 0;
	search_begin(q->t, sel_id(q), dir); /* it goes on between keys */
	return 1;
}

static void qv_found(struct view *v, int64_t sol)
{
	select_id(v->priv, sol);
}

static void qv_mouse(struct view *v, int y, int x, int button)
{
	struct qv *q = v->priv;
	(void)x;
	if (button == 4)
		move_by(q, -3);
	else if (button == 5)
		move_by(q, 3);
	else if (y >= 2 && y - 2 < q->nrows)
		q->sel = y - 2;
}

static void qv_reload(struct view *v)
{
	struct qv *q = v->priv;
	qmodel_recount(q->m); /* first: the blind setting may open it again */
	fill(q);
}

static int qv_idle(struct view *v)
{
	struct qv *q = v->priv;
	int changed;
	int more = qmodel_idle(q->m, sel_id(q), &changed);
	if (changed)
		q->t->dirty = 1;
	return more;
}

static void qv_status(struct view *v, char *out, size_t n)
{
	struct qv *q = v->priv;
	qmodel_status(q->m, sel_id(q), out, n);
}

static void qv_done(struct view *v)
{
	struct qv *q = v->priv;
	arena_free(&q->a);
	latex_free(&q->lx);
	free(q);
	free(v);
}

/* To the n-th solution the queue lists (in its order): stepped to in
 * windows, so a far row costs one query a window. */
static int qv_command(struct view *v, const char *verb, const char *arg)
{
	struct qv *q = v->priv;
	if (strcmp(verb, "goto"))
		return 0;
	long n = strtol(arg, NULL, 10), seen = 0;
	struct qpos from = qmodel_start(), got[MAXROWS];
	while (n > 0 && seen < n) {
		int want = n - seen < MAXROWS ? (int)(n - seen) : MAXROWS;
		int k = qmodel_step(q->m, &from, 1, want, got);
		if (k <= 0)
			break;
		seen += k;
		from = got[k - 1];
	}
	if (n < 1 || seen < n) {
		tui_message(q->t, 1, "no row %ld: the queue lists %ld", n, seen);
		return 1;
	}
	select_id(q, from.id);
	return 1;
}

static const struct hint hints[] = {
	{A_HELP, "help"}, {A_ENTER, "open"}, {A_NEXT_UNLABELLED, "to do"},
	{A_FILTER, "filter"}, {A_DATASET, "data set"}, {A_SORT, "order"}, {A_SEARCH, "search"},
	{A_AUDIT, "audit"}, {A_PROMPT, "command"}, {A_QUIT, "quit"}, {A_NONE, NULL}};
static const struct view_ops queue_ops = {
	.hints = hints,
	.command = qv_command,
	.id = V_QUEUE,
	.draw = qv_draw,
	.act = qv_act,
	.mouse = qv_mouse,
	.reload = qv_reload,
	.search = qv_search,
	.found = qv_found,
	.idle = qv_idle,
	.status = qv_status,
	.done = qv_done,
};

struct view *queue_view_new(struct tui *t)
{
	struct view *v = xcalloc(1, sizeof(*v));
	struct qv *q = xcalloc(1, sizeof(*q));
	v->ops = &queue_ops;
	v->t = t;
	v->priv = q;
	q->t = t;
	q->m = t->queue;
	q->height = LINES > 3 ? LINES - 3 : 1;
	reopen(q);
	return v;
}
