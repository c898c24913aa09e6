/* view_review.c - review and adjudication: one solution's annotators side
 * by side, a column each over the steps (their ratings, their first error
 * marked), the sources beside them, the steps where they differ marked;
 * the adjudicator decides the first error (at the cursor, none, or one
 * annotator's) and gives a reason, stored as an adjudication label */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "tui.h"
#include "../src/consensus.h"
#include "../src/latex.h"
#include "../src/resolve.h"
#include "../src/summary.h"
#include "../src/syncdeal.h"
#include "../src/util.h"

#define MAX_COLS 9 /* annotators shown, as the pick menu numbers them */
#define MAX_REASONS 20
#define PAGE 10 /* steps a page moves: the review's page is not the screen's */

struct col {
	char *name;
	int fe;          /* -1 none, -2 undecided */
	int *r;          /* per step, NO_RATING none */
};

struct rv {
	struct tui *t;
	struct db_solution sol; /* the solution reviewed */
	struct pos pos;  /* the cursor on a step */
	struct col *ann, *src;
	size_t nann, nsrc;
	int pending;     /* the first error a reason is asked for */
	int hidden;      /* others' labels hidden (summary_others_hidden) */
	char agreed[160];
	char adj[400];
	char **reasons;  /* the store's latest reasons, for Tab */
	size_t nreasons;
};

static void cols_free(struct col *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].r);
	}
	free(c);
}

static int has_col(const struct col *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return 1;
	return 0;
}

static void columns(struct rv *r)
{
	const struct item *it = &r->sol.it;
	size_t n = it->nsteps;
	cols_free(r->ann, r->nann);
	cols_free(r->src, r->nsrc);
	r->ann = xcalloc(it->nlabels + 1, sizeof(*r->ann));
	r->src = xcalloc(it->nsugs + 1, sizeof(*r->src));
	r->nann = r->nsrc = 0;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if ((l->kind != LK_RATING && l->kind != LK_FIRST_ERROR && l->kind != LK_RATINGS) ||
		    has_col(r->ann, r->nann, l->annotator) ||
		    (r->hidden && strcmp(l->annotator, r->t->ann.name)))
			continue;
		struct col *c = &r->ann[r->nann++];
		c->name = xstrdup(l->annotator);
		c->r = xmalloc((n + 1) * sizeof(int));
		c->fe = summary_annotator(it, l->annotator, c->r);
	}
	struct buf key = {0};
	for (size_t i = 0; i < it->nsugs; i++) {
		sug_key(&key, &it->sugs[i]);
		if (has_col(r->src, r->nsrc, key.data))
			continue;
		struct col *c = &r->src[r->nsrc++];
		c->name = xstrdup(key.data);
		c->r = xmalloc((n + 1) * sizeof(int));
		struct resolve_opts o = {.source = c->name, .threshold = 0.5};
		c->fe = item_resolve(it, &o, c->r);
	}
	buf_free(&key);
}

static void fe_text(char *o, size_t n, int fe)
{
	if (fe >= 0)
		snprintf(o, n, "step %d", fe + 1);
	else
		snprintf(o, n, "%s", fe == -1 ? "no error" : "undecided");
}

