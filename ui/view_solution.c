/* view_solution.c - one solution: the problem on top, then a block per
 * step (index, your label, each source's signal, the other annotators'
 * labels, the wrapped text), the final answer beside the gold one, and
 * the reference solution in a side or bottom pane. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "../src/fmt.h"
#include "../src/grade.h"
#include "../src/latex.h"
#include "../src/summary.h"
#include "../src/util.h"

enum { L_HEAD, L_TEXT, L_NOTE, L_ALT_HEAD, L_ALT };
struct dline {
	int step, kind;
	size_t off, len;
	const char *src; /* the text off/len index (step text or a note) */
	int alt;         /* L_ALT_HEAD, L_ALT: the alternative; else -1 */
};

enum { SK_PRM, SK_MC, SK_JUDGE, SK_CALC, SK_OTHER };
struct source {
	char *key;
	int kind, fe;
	int *rating;  /* per step, NO_RATING when none */
	double *value; /* per step, NO_VALUE when none */
	int *k, *n;
};

struct annot {
	const char *name;
	int *rating;
	int fe;
};

struct sv {
	struct tui *t;
	struct db_solution v;
	int sel;
	int top, ptop;
	int hidden; /* blind: suggestions hidden */
	int hide_others; /* blind all: other people's labels, the verdict */
	int *mine;
	int my_fe;
	struct annot *others;
	size_t nothers;
	struct source *src;
	size_t nsrc;
	struct dline *lines;
	size_t nlines, caplines;
	int layout_w;
	int steps_h; /* rows of the steps area at the last draw */
	int steps_y;
	int ask_step; /* the step a note prompt is for */
	/* active time on this solution: keys arriving, a gap over a
	 * minute counting for nothing; recorded with the next action */
	double last_key;
	long active_ms;
	struct arena notes; /* others' notes with their author, for the lines */
	/* with the latex setting: the steps and the problem rendered */
	struct latex *rsteps;
	size_t nrsteps;
	struct latex rproblem, ranswer, rgold, rref;
	int rendered;
	int rtop; /* the reference pane's first line */
	int show_alts; /* the alternatives under each step */
	int sel_alt;   /* the alternative at the cursor, -1: the step */
	int ref_h, ref_lines; /* its rows and lines at the last draw */
	int prob_rows;        /* the problem pane's rows at the last draw */
};

#define IDLE_GAP_MS 60000.0

static void note_key(struct sv *s)
{
	double now = mono_ms(), gap = now - s->last_key;
	if (gap > 0 && gap <= IDLE_GAP_MS)
		s->active_ms += (long)gap;
	s->last_key = now;
}

static void marks_free(struct sv *s)
{
	free(s->mine);
	s->mine = NULL;
	for (size_t i = 0; i < s->nothers; i++)
		free(s->others[i].rating);
	free(s->others);
	s->others = NULL;
	s->nothers = 0;
	for (size_t i = 0; i < s->nsrc; i++) {
		free(s->src[i].key);
		free(s->src[i].rating);
		free(s->src[i].value);
		free(s->src[i].k);
		free(s->src[i].n);
	}
	free(s->src);
	s->src = NULL;
	s->nsrc = 0;
}

static int source_kind(const char *src)
{
	if (!strncmp(src, "prm", 3))
		return SK_PRM;
	if (!strncmp(src, "mc", 2))
		return SK_MC;
	if (!strncmp(src, "judge", 5))
		return SK_JUDGE;
	if (!strncmp(src, "calc", 4))
		return SK_CALC;
	return SK_OTHER;
}

static void marks_compute(struct sv *s)
{
	const struct item *it = &s->v.it;
	size_t n = it->nsteps;
	marks_free(s);
	s->mine = xmalloc((n + 1) * sizeof(int));
	s->my_fe = summary_annotator(it, s->t->ann.name, s->mine);
	s->others = xcalloc(it->nlabels + 1, sizeof(*s->others));
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_NOTE || l->kind == LK_FINISH || l->kind == LK_ALT_RATING ||
		    l->kind == LK_FLAG ||
		    !strcmp(l->annotator, s->t->ann.name))
			continue;
		size_t k;
		for (k = 0; k < s->nothers; k++)
			if (!strcmp(s->others[k].name, l->annotator))
				break;
		if (k < s->nothers)
			continue;
		struct annot *a = &s->others[s->nothers++];
		a->name = l->annotator;
		a->rating = xmalloc((n + 1) * sizeof(int));
		a->fe = summary_annotator(it, l->annotator, a->rating);
	}
	s->src = xcalloc(it->nsugs + 1, sizeof(*s->src));
	struct buf key = {0};
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		sug_key(&key, g);
		size_t k;
		for (k = 0; k < s->nsrc; k++)
			if (!strcmp(s->src[k].key, key.data))
				break;
		struct source *sc = &s->src[k];
		if (k == s->nsrc) {
			s->nsrc++;
			sc->key = xstrdup(key.data);
			sc->kind = source_kind(g->source);
			sc->rating = xmalloc((n + 1) * sizeof(int));
			sc->value = xmalloc((n + 1) * sizeof(double));
			sc->k = xcalloc(n + 1, sizeof(int));
			sc->n = xcalloc(n + 1, sizeof(int));
			for (size_t j = 0; j < n; j++)
				sc->value[j] = NO_VALUE;
			struct export_opts o = {.source = sc->key, .threshold = 0.5};
			sc->fe = item_resolve(it, &o, sc->rating);
		}
		if (g->step >= 0 && (size_t)g->step < n) {
			sc->value[g->step] = g->value;
			sc->k[g->step] = g->k;
			sc->n[g->step] = g->n;
		}
	}
	buf_free(&key);
	s->hidden = s->t->set->blind && s->my_fe == -2;
	s->hide_others = s->t->set->blind == BLIND_ALL && s->my_fe == -2;
	s->t->ann.origin = s->hidden ? "tui-blind" : "tui";
}

/* ---- LaTeX: the texts as they are shown ---- */
static void render_free(struct sv *s)
{
	for (size_t i = 0; i < s->nrsteps; i++)
		latex_free(&s->rsteps[i]);
	free(s->rsteps);
	s->rsteps = NULL;
	s->nrsteps = 0;
	latex_free(&s->rproblem);
	latex_free(&s->ranswer);
	latex_free(&s->rgold);
	latex_free(&s->rref);
	s->rendered = 0;
}

/* The reference's step holding raw offset `at`: its steps are its
 * non-empty lines. */
static int ref_step_at(const char *ref, size_t at)
{
	int k = 0;
	for (size_t i = 0; i < at && ref[i]; i++)
		if (ref[i] == '\n' && i > 0 && ref[i - 1] != '\n')
			k++;
	return k;
}

