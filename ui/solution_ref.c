/* solution_ref.c - the reference pane: the reference solution rendered
 * whole, following the step at the cursor. The reference steps aligned to
 * it are highlighted with the link's score and source, the steps no
 * solution step reaches are marked skipped, and the step list marks the
 * steps with no reference counterpart (extra). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solution.h"
#include "../src/util.h"

/* In blind mode a model's links are hidden with its verdicts; the
 * offline aligner's are no verdict and stay. */
static int shown_link(const struct sv *s, const struct db_align *a)
{
	if (!s->hidden)
		return 1;
	int p = provider_of_source(a->source);
	return p < 0 || !provider_online(p);
}

int step_extra(const struct sv *s, int step, char *who, size_t n)
{
	size_t o = 0;
	int found = 0;
	if (n)
		who[0] = '\0';
	for (size_t i = 0; i < s->sol.naligns; i++) {
		const struct db_align *a = &s->sol.aligns[i];
		if (a->step == step && a->ref < 0 && shown_link(s, a)) {
			if (o < n)
				o += (size_t)snprintf(who + o, n - o, "%s%s", found ? ", " : "",
						      a->source);
			found = 1;
		}
	}
	return found;
}

static int ref_skipped(const struct sv *s, int ref)
{
	for (size_t i = 0; i < s->sol.naligns; i++)
		if (s->sol.aligns[i].step < 0 && s->sol.aligns[i].ref == ref &&
		    shown_link(s, &s->sol.aligns[i]))
			return 1;
	return 0;
}

/* The best link of step to ref, NULL none. */
static const struct db_align *link_of(const struct sv *s, int step, int ref)
{
	const struct db_align *best = NULL;
	for (size_t i = 0; i < s->sol.naligns; i++) {
		const struct db_align *a = &s->sol.aligns[i];
		if (a->step == step && a->ref == ref && shown_link(s, a) &&
		    (!best || a->score > best->score || isnan(best->score)))
			best = a;
	}
	return best;
}

/* The first reference step linked to step, -1 none. */
static int first_ref(const struct sv *s, int step)
{
	int r = -1;
	for (size_t i = 0; i < s->sol.naligns; i++) {
		const struct db_align *a = &s->sol.aligns[i];
		if (a->step == step && a->ref >= 0 && shown_link(s, a) && (r < 0 || a->ref < r))
			r = a->ref;
	}
	return r;
}

/* The tag on the first line of reference step j: the link of the step at
 * the cursor to it, or "skipped". Its width, 0 none. */
static int tag_of(const struct sv *s, int j, char *tag, size_t n)
{
	const struct db_align *lk = link_of(s, s->sel, j);
	tag[0] = '\0';
	if (lk && isnan(lk->score)) /* a model's link: no score */
		snprintf(tag, n, " %s ", lk->source);
	else if (lk)
		snprintf(tag, n, " %.2f %s ", lk->score, lk->source);
	else if (ref_skipped(s, j))
		snprintf(tag, n, " skipped ");
	return (int)strlen(tag);
}

/* Reference step j as the pane shows it. */
static const char *step_shown(const struct sv *s, size_t j)
{
	return s->rref_steps ? s->rref_steps[j].out.data : s->ref_text[j];
}

/* One pass over the pane's lines at width w, a step starting a line: each
 * line's text and step to f, the first line of each step into
 * s->ref_line, then GSM8K's answer line. The number of lines. */
static int layout(struct sv *s, int w,
		  void (*f)(struct sv *s, int line, const char *t, size_t l, int step,
			    int first, void *ctx), void *ctx)
{
	int line = 0;
	for (size_t j = 0; j < s->rs.n; j++) {
		const char *t = step_shown(s, j);
		size_t n = strlen(t);
		s->ref_line[j] = line;
		int first = 1;
		char tag[64];
		int tw = tag_of(s, (int)j, tag, sizeof(tag));
		if (w - tw - 1 < 8)
			tw = 0; /* too narrow for a tag */
		for (size_t o = 0; o < n;) {
			/* the first line leaves room for the tag */
			size_t skip, l = wrap_line(t + o, n - o, first && tw ? w - tw - 1 : w, &skip);
			if (l == 0 && skip) {
				o += skip;
				continue;
			}
			if (f)
				f(s, line, t + o, l, (int)j, first, ctx);
			first = 0;
			line++;
			o += l + skip;
			if (!l && !skip)
				break;
		}
	}
	if (s->rs.answer.len) {
		if (f) {
			char a[256];
			int l = snprintf(a, sizeof(a), "answer: %.*s",
					 (int)(s->rs.answer.len > 200 ? 200 : s->rs.answer.len),
					 s->sol.it.reference + s->rs.answer.off);
			f(s, line, a, (size_t)l, -1, 1, ctx);
		}
		line++;
	}
	return line;
}

struct pane {
	int y0, x0, w, rows;
};