/* the adjudication in force, the agreed label and the policy's decision */
static void facts(struct rv *r)
{
	const struct label *adj = NULL;
	const struct item *it = &r->sol.it;
	if (r->hidden) { /* nobody else's decision either */
		snprintf(r->adj, sizeof(r->adj), "others' labels hidden until you decide");
		r->agreed[0] = '\0';
		return;
	}
	for (size_t i = 0; i < it->nlabels; i++)
		if (it->labels[i].kind == LK_ADJUDICATION)
			adj = &it->labels[i];
	if (adj && adj->fe >= -1) {
		char fe[32];
		snprintf(fe, sizeof(fe), adj->fe < 0 ? "no error" : "first error at step %d",
			 adj->fe + 1);
		snprintf(r->adj, sizeof(r->adj), "adjudicated: %s, by %s: %s", fe,
			 tui_alias(r->t, adj->annotator), adj->text ? adj->text : "");
	} else {
		snprintf(r->adj, sizeof(r->adj), "not adjudicated");
	}
	struct arena a = {0};
	struct db_agreed g;
	r->agreed[0] = '\0';
	int got = db_agreed_get(r->t->db, r->sol.id, &a, &g);
	if (got > 0 && g.rule && g.fe >= 0)
		snprintf(r->agreed, sizeof(r->agreed), "agreed: step %d (%.60s)", g.fe + 1, g.rule);
	else if (got > 0 && g.rule)
		snprintf(r->agreed, sizeof(r->agreed), "agreed: no error (%.60s)", g.rule);
	else if (got > 0)
		snprintf(r->agreed, sizeof(r->agreed), "no agreed label: %.60s", g.why ? g.why : "?");
	else if (got == 0)
		snprintf(r->agreed, sizeof(r->agreed), "no agreed label stored");
	arena_free(&a);
	/* what the policy decides now (the hub's the store pulled, else the
	 * config's), labels as they are */
	char *hub_rules = NULL;
	syncdeal_policy(r->t->db, &hub_rules, NULL);
	const char *ptext = hub_rules ? hub_rules : config_conf(r->t->cfg)->consensus;
	struct policy p;
	char why[200];
	if (ptext && policy_parse(ptext, &p, why, sizeof(why)) == 0) {
		struct decision d = {0};
		if (p.guidelines_current) { /* the version in force now */
			guidelines_in_force(r->t);
			p.current = r->t->ann.guidelines.hash;
		}
		consensus_decide(&p, &r->sol.it, &d);
		size_t len = strlen(r->agreed);
		char fe[32];
		fe_text(fe, sizeof(fe), d.fe);
		if (d.rule >= 0)
			snprintf(r->agreed + len, sizeof(r->agreed) - len, "; the policy now: %s (%.40s)",
				 fe, p.r[d.rule].text);
		else
			snprintf(r->agreed + len, sizeof(r->agreed) - len, "; the policy now: undecided, %s",
				 consensus_why[d.why]);
		buf_free(&d.ratings);
		buf_free(&d.by);
		policy_free(&p);
	}
	free(hub_rules);
}

/* the store's latest reasons, each once, newest first: read when the
 * prompt opens, from the adjudications' own index */
static int add_reason(void *ctx, const char *t)
{
	struct rv *r = ctx;
	size_t i = 0;
	while (i < r->nreasons && strcmp(r->reasons[i], t))
		i++;
	if (i == r->nreasons)
		r->reasons[r->nreasons++] = xstrdup(t);
	return r->nreasons >= MAX_REASONS;
}

static void load_reasons(struct rv *r)
{
	for (size_t i = 0; i < r->nreasons; i++)
		free(r->reasons[i]);
	r->nreasons = 0;
	r->reasons = xrealloc(r->reasons, MAX_REASONS * sizeof(char *));
	db_adjudication_reasons(r->t->db, add_reason, r);
}

static void reload(struct rv *r)
{
	if (db_solution_load(r->t->db, r->sol.id, &r->sol) != 1)
		tui_message(r->t, 1, "solution %lld is gone", (long long)r->sol.id);
	int *mine = xmalloc((r->sol.it.nsteps + 1) * sizeof(int));
	int decided = summary_annotator(&r->sol.it, r->t->ann.name, mine) >= -1;
	free(mine);
	r->hidden = summary_others_hidden(
		r->t->set->blind, db_assigned_ord(r->t->db, r->t->ann.name, r->sol.id) != 0, decided);
	columns(r);
	facts(r);
	if (r->pos.cur >= (int)r->sol.it.nsteps)
		r->pos.cur = r->sol.it.nsteps ? (int)r->sol.it.nsteps - 1 : 0;
	r->pos.n = (int)r->sol.it.nsteps;
}

