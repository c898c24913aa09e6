/* audit.c - the audit's reads beside the walk: data sets, the jobs'
 * coverage, active times, assignments and agreed labels */
#include "config.h"

#include <stdlib.h>
#include <sqlite3.h>

#include "dbi.h"

/* The audit reads these once per run (a report, the audit view opened):
 * like the walk's, they are prepared for one read and finalized after it
 * rather than held for the connection's life (some 28 KB). */
enum stmt_id {
	S_DATASETS, S_COVERAGE, S_ACTIVE, S_ASSIGNMENTS,
	S_SPLIT_CATEGORY, S_SPLIT_GUIDELINES, S_SPLIT_DOMAIN, S_AGREED_RULES,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_DATASETS] = "SELECT id, name FROM dataset",
	[S_COVERAGE] = "SELECT d.name, j.kind || coalesce('/' || json_extract(j.params, '$.model'), ''), "
		       "sum(j.state = 'done'), sum(j.state = 'failed'), sum(j.state IN ('queued', 'leased')), "
		       "sum(j.requests), sum(j.tokens_in), sum(j.tokens_out) FROM job j "
		       "JOIN solution s ON s.id = j.solution_id JOIN dataset d ON d.id = s.dataset_id "
		       "WHERE ?1 IS NULL OR d.name = ?1 GROUP BY 1, 2 ORDER BY 1, 2",
	[S_ACTIVE] = "SELECT a.annotator, d.name, sum(a.active_ms) FROM action a "
		     "JOIN solution s ON s.id = a.solution_id JOIN dataset d ON d.id = s.dataset_id "
		     "WHERE a.active_ms IS NOT NULL AND (?1 IS NULL OR d.name = ?1) "
		     "GROUP BY a.annotator, a.solution_id ORDER BY 1, 2",
	/* what the audit keeps of a window of the walk's solutions */
	[S_ASSIGNMENTS] = "SELECT solution_id, annotator, gold, gold_fe FROM assignment "
			  "WHERE solution_id BETWEEN ?1 AND ?2 ORDER BY solution_id",
	/* the audit's splits (--by): every category label; each annotator's
	 * newest verdict label per solution, with its guidelines */
	[S_SPLIT_CATEGORY] = "SELECT solution_id, annotator, step_idx, id, text FROM label "
			     "WHERE kind = 'category' AND solution_id BETWEEN ?1 AND ?2 "
			     "ORDER BY solution_id, id",
	[S_SPLIT_GUIDELINES] = "SELECT solution_id, annotator, -1, max(id), guidelines FROM label "
			       "WHERE kind IN ('rating', 'first_error', 'ratings') AND solution_id "
			       "BETWEEN ?1 AND ?2 GROUP BY solution_id, annotator "
			       "ORDER BY solution_id, annotator",
	/* each solution's domain, as import keeps it in the metadata */
	[S_SPLIT_DOMAIN] = "SELECT id, NULL, -1, id, d FROM (SELECT id, CASE WHEN "
			   "json_valid(meta) THEN json_extract(meta, '$.domain') END d FROM "
			   "solution WHERE id BETWEEN ?1 AND ?2) WHERE typeof(d) = 'text' ORDER BY id",
	/* the rules of the agreed labels in solution order (NULL: the
	 * undecided), told once each by db_audit_agreed_rules: a GROUP BY
	 * would sort every row (there is no index of the rules' texts) */
	[S_AGREED_RULES] = "SELECT rule FROM agreed ORDER BY solution_id",
};

/* statement id prepared for one read; NULL on a store error */
static sqlite3_stmt *prepare(struct db *db, enum stmt_id id)
{
	return dbi_prepare_once(db, stmt_sql[id]);
}

int db_dataset_ids(struct db *db, void (*fn)(void *ctx, int64_t id, const char *name),
		   void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_DATASETS);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1));
	return dbi_finish(s, rc);
}

int db_audit_coverage(struct db *db, const char *dataset,
		      void (*fn)(void *ctx, const struct db_coverage *c), void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_COVERAGE);
	if (!s)
		return -1;
	bind_text(s, 1, dataset);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_coverage c = {
			.dataset = col_text(s, 0),
			.source = col_text(s, 1),
			.done = sqlite3_column_int64(s, 2),
			.failed = sqlite3_column_int64(s, 3),
			.pending = sqlite3_column_int64(s, 4),
			.requests = sqlite3_column_int64(s, 5),
			.tokens_in = sqlite3_column_int64(s, 6),
			.tokens_out = sqlite3_column_int64(s, 7),
		};
		fn(ctx, &c);
	}
	return dbi_finish(s, rc);
}

int db_active_times(struct db *db, const char *dataset,
		    void (*fn)(void *ctx, const char *annotator, const char *dataset,
			       double active_ms),
		    void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_ACTIVE);
	if (!s)
		return -1;
	bind_text(s, 1, dataset);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), col_text(s, 1), sqlite3_column_double(s, 2));
	return dbi_finish(s, rc);
}

int db_assignments_range(struct db *db, int64_t lo, int64_t hi,
			 void (*fn)(void *ctx, const struct db_assignment *a), void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_ASSIGNMENTS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_assignment a = {
			.sol = sqlite3_column_int64(s, 0),
			.annotator = col_text(s, 1),
			.gold_fe = sqlite3_column_int(s, 2) && sqlite3_column_type(s, 3) != SQLITE_NULL ?
				   sqlite3_column_int(s, 3) : -2,
		};
		fn(ctx, &a);
	}
	return dbi_finish(s, rc);
}

int db_audit_split_rows(struct db *db, enum db_split which, int64_t lo, int64_t hi,
			void (*fn)(void *ctx, const struct db_split_row *r), void *ctx)
{
	sqlite3_stmt *s = prepare(db, which == DB_SPLIT_DOMAIN ? S_SPLIT_DOMAIN :
				  which == DB_SPLIT_GUIDELINES ? S_SPLIT_GUIDELINES : S_SPLIT_CATEGORY);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_split_row r = {
			.sol = sqlite3_column_int64(s, 0),
			.annotator = col_text(s, 1),
			.step = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2),
			.id = sqlite3_column_int64(s, 3),
			.text = col_text(s, 4),
		};
		fn(ctx, &r);
	}
	return dbi_finish(s, rc);
}

int db_audit_agreed_rules(struct db *db, void (*fn)(void *ctx, const char *rule), void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_AGREED_RULES);
	if (!s)
		return -1;
	struct names seen = {0};
	int rc, null_seen = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *rule = col_text(s, 0);
		if (rule ? names_index(&seen, rule) >= 0 : null_seen)
			continue;
		if (rule)
			names_add(&seen, rule);
		null_seen |= !rule;
		fn(ctx, rule);
	}
	names_free(&seen);
	return dbi_finish(s, rc);
}
