/* annot.c - labelling actions. Each action reads the annotator's labels in
 * force (a state), changes a copy by the rules in annot.h, and appends one
 * label for every difference, in one short transaction; undo and redo
 * append the labels that revert or repeat one action. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "trace.h"
#include "resolve.h"
#include "summary.h"

const char *const annot_finish_reasons[4] = {
	"solution", "found_error", "give_up", "bad_problem",
};

/* ---- the state of one annotator's labels ---- */
void annot_state_load(struct annot_state *s, const struct item *it,
		      const char *annotator)
{
	size_t n = it->nsteps;
	s->n = n;
	s->decisive = trace_is(it);
	s->base = s->decisive ? 0 : 1;
	s->unit = s->decisive ? "turn" : "step";
	s->err = s->decisive ? "decisive error" : "first error";
	s->r = xmalloc((n + 1) * sizeof(*s->r));
	s->fill = xcalloc(n + 1, 1);
	s->fe = NO_RATING;
	s->finish[0] = '\0';
	for (size_t i = 0; i < n; i++)
		s->r[i] = NO_RATING;
	for (size_t i = 0; i < it->nlabels; i++) { /* oldest first */
		const struct label *l = &it->labels[i];
		if (strcmp(l->annotator, annotator) != 0)
			continue;
		if (l->kind == LK_RATING && l->step >= 0 && (size_t)l->step < n) {
			s->r[l->step] = l->value;
			s->fill[l->step] = l->text && !strcmp(l->text, ANNOT_FILLED);
		} else if (l->kind == LK_RATINGS && l->text) {
			for (size_t k = 0; k < n && l->text[k]; k++) {
				char c = l->text[k];
				if (c == '+' || c == '0' || c == '-') {
					s->r[k] = c == '+' ? 1 : c == '0' ? 0 : -1;
					s->fill[k] = 0;
				}
			}
		} else if (l->kind == LK_FIRST_ERROR) {
			s->fe = l->value;
		} else if (l->kind == LK_FINISH) {
			snprintf(s->finish, sizeof(s->finish), "%s", l->text ? l->text : "");
		}
	}
}

void annot_state_free(struct annot_state *s)
{
	free(s->r);
	free(s->fill);
	s->r = NULL;
	s->fill = NULL;
}

static void state_copy(struct annot_state *d, const struct annot_state *s)
{
	*d = *s;
	d->r = xmalloc((s->n + 1) * sizeof(*d->r));
	d->fill = xmalloc(s->n + 1);
	memcpy(d->r, s->r, (s->n + 1) * sizeof(*d->r));
	memcpy(d->fill, s->fill, s->n + 1);
}

static int first_bad(const struct annot_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->r[i] == -1)
			return (int)i;
	return -1;
}

const char *annot_state_check(const struct annot_state *s)
{
	int j = first_bad(s);
	if (s->fe >= 0 && ((size_t)s->fe >= s->n || s->r[s->fe] != -1))
		return "the first error is not rated -1";
	if (s->decisive) /* other turns may be wrong without deciding */
		j = s->fe;
	if (s->fe >= 0 && j < s->fe)
		return "a step before the first error is rated -1";
	if (s->fe == -1 && j >= 0 && !s->decisive)
		return "no error, yet a step is rated -1";
	if (!strcmp(s->finish, "solution") && s->fe != -1)
		return "finish solution without a claim of no error";
	if (!strcmp(s->finish, "found_error") && s->fe < 0)
		return "finish found_error without a first error";
	return NULL;
}

static void set(struct annot_state *s, size_t i, int value, int filled)
{
	s->r[i] = value;
	s->fill[i] = value != NO_RATING && filled;
}

/* A -1 an action filled in on a trace: the decisive mark of an earlier
 * claim, withdrawn when the claim moves */
static int filled_mark(const struct annot_state *s, size_t i)
{
	return s->decisive && s->fill[i] && s->r[i] == -1;
}

/* k is the first error: earlier -1s and unrated steps become +1, k -1,
 * and what an action filled in after k is withdrawn. A trace's decisive
 * error leaves the turns before it as the person rated them: an earlier
 * turn may be wrong too without deciding the outcome (Who&When). */
static void claim_error(struct annot_state *s, int k)
{
	for (size_t i = 0; i < s->n; i++) {
		if ((int)i < k && s->decisive) {
			if (filled_mark(s, i))
				set(s, i, NO_RATING, 0);
			continue;
		}
		if ((int)i < k && (s->r[i] == NO_RATING || s->r[i] == -1))
			set(s, i, 1, 1);
		else if ((int)i == k && s->r[i] != -1)
			set(s, i, -1, 1);
		else if ((int)i > k && s->fill[i])
			set(s, i, NO_RATING, 0);
	}
	s->fe = k;
}

