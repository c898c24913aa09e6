/* view_solution.c - one solution: the problem on top, then a block per
 * step (index, your label, each source's signal, the other annotators'
 * labels, the wrapped text), the final answer beside the gold one, and
 * the reference solution in a side or bottom pane. This file holds the
 * view's state and actions; solution_draw.c draws it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "solution.h"
#include "../src/resolve.h"
#include "../src/summary.h"
#include "../src/trace.h"
#include "../src/prov.h"
#include "../src/util.h"

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
		sv_mc_free(&s->src[i]);
	}
	free(s->src);
	s->src = NULL;
	s->nsrc = 0;
}

/* How a source is shown: as its provider says (a source no provider
 * fetched, such as an imported data set's, as a value) */
static void source_show(struct source *sc, const char *src)
{
	int p = provider_of_source(src);
	sc->show = p < 0 ? SHOW_VALUE : providers[p]->show;
	sc->area = p < 0 ? -1 : area_find(providers[p]->area);
}

static void marks_compute(struct sv *s)
{
	const struct item *it = &s->sol.it;
	size_t n = it->nsteps;
	marks_free(s);
	s->mine = xmalloc((n + 1) * sizeof(int));
	s->my_fe = summary_annotator(it, s->t->ann.name, s->mine);
	s->others = xcalloc(it->nlabels + 1, sizeof(*s->others));
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == LK_NOTE || l->kind == LK_FINISH || l->kind == LK_ALT_RATING ||
		    l->kind == LK_FLAG || l->kind == LK_ADJUDICATION || l->kind == LK_CORRECTION || /* the review's */
		    l->kind == LK_CATEGORY ||
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
			source_show(sc, g->source);
			sc->rating = xmalloc((n + 1) * sizeof(int));
			sc->value = xmalloc((n + 1) * sizeof(double));
			sc->k = xcalloc(n + 1, sizeof(int));
			sc->n = xcalloc(n + 1, sizeof(int));
			for (size_t j = 0; j < n; j++)
				sc->value[j] = NO_VALUE;
			struct resolve_opts o = {.source = sc->key, .threshold = 0.5};
			sc->fe = item_resolve(it, &o, sc->rating);
		}
		if (g->step >= 0 && (size_t)g->step < n) {
			sc->value[g->step] = g->value;
			sc->k[g->step] = g->k;
			sc->n[g->step] = g->n;
		}
	}
	buf_free(&key);
	sv_mc_compute(s);
	s->hidden = s->t->set->blind && s->my_fe == -2;
	/* on a solution dealt to the annotator (gold or not), others' labels
	 * stay hidden until they decide it with blind mode off */
	s->hide_others = summary_others_hidden(
		s->t->set->blind, db_assigned_ord(s->t->db, s->t->ann.name, s->sol.id) != 0,
		s->my_fe >= -1);
	s->t->ann.origin = s->hidden ? "tui-blind" : "tui";
}