static void render_texts(struct sv *s)
{
	const struct item *it = &s->v.it;
	render_free(s);
	if (!s->t->set->latex)
		return;
	s->rsteps = xcalloc(it->nsteps + 1, sizeof(*s->rsteps));
	s->nrsteps = it->nsteps;
	for (size_t i = 0; i < it->nsteps; i++)
		latex_render(&s->rsteps[i], it->steps[i].text, strlen(it->steps[i].text));
	const char *p = it->problem ? it->problem : "";
	latex_render(&s->rproblem, p, strlen(p));
	const char *a = it->final_answer ? it->final_answer : "";
	latex_render_math(&s->ranswer, a, strlen(a));
	const char *g = it->gold ? it->gold : "";
	latex_render_math(&s->rgold, g, strlen(g));
	const char *ref = it->reference ? it->reference : "";
	latex_render(&s->rref, ref, strlen(ref));
	s->rendered = 1;
}

static const char *shown_step(const struct sv *s, size_t i)
{
	return s->rendered ? s->rsteps[i].out.data : s->v.it.steps[i].text;
}

static const char *shown_problem(const struct sv *s)
{
	if (s->rendered)
		return s->rproblem.out.data;
	return s->v.it.problem ? s->v.it.problem : "";
}

static void draw_rendered(struct sv *s, int y, int x, int w, const struct latex *lx,
			  const char *raw, size_t off, size_t len, int attr)
{
	draw_latex(y, x, w, lx, raw, off, len, attr, s->t->re);
}

/* ---- layout: the display lines of the steps area ---- */
static void add_line(struct sv *s, int step, int kind, const char *src,
		     size_t off, size_t len, int alt)
{
	if (s->nlines == s->caplines) {
		s->caplines = s->caplines ? 2 * s->caplines : 64;
		s->lines = xrealloc(s->lines, s->caplines * sizeof(*s->lines));
	}
	s->lines[s->nlines++] = (struct dline){step, kind, off, len, src, alt};
}

static void wrap_alt(struct sv *s, int step, int kind, const char *text, int w, int alt)
{
	size_t n = strlen(text), off = 0;
	if (n == 0)
		add_line(s, step, kind, text, 0, 0, alt);
	while (off < n) {
		size_t skip;
		size_t len = wrap_line(text + off, n - off, w, &skip);
		add_line(s, step, kind, text, off, len, alt);
		off += len + skip;
	}
}

static void wrap_into(struct sv *s, int step, int kind, const char *text, int w)
{
	wrap_alt(s, step, kind, text, w, -1);
}

/* the alternatives of step i offered to rate: all but the step taken */
static int is_alt(const struct sv *s, size_t i, size_t k)
{
	const struct step *st = &s->v.it.steps[i];
	return k < st->nalts && (int)k != st->chosen;
}

/* the alternatives under step i, as the latex setting shows them */
static void layout_alts(struct sv *s, size_t i, int tw)
{
	const struct step *st = &s->v.it.steps[i];
	struct latex lx = {0};
	for (size_t k = 0; k < st->nalts; k++) {
		if (!is_alt(s, i, k))
			continue;
		add_line(s, (int)i, L_ALT_HEAD, NULL, 0, 0, (int)k);
		const char *text = st->alts[k].text ? st->alts[k].text : "";
		if (s->rendered) {
			latex_render(&lx, text, strlen(text));
			text = arena_strndup(&s->notes, lx.out.data, lx.out.len);
		}
		wrap_alt(s, (int)i, L_ALT, text, tw - 4, (int)k);
	}
	latex_free(&lx);
}

static void layout(struct sv *s, int w)
{
	const struct item *it = &s->v.it;
	s->nlines = 0;
	arena_reset(&s->notes); /* the lines of the last layout pointed into it */
	s->layout_w = w;
	int tw = w - 7 > 10 ? w - 7 : 10;
	for (size_t i = 0; i < it->nsteps; i++) {
		add_line(s, (int)i, L_HEAD, NULL, 0, 0, -1);
		wrap_into(s, (int)i, L_TEXT, shown_step(s, i), tw);
		for (size_t k = 0; k < it->nlabels; k++) {
			const struct label *l = &it->labels[k];
			if (l->kind != LK_NOTE || l->step != (int)i || !l->text)
				continue;
			/* only the newest note of each annotator is in force */
			int newer = 0;
			for (size_t m = k + 1; m < it->nlabels; m++)
				if (it->labels[m].kind == LK_NOTE && it->labels[m].step == (int)i &&
				    !strcmp(it->labels[m].annotator, l->annotator))
					newer = 1;
			if (newer)
				continue;
			if (!strcmp(l->annotator, s->t->ann.name)) {
				wrap_into(s, (int)i, L_NOTE, l->text, tw - 2);
			} else { /* another's note says whose */
				struct buf b = {0};
				buf_printf(&b, "%s: %s", tui_alias(s->t, l->annotator), l->text);
				wrap_into(s, (int)i, L_NOTE, arena_strndup(&s->notes, b.data, b.len),
					  tw - 2);
				buf_free(&b);
			}
		}
		if (s->show_alts)
			layout_alts(s, i, tw);
	}
}

static size_t first_line_of(struct sv *s, int step)
{
	for (size_t i = 0; i < s->nlines; i++)
		if (s->lines[i].step == step)
			return i;
	return 0;
}

static void keep_visible(struct sv *s)
{
	if (s->steps_h <= 0)
		return;
	size_t a = first_line_of(s, s->sel), b = a;
	if (s->sel_alt >= 0) { /* the alternative's lines */
		while (a < s->nlines && s->lines[a].step == s->sel && s->lines[a].alt != s->sel_alt)
			a++;
		b = a;
		while (b + 1 < s->nlines && s->lines[b + 1].step == s->sel &&
		       s->lines[b + 1].alt == s->sel_alt)
			b++;
	} else {
		while (b + 1 < s->nlines && s->lines[b + 1].step == s->sel &&
		       s->lines[b + 1].alt < 0)
			b++;
	}
	if ((int)a < s->top)
		s->top = (int)a;
	else if ((int)b >= s->top + s->steps_h)
		s->top = (int)b - s->steps_h + 1 > (int)a ? (int)a : (int)b - s->steps_h + 1;
}

/* your newest label of a kind on a step (an alternative's: of alt k) */
static const struct label *mine_of(const struct sv *s, int kind, int step, int k)
{
	const struct item *it = &s->v.it;
	const struct label *found = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if ((int)l->kind != kind || l->step != step || strcmp(l->annotator, s->t->ann.name))
			continue;
		if (k >= 0 && (!l->text || atoi(l->text) != k))
			continue;
		found = l;
	}
	return found;
}