/* no error: every -1 and unrated step becomes +1; on a trace, no
 * decisive error says nothing of each turn (but a decisive mark filled
 * in goes) */
static void claim_none(struct annot_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (filled_mark(s, i))
			set(s, i, NO_RATING, 0);
		else if (!s->decisive && (s->r[i] == NO_RATING || s->r[i] == -1))
			set(s, i, 1, 1);
	s->fe = -1;
}

static void set_finish(struct annot_state *s, const char *reason)
{
	snprintf(s->finish, sizeof(s->finish), "%s", reason);
}

/* After a rating changed: the claims follow the ratings. */
static void settle(struct annot_state *s)
{
	int j = s->decisive ? -1 : first_bad(s);
	if (s->fe == -1 && j >= 0)
		claim_error(s, j);
	else if (s->fe >= 0 && j >= 0 && j < s->fe)
		claim_error(s, j);
	else if (s->fe >= 0 && s->r[s->fe] != -1)
		s->fe = NO_RATING; /* the step named is no longer wrong */
	if (!strcmp(s->finish, "solution") && s->fe != -1)
		set_finish(s, s->fe >= 0 ? "found_error" : "");
	else if (!strcmp(s->finish, "found_error") && s->fe < 0)
		set_finish(s, s->fe == -1 ? "solution" : "");
}

/* ---- what changed, in words ---- */
static void put_steps(struct buf *b, const int *steps, size_t n, int base, const char *unit)
{
	buf_printf(b, "%s%s ", unit, n > 1 ? "s" : "");
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && steps[j + 1] == steps[j] + 1)
			j++;
		if (i)
			buf_puts(b, ", ");
		if (j >= i + 2)
			buf_printf(b, "%d-%d", steps[i] + base, steps[j] + base);
		else if (j == i + 1)
			buf_printf(b, "%d, %d", steps[i] + base, steps[j] + base);
		else
			buf_printf(b, "%d", steps[i] + base);
		i = j + 1;
	}
}

/* Appends "; steps 2-4 now +1; step 7 cleared" for every rating that
 * differs, except the step the action's own words name (skip); the first
 * error when say_fe, the finish reason unless say_fe < 0. */
static void describe(struct buf *b, const struct annot_state *o,
		     const struct annot_state *s, int skip, int say_fe)
{
	static const int values[] = {1, 0, -1, NO_RATING};
	int *steps = xmalloc((s->n + 1) * sizeof(*steps));
	for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
		size_t n = 0;
		for (size_t i = 0; i < s->n; i++)
			if ((int)i != skip && s->r[i] != o->r[i] && s->r[i] == values[v])
				steps[n++] = (int)i;
		if (!n)
			continue;
		buf_puts(b, "; ");
		put_steps(b, steps, n, s->base, s->unit);
		buf_puts(b, values[v] == NO_RATING ? " cleared" :
			 values[v] == 1 ? " now +1" : values[v] == 0 ? " now 0" : " now -1");
	}
	free(steps);
	if (o->fe != s->fe && say_fe) {
		if (s->fe >= 0)
			buf_printf(b, "; %s now %s %d", s->err, s->unit, s->fe + s->base);
		else if (s->fe == -1)
			buf_puts(b, "; now no error");
		else
			buf_printf(b, "; %s withdrawn", s->err);
	}
	if (say_fe >= 0 && strcmp(o->finish, s->finish)) {
		if (s->finish[0])
			buf_printf(b, "; finish now %s", s->finish);
		else
			buf_puts(b, "; finish withdrawn");
	}
}

/* ---- one action ---- */
struct batch {
	struct label *l;
	size_t n, cap;
	struct arena texts; /* the labels' texts, owned */
};

/* the label added: an alternative's rating sets its alt, an
 * adjudication its fe */
static struct label *batch_add(struct batch *b, const struct annotator *a,
			       enum label_kind kind, int step, int value, const char *text)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 8;
		b->l = xrealloc(b->l, b->cap * sizeof(*b->l));
	}
	struct label *l = &b->l[b->n++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->step = step;
	l->value = value;
	l->text = text ? arena_strndup(&b->texts, text, strlen(text)) : NULL;
	l->annotator = a->name;
	l->origin = a->origin;
	l->alt = -1;
	l->fe = NO_RATING;
	return l;
}

/* One label for each difference between o and s; claim: write the first
 * error label even when it is unchanged (the annotator said it again). */
