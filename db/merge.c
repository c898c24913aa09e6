/* merge.c - another store attached as o and brought into this one through temp tables */
#include "config.h"

#include <stdlib.h>
#include <sqlite3.h>

#include "dbi.h"
#include "schema.h"

/*
 * Every statement here names the attached store (o.) or the merge's temp
 * tables, which go at the end of a merge: they are prepared and finalized
 * where they run, never kept in the room's table of persistent statements
 * (one of those would outlive what it reads).
 */
enum q_id {
	Q_ATTACH, Q_VERSION, Q_HAS_LABEL, Q_TOUCHED, Q_ANNOTATORS, Q_MATCHED, Q_OTHER,
	Q_CONFLICTED, Q_SUGGESTED, Q_LABELS, Q_CONFLICTS, Q_DROP, Q_DETACH,
	Q_COUNT
};

static const char *const q_sql[Q_COUNT] = {
	[Q_ATTACH] = "ATTACH ?1 AS o",
	[Q_VERSION] = "PRAGMA o.user_version",
	[Q_HAS_LABEL] = "SELECT count(*) FROM o.sqlite_master WHERE name = 'label'",
	[Q_TOUCHED] = "SELECT sid FROM temp.nl UNION SELECT sid FROM temp.ns",
	[Q_ANNOTATORS] = "SELECT n.annotator, min(x.id) FROM temp.nl n JOIN main.label x "
			 "ON x.annotator = n.annotator GROUP BY 1",
	[Q_MATCHED] = "SELECT count(*) FROM temp.mm",
	[Q_OTHER] = "SELECT count(*) FROM o.solution",
	[Q_CONFLICTED] = "SELECT count(*) FROM temp.mm WHERE why IS NOT NULL",
	[Q_SUGGESTED] = "SELECT count(*) FROM temp.ns",
	[Q_LABELS] = "SELECT annotator, count(*) FROM temp.nl GROUP BY 1 ORDER BY 1",
	[Q_CONFLICTS] = "SELECT d.name, s.ext_key, mm.why FROM temp.mm mm JOIN "
			"main.solution s ON s.id = mm.sid JOIN main.dataset d ON d.id = "
			"s.dataset_id WHERE mm.why IS NOT NULL ORDER BY mm.sid LIMIT ?1",
	/* run with dbi_exec */
	[Q_DROP] = "DROP TABLE IF EXISTS temp.mm; DROP TABLE IF EXISTS temp.nl; "
		   "DROP TABLE IF EXISTS temp.ns",
	[Q_DETACH] = "DETACH o",
};

/* the statements of a merge, in order; each a step of one transaction */
static const char *const plan[] = {
	/* solutions of both stores: same data set name, same id */
	"CREATE TEMP TABLE mm (oid INTEGER PRIMARY KEY, sid INTEGER NOT NULL, why TEXT)",
	"INSERT INTO temp.mm(oid, sid) SELECT so.id, s.id FROM o.solution so "
	"JOIN o.dataset od ON od.id = so.dataset_id JOIN main.dataset d ON d.name = od.name "
	"JOIN main.solution s ON s.dataset_id = d.id AND s.ext_key = so.ext_key",
	/* a conflict: the same id, other steps */
	"UPDATE temp.mm SET why = 'other steps' WHERE "
	"(SELECT count(*) FROM o.step WHERE solution_id = oid) <> "
	"(SELECT count(*) FROM main.step WHERE solution_id = sid) OR EXISTS (SELECT 1 FROM o.step a "
	"JOIN main.step b ON b.solution_id = sid AND b.idx = a.idx WHERE a.solution_id = oid "
	"AND a.text <> b.text)",
	/* the other store's labels this one lacks */
	"CREATE TEMP TABLE nl AS SELECT mm.sid AS sid, l.id AS oid, l.step_idx, l.kind, l.value, "
	"l.text, l.annotator, l.origin, l.created_at FROM o.label l JOIN temp.mm mm ON "
	"mm.oid = l.solution_id AND mm.why IS NULL WHERE NOT EXISTS (SELECT 1 FROM main.label x "
	"WHERE x.solution_id = mm.sid AND x.step_idx IS l.step_idx AND x.kind = l.kind AND "
	"x.value IS l.value AND x.text IS l.text AND x.annotator = l.annotator AND "
	"x.origin = l.origin AND x.created_at = l.created_at)",
	/* one annotator's labels on one solution in both stores, this one's
	 * not all older than those coming: appending would reorder that
	 * annotator's actions, so the solution keeps this store's */
	"UPDATE temp.mm SET why = 'labelled by ' || (SELECT n.annotator FROM temp.nl n WHERE "
	"n.sid = mm.sid AND EXISTS (SELECT 1 FROM main.label x WHERE x.solution_id = n.sid AND "
	"x.annotator = n.annotator AND x.created_at >= (SELECT min(created_at) FROM temp.nl m "
	"WHERE m.sid = n.sid AND m.annotator = n.annotator)) LIMIT 1) || ' in both stores, "
	"at interleaved times' WHERE why IS NULL AND EXISTS (SELECT 1 FROM temp.nl n WHERE "
	"n.sid = mm.sid AND EXISTS (SELECT 1 FROM main.label x WHERE x.solution_id = n.sid AND "
	"x.annotator = n.annotator AND x.created_at >= (SELECT min(created_at) FROM temp.nl m "
	"WHERE m.sid = n.sid AND m.annotator = n.annotator)))",
	"DELETE FROM temp.nl WHERE sid IN (SELECT sid FROM temp.mm WHERE why IS NOT NULL)",
	"INSERT INTO main.label(solution_id, step_idx, kind, value, text, annotator, origin, "
	"created_at) SELECT sid, step_idx, kind, value, text, annotator, origin, created_at "
	"FROM temp.nl ORDER BY oid",
	/* suggestions, the same way (the jobs that wrote them stay behind) */
	"CREATE TEMP TABLE ns AS SELECT mm.sid AS sid, g.id AS oid, g.step_idx, g.source, g.model, "
	"g.origin, g.value, g.first_error, g.k, g.n, g.rationale, g.request_hash, g.created_at "
	"FROM o.suggestion g JOIN temp.mm mm ON mm.oid = g.solution_id AND mm.why IS NULL "
	"WHERE NOT EXISTS (SELECT 1 FROM main.suggestion x WHERE x.solution_id = mm.sid AND "
	"x.step_idx IS g.step_idx AND x.source = g.source AND x.model IS g.model AND "
	"x.value IS g.value AND x.first_error IS g.first_error AND x.k IS g.k AND x.n IS g.n AND "
	"x.rationale IS g.rationale AND x.created_at = g.created_at)",
	"INSERT INTO main.suggestion(solution_id, step_idx, source, model, origin, value, "
	"first_error, k, n, rationale, request_hash, created_at) SELECT sid, step_idx, source, "
	"model, origin, value, first_error, k, n, rationale, request_hash, created_at "
	"FROM temp.ns ORDER BY oid",
	"INSERT OR IGNORE INTO main.alignment(solution_id, step_idx, ref_step, score, source, "
	"created_at) SELECT mm.sid, a.step_idx, a.ref_step, a.score, a.source, a.created_at "
	"FROM o.alignment a JOIN temp.mm mm ON mm.oid = a.solution_id AND mm.why IS NULL",
	/* what stats reads */
	"INSERT INTO main.tally(kind, dataset_id, name, n) SELECT 'label', s.dataset_id, "
	"n.annotator, count(*) FROM temp.nl n JOIN main.solution s ON s.id = n.sid "
	"GROUP BY 2, 3 ON CONFLICT(kind, dataset_id, name) DO UPDATE SET n = n + excluded.n",
	"INSERT INTO main.tally(kind, dataset_id, name, n) SELECT 'suggestion', s.dataset_id, "
	"n.source || coalesce('/' || n.model, ''), count(*) FROM temp.ns n JOIN main.solution s "
	"ON s.id = n.sid GROUP BY 2, 3 ON CONFLICT(kind, dataset_id, name) DO UPDATE "
	"SET n = n + excluded.n",
};

