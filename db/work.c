/* work.c - the workbench's reads and writes: one solution, its actions, the queue's rows, search */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id {
	S_ONE_SOL, S_ONE_STEP, S_ONE_LABEL, S_ONE_SUG, S_ONE_ALIGN, S_ACTION_ADD,
	S_ACTION_LIST, S_ACTION_NAME, S_ACTION_LABELS, S_LABEL_BEFORE, S_QROW,
	S_MAX_LABEL, S_SOL_TEXTS, S_LAST_GUIDELINES, S_RANGE_PROBLEMS, S_RANGE_STEPS,
	S_IDS_PROBLEMS, S_IDS_STEPS, S_WIN_SOL, S_WIN_STEP, S_SUM_SOL, S_SUM_SUG, S_SUM_LABEL_MORE,
	S_SUM_SUG_MORE, S_SUM_LABELS_KEPT,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_ONE_SOL] = "SELECT s.id, d.name, s.ext_key, p.text, p.gold_answer, p.reference, s.generator, s.final_answer, "
		      "s.correct, s.finish_reason, s.meta, s.source_line, s.tail, s.dataset_id, p.gold_derived, "
		      "p.reference_steps FROM solution s "
		      "JOIN problem p ON p.id = s.problem_id JOIN dataset d ON d.id = s.dataset_id WHERE s.id = ?1",
	[S_ONE_STEP] = "SELECT solution_id, idx, text, chosen, alts, agent, role FROM step WHERE solution_id = ?1 ORDER BY idx",
	[S_ONE_LABEL] = "SELECT solution_id, step_idx, kind, value, text, annotator, origin, created_at, agent, id, action_id, "
			"guidelines FROM label WHERE solution_id = ?1 ORDER BY id",
	/* the guidelines version of an annotator's newest label made in the workbench */
	[S_LAST_GUIDELINES] = "SELECT coalesce(guidelines, '') FROM label WHERE annotator = ?1 "
			      "AND action_id IS NOT NULL ORDER BY id DESC LIMIT 1",
	[S_ONE_SUG] = "SELECT solution_id, step_idx, source, model, origin, value, first_error, k, n, rationale, agent, "
		      "job_id, rollouts FROM suggestion WHERE solution_id = ?1 ORDER BY id",
	[S_ONE_ALIGN] = "SELECT step_idx, ref_step, score, source FROM alignment WHERE solution_id = ?1 ORDER BY step_idx, ref_step",
	[S_ACTION_ADD] = "INSERT INTO action(solution_id, annotator, op, ref, name, created_at, active_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* the undo stack's: an action pulled from the hub (made on another
	 * store, its labels here not its own) is not this store's to undo */
	[S_ACTION_LIST] = "SELECT id, op, ref, name FROM action WHERE solution_id = ?1 AND annotator = ?2 "
			  "AND EXISTS (SELECT 1 FROM label WHERE action_id = action.id) ORDER BY id",
	[S_ACTION_NAME] = "SELECT name FROM action WHERE id = ?1",
	[S_ACTION_LABELS] = "SELECT step_idx, kind, value, text, agent FROM label WHERE action_id = ?1 ORDER BY id",
	[S_LABEL_BEFORE] = "SELECT value, text, agent FROM label WHERE solution_id = ?1 AND annotator = ?2 AND kind = ?3 "
			   "AND step_idx IS ?4 AND id < ?5 AND (?6 IS NULL OR text = ?6) "
			   "ORDER BY id DESC LIMIT 1",
	[S_QROW] = "SELECT s.id, d.name, s.ext_key, m.nsteps, m.labelled, m.flags, m.verdicts, substr(p.text, 1, 300), "
		   "(SELECT t.agent IS NOT NULL FROM step t WHERE t.solution_id = s.id AND t.idx = 0) "
		   "FROM summary m JOIN solution s ON s.id = m.solution_id JOIN dataset d ON d.id = s.dataset_id "
		   "JOIN problem p ON p.id = s.problem_id WHERE m.solution_id = ?1",
	[S_MAX_LABEL] = "SELECT coalesce(min(id), 0) FROM label WHERE action_id = ?1",
	/* a solution's texts for search: the problem, then each step */
	[S_SOL_TEXTS] = "SELECT p.text FROM solution s JOIN problem p ON p.id = s.problem_id "
			"WHERE s.id = ?1 UNION ALL SELECT text FROM step WHERE solution_id = ?1",
	/* the same for a range of solutions, in two scans */
	[S_RANGE_PROBLEMS] = "SELECT s.id, p.text FROM solution s JOIN problem p ON p.id = s.problem_id "
			     "WHERE s.id BETWEEN ?1 AND ?2",
	[S_RANGE_STEPS] = "SELECT solution_id, text FROM step WHERE solution_id BETWEEN ?1 AND ?2",
	/* the same for a list of ids (a JSON array) far apart */
	[S_IDS_PROBLEMS] = "SELECT s.id, p.text FROM solution s JOIN problem p ON p.id = s.problem_id "
			   "WHERE s.id IN (SELECT value FROM json_each(?1))",
	[S_IDS_STEPS] = "SELECT solution_id, text FROM step WHERE solution_id IN "
			"(SELECT value FROM json_each(?1))",
	/* S_ONE_SOL and S_ONE_STEP over a range of solutions, in id order,
	 * only what a provider's request is made of (win_solution,
	 * win_step): not the solution's key, generator, answer, verdict,
	 * finish, meta, line and tail, nor the steps' choice and
	 * alternatives (a fifth of the window's reading) */
	[S_WIN_SOL] = "SELECT s.id, d.name, p.text, p.gold_answer, p.reference, s.dataset_id, "
		      "p.gold_derived, p.reference_steps FROM solution s "
		      "JOIN problem p ON p.id = s.problem_id JOIN dataset d ON d.id = s.dataset_id "
		      "WHERE s.id BETWEEN ?1 AND ?2 ORDER BY s.id",
	[S_WIN_STEP] = "SELECT solution_id, text, agent, role FROM step "
		       "WHERE solution_id BETWEEN ?1 AND ?2 ORDER BY solution_id, idx",
	/* what a summary is made of: the data set, the steps counted and
	 * whether the first names an agent (a trace), not read */
	[S_SUM_SOL] = "SELECT s.dataset_id, (SELECT count(*) FROM step WHERE solution_id = s.id), "
		      "coalesce((SELECT agent IS NOT NULL FROM step WHERE solution_id = s.id AND idx = 0), 0) "
		      "FROM solution s WHERE s.id = ?1",
	/* S_ONE_SUG without what no summary reads (rationale, rollouts) */
	[S_SUM_SUG] = "SELECT solution_id, step_idx, source, model, origin, value, first_error, k, n, NULL, agent, "
		      "job_id, NULL, id FROM suggestion WHERE solution_id = ?1 ORDER BY id",
	/* those added since a read (ids above its last: a label moved by a
	 * sync's reorder gets one above every label too) */
	[S_SUM_LABEL_MORE] = "SELECT solution_id, step_idx, kind, value, text, annotator, origin, created_at, agent, "
			     "id, action_id, guidelines FROM label WHERE solution_id = ?1 AND id > ?2 ORDER BY id",
	[S_SUM_SUG_MORE] = "SELECT solution_id, step_idx, source, model, origin, value, first_error, k, n, NULL, "
			   "agent, job_id, NULL, id FROM suggestion WHERE solution_id = ?1 AND id > ?2 "
			   "ORDER BY id",
	/* ... and which of the labels read are still there (by the index alone) */
	[S_SUM_LABELS_KEPT] = "SELECT id FROM label WHERE solution_id = ?1 AND id <= ?2 ORDER BY id",
};