static void diff(struct batch *b, const struct annotator *a,
		 const struct annot_state *o, const struct annot_state *s, int claim)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->r[i] != o->r[i] || s->fill[i] != o->fill[i])
			batch_add(b, a, LK_RATING, (int)i, s->r[i],
				  s->fill[i] ? ANNOT_FILLED : NULL);
	if (claim || s->fe != o->fe)
		batch_add(b, a, LK_FIRST_ERROR, -1, s->fe, NULL);
	if (strcmp(o->finish, s->finish))
		batch_add(b, a, LK_FINISH, -1, NO_RATING, s->finish[0] ? s->finish : NULL);
}

enum op_kind { OP_RATE, OP_ERROR, OP_NONE, OP_ACCEPT, OP_FINISH, OP_NOTE, OP_UNDO, OP_REDO,
	       OP_ALT, OP_FLAG, OP_ADJUDICATE, OP_BLAME, OP_CORRECT,
	       OP_CATEGORY };
struct op {
	enum op_kind kind;
	int step, value;
	const char *text;
	int alt; /* OP_ALT: the alternative */
};

/* Plans an action on the state in force: its labels, its name and the
 * words for the status line. ANNOT_NOTHING with the reason in what. */
static int plan(const struct op *op, const struct item *it, const struct annotator *a,
		struct annot_state *o, struct batch *b, char *name, size_t nn,
		struct buf *what)
{
	struct annot_state s;
	state_copy(&s, o);
	int skip = -2, claim = 0, say_fe = 1;
	switch (op->kind) {
	case OP_RATE:
		set(&s, (size_t)op->step, op->value, 0);
		settle(&s);
		skip = op->step;
		if (op->value == NO_RATING)
			snprintf(name, nn, "clear %s %d", o->unit, op->step + o->base);
		else if (op->value == 0)
			snprintf(name, nn, "rate %s %d 0", o->unit, op->step + o->base);
		else
			snprintf(name, nn, "rate %s %d %+d", o->unit, op->step + o->base, op->value);
		if (op->value == NO_RATING)
			buf_printf(what, "%s %d cleared", o->unit, op->step + o->base);
		else if (op->value == 0)
			buf_printf(what, "%s %d rated 0", o->unit, op->step + o->base);
		else
			buf_printf(what, "%s %d rated %+d", o->unit, op->step + o->base, op->value);
		break;
	case OP_ERROR:
		claim_error(&s, op->step);
		settle(&s);
		skip = op->step;
		claim = 1;
		say_fe = 0;
		snprintf(name, nn, "%s at %s %d", o->err, o->unit, op->step + o->base);
		buf_printf(what, "%s at %s %d", o->err, o->unit, op->step + o->base);
		break;
	case OP_NONE:
		claim_none(&s);
		settle(&s);
		claim = 1;
		say_fe = 0;
		snprintf(name, nn, "no error");
		buf_puts(what, o->decisive ? "no decisive error in the trace" : "no error in the solution");
		break;
	case OP_ACCEPT: {
		struct resolve_opts eo = {.source = op->text, .threshold = 0.5};
		int *sr = xmalloc((s.n + 1) * sizeof(*sr));
		int sfe = item_resolve(it, &eo, sr);
		int any = 0;
		/* the source's marks up to its own first error, none after */
		for (size_t i = 0; i < s.n && (sfe < 0 || (int)i <= sfe); i++)
			if (sr[i] != NO_RATING) {
				set(&s, i, sr[i], 1);
				any = 1;
			}
		free(sr);
		if (!any && sfe < -1) {
			buf_printf(what, "%s has no suggestion on this solution", op->text);
			annot_state_free(&s);
			return ANNOT_NOTHING;
		}
		if (sfe >= 0)
			claim_error(&s, sfe);
		else if (sfe == -1)
			claim_none(&s);
		settle(&s);
		claim = sfe >= -1;
		say_fe = !claim;
		snprintf(name, nn, "accept %.120s", op->text);
		if (sfe >= 0)
			buf_printf(what, "accepted %s: %s at %s %d", op->text, o->err, o->unit,
				   sfe + o->base);
		else if (sfe == -1)
			buf_printf(what, "accepted %s: no error", op->text);
		else
			buf_printf(what, "accepted %s's ratings", op->text);
		break;
	}
	case OP_FINISH:
		if (!strcmp(op->text, "solution")) {
			claim_none(&s);
		} else if (!strcmp(op->text, "found_error") && s.fe < 0) {
			int j = s.decisive ? -1 : first_bad(&s);
			if (j < 0) {
				buf_printf(what, "found_error needs a %s: mark it first (e)", s.err);
				annot_state_free(&s);
				return ANNOT_NOTHING;
			}
			claim_error(&s, j);
			claim = 1;
		}
		set_finish(&s, op->text);
		settle(&s);
		say_fe = -1; /* the finish reason is the action's own word */
		snprintf(name, nn, "finish %s", op->text);
		buf_printf(what, "finish reason %s", op->text);
		break;
	default:
		annot_state_free(&s);
		return ANNOT_ERR;
	}
	diff(b, a, o, &s, claim);
	/* a trace's decisive error names the agent of its turn, unless the
	 * action blamed another */
	for (size_t k = 0; k < b->n; k++) {
		struct label *l = &b->l[k];
		if (l->agent)
			continue;
		const char *ag = l->kind == LK_FIRST_ERROR && l->value >= 0 &&
				 (size_t)l->value < it->nsteps ? it->steps[l->value].agent : NULL;
		if (ag)
			l->agent = arena_strndup(&b->texts, ag, strlen(ag));
	}
	describe(what, o, &s, skip, say_fe);
	annot_state_free(&s);
	if (!b->n) {
		buf_reset(what);
		buf_puts(what, "already so: nothing changed");
		return ANNOT_NOTHING;
	}
	return ANNOT_OK;
}