static void draw_one(struct sv *s, int line, const char *t, size_t l, int st, int first,
		     void *ctx)
{
	const struct pane *p = ctx;
	if (line < s->rtop || line >= s->rtop + p->rows)
		return;
	int y = p->y0 + 1 + line - s->rtop;
	const struct db_align *lk = st >= 0 ? link_of(s, s->sel, st) : NULL;
	draw_line(y, p->x0, p->w, "", area_attr(C_DEFAULT));
	char tag[64];
	int tw = st >= 0 && first ? tag_of(s, st, tag, sizeof(tag)) : 0;
	if (p->w - 2 - tw - 1 < 8)
		tw = 0;
	draw_text(y, p->x0 + 1, p->w - 2 - (tw ? tw + 1 : 0), t, l,
		  area_attr(lk ? C_ALIGNED : C_REFERENCE), NULL);
	if (tw)
		draw_text(y, p->x0 + p->w - tw, tw, tag, (size_t)tw,
			  area_attr(lk ? C_ALIGNED : C_DIM), NULL);
}

/* "Reference  3 = ref 2  2 skipped (S)": step 3 restates reference step
 * 2 (its score and source tag the step in the pane) */
static void draw_title(struct sv *s, int y, int x0, int w)
{
	struct buf b = {0};
	buf_puts(&b, " Reference");
	if (s->sol.naligns && s->sol.it.nsteps) {
		int r = first_ref(s, s->sel);
		if (r >= 0) {
			int last = r;
			for (size_t i = 0; i < s->sol.naligns; i++)
				if (s->sol.aligns[i].step == s->sel && s->sol.aligns[i].ref > last &&
				    shown_link(s, &s->sol.aligns[i]))
					last = s->sol.aligns[i].ref;
			if (last > r)
				buf_printf(&b, "  %d = ref %d-%d", s->sel + 1, r + 1, last + 1);
			else
				buf_printf(&b, "  %d = ref %d", s->sel + 1, r + 1);
		} else if (step_extra(s, s->sel, NULL, 0)) {
			buf_printf(&b, "  %d: extra", s->sel + 1);
		}
		int nskip = 0;
		for (size_t j = 0; j < s->rs.n; j++)
			nskip += ref_skipped(s, (int)j);
		if (nskip)
			buf_printf(&b, "  %d skipped (S)", nskip);
	}
	draw_line(y, x0, w, b.data, area_attr(C_HEADER));
	buf_free(&b);
}

void draw_reference(struct sv *s, int y0, int h, int x0, int w)
{
	int rows = h - 1;
	int lines = layout(s, w - 2, NULL, NULL);
	/* the pane follows the cursor: the steps aligned to it in view */
	if (s->ref_follow != s->sel && s->sol.naligns) {
		s->ref_follow = s->sel;
		int r = first_ref(s, s->sel);
		int at = r >= 0 && (size_t)r < s->rs.n ? s->ref_line[r] : -1;
		if (at >= 0 && (at < s->rtop || at >= s->rtop + rows))
			s->rtop = at > 0 ? at - 1 : 0;
	}
	if (s->rtop > lines - rows)
		s->rtop = lines - rows;
	if (s->rtop < 0)
		s->rtop = 0;
	draw_title(s, y0, x0, w);
	struct pane p = {y0, x0, w, rows};
	layout(s, w - 2, draw_one, &p);
	for (int y = y0 + 1 + lines - s->rtop; y < y0 + h; y++)
		if (y > y0)
			draw_line(y, x0, w, "", area_attr(C_DEFAULT));
	s->ref_lines = lines;
	s->ref_h = rows;
	if (lines > s->rtop + rows && rows > 0) {
		char more[64];
		snprintf(more, sizeof(more), " +%d lines ", lines - s->rtop - rows);
		int mw = (int)strlen(more);
		draw_text(y0 + rows, x0 + w - mw, mw, more, (size_t)mw, area_attr(C_DIM), NULL);
	}
}

void ref_next_skipped(struct sv *s)
{
	if (!s->ref_h) {
		tui_message(s->t, 1, "no reference pane on screen (v shows it)");
		return;
	}
	/* on from the skipped step S went to last, while the pane is where
	 * S put it (the last steps' top is clamped: the top of the pane is
	 * not that step); else from the step at the top of the pane */
	int cur = -1;
	for (size_t j = 0; j < s->rs.n; j++)
		if (s->ref_line[j] >= 0 && s->ref_line[j] <= s->rtop)
			cur = (int)j;
	if (s->skip_at >= 0 && s->rtop == s->skip_top)
		cur = s->skip_at;
	int n = (int)s->rs.n;
	for (int k = 1; k <= n; k++) {
		int j = (cur + k + n) % n;
		if (ref_skipped(s, j) && s->ref_line[j] >= 0) {
			int top = s->ref_line[j], last = s->ref_lines - s->ref_h;
			s->rtop = top > last ? (last > 0 ? last : 0) : top;
			s->skip_at = j;
			s->skip_top = s->rtop;
			tui_message(s->t, 0, "reference step %d of %d: skipped, no step restates "
				    "it%s", j + 1, n, j == cur ? " (the only one)" :
				    j < cur ? " (from the top)" : "");
			return;
		}
	}
	tui_message(s->t, 0, s->sol.naligns ? "no reference step is skipped" :
		    "the steps are not aligned to the reference: stepmark align");
}
