/* solution_draw.c - what the solution view shows: its texts as the latex
 * setting renders them, the display lines of the steps (text, notes,
 * alternatives), each step's head with every signal about it, the
 * problem, answer and reference panes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "solution.h"
#include "../src/grade.h"
#include "../src/trace.h"
#include "../src/util.h"

/* ---- LaTeX: the texts as they are shown ---- */
void render_free(struct sv *s)
{
	for (size_t i = 0; i < s->nrsteps; i++)
		latex_free(&s->rsteps[i]);
	free(s->rsteps);
	s->rsteps = NULL;
	s->nrsteps = 0;
	latex_free(&s->rproblem);
	latex_free(&s->ranswer);
	latex_free(&s->rgold);
	for (size_t j = 0; j < s->rs.n; j++) {
		free(s->ref_text[j]);
		if (s->rref_steps)
			latex_free(&s->rref_steps[j]);
	}
	free(s->ref_text);
	free(s->rref_steps);
	s->ref_text = NULL;
	s->rref_steps = NULL;
	refsteps_free(&s->rs);
	free(s->ref_line);
	s->ref_line = NULL;
	s->rendered = 0;
}

void render_texts(struct sv *s)
{
	const struct item *it = &s->sol.it;
	render_free(s);
	ref_split_stored(it->reference, it->reference_steps, &s->rs);
	s->ref_line = xcalloc(s->rs.n + 1, sizeof(int));
	s->ref_follow = -1;
	s->ref_text = xcalloc(s->rs.n + 1, sizeof(char *));
	for (size_t j = 0; j < s->rs.n; j++)
		s->ref_text[j] = ref_step_text(it->reference, &s->rs.s[j]);
	if (!s->t->set->latex || sv_is_trace(s))
		return; /* a trace's turns are code, JSON and shell output: verbatim */
	s->rref_steps = xcalloc(s->rs.n + 1, sizeof(*s->rref_steps));
	for (size_t j = 0; j < s->rs.n; j++)
		latex_render(&s->rref_steps[j], s->ref_text[j], strlen(s->ref_text[j]));
	s->rsteps = xcalloc(it->nsteps + 1, sizeof(*s->rsteps));
	s->nrsteps = it->nsteps;
	for (size_t i = 0; i < it->nsteps; i++)
		latex_render(&s->rsteps[i], it->steps[i].text, strlen(it->steps[i].text));
	const char *p = it->problem ? it->problem : "";
	latex_render(&s->rproblem, p, strlen(p));
	const char *a = it->final_answer ? it->final_answer : "";
	s->ranswer.width = s->rgold.width = 1; /* one line: a matrix as (a, b; c, d) */
	latex_render_math(&s->ranswer, a, strlen(a));
	const char *g = it->gold ? it->gold : "";
	latex_render_math(&s->rgold, g, strlen(g));
	s->rendered = 1;
}

int sv_is_trace(const struct sv *s)
{
	return trace_is(&s->sol.it);
}

int sv_base(const struct sv *s)
{
	return sv_is_trace(s) ? 0 : 1;
}

static const char *shown_step(const struct sv *s, size_t i)
{
	return s->rendered ? s->rsteps[i].out.data : s->sol.it.steps[i].text;
}