static int my_flag(const struct sv *s, int step)
{
	const struct label *l = mine_of(s, LK_FLAG, step, -1);
	return l && l->value == 1;
}

static int my_alt(const struct sv *s, int step, int k)
{
	const struct label *l = mine_of(s, LK_ALT_RATING, step, k);
	return l ? l->value : NO_RATING;
}

/* ---- drawing ---- */
static const char *rating_mark(int r)
{
	return r == 1 ? "+1" : r == 0 ? " 0" : r == -1 ? "-1" : "  ";
}

static int rating_area(int r)
{
	return r == 1 ? C_GOOD : r == 0 ? C_NEUTRAL : r == -1 ? C_BAD : C_DIM;
}

static int put(int y, int x, int maxx, const char *s, int attr)
{
	if (x >= maxx)
		return x;
	return x + draw_text(y, x, maxx - x, s, strlen(s), attr, NULL);
}

static void draw_head(struct sv *s, int y, int x0, int w, int step)
{
	int cur = step == s->sel && s->sel_alt < 0;
	int base = cur ? area_attr(C_CURSOR) : area_attr(C_DEFAULT);
	int maxx = x0 + w;
	draw_line(y, x0, w, "", base);
	char idx[32];
	snprintf(idx, sizeof(idx), "%s%3d ", cur ? ">" : " ", step + 1);
	int x = put(y, x0, maxx, idx, cur ? base : area_attr(C_INDEX));
	int r = s->mine[step];
	int after = s->my_fe >= 0 && step > s->my_fe && r == NO_RATING;
	if (after)
		x = put(y, x, maxx, " after error", area_attr(C_AFTER));
	else if (s->my_fe >= 0 && step == s->my_fe)
		x = put(y, x, maxx, "-1 FIRST ERR", area_attr(C_BAD));
	else {
		x = put(y, x, maxx, rating_mark(r), area_attr(rating_area(r)));
		x = put(y, x, maxx, r == NO_RATING ? "unlabelled" : "          ", area_attr(C_DIM));
	}
	x = put(y, x, maxx, " ", base);
	if (!s->hidden) {
		for (size_t i = 0; i < s->nsrc; i++) {
			const struct source *sc = &s->src[i];
			char cell[96];
			int sr = sc->rating[step];
			double v = sc->value[step];
			if (sr == NO_RATING && v == NO_VALUE && sc->n[step] == 0)
				continue;
			if (sc->kind == SK_CALC && v == NO_VALUE)
				continue; /* calc says ok only of a step it checked */
			x = put(y, x, maxx, "| ", area_attr(C_DIM));
			snprintf(cell, sizeof(cell), "%s ", sc->key);
			x = put(y, x, maxx, cell, area_attr(C_DIM));
			if (sc->kind == SK_MC && sc->n[step] > 0) {
				snprintf(cell, sizeof(cell), "%d/%d ", sc->k[step], sc->n[step]);
				x = put(y, x, maxx, cell, area_attr(C_MC));
			} else if (v != NO_VALUE && (sc->kind == SK_PRM || sc->kind == SK_OTHER)) {
				int bw = s->t->set->bar_width;
				double c = v < 0 ? 0 : v > 1 ? 1 : v;
				int fill = (int)(c * bw + 0.5);
				char bar[128];
				int o = 0;
				for (int b = 0; b < bw && o < 120; b++) {
					const char *ch = b < fill ? "\xe2\x96\x88" : "\xe2\x96\x91";
					memcpy(bar + o, ch, 3);
					o += 3;
				}
				bar[o] = '\0';
				x = put(y, x, maxx, bar, area_attr(C_PRM));
				snprintf(cell, sizeof(cell), " %.2f ", v);
				x = put(y, x, maxx, cell, area_attr(C_PRM));
			} else {
				const char *m = sr == 1 ? "ok " : sr == -1 ? (sc->fe == step ? "ERR " : "bad ") :
						sr == 0 ? "0 " : "- ";
				int area = sc->kind == SK_JUDGE ? C_JUDGE : sc->kind == SK_CALC ? C_CALC :
					   sc->kind == SK_MC ? C_MC : C_DIM;
				x = put(y, x, maxx, m, sr == -1 ? area_attr(C_BAD) : area_attr(area));
			}
		}
	}
	for (size_t i = 0; i < s->nothers && !s->hide_others; i++) {
		const struct annot *a = &s->others[i];
		int ar = a->rating[step];
		if (ar == NO_RATING)
			continue;
		x = put(y, x, maxx, "| ", area_attr(C_DIM));
		char cell[64];
		snprintf(cell, sizeof(cell), "%s:%s ", tui_alias(s->t, a->name),
			 ar == 1 ? "+1" : ar == 0 ? "0" : "-1");
		x = put(y, x, maxx, cell, area_attr(C_OTHERS));
	}
	/* what the data says of the step taken, your flag, the alternatives */
	const struct step *st = &s->v.it.steps[step];
	const struct alt *ch = st->chosen >= 0 && (size_t)st->chosen < st->nalts ?
			       &st->alts[st->chosen] : NULL;
	if (ch && ch->human)
		x = put(y, x, maxx, "| human-written ", area_attr(C_OTHERS));
	if (ch && ch->flagged == 1 && !s->hide_others)
		x = put(y, x, maxx, "| flagged ", area_attr(C_OTHERS));
	if (my_flag(s, step))
		x = put(y, x, maxx, "| FLAG: can't judge ", area_attr(C_BAD));
	size_t nalt = 0;
	for (size_t k = 0; k < st->nalts; k++)
		nalt += is_alt(s, (size_t)step, k);
	if (nalt && !s->show_alts) {
		char cell[48];
		snprintf(cell, sizeof(cell), "| %zu alternative%s (z) ", nalt, nalt == 1 ? "" : "s");
		put(y, x, maxx, cell, area_attr(C_DIM));
	}
}

