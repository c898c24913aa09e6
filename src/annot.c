/* annot.c - labelling actions: each one a short transaction of appended
 * labels; undo and redo append the labels that revert or repeat one */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "fmt.h"
#include "summary.h"

const char *const annot_finish_reasons[4] = {
	"solution", "found_error", "give_up", "bad_problem",
};

struct batch {
	struct label *l;
	size_t n, cap;
};

static void batch_add(struct batch *b, const struct annotator *a,
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
	l->text = text;
	l->annotator = a->name;
	l->origin = a->origin;
}

/* Writes one action with its labels and the new summary. */
static int commit(struct db *db, struct db_solution *v, const struct annotator *a,
		  const char *op, int64_t ref, const char *name,
		  struct batch *b, int64_t *action)
{
	if (b->n == 0) {
		free(b->l);
		return ANNOT_NOTHING;
	}
	int rc = ANNOT_ERR;
	if (db_begin(db) < 0) {
		rc = db_busy(db) ? ANNOT_BUSY : ANNOT_ERR;
		free(b->l);
		return rc;
	}
	int64_t id = db_action_add(db, v->id, a->name, op, ref, name);
	struct buf text = {0};
	struct summary sum;
	if (id > 0 && db_labels_add(db, v->id, b->l, b->n, id) == 0 &&
	    db_solution_load(db, v->id, v) == 1) {
		summary_compute(&v->it, &text, &sum);
		if (db_summary_put(db, v->id, v->dataset_id, &sum) == 0 &&
		    db_commit(db) == 0)
			rc = ANNOT_OK;
	}
	if (rc != ANNOT_OK) {
		rc = db_busy(db) ? ANNOT_BUSY : ANNOT_ERR;
		db_rollback(db);
		db_solution_load(db, v->id, v);
	} else if (action) {
		*action = id;
	}
	buf_free(&text);
	free(b->l);
	return rc;
}

/* The annotator's ratings in force, NO_RATING where none. */
static int *my_ratings(const struct db_solution *v, const struct annotator *a)
{
	int *r = xmalloc((v->it.nsteps + 1) * sizeof(*r));
	/* only explicit step ratings count as "already labelled": a first
	 * error implies ratings, which are recomputed from it */
	struct item sub = v->it;
	struct label *l = xmalloc((v->it.nlabels + 1) * sizeof(*l));
	sub.labels = l;
	sub.nlabels = 0;
	sub.nsugs = 0;
	for (size_t i = 0; i < v->it.nlabels; i++) {
		const struct label *x = &v->it.labels[i];
		if (strcmp(x->annotator, a->name) == 0 &&
		    (x->kind == LK_RATING || x->kind == LK_RATINGS))
			l[sub.nlabels++] = *x;
	}
	item_resolve(&sub, NULL, r);
	free(l);
	return r;
}

int annot_rate(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, int value, int64_t *action)
{
	if (step < 0 || (size_t)step >= v->it.nsteps)
		return ANNOT_NOTHING;
	struct batch b = {0};
	char name[64];
	batch_add(&b, a, LK_RATING, step, value, NULL);
	if (value == NO_RATING)
		snprintf(name, sizeof(name), "clear step %d", step + 1);
	else
		snprintf(name, sizeof(name), "rate step %d %+d", step + 1, value);
	return commit(db, v, a, "do", 0, name, &b, action);
}

int annot_first_error(struct db *db, struct db_solution *v,
		      const struct annotator *a, int step, int64_t *action)
{
	if (step < 0 || (size_t)step >= v->it.nsteps)
		return ANNOT_NOTHING;
	int *r = my_ratings(v, a);
	struct batch b = {0};
	for (int i = 0; i < step; i++)
		if (r[i] == NO_RATING)
			batch_add(&b, a, LK_RATING, i, 1, NULL);
	if (r[step] != -1)
		batch_add(&b, a, LK_RATING, step, -1, NULL);
	batch_add(&b, a, LK_FIRST_ERROR, -1, step, NULL);
	free(r);
	char name[64];
	snprintf(name, sizeof(name), "first error at step %d", step + 1);
	return commit(db, v, a, "do", 0, name, &b, action);
}