static const struct label *newest(const struct item *it, const char *who, int kind, int step,
				  int alt);

/* A trace's decisive error blamed on another agent than its turn's: the
 * first-error label again, naming op->text. */
static int plan_blame(const struct op *op, const struct item *it, const struct annotator *a,
		      const struct annot_state *o, struct batch *b, char *name, size_t nn,
		      struct buf *what)
{
	if (o->fe < 0 || (size_t)o->fe >= it->nsteps) {
		buf_puts(what, "mark the decisive turn first (e), then say who is to blame");
		return ANNOT_NOTHING;
	}
	int known = 0;
	for (size_t i = 0; i < it->nsteps && !known; i++)
		known = it->steps[i].agent && op->text && !strcmp(it->steps[i].agent, op->text);
	if (!known) {
		buf_printf(what, "no agent of this trace is called %s", op->text ? op->text : "");
		return ANNOT_NOTHING;
	}
	const struct label *l = newest(it, a->name, LK_FIRST_ERROR, -1, -1);
	if (l && l->value == o->fe && l->agent && !strcmp(l->agent, op->text)) {
		buf_printf(what, "already so: %s is to blame for turn %d", op->text, o->fe + o->base);
		return ANNOT_NOTHING;
	}
	struct label *fe = batch_add(b, a, LK_FIRST_ERROR, -1, o->fe, NULL);
	fe->agent = arena_strndup(&b->texts, op->text, strlen(op->text));
	snprintf(name, nn, "blame %s for turn %d", op->text, o->fe + o->base);
	buf_printf(what, "decisive error at turn %d: %s to blame", o->fe + o->base, op->text);
	return ANNOT_OK;
}

/* The undo and redo stacks, replayed from the append-only history. */
struct stacks {
	int64_t *undo, *redo;
	size_t nu, nr, cap;
	/* for each action id on the undo stack, its latest application */
	int64_t *applied;
};

static void st_push(int64_t **s, size_t *n, size_t cap, int64_t v)
{
	if (*n < cap)
		(*s)[(*n)++] = v;
}

static void replay(void *ctx, int64_t id, const char *op, int64_t ref,
		   const char *name)
{
	(void)name;
	struct stacks *s = ctx;
	if (s->nu + s->nr + 1 >= s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->undo = xrealloc(s->undo, s->cap * sizeof(int64_t));
		s->redo = xrealloc(s->redo, s->cap * sizeof(int64_t));
		s->applied = xrealloc(s->applied, s->cap * sizeof(int64_t));
	}
	if (strcmp(op, "do") == 0) {
		s->applied[s->nu] = id;
		st_push(&s->undo, &s->nu, s->cap, id);
		s->nr = 0;
	} else if (strcmp(op, "undo") == 0) {
		if (s->nu && s->undo[s->nu - 1] == ref) {
			s->nu--;
			st_push(&s->redo, &s->nr, s->cap, ref);
		}
	} else if (s->nr && s->redo[s->nr - 1] == ref) {
		s->nr--;
		s->applied[s->nu] = id;
		st_push(&s->undo, &s->nu, s->cap, ref);
	}
}

static void stacks_free(struct stacks *s)
{
	free(s->undo);
	free(s->redo);
	free(s->applied);
}

/* Undo appends, for each label of the action on top of the undo stack,
 * the value in force just before its latest application; redo appends
 * the labels of the action on top of the redo stack again. The texts
 * live in ar. */