/* "↳ alt 2  data +1 human flagged  me -1": an alternative's line */
static void draw_alt_head(struct sv *s, int y, int x0, int w, int step, int k)
{
	const struct alt *al = &s->v.it.steps[step].alts[k];
	int cur = step == s->sel && k == s->sel_alt;
	int base = cur ? area_attr(C_CURSOR) : area_attr(C_DEFAULT);
	int maxx = x0 + w;
	draw_line(y, x0, w, "", base);
	char cell[64];
	snprintf(cell, sizeof(cell), "%s    \xe2\x86\xb3 alt %d ", cur ? ">" : " ", k + 1);
	int x = put(y, x0, maxx, cell, cur ? base : area_attr(C_INDEX));
	if (!s->hide_others && al->rating != NO_RATING) {
		x = put(y, x, maxx, "data ", area_attr(C_DIM));
		x = put(y, x, maxx, rating_mark(al->rating), area_attr(rating_area(al->rating)));
		x = put(y, x, maxx, " ", base);
	}
	if (al->human)
		x = put(y, x, maxx, "human-written ", area_attr(C_OTHERS));
	if (al->flagged == 1 && !s->hide_others)
		x = put(y, x, maxx, "flagged ", area_attr(C_OTHERS));
	int mine = my_alt(s, step, k);
	x = put(y, x, maxx, "| me ", area_attr(C_DIM));
	put(y, x, maxx, mine == NO_RATING ? "unrated" : rating_mark(mine),
	    area_attr(rating_area(mine)));
}

static void draw_steps(struct sv *s, int y0, int h, int x0, int w)
{
	if (s->layout_w != w)
		layout(s, w);
	s->steps_h = h;
	s->steps_y = y0;
	keep_visible(s);
	if (s->top > (int)s->nlines - 1)
		s->top = s->nlines ? (int)s->nlines - 1 : 0;
	for (int r = 0; r < h; r++) {
		size_t i = (size_t)(s->top + r);
		int y = y0 + r;
		if (i >= s->nlines) {
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
			continue;
		}
		const struct dline *d = &s->lines[i];
		if (d->kind == L_HEAD) {
			draw_head(s, y, x0, w, d->step);
			continue;
		}
		if (d->kind == L_ALT_HEAD) {
			draw_alt_head(s, y, x0, w, d->step, d->alt);
			continue;
		}
		if (d->kind == L_ALT) {
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
			draw_text(y, x0 + 11, w - 11, d->src + d->off, d->len, area_attr(C_DIM), s->t->re);
			continue;
		}
		int after = s->my_fe >= 0 && d->step > s->my_fe;
		int attr = after ? area_attr(C_AFTER) : area_attr(C_DEFAULT);
		draw_line(y, x0, w, "", area_attr(C_DEFAULT));
		if (d->kind == L_NOTE) {
			/* the mark on a note's first line only: one note, one mark */
			put(y, x0 + 5, x0 + w, d->off == 0 ? "* " : "  ", area_attr(C_NOTE));
			draw_text(y, x0 + 7, w - 7, d->src + d->off, d->len, area_attr(C_NOTE), s->t->re);
		} else if (s->rendered) {
			draw_rendered(s, y, x0 + 7, w - 7, &s->rsteps[d->step],
				      s->v.it.steps[d->step].text, d->off, d->len, attr);
		} else {
			draw_text(y, x0 + 7, w - 7, d->src + d->off, d->len, attr, s->t->re);
		}
	}
	if (s->v.it.nsteps == 0)
		draw_line(y0, x0, w, "  (this solution has no steps)", area_attr(C_DIM));
}

static int draw_problem(struct sv *s, int y0, int maxh, int w)
{
	const struct item *it = &s->v.it;
	char head[512];
	snprintf(head, sizeof(head), " Problem  %s  %s  #%lld%s%s", s->v.dataset, it->key,
		 (long long)s->v.id, it->generator ? "  by " : "", it->generator ? it->generator : "");
	draw_line(y0, 0, w, head, area_attr(C_HEADER));
	const char *p = shown_problem(s);
	size_t n = strlen(p), off = 0;
	int line = 0, shown = 0;
	int rows = maxh - 1;
	s->prob_rows = rows;
	while (off < n || (n == 0 && line == 0)) {
		size_t skip;
		size_t len = wrap_line(p + off, n - off, w - 2, &skip);
		if (line >= s->ptop && shown < rows) {
			draw_line(y0 + 1 + shown, 0, w, "", area_attr(C_DEFAULT));
			if (s->rendered)
				draw_rendered(s, y0 + 1 + shown, 1, w - 2, &s->rproblem,
					      it->problem ? it->problem : "", off, len,
					      area_attr(C_PROBLEM));
			else
				draw_text(y0 + 1 + shown, 1, w - 2, p + off, len,
					  area_attr(C_PROBLEM), s->t->re);
			shown++;
		}
		line++;
		off += len + skip;
		if (n == 0)
			break;
	}
	if (line > s->ptop + rows && rows > 0) {
		char more[64];
		snprintf(more, sizeof(more), " +%d lines ", line - s->ptop - rows);
		int mw = (int)strlen(more);
		draw_text(y0 + rows, w - mw, mw, more, (size_t)mw, area_attr(C_DIM), NULL);
	}
	if (s->ptop >= line)
		s->ptop = line ? line - 1 : 0;
	return 1 + shown;
}

static void draw_answer(struct sv *s, int y, int w)
{
	const struct item *it = &s->v.it;
	draw_line(y, 0, w, "", area_attr(C_DEFAULT));
	int x = put(y, 0, w, " answer ", area_attr(C_HEADER));
	const char *ans = s->rendered ? s->ranswer.out.data : it->final_answer;
	const char *gold = s->rendered ? s->rgold.out.data : it->gold;
	x = put(y, x, w, it->final_answer ? ans : "(none)", area_attr(C_DEFAULT));
	x = put(y, x, w, "   gold ", area_attr(C_HEADER));
	x = put(y, x, w, it->gold ? gold : "(none)", area_attr(C_GOLD));
	if (it->gold && it->gold_derived)
		x = put(y, x, w, " (derived: a correct solution's)", area_attr(C_DIM));
	int ok = it->correct;
	if (ok < 0 && it->final_answer && it->gold)
		ok = grade_answer(it->final_answer, it->gold);
	if (s->hide_others)
		ok = -1;
	if (ok >= 0)
		x = put(y, x, w, ok ? "   final answer correct" : "   final answer wrong",
			area_attr(ok ? C_GOOD : C_BAD));
	/* scores of the whole solution (PRM800K's verifier), unless blind */
	for (size_t i = 0; i < it->nsugs && !s->hidden; i++) {
		const struct suggestion *g = &it->sugs[i];
		if (g->step >= 0 || g->value == NO_VALUE || g->first_error != -2)
			continue;
		char cell[160];
		int verifier = g->model && !strcmp(g->model, "prm800k-verifier");
		snprintf(cell, sizeof(cell), "   %s%s%s %.3g", verifier ? "verifier" : g->source,
			 !verifier && g->model ? "/" : "", !verifier && g->model ? g->model : "",
			 g->value);
		x = put(y, x, w, cell, area_attr(C_PRM));
	}
	const char *finish = NULL;
	for (size_t i = 0; i < it->nlabels; i++)
		if (it->labels[i].kind == LK_FINISH && !strcmp(it->labels[i].annotator, s->t->ann.name))
			finish = it->labels[i].text;
	if (!finish && !s->hide_others) /* the data's is another person's */
		finish = it->finish;
	if (finish) {
		x = put(y, x, w, "   finish ", area_attr(C_HEADER));
		put(y, x, w, finish, area_attr(C_DEFAULT));
	}
}