static const struct stmt_table stmts = {ROOM_WORK, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

void db_solution_free(struct db_solution *v)
{
	free(v->it.steps);
	free(v->it.labels);
	free(v->it.sugs);
	free(v->label_ids);
	free(v->label_actions);
	free(v->aligns);
	arena_free(&v->a);
	memset(v, 0, sizeof(*v));
}

/* The rows of statement which (S_ONE_STEP, _LABEL, _SUG or _ALIGN; the
 * summary's S_SUM_*) of one solution into v, after those it holds. */
static int load_rows(struct db *db, sqlite3_stmt *q, struct db_solution *v,
		     enum stmt_id which)
{
	/* the arrays hold as many as they have (more, maybe) */
	size_t cap = which == S_ONE_STEP ? v->it.nsteps : which == S_ONE_ALIGN ? v->naligns :
		     which == S_ONE_LABEL || which == S_SUM_LABEL_MORE ? v->it.nlabels : v->it.nsugs;
	size_t capid = v->it.nlabels, capact = v->it.nlabels;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct item *it = &v->it;
		if (which == S_ONE_STEP) {
			it->steps = dbi_grow(it->steps, it->nsteps, &cap, sizeof(*it->steps));
			dbi_load_step(&it->steps[it->nsteps++], q, &v->a);
		} else if (which == S_ONE_LABEL || which == S_SUM_LABEL_MORE) {
			size_t n = it->nlabels;
			it->labels = dbi_grow(it->labels, n, &cap, sizeof(*it->labels));
			v->label_ids = dbi_grow(v->label_ids, n, &capid, sizeof(int64_t));
			v->label_actions = dbi_grow(v->label_actions, n, &capact, sizeof(int64_t));
			dbi_load_label(&it->labels[n], q, &v->a);
			v->label_ids[n] = sqlite3_column_int64(q, 9);
			v->label_actions[n] = sqlite3_column_int64(q, 10);
			it->labels[n].guidelines = dbi_adup(&v->a, q, 11);
			it->nlabels++;
		} else if (which == S_ONE_SUG || which == S_SUM_SUG || which == S_SUM_SUG_MORE) {
			it->sugs = dbi_grow(it->sugs, it->nsugs, &cap, sizeof(*it->sugs));
			dbi_load_sug(&it->sugs[it->nsugs++], q, &v->a);
			if (which != S_ONE_SUG)
				v->sug_top = sqlite3_column_int64(q, 13);
		} else {
			v->aligns = dbi_grow(v->aligns, v->naligns, &cap, sizeof(*v->aligns));
			struct db_align *al = &v->aligns[v->naligns++];
			al->step = sqlite3_column_int(q, 0);
			al->ref = sqlite3_column_int(q, 1);
			al->score = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN :
				    sqlite3_column_double(q, 2);
			al->source = dbi_adup(&v->a, q, 3);
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
}

/* the solution, then the rows of the first `parts` of its steps, labels,
 * suggestions and alignments */
static int solution_load(struct db *db, int64_t sol, struct db_solution *v, size_t parts)
{
	db_solution_free(v);
	sqlite3_stmt *s = stmt(db, S_ONE_SOL);
	sqlite3_bind_int64(s, 1, sol);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	v->id = sol;
	dbi_load_solution(&v->it, &v->dataset, s, &v->a, 14);
	v->dataset_id = sqlite3_column_int64(s, 13);
	sqlite3_reset(s);
	static const enum stmt_id ids[] = {S_ONE_STEP, S_ONE_LABEL, S_ONE_SUG, S_ONE_ALIGN};
	for (size_t i = 0; i < ARRAY_SIZE(ids) && i < parts; i++) {
		sqlite3_stmt *q = stmt(db, ids[i]);
		sqlite3_bind_int64(q, 1, sol);
		if (load_rows(db, q, v, ids[i]) < 0)
			return -1;
	}
	return 1;
}

int db_solution_load(struct db *db, int64_t sol, struct db_solution *v)
{
	return solution_load(db, sol, v, 4);
}

int db_solution_verdicts(struct db *db, int64_t sol, struct db_solution *v)
{
	db_solution_free(v);
	sqlite3_stmt *s = stmt(db, S_SUM_SOL);
	sqlite3_bind_int64(s, 1, sol);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	v->id = sol;
	v->dataset_id = sqlite3_column_int64(s, 0);
	v->it.nsteps = (size_t)sqlite3_column_int64(s, 1);
	v->it.trace = sqlite3_column_int(s, 2);
	v->it.agreed.fe = -3;
	sqlite3_reset(s);
	static const enum stmt_id ids[] = {S_ONE_LABEL, S_SUM_SUG};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		sqlite3_stmt *q = stmt(db, ids[i]);
		sqlite3_bind_int64(q, 1, sol);
		if (load_rows(db, q, v, ids[i]) < 0)
			return -1;
	}
	return 1;
}

/* v's labels up to its last that are still there kept, in order, those
 * moved away (a sync's reorder: they come again above) dropped. 1, 0
 * when one is there that v lacks or too many were dropped (read it
 * again), -1 on an error. */
static int labels_kept(struct db *db, struct db_solution *v, int64_t top)
{
	sqlite3_stmt *s = stmt(db, S_SUM_LABELS_KEPT);
	sqlite3_bind_int64(s, 1, v->id);
	sqlite3_bind_int64(s, 2, top);
	size_t j = 0, k = 0, n = v->it.nlabels;
	int rc, ok = 1;
	while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		while (j < n && v->label_ids[j] < id)
			j++; /* moved away */
		if (j == n || v->label_ids[j] != id) {
			ok = 0;
			break;
		}
		v->it.labels[k] = v->it.labels[j];
		v->label_ids[k] = v->label_ids[j];
		v->label_actions[k++] = v->label_actions[j++];
	}
	sqlite3_reset(s);
	if (ok && rc != SQLITE_DONE)
		return -1;
	/* the dropped labels' strings stay in v's arena until it is read again */
	v->dropped += n - k;
	v->it.nlabels = k;
	return ok && v->dropped <= k + 64;
}