static int plan_revisit(struct db *db, struct db_solution *v, const struct annotator *a,
			int redo, struct batch *b, int64_t *target, char *name,
			size_t nn, struct arena *ar)
{
	struct stacks s = {0};
	if (db_actions(db, v->id, a->name, replay, &s) < 0) {
		stacks_free(&s);
		return ANNOT_ERR;
	}
	size_t depth = redo ? s.nr : s.nu;
	if (!depth) {
		stacks_free(&s);
		return ANNOT_NOTHING;
	}
	*target = redo ? s.redo[depth - 1] : s.undo[depth - 1];
	int64_t app = redo ? 0 : s.applied[depth - 1];
	stacks_free(&s);
	struct label *orig;
	size_t n;
	if (db_action_labels(db, *target, ar, &orig, &n) < 0 ||
	    db_action_name(db, *target, name, nn) < 0) {
		free(orig);
		return ANNOT_ERR;
	}
	int rc = ANNOT_OK;
	for (size_t i = 0; i < n; i++) {
		struct label l = orig[i];
		if (!redo && db_label_before(db, v->id, a->name, &l, app, ar) < 0) {
			rc = ANNOT_ERR;
			break;
		}
		struct label *again = batch_add(b, a, l.kind, l.step, l.value, l.text);
		again->alt = l.alt;
		again->fe = l.fe;
		again->agent = l.agent ? arena_strndup(&b->texts, l.agent, strlen(l.agent)) : NULL;
	}
	free(orig);
	return rc;
}

/* The annotator's newest label of a kind on a step (an alternative's
 * rating: of alternative alt), or NULL. */
static const struct label *newest(const struct item *it, const char *who, int kind, int step,
				  int alt)
{
	const struct label *found = NULL;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		if (l->kind == (enum label_kind)kind && l->step == step && !strcmp(l->annotator, who) &&
		    (kind != LK_ALT_RATING || l->alt == alt))
			found = l;
	}
	return found;
}

/* An alternative's rating, or the flag "can't judge" on a step: labels
 * of their own, which neither touch the step ratings nor the first
 * error. */
static int plan_step_mark(const struct op *op, const struct item *it, const struct annotator *a,
			  struct batch *b, char *name, size_t nn, struct buf *what)
{
	const int base = trace_is(it) ? 0 : 1;
	const char *unit = base ? "step" : "turn";
	if (op->step < 0 || (size_t)op->step >= it->nsteps) {
		buf_printf(what, "the solution has no %s %d", unit, op->step + base);
		return ANNOT_NOTHING;
	}
	const struct step *st = &it->steps[op->step];
	if (op->kind == OP_FLAG) {
		const struct label *l = newest(it, a->name, LK_FLAG, op->step, -1);
		int on = !(l && l->value == 1);
		batch_add(b, a, LK_FLAG, op->step, on, NULL);
		snprintf(name, nn, "%s %s %d", on ? "flag" : "unflag", unit, op->step + base);
		buf_printf(what, on ? "%s %d flagged: can't judge it" : "%s %d: flag taken back",
			   unit, op->step + base);
		return ANNOT_OK;
	}
	if (op->alt < 0 || (size_t)op->alt >= st->nalts || op->alt == st->chosen) {
		buf_printf(what, "%s %d has no alternative %d", unit, op->step + base, op->alt + 1);
		return ANNOT_NOTHING;
	}
	const struct label *l = newest(it, a->name, LK_ALT_RATING, op->step, op->alt);
	if ((l ? l->value : NO_RATING) == op->value) {
		buf_printf(what, "alternative %d of %s %d is rated so already", op->alt + 1,
			   unit, op->step + base);
		return ANNOT_NOTHING;
	}
	batch_add(b, a, LK_ALT_RATING, op->step, op->value, NULL)->alt = op->alt;
	if (op->value == NO_RATING) {
		snprintf(name, nn, "clear alternative %d of %s %d", op->alt + 1, unit, op->step + base);
		buf_printf(what, "alternative %d of %s %d cleared", op->alt + 1, unit, op->step + base);
	} else {
		snprintf(name, nn, "rate alternative %d of %s %d %+d", op->alt + 1, unit, op->step + base,
			 op->value);
		buf_printf(what, "alternative %d of %s %d rated %+d", op->alt + 1, unit, op->step + base,
			   op->value);
	}
	return ANNOT_OK;
}

/* The right step the annotator wrote for a step: a label of its own (text
 * the step, value +1, its author's rating) that touches no rating. The
 * text loses its trailing blanks (an editor's last newline); an empty
 * one, or one the same as the step or the correction in force, saves
 * nothing. */