/* ---- actions ---- */
static void reload(struct sv *s)
{
	int64_t id = s->sol.id;
	if (db_solution_load(s->t->db, id, &s->sol) != 1)
		tui_message(s->t, 1, "solution %lld is gone", (long long)id);
	marks_compute(s);
	render_texts(s);
	s->layout_w = 0;
	if (s->sel >= (int)s->sol.it.nsteps)
		s->sel = s->sol.it.nsteps ? (int)s->sol.it.nsteps - 1 : 0;
	if (s->sel_alt >= 0 && (!s->show_alts || !s->sol.it.nsteps ||
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
	db_solution_free(&s->sol);
	s->sol = nv;
	s->active_ms = 0; /* a new solution: its own time */
	s->last_key = mono_ms();
	s->sel = step;
	s->sel_alt = -1;
	s->top = s->ptop = s->rtop = 0;
	s->skip_at = s->keep_row = -1;
	s->layout_w = 0;
	free(s->unfolded);
	s->unfolded = NULL;
	marks_compute(s);
	render_texts(s);
	queue_select(s->t, id);
	s->t->on_screen = id;
}

void sv_label_begin(struct sv *s)
{
	note_key(s);
	s->t->ann.active_ms = s->active_ms;
}

void sv_label_end(struct sv *s)
{
	s->t->ann.active_ms = 0;
	s->active_ms = 0;
	marks_compute(s);
	s->layout_w = 0; /* in blind mode, deciding shows the suggestions */
}

static int do_label(struct sv *s, enum action a, int step, int alt, const char *text)
{
	sv_label_begin(s);
	int rc = tui_label(s->t, &s->sol, a, step, alt, text);
	sv_label_end(s);
	return rc;
}

/* a source whose marks can be taken as labels: ratings or a first error */
static int acceptable(const struct sv *s, const struct source *sc)
{
	if (sc->fe >= -1)
		return 1;
	for (size_t i = 0; i < s->sol.it.nsteps; i++)
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
		for (size_t k = 0; k < s->nothers && !s->hide_others; k++)
			person |= !strcmp(s->others[k].name, answer);
		tui_message(s->t, 1, "%s %s; sources here: %s", inert(answer, 0),
			    person ? "is an annotator, not a source" : "is not a source of this solution",
			    b.len ? inert(b.data, 1) : "none");
		buf_free(&b);
		return;
	}
	do_label(s, A_ACCEPT, s->sel, -1, answer);
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
			do_label(s, A_FINISH, s->sel, -1, annot_finish_reasons[i]);
			return;
		}
	tui_message(t, 1, "not a finish reason: %s (solution, found_error, give_up, bad_problem)",
		    inert(answer, 0));
}

/* A first error or "no error", saved; then the warning when "no error"
 * meets an answer the grader says is wrong (unless it was hidden). */
static int save_decision(struct sv *s, enum action a, int step)
{
	int blind = s->hide_others; /* the verdict hidden until this action */
	int rc = do_label(s, a, step, -1, NULL);
	if (rc == ANNOT_OK && a == A_NO_ERROR && !blind && s->sol.it.correct == 0)
		tui_message(s->t, 1, "saved; but the grader says the final answer is "
			    "wrong: no error?");
	return rc;
}

static void decision_done(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	char what[48];
	if (s->ask_decision == A_FIRST_ERROR)
		snprintf(what, sizeof(what), "first error at step %d", s->ask_step + sv_base(s));
	else
		snprintf(what, sizeof(what), "\"no error\"");
	if (answer && *answer == 'y')
		save_decision(s, s->ask_decision, s->ask_step);
	else
		tui_message(t, 1, "nothing saved: %s not confirmed", what);
}

/* e and c: saved at once, or with confirm = decisions after a y/n on the
 * status line */
static int decide(struct sv *s, enum action a)
{
	if (s->t->set->confirm != CONFIRM_DECISIONS)
		return save_decision(s, a, s->sel);
	char q[80];
	s->ask_step = s->sel;
	s->ask_decision = a;
	if (a == A_FIRST_ERROR)
		snprintf(q, sizeof(q), "save step %d as the first error? (y/n) ", s->sel + sv_base(s));
	else
		snprintf(q, sizeof(q), "save \"no error\" for this solution? (y/n) ");
	tui_menu(s->t, q, "yn", decision_done, s);
	return ANNOT_NOTHING;
}

static void note_done(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	(void)t;
	if (answer)
		do_label(s, A_NOTE, s->ask_step, -1, answer);
}

static void ask_note(struct sv *s, const char *arg)
{
	s->ask_step = s->sel;
	if (arg) {
		note_done(s->t, arg, s);
		return;
	}
	const char *old = NULL;
	for (size_t i = 0; i < s->sol.it.nlabels; i++) {
		const struct label *l = &s->sol.it.labels[i];
		if (l->kind == LK_NOTE && l->step == s->sel && !strcmp(l->annotator, s->t->ann.name))
			old = l->text;
	}
	char prompt[48];
	snprintf(prompt, sizeof(prompt), "note on %s %d: ", sv_is_trace(s) ? "turn" : "step",
		 s->sel + sv_base(s));
	tui_ask(s->t, ASK_NOTE, prompt, old, note_done, s);
}

