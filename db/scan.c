/* scan.c - the store read whole: stats, and every solution in order for export */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id {
	S_STAT_DS, S_STAT_ANN, S_STAT_SRC, S_EX_SOL, S_EX_STEP, S_EX_LABEL, S_EX_SUG,
	S_COL_ANN, S_COL_SRC, S_MAX_SOL, S_EX_COUNT, S_STAT_COUNTS,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	/* steps and labelled steps from the summaries (the queue's own
	 * counts), one pass over that table's covering index */
	[S_STAT_DS] =
		"SELECT d.name, d.format,"
		" (SELECT count(*) FROM problem p WHERE p.dataset_id = d.id),"
		" (SELECT count(*) FROM solution s WHERE s.dataset_id = d.id),"
		" coalesce(m.steps, 0), coalesce(m.labelled, 0)"
		" FROM dataset d LEFT JOIN (SELECT dataset_id, sum(nsteps) AS steps, sum(labelled) AS labelled"
		" FROM summary GROUP BY dataset_id) m ON m.dataset_id = d.id ORDER BY d.name",
	[S_STAT_ANN] = "SELECT d.name, t.name, t.n FROM tally t JOIN dataset d ON d.id = t.dataset_id "
		       "WHERE t.kind = 'label' AND t.n > 0 ORDER BY d.name, t.name",
	/* what the summaries count per annotator, their sums (db_counts_known) */
	[S_STAT_COUNTS] = "SELECT d.name, t.name, sum(t.n * (t.kind = 'decided')), "
			  "sum(t.n * (t.kind = 'rated')), sum(t.n * (t.kind = 'adjudicated')) "
			  "FROM tally t JOIN dataset d ON d.id = t.dataset_id WHERE t.kind IN "
			  "('decider', 'decided', 'rated', 'adjudicated') GROUP BY t.dataset_id, t.name "
			  "HAVING sum(t.n * (t.kind = 'decider')) > 0 ORDER BY d.name, t.name",
	[S_STAT_SRC] = "SELECT d.name, t.name, t.n FROM tally t JOIN dataset d ON d.id = t.dataset_id "
		       "WHERE t.kind = 'suggestion' AND t.n > 0 ORDER BY d.name, t.name",
	[S_EX_SOL] = "SELECT s.id, d.name, s.ext_key, p.text, p.gold_answer, p.reference, s.generator, s.final_answer, "
		     "s.correct, s.finish_reason, s.meta, s.source_line, s.tail, p.gold_derived, p.reference_steps, "
		     "g.solution_id IS NOT NULL, g.first_error, g.ratings, g.rule, g.agreed_by, g.policy, g.agent FROM solution s "
		     "JOIN problem p ON p.id = s.problem_id JOIN dataset d ON d.id = s.dataset_id "
		     "LEFT JOIN agreed g ON g.solution_id = s.id "
		     "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY s.id",
	[S_EX_STEP] = "SELECT t.solution_id, t.idx, t.text, t.chosen, t.alts, t.agent, t.role FROM step t JOIN solution s ON s.id = t.solution_id "
		      "JOIN dataset d ON d.id = s.dataset_id "
		      "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY t.solution_id, t.idx",
	[S_EX_LABEL] = "SELECT l.solution_id, l.step_idx, l.kind, l.value, l.text, l.annotator, l.origin, l.created_at, l.agent FROM label l "
		       "JOIN solution s ON s.id = l.solution_id JOIN dataset d ON d.id = s.dataset_id "
		       "WHERE (?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1))) "
		       "AND (?2 IS NULL OR l.annotator IN (SELECT value FROM json_each(?2))) ORDER BY l.solution_id, l.id",
	[S_EX_SUG] = "SELECT g.solution_id, g.step_idx, g.source, g.model, g.origin, g.value, g.first_error, g.k, g.n, g.rationale, g.agent, g.job_id, g.rollouts "
		     "FROM suggestion g JOIN solution s ON s.id = g.solution_id JOIN dataset d ON d.id = s.dataset_id "
		     "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY g.solution_id, g.id",
	[S_COL_ANN] = "SELECT DISTINCT l.annotator FROM label l JOIN solution s ON s.id = l.solution_id "
		      "JOIN dataset d ON d.id = s.dataset_id WHERE (?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1))) "
		      "AND (?2 IS NULL OR l.annotator IN (SELECT value FROM json_each(?2))) AND l.kind IN ('rating', 'ratings', 'first_error') ORDER BY 1",
	[S_COL_SRC] = "SELECT DISTINCT g.source || coalesce('/' || g.model, '') FROM suggestion g JOIN solution s ON s.id = g.solution_id "
		      "JOIN dataset d ON d.id = s.dataset_id WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY 1",
	[S_MAX_SOL] = "SELECT coalesce(max(id), 0) FROM solution",
	[S_EX_COUNT] = "SELECT count(*) FROM solution s JOIN dataset d ON d.id = s.dataset_id "
		       "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1))",
};