/* The reference from the line rtop on, rendered whole; the steps aligned
 * to the step at the cursor highlighted. */
static void draw_reference(struct sv *s, int y0, int h, int x0, int w)
{
	const char *ref = s->v.it.reference;
	const char *t = s->rendered ? s->rref.out.data : ref;
	size_t n = strlen(t);
	draw_line(y0, x0, w, " Reference", area_attr(C_HEADER));
	int rows = h - 1, line = 0;
	if (s->rtop > s->ref_lines - rows)
		s->rtop = s->ref_lines - rows;
	if (s->rtop < 0)
		s->rtop = 0;
	for (size_t o = 0; o < n;) {
		size_t skip, l = wrap_line(t + o, n - o, w - 2, &skip);
		if (l == 0 && skip) { /* blank lines separate, they take no row */
			o += skip;
			continue;
		}
		int y = y0 + 1 + line - s->rtop;
		if (line >= s->rtop && line < s->rtop + rows) {
			int hl = 0;
			if (s->v.naligns) {
				int rstep = ref_step_at(ref, s->rendered ? s->rref.src[o].a : o);
				for (size_t i = 0; i < s->v.naligns; i++)
					hl |= s->v.aligns[i].step == s->sel && s->v.aligns[i].ref == rstep;
			}
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
			draw_text(y, x0 + 1, w - 2, t + o, l, area_attr(hl ? C_ALIGNED : C_REFERENCE), NULL);
		}
		line++;
		o += l + skip;
		if (!l && !skip)
			break;
	}
	for (int y = y0 + 1 + line - s->rtop; y < y0 + h; y++)
		if (y > y0)
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
	s->ref_lines = line;
	s->ref_h = rows;
	if (line > s->rtop + rows && rows > 0) {
		char more[64];
		snprintf(more, sizeof(more), " +%d lines ", line - s->rtop - rows);
		int mw = (int)strlen(more);
		draw_text(y0 + rows, x0 + w - mw, mw, more, (size_t)mw, area_attr(C_DIM), NULL);
	}
}

static void sv_draw(struct view *v, int top, int h, int w)
{
	struct sv *s = v->priv;
	int ref = s->v.it.reference && *s->v.it.reference ? s->t->set->reference : REF_HIDDEN;
	if (ref == REF_AUTO)
		ref = w >= 120 ? REF_RIGHT : h >= 30 ? REF_BOTTOM : REF_HIDDEN;
	int ph = s->t->set->problem_lines + 1;
	if (ph > h / 3)
		ph = h / 3 > 2 ? h / 3 : 2;
	s->ref_h = 0;
	int used = draw_problem(s, top, ph, w);
	int y = top + used;
	int rest = h - used - 1; /* the answer line at the bottom */
	int sw = w, rh = 0;
	if (ref == REF_RIGHT && w >= 60) {
		int rw = w * 2 / 5;
		sw = w - rw - 1;
		for (int r = 0; r < rest; r++) {
			move(y + r, sw);
			attrset(area_attr(C_DIM));
			addch(ACS_VLINE);
		}
		draw_reference(s, y, rest, sw + 1, rw);
	} else if (ref == REF_BOTTOM && rest > 10) {
		rh = rest / 3;
		draw_reference(s, y + rest - rh, rh, 0, w);
	}
	draw_steps(s, y, rest - rh, 0, sw);
	draw_answer(s, top + h - 1, w);
}

/* ---- actions ---- */
static void reload(struct sv *s)
{
	int64_t id = s->v.id;
	if (db_solution_load(s->t->db, id, &s->v) != 1)
		tui_message(s->t, 1, "solution %lld is gone", (long long)id);
	marks_compute(s);
	render_texts(s);
	s->layout_w = 0;
	if (s->sel >= (int)s->v.it.nsteps)
		s->sel = s->v.it.nsteps ? (int)s->v.it.nsteps - 1 : 0;
	if (s->sel_alt >= 0 && (!s->show_alts || !s->v.it.nsteps ||
				!is_alt(s, (size_t)s->sel, (size_t)s->sel_alt)))
		s->sel_alt = -1;
}

static void open_id(struct sv *s, int64_t id, int step)
{
	struct db_solution nv = {0};
	if (db_solution_load(s->t->db, id, &nv) != 1) {
		db_solution_free(&nv);
		return;
	}
	db_solution_free(&s->v);
	s->v = nv;
	s->active_ms = 0; /* a new solution: its own time */
	s->last_key = mono_ms();
	s->sel = step;
	s->sel_alt = -1;
	s->top = s->ptop = s->rtop = 0;
	s->layout_w = 0;
	marks_compute(s);
	render_texts(s);
	queue_select(s->t, id);
	s->t->on_screen = id;
}

static int do_label(struct sv *s, enum action a, int step, const char *text)
{
	note_key(s);
	s->t->ann.active_ms = s->active_ms;
	int rc = tui_label(s->t, &s->v, a, step, text);
	s->t->ann.active_ms = 0;
	s->active_ms = 0;
	marks_compute(s);
	s->layout_w = 0; /* in blind mode, deciding shows the suggestions */
	return rc;
}

/* a source whose marks can be taken as labels: ratings or a first error */
static int acceptable(const struct sv *s, const struct source *sc)
{
	if (sc->fe >= -1)
		return 1;
	for (size_t i = 0; i < s->v.it.nsteps; i++)
		if (sc->rating[i] != NO_RATING)
			return 1;
	return 0;
}

static void accept_done(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	(void)t;
	if (!answer || !*answer)
		return;
	size_t i;
	for (i = 0; i < s->nsrc; i++)
		if (!strcmp(s->src[i].key, answer) && acceptable(s, &s->src[i]))
			break;
	if (i == s->nsrc) {
		struct buf b = {0};
		for (size_t k = 0; k < s->nsrc; k++)
			if (acceptable(s, &s->src[k]))
				buf_printf(&b, "%s%s", b.len ? ", " : "", s->src[k].key);
		int person = 0;
		for (size_t k = 0; k < s->nothers; k++)
			person |= !strcmp(s->others[k].name, answer);
		tui_message(s->t, 1, "%s %s; sources to accept here: %s", inert(answer, 0),
			    person ? "is an annotator, not a source" : "is not a source of this solution",
			    b.len ? inert(b.data, 1) : "none");
		buf_free(&b);
		return;
	}
	do_label(s, A_ACCEPT, s->sel, answer);
}