static void write_done(struct tui *t, const char *answer, void *arg)
{
	struct sv *s = arg;
	if (answer)
		do_label(s, A_WRITE_STEP, s->ask_step, -1, answer);
	else
		tui_message(t, 0, "step %d not written: nothing saved", s->ask_step + sv_base(s));
}

/* w: the right step, written from the step (or your correction of it) */
static void write_step(struct sv *s, const char *arg)
{
	s->ask_step = s->sel;
	if (arg) {
		write_done(s->t, arg, s);
		return;
	}
	const char *init = s->sol.it.steps[s->sel].text;
	for (size_t i = 0; i < s->sol.it.nlabels; i++) {
		const struct label *l = &s->sol.it.labels[i];
		if (l->kind == LK_CORRECTION && l->step == s->sel &&
		    !strcmp(l->annotator, s->t->ann.name))
			init = l->text ? l->text : s->sol.it.steps[s->sel].text;
	}
	char title[64];
	snprintf(title, sizeof(title), " Write step %d: the right step", s->sel + sv_base(s));
	tui_write(s->t, title, init, write_done, s);
}

static void blame_done(struct tui *t, const char *answer, void *arg)
{
	(void)t;
	if (answer && *answer)
		do_label(arg, A_BLAME_AGENT, ((struct sv *)arg)->sel, -1, answer);
}

/* Who is to blame for the decisive error: one of the trace's agents, Tab
 * completing their names, the turn's agent offered first. */
static void ask_blame(struct sv *s, const char *arg)
{
	const struct item *it = &s->sol.it;
	if (!trace_is(it)) {
		tui_message(s->t, 1, "not an agent trace: its turns name no agents");
		return;
	}
	if (arg) {
		blame_done(s->t, arg, s);
		return;
	}
	const char **names = xmalloc((it->nsteps + 1) * sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < it->nsteps; i++) {
		const char *a = it->steps[i].agent;
		size_t k = 0;
		while (a && k < n && strcmp(names[k], a))
			k++;
		if (a && k == n)
			names[n++] = a;
	}
	int fe = s->my_fe;
	tui_ask(s->t, ASK_AGENT, "blame which agent? ", fe >= 0 ? it->steps[fe].agent : names[0],
		blame_done, s);
	tui_ask_names(s->t, names, n);
	free(names);
}