static int plan_correct(const struct op *op, const struct item *it, const struct annotator *a,
			struct batch *b, char *name, size_t nn, struct buf *what)
{
	const int base = trace_is(it) ? 0 : 1;
	if (op->step < 0 || (size_t)op->step >= it->nsteps) {
		buf_printf(what, "the solution has no step %d", op->step + base);
		return ANNOT_NOTHING;
	}
	const char *t = op->text ? op->text : "";
	size_t n = strlen(t);
	while (n && strchr(" \t\r\n", t[n - 1]))
		n--;
	const struct label *l = newest(it, a->name, LK_CORRECTION, op->step, -1);
	const char *was = l && l->text ? l->text : NULL, *self = it->steps[op->step].text;
	int step = op->step + base;
	if (!n) {
		buf_printf(what, "step %d: the step written is empty: nothing saved", step);
		return ANNOT_NOTHING;
	}
	if (n > ANNOT_MAX_TEXT || !utf8_valid(t, n)) {
		buf_printf(what, "step %d: the step written is %s: nothing saved", step,
			   n > ANNOT_MAX_TEXT ? "longer than 64 KiB" : "not UTF-8");
		return ANNOT_NOTHING;
	}
	int same_was = was && strlen(was) == n && !memcmp(was, t, n);
	int same_self = self && strlen(self) == n && !memcmp(self, t, n);
	if (same_was || same_self) { /* unchanged from what the editor began with */
		buf_printf(what, "step %d: %s: nothing saved", step, same_was || !was ? "unchanged" :
			   "the step as it is (U takes your written step back)");
		return ANNOT_NOTHING;
	}
	struct label *c = batch_add(b, a, LK_CORRECTION, op->step, 1, NULL);
	c->text = arena_strndup(&b->texts, t, n);
	snprintf(name, nn, "write step %d", step);
	buf_printf(what, "step %d: your step written (%zu byte%s)%s", step, n, n == 1 ? "" : "s",
		   l && l->text ? ", in place of your last" : "");
	return ANNOT_OK;
}

/* The kind of a step's error (op->text a category's key, NULL or ""
 * taking it back) and whether a later step recovered from it (op->value
 * 1, 0, NO_RATING unsaid): only on a step the annotator rated -1 (the
 * first error is), since it names an error. */
static int plan_category(const struct op *op, const struct item *it, const struct annotator *a,
			 const struct annot_state *o, struct batch *b, char *name, size_t nn,
			 struct buf *what)
{
	int k = op->step + o->base;
	if (op->step < 0 || (size_t)op->step >= it->nsteps) {
		buf_printf(what, "the solution has no %s %d", o->unit, k);
		return ANNOT_NOTHING;
	}
	const struct label *l = newest(it, a->name, LK_CATEGORY, op->step, -1);
	const char *key = op->text && *op->text ? op->text : NULL;
	int value = key ? op->value : NO_RATING;
	if (!key && !(l && l->text)) {
		buf_printf(what, "%s %d has no category of yours to take back", o->unit, k);
		return ANNOT_NOTHING;
	}
	if (key && (strlen(key) > 32 || strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"
					      "STUVWXYZ0123456789._-") != strlen(key))) {
		buf_printf(what, "not a category's key: %s", inert(key, 0));
		return ANNOT_NOTHING;
	}
	if (key && o->r[op->step] != -1) {
		buf_printf(what, "step %d is not rated -1 by you: rate it - or e before naming "
			   "its error", k);
		return ANNOT_NOTHING;
	}
	if (key && l && l->text && !strcmp(l->text, key) && l->value == value) {
		buf_printf(what, "%s %d is so already", o->unit, k);
		return ANNOT_NOTHING;
	}
	batch_add(b, a, LK_CATEGORY, op->step, value, key);
	const char *rec = value == 1 ? ", recovered later" : value == 0 ? ", not recovered" : "";
	if (key) {
		snprintf(name, nn, "category %s%s on %s %d", key, rec, o->unit, k);
		buf_printf(what, "%s %d: %s%s", o->unit, k, key, rec);
	} else {
		snprintf(name, nn, "clear the category of %s %d", o->unit, k);
		buf_printf(what, "%s %d: category taken back", o->unit, k);
	}
	return ANNOT_OK;
}

/* An adjudicator's decision: the first error (-1 none) and the reason,
 * a label of its own that is nobody's verdict. */