static void ask_source(struct sv *s, const char *arg)
{
	if (s->hidden) {
		tui_message(s->t, 1, "blind mode: decide the solution before you see suggestions");
		return;
	}
	if (arg) {
		accept_done(s->t, arg, s);
		return;
	}
	struct buf p = {0};
	const char **names = xmalloc((s->nsrc + 1) * sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < s->nsrc; i++)
		if (acceptable(s, &s->src[i])) {
			buf_printf(&p, "%s%s", n ? ", " : "accept which source (", s->src[i].key);
			names[n++] = s->src[i].key;
		}
	if (!n) {
		tui_message(s->t, 1, "no source marks steps on this solution: nothing to accept");
	} else {
		buf_puts(&p, ")? ");
		tui_ask(s->t, ASK_ACCEPT, inert(p.data, 0), names[0], accept_done, s);
		tui_ask_names(s->t, names, n);
	}
	free(names);
	buf_free(&p);
}

static void finish_done(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	if (!answer || !*answer)
		return;
	for (int i = 0; i < 4; i++)
		if (!strcmp(answer, annot_finish_reasons[i]) ||
		    (strlen(answer) == 1 && answer[0] == annot_finish_reasons[i][0])) {
			do_label(s, A_FINISH, s->sel, annot_finish_reasons[i]);
			return;
		}
	tui_message(t, 1, "not a finish reason: %s (solution, found_error, give_up, bad_problem)",
		    inert(answer, 0));
}

static void note_done(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	(void)t;
	if (answer)
		do_label(s, A_NOTE, s->ask_step, answer);
}

static void ask_note(struct sv *s, const char *arg)
{
	s->ask_step = s->sel;
	if (arg) {
		note_done(s->t, arg, s);
		return;
	}
	const char *old = NULL;
	for (size_t i = 0; i < s->v.it.nlabels; i++) {
		const struct label *l = &s->v.it.labels[i];
		if (l->kind == LK_NOTE && l->step == s->sel && !strcmp(l->annotator, s->t->ann.name))
			old = l->text;
	}
	char prompt[48];
	snprintf(prompt, sizeof(prompt), "note on step %d: ", s->sel + 1);
	tui_ask(s->t, ASK_NOTE, prompt, old, note_done, s);
}

static void move_solution(struct sv *s, int dir, int what)
{
	int64_t id = queue_neighbour(s->t, s->v.id, dir, what);
	if (!id) {
		tui_message(s->t, 1, "no %s solution %s this one",
			    what == Q_TODO ? "undecided" : what == Q_DIS_ANY ? "disagreeing" : "other",
			    dir > 0 ? "after" : "before");
		return;
	}
	open_id(s, id, 0);
	if (what == Q_TODO) {
		/* to the first step without your label */
		for (size_t i = 0; i < s->v.it.nsteps; i++)
			if (s->mine[i] == NO_RATING) {
				s->sel = (int)i;
				break;
			}
	}
}

/* To the next step after the cursor that someone names as the first
 * error (wrapping): yours, each other annotator's, each source's, as far
 * as blind mode shows them. */
static void next_mark(struct sv *s)
{
	int n = (int)s->v.it.nsteps, best = -1;
	for (int d = 1; d <= n && best < 0; d++) {
		int k = (s->sel + d) % n;
		int named = s->my_fe == k;
		for (size_t i = 0; i < s->nothers && !s->hide_others; i++)
			named |= s->others[i].fe == k;
		for (size_t i = 0; i < s->nsrc && !s->hidden; i++)
			named |= s->src[i].fe == k;
		if (named)
			best = k;
	}
	if (best < 0) {
		tui_message(s->t, 1, "no first error is named on this solution%s",
			    s->hidden ? " (blind: suggestions hidden)" : "");
		return;
	}
	struct buf b = {0};
	if (s->my_fe == best)
		buf_puts(&b, "you");
	for (size_t i = 0; i < s->nothers && !s->hide_others; i++)
		if (s->others[i].fe == best)
			buf_printf(&b, "%s%s", b.len ? ", " : "", tui_alias(s->t, s->others[i].name));
	for (size_t i = 0; i < s->nsrc && !s->hidden; i++)
		if (s->src[i].fe == best)
			buf_printf(&b, "%s%s", b.len ? ", " : "", s->src[i].key);
	s->sel = best;
	tui_message(s->t, 0, "step %d: the first error for %s", best + 1, inert(b.data, 0));
	buf_free(&b);
}

static void show_rationale(struct sv *s)
{
	if (s->hidden) {
		tui_message(s->t, 1, "blind mode: decide the solution before you see suggestions");
		return;
	}
	struct buf b = {0};
	for (size_t i = 0; i < s->v.it.nsugs; i++) {
		const struct suggestion *g = &s->v.it.sugs[i];
		if (!g->rationale)
			continue;
		buf_printf(&b, "== %s%s%s", g->source, g->model ? "/" : "", g->model ? g->model : "");
		if (g->step >= 0)
			buf_printf(&b, ", step %d", g->step + 1);
		if (g->first_error >= 0)
			buf_printf(&b, ", first error: step %d", g->first_error + 1);
		else if (g->first_error == -1)
			buf_puts(&b, ", no error");
		buf_printf(&b, "\n%s\n\n", g->rationale);
	}
	if (!b.len) {
		tui_message(s->t, 1, "no rationale on this solution");
	} else {
		char title[64];
		snprintf(title, sizeof(title), "rationale #%lld", (long long)s->v.id);
		tui_push(s->t, pager_view_new(s->t, title, b.data, 0));
	}
	buf_free(&b);
}

/* the problem and the reference, whole, in the pager */
static void show_problem(struct sv *s)
{
	const struct item *it = &s->v.it;
	struct buf b = {0};
	buf_printf(&b, "== Problem\n%s\n", shown_problem(s));
	if (it->gold)
		buf_printf(&b, "\n== Gold answer\n%s\n", s->rendered ? s->rgold.out.data : it->gold);
	if (it->reference && *it->reference)
		buf_printf(&b, "\n== Reference\n%s\n", s->rendered ? s->rref.out.data : it->reference);
	char title[64];
	snprintf(title, sizeof(title), "problem #%lld", (long long)s->v.id);
	tui_push(s->t, pager_view_new(s->t, title, b.data, 0));
	buf_free(&b);
}

static int act(struct sv *s, enum action a, const char *arg, int n);

/* To the next line that can be labelled: a step, then (when shown) its
 * alternatives. */