static void move_solution(struct sv *s, int dir, int what)
{
	int64_t id = qmodel_neighbour(s->t->queue, s->sol.id, dir, what);
	if (!id) {
		queue_say_none(s->t, s->sol.id, what == Q_TODO ? "undecided" :
			       what == Q_DIS_ANY ? "disagreeing" : "other", dir);
		return;
	}
	open_id(s, id, 0);
	if (what == Q_TODO) {
		/* to the first step without your label */
		for (size_t i = 0; i < s->sol.it.nsteps; i++)
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
	int n = (int)s->sol.it.nsteps, best = -1;
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
	tui_message(s->t, 0, "step %d: the first error for %s", best + sv_base(s), inert(b.data, 0));
	buf_free(&b);
}

/* The trace's moves: to the next (dir 1) or previous turn of kind k,
 * wrapping, saying which of how many it is. */
static void trace_move(struct sv *s, enum trace_kind k, int dir)
{
	static const char *const what[TK_N] = {"hand-off", "turn of the agent", "tool call",
						"failed output"};
	const struct item *it = &s->sol.it;
	if (!trace_is(it)) {
		tui_message(s->t, 1, "not an agent trace: its turns name no agents");
		return;
	}
	int n = (int)it->nsteps, cur = s->sel, hit = -1, total = 0, nth = 0;
	for (int i = 0; i < n; i++)
		total += trace_turn_is(it, (size_t)i, k, (size_t)cur);
	for (int d = 1; d <= n && hit < 0; d++) {
		int j = ((cur + dir * d) % n + n) % n;
		if (trace_turn_is(it, (size_t)j, k, (size_t)cur))
			hit = j;
	}
	if (hit < 0) {
		tui_message(s->t, 1, "no %s in this trace", what[k]);
		return;
	}
	for (int i = 0; i <= hit; i++)
		nth += trace_turn_is(it, (size_t)i, k, (size_t)cur);
	const char *wrap = hit == cur ? " (the only one)" : dir > 0 && hit < cur ? " (from the top)" :
			   dir < 0 && hit > cur ? " (from the bottom)" : "";
	const char *ag = it->steps[hit].agent;
	s->sel = hit;
	s->sel_alt = -1;
	if (k == TK_HANDOFF)
		tui_message(s->t, 0, "hand-off %d of %d: turn %d, %s to %s%s", nth, total, hit,
			    inert(it->steps[hit - 1].agent, 0), inert(ag, 1), wrap);
	else if (k == TK_SAME)
		tui_message(s->t, 0, "%s: turn %d, %d of %d%s", inert(ag, 0), hit, nth, total, wrap);
	else
		tui_message(s->t, 0, "%s %d of %d: turn %d by %s%s", what[k], nth, total, hit,
			    inert(ag, 0), wrap);
}

/* O: the turn at the cursor shown whole, or folded again; *: every turn */
static void toggle_fold(struct sv *s, int all)
{
	if (!sv_is_trace(s)) {
		tui_message(s->t, 1, "only an agent trace's long turns are folded");
		return;
	}
	if (all) {
		s->unfold_all = !s->unfold_all;
		tui_message(s->t, 0, s->unfold_all ? "every turn shown whole" :
			    "long turns folded to their first lines");
	} else {
		if (!s->unfolded)
			s->unfolded = xcalloc(s->sol.it.nsteps + 1, 1);
		s->unfolded[s->sel] = !s->unfolded[s->sel];
		tui_message(s->t, 0, s->unfolded[s->sel] ? "turn %d shown whole" :
			    "turn %d folded (when long)", s->sel);
	}
	s->layout_w = 0;
}

/* the actions that read a trace: its moves and its folds */
static void trace_act(struct sv *s, enum action a)
{
	if (a == A_TOGGLE_FOLD || a == A_TOGGLE_FOLD_ALL)
		toggle_fold(s, a == A_TOGGLE_FOLD_ALL);
	else if (a == A_NEXT_HANDOFF || a == A_PREV_HANDOFF)
		trace_move(s, TK_HANDOFF, a == A_NEXT_HANDOFF ? 1 : -1);
	else if (a == A_NEXT_SAME_AGENT || a == A_PREV_SAME_AGENT)
		trace_move(s, TK_SAME, a == A_NEXT_SAME_AGENT ? 1 : -1);
	else
		trace_move(s, a == A_NEXT_TOOL_CALL ? TK_TOOL : TK_FAILED, 1);
}

static void show_rationale(struct sv *s)
{
	if (s->hidden) {
		tui_message(s->t, 1, "blind mode: decide the solution before you see suggestions");
		return;
	}
	struct buf b = {0};
	for (size_t i = 0; i < s->sol.it.nsugs; i++) {
		const struct suggestion *g = &s->sol.it.sugs[i];
		if (!g->rationale)
			continue;
		buf_printf(&b, "== %s%s%s", g->source, g->model ? "/" : "", g->model ? g->model : "");
		if (g->step >= 0)
			buf_printf(&b, ", step %d", g->step + sv_base(s));
		if (g->first_error >= 0)
			buf_printf(&b, ", first error: step %d", g->first_error + sv_base(s));
		else if (g->first_error == -1)
			buf_puts(&b, ", no error");
		buf_printf(&b, "\n%s\n\n", g->rationale);
	}
	sv_mc_detail(s, &b);
	if (!b.len) {
		tui_message(s->t, 1, "no rationale on this solution");
	} else {
		char title[64];
		snprintf(title, sizeof(title), "rationale #%lld", (long long)s->sol.id);
		tui_push(s->t, pager_view_new(s->t, title, b.data, 0));
	}
	buf_free(&b);
}

/* the problem and the reference, whole, in the pager */
/* A trace's task, its ground truth (unless the setting hides it) and each
 * agent's system prompt, as the data keeps them. */
static void trace_problem(struct sv *s, struct buf *b)
{
	const struct item *it = &s->sol.it;
	buf_printf(b, "== Task\n%s\n", it->problem ? it->problem : "");
	if (!s->t->set->ground_truth)
		buf_puts(b, "\n== Ground truth\n(hidden: set ground-truth yes)\n");
	else if (it->gold)
		buf_printf(b, "\n== Ground truth\n%s\n", it->gold);
	struct arena a = {0};
	const struct jnode *meta = it->meta ? jparse(&a, it->meta, strlen(it->meta)) : NULL;
	const struct jnode *sp = meta ? jget(meta, "system_prompt") : NULL;
	if (sp && sp->type == J_OBJ && sp->child) {
		buf_puts(b, "\n== System prompts\n");
		for (const struct jnode *c = sp->child; c; c = c->next)
			buf_printf(b, "\n--- %.*s\n%s\n", (int)c->keylen, c->key,
				   c->type == J_STR ? c->str : "(not a text)");
	}
	arena_free(&a);
}

static void show_problem(struct sv *s)
{
	const struct item *it = &s->sol.it;
	struct buf b = {0};
	if (sv_is_trace(s)) {
		trace_problem(s, &b);
		tui_push(s->t, pager_view_new(s->t, "task", b.data, 0));
		buf_free(&b);
		return;
	}
	buf_printf(&b, "== Problem\n%s\n", shown_problem(s));
	if (it->gold)
		buf_printf(&b, "\n== Gold answer\n%s\n", s->rendered ? s->rgold.out.data : it->gold);
	if (it->reference && *it->reference) {
		/* whole, as written; the pane shows it step by step */
		struct latex r = {0};
		if (s->rendered)
			latex_render(&r, it->reference, strlen(it->reference));
		buf_printf(&b, "\n== Reference\n%s\n", s->rendered ? r.out.data : it->reference);
		latex_free(&r);
	}
	char title[64];
	snprintf(title, sizeof(title), "problem #%lld", (long long)s->sol.id);
	tui_push(s->t, pager_view_new(s->t, title, b.data, 0));
	buf_free(&b);
}

static int act(struct sv *s, enum action a, const char *arg, int n);

/* To the next line that can be labelled: a step, then (when shown) its
 * alternatives. */
static void move_cursor(struct sv *s, int dir)
{
	int n = (int)s->sol.it.nsteps;
	if (!n)
		return;
	const struct step *st = &s->sol.it.steps[s->sel];
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
		for (size_t k = 0; k < s->sol.it.steps[s->sel].nalts; k++)
			if (is_alt(s, (size_t)s->sel, k))
				s->sel_alt = (int)k;
}

/* First and last go to a step; a page and a scroll move the lines on
 * screen (a page: its rows less one), the cursor onto them: a page to the
 * step at the top, a scroll only as far as the step stays in sight. */
static void move_steps(struct sv *s, enum move m, int n)
{
	if (m == MOVE_FIRST || m == MOVE_LAST) {
		struct pos steps = {.cur = s->sel, .n = n};
		pos_move(&steps, m, 1, 1);
		s->sel = steps.cur;
		return;
	}
	struct pos lines = {.cur = -1, .top = s->top, .n = (int)s->nlines, .nocursor = 1};
	pos_move(&lines, m, 1, pos_page(s->steps_h));
	s->top = lines.top;
	if (!s->nlines)
		return;
	if (m == MOVE_PAGE_DOWN || m == MOVE_PAGE_UP) {
		s->sel = s->lines[s->top].step;
	} else if (m == MOVE_SCROLL_DOWN) {
		if (s->lines[s->top].step > s->sel)
			s->sel = s->lines[s->top].step;
	} else if (s->steps_h > 0) {
		size_t last = (size_t)(s->top + s->steps_h - 1);
		if (last < s->nlines && s->lines[last].step < s->sel)
			s->sel = s->lines[last].step;
	}
}

/* M: the rollouts MC kept, under each step (not in blind mode) */
static void toggle_rolls(struct sv *s)
{
	if (s->hidden && !s->show_rolls) {
		tui_message(s->t, 1, "blind mode: decide the solution before you see suggestions");
		return;
	}
	size_t nkept = 0;
	for (size_t i = 0; i < s->nsrc; i++)
		for (size_t j = 0; s->src[i].mc && j < s->sol.it.nsteps; j++)
			nkept += s->src[i].mc->rollouts[j] != NULL;
	s->show_rolls = !s->show_rolls;
	s->layout_w = 0;
	if (!s->show_rolls)
		tui_message(s->t, 0, "rollouts hidden");
	else if (!nkept)
		tui_message(s->t, 0, "MC kept no rollouts of this solution (provider mc keep N)");
	else
		tui_message(s->t, 0, "rollouts kept of %zu step%s shown under them (r: the figures)",
			    nkept, nkept == 1 ? "" : "s");
}

static void toggle_alts(struct sv *s)
{
	size_t nalt = 0;
	for (size_t i = 0; i < s->sol.it.nsteps; i++)
		for (size_t k = 0; k < s->sol.it.steps[i].nalts; k++)
			nalt += is_alt(s, i, k);
	s->keep_row = 0; /* the row of the cursor's step, at most the first */
	for (size_t i = 0; i < s->nlines; i++)
		if (s->lines[i].step == s->sel) {
			s->keep_row = (int)i > s->top ? (int)i - s->top : 0;
			break;
		}
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
	int n = (int)s->sol.it.nsteps;
	int old_sel = s->sel, old_alt = s->sel_alt;
	note_key(s);
	int handled = act(s, a, arg, n);
	if (s->sel != old_sel && s->sel_alt == old_alt)
		s->sel_alt = -1; /* moved by steps: on the step itself */
	return handled;
}

static int act(struct sv *s, enum action a, const char *arg, int n)
{
	if (a == A_REVIEW) {
		tui_push(s->t, review_view_new(s->t, s->sol.id, s->sel));
		return 1;
	}
	switch (a) {
	case A_MOVE_DOWN:
	case A_ENTER:
		move_cursor(s, 1);
		break;
	case A_MOVE_UP:
		move_cursor(s, -1);
		break;
	case A_MOVE_FIRST:
	case A_MOVE_LAST:
	case A_PAGE_DOWN:
	case A_PAGE_UP:
	case A_SCROLL_DOWN:
	case A_SCROLL_UP:
		move_steps(s, move_of(a), n);
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
	case A_NEXT_SKIPPED:
		ref_next_skipped(s);
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
	case A_BLAME_AGENT:
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
		else if (a == A_BLAME_AGENT)
			ask_blame(s, arg);
		else if (s->sel_alt >= 0 && (a == A_FIRST_ERROR || a == A_NO_ERROR))
			tui_message(s->t, 1, "the cursor is on an alternative: +, 0, - and x rate it, "
				    "e and c the steps");
		else if (s->sel_alt >= 0 && a != A_UNDO && a != A_REDO) {
			rc = do_label(s, a, s->sel, s->sel_alt, NULL);
		} else if (a == A_FIRST_ERROR || a == A_NO_ERROR) {
			rc = decide(s, a);
		} else {
			rc = do_label(s, a, s->sel, -1, NULL);
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
		break;
	}
	case A_CATEGORY:
		sv_category(s, arg);
		break;
	case A_FLAG:
	case A_WRITE_STEP:
		if (!n)
			tui_message(s->t, 1, "this solution has no steps");
		else if (a == A_WRITE_STEP)
			write_step(s, arg);
		else
			do_label(s, A_FLAG, s->sel, -1, NULL);
		break;
	case A_ALTERNATIVES:
	case A_ROLLOUTS:
		(a == A_ALTERNATIVES ? toggle_alts : toggle_rolls)(s);
		break;
	case A_NEXT_MARK:
		next_mark(s);
		break;
	case A_TOGGLE_FOLD:
	case A_TOGGLE_FOLD_ALL:
	case A_NEXT_HANDOFF:
	case A_PREV_HANDOFF:
	case A_NEXT_SAME_AGENT:
	case A_PREV_SAME_AGENT:
	case A_NEXT_TOOL_CALL:
	case A_NEXT_FAILED:
		trace_act(s, a);
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
	int n = (int)s->sol.it.nsteps;
	for (int i = from; i >= 0 && i < n; i += dir) {
		const char *t = s->sol.it.steps[i].text;
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
	search_begin(s->t, s->sol.id, dir);
	return 1;
}

static void sv_found(struct view *v, int64_t sol)
{
	struct sv *s = v->priv;
	int dir = s->t->search_dir;
	if (sol != s->sol.id)
		open_id(s, sol, 0);
	int i = matching_step(s, dir > 0 ? 0 : (int)s->sol.it.nsteps - 1, dir);
	s->sel = i < 0 ? 0 : i; /* the problem matched: the first step */
	s->sel_alt = -1; /* search.c says where the search ended */
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
	for (size_t i = 0; i < s->sol.it.nsteps; i++)
		labelled += s->mine[i] != NO_RATING;
	int trace = sv_is_trace(s);
	const char *fe = s->my_fe == -2	 ? "undecided" :
			 s->my_fe == -1 ? (trace ? "no decisive error" : "no error") :
					  NULL;
	char fes[32];
	if (!fe) {
		snprintf(fes, sizeof(fes), "%s %d", trace ? "decisive" : "first error",
			 s->my_fe + sv_base(s));
		fe = fes;
	}
	char alt[32] = "", at[48];
	if (s->sel_alt >= 0)
		snprintf(alt, sizeof(alt), " alt %d", s->sel_alt + 1);
	if (trace) /* a trace's turns count from 0, as its data does */
		snprintf(at, sizeof(at), "turn %d of 0-%zu", s->sel, s->sol.it.nsteps - 1);
	else
		snprintf(at, sizeof(at), "step %d/%zu", s->sel + 1, s->sol.it.nsteps);
	snprintf(out, n, "%s%s  mine %d/%zu  %s%s", at, alt, labelled, s->sol.it.nsteps, fe,
		 s->hide_others && s->hidden ? "  (blind)" : s->hide_others ? "  (others hidden)" :
		 s->hidden ? "  (suggestions hidden)" : "");
}

static void sv_done(struct view *v)
{
	struct sv *s = v->priv;
	if (s->t->on_screen == s->sol.id)
		s->t->on_screen = 0;
	marks_free(s);
	sv_category_free(s);
	db_solution_free(&s->sol);
	free(s->lines);
	free(s->unfolded);
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
	int n = (int)s->sol.it.nsteps;
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
/* an agent trace: its decisive error, who is to blame, its hand-offs */
static const struct hint trace_hints[] = {
	{A_HELP, "help"}, {A_FIRST_ERROR, "decisive"}, {A_NO_ERROR, "none"},
	{A_BLAME_AGENT, "blame"}, {A_NOTE, "reason"}, {A_CATEGORY, "mode"}, {A_UNDO, "undo"},
	{A_NEXT_HANDOFF, "hand-off"}, {A_NEXT_FAILED, "failed"},
	{A_SHOW_PROBLEM, "task"}, {A_NEXT_UNLABELLED, "next to do"}, {A_QUIT, "queue"},
	{A_NONE, NULL}};

static const struct hint *sv_hints(struct view *v)
{
	return sv_is_trace(v->priv) ? trace_hints : hints;
}

static const struct view_ops solution_ops = {
	.hints = hints,
	.hints_now = sv_hints,
	.command = sv_command,
	.id = V_SOLUTION,
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
	s->skip_at = s->keep_row = -1;
	s->sol.id = sol;
	s->last_key = mono_ms();
	reload(s);
	t->on_screen = sol;
	return v;
}