static int plan_adjudicate(const struct op *op, const struct item *it,
			   const struct annotator *a, struct batch *b, char *name, size_t nn,
			   struct buf *what)
{
	const int base = trace_is(it) ? 0 : 1;
	const char *unit = base ? "step" : "turn";
	if (op->value < -1 || op->value >= (int)it->nsteps) {
		buf_printf(what, "the solution has no %s %d", unit, op->value + base);
		return ANNOT_NOTHING;
	}
	if (!op->text || !*op->text) {
		buf_puts(what, "an adjudication needs a reason");
		return ANNOT_NOTHING;
	}
	const struct label *l = newest(it, a->name, LK_ADJUDICATION, -1, -1);
	if (l && l->fe == op->value && l->text && !strcmp(l->text, op->text)) {
		buf_puts(what, "already adjudicated so, for that reason");
		return ANNOT_NOTHING;
	}
	struct label *adj = batch_add(b, a, LK_ADJUDICATION, -1, NO_RATING, op->text);
	adj->fe = op->value;
	const char *ag = op->value >= 0 ? it->steps[op->value].agent : NULL;
	if (ag) /* a trace: the agent of the decisive turn */
		adj->agent = arena_strndup(&b->texts, ag, strlen(ag));
	if (op->value >= 0) {
		snprintf(name, nn, "adjudicate: %s at %s %d", base ? "first error" : "decisive error",
			 unit, op->value + base);
		buf_printf(what, "adjudicated: %s at %s %d", base ? "first error" : "decisive error",
			   unit, op->value + base);
	} else {
		snprintf(name, nn, "adjudicate: no error");
		buf_puts(what, "adjudicated: no error");
	}
	return ANNOT_OK;
}

/* Runs op in one transaction on the solution as the store has it now. */
static int run(struct db *db, struct db_solution *v, const struct annotator *a,
	       const struct op *op, struct annot_result *res)
{
	struct annot_result scratch;
	if (!res)
		res = &scratch;
	res->action = 0;
	res->what[0] = '\0';
	if (db_begin(db) < 0) {
		int rc = db_busy(db) ? ANNOT_BUSY : db_full(db) ? ANNOT_FULL : ANNOT_ERR;
		snprintf(res->what, sizeof(res->what), "%s", db_errmsg(db));
		db_solution_load(db, v->id, v);
		return rc;
	}
	int rc = ANNOT_ERR;
	struct batch b = {0};
	struct buf what = {0};
	struct arena ar = {0};
	struct annot_state before = {0}, after = {0};
	char name[160] = "";
	int64_t target = 0;
	const char *opname = "do";
	if (db_solution_load(db, v->id, v) != 1)
		goto out;
	annot_state_load(&before, &v->it, a->name);
	if ((op->kind == OP_RATE || op->kind == OP_ERROR) &&
	    (op->step < 0 || (size_t)op->step >= v->it.nsteps)) {
		rc = ANNOT_NOTHING;
		buf_printf(&what, "the solution has no %s %d", before.unit, op->step + before.base);
		goto out;
	}
	if (op->kind == OP_UNDO || op->kind == OP_REDO) {
		rc = plan_revisit(db, v, a, op->kind == OP_REDO, &b, &target, name,
				  sizeof(name), &ar);
		opname = op->kind == OP_REDO ? "redo" : "undo";
		if (rc == ANNOT_NOTHING)
			buf_printf(&what, "nothing to %s", opname);
	} else if (op->kind == OP_ALT || op->kind == OP_FLAG) {
		rc = plan_step_mark(op, &v->it, a, &b, name, sizeof(name), &what);
	} else if (op->kind == OP_ADJUDICATE) {
		rc = plan_adjudicate(op, &v->it, a, &b, name, sizeof(name), &what);
	} else if (op->kind == OP_CORRECT) {
		rc = plan_correct(op, &v->it, a, &b, name, sizeof(name), &what);
	} else if (op->kind == OP_BLAME) {
		rc = plan_blame(op, &v->it, a, &before, &b, name, sizeof(name), &what);
	} else if (op->kind == OP_CATEGORY) {
		rc = plan_category(op, &v->it, a, &before, &b, name, sizeof(name), &what);
	} else if (op->kind == OP_NOTE) {
		batch_add(&b, a, LK_NOTE, op->step, NO_RATING, op->text && *op->text ? op->text : NULL);
		snprintf(name, sizeof(name), op->step >= 0 ? "note on %s %d" : "note", before.unit, op->step + before.base);
		if (op->text && *op->text)
			buf_printf(&what, "note on %s %d", before.unit, op->step + before.base);
		else
			buf_printf(&what, "note on %s %d deleted", before.unit, op->step + before.base);
		rc = ANNOT_OK;
	} else {
		rc = plan(op, &v->it, a, &before, &b, name, sizeof(name), &what);
	}
	if (rc != ANNOT_OK)
		goto out;
	rc = ANNOT_ERR;
	int64_t id = db_action_add(db, v->id, a->name, opname, target,
				   target ? opname : name, a->active_ms);
	struct buf sumtext = {0};
	struct summary sum;
	if (id > 0 && db_labels_add(db, v->id, b.l, b.n, id, &a->guidelines) == 0 &&
	    db_solution_load(db, v->id, v) == 1) {
		summary_compute(&v->it, &sumtext, &sum);
		if (db_summary_put(db, v->id, v->dataset_id, &sum) == 0 &&
		    db_commit(db) == 0) {
			rc = ANNOT_OK;
			res->action = id;
		}
	}
	buf_free(&sumtext);
	res->step = -1;
	if (rc == ANNOT_OK && target) { /* undo, redo: say what came back */
		annot_state_load(&after, &v->it, a->name);
		buf_printf(&what, "%s %s", opname, name);
		describe(&what, &before, &after, -2, op->kind == OP_UNDO);
		for (size_t i = 0; i < after.n && res->step < 0; i++)
			if (after.r[i] != before.r[i])
				res->step = (int)i;
		if (res->step < 0 && after.fe != before.fe)
			res->step = after.fe >= 0 ? after.fe : before.fe >= 0 ? before.fe : -1;
	}
out:
	if (rc != ANNOT_OK) {
		if (rc != ANNOT_NOTHING)
			rc = db_busy(db) ? ANNOT_BUSY : db_full(db) ? ANNOT_FULL : ANNOT_ERR;
		if (rc == ANNOT_ERR || rc == ANNOT_FULL) { /* the store's reason, before the rollback */
			buf_reset(&what);
			buf_puts(&what, db_errmsg(db));
		}
		db_rollback(db);
		db_solution_load(db, v->id, v);
	}
	snprintf(res->what, sizeof(res->what), "%s", what.data ? what.data : "");
	annot_state_free(&before);
	annot_state_free(&after);
	buf_free(&what);
	free(b.l);
	arena_free(&b.texts);
	arena_free(&ar);
	return rc;
}