/* annotators differ on step i: their ratings, or one's first error */
static int differs(const struct rv *r, size_t i)
{
	int seen = 0, v = 0;
	for (size_t a = 0; a < r->nann; a++) {
		int x = r->ann[a].r[i];
		if (x == NO_RATING)
			continue;
		if (seen && x != v)
			return 1;
		seen = 1;
		v = x;
	}
	for (size_t a = 0; a < r->nann; a++)
		for (size_t b = 0; b < a; b++)
			if ((r->ann[a].fe == (int)i) != (r->ann[b].fe == (int)i) &&
			    r->ann[a].fe >= -1 && r->ann[b].fe >= -1)
				return 1;
	return 0;
}

static int cell(int y, int x, const struct col *c, size_t i, int cw)
{
	int v = c->r[i];
	const char *t = c->fe == (int)i ? "\xe2\x9c\x97" : v == 1 ? "+" : v == 0 ? "0" :
			v == -1 ? "-" : "\xc2\xb7";
	int area = c->fe == (int)i || v == -1 ? C_BAD : v == 1 ? C_GOOD : v == 0 ? C_NEUTRAL : C_DIM;
	move(y, x);
	attrset(area_attr(area));
	for (int k = 0; k < (cw - 1) / 2; k++)
		addch(' ');
	addstr(t);
	attrset(area_attr(C_DEFAULT));
	return cw;
}

static int col_width(const struct rv *r, const char *name)
{
	int w = text_width(tui_alias(r->t, name), strlen(tui_alias(r->t, name)));
	return w < 3 ? 3 : w > 10 ? 10 : w;
}


static void rv_draw(struct view *v, int top, int h, int w)
{
	struct rv *r = v->priv;
	const struct item *it = &r->sol.it;
	struct buf b = {0};
	buf_printf(&b, "Review  %s  %s  ", r->sol.dataset ? r->sol.dataset : "", it->key);
	for (size_t a = 0; a < r->nann && a < MAX_COLS; a++) {
		char fe[32];
		fe_text(fe, sizeof(fe), r->ann[a].fe);
		buf_printf(&b, "%s%zu %s: %s", a ? " \xc2\xb7 " : " ", a + 1,
			   tui_alias(r->t, r->ann[a].name), fe);
	}
	draw_line(top, 0, w, b.data, area_attr(C_HEADER));
	/* the header of the columns */
	int x = 6;
	buf_reset(&b);
	move(top + 1, 0);
	attrset(area_attr(C_HEADER));
	addstr(" step ");
	for (size_t a = 0; a < r->nann && a < MAX_COLS && x < w - 10; a++) {
		int cw = col_width(r, r->ann[a].name);
		draw_text(top + 1, x, cw, tui_alias(r->t, r->ann[a].name),
			  strlen(tui_alias(r->t, r->ann[a].name)), area_attr(C_HEADER), NULL);
		x += cw + 1;
	}
	int sx = x;
	for (size_t k = 0; k < r->nsrc && x < w - 10; k++) {
		int cw = col_width(r, r->src[k].name);
		draw_text(top + 1, x + 1, cw, r->src[k].name, strlen(r->src[k].name),
			  area_attr(C_HEADER), NULL);
		x += cw + 1;
	}
	int tx = x + 2;
	draw_text(top + 1, tx, w - tx, "step text", 9, area_attr(C_HEADER), NULL);
	/* the steps: three lines at the bottom say who decided what */
	int rows = h - 5;
	if (rows < 1)
		rows = 1;
	pos_show(&r->pos, r->pos.cur, r->pos.cur, rows);
	struct latex lx = {.width = 1}; /* one line: a matrix as (a, b; c, d) */
	for (int y = 0; y < rows; y++) {
		size_t i = (size_t)(r->pos.top + y);
		move(top + 2 + y, 0);
		clrtoeol();
		if (i >= it->nsteps)
			continue;
		int cur = (int)i == r->pos.cur;
		int dis = differs(r, i);
		char num[32];
		snprintf(num, sizeof(num), "%c%4zu ", dis ? '!' : ' ', i + 1);
		draw_text(top + 2 + y, 0, 6, num, strlen(num),
			  area_attr(cur ? C_CURSOR : dis ? C_DISAGREE : C_INDEX), NULL);
		int cx = 6;
		for (size_t a = 0; a < r->nann && a < MAX_COLS && cx < w - 10; a++)
			cx += cell(top + 2 + y, cx, &r->ann[a], i, col_width(r, r->ann[a].name)) + 1;
		cx = sx;
		if (r->nsrc) {
			move(top + 2 + y, cx);
			attrset(area_attr(C_DIM));
			addch(ACS_VLINE);
		}
		for (size_t k = 0; k < r->nsrc && cx < w - 10; k++)
			cx += cell(top + 2 + y, cx + 1, &r->src[k], i, col_width(r, r->src[k].name)) + 1;
		const char *t = it->steps[i].text ? it->steps[i].text : "";
		size_t n = strlen(t);
		if (r->t->set->latex) { /* as the solution view shows it, on one line */
			latex_render(&lx, t, n);
			for (char *c = lx.out.data; c && *c; c++)
				*c = *c == '\n' ? ' ' : *c;
			t = lx.out.data;
			n = lx.out.len;
		} else {
			n = strcspn(t, "\n");
		}
		draw_text(top + 2 + y, tx, w - tx, t, n, area_attr(cur ? C_CURSOR : C_DEFAULT),
			  NULL);
	}
	latex_free(&lx);
	/* the bottom: sources' first errors, the adjudication, consensus */
	buf_reset(&b);
	buf_puts(&b, "sources:");
	for (size_t k = 0; k < r->nsrc; k++) {
		char fe[32];
		fe_text(fe, sizeof(fe), r->src[k].fe);
		buf_printf(&b, " %s %s%s", r->src[k].name, fe, k + 1 < r->nsrc ? "," : "");
	}
	if (!r->nsrc)
		buf_puts(&b, " none");
	draw_line(top + h - 3, 0, w, b.data, area_attr(C_DIM));
	draw_line(top + h - 2, 0, w, r->adj, area_attr(C_NOTE));
	draw_line(top + h - 1, 0, w, r->agreed, area_attr(C_DIM));
	buf_free(&b);
}

