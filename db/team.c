/* team.c - the team's progress: assignments with their summaries,
 * active time, every summary, labels by guidelines version */
#include "config.h"

#include <stdlib.h>
#include <sqlite3.h>

#include "dbi.h"

/* Read once per report (stepmark progress, consensus with a gold bar):
 * like the audit's, prepared for one read and finalized after it. */
enum stmt_id { S_HELD, S_ACTIVE_TOTAL, S_SUMMARIES, S_VERSIONS, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
	[S_HELD] = "SELECT a.annotator, m.dataset_id, CASE WHEN a.gold AND a.gold_fe IS NOT NULL "
		   "THEN a.gold_fe ELSE -2 END, m.verdicts FROM assignment a "
		   "JOIN summary m ON m.solution_id = a.solution_id "
		   "WHERE NOT ?1 OR (a.gold AND a.gold_fe IS NOT NULL) ORDER BY a.annotator, a.ord",
	[S_ACTIVE_TOTAL] = "SELECT annotator, sum(active_ms) FROM action WHERE active_ms IS NOT NULL "
			   "GROUP BY annotator ORDER BY annotator",
	[S_SUMMARIES] = "SELECT m.dataset_id, m.verdicts, EXISTS (SELECT 1 FROM assignment a "
			"WHERE a.solution_id = m.solution_id) FROM summary m",
	[S_VERSIONS] = "SELECT l.annotator, l.guidelines, (SELECT g.path FROM guidelines g "
		       "WHERE g.hash = l.guidelines), count(DISTINCT l.solution_id), count(*) "
		       "FROM label l WHERE l.kind IN ('rating', 'first_error', 'ratings') "
		       "GROUP BY l.annotator, l.guidelines ORDER BY 1, 2",
};

/* statement id prepared for one read; NULL on a store error */
static sqlite3_stmt *prepare(struct db *db, enum stmt_id id)
{
	return dbi_prepare_once(db, stmt_sql[id]);
}

int db_held_each(struct db *db, int gold_only,
		 void (*fn)(void *ctx, const struct db_held *h), void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_HELD);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, gold_only);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_held h = {col_text(s, 0), sqlite3_column_int64(s, 1),
				    sqlite3_column_int(s, 2), col_text(s, 3)};
		fn(ctx, &h);
	}
	return dbi_finish(s, rc);
}

int db_active_total_each(struct db *db, void (*fn)(void *ctx, const char *annotator,
						   long long ms), void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_ACTIVE_TOTAL);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), (long long)sqlite3_column_int64(s, 1));
	return dbi_finish(s, rc);
}

int db_summaries_each(struct db *db, void (*fn)(void *ctx, int64_t dataset,
						const char *verdicts, int dealt), void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_SUMMARIES);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1), sqlite3_column_int(s, 2));
	return dbi_finish(s, rc);
}

int db_versions_each(struct db *db, void (*fn)(void *ctx, const struct db_version *v),
		     void *ctx)
{
	sqlite3_stmt *s = prepare(db, S_VERSIONS);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_version v = {col_text(s, 0), col_text(s, 1), col_text(s, 2),
				       sqlite3_column_int(s, 3), sqlite3_column_int(s, 4)};
		fn(ctx, &v);
	}
	return dbi_finish(s, rc);
}