const char *shown_problem(const struct sv *s)
{
	if (s->rendered)
		return s->rproblem.out.data;
	return s->sol.it.problem ? s->sol.it.problem : "";
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
/* The completion the step is: the chosen one, or where none was chosen
 * (a found_error record's last step, the first error) the one whose text
 * the step took; -1 none. */
static int step_self(const struct step *st)
{
	if (st->chosen >= 0)
		return st->chosen;
	for (size_t k = 0; k < st->nalts && st->text; k++)
		if (st->alts[k].text && !strcmp(st->alts[k].text, st->text))
			return (int)k;
	return -1;
}

int is_alt(const struct sv *s, size_t i, size_t k)
{
	const struct step *st = &s->sol.it.steps[i];
	return k < st->nalts && (int)k != step_self(st);
}

/* the alternatives under step i, as the latex setting shows them */
static void layout_alts(struct sv *s, size_t i, int tw)
{
	const struct step *st = &s->sol.it.steps[i];
	struct latex lx = {.width = tw - 4};
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

/* the rollouts MC kept of step i's prefix (M), each source's in turn */
static void layout_rolls(struct sv *s, size_t i, int tw)
{
	struct latex lx = {.width = tw - 4};
	for (size_t j = 0; j < s->nsrc; j++) {
		const struct source *sc = &s->src[j];
		struct mc_kept r;
		const char *p = sc->mc ? sc->mc->rollouts[i] : NULL;
		while (p && mc_keep_next(&p, &r)) {
			const char *head = sv_mc_roll_head(s, sc->key, &r);
			add_line(s, (int)i, L_ROLL_HEAD, head, 0, strlen(head), -1);
			const char *text = arena_strndup(&s->notes, r.text, r.tlen);
			if (s->rendered) {
				latex_render(&lx, text, strlen(text));
				text = arena_strndup(&s->notes, lx.out.data, lx.out.len);
			}
			wrap_alt(s, (int)i, L_ROLL, text, tw - 4, -1);
		}
	}
	latex_free(&lx);
}

/* the steps annotators wrote for step i (w), under it as alternatives
 * are: the newest of each in force, yours first; others' unless blind */
static void layout_written(struct sv *s, size_t i, int tw)
{
	const struct item *it = &s->sol.it;
	struct latex lx = {0};
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < it->nlabels; k++) {
			const struct label *l = &it->labels[k];
			if (l->kind != LK_CORRECTION || l->step != (int)i || !l->text)
				continue;
			int mine = !strcmp(l->annotator, s->t->ann.name);
			if (mine != !pass || (!mine && s->hide_others))
				continue;
			int newer = 0;
			for (size_t m = k + 1; m < it->nlabels && !newer; m++)
				newer = it->labels[m].kind == LK_CORRECTION &&
					it->labels[m].step == (int)i &&
					!strcmp(it->labels[m].annotator, l->annotator);
			if (newer)
				continue;
			/* its rating, +1 from the workbench, in off */
			int r = l->value >= -1 && l->value <= 1 ? l->value : 1;
			add_line(s, (int)i, L_FIX_HEAD, l->annotator, (size_t)(r + 1), 0, -1);
			const char *text = l->text;
			if (s->rendered) {
				latex_render(&lx, text, strlen(text));
				text = arena_strndup(&s->notes, lx.out.data, lx.out.len);
			}
			wrap_into(s, (int)i, L_FIX, text, tw - 4);
		}
	latex_free(&lx);
}

#define FOLD_OVER 12 /* a trace's turn of more lines than this is folded */
#define FOLD_SHOW 8  /* to its first lines */

/* A trace's long turn keeps its first lines and a line saying how many
 * more there are, unless unfolded. */
static void fold(struct sv *s, size_t i, size_t first)
{
	size_t n = s->nlines - first;
	if (!sv_is_trace(s) || n <= FOLD_OVER || s->unfold_all || (s->unfolded && s->unfolded[i]))
		return;
	s->nlines = first + FOLD_SHOW;
	add_line(s, (int)i, L_FOLD, NULL, n - FOLD_SHOW, 0, -1);
}

static void layout(struct sv *s, int w)
{
	const struct item *it = &s->sol.it;
	s->nlines = 0;
	arena_reset(&s->notes); /* the lines of the last layout pointed into it */
	s->layout_w = w;
	int tw = w - 7 > 10 ? w - 7 : 10;
	for (size_t i = 0; i < s->nrsteps && s->rendered; i++)
		if (s->rsteps[i].width != tw) { /* a matrix's rows fit the width or are one line */
			s->rsteps[i].width = tw;
			latex_render(&s->rsteps[i], it->steps[i].text, strlen(it->steps[i].text));
		}
	struct latex lx = {.width = tw - 2};
	for (size_t i = 0; i < it->nsteps; i++) {
		add_line(s, (int)i, L_HEAD, NULL, 0, 0, -1);
		size_t first = s->nlines;
		wrap_into(s, (int)i, L_TEXT, shown_step(s, i), tw);
		fold(s, i, first);
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
			if (newer || (s->hide_others && strcmp(l->annotator, s->t->ann.name)))
				continue;
			const char *text = l->text;
			if (s->rendered) { /* a note's math reads like the step's */
				latex_render(&lx, text, strlen(text));
				text = arena_strndup(&s->notes, lx.out.data, lx.out.len);
			}
			if (!strcmp(l->annotator, s->t->ann.name)) {
				wrap_into(s, (int)i, L_NOTE, text, tw - 2);
			} else { /* another's note says whose (above its rows of math) */
				struct buf b = {0};
				buf_printf(&b, "%s:%s%s", tui_alias(s->t, l->annotator),
					   strchr(text, '\n') ? "\n" : " ", text);
				wrap_into(s, (int)i, L_NOTE, arena_strndup(&s->notes, b.data, b.len),
					  tw - 2);
				buf_free(&b);
			}
		}
		layout_written(s, i, tw);
		if (s->show_alts)
			layout_alts(s, i, tw);
		if (s->show_rolls && !s->hidden)
			layout_rolls(s, i, tw);
	}
	latex_free(&lx);
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
	struct pos lines = {.cur = (int)a, .top = s->top, .n = (int)s->nlines};
	pos_show(&lines, (int)a, (int)b, s->steps_h);
	s->top = lines.top;
}

