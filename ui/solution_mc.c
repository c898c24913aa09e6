/* solution_mc.c - what MC says on the solution view, made readable: k/n
 * with its 95 % Wilson interval, the uncertain estimates, progress and
 * its pits on the step line; the figures and the rollouts kept in the
 * detail the rationale key shows */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solution.h"
#include "../src/util.h"

static struct mc_opts opts_of(const struct sv *s)
{
	struct mc_opts o = {s->t->set->mc_k, s->t->set->mc_alpha, s->t->set->mc_pit};
	return o;
}

void sv_mc_compute(struct sv *s)
{
	struct mc_opts o = opts_of(s);
	for (size_t i = 0; i < s->nsrc; i++) {
		struct source *sc = &s->src[i];
		if (sc->show != SHOW_MC)
			continue;
		sc->mc = xmalloc(sizeof(*sc->mc));
		mc_fig_of(&s->sol.it, sc->key, &o, sc->mc);
	}
}

void sv_mc_free(struct source *sc)
{
	if (!sc->mc)
		return;
	mc_fig_free(sc->mc);
	free(sc->mc);
	sc->mc = NULL;
}

static int put(int y, int x, int maxx, const char *s, int attr)
{
	if (x >= maxx)
		return x;
	return x + draw_text(y, x, maxx - x, s, strlen(s), attr, NULL);
}

static void pct_interval(char *out, size_t n, int k, int m)
{
	double lo, hi;
	mc_wilson(k, m, &lo, &hi);
	snprintf(out, n, "%d-%d%%", (int)(lo * 100 + 0.5), (int)(hi * 100 + 0.5));
}

/* "3/8 14-69% unsure Δ-0.41 PIT": the step's cell after the source's key */
int sv_mc_cell(const struct sv *s, const struct source *sc, int step, int y, int x, int maxx)
{
	const struct mc_fig *f = sc->mc;
	char cell[96], iv[24];
	int k = sc->k[step], n = sc->n[step];
	pct_interval(iv, sizeof(iv), k, n);
	snprintf(cell, sizeof(cell), "%d/%d %s ", k, n, iv);
	x = put(y, x, maxx, cell, area_attr(sc->area));
	if (mc_uncertain(k, n))
		x = put(y, x, maxx, "unsure ", area_attr(C_NEUTRAL));
	if (!f || f->progress[step] == NO_VALUE)
		return x;
	double p = f->progress[step];
	int pit = p <= -s->t->set->mc_pit;
	snprintf(cell, sizeof(cell), "\xce\x94%+.2f ", p);
	x = put(y, x, maxx, cell, area_attr(pit ? C_BAD : sc->area));
	if (f->first_pit == step)
		x = put(y, x, maxx, "FIRST PIT ", area_attr(C_BAD) | A_BOLD);
	else if (pit)
		x = put(y, x, maxx, "pit ", area_attr(C_BAD));
	return x;
}

/* the head of a kept rollout: how it ended, beside the gold answer */
const char *sv_mc_roll_head(struct sv *s, const char *key, const struct mc_kept *r)
{
	struct buf b = {0};
	const char *gold = s->sol.it.gold ? s->sol.it.gold : "";
	buf_printf(&b, "rollout (%s): ", key);
	if (r->reached)
		buf_printf(&b, "reached the gold answer %.*s", (int)r->alen, r->answer);
	else if (r->alen)
		buf_printf(&b, "answered %.*s, the gold answer is %s", (int)r->alen, r->answer, gold);
	else
		buf_printf(&b, "no final answer (the gold answer is %s)", gold);
	const char *out = arena_strndup(&s->notes, b.data, b.len);
	buf_free(&b);
	return out;
}

