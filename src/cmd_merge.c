/* cmd_merge.c - `stepmark merge OTHER.db`: another store's labels (notes
 * and adjudications are labels), suggestions and alignments brought into
 * this one, solutions matched by data set and id. A label already here
 * (the same solution, step, kind, value, text, annotator, origin and
 * time) is not brought twice, so a merge can run again; a solution whose
 * steps differ between the stores is a conflict and keeps this store's. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "cmd.h"
#include "summary.h"
#include "../db/db.h"
#include "../db/schema.h"

/* the options --help lists under the command */
const char cmd_merge_help[] =
	"";

#define MAX_SHOWN 10

enum { M_DB = 1000, M_HELP };

static int exec(sqlite3 *h, const char *sql)
{
	return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static long one_long(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s;
	long v = -1;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

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

static int refresh(struct db *db, sqlite3 *h)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, "SELECT sid FROM temp.nl UNION SELECT sid FROM temp.ns", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ids = xrealloc(ids, cap * sizeof(*ids));
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	for (size_t i = 0; rc == SQLITE_DONE && i < n; i++)
		if (summary_refresh(db, ids[i]) < 0)
			rc = SQLITE_ERROR;
	free(ids);
	if (rc != SQLITE_DONE ||
	    sqlite3_prepare_v2(h, "SELECT n.annotator, min(x.id) FROM temp.nl n JOIN main.label x "
			       "ON x.annotator = n.annotator GROUP BY 1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (db_annotator_ensure(db, (const char *)sqlite3_column_text(s, 0),
					sqlite3_column_int64(s, 1)) < 0)
			rc = SQLITE_ERROR;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void report(sqlite3 *h, const char *other)
{
	long matched = one_long(h, "SELECT count(*) FROM temp.mm");
	long missing = one_long(h, "SELECT count(*) FROM o.solution") - matched;
	long conflicts = one_long(h, "SELECT count(*) FROM temp.mm WHERE why IS NOT NULL");
	printf("merged %s: %ld solution%s in both stores\n", inert(other, 0), matched,
	       matched == 1 ? "" : "s");
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, "SELECT annotator, count(*) FROM temp.nl GROUP BY 1 ORDER BY 1",
			       -1, &s, NULL) == SQLITE_OK) {
		long any = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			printf("  %ld label%s by %s\n", (long)sqlite3_column_int64(s, 1),
			       sqlite3_column_int64(s, 1) == 1 ? "" : "s",
			       inert((const char *)sqlite3_column_text(s, 0), 0));
			any++;
		}
		if (!any)
			printf("  no label this store lacks\n");
	}
	sqlite3_finalize(s);
	printf("  %ld suggestion%s\n", one_long(h, "SELECT count(*) FROM temp.ns"),
	       one_long(h, "SELECT count(*) FROM temp.ns") == 1 ? "" : "s");
	if (missing > 0)
		printf("%ld solution%s of %s not in this store (import the data set here first): "
		       "their labels stay there\n", missing, missing == 1 ? "" : "s",
		       inert(other, 0));
	if (!conflicts)
		return;
	printf("%ld conflict%s, kept as this store has them:\n", conflicts,
	       conflicts == 1 ? "" : "s");
	if (sqlite3_prepare_v2(h, "SELECT d.name, s.ext_key, mm.why FROM temp.mm mm JOIN "
			       "main.solution s ON s.id = mm.sid JOIN main.dataset d ON d.id = "
			       "s.dataset_id WHERE mm.why IS NOT NULL ORDER BY mm.sid LIMIT 10", -1,
			       &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW)
		printf("  %s  %s  %s\n", inert((const char *)sqlite3_column_text(s, 0), 0),
		       inert((const char *)sqlite3_column_text(s, 1), 1),
		       inert((const char *)sqlite3_column_text(s, 2), 2));
	sqlite3_finalize(s);
	if (conflicts > MAX_SHOWN)
		printf("  ... and %ld more\n", conflicts - MAX_SHOWN);
}

int cmd_merge(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath;
	static const struct option opts[] = {
		{"db", required_argument, NULL, M_DB},
		{"help", no_argument, NULL, M_HELP},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case M_DB: dbpath = optarg; break;
		case M_HELP:
			puts("usage: stepmark merge OTHER.db\nBrings another store's labels, notes, "
			     "adjudications, suggestions and alignments into this one.");
			return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind + 1 != argc)
		return bad_usage("merge takes one store: stepmark merge OTHER.db");
	const char *other = argv[optind];
	struct stat a, b;
	if (stat(other, &a) != 0) {
		errf("stepmark: merge: cannot read %s\n", inert(other, 0));
		return EX_USAGE;
	}
	if (stat(dbpath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return bad_usage("merge: that is this store");
	char err[600];
	struct db *db = db_open(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		return EX_STORE;
	}
	db_say_waits(db, stderr);
	sqlite3 *h = db_handle(db);
	int rc = EX_OK;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, "ATTACH ?1 AS o", -1, &s, NULL) != SQLITE_OK) {
		rc = EX_STORE;
		goto out;
	}
	sqlite3_bind_text(s, 1, other, -1, SQLITE_STATIC);
	int arc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (arc != SQLITE_DONE) {
		errf("stepmark: merge: cannot open %s: %s\n", inert(other, 0), sqlite3_errmsg(h));
		db_close(db);
		return EX_USAGE;
	}
	long v = one_long(h, "PRAGMA o.user_version");
	if (v != schema_count() || one_long(h, "SELECT count(*) FROM o.sqlite_master WHERE "
					       "name = 'label'") != 1) {
		errf("stepmark: merge: %s is %s (schema %ld; this stepmark's is %d): open it "
		     "once with this stepmark (stepmark --db %s stats) and merge again\n",
		     inert(other, 0), v > schema_count() ? "from a newer stepmark" :
		     "not a store at this stepmark's schema", v, schema_count(), inert(other, 1));
		rc = EX_USAGE;
		goto out;
	}
	if (summary_backfill(db) < 0 || db_begin(db) < 0) {
		rc = EX_STORE;
		goto out;
	}
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]) && rc == EX_OK; i++)
		if (exec(h, plan[i]) < 0)
			rc = EX_STORE;
	if (rc == EX_OK && refresh(db, h) < 0)
		rc = EX_STORE;
	if (rc == EX_OK) {
		report(h, other);
		if (db_commit(db) < 0)
			rc = EX_STORE;
	}
	if (rc != EX_OK) {
		errf("stepmark: merge: the store failed: %s (nothing merged)\n", sqlite3_errmsg(h));
		db_rollback(db);
	}
out:
	if (rc == EX_STORE && !sqlite3_get_autocommit(h))
		db_rollback(db);
	exec(h, "DROP TABLE IF EXISTS temp.mm; DROP TABLE IF EXISTS temp.nl; "
		"DROP TABLE IF EXISTS temp.ns");
	exec(h, "DETACH o");
	db_close(db);
	return rc;
}