int annot_no_error(struct db *db, struct db_solution *v,
		   const struct annotator *a, int64_t *action)
{
	int *r = my_ratings(v, a);
	struct batch b = {0};
	for (size_t i = 0; i < v->it.nsteps; i++)
		if (r[i] == NO_RATING)
			batch_add(&b, a, LK_RATING, (int)i, 1, NULL);
	batch_add(&b, a, LK_FIRST_ERROR, -1, -1, NULL);
	free(r);
	return commit(db, v, a, "do", 0, "no error", &b, action);
}

int annot_accept(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *source, int64_t *action)
{
	size_t n = v->it.nsteps;
	int *r = xmalloc((n + 1) * sizeof(*r));
	struct export_opts o = {.source = source, .threshold = 0.5};
	int fe = item_resolve(&v->it, &o, r);
	struct batch b = {0};
	for (size_t i = 0; i < n; i++)
		if (r[i] != NO_RATING)
			batch_add(&b, a, LK_RATING, (int)i, r[i], NULL);
	if (fe >= -1)
		batch_add(&b, a, LK_FIRST_ERROR, -1, fe, NULL);
	free(r);
	char name[160];
	snprintf(name, sizeof(name), "accept %s", source);
	return commit(db, v, a, "do", 0, name, &b, action);
}

int annot_finish(struct db *db, struct db_solution *v, const struct annotator *a,
		 const char *reason, int64_t *action)
{
	struct batch b = {0};
	batch_add(&b, a, LK_FINISH, -1, NO_RATING, reason);
	char name[64];
	snprintf(name, sizeof(name), "finish %s", reason);
	return commit(db, v, a, "do", 0, name, &b, action);
}

int annot_note(struct db *db, struct db_solution *v, const struct annotator *a,
	       int step, const char *text, int64_t *action)
{
	struct batch b = {0};
	batch_add(&b, a, LK_NOTE, step, NO_RATING, text && *text ? text : NULL);
	char name[64];
	snprintf(name, sizeof(name), step >= 0 ? "note on step %d" : "note",
		 step + 1);
	return commit(db, v, a, "do", 0, name, &b, action);
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
 * the labels of the action on top of the redo stack again. */
static int revisit(struct db *db, struct db_solution *v, const struct annotator *a,
		   int redo, int64_t *action)
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
	int64_t target = redo ? s.redo[depth - 1] : s.undo[depth - 1];
	int64_t app = redo ? 0 : s.applied[depth - 1];
	stacks_free(&s);
	struct arena ar = {0};
	struct label *orig;
	size_t n;
	if (db_action_labels(db, target, &ar, &orig, &n) < 0) {
		arena_free(&ar);
		return ANNOT_ERR;
	}
	struct batch b = {0};
	for (size_t i = 0; i < n; i++) {
		struct label l = orig[i];
		if (!redo && db_label_before(db, v->id, a->name, &l, app, &ar) < 0)
			break;
		batch_add(&b, a, l.kind, l.step, l.value, l.text);
	}
	const char *op = redo ? "redo" : "undo";
	int rc = ANNOT_ERR;
	if (b.n == n)
		rc = commit(db, v, a, op, target, op, &b, action); /* frees b.l */
	else
		free(b.l);
	free(orig);
	arena_free(&ar);
	return rc;
}

int annot_undo(struct db *db, struct db_solution *v, const struct annotator *a,
	       int64_t *action)
{
	return revisit(db, v, a, 0, action);
}

int annot_redo(struct db *db, struct db_solution *v, const struct annotator *a,
	       int64_t *action)
{
	return revisit(db, v, a, 1, action);
}