/* "  step 2     0/8    0%  0-32%           0.00    -1.00     -0.50  FIRST PIT" */
static void detail_row(struct buf *b, const struct mc_fig *f, const char *name, int k, int n,
		       double Q, int i, double pit)
{
	char iv[24], kn[24];
	pct_interval(iv, sizeof(iv), k, n);
	snprintf(kn, sizeof(kn), "%d/%d", k, n);
	buf_printf(b, "  %-8s %9s %4.0f%%  %-8s %-6s", name, kn, 100.0 * k / n, iv,
		   mc_uncertain(k, n) ? "yes" : "");
	if (Q != NO_VALUE)
		buf_printf(b, " %4.2f", Q);
	if (i >= 0 && f->progress[i] != NO_VALUE)
		buf_printf(b, "    %+5.2f     %+5.2f%s", f->progress[i], f->effective[i],
			   f->first_pit == i ? "  FIRST PIT" : f->progress[i] <= -pit ? "  pit" : "");
	buf_putc(b, '\n');
}

static void detail_kept(struct buf *b, const char *where, const char *kept, const char *gold)
{
	struct mc_kept r;
	for (const char *p = kept; p && mc_keep_next(&p, &r);) {
		buf_printf(b, "\n-- %s: ", where);
		if (r.reached)
			buf_printf(b, "reached the gold answer %.*s\n", (int)r.alen, r.answer);
		else if (r.alen)
			buf_printf(b, "answered %.*s (gold %s)\n", (int)r.alen, r.answer, gold);
		else
			buf_printf(b, "no final answer (gold %s)\n", gold);
		buf_add(b, r.text, r.tlen);
		buf_putc(b, '\n');
	}
}

/* One MC source's figures and kept rollouts, for the detail (r) */
static void detail_source(const struct sv *s, const struct source *sc, struct buf *b)
{
	const struct mc_fig *f = sc->mc;
	const struct settings *set = s->t->set;
	buf_printf(b, "== %s: Monte Carlo rollouts, k/n of them reached the gold answer\n", sc->key);
	buf_printf(b, "95 %% Wilson interval; uncertain (not to act on): fewer than %d rollouts, "
		   "or an interval wider than %.2f.\n", MC_MIN_N, MC_MAX_WIDTH);
	if (f->same && f->n0)
		buf_printf(b, "Progress (PAV): Q = 1 - (1 - k/n)^%d (Best-of-%d), progress = Q - Q "
			   "of the prefix before (the empty prefix before step %d), effective = "
			   "k/n + %g * progress; a pit: progress <= -%g.\n", set->mc_k, set->mc_k,
			   sv_base(s), set->mc_alpha, set->mc_pit);
	else if (!f->n0)
		buf_puts(b, "No progress: the empty prefix (the question alone) was not estimated.\n");
	else
		buf_puts(b, "No progress: the prefixes were not all estimated by one run (the same "
			    "rollout model and settings).\n");
	buf_puts(b, "\n  prefix         k/n     q  95 % CI  unsure    Q progress effective\n");
	if (f->n0)
		detail_row(b, f, "empty", f->k0, f->n0, f->Q0, -1, set->mc_pit);
	for (size_t i = 0; i < f->nsteps; i++) {
		if (!f->n[i])
			continue;
		char name[24];
		snprintf(name, sizeof(name), "step %zu", i + (size_t)sv_base(s));
		detail_row(b, f, name, f->k[i], f->n[i], f->Q[i], (int)i, set->mc_pit);
	}
	const char *gold = s->sol.it.gold ? s->sol.it.gold : "";
	detail_kept(b, "from the question alone", f->rollouts0, gold);
	for (size_t i = 0; i < f->nsteps; i++) {
		char where[40];
		snprintf(where, sizeof(where), "after step %zu", i + (size_t)sv_base(s));
		detail_kept(b, where, f->rollouts[i], gold);
	}
	buf_putc(b, '\n');
}

static int mc_fig_any(const struct mc_fig *f)
{
	int any = f->n0 > 0;
	for (size_t i = 0; i < f->nsteps && !any; i++)
		any = f->n[i] > 0;
	return any;
}

void sv_mc_detail(const struct sv *s, struct buf *b)
{
	for (size_t i = 0; i < s->nsrc; i++)
		if (s->src[i].mc && mc_fig_any(s->src[i].mc))
			detail_source(s, &s->src[i], b);
}