/* your newest label of a kind on a step (an alternative's: of alt k) */
static const struct label *mine_of(const struct sv *s, int kind, int step, int k)
{
	const struct item *it = &s->sol.it;
	const struct label *found = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if ((int)l->kind != kind || l->step != step || strcmp(l->annotator, s->t->ann.name))
			continue;
		if (k >= 0 && l->alt != k)
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

/* An agent's colour: the theme's areas in turn, by the agent's first
 * turn, so that one agent keeps one colour through the trace. */
static int agent_area(const struct sv *s, const char *agent)
{
	static const int palette[] = {C_PRM, C_JUDGE, C_MC, C_CALC, C_DATASET, C_GOLD, C_NOTE};
	const struct item *it = &s->sol.it;
	int k = 0;
	for (size_t i = 0; i < it->nsteps; i++) {
		const char *a = it->steps[i].agent;
		if (!a)
			continue;
		if (!strcmp(a, agent))
			break;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = it->steps[j].agent && !strcmp(it->steps[j].agent, a);
		k += !seen;
	}
	return palette[k % (int)ARRAY_SIZE(palette)];
}

/* "Orchestrator (-> WebSurfer) " after a turn's number: who acts, and the
 * role where it says more than the agent's name (a hand-off). */
static int draw_agent(const struct sv *s, int y, int x, int maxx, int step, int base, int cur)
{
	const struct step *st = &s->sol.it.steps[step];
	if (!st->agent)
		return x;
	int area = cur ? base : area_attr(agent_area(s, st->agent));
	if (st->role && strcmp(st->role, st->agent) && strstr(st->role, st->agent) == st->role)
		x = put(y, x, maxx, st->role, area | A_BOLD);
	else {
		x = put(y, x, maxx, st->agent, area | A_BOLD);
		if (st->role && strcmp(st->role, st->agent)) {
			x = put(y, x, maxx, " (", area_attr(C_DIM));
			x = put(y, x, maxx, st->role, area_attr(C_DIM));
			x = put(y, x, maxx, ")", area_attr(C_DIM));
		}
	}
	return put(y, x, maxx, " ", base);
}

/* "[calc, recovered] ": who's error category on the step, if any */
static int draw_category(struct sv *s, int y, int x, int maxx, const char *who, int step,
			 int area)
{
	int rec;
	const char *key = sv_category_of(s, who, step, &rec);
	if (!key)
		return x;
	char cell[96];
	snprintf(cell, sizeof(cell), "[%s%s] ", sv_category_name(s, key),
		 rec == 1 ? ", recovered" : rec == 0 ? ", unrecovered" : "");
	return put(y, x, maxx, cell, area_attr(area));
}

static void draw_head(struct sv *s, int y, int x0, int w, int step)
{
	int cur = step == s->sel && s->sel_alt < 0;
	int base = cur ? area_attr(C_CURSOR) : area_attr(C_DEFAULT);
	int maxx = x0 + w;
	draw_line(y, x0, w, "", base);
	char idx[32];
	snprintf(idx, sizeof(idx), "%s%3d ", cur ? ">" : " ", step + sv_base(s));
	int x = put(y, x0, maxx, idx, cur ? base : area_attr(C_INDEX));
	x = draw_agent(s, y, x, maxx, step, base, cur);
	int r = s->mine[step];
	int after = s->my_fe >= 0 && step > s->my_fe && r == NO_RATING;
	if (after)
		x = put(y, x, maxx, " after error", area_attr(C_AFTER));
	else if (s->my_fe >= 0 && step == s->my_fe)
		x = put(y, x, maxx, sv_base(s) ? "-1 FIRST ERR" : "-1 DECISIVE ", area_attr(C_BAD));
	else {
		x = put(y, x, maxx, rating_mark(r), area_attr(rating_area(r)));
		x = put(y, x, maxx, r == NO_RATING ? "unlabelled" : "          ", area_attr(C_DIM));
	}
	x = put(y, x, maxx, " ", base);
	x = draw_category(s, y, x, maxx, s->t->ann.name, step, C_BAD);
	if (!s->hidden) {
		for (size_t i = 0; i < s->nsrc; i++) {
			const struct source *sc = &s->src[i];
			char cell[96];
			int sr = sc->rating[step];
			double v = sc->value[step];
			if (sr == NO_RATING && v == NO_VALUE && sc->n[step] == 0)
				continue;
			if (sc->show == SHOW_CHECK && v == NO_VALUE)
				continue; /* a check says ok only of a step it checked */
			x = put(y, x, maxx, "| ", area_attr(C_DIM));
			snprintf(cell, sizeof(cell), "%s ", sc->key);
			x = put(y, x, maxx, cell, area_attr(C_DIM));
			if (sc->show == SHOW_MC && sc->n[step] > 0) {
				x = sv_mc_cell(s, sc, step, y, x, maxx);
			} else if (v != NO_VALUE && sc->show == SHOW_VALUE) {
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
				int bar_area = sc->area < 0 ? C_PRM : sc->area;
				x = put(y, x, maxx, bar, area_attr(bar_area));
				snprintf(cell, sizeof(cell), " %.2f ", v);
				x = put(y, x, maxx, cell, area_attr(bar_area));
			} else {
				const char *m = sr == 1 ? "ok " : sr == -1 ? (sc->fe == step ? "ERR " : "bad ") :
						sr == 0 ? "0 " : "- ";
				int area = sc->area < 0 ? C_DIM : sc->area;
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
		x = draw_category(s, y, x, maxx, a->name, step, C_OTHERS);
	}
	/* what the data says of the step taken, your flag, the alternatives */
	const struct step *st = &s->sol.it.steps[step];
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
	char who[96];
	if (step_extra(s, step, who, sizeof(who))) {
		char cell[128];
		snprintf(cell, sizeof(cell), "| extra (%s) ", who);
		x = put(y, x, maxx, cell, area_attr(C_DIM));
	}
	if (nalt && !s->show_alts) {
		char cell[48];
		snprintf(cell, sizeof(cell), "| %zu alternative%s (z) ", nalt, nalt == 1 ? "" : "s");
		put(y, x, maxx, cell, area_attr(C_DIM));
	}
}

/* "↳ alt 2  data +1 human flagged  me -1": an alternative's line */
static void draw_alt_head(struct sv *s, int y, int x0, int w, int step, int k)
{
	const struct alt *al = &s->sol.it.steps[step].alts[k];
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

/* "↳ written by you +1 (w edits it, U takes it back)": a written step's line */
static void draw_written_head(struct sv *s, int y, int x0, int w, const char *who, int r)
{
	int maxx = x0 + w, mine = !strcmp(who, s->t->ann.name);
	draw_line(y, x0, w, "", area_attr(C_DEFAULT));
	int x = put(y, x0, maxx, "     \xe2\x86\xb3 ", area_attr(C_INDEX));
	x = put(y, x, maxx, "written by ", area_attr(C_DIM));
	x = put(y, x, maxx, mine ? "you" : tui_alias(s->t, who), area_attr(C_OTHERS) | A_BOLD);
	x = put(y, x, maxx, " ", area_attr(C_DEFAULT));
	x = put(y, x, maxx, rating_mark(r), area_attr(rating_area(r)));
	if (mine)
		put(y, x, maxx, "  (w edits it, U takes it back)", area_attr(C_DIM));
}

static void draw_steps(struct sv *s, int y0, int h, int x0, int w)
{
	if (s->layout_w != w)
		layout(s, w);
	s->steps_h = h;
	s->steps_y = y0;
	if (s->keep_row >= 0) { /* z: the cursor's step stays on its row */
		int row = s->keep_row < h ? s->keep_row : h - 1;
		int top = (int)first_line_of(s, s->sel) - row, last = (int)s->nlines - h;
		s->top = top > last ? last : top;
		if (s->top < 0)
			s->top = 0;
		s->keep_row = -1;
	}
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
		if (d->kind == L_FOLD) {
			char more[96];
			snprintf(more, sizeof(more), "... %zu more line%s (O unfolds the turn, * all)",
				 d->off, d->off == 1 ? "" : "s");
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
			put(y, x0 + 7, x0 + w, more, area_attr(C_DIM));
			continue;
		}
		if (d->kind == L_FIX_HEAD) {
			draw_written_head(s, y, x0, w, d->src, (int)d->off - 1);
			continue;
		}
		if (d->kind == L_ROLL_HEAD) {
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
			int x = put(y, x0, x0 + w, "     \xe2\x86\xb3 ", area_attr(C_INDEX));
			draw_text(y, x, x0 + w - x, d->src, d->len, area_attr(C_MC), NULL);
			continue;
		}
		if (d->kind == L_ALT || d->kind == L_FIX || d->kind == L_ROLL) {
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
			draw_text(y, x0 + 11, w - 11, d->src + d->off, d->len,
				  area_attr(d->kind == L_FIX ? C_DEFAULT : C_DIM), s->t->re);
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
				      s->sol.it.steps[d->step].text, d->off, d->len, attr);
		} else {
			draw_text(y, x0 + 7, w - 7, d->src + d->off, d->len, attr, s->t->re);
		}
	}
	if (s->sol.it.nsteps == 0)
		draw_line(y0, x0, w, "  (this solution has no steps)", area_attr(C_DIM));
}

static int draw_problem(struct sv *s, int y0, int maxh, int w)
{
	const struct item *it = &s->sol.it;
	char head[512];
	snprintf(head, sizeof(head), " Problem  %s  %s  #%lld%s%s", s->sol.dataset, it->key,
		 (long long)s->sol.id, it->generator ? "  by " : "", it->generator ? it->generator : "");
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

/* A trace's bottom line: the task's ground truth, and whether the team's
 * answer was right (a log has no final answer of its own to show). */
static void draw_trace_answer(struct sv *s, int y, int w)
{
	const struct item *it = &s->sol.it;
	draw_line(y, 0, w, "", area_attr(C_DEFAULT));
	int x = put(y, 0, w, " ground truth ", area_attr(C_HEADER));
	if (!s->t->set->ground_truth)
		x = put(y, x, w, "hidden (set ground-truth)", area_attr(C_DIM));
	else
		x = put(y, x, w, it->gold ? it->gold : "(none)", area_attr(C_GOLD));
	if (it->correct >= 0 && !s->hide_others)
		put(y, x, w, it->correct ? "   the team's answer was right" :
			     "   the team's answer was wrong", area_attr(it->correct ? C_GOOD : C_BAD));
}

static void draw_answer(struct sv *s, int y, int w)
{
	const struct item *it = &s->sol.it;
	if (sv_is_trace(s)) {
		draw_trace_answer(s, y, w);
		return;
	}
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

void sv_draw(struct view *v, int top, int h, int w)
{
	struct sv *s = v->priv;
	int ref = s->sol.it.reference && *s->sol.it.reference ? s->t->set->reference : REF_HIDDEN;
	/* auto: beside the steps when there is room; below them on a tall
	 * screen, or on any when the steps are aligned to it */
	if (ref == REF_AUTO)
		ref = w >= 120 ? REF_RIGHT : h >= 30 || s->sol.naligns ? REF_BOTTOM : REF_HIDDEN;
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