int db_solution_verdicts_more(struct db *db, struct db_solution *v)
{
	size_t nl = v->it.nlabels;
	int64_t ltop = nl ? v->label_ids[nl - 1] : 0;
	/* suggestions are never moved nor deleted: only labels are looked at */
	int rc = labels_kept(db, v, ltop);
	if (rc <= 0)
		return rc;
	sqlite3_stmt *q = stmt(db, S_SUM_LABEL_MORE);
	sqlite3_bind_int64(q, 1, v->id);
	sqlite3_bind_int64(q, 2, ltop);
	if (load_rows(db, q, v, S_SUM_LABEL_MORE) < 0)
		return -1;
	q = stmt(db, S_SUM_SUG_MORE);
	sqlite3_bind_int64(q, 1, v->id);
	sqlite3_bind_int64(q, 2, v->sug_top);
	return load_rows(db, q, v, S_SUM_SUG_MORE) < 0 ? -1 : 1;
}

int db_solution_texts(struct db *db, int64_t sol, struct db_solution *v)
{
	return solution_load(db, sol, v, 1);
}

int db_solution_marks(struct db *db, struct db_solution *v)
{
	struct item *it = &v->it;
	free(it->labels);
	free(it->sugs);
	free(v->label_ids);
	free(v->label_actions);
	it->labels = NULL;
	it->sugs = NULL;
	v->label_ids = v->label_actions = NULL;
	it->nlabels = it->nsugs = 0;
	static const enum stmt_id ids[] = {S_ONE_LABEL, S_ONE_SUG};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		sqlite3_stmt *q = stmt(db, ids[i]);
		sqlite3_bind_int64(q, 1, v->id);
		if (load_rows(db, q, v, ids[i]) < 0)
			return -1;
	}
	return 0;
}