static void reason_done(struct tui *t, const char *answer, void *arg)
{
	struct rv *r = arg;
	if (!answer)
		return;
	if (!*answer) {
		tui_message(t, 1, "not adjudicated: a reason is required");
		return;
	}
	tui_adjudicate(t, &r->sol, r->pending, answer);
	reload(r);
}

static void ask_reason(struct rv *r, int fe)
{
	char title[96], what[32];
	fe_text(what, sizeof(what), fe);
	r->pending = fe;
	snprintf(title, sizeof(title), "why %s? (Tab reuses) ", what);
	tui_ask(r->t, ASK_NOTE, title, NULL, reason_done, r);
	load_reasons(r);
	tui_ask_names(r->t, (const char *const *)r->reasons, r->nreasons);
}

static void pick_done(struct tui *t, const char *answer, void *arg)
{
	struct rv *r = arg;
	if (!answer || !*answer)
		return;
	size_t a = (size_t)(answer[0] - '1');
	if (a >= r->nann || r->ann[a].fe < -1) {
		tui_message(t, 1, "that annotator has not decided the first error");
		return;
	}
	ask_reason(r, r->ann[a].fe);
}

static void ask_pick(struct rv *r)
{
	struct buf b = {0};
	char keys[MAX_COLS + 1];
	size_t nk = 0;
	buf_puts(&b, "take whose first error:");
	for (size_t a = 0; a < r->nann && a < MAX_COLS; a++) {
		if (r->ann[a].fe < -1)
			continue;
		char fe[32];
		fe_text(fe, sizeof(fe), r->ann[a].fe);
		buf_printf(&b, " %zu) %s %s", a + 1, tui_alias(r->t, r->ann[a].name), fe);
		keys[nk++] = (char)('1' + a);
	}
	keys[nk] = '\0';
	if (!nk)
		tui_message(r->t, 1, "nobody has decided this solution's first error");
	else
		tui_menu(r->t, inert(b.data, 0), keys, pick_done, r);
	buf_free(&b);
}