static const struct stmt_table stmts = {ROOM_SCAN, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

int db_stats_counts(struct db *db, stats_counts_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_STAT_COUNTS);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), col_text(s, 1), (long)sqlite3_column_int64(s, 2),
		   (long)sqlite3_column_int64(s, 3), (long)sqlite3_column_int64(s, 4));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_stats(struct db *db, ds_stats_fn on_ds, count_fn on_annotator,
	     count_fn on_source, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_STAT_DS);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ds_stats st = {
			col_text(s, 0), col_text(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
			sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5),
		};
		on_ds(ctx, &st);
	}
	if (rc != SQLITE_DONE)
		return -1;
	s = stmt(db, S_STAT_ANN);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		on_annotator(ctx, col_text(s, 0), col_text(s, 1),
			     sqlite3_column_int64(s, 2));
	if (rc != SQLITE_DONE)
		return -1;
	s = stmt(db, S_STAT_SRC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		on_source(ctx, col_text(s, 0), col_text(s, 1),
			  sqlite3_column_int64(s, 2));
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Export: five cursors, each ordered by solution id, walked together. */
struct cursor {
	sqlite3_stmt *s;
	int live; /* a row is current */
};

static int cur_next(struct db *db, struct cursor *c)
{
	int rc = sqlite3_step(c->s);
	c->live = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
}

static int cur_at(const struct cursor *c, int64_t sol)
{
	return c->live && sqlite3_column_int64(c->s, 0) == sol;
}

/* The rows of one solution, reused from one solution to the next. */
struct rows {
	struct step *steps;
	struct label *labels;
	struct suggestion *sugs;
	size_t nsteps, nlabels, nsugs;
	size_t capst, caplb, capsg;
};

static void rows_free(struct rows *r)
{
	free(r->steps);
	free(r->labels);
	free(r->sugs);
}

enum { CUR_SOL, CUR_STEP, CUR_LABEL, CUR_SUG, CUR_N };

static int rows_load(struct db *db, struct cursor *c, int64_t sol,
		     struct rows *r, struct arena *a)
{
	r->nsteps = r->nlabels = r->nsugs = 0;
	for (int i = 1; i < CUR_N; i++) /* rows of unselected solutions */
		while (c[i].live && sqlite3_column_int64(c[i].s, 0) < sol)
			if (cur_next(db, &c[i]) < 0)
				return -1;
	for (; cur_at(&c[CUR_STEP], sol); r->nsteps++) {
		r->steps = dbi_grow(r->steps, r->nsteps, &r->capst, sizeof(*r->steps));
		dbi_load_step(&r->steps[r->nsteps], c[CUR_STEP].s, a);
		if (cur_next(db, &c[CUR_STEP]) < 0)
			return -1;
	}
	for (; cur_at(&c[CUR_LABEL], sol); r->nlabels++) {
		r->labels = dbi_grow(r->labels, r->nlabels, &r->caplb, sizeof(*r->labels));
		dbi_load_label(&r->labels[r->nlabels], c[CUR_LABEL].s, a);
		if (cur_next(db, &c[CUR_LABEL]) < 0)
			return -1;
	}
	for (; cur_at(&c[CUR_SUG], sol); r->nsugs++) {
		r->sugs = dbi_grow(r->sugs, r->nsugs, &r->capsg, sizeof(*r->sugs));
		dbi_load_sug(&r->sugs[r->nsugs], c[CUR_SUG].s, a);
		if (cur_next(db, &c[CUR_SUG]) < 0)
			return -1;
	}
	return 0;
}

int db_export_each(struct db *db, const struct export_filter *f,
		   item_fn fn, void *ctx)
{
	static const enum stmt_id ids[CUR_N] = {S_EX_SOL, S_EX_STEP, S_EX_LABEL,
					      S_EX_SUG};
	struct cursor c[CUR_N] = {{0}};
	for (int i = 0; i < CUR_N; i++) {
		if (f->steps_only && (i == CUR_LABEL || i == CUR_SUG))
			continue; /* not live: none read */
		c[i].s = stmt(db, ids[i]);
		bind_text(c[i].s, 1, f->datasets_json);
		if (i == CUR_LABEL)
			bind_text(c[i].s, 2, f->annotators_json);
		if (cur_next(db, &c[i]) < 0)
			return -1;
	}
	struct arena a = {0};
	struct rows r = {0};
	int rc = 0;
	int64_t done = 0, total = 0;
	if (db->progress) {
		sqlite3_stmt *n = stmt(db, S_EX_COUNT);
		bind_text(n, 1, f->datasets_json);
		total = dbi_one_int(n, 0);
	}
	while (rc == 0 && c[CUR_SOL].live) {
		struct item it;
		const char *dataset;
		int64_t sol = sqlite3_column_int64(c[CUR_SOL].s, 0);
		dbi_load_solution(&it, &dataset, c[CUR_SOL].s, &a, 13);
		dbi_load_agreed(&it, c[CUR_SOL].s, &a, 15);
		if (rows_load(db, c, sol, &r, &a) < 0) {
			rc = -1;
			break;
		}
		it.steps = r.steps;
		it.nsteps = r.nsteps;
		it.labels = r.labels;
		it.nlabels = r.nlabels;
		it.sugs = r.sugs;
		it.nsugs = r.nsugs;
		rc = fn(ctx, &it, dataset);
		if (rc == 0 && dbi_progress(db, ++done, total))
			rc = -1;
		arena_reset(&a);
		if (rc == 0 && cur_next(db, &c[CUR_SOL]) < 0)
			rc = -1;
	}
	rows_free(&r);
	arena_free(&a);
	for (int i = 0; i < CUR_N; i++)
		sqlite3_reset(c[i].s);
	return rc < 0 ? -1 : 0;
}

int db_export_columns(struct db *db, const struct export_filter *f,
		      name_fn on_annotator, name_fn on_source, void *ctx)
{
	sqlite3_stmt *s;
	int rc;
	if (on_annotator) {
		s = stmt(db, S_COL_ANN);
		bind_text(s, 1, f->datasets_json);
		bind_text(s, 2, f->annotators_json);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			on_annotator(ctx, col_text(s, 0));
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	if (!on_source)
		return 0;
	s = stmt(db, S_COL_SRC);
	bind_text(s, 1, f->datasets_json);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		on_source(ctx, col_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t db_max_solution(struct db *db)
{
	return dbi_one_int(stmt(db, S_MAX_SOL), 0);
}