int annot_rate(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, int value, struct annot_result *res)
{
	struct op op = {OP_RATE, step, value, NULL, -1};
	return run(db, v, a, &op, res);
}

int annot_first_error(struct db *db, struct db_solution *v,
		      const struct annotator *a, int step, struct annot_result *res)
{
	struct op op = {OP_ERROR, step, 0, NULL, -1};
	return run(db, v, a, &op, res);
}

int annot_no_error(struct db *db, struct db_solution *v,
		   const struct annotator *a, struct annot_result *res)
{
	struct op op = {OP_NONE, -1, 0, NULL, -1};
	return run(db, v, a, &op, res);
}

int annot_accept(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *source, struct annot_result *res)
{
	struct op op = {OP_ACCEPT, -1, 0, source, -1};
	return run(db, v, a, &op, res);
}

int annot_finish(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *reason, struct annot_result *res)
{
	struct op op = {OP_FINISH, -1, 0, reason, -1};
	return run(db, v, a, &op, res);
}

int annot_blame(struct db *db, struct db_solution *v, const struct annotator *a,
		const char *agent, struct annot_result *res)
{
	struct op op = {OP_BLAME, -1, 0, agent, -1};
	return run(db, v, a, &op, res);
}

int annot_note(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, const char *text, struct annot_result *res)
{
	struct op op = {OP_NOTE, step, 0, text, -1};
	return run(db, v, a, &op, res);
}

int annot_adjudicate(struct db *db, struct db_solution *v, const struct annotator *a,
		     int first_error, const char *reason, struct annot_result *res)
{
	struct op op = {OP_ADJUDICATE, -1, first_error, reason, -1};
	return run(db, v, a, &op, res);
}

int annot_undo(struct db *db, struct db_solution *v, const struct annotator *a,
	       struct annot_result *res)
{
	struct op op = {OP_UNDO, -1, 0, NULL, -1};
	return run(db, v, a, &op, res);
}

int annot_redo(struct db *db, struct db_solution *v, const struct annotator *a,
	       struct annot_result *res)
{
	struct op op = {OP_REDO, -1, 0, NULL, -1};
	return run(db, v, a, &op, res);
}

int annot_rate_alt(struct db *db, struct db_solution *v, const struct annotator *a,
		   int step, int alt, int value, struct annot_result *res)
{
	struct op op = {OP_ALT, step, value, NULL, alt};
	return run(db, v, a, &op, res);
}

int annot_flag(struct db *db, struct db_solution *v, const struct annotator *a, int step,
	       struct annot_result *res)
{
	struct op op = {OP_FLAG, step, 0, NULL, -1};
	return run(db, v, a, &op, res);
}

int annot_correct(struct db *db, struct db_solution *v, const struct annotator *a, int step,
		  const char *text, struct annot_result *res)
{
	struct op op = {OP_CORRECT, step, 0, text, -1};
	return run(db, v, a, &op, res);
}

int annot_category(struct db *db, struct db_solution *v, const struct annotator *a, int step,
		   const char *key, int recovered, struct annot_result *res)
{
	struct op op = {OP_CATEGORY, step, recovered, key, -1};
	return run(db, v, a, &op, res);
}