static int rv_act(struct view *v, enum action a, const char *arg)
{
	struct rv *r = v->priv;
	int n = (int)r->sol.it.nsteps;
	(void)arg;
	switch (a) {
	case A_MOVE_DOWN: case A_MOVE_UP: case A_PAGE_DOWN: case A_PAGE_UP:
	case A_MOVE_FIRST: case A_MOVE_LAST:
		pos_move(&r->pos, move_of(a), 1, PAGE);
		break;
	case A_ADJUDICATE:
		if (n)
			ask_reason(r, r->pos.cur);
		break;
	case A_ADJUDICATE_NONE: ask_reason(r, -1); break;
	case A_ADJUDICATE_PICK: ask_pick(r); break;
	case A_UNDO:
	case A_REDO:
		tui_label(r->t, &r->sol, a, -1, -1, NULL);
		reload(r);
		break;
	case A_NEXT_SOLUTION:
	case A_PREV_SOLUTION:
	case A_NEXT_DISAGREEMENT:
	case A_PREV_DISAGREEMENT: {
		/* the next one to review: in the queue as filtered, or the next
		 * with a disagreement */
		int dir = a == A_NEXT_SOLUTION || a == A_NEXT_DISAGREEMENT ? 1 : -1;
		int what = a == A_NEXT_DISAGREEMENT || a == A_PREV_DISAGREEMENT ? Q_DIS_ANY : -1;
		int64_t id = qmodel_neighbour(r->t->queue, r->sol.id, dir, what);
		if (!id) {
			queue_say_none(r->t, r->sol.id, what < 0 ? "other" : "disagreeing", dir);
			break;
		}
		r->sol.id = id;
		r->pos.cur = r->pos.top = 0;
		reload(r);
		queue_select(r->t, id);
		break;
	}
	default:
		return 0;
	}
	return 1;
}

static void rv_reload(struct view *v)
{
	reload(v->priv);
}

static void rv_status(struct view *v, char *out, size_t n)
{
	struct rv *r = v->priv;
	snprintf(out, n, "review  step %d/%zu", r->pos.cur + 1, r->sol.it.nsteps);
}

static void rv_done(struct view *v)
{
	struct rv *r = v->priv;
	if (r->t->ask.active && r->t->ask.arg == r)
		tui_ask_cancel(r->t);
	cols_free(r->ann, r->nann);
	cols_free(r->src, r->nsrc);
	for (size_t i = 0; i < r->nreasons; i++)
		free(r->reasons[i]);
	free(r->reasons);
	db_solution_free(&r->sol);
	free(r);
	free(v);
}

static const struct hint hints[] = {
	{A_HELP, "help"}, {A_ADJUDICATE, "error here"}, {A_ADJUDICATE_NONE, "no error"},
	{A_ADJUDICATE_PICK, "take one's"}, {A_UNDO, "undo"}, {A_NEXT_SOLUTION, "next"},
	{A_QUIT, "back"},
	{A_NONE, NULL}};

static const struct view_ops review_ops = {
	.id = V_REVIEW,
	.hints = hints,
	.draw = rv_draw,
	.act = rv_act,
	.reload = rv_reload,
	.status = rv_status,
	.done = rv_done,
};

struct view *review_view_new(struct tui *t, int64_t sol, int step)
{
	struct view *v = xcalloc(1, sizeof(*v));
	struct rv *r = xcalloc(1, sizeof(*r));
	v->ops = &review_ops;
	v->t = t;
	v->priv = r;
	r->t = t;
	r->sol.id = sol;
	r->pos.cur = step > 0 ? step : 0;
	reload(r);
	return v;
}