static void move_cursor(struct sv *s, int dir)
{
	int n = (int)s->v.it.nsteps;
	if (!n)
		return;
	const struct step *st = &s->v.it.steps[s->sel];
	if (s->show_alts && dir > 0) {
		for (int k = s->sel_alt + 1; k < (int)st->nalts; k++)
			if (is_alt(s, (size_t)s->sel, (size_t)k)) {
				s->sel_alt = k;
				return;
			}
	} else if (s->show_alts && s->sel_alt >= 0) {
		for (int k = s->sel_alt - 1; k >= 0; k--)
			if (is_alt(s, (size_t)s->sel, (size_t)k)) {
				s->sel_alt = k;
				return;
			}
		s->sel_alt = -1;
		return;
	}
	if (s->sel + dir < 0 || s->sel + dir >= n)
		return;
	s->sel += dir;
	s->sel_alt = -1;
	if (s->show_alts && dir < 0) /* up into the step's last alternative */
		for (size_t k = 0; k < s->v.it.steps[s->sel].nalts; k++)
			if (is_alt(s, (size_t)s->sel, k))
				s->sel_alt = (int)k;
}

static void toggle_alts(struct sv *s)
{
	size_t nalt = 0;
	for (size_t i = 0; i < s->v.it.nsteps; i++)
		for (size_t k = 0; k < s->v.it.steps[i].nalts; k++)
			nalt += is_alt(s, i, k);
	s->show_alts = !s->show_alts;
	s->sel_alt = -1;
	s->layout_w = 0;
	if (!s->show_alts)
		tui_message(s->t, 0, "alternatives hidden");
	else if (!nalt)
		tui_message(s->t, 0, "this solution has no alternatives (PRM800K's other completions)");
	else
		tui_message(s->t, 0, "%zu alternative%s shown: j and k reach them, +, 0, - and x rate them",
			    nalt, nalt == 1 ? "" : "s");
}

static int sv_act(struct view *v, enum action a, const char *arg)
{
	struct sv *s = v->priv;
	int n = (int)s->v.it.nsteps;
	int old_sel = s->sel, old_alt = s->sel_alt;
	note_key(s);
	int handled = act(s, a, arg, n);
	if (s->sel != old_sel && s->sel_alt == old_alt)
		s->sel_alt = -1; /* moved by steps: on the step itself */
	return handled;
}

static int act(struct sv *s, enum action a, const char *arg, int n)
{
	switch (a) {
	case A_MOVE_DOWN:
	case A_ENTER:
		move_cursor(s, 1);
		break;
	case A_MOVE_UP:
		move_cursor(s, -1);
		break;
	case A_MOVE_FIRST:
		s->sel = 0;
		break;
	case A_MOVE_LAST:
		s->sel = n ? n - 1 : 0;
		break;
	case A_PAGE_DOWN:
	case A_PAGE_UP: {
		int h = s->steps_h > 1 ? s->steps_h - 1 : 1;
		s->top += a == A_PAGE_DOWN ? h : -h;
		if (s->top > (int)s->nlines - 1)
			s->top = (int)s->nlines - 1;
		if (s->top < 0)
			s->top = 0;
		if (s->nlines)
			s->sel = s->lines[s->top].step;
		break;
	}
	case A_SCROLL_DOWN:
		if (s->top + 1 < (int)s->nlines)
			s->top++;
		if (s->nlines && s->lines[s->top].step > s->sel)
			s->sel = s->lines[s->top].step;
		break;
	case A_SCROLL_UP:
		if (s->top > 0)
			s->top--;
		if (s->nlines && s->steps_h > 0) {
			size_t last = (size_t)(s->top + s->steps_h - 1);
			if (last < s->nlines && s->lines[last].step < s->sel)
				s->sel = s->lines[last].step;
		}
		break;
	case A_PROBLEM_DOWN:
		s->ptop += s->prob_rows > 1 ? s->prob_rows - 1 : 1;
		break;
	case A_PROBLEM_UP:
		s->ptop -= s->prob_rows > 1 ? s->prob_rows - 1 : 1;
		if (s->ptop < 0)
			s->ptop = 0;
		break;
	case A_REFERENCE_DOWN:
	case A_REFERENCE_UP:
		if (!s->ref_h) {
			tui_message(s->t, 1, "no reference pane on screen (v shows it, p opens the pager)");
			break;
		}
		s->rtop += (a == A_REFERENCE_DOWN ? 1 : -1) * (s->ref_h > 1 ? s->ref_h - 1 : 1);
		break;
	case A_SHOW_PROBLEM:
		show_problem(s);
		break;
	case A_RATE_GOOD:
	case A_RATE_NEUTRAL:
	case A_RATE_BAD:
	case A_RATE_CLEAR:
	case A_FIRST_ERROR:
	case A_NO_ERROR:
	case A_UNDO:
	case A_REDO:
	case A_ACCEPT:
	case A_FINISH:
	case A_NOTE: {
		int rc = ANNOT_NOTHING;
		if (!n && a != A_FINISH && a != A_NOTE) {
			tui_message(s->t, 1, "this solution has no steps");
			break;
		}
		if (a == A_ACCEPT)
			ask_source(s, arg);
		else if (a == A_FINISH && arg)
			finish_done(s->t, arg, s);
		else if (a == A_FINISH)
			tui_menu(s->t, "finish reason: (s)olution (f)ound_error (g)ive_up (b)ad_problem",
				 "sfgb", finish_done, s);
		else if (a == A_NOTE)
			ask_note(s, arg);
		else if (s->sel_alt >= 0 && (a == A_FIRST_ERROR || a == A_NO_ERROR))
			tui_message(s->t, 1, "the cursor is on an alternative: +, 0, - and x rate it; "
				    "e and c judge the steps taken");
		else if (s->sel_alt >= 0 && a != A_UNDO && a != A_REDO) {
			char idx[24];
			snprintf(idx, sizeof(idx), "%d", s->sel_alt);
			rc = do_label(s, a, s->sel, idx);
		} else {
			rc = do_label(s, a, s->sel, NULL);
		}
		if (rc == ANNOT_OK && (a == A_UNDO || a == A_REDO) && s->t->undo_step >= 0 &&
		    s->t->undo_step < n) {
			s->sel = s->t->undo_step; /* to what it took back */
			s->sel_alt = -1;
		}
		int kept = rc == ANNOT_OK || rc == ANNOT_BUSY;
		if (kept && s->t->set->advance &&
		    (a == A_RATE_GOOD || a == A_RATE_NEUTRAL || a == A_RATE_BAD))
			move_cursor(s, 1); /* on to the next, as PRM800K's interface */
		if (rc == ANNOT_OK && a == A_NO_ERROR && !s->hide_others && s->v.it.correct == 0)
			tui_message(s->t, 1, "saved; but the grader says the final answer is "
				    "wrong: no error?");
		break;
	}
	case A_FLAG:
		if (!n)
			tui_message(s->t, 1, "this solution has no steps");
		else
			do_label(s, A_FLAG, s->sel, NULL);
		break;
	case A_ALTERNATIVES:
		toggle_alts(s);
		break;
	case A_NEXT_MARK:
		next_mark(s);
		break;
	case A_NEXT_SOLUTION:
		move_solution(s, 1, -1);
		break;
	case A_PREV_SOLUTION:
		move_solution(s, -1, -1);
		break;
	case A_NEXT_UNLABELLED:
		move_solution(s, 1, Q_TODO);
		break;
	case A_NEXT_DISAGREEMENT:
		move_solution(s, 1, Q_DIS_ANY);
		break;
	case A_PREV_DISAGREEMENT:
		move_solution(s, -1, Q_DIS_ANY);
		break;
	case A_RATIONALE:
		show_rationale(s);
		break;
	case A_REFERENCE:
		s->t->set->reference = (s->t->set->reference + 1) % 4;
		tui_message(s->t, 0, "reference pane: %s",
			    (const char *[]){"hidden", "right", "bottom", "auto"}[s->t->set->reference]);
		break;
	default:
		return 0;
	}
	return 1;
}