/* the index of the first of sols[lo..n) that is at least id (n: none) */
static size_t sol_at(const int64_t *sols, size_t lo, size_t n, int64_t id)
{
	while (lo < n && sols[lo] < id)
		lo++;
	return lo;
}

/* S_WIN_SOL's row into v (its id set), as dbi_load_solution would with
 * the columns it does not read NULL */
static void win_solution(struct db_solution *v, sqlite3_stmt *s, struct arena *a)
{
	struct item *it = &v->it;
	memset(it, 0, sizeof(*it));
	v->dataset = dbi_adup(a, s, 1);
	it->problem = dbi_adup(a, s, 2);
	it->gold = dbi_adup(a, s, 3);
	it->reference = dbi_adup(a, s, 4);
	v->dataset_id = sqlite3_column_int64(s, 5);
	it->gold_derived = sqlite3_column_int(s, 6);
	it->reference_steps = dbi_adup(a, s, 7);
	it->correct = -1;
	it->agreed.fe = -3;
}

int db_solutions_texts(struct db *db, const int64_t *sols, size_t n, struct db_solution *out,
		       struct arena *a)
{
	for (size_t i = 0; i < n; i++)
		memset(&out[i], 0, sizeof(out[i]));
	if (!n)
		return 0;
	int64_t lo = sols[0], hi = sols[n - 1];
	/* far apart: one solution at a time reads less than the range */
	if (hi - lo >= (int64_t)n * 4 + 64) {
		for (size_t i = 0; i < n; i++)
			if (solution_load(db, sols[i], &out[i], 1) < 0)
				return -1;
		return 0;
	}
	sqlite3_stmt *s = stmt(db, S_WIN_SOL);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	size_t i = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if ((i = sol_at(sols, i, n, id)) == n)
			break;
		if (sols[i] != id)
			continue;
		out[i].id = id;
		win_solution(&out[i], s, a);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	s = stmt(db, S_WIN_STEP);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	size_t cap = 0;
	i = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		size_t j = sol_at(sols, i, n, id);
		if (j == n)
			break;
		if (j != i)
			cap = 0; /* the next solution's first step */
		i = j;
		struct db_solution *v = &out[i];
		if (sols[i] != id || !v->id)
			continue;
		struct item *it = &v->it;
		it->steps = dbi_grow(it->steps, it->nsteps, &cap, sizeof(*it->steps));
		it->steps[it->nsteps++] = (struct step){.text = dbi_adup(a, s, 1), .chosen = -1,
							.agent = dbi_adup(a, s, 2),
							.role = dbi_adup(a, s, 3)};
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int64_t db_action_add(struct db *db, int64_t sol, const char *annotator,
		      const char *op, int64_t ref, const char *name, long active_ms)
{
	sqlite3_stmt *s = stmt(db, S_ACTION_ADD);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, annotator);
	bind_text(s, 3, op);
	if (ref > 0)
		sqlite3_bind_int64(s, 4, ref);
	bind_text(s, 5, name);
	bind_text(s, 6, db->now);
	if (active_ms > 0)
		sqlite3_bind_int64(s, 7, active_ms);
	if (dbi_step_done(db, s) < 0)
		return -1;
	return sqlite3_last_insert_rowid(db->h);
}