/* q prepared for this run only (finalize it), or NULL */
static sqlite3_stmt *prepare(struct db *db, enum q_id q)
{
	sqlite3_stmt *s;
	return sqlite3_prepare_v2(db->h, q_sql[q], -1, &s, NULL) == SQLITE_OK ? s : NULL;
}

/* the first column of q's first row, or -1 */
static long one_long(struct db *db, enum q_id q)
{
	sqlite3_stmt *s = prepare(db, q);
	long v = -1;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int db_merge_attach(struct db *db, const char *path)
{
	sqlite3_stmt *s = prepare(db, Q_ATTACH);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 1 : 0;
}

int db_merge_check(struct db *db, long *version)
{
	*version = one_long(db, Q_VERSION);
	return *version == schema_count() && one_long(db, Q_HAS_LABEL) == 1;
}

int db_merge_apply(struct db *db)
{
	size_t n = sizeof(plan) / sizeof(plan[0]);
	for (size_t i = 0; i < n; i++)
		if (dbi_exec(db, plan[i]) < 0 || dbi_progress(db, (int64_t)i + 1, (int64_t)n))
			return -1;
	return 0;
}

int db_merge_solutions(struct db *db, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *s = prepare(db, Q_TOUCHED);
	if (!s)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*ids = xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	free(*ids);
	*ids = NULL;
	*n = 0;
	return -1;
}

int db_merge_annotators(struct db *db)
{
	sqlite3_stmt *s = prepare(db, Q_ANNOTATORS);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (db_annotator_ensure(db, col_text(s, 0), sqlite3_column_int64(s, 1)) < 0)
			rc = SQLITE_ERROR;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

void db_merge_count(struct db *db, struct db_merge_counts *c)
{
	c->matched = one_long(db, Q_MATCHED);
	c->other = one_long(db, Q_OTHER);
	c->conflicts = one_long(db, Q_CONFLICTED);
	c->suggestions = one_long(db, Q_SUGGESTED);
}

long db_merge_labels(struct db *db, void (*fn)(void *ctx, const char *annotator, long n),
		     void *ctx)
{
	sqlite3_stmt *s = prepare(db, Q_LABELS);
	if (!s)
		return -1;
	long any = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		fn(ctx, col_text(s, 0), (long)sqlite3_column_int64(s, 1));
		any++;
	}
	sqlite3_finalize(s);
	return any;
}

int db_merge_conflicts(struct db *db, int max,
		       void (*fn)(void *ctx, const char *dataset, const char *key,
				  const char *why), void *ctx)
{
	sqlite3_stmt *s = prepare(db, Q_CONFLICTS);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, max);
	while (sqlite3_step(s) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), col_text(s, 1), col_text(s, 2));
	sqlite3_finalize(s);
	return 0;
}

void db_merge_detach(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		db_rollback(db);
	dbi_exec(db, q_sql[Q_DROP]);
	dbi_exec(db, q_sql[Q_DETACH]);
}