/* the step matching the search nearest the cursor in dir, or -1 */
static int matching_step(struct sv *s, int from, int dir)
{
	int n = (int)s->v.it.nsteps;
	for (int i = from; i >= 0 && i < n; i += dir) {
		const char *t = s->v.it.steps[i].text;
		if (db_regex_match(s->t->re, t, strlen(t), NULL, NULL))
			return i;
	}
	return -1;
}

/* the next step matching the search; past the last, the next solution,
 * found between keys (search.c) */
static int sv_search(struct view *v, int dir)
{
	struct sv *s = v->priv;
	int i = matching_step(s, s->sel + dir, dir);
	if (i >= 0) {
		s->sel = i;
		s->sel_alt = -1;
		return 1;
	}
	search_begin(s->t, s->v.id, dir);
	return 1;
}

static void sv_found(struct view *v, int64_t sol)
{
	struct sv *s = v->priv;
	int dir = s->t->search_dir;
	if (sol != s->v.id)
		open_id(s, sol, 0);
	int i = matching_step(s, dir > 0 ? 0 : (int)s->v.it.nsteps - 1, dir);
	s->sel = i < 0 ? 0 : i; /* the problem matched: the first step */
	s->sel_alt = -1;
	tui_message(s->t, 0, "match in solution %lld", (long long)sol);
}

static void sv_mouse(struct view *v, int y, int x, int button)
{
	struct sv *s = v->priv;
	(void)x;
	if (button == 4 || button == 5) {
		sv_act(v, button == 4 ? A_SCROLL_UP : A_SCROLL_DOWN, NULL);
		sv_act(v, button == 4 ? A_SCROLL_UP : A_SCROLL_DOWN, NULL);
		sv_act(v, button == 4 ? A_SCROLL_UP : A_SCROLL_DOWN, NULL);
		return;
	}
	int r = y - s->steps_y;
	if (r >= 0 && r < s->steps_h && (size_t)(s->top + r) < s->nlines) {
		s->sel = s->lines[s->top + r].step;
		s->sel_alt = s->lines[s->top + r].alt;
	}
}

static void sv_reload(struct view *v)
{
	reload(v->priv);
}

static void sv_status(struct view *v, char *out, size_t n)
{
	struct sv *s = v->priv;
	int labelled = 0;
	for (size_t i = 0; i < s->v.it.nsteps; i++)
		labelled += s->mine[i] != NO_RATING;
	const char *fe = s->my_fe == -2 ? "undecided" : s->my_fe == -1 ? "no error" : NULL;
	char fes[32];
	if (!fe) {
		snprintf(fes, sizeof(fes), "first error %d", s->my_fe + 1);
		fe = fes;
	}
	char alt[32] = "";
	if (s->sel_alt >= 0)
		snprintf(alt, sizeof(alt), " alt %d", s->sel_alt + 1);
	snprintf(out, n, "step %d/%zu%s  mine %d/%zu  %s%s", s->sel + 1, s->v.it.nsteps, alt, labelled,
		 s->v.it.nsteps, fe, s->hide_others ? "  (blind)" : s->hidden ? "  (suggestions hidden)" : "");
}

static void sv_done(struct view *v)
{
	struct sv *s = v->priv;
	if (s->t->on_screen == s->v.id)
		s->t->on_screen = 0;
	marks_free(s);
	db_solution_free(&s->v);
	free(s->lines);
	arena_free(&s->notes);
	render_free(s);
	free(s);
	free(v);
}

static int sv_command(struct view *v, const char *verb, const char *arg)
{
	struct sv *s = v->priv;
	if (strcmp(verb, "goto"))
		return 0;
	long k = strtol(arg, NULL, 10);
	int n = (int)s->v.it.nsteps;
	if (k < 1 || k > n) {
		tui_message(s->t, 1, "no step %ld: this solution has %d", k, n);
		return 1;
	}
	note_key(s);
	s->sel = (int)k - 1;
	s->sel_alt = -1;
	return 1;
}

static const struct hint hints[] = {
	{A_HELP, "help"}, {A_RATE_GOOD, "good"}, {A_RATE_NEUTRAL, "neutral"}, {A_RATE_BAD, "bad"},
	{A_FIRST_ERROR, "first error"}, {A_NO_ERROR, "no error"}, {A_UNDO, "undo"},
	{A_NOTE, "note"}, {A_NEXT_MARK, "marks"}, {A_SHOW_PROBLEM, "problem"},
	{A_TOGGLE_LATEX, "raw/math"}, {A_NEXT_UNLABELLED, "next to do"}, {A_QUIT, "queue"},
	{A_NONE, NULL}};
static const struct view_ops solution_ops = {
	.hints = hints,
	.command = sv_command,
	.name = "solution",
	.keymap = KM_SOLUTION,
	.draw = sv_draw,
	.act = sv_act,
	.mouse = sv_mouse,
	.reload = sv_reload,
	.search = sv_search,
	.found = sv_found,
	.status = sv_status,
	.done = sv_done,
};

struct view *solution_view_new(struct tui *t, int64_t sol)
{
	struct view *v = xcalloc(1, sizeof(*v));
	struct sv *s = xcalloc(1, sizeof(*s));
	v->ops = &solution_ops;
	v->t = t;
	v->priv = s;
	s->t = t;
	s->sel_alt = -1;
	s->v.id = sol;
	s->last_key = mono_ms();
	reload(s);
	t->on_screen = sol;
	return v;
}