int db_actions(struct db *db, int64_t sol, const char *annotator,
	       action_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_ACTION_LIST);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, annotator);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1),
		   sqlite3_column_int64(s, 2), col_text(s, 3));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_action_labels(struct db *db, int64_t action, struct arena *a,
		     struct label **out, size_t *n)
{
	sqlite3_stmt *s = stmt(db, S_ACTION_LABELS);
	sqlite3_bind_int64(s, 1, action);
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = dbi_grow(*out, *n, &cap, sizeof(**out));
		struct label *l = &(*out)[(*n)++];
		memset(l, 0, sizeof(*l));
		l->step = dbi_null_or(s, 0, -1);
		l->kind = dbi_kind_of(col_text(s, 1));
		dbi_label_columns(l, dbi_null_or(s, 2, NO_RATING), dbi_adup(a, s, 3));
		l->agent = dbi_adup(a, s, 4);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_action_name(struct db *db, int64_t action, char *out, size_t n)
{
	sqlite3_stmt *s = stmt(db, S_ACTION_NAME);
	sqlite3_bind_int64(s, 1, action);
	int rc = sqlite3_step(s);
	snprintf(out, n, "%s", rc == SQLITE_ROW ? col_text(s, 0) : "");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int db_guidelines_last(struct db *db, const char *annotator, char *out, size_t n)
{
	sqlite3_stmt *s = stmt(db, S_LAST_GUIDELINES);
	bind_text(s, 1, annotator);
	int rc = sqlite3_step(s);
	snprintf(out, n, "%s", rc == SQLITE_ROW ? col_text(s, 0) : "");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_label_before(struct db *db, int64_t sol, const char *annotator,
		    struct label *l, int64_t before_action, struct arena *a)
{
	sqlite3_stmt *m = stmt(db, S_MAX_LABEL);
	sqlite3_bind_int64(m, 1, before_action);
	int64_t first = 0;
	if (sqlite3_step(m) == SQLITE_ROW)
		first = sqlite3_column_int64(m, 0);
	sqlite3_reset(m);
	/* the rows of one action are consecutive: its first row bounds it */
	sqlite3_stmt *s = stmt(db, S_LABEL_BEFORE);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, annotator);
	bind_text(s, 3, dbi_kind_names[l->kind]);
	if (l->step >= 0)
		sqlite3_bind_int(s, 4, l->step);
	sqlite3_bind_int64(s, 5, first ? first : INT64_MAX);
	/* an alternative's rating is one per alternative: its index */
	char idx[24];
	int alt = l->kind == LK_ALT_RATING, which = l->alt;
	if (alt)
		bind_text(s, 6, dbi_label_text(l, idx, sizeof(idx)));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		dbi_label_columns(l, dbi_null_or(s, 0, NO_RATING), dbi_adup(a, s, 1));
		l->agent = dbi_adup(a, s, 2);
	} else {
		dbi_label_columns(l, NO_RATING, NULL);
		l->agent = NULL;
		if (alt) /* withdrawn, of the same alternative */
			l->alt = which;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int db_queue_row(struct db *db, int64_t sol, struct arena *a, struct db_qrow *r)
{
	sqlite3_stmt *s = stmt(db, S_QROW);
	sqlite3_bind_int64(s, 1, sol);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->id = sol;
		r->dataset = dbi_adup(a, s, 1);
		r->key = dbi_adup(a, s, 2);
		r->nsteps = sqlite3_column_int(s, 3);
		r->labelled = sqlite3_column_int(s, 4);
		r->flags = sqlite3_column_int(s, 5);
		r->verdicts = dbi_adup(a, s, 6);
		r->problem = dbi_adup(a, s, 7);
		r->trace = sqlite3_column_int(s, 8);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* one scan of a range: hit(arg, id) for each text of a solution that
 * matches, skipping the solutions known(arg, id) says are decided */
static int range_grep(sqlite3_stmt *s, void *re, int (*known)(void *, int64_t),
		      void (*hit)(void *, int64_t), void *arg)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (known(arg, id))
			continue;
		const char *t = col_text(s, 1);
		if (t && db_regex_match(re, t, (size_t)sqlite3_column_bytes(s, 1), NULL, NULL))
			hit(arg, id);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_solutions_grep(struct db *db, int64_t lo, int64_t hi, void *re,
		      int (*known)(void *, int64_t), void (*hit)(void *, int64_t), void *arg)
{
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = stmt(db, i ? S_RANGE_STEPS : S_RANGE_PROBLEMS);
		sqlite3_bind_int64(s, 1, lo);
		sqlite3_bind_int64(s, 2, hi);
		if (range_grep(s, re, known, hit, arg) < 0)
			return -1;
	}
	return 0;
}

int db_solutions_grep_ids(struct db *db, const int64_t *ids, size_t n, void *re,
			  int (*known)(void *, int64_t), void (*hit)(void *, int64_t), void *arg)
{
	struct buf b = {0};
	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_putc(&b, ']');
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++) {
		sqlite3_stmt *s = stmt(db, i ? S_IDS_STEPS : S_IDS_PROBLEMS);
		sqlite3_bind_text(s, 1, b.data, (int)b.len, SQLITE_STATIC);
		rc = range_grep(s, re, known, hit, arg);
		sqlite3_clear_bindings(s);
	}
	buf_free(&b);
	return rc;
}

int db_solution_grep(struct db *db, int64_t sol, void *re)
{
	sqlite3_stmt *s = stmt(db, S_SOL_TEXTS);
	sqlite3_bind_int64(s, 1, sol);
	int rc, found = 0;
	while (!found && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = col_text(s, 0);
		found = t && db_regex_match(re, t, (size_t)sqlite3_column_bytes(s, 0), NULL, NULL);
	}
	if (!found && rc != SQLITE_DONE)
		found = -1;
	sqlite3_reset(s);
	return found;
}
