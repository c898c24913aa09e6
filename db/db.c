/* db.c - the store: opening, migrations and typed queries */
#include "config.h"

#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "db.h"
#include "schema.h"
#include "../src/util.h"
#include "../src/json.h"

enum stmt_id {
	S_DATASET_GET, S_DATASET_ADD, S_IMPORT_SEEN, S_IMPORT_ADD,
	S_IMPORT_FINISH, S_PROBLEM_GET, S_PROBLEM_ADD, S_SOLUTION_ADD, S_STEP_ADD,
	S_LABEL_ADD, S_SUG_ADD,
	S_STAT_DS, S_STAT_ANN, S_STAT_SRC,
	S_EX_SOL, S_EX_STEP, S_EX_LABEL, S_EX_SUG,
	S_COL_ANN, S_COL_SRC,
	S_SUM_PUT, S_SUM_ADD, S_SUM_MISSING, S_ONE_SOL, S_ONE_STEP, S_ONE_LABEL, S_ONE_SUG,
	S_ONE_ALIGN, S_ACTION_ADD, S_ACTION_LIST, S_ACTION_LABELS, S_ACTION_NAME, S_SOL_FIND, S_SOL_STEPS, S_LABEL_BEFORE,
	S_DATASETS, S_QROW, S_MAX_LABEL, S_DATA_VERSION, S_MAX_SOL,
	S_JOB_ADD, S_JOB_REQUEUE, S_JOB_LEASE, S_JOB_LEASE_SOL, S_JOB_RENEW,
	S_JOB_FINISH, S_JOB_RELEASE, S_JOB_EXPIRED, S_JOB_OWNERS, S_JOB_FREE_OWNER,
	S_JOB_COUNTS, S_JOB_FAILURES, S_JOB_HAS, S_CACHE_GET, S_CACHE_PUT,
	S_LABEL_NOW, S_SUG_NOW, S_ANN_ENSURE, S_ALIASES, S_SOL_TEXTS, S_STATE_GET,
	S_STATE_SET, S_STATE_DEL, S_TALLY_ADD, S_SOL_DATASET, S_ALIGN_DEL, S_ALIGN_ADD,
	S_LINKED, S_NO_REF, S_PROB_SCAN, S_PROB_OF_KEY, S_PROB_REF, S_PROB_SET_REF, S_PROB_UNALIGN,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_DATASET_GET] = "SELECT id FROM dataset WHERE name = ?1",
	[S_DATASET_ADD] = "INSERT INTO dataset(name, format, created_at) VALUES (?1, ?2, ?3)",
	[S_IMPORT_SEEN] = "SELECT 1 FROM import WHERE dataset_id = ?1 AND content_hash = ?2 AND options = ?3 AND finished_at IS NOT NULL",
	[S_IMPORT_ADD] = "INSERT INTO import(dataset_id, path, content_hash, options, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_IMPORT_FINISH] = "UPDATE import SET records = ?2, skipped = ?3, duplicates = ?4, finished_at = ?5, content_hash = ?6 WHERE id = ?1",
	/* an upsert that always returns the row id */
	/* the problem when the upsert would change nothing: see problem_known */
	[S_PROBLEM_GET] = "SELECT id, gold_answer FROM problem WHERE dataset_id = ?1 AND key = ?2 "
			  "AND (gold_answer IS NOT NULL OR (?3 IS NULL AND gold_derived = ?4)) "
			  "AND (?5 IS NULL OR typeof(reference) != 'null')",
	[S_PROBLEM_ADD] = "INSERT INTO problem(dataset_id, key, text, gold_answer, reference, gold_derived) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			  "ON CONFLICT(dataset_id, key) DO UPDATE SET gold_answer = coalesce(gold_answer, excluded.gold_answer), "
			  "gold_derived = CASE WHEN gold_answer IS NULL THEN excluded.gold_derived ELSE gold_derived END, "
			  "reference = coalesce(reference, excluded.reference) RETURNING id, gold_answer",
	[S_SOLUTION_ADD] = "INSERT INTO solution(dataset_id, problem_id, ext_key, generator, final_answer, correct, finish_reason, meta, import_id, source_line, tail) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(dataset_id, ext_key) DO NOTHING",
	[S_STEP_ADD] = "INSERT INTO step(solution_id, idx, text, chosen, alts) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_LABEL_ADD] = "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at, action_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_SUG_ADD] = "INSERT INTO suggestion(solution_id, step_idx, source, model, origin, value, first_error, k, n, rationale, created_at, job_id) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
	[S_STAT_SRC] = "SELECT d.name, t.name, t.n FROM tally t JOIN dataset d ON d.id = t.dataset_id "
		       "WHERE t.kind = 'suggestion' AND t.n > 0 ORDER BY d.name, t.name",
	[S_EX_SOL] = "SELECT s.id, d.name, s.ext_key, p.text, p.gold_answer, p.reference, s.generator, s.final_answer, "
		     "s.correct, s.finish_reason, s.meta, s.source_line, s.tail, p.gold_derived, p.reference_steps, "
		     "g.solution_id IS NOT NULL, g.first_error, g.ratings, g.rule, g.agreed_by, g.policy FROM solution s "
		     "JOIN problem p ON p.id = s.problem_id JOIN dataset d ON d.id = s.dataset_id "
		     "LEFT JOIN agreed g ON g.solution_id = s.id "
		     "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY s.id",
	[S_EX_STEP] = "SELECT t.solution_id, t.idx, t.text, t.chosen, t.alts FROM step t JOIN solution s ON s.id = t.solution_id "
		      "JOIN dataset d ON d.id = s.dataset_id "
		      "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY t.solution_id, t.idx",
	[S_EX_LABEL] = "SELECT l.solution_id, l.step_idx, l.kind, l.value, l.text, l.annotator, l.origin, l.created_at FROM label l "
		       "JOIN solution s ON s.id = l.solution_id JOIN dataset d ON d.id = s.dataset_id "
		       "WHERE (?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1))) "
		       "AND (?2 IS NULL OR l.annotator IN (SELECT value FROM json_each(?2))) ORDER BY l.solution_id, l.id",
	[S_EX_SUG] = "SELECT g.solution_id, g.step_idx, g.source, g.model, g.origin, g.value, g.first_error, g.k, g.n, g.rationale "
		     "FROM suggestion g JOIN solution s ON s.id = g.solution_id JOIN dataset d ON d.id = s.dataset_id "
		     "WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY g.solution_id, g.id",
	[S_COL_ANN] = "SELECT DISTINCT l.annotator FROM label l JOIN solution s ON s.id = l.solution_id "
		      "JOIN dataset d ON d.id = s.dataset_id WHERE (?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1))) "
		      "AND (?2 IS NULL OR l.annotator IN (SELECT value FROM json_each(?2))) AND l.kind IN ('rating', 'ratings', 'first_error') ORDER BY 1",
	[S_COL_SRC] = "SELECT DISTINCT g.source || coalesce('/' || g.model, '') FROM suggestion g JOIN solution s ON s.id = g.solution_id "
		      "JOIN dataset d ON d.id = s.dataset_id WHERE ?1 IS NULL OR d.name IN (SELECT value FROM json_each(?1)) ORDER BY 1",
	[S_SUM_PUT] = "INSERT OR REPLACE INTO summary(solution_id, dataset_id, nsteps, labelled, flags, verdicts) "
		      "VALUES (?1, ?2, ?3, ?4, ?5 | coalesce((SELECT 32 FROM agreed WHERE solution_id = ?1 "
		      "AND rule IS NOT NULL), 0), ?6)", /* SF_AGREED kept */
	/* a new solution's: a plain insert needs no statement journal */
	[S_SUM_ADD] = "INSERT INTO summary(solution_id, dataset_id, nsteps, labelled, flags, verdicts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* counts by the smallest index of each table: cheap on a big store */
	[S_SUM_MISSING] = "SELECT (SELECT count(*) FROM solution) - (SELECT count(*) FROM summary)",
	[S_ONE_SOL] = "SELECT s.id, d.name, s.ext_key, p.text, p.gold_answer, p.reference, s.generator, s.final_answer, "
		      "s.correct, s.finish_reason, s.meta, s.source_line, s.tail, s.dataset_id, p.gold_derived, "
		      "p.reference_steps FROM solution s "
		      "JOIN problem p ON p.id = s.problem_id JOIN dataset d ON d.id = s.dataset_id WHERE s.id = ?1",
	[S_ONE_STEP] = "SELECT solution_id, idx, text, chosen, alts FROM step WHERE solution_id = ?1 ORDER BY idx",
	[S_ONE_LABEL] = "SELECT solution_id, step_idx, kind, value, text, annotator, origin, created_at, id, action_id "
			"FROM label WHERE solution_id = ?1 ORDER BY id",
	[S_ONE_SUG] = "SELECT solution_id, step_idx, source, model, origin, value, first_error, k, n, rationale "
		      "FROM suggestion WHERE solution_id = ?1 ORDER BY id",
	[S_LINKED] = "SELECT count(DISTINCT a.solution_id) FROM alignment a JOIN solution s ON s.id = a.solution_id "
		     "WHERE a.source = ?1 AND (?2 = 0 OR s.dataset_id = ?2)",
	[S_NO_REF] = "SELECT count(*) FROM solution s JOIN problem p ON p.id = s.problem_id "
		     "WHERE coalesce(p.reference, '') = '' AND (?1 = 0 OR s.dataset_id = ?1)",
	[S_PROB_SCAN] = "SELECT id, text FROM problem WHERE ?1 = 0 OR dataset_id = ?1",
	[S_PROB_OF_KEY] = "SELECT problem_id FROM solution WHERE dataset_id = ?1 AND ext_key = ?2",
	[S_PROB_REF] = "SELECT text, reference, reference_steps FROM problem WHERE id = ?1",
	[S_PROB_SET_REF] = "UPDATE problem SET reference = ?2, reference_steps = ?3 WHERE id = ?1",
	[S_PROB_UNALIGN] = "DELETE FROM alignment WHERE solution_id IN "
			   "(SELECT id FROM solution WHERE problem_id = ?1)",
	[S_ALIGN_DEL] = "DELETE FROM alignment WHERE solution_id = ?1 AND source = ?2",
	[S_ALIGN_ADD] = "INSERT INTO alignment(solution_id, step_idx, ref_step, score, source, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_ONE_ALIGN] = "SELECT step_idx, ref_step, score, source FROM alignment WHERE solution_id = ?1 ORDER BY step_idx, ref_step",
	[S_ACTION_ADD] = "INSERT INTO action(solution_id, annotator, op, ref, name, created_at, active_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_ACTION_LIST] = "SELECT id, op, ref, name FROM action WHERE solution_id = ?1 AND annotator = ?2 ORDER BY id",
	[S_ACTION_NAME] = "SELECT name FROM action WHERE id = ?1",
	/* what an annotator's labels say now: the latest per kind and step */
	[S_LABEL_NOW] = "SELECT kind, coalesce(step_idx, -1), value, text FROM label WHERE id IN "
			"(SELECT max(id) FROM label WHERE solution_id = ?1 AND annotator = ?2 "
			"GROUP BY kind, coalesce(step_idx, -1))",
	/* and a source's imported suggestions */
	[S_SUG_NOW] = "SELECT coalesce(step_idx, -1), value, first_error, k, n FROM suggestion WHERE id IN "
		      "(SELECT max(id) FROM suggestion WHERE solution_id = ?1 AND source = ?2 "
		      "AND model IS ?3 AND job_id IS NULL GROUP BY coalesce(step_idx, -1))",
	[S_SOL_FIND] = "SELECT s.id, s.import_id = ?3, s.source_line, p.text, i.path FROM solution s "
		       "JOIN problem p ON p.id = s.problem_id LEFT JOIN import i ON i.id = s.import_id "
		       "WHERE s.dataset_id = ?1 AND s.ext_key = ?2",
	[S_SOL_STEPS] = "SELECT text FROM step WHERE solution_id = ?1 ORDER BY idx",
	[S_ACTION_LABELS] = "SELECT step_idx, kind, value, text FROM label WHERE action_id = ?1 ORDER BY id",
	[S_LABEL_BEFORE] = "SELECT value, text FROM label WHERE solution_id = ?1 AND annotator = ?2 AND kind = ?3 "
			   "AND step_idx IS ?4 AND id < ?5 AND (?6 IS NULL OR text = ?6) "
			   "ORDER BY id DESC LIMIT 1",
	[S_DATASETS] = "SELECT name FROM dataset ORDER BY name",
	[S_QROW] = "SELECT s.id, d.name, s.ext_key, m.nsteps, m.labelled, m.flags, m.verdicts, substr(p.text, 1, 300) "
		   "FROM summary m JOIN solution s ON s.id = m.solution_id JOIN dataset d ON d.id = s.dataset_id "
		   "JOIN problem p ON p.id = s.problem_id WHERE m.solution_id = ?1",
	[S_MAX_LABEL] = "SELECT coalesce(min(id), 0) FROM label WHERE action_id = ?1",
	[S_DATA_VERSION] = "PRAGMA data_version",
	[S_MAX_SOL] = "SELECT coalesce(max(id), 0) FROM solution",
	/* jobs: see schema.c, migration 3 */
	[S_JOB_ADD] = "INSERT OR IGNORE INTO job(kind, solution_id, params, state, created_at, updated_at) "
		      "SELECT ?1, s.id, ?2, 'queued', ?3, ?3 FROM solution s "
		      "WHERE (?4 = 0 OR s.dataset_id = ?4) AND (?5 = 0 OR s.id = ?5) ORDER BY s.id LIMIT ?6",
	[S_JOB_REQUEUE] = "UPDATE job SET state = 'queued', attempts = 0, last_error = NULL, updated_at = ?3 "
			  "WHERE kind = ?1 AND params = ?2 AND state = ?5 "
			  "AND (?4 = 0 OR solution_id IN (SELECT id FROM solution WHERE dataset_id = ?4)) "
			  "AND (?6 = 0 OR solution_id = ?6)",
	[S_JOB_LEASE] = "UPDATE job SET state = 'leased', lease_owner = ?3, lease_until = ?4, attempts = attempts + 1, updated_at = ?5 "
			"WHERE id IN (SELECT id FROM job WHERE kind = ?1 AND params = ?2 AND state = 'queued' "
			"AND (?7 = 0 OR solution_id IN (SELECT id FROM solution WHERE dataset_id = ?7)) "
			"ORDER BY solution_id LIMIT ?6) "
			"RETURNING id, solution_id, attempts",
	[S_JOB_LEASE_SOL] = "UPDATE job SET state = 'leased', lease_owner = ?3, lease_until = ?4, attempts = attempts + 1, updated_at = ?5 "
			    "WHERE kind = ?1 AND params = ?2 AND state = 'queued' AND solution_id = ?6 "
			    "RETURNING id, solution_id, attempts",
	[S_JOB_RENEW] = "UPDATE job SET lease_until = ?2 WHERE lease_owner = ?1 AND state = 'leased'",
	[S_JOB_FINISH] = "UPDATE job SET state = ?3, last_error = ?4, requests = requests + ?5, cached = cached + ?6, "
			 "tokens = tokens + ?7, tokens_in = tokens_in + ?9, tokens_out = tokens_out + ?10, "
			 "lease_owner = NULL, lease_until = NULL, updated_at = ?8 "
			 "WHERE id = ?1 AND lease_owner = ?2 AND state = 'leased'",
	[S_JOB_RELEASE] = "UPDATE job SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?3 "
			  "WHERE lease_owner = ?1 AND state = 'leased' AND (?2 = 0 OR id = ?2)",
	[S_JOB_EXPIRED] = "UPDATE job SET state = 'queued', lease_owner = NULL, lease_until = NULL "
			  "WHERE state = 'leased' AND lease_until < ?1",
	[S_JOB_OWNERS] = "SELECT DISTINCT lease_owner FROM job WHERE lease_owner IS NOT NULL",
	[S_JOB_FREE_OWNER] = "UPDATE job SET state = 'queued', lease_owner = NULL, lease_until = NULL "
			     "WHERE lease_owner = ?1 AND state = 'leased'",
	[S_JOB_COUNTS] = "SELECT state, count(*), sum(requests), sum(cached), sum(tokens), "
			 "sum(tokens_in), sum(tokens_out) FROM job "
			 "WHERE kind = ?1 AND (params = ?2 OR ?2 IS NULL) GROUP BY state",
	[S_JOB_FAILURES] = "SELECT coalesce(last_error, ''), count(*), min(solution_id) FROM job "
			   "WHERE kind = ?1 AND (params = ?2 OR ?2 IS NULL) AND state = 'failed' "
			   "GROUP BY 1 ORDER BY 2 DESC LIMIT ?3",
	[S_JOB_HAS] = "SELECT state FROM job WHERE kind = ?1 AND params = ?2 AND solution_id = ?3",
	[S_CACHE_GET] = "SELECT body FROM response_cache WHERE request_hash = ?1",
	[S_CACHE_PUT] = "INSERT OR IGNORE INTO response_cache(request_hash, body, created_at) VALUES (?1, ?2, ?3)",
	[S_ANN_ENSURE] = "INSERT OR IGNORE INTO annotator(name, first_label, alias, auto) "
			 "SELECT ?1, ?2, CASE WHEN m THEN 'L' || (SELECT coalesce(max(CAST(substr(alias, 2) "
			 "AS INTEGER)), 0) + 1 FROM annotator WHERE auto = 1) END, m FROM (SELECT "
			 "length(?1) >= 20 AND ?1 NOT GLOB '*[^0-9a-fA-F-]*' AS m)",
	[S_ALIASES] = "SELECT name, alias FROM annotator WHERE alias IS NOT NULL ORDER BY first_label",
	/* a solution's texts for search: the problem, then each step */
	[S_SOL_TEXTS] = "SELECT p.text FROM solution s JOIN problem p ON p.id = s.problem_id "
			"WHERE s.id = ?1 UNION ALL SELECT text FROM step WHERE solution_id = ?1",
	[S_STATE_GET] = "SELECT value FROM store_state WHERE key = ?1",
	[S_STATE_SET] = "INSERT OR REPLACE INTO store_state(key, value) VALUES (?1, ?2)",
	[S_STATE_DEL] = "DELETE FROM store_state WHERE key = ?1",
	[S_TALLY_ADD] = "INSERT INTO tally(kind, dataset_id, name, n) VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT(kind, dataset_id, name) DO UPDATE SET n = n + excluded.n",
	[S_SOL_DATASET] = "SELECT dataset_id FROM solution WHERE id = ?1",
};

/* Waiting for another writer: as long as it makes progress. */
struct patience {
	char *wal;          /* the store's write-ahead log */
	FILE *say;          /* where "waiting" is said, or NULL */
	double since, seen; /* the wait's start, the writer's last progress */
	long long wal_size;
	long long wal_mtime;
	int said;
};

struct db {
	sqlite3 *h;
	sqlite3_stmt *st[S_COUNT];
	struct buf scratch;
	char now[32]; /* time stamp for rows written without one */
	struct patience wait;
	char *ann_known; /* the annotator last entered in this transaction */
	/* this transaction's labels and suggestions per data set and name,
	 * added to the tally table at commit */
	struct tally *tal;
	size_t ntal, captal;
	int64_t ds_sol, ds_id; /* the last solution's data set */
};

struct tally {
	int kind; /* 0 label, 1 suggestion */
	int64_t ds;
	char *name;
	long n;
};

#define STALL_S 60.0 /* a writer that shows no progress this long: give up */

/* SQLite's busy handler: waits while the writer holding the lock makes
 * progress (its log grows or is rewritten), says so once after a second,
 * and gives up after STALL_S seconds without progress. */
static int busy_wait(void *ctx, int count)
{
	struct patience *p = ctx;
	double now = mono_ms() / 1e3;
	struct stat st;
	long long size = -1, mtime = -1;
	if (p->wal && stat(p->wal, &st) == 0) {
		size = (long long)st.st_size;
		mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
	if (count == 0) {
		p->since = p->seen = now;
		p->said = 0;
	} else if (size != p->wal_size || mtime != p->wal_mtime) {
		p->seen = now;
	}
	p->wal_size = size;
	p->wal_mtime = mtime;
	if (now - p->seen > STALL_S)
		return 0;
	if (!p->said && p->say && now - p->since > 1.0) {
		fprintf(p->say, "stepmark: waiting for another writer to release the store...\n");
		fflush(p->say);
		p->said = 1;
	}
	usleep(count < 10 ? 5000 : 50000);
	return 1;
}

void db_say_waits(struct db *db, FILE *say)
{
	db->wait.say = say;
}

const char *db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	sqlite3_stmt *s = db->st[id];
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(db->h, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
			       &s, NULL) != SQLITE_OK) {
		errf("stepmark: internal SQL error: %s\n",
			sqlite3_errmsg(db->h));
		abort();
	}
	db->st[id] = s;
	return s;
}

/* A statement left on a row would hold the transaction open. */
static void reset_all(struct db *db)
{
	for (int i = 0; i < S_COUNT; i++)
		if (db->st[i])
			sqlite3_reset(db->st[i]);
}

static int exec(struct db *db, const char *sql)
{
	return sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int user_version(sqlite3 *h)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int migrate(struct db *db, char *err, size_t errlen)
{
	/* a store at the current version is opened without a write lock */
	if (user_version(db->h) == schema_count())
		return 0;
	if (exec(db, "BEGIN IMMEDIATE") < 0) {
		snprintf(err, errlen, "cannot lock the store: %s", db_errmsg(db));
		return -1;
	}
	int v = user_version(db->h);
	int want = schema_count();
	if (v > want) {
		snprintf(err, errlen,
			 "this store has schema version %d, written by a newer stepmark; "
			 "this one knows versions up to %d: upgrade stepmark", v, want);
		exec(db, "ROLLBACK");
		return -1;
	}
	if (v < 0) {
		snprintf(err, errlen, "not a stepmark store: %s", db_errmsg(db));
		exec(db, "ROLLBACK");
		return -1;
	}
	/* an older store: rebuilding a table of millions of rows takes a
	 * while, which is said rather than left to look like a hang */
	if (v > 0 && v < want)
		errf("stepmark: upgrading %s from schema %d to %d (once)...\n",
		     inert(sqlite3_db_filename(db->h, "main") ? sqlite3_db_filename(db->h, "main") :
			   "the store", 0), v, want);
	for (int i = v; i < want; i++) {
		char *msg = NULL;
		char pragma[48];
		if (sqlite3_exec(db->h, schema_migration(i), NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration to schema %d failed: %s", i + 1,
				 msg ? msg : "?");
			sqlite3_free(msg);
			exec(db, "ROLLBACK");
			return -1;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		exec(db, pragma);
	}
	if (exec(db, "COMMIT") < 0) {
		snprintf(err, errlen, "cannot commit the schema: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

static void sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv);

static void global_init(void)
{
	/* each connection is used by one thread only: no mutex per call */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

static void tally_drop(struct db *db);

static void free_db(struct db *db)
{
	free(db->ann_known);
	tally_drop(db);
	free(db->tal);
	sqlite3_close(db->h);
	buf_free(&db->scratch);
	free(db->wait.wal);
	free(db);
}

/* What every connection has: the patient busy handler, extended error
 * codes, regexp(). */
static void attach(struct db *db, const char *path)
{
	size_t n = strlen(path) + 5;
	db->wait.wal = xmalloc(n);
	snprintf(db->wait.wal, n, "%s-wal", path);
	sqlite3_busy_handler(db->h, busy_wait, &db->wait);
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_create_function(db->h, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				NULL, sql_regexp, NULL, NULL);
}

/*
 * A new store gets 8 KiB pages (a store that exists keeps its own; the
 * pragma does nothing there). A step row is about 600 bytes with its
 * alternatives, too large for the 1 KB a 4 KiB page of a WITHOUT ROWID
 * table keeps inline: with 4 KiB pages most steps spilled to overflow
 * pages and a PRM800K store was 40 % larger. 100 K PRM800K solutions
 * into a store that holds data: 9.1 s with 4 KiB pages, 5.7 s with 8,
 * 7.5 s with 16 (bench/import).
 */
#define STORE_PAGE_SIZE "PRAGMA page_size = 8192;"
#define STORE_CACHE "PRAGMA cache_size = -16000;" /* KiB */

static struct db *open_with(const char *path, const char *setup, char *err,
			    size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, global_init);
	struct db *db = xcalloc(1, sizeof(*db));
	int rc = sqlite3_open_v2(path, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		free_db(db);
		return NULL;
	}
	attach(db, path);
	char *msg = NULL;
	if (sqlite3_exec(db->h, setup, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "cannot set up");
		sqlite3_free(msg);
		free_db(db);
		return NULL;
	}
	char why[400];
	if (migrate(db, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		free_db(db);
		return NULL;
	}
	now_iso(db->now);
	return db;
}

/* path as a file: URI, for SQLite's immutable open */
static void uri_of(struct buf *b, const char *path)
{
	buf_puts(b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
			buf_printf(b, "%%%02X", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_puts(b, "?immutable=1");
}

static int open_ro_handle(struct db *db, const char *path, int immutable)
{
	struct buf uri = {0};
	int flags = SQLITE_OPEN_READONLY;
	if (immutable) {
		uri_of(&uri, path);
		flags |= SQLITE_OPEN_URI;
	}
	int rc = sqlite3_open_v2(immutable ? uri.data : path, &db->h, flags, NULL);
	buf_free(&uri);
	if (rc == SQLITE_OK)
		rc = user_version(db->h) < 0 ? sqlite3_errcode(db->h) : SQLITE_OK;
	if (rc != SQLITE_OK) {
		sqlite3_close(db->h);
		db->h = NULL;
	}
	return rc;
}

struct db *db_open_ro(const char *path, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, global_init);
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: no such store (stepmark import FILE makes one)", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a store: not a regular file", path);
		return NULL;
	}
	struct db *db = xcalloc(1, sizeof(*db));
	/* a WAL store in a directory we cannot write, without its -shm file,
	 * opens only as immutable: nobody can be writing it there */
	int rc = open_ro_handle(db, path, 0);
	if (rc != SQLITE_OK && ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY))
		rc = open_ro_handle(db, path, 1);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 (rc & 0xff) == SQLITE_NOTADB ? "not a stepmark store (not an SQLite file)" :
			 sqlite3_errstr(rc));
		free_db(db);
		return NULL;
	}
	attach(db, path);
	int v = user_version(db->h), want = schema_count();
	if (v != want) {
		if (v == 0)
			snprintf(err, errlen, "%s: not a stepmark store", path);
		else if (v > want)
			snprintf(err, errlen, "%s: this store has schema version %d, written by a newer "
				 "stepmark; this one knows versions up to %d: upgrade stepmark", path, v, want);
		else
			snprintf(err, errlen, "%s: this store has schema version %d and this stepmark "
				 "reads %d: open it once with write access (the workbench or an import) "
				 "to upgrade it", path, v, want);
		free_db(db);
		return NULL;
	}
	now_iso(db->now);
	return db;
}

struct db *db_open(const char *path, char *err, size_t errlen)
{
	/* temp_store in memory: a large statement's journal (an import into
	 * a store that holds data) no longer spills to /var/tmp */
	return open_with(path,
			 STORE_PAGE_SIZE
			 "PRAGMA journal_mode = WAL;"
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA foreign_keys = ON;"
			 "PRAGMA temp_store = MEMORY;"
			 STORE_CACHE,
			 err, errlen);
}

struct db *db_open_bulk(const char *path, char *err, size_t errlen)
{
	/* the rollback journal stays in memory: ROLLBACK still works. No
	 * foreign key checks: the import makes each parent before its
	 * children in one private transaction, and a probe per reference
	 * cost some 5 % of it (tests/store.sh runs foreign_key_check on the
	 * stores it imports) */
	return open_with(path,
			 STORE_PAGE_SIZE
			 "PRAGMA locking_mode = EXCLUSIVE;"
			 "PRAGMA journal_mode = MEMORY;"
			 "PRAGMA synchronous = OFF;"
			 "PRAGMA foreign_keys = OFF;"
			 STORE_CACHE,
			 err, errlen);
}

int db_bulk_finish(struct db *db)
{
	reset_all(db);
	int rc = exec(db, "PRAGMA locking_mode = NORMAL;"
			  "PRAGMA journal_mode = WAL;");
	db_close(db);
	return rc;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(db->st[i]);
	free_db(db);
}

static void forget_annotator(struct db *db)
{
	free(db->ann_known);
	db->ann_known = NULL;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v);
static int step_done(struct db *db, sqlite3_stmt *s);

static void tally_drop(struct db *db)
{
	for (size_t i = 0; i < db->ntal; i++)
		free(db->tal[i].name);
	db->ntal = 0;
}

static void tally_count(struct db *db, int kind, int64_t ds, const char *name)
{
	for (size_t i = db->ntal; i-- > 0;) /* the newest first: runs of one name */
		if (db->tal[i].kind == kind && db->tal[i].ds == ds && !strcmp(db->tal[i].name, name)) {
			db->tal[i].n++;
			return;
		}
	if (db->ntal == db->captal) {
		db->captal = db->captal ? 2 * db->captal : 16;
		db->tal = xrealloc(db->tal, db->captal * sizeof(*db->tal));
	}
	db->tal[db->ntal++] = (struct tally){kind, ds, xstrdup(name), 1};
}

/* the data set of a solution, the last one remembered */
static int64_t dataset_of(struct db *db, int64_t sol)
{
	if (sol == db->ds_sol)
		return db->ds_id;
	sqlite3_stmt *s = stmt(db, S_SOL_DATASET);
	sqlite3_bind_int64(s, 1, sol);
	int64_t ds = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	db->ds_sol = sol;
	db->ds_id = ds;
	return ds;
}

static int tally_flush(struct db *db)
{
	for (size_t i = 0; i < db->ntal; i++) {
		sqlite3_stmt *s = stmt(db, S_TALLY_ADD);
		bind_text(s, 1, db->tal[i].kind ? "suggestion" : "label");
		sqlite3_bind_int64(s, 2, db->tal[i].ds);
		bind_text(s, 3, db->tal[i].name);
		sqlite3_bind_int64(s, 4, db->tal[i].n);
		if (step_done(db, s) < 0)
			return -1;
	}
	tally_drop(db);
	return 0;
}

/*
 * An import into a store that holds data (a WAL store) runs with half the
 * page cache. Since the import stopped upserting every solution's
 * problem, SQLite's cache held twice what it was given during such an
 * import (massif: 14.5 MB of pages allocated under
 * sqlite3PcacheFetchStress besides the 16 MB; peak RSS 44 MB at 40 K and
 * 100 K solutions, 29 MB before), for no speed: with half, RSS is 29 MB
 * again (bench/import).
 */
int db_import_cache(struct db *db, int importing)
{
	return exec(db, importing ? "PRAGMA cache_size = -8000;" : STORE_CACHE);
}

int db_begin(struct db *db)
{
	forget_annotator(db);
	tally_drop(db);
	now_iso(db->now);
	return exec(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	if (tally_flush(db) < 0)
		return -1; /* the caller rolls back */
	reset_all(db);
	return exec(db, "COMMIT");
}

int db_rollback(struct db *db)
{
	forget_annotator(db);
	tally_drop(db);
	reset_all(db);
	return exec(db, "ROLLBACK");
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int step_done(struct db *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
}

int64_t db_dataset_ensure(struct db *db, const char *name, const char *format)
{
	sqlite3_stmt *s = stmt(db, S_DATASET_GET);
	bind_text(s, 1, name);
	if (sqlite3_step(s) == SQLITE_ROW)
		return sqlite3_column_int64(s, 0);
	s = stmt(db, S_DATASET_ADD);
	bind_text(s, 1, name);
	bind_text(s, 2, format);
	bind_text(s, 3, db->now);
	if (step_done(db, s) < 0)
		return -1;
	return sqlite3_last_insert_rowid(db->h);
}

int db_import_seen(struct db *db, int64_t dataset, const char *hash,
		   const char *options)
{
	sqlite3_stmt *s = stmt(db, S_IMPORT_SEEN);
	sqlite3_bind_int64(s, 1, dataset);
	bind_text(s, 2, hash);
	bind_text(s, 3, options);
	return sqlite3_step(s) == SQLITE_ROW;
}

int64_t db_import_add(struct db *db, int64_t dataset, const char *path,
		      const char *hash, const char *options)
{
	/* an unfinished earlier attempt left no rows behind (it rolled back),
	 * but a row with the same key may exist from a --skip-bad import */
	sqlite3_stmt *s = stmt(db, S_IMPORT_ADD);
	sqlite3_bind_int64(s, 1, dataset);
	bind_text(s, 2, path);
	bind_text(s, 3, hash);
	bind_text(s, 4, options);
	bind_text(s, 5, db->now);
	if (step_done(db, s) < 0)
		return -1;
	return sqlite3_last_insert_rowid(db->h);
}

int db_import_finish(struct db *db, int64_t import_id, const char *hash,
		     long records, long skipped, long duplicates)
{
	char now[32];
	now_iso(now);
	sqlite3_stmt *s = stmt(db, S_IMPORT_FINISH);
	sqlite3_bind_int64(s, 1, import_id);
	sqlite3_bind_int64(s, 2, records);
	sqlite3_bind_int64(s, 3, skipped);
	sqlite3_bind_int64(s, 4, duplicates);
	bind_text(s, 5, now);
	bind_text(s, 6, hash);
	return step_done(db, s);
}

/* The problem's id when the store has it and the item would add nothing
 * to it (no gold answer or reference it lacks): most solutions of a data
 * set share their problem with others, and an upsert that changes
 * nothing still rewrites the row. 0 when the upsert must run, -1 on
 * error. */
static int64_t problem_known(struct db *db, int64_t dataset, uint64_t key,
			     const struct item *it, struct db_clash *put)
{
	/* typeof() and a short-circuit keep the probe from reading the long
	 * reference (often on overflow pages) and the row's last column */
	sqlite3_stmt *s = stmt(db, S_PROBLEM_GET);
	sqlite3_bind_int64(s, 1, dataset);
	sqlite3_bind_int64(s, 2, (int64_t)key);
	bind_text(s, 3, it->gold);
	sqlite3_bind_int(s, 4, it->gold_derived);
	bind_text(s, 5, it->reference);
	int rc = sqlite3_step(s);
	int64_t id = 0;
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (put)
			snprintf(put->gold, sizeof(put->gold), "%s",
				 col_text(s, 1) ? col_text(s, 1) : "");
	} else if (rc != SQLITE_DONE) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		id = -1;
	}
	sqlite3_reset(s);
	return id;
}

static uint64_t problem_key(const struct item *it)
{
	uint64_t key = hash64(it->problem, strlen(it->problem), 0x5eed);
	if (it->gold && !it->gold_derived) /* a derived gold is not the problem's */
		key = hash64(it->gold, strlen(it->gold), key);
	return key;
}

/* Adds the problem, or gives it what it lacks (gold answer, reference). */
static int64_t problem_add(struct db *db, int64_t dataset, const struct item *it,
			   struct db_clash *put)
{
	sqlite3_stmt *s = stmt(db, S_PROBLEM_ADD);
	sqlite3_bind_int64(s, 1, dataset);
	sqlite3_bind_int64(s, 2, (int64_t)problem_key(it));
	bind_text(s, 3, it->problem);
	bind_text(s, 4, it->gold);
	bind_text(s, 5, it->reference);
	sqlite3_bind_int(s, 6, it->gold_derived);
	if (sqlite3_step(s) != SQLITE_ROW) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	if (put)
		snprintf(put->gold, sizeof(put->gold), "%s", col_text(s, 1) ? col_text(s, 1) : "");
	return sqlite3_column_int64(s, 0);
}

/* PRM800K candidates as JSON; NULL when the step had no choice (one
 * completion, taken, nothing flagged): the step and its label say it all. */
const char *db_alts_json(struct buf *b, const struct alt *alts, size_t n, int chosen)
{
	if (n == 0 || (n == 1 && chosen == 0 && alts[0].flagged < 0 && !alts[0].human))
		return NULL;
	buf_reset(b);
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		const struct alt *a = &alts[i];
		buf_puts(b, i ? ",{\"text\":" : "{\"text\":");
		buf_json_str(b, a->text, strlen(a->text));
		if (a->rating != NO_RATING)
			buf_puts(b, a->rating > 0 ? ",\"rating\":1" : a->rating < 0 ? ",\"rating\":-1" : ",\"rating\":0");
		if (a->flagged >= 0)
			buf_puts(b, a->flagged ? ",\"flagged\":true" : ",\"flagged\":false");
		if (a->human)
			buf_puts(b, ",\"human\":true");
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	return b->data;
}

static int alts_parse(struct arena *a, const char *json, struct alt **out,
		      size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!json)
		return 0;
	const struct jnode *r = jparse(a, json, strlen(json));
	if (!r || r->type != J_ARR)
		return -1;
	struct alt *v = arena_alloc(a, (r->len + 1) * sizeof(*v));
	size_t i = 0;
	for (const struct jnode *c = r->child; c; c = c->next, i++) {
		const struct jnode *t = jget(c, "text"), *rt = jget(c, "rating");
		const struct jnode *f = jget(c, "flagged"), *h = jget(c, "human");
		long long x;
		v[i].text = t && t->type == J_STR ? t->str : "";
		v[i].rating = rt && jint(rt, &x) == 0 ? (int)x : NO_RATING;
		v[i].flagged = f && f->type == J_BOOL ? f->boolean : -1;
		v[i].human = h && h->type == J_BOOL && h->boolean;
	}
	*out = v;
	*n = i;
	return 0;
}

static int steps_add(struct db *db, int64_t sol, const struct item *it)
{
	for (size_t i = 0; i < it->nsteps; i++) {
		const struct step *st = &it->steps[i];
		sqlite3_stmt *s = stmt(db, S_STEP_ADD);
		sqlite3_bind_int64(s, 1, sol);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		bind_text(s, 3, st->text);
		if (st->chosen >= 0)
			sqlite3_bind_int(s, 4, st->chosen);
		bind_text(s, 5, st->alts_encoded ? st->alts_json
						 : db_alts_json(&db->scratch, st->alts, st->nalts, st->chosen));
		if (step_done(db, s) < 0)
			return -1;
	}
	return 0;
}

static const char *const kind_names[] = {"rating", "first_error", "finish", "note", "ratings",
					 "alt_rating", "flag", "adjudication"};

/* the kinds whose value column holds something */
static int valued(int kind)
{
	return kind == LK_RATING || kind == LK_FIRST_ERROR || kind == LK_ALT_RATING ||
	       kind == LK_FLAG || kind == LK_ADJUDICATION;
}

static int labels_add(struct db *db, int64_t sol, const struct label *lb,
		      size_t n, int64_t action)
{
	for (size_t i = 0; i < n; i++) {
		const struct label *l = &lb[i];
		sqlite3_stmt *s = stmt(db, S_LABEL_ADD);
		sqlite3_bind_int64(s, 1, sol);
		if (l->step >= 0)
			sqlite3_bind_int(s, 2, l->step);
		bind_text(s, 3, kind_names[l->kind]);
		if (valued(l->kind) && l->value != NO_RATING)
			sqlite3_bind_int(s, 4, l->value);
		bind_text(s, 5, l->text);
		bind_text(s, 6, l->annotator);
		bind_text(s, 7, l->origin);
		bind_text(s, 8, l->at ? l->at : db->now);
		if (action > 0)
			sqlite3_bind_int64(s, 9, action);
		if (step_done(db, s) < 0)
			return -1;
		tally_count(db, 0, dataset_of(db, sol), l->annotator);
		if (l->annotator && (!db->ann_known || strcmp(db->ann_known, l->annotator))) {
			/* the annotator table, and an alias for a machine name */
			s = stmt(db, S_ANN_ENSURE);
			bind_text(s, 1, l->annotator);
			sqlite3_bind_int64(s, 2, sqlite3_last_insert_rowid(db->h));
			if (step_done(db, s) < 0)
				return -1;
			free(db->ann_known);
			db->ann_known = xstrdup(l->annotator);
		}
	}
	return 0;
}

int db_annotator_ensure(struct db *db, const char *name, int64_t first_label)
{
	sqlite3_stmt *s = stmt(db, S_ANN_ENSURE);
	bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, first_label);
	return step_done(db, s);
}

int db_aliases(struct db *db, void (*fn)(void *ctx, const char *name, const char *alias),
	       void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_ALIASES);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), col_text(s, 1));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int sugs_insert(struct db *db, int64_t sol, const struct suggestion *sugs,
		       size_t n, int64_t job)
{
	for (size_t i = 0; i < n; i++) {
		const struct suggestion *g = &sugs[i];
		sqlite3_stmt *s = stmt(db, S_SUG_ADD);
		sqlite3_bind_int64(s, 1, sol);
		if (g->step >= 0)
			sqlite3_bind_int(s, 2, g->step);
		bind_text(s, 3, g->source);
		bind_text(s, 4, g->model);
		bind_text(s, 5, g->origin);
		if (g->value != NO_VALUE)
			sqlite3_bind_double(s, 6, g->value);
		if (g->first_error != -2)
			sqlite3_bind_int(s, 7, g->first_error);
		if (g->n > 0) {
			sqlite3_bind_int(s, 8, g->k);
			sqlite3_bind_int(s, 9, g->n);
		}
		bind_text(s, 10, g->rationale);
		bind_text(s, 11, db->now);
		if (job)
			sqlite3_bind_int64(s, 12, job);
		if (step_done(db, s) < 0)
			return -1;
		if (g->model) {
			buf_reset(&db->scratch);
			buf_printf(&db->scratch, "%s/%s", g->source, g->model);
			tally_count(db, 1, dataset_of(db, sol), db->scratch.data);
		} else {
			tally_count(db, 1, dataset_of(db, sol), g->source);
		}
	}
	return 0;
}

static int sugs_add(struct db *db, int64_t sol, const struct item *it)
{
	return sugs_insert(db, sol, it->sugs, it->nsugs, 0);
}


/* 1 when the stored solution sol has it's problem and steps */
static int same_content(struct db *db, int64_t sol, const char *problem, const struct item *it)
{
	if (strcmp(problem, it->problem) != 0)
		return 0;
	sqlite3_stmt *s = stmt(db, S_SOL_STEPS);
	sqlite3_bind_int64(s, 1, sol);
	size_t i = 0;
	int same = 1;
	while (same && sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		same = i < it->nsteps && t && !strcmp(t, it->steps[i].text);
		i++;
	}
	sqlite3_reset(s);
	return same && i == it->nsteps;
}

/* Whether it's key is taken in the data set: 0 free, 1 by the same
 * content, 2 by other content (clash says where), -1 error. */
static int key_taken(struct db *db, int64_t dataset, int64_t import_id,
		     const struct item *it, struct db_clash *clash)
{
	sqlite3_stmt *s = stmt(db, S_SOL_FIND);
	sqlite3_bind_int64(s, 1, dataset);
	bind_text(s, 2, it->key);
	sqlite3_bind_int64(s, 3, import_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	int64_t sol = sqlite3_column_int64(s, 0);
	char *problem = xstrdup(col_text(s, 3) ? col_text(s, 3) : "");
	if (clash) {
		memset(clash, 0, sizeof(*clash));
		clash->solution = sol;
		clash->same_import = sqlite3_column_int(s, 1);
		clash->line = (long)sqlite3_column_int64(s, 2);
		snprintf(clash->path, sizeof(clash->path), "%s", col_text(s, 4) ? col_text(s, 4) : "");
	}
	sqlite3_reset(s);
	int same = same_content(db, sol, problem, it);
	free(problem);
	return same ? 1 : 2;
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 1 when the annotator's labels on sol say now what the item's labels of
 * that annotator say, 0 when they differ, -1 on error */
static int labels_current(struct db *db, int64_t sol, const struct item *it,
			  const char *who)
{
	sqlite3_stmt *s = stmt(db, S_LABEL_NOW);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, who);
	size_t want = 0, found = 0;
	for (size_t i = 0; i < it->nlabels; i++)
		want += str_same(it->labels[i].annotator, who);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *kind = col_text(s, 0);
		int step = sqlite3_column_int(s, 1);
		int has_value = sqlite3_column_type(s, 2) != SQLITE_NULL;
		int value = sqlite3_column_int(s, 2);
		const char *text = col_text(s, 3);
		for (size_t i = 0; i < it->nlabels; i++) {
			const struct label *l = &it->labels[i];
			int lv = valued(l->kind) && l->value != NO_RATING;
			if (str_same(l->annotator, who) && !strcmp(kind_names[l->kind], kind) &&
			    l->step == step && lv == has_value && (!lv || l->value == value) &&
			    str_same(l->text, text)) {
				found++;
				break;
			}
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	return found == want;
}

/* the same for the item's suggestions of one source and model */
static int sugs_current(struct db *db, int64_t sol, const struct item *it,
			const struct suggestion *g0)
{
	sqlite3_stmt *s = stmt(db, S_SUG_NOW);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, g0->source);
	bind_text(s, 3, g0->model);
	size_t want = 0, found = 0, rows = 0;
	for (size_t i = 0; i < it->nsugs; i++)
		want += str_same(it->sugs[i].source, g0->source) &&
			str_same(it->sugs[i].model, g0->model);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows++;
		int step = sqlite3_column_int(s, 0);
		int hv = sqlite3_column_type(s, 1) != SQLITE_NULL;
		double v = sqlite3_column_double(s, 1);
		int hf = sqlite3_column_type(s, 2) != SQLITE_NULL;
		int fe = sqlite3_column_int(s, 2);
		int k = sqlite3_column_int(s, 3), n = sqlite3_column_int(s, 4);
		for (size_t i = 0; i < it->nsugs; i++) {
			const struct suggestion *g = &it->sugs[i];
			if (str_same(g->source, g0->source) && str_same(g->model, g0->model) &&
			    g->step == step && (g->value != NO_VALUE) == hv &&
			    (!hv || g->value == v) && (g->first_error != -2) == hf &&
			    (!hf || g->first_error == fe) && g->k == k && g->n == n) {
				found++;
				break;
			}
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	return found == want && rows == want;
}

/* A solution already in the store gets the item's labels and
 * suggestions that say something else than it holds now (appended: the
 * history keeps both). Returns how many annotators and sources gained
 * some, -1 on error. */
static int item_merge(struct db *db, int64_t sol, const struct item *it)
{
	int added = 0;
	for (size_t i = 0; i < it->nlabels; i++) {
		const char *who = it->labels[i].annotator;
		size_t j = 0;
		while (j < i && !str_same(it->labels[j].annotator, who))
			j++;
		if (j < i)
			continue; /* this annotator was done */
		int cur = labels_current(db, sol, it, who);
		if (cur < 0)
			return -1;
		if (cur)
			continue;
		for (j = i; j < it->nlabels; j++)
			if (str_same(it->labels[j].annotator, who) &&
			    labels_add(db, sol, &it->labels[j], 1, 0) < 0)
				return -1;
		added++;
	}
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
		size_t j = 0;
		while (j < i && !(str_same(it->sugs[j].source, g->source) &&
				  str_same(it->sugs[j].model, g->model)))
			j++;
		if (j < i)
			continue;
		int cur = sugs_current(db, sol, it, g);
		if (cur < 0)
			return -1;
		if (cur)
			continue;
		for (j = i; j < it->nsugs; j++)
			if (str_same(it->sugs[j].source, g->source) &&
			    str_same(it->sugs[j].model, g->model) &&
			    sugs_insert(db, sol, &it->sugs[j], 1, 0) < 0)
				return -1;
		added++;
	}
	return added;
}

int db_solutions_by_key(struct db *db, const char *key, int64_t dataset, int64_t *ids,
			int max)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "SELECT id FROM solution WHERE ext_key = ?1 "
			       "ORDER BY dataset_id != ?2, id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, dataset);
	int n = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n < max)
			ids[n] = sqlite3_column_int64(s, 0);
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

sqlite3 *db_handle(struct db *db)
{
	return db->h;
}

/* 1 when the store says every solution has its summary */
int db_summaries_known(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_STATE_GET);
	bind_text(s, 1, "summaries");
	int yes = sqlite3_step(s) == SQLITE_ROW && col_text(s, 0) &&
		  !strcmp(col_text(s, 0), "complete");
	sqlite3_reset(s);
	return yes;
}

static int state_put(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(db, value ? S_STATE_SET : S_STATE_DEL);
	bind_text(s, 1, key);
	if (value)
		bind_text(s, 2, value);
	return step_done(db, s);
}

static int summary_write(struct db *db, enum stmt_id id, int64_t sol, int64_t dataset,
			 const struct summary *sum)
{
	sqlite3_stmt *s = stmt(db, id);
	sqlite3_bind_int64(s, 1, sol);
	sqlite3_bind_int64(s, 2, dataset);
	sqlite3_bind_int(s, 3, sum->nsteps);
	sqlite3_bind_int(s, 4, sum->labelled);
	sqlite3_bind_int(s, 5, sum->flags);
	bind_text(s, 6, sum->verdicts ? sum->verdicts : "");
	return step_done(db, s);
}

/* The item's key taken (1 same content, 2 other): its labels merged or
 * the clash said; the result is db_item_insert's */
static int item_taken(struct db *db, int taken, const struct item *it,
		      struct db_clash *clash)
{
	if (taken == 1) { /* the same solution: its labels may be new */
		int added = item_merge(db, clash->solution, it);
		return added < 0 ? -1 : added > 0 ? 3 : 0;
	}
	return taken < 0 ? -1 : 2;
}

/*
 * Most solutions of a data set share a problem stored already, which
 * they leave as it is: then the solution's insert itself finds out
 * whether its key is taken (the probe of the key is left for that case).
 * A solution that would add a problem, or change one, has its key probed
 * first, so that a duplicate or a clash leaves the problems alone.
 */
int db_item_insert(struct db *db, int64_t dataset, int64_t import_id,
		   const struct item *it, const struct summary *sum,
		   struct db_clash *clash)
{
	struct db_clash mine;
	if (!clash)
		clash = &mine;
	int64_t prob = problem_known(db, dataset, problem_key(it), it, clash);
	if (prob < 0)
		return -1;
	if (prob == 0) {
		int taken = key_taken(db, dataset, import_id, it, clash);
		if (taken != 0)
			return item_taken(db, taken, it, clash);
		prob = problem_add(db, dataset, it, clash);
		if (prob < 0)
			return -1;
	}
	sqlite3_stmt *s = stmt(db, S_SOLUTION_ADD);
	sqlite3_bind_int64(s, 1, dataset);
	sqlite3_bind_int64(s, 2, prob);
	bind_text(s, 3, it->key);
	bind_text(s, 4, it->generator);
	bind_text(s, 5, it->final_answer);
	if (it->correct >= 0)
		sqlite3_bind_int(s, 6, it->correct);
	bind_text(s, 7, it->finish);
	bind_text(s, 8, it->meta);
	if (import_id > 0)
		sqlite3_bind_int64(s, 9, import_id);
	sqlite3_bind_int64(s, 10, it->line);
	struct buf tail = {0};
	bind_text(s, 11, db_alts_json(&tail, it->tail, it->ntail, -1));
	int rc = step_done(db, s);
	buf_free(&tail);
	if (rc < 0)
		return -1;
	if (sqlite3_changes(db->h) == 0) { /* the key is taken */
		int taken = key_taken(db, dataset, import_id, it, clash);
		return item_taken(db, taken ? taken : -1, it, clash);
	}
	int64_t sol = sqlite3_last_insert_rowid(db->h);
	db->ds_sol = sol; /* its data set, for the tallies */
	db->ds_id = dataset;
	if (steps_add(db, sol, it) < 0 || labels_add(db, sol, it->labels, it->nlabels, 0) < 0 ||
	    sugs_add(db, sol, it) < 0 ||
	    (sum && summary_write(db, S_SUM_ADD, sol, dataset, sum) < 0))
		return -1;
	if (!sum && state_put(db, "summaries", NULL) < 0) /* one without: to count */
		return -1;
	return 1;
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

static const char *adup(struct arena *a, sqlite3_stmt *s, int i)
{
	const char *t = col_text(s, i);
	return t ? arena_strndup(a, t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

static int kind_of(const char *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcmp(k, kind_names[i]) == 0)
			return (int)i;
	return LK_NOTE;
}

static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? 2 * *cap : 16;
	return xrealloc(arr, *cap * size);
}

static int null_or(sqlite3_stmt *q, int i, int dflt)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? dflt : sqlite3_column_int(q, i);
}

static void load_solution(struct item *it, const char **dataset,
			  sqlite3_stmt *s, struct arena *a, int derived_col)
{
	memset(it, 0, sizeof(*it));
	*dataset = adup(a, s, 1);
	it->key = adup(a, s, 2);
	it->problem = adup(a, s, 3);
	it->gold = adup(a, s, 4);
	it->reference = adup(a, s, 5);
	it->generator = adup(a, s, 6);
	it->final_answer = adup(a, s, 7);
	it->correct = null_or(s, 8, -1);
	it->finish = adup(a, s, 9);
	it->meta = adup(a, s, 10);
	it->line = sqlite3_column_int64(s, 11);
	alts_parse(a, col_text(s, 12), &it->tail, &it->ntail);
	it->gold_derived = sqlite3_column_int(s, derived_col);
	it->reference_steps = adup(a, s, derived_col + 1);
	it->agreed.fe = -3;
}

/* the agreed label's columns from i on (export's solutions) */
static void load_agreed(struct item *it, sqlite3_stmt *s, struct arena *a, int i)
{
	if (!sqlite3_column_int(s, i))
		return; /* never computed: -3 */
	it->agreed.fe = null_or(s, i + 1, -2);
	it->agreed.ratings = adup(a, s, i + 2);
	it->agreed.rule = adup(a, s, i + 3);
	it->agreed.by = adup(a, s, i + 4);
	it->agreed.policy = adup(a, s, i + 5);
}

static void load_step(struct step *st, sqlite3_stmt *q, struct arena *a)
{
	st->text = adup(a, q, 2);
	st->chosen = null_or(q, 3, -1);
	alts_parse(a, col_text(q, 4), &st->alts, &st->nalts);
}

static void load_label(struct label *l, sqlite3_stmt *q, struct arena *a)
{
	l->step = null_or(q, 1, -1);
	l->kind = kind_of(col_text(q, 2));
	l->value = null_or(q, 3, NO_RATING);
	l->text = adup(a, q, 4);
	l->annotator = adup(a, q, 5);
	l->origin = adup(a, q, 6);
	l->at = adup(a, q, 7);
}

static void load_sug(struct suggestion *g, sqlite3_stmt *q, struct arena *a)
{
	g->step = null_or(q, 1, -1);
	g->source = adup(a, q, 2);
	g->model = adup(a, q, 3);
	g->origin = adup(a, q, 4);
	g->value = sqlite3_column_type(q, 5) == SQLITE_NULL ? NO_VALUE : sqlite3_column_double(q, 5);
	g->first_error = null_or(q, 6, -2);
	g->k = sqlite3_column_int(q, 7);
	g->n = sqlite3_column_int(q, 8);
	g->rationale = adup(a, q, 9);
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

enum { C_SOL, C_STEP, C_LABEL, C_SUG, C_N };

static int rows_load(struct db *db, struct cursor *c, int64_t sol,
		     struct rows *r, struct arena *a)
{
	r->nsteps = r->nlabels = r->nsugs = 0;
	for (int i = 1; i < C_N; i++) /* rows of unselected solutions */
		while (c[i].live && sqlite3_column_int64(c[i].s, 0) < sol)
			if (cur_next(db, &c[i]) < 0)
				return -1;
	for (; cur_at(&c[C_STEP], sol); r->nsteps++) {
		r->steps = grow(r->steps, r->nsteps, &r->capst, sizeof(*r->steps));
		load_step(&r->steps[r->nsteps], c[C_STEP].s, a);
		if (cur_next(db, &c[C_STEP]) < 0)
			return -1;
	}
	for (; cur_at(&c[C_LABEL], sol); r->nlabels++) {
		r->labels = grow(r->labels, r->nlabels, &r->caplb, sizeof(*r->labels));
		load_label(&r->labels[r->nlabels], c[C_LABEL].s, a);
		if (cur_next(db, &c[C_LABEL]) < 0)
			return -1;
	}
	for (; cur_at(&c[C_SUG], sol); r->nsugs++) {
		r->sugs = grow(r->sugs, r->nsugs, &r->capsg, sizeof(*r->sugs));
		load_sug(&r->sugs[r->nsugs], c[C_SUG].s, a);
		if (cur_next(db, &c[C_SUG]) < 0)
			return -1;
	}
	return 0;
}

int db_export_each(struct db *db, const struct export_filter *f,
		   item_fn fn, void *ctx)
{
	static const enum stmt_id ids[C_N] = {S_EX_SOL, S_EX_STEP, S_EX_LABEL,
					      S_EX_SUG};
	struct cursor c[C_N] = {{0}};
	for (int i = 0; i < C_N; i++) {
		if (f->steps_only && (i == C_LABEL || i == C_SUG))
			continue; /* not live: none read */
		c[i].s = stmt(db, ids[i]);
		bind_text(c[i].s, 1, f->datasets_json);
		if (i == C_LABEL)
			bind_text(c[i].s, 2, f->annotators_json);
		if (cur_next(db, &c[i]) < 0)
			return -1;
	}
	struct arena a = {0};
	struct rows r = {0};
	int rc = 0;
	while (rc == 0 && c[C_SOL].live) {
		struct item it;
		const char *dataset;
		int64_t sol = sqlite3_column_int64(c[C_SOL].s, 0);
		load_solution(&it, &dataset, c[C_SOL].s, &a, 13);
		load_agreed(&it, c[C_SOL].s, &a, 15);
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
		arena_reset(&a);
		if (rc == 0 && cur_next(db, &c[C_SOL]) < 0)
			rc = -1;
	}
	rows_free(&r);
	arena_free(&a);
	for (int i = 0; i < C_N; i++)
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

/* ---- the workbench: summaries, one solution, actions, the queue ---- */

int db_summary_put(struct db *db, int64_t sol, int64_t dataset,
		   const struct summary *sum)
{
	return summary_write(db, S_SUM_PUT, sol, dataset, sum);
}

static int64_t one_int(struct db *db, enum stmt_id id, int64_t dflt);

long db_summary_missing(struct db *db)
{
	if (db_summaries_known(db))
		return 0; /* nothing to count */
	return (long)one_int(db, S_SUM_MISSING, -1);
}

int db_summaries_complete(struct db *db)
{
	return state_put(db, "summaries", "complete");
}

int64_t db_dataset_id(struct db *db, const char *name)
{
	sqlite3_stmt *s = stmt(db, S_DATASET_GET);
	bind_text(s, 1, name);
	int64_t id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return id;
}

int db_datasets(struct db *db, name_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_DATASETS);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
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

static int load_rows(struct db *db, sqlite3_stmt *q, struct db_solution *v,
		     int which)
{
	size_t cap = 0, capid = 0, capact = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct item *it = &v->it;
		if (which == C_STEP) {
			it->steps = grow(it->steps, it->nsteps, &cap, sizeof(*it->steps));
			load_step(&it->steps[it->nsteps++], q, &v->a);
		} else if (which == C_LABEL) {
			size_t n = it->nlabels;
			it->labels = grow(it->labels, n, &cap, sizeof(*it->labels));
			v->label_ids = grow(v->label_ids, n, &capid, sizeof(int64_t));
			v->label_actions = grow(v->label_actions, n, &capact, sizeof(int64_t));
			load_label(&it->labels[n], q, &v->a);
			v->label_ids[n] = sqlite3_column_int64(q, 8);
			v->label_actions[n] = sqlite3_column_int64(q, 9);
			it->nlabels++;
		} else if (which == C_SUG) {
			it->sugs = grow(it->sugs, it->nsugs, &cap, sizeof(*it->sugs));
			load_sug(&it->sugs[it->nsugs++], q, &v->a);
		} else {
			v->aligns = grow(v->aligns, v->naligns, &cap, sizeof(*v->aligns));
			struct db_align *al = &v->aligns[v->naligns++];
			al->step = sqlite3_column_int(q, 0);
			al->ref = sqlite3_column_int(q, 1);
			al->score = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN :
				    sqlite3_column_double(q, 2);
			al->source = adup(&v->a, q, 3);
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
}

int db_solution_load(struct db *db, int64_t sol, struct db_solution *v)
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
	load_solution(&v->it, &v->dataset, s, &v->a, 14);
	v->dataset_id = sqlite3_column_int64(s, 13);
	sqlite3_reset(s);
	static const enum stmt_id ids[] = {S_ONE_STEP, S_ONE_LABEL, S_ONE_SUG, S_ONE_ALIGN};
	static const int which[] = {C_STEP, C_LABEL, C_SUG, C_N};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		sqlite3_stmt *q = stmt(db, ids[i]);
		sqlite3_bind_int64(q, 1, sol);
		if (load_rows(db, q, v, which[i]) < 0)
			return -1;
	}
	return 1;
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
	if (step_done(db, s) < 0)
		return -1;
	return sqlite3_last_insert_rowid(db->h);
}

int db_labels_add(struct db *db, int64_t sol, const struct label *lb, size_t n,
		  int64_t action)
{
	return labels_add(db, sol, lb, n, action);
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
		*out = grow(*out, *n, &cap, sizeof(**out));
		struct label *l = &(*out)[(*n)++];
		memset(l, 0, sizeof(*l));
		l->step = null_or(s, 0, -1);
		l->kind = kind_of(col_text(s, 1));
		l->value = null_or(s, 2, NO_RATING);
		l->text = adup(a, s, 3);
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
	bind_text(s, 3, kind_names[l->kind]);
	if (l->step >= 0)
		sqlite3_bind_int(s, 4, l->step);
	sqlite3_bind_int64(s, 5, first ? first : INT64_MAX);
	/* an alternative's rating is one per alternative: its index */
	int alt = l->kind == LK_ALT_RATING;
	if (alt)
		bind_text(s, 6, l->text);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		l->value = null_or(s, 0, NO_RATING);
		l->text = adup(a, s, 1);
	} else {
		l->value = NO_RATING;
		if (!alt)
			l->text = NULL;
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
		r->dataset = adup(a, s, 1);
		r->key = adup(a, s, 2);
		r->nsteps = sqlite3_column_int(s, 3);
		r->labelled = sqlite3_column_int(s, 4);
		r->flags = sqlite3_column_int(s, 5);
		r->verdicts = adup(a, s, 6);
		r->problem = adup(a, s, 7);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* A compiled pattern with the match data it reuses (one thread at a
 * time: the workbench's loop, or one statement). */
struct db_re {
	pcre2_code *code;
	pcre2_match_data *md;
};

/* regexp(PATTERN, TEXT): PCRE2, the compiled pattern kept by SQLite for
 * as long as the statement runs with the same pattern. A pattern without
 * capitals ignores case. */
static void re_free(void *p)
{
	db_regex_free(p);
}

static void sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct db_re *re = sqlite3_get_auxdata(ctx, 0);
	if (!re) {
		const char *pat = (const char *)sqlite3_value_text(argv[0]);
		char msg[160];
		re = pat ? db_regex_compile(pat, msg, sizeof(msg)) : NULL;
		if (!re) {
			sqlite3_result_error(ctx, pat ? msg : "no pattern", -1);
			return;
		}
		sqlite3_set_auxdata(ctx, 0, re, re_free);
		re = sqlite3_get_auxdata(ctx, 0);
		if (!re) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	const char *t = (const char *)sqlite3_value_text(argv[1]);
	if (!t) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	size_t n = (size_t)sqlite3_value_bytes(argv[1]);
	sqlite3_result_int(ctx, pcre2_match(re->code, (PCRE2_SPTR)t, n, 0, 0, re->md, NULL) >= 0);
}

void *db_regex_compile(const char *pat, char *err, size_t errlen)
{
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	int upper = 0;
	for (const char *p = pat; *p; p++)
		if (*p >= 'A' && *p <= 'Z' && (p == pat || p[-1] != '\\'))
			upper = 1;
	if (!upper)
		opt |= PCRE2_CASELESS;
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opt,
				      &code, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "bad pattern at %zu: %s", (size_t)off, (char *)msg);
		return NULL;
	}
	const char *nojit = getenv("STEPMARK_NO_JIT");
	if (!nojit || !*nojit)
		pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	struct db_re *re = xmalloc(sizeof(*re));
	re->code = c;
	re->md = pcre2_match_data_create(1, NULL);
	return re;
}

void db_regex_free(void *p)
{
	struct db_re *re = p;
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

int db_regex_match(void *p, const char *text, size_t n, size_t *at, size_t *len)
{
	struct db_re *re = p;
	int rc = pcre2_match(re->code, (PCRE2_SPTR)text, n, 0, 0, re->md, NULL);
	if (rc >= 0 && at) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
		*at = ov[0];
		*len = ov[1] - ov[0];
	}
	return rc >= 0;
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

struct queue {
	struct db *db;
	sqlite3_stmt *next, *prev, *count, *rank;
	struct qfilter f;
	char *mine, *undecided;
};

static void where_add(struct buf *b, const struct qfilter *f)
{
	buf_puts(b, " WHERE 1");
	if (f->dataset > 0)
		buf_puts(b, " AND m.dataset_id = ?6");
	switch (f->what) {
	case Q_TODO:
		buf_puts(b, " AND (instr(m.verdicts, ?4) = 0 OR instr(m.verdicts, ?5) > 0)");
		break;
	case Q_MINE:
		buf_puts(b, " AND m.solution_id IN (SELECT l.solution_id FROM label l WHERE l.annotator = ?8)");
		break;
	/* as the partial indexes of schema 9 say them */
	case Q_DIS_ANN:
		buf_printf(b, " AND (m.flags & %d)", SF_DIS_ANN);
		break;
	case Q_DIS_SRC:
		buf_printf(b, " AND (m.flags & %d)", SF_DIS_SRC);
		break;
	case Q_DIS_HA:
		buf_printf(b, " AND (m.flags & %d)", SF_DIS_HA);
		break;
	case Q_DIS_ANY:
		buf_printf(b, " AND (m.flags & %d)", SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA);
		break;
	case Q_ASSIGNED:
		buf_puts(b, " AND m.solution_id IN (SELECT a.solution_id FROM assignment a"
			    " WHERE a.annotator = ?8)");
		break;
	/* as the partial indexes of schema 14 say them */
	case Q_NO_AGREED:
		buf_printf(b, " AND NOT (m.flags & %d)", SF_AGREED);
		break;
	case Q_AGREED:
		if (!f->rule) {
			buf_printf(b, " AND (m.flags & %d)", SF_AGREED);
			break;
		}
		/* fall through */
	case Q_AGREED_ADJ:
	case Q_AGREED_PEOPLE:
	case Q_AGREED_SOURCES:
		/* one rule or kind of rule: often few solutions, read from the
		 * agreed_rule index rather than probed row by row */
		buf_printf(b, " AND m.solution_id IN (SELECT g.solution_id FROM agreed g WHERE %s)",
			   f->what == Q_AGREED_ADJ ? "g.rule = 'adjudicated'" :
			   f->what == Q_AGREED_PEOPLE ? "(g.rule GLOB 'human*' OR"
							" g.rule GLOB 'confirmed-suggestion*')" :
			   f->what == Q_AGREED_SOURCES ? "g.rule GLOB 'sources *'" : "g.rule = ?9");
		break;
	default:
		break;
	}
	if (f->picked)
		buf_puts(b, " AND m.solution_id IN (SELECT id FROM temp.picked)");
	if (f->regex)
		buf_puts(b, " AND (EXISTS (SELECT 1 FROM step t WHERE t.solution_id = m.solution_id"
			    " AND regexp(?7, t.text)) OR regexp(?7, (SELECT p.text FROM solution s"
			    " JOIN problem p ON p.id = s.problem_id WHERE s.id = m.solution_id)))");
}

#define PROGRESS "(m.labelled * 1000 / max(m.nsteps, 1))"

int db_queue_dealt(const struct qfilter *f)
{
	return f->what == Q_ASSIGNED && f->sort == QS_ID && f->annotator;
}

int64_t db_assigned_ord(struct db *db, const char *annotator, int64_t sol)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(db->h, "SELECT ord FROM assignment WHERE annotator = ?1 AND "
			       "solution_id = ?2", -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return 0;
	bind_text(s, 1, annotator);
	sqlite3_bind_int64(s, 2, sol);
	int64_t ord = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return ord;
}

static sqlite3_stmt *queue_prepare(struct queue *q, int kind)
{
	struct buf b = {0};
	const char *cmp = kind == 0 ? ">" : "<";
	const char *dir = kind == 0 ? "" : " DESC";
	if (kind == 2) {
		buf_puts(&b, "SELECT count(*) FROM summary m");
		where_add(&b, &q->f);
		buf_puts(&b, " AND m.solution_id BETWEEN ?1 AND ?2");
	} else if (kind == 3) { /* a position in the dealt order */
		buf_puts(&b, "SELECT count(*) FROM assignment g JOIN summary m ON "
			 "m.solution_id = g.solution_id");
		where_add(&b, &q->f);
		buf_puts(&b, " AND g.annotator = ?8 AND g.ord <= ?1 AND ?2 IS NOT NULL");
	} else if (db_queue_dealt(&q->f)) {
		/* one's assignment in the order it was dealt: the key is ord */
		buf_puts(&b, "SELECT m.solution_id, g.ord FROM assignment g JOIN summary m ON "
			 "m.solution_id = g.solution_id");
		where_add(&b, &q->f);
		buf_printf(&b, " AND g.annotator = ?8 AND g.ord %s ?1 AND ?2 IS NOT NULL"
			   " ORDER BY g.ord%s LIMIT ?3", cmp, dir);
	} else if (q->f.sort == QS_PROGRESS) {
		/* the rest of this key, then the keys beyond: two index ranges
		 * (a row value would scan from the key's first row) */
		buf_puts(&b, "SELECT * FROM (SELECT m.solution_id, " PROGRESS " FROM summary m");
		where_add(&b, &q->f);
		buf_printf(&b, " AND " PROGRESS " = ?1 AND m.solution_id %s ?2"
			   " ORDER BY m.solution_id%s LIMIT ?3)", cmp, dir);
		buf_puts(&b, " UNION ALL SELECT * FROM (SELECT m.solution_id, " PROGRESS
			 " FROM summary m");
		where_add(&b, &q->f);
		buf_printf(&b, " AND " PROGRESS " %s ?1 ORDER BY " PROGRESS "%s, m.solution_id%s"
			   " LIMIT ?3) LIMIT ?3", cmp, dir, dir);
	} else {
		buf_puts(&b, "SELECT m.solution_id, 0 FROM summary m");
		where_add(&b, &q->f);
		buf_printf(&b, " AND m.solution_id %s ?2 AND ?1 IS NOT NULL"
			   " ORDER BY m.solution_id%s LIMIT ?3", cmp, dir);
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(q->db->h, b.data, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		errf("stepmark: internal SQL error: %s\n", db_errmsg(q->db));
		abort();
	}
	buf_free(&b);
	if (q->f.annotator) {
		sqlite3_bind_text(s, 4, q->mine, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, q->undecided, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, q->f.annotator, -1, SQLITE_STATIC);
	}
	if (q->f.dataset > 0)
		sqlite3_bind_int64(s, 6, q->f.dataset);
	if (q->f.regex)
		sqlite3_bind_text(s, 7, q->f.regex, -1, SQLITE_STATIC);
	if (q->f.rule && q->f.what == Q_AGREED)
		sqlite3_bind_text(s, 9, q->f.rule, -1, SQLITE_STATIC);
	return s;
}

int db_pick(struct db *db, const int64_t *ids, size_t n)
{
	/* a deferred transaction that writes only the temporary database
	 * takes no lock on the store: another writer does not stop it */
	if (sqlite3_exec(db->h, "CREATE TEMP TABLE IF NOT EXISTS picked(id INTEGER PRIMARY KEY);"
			 "BEGIN; DELETE FROM temp.picked;", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, "INSERT OR IGNORE INTO temp.picked(id) VALUES (?1)", -1,
				    &s, NULL) == SQLITE_OK ? SQLITE_DONE : SQLITE_ERROR;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

struct queue *db_queue_open(struct db *db, const struct qfilter *f)
{
	struct queue *q = xcalloc(1, sizeof(*q));
	q->db = db;
	q->f = *f;
	q->f.regex = f->regex ? xstrdup(f->regex) : NULL;
	q->f.annotator = f->annotator ? xstrdup(f->annotator) : NULL;
	q->f.rule = f->rule && f->what == Q_AGREED ? xstrdup(f->rule) : NULL;
	if (q->f.annotator) {
		struct buf b = {0};
		buf_printf(&b, "\n@%s\t", f->annotator);
		q->mine = b.data;
		b = (struct buf){0};
		buf_printf(&b, "\n@%s\t-2\n", f->annotator);
		q->undecided = b.data;
	}
	q->next = queue_prepare(q, 0);
	q->prev = queue_prepare(q, 1);
	q->count = queue_prepare(q, 2);
	q->rank = db_queue_dealt(&q->f) ? queue_prepare(q, 3) : NULL;
	return q;
}

void db_queue_close(struct queue *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->next);
	sqlite3_finalize(q->prev);
	sqlite3_finalize(q->count);
	sqlite3_finalize(q->rank);
	free((char *)q->f.regex);
	free((char *)q->f.annotator);
	free((char *)q->f.rule);
	free(q->mine);
	free(q->undecided);
	free(q);
}

long db_queue_rank(struct queue *q, const struct qpos *at)
{
	if (!q->rank)
		return -1;
	sqlite3_bind_int64(q->rank, 1, at->key);
	sqlite3_bind_int64(q->rank, 2, at->id);
	long n = sqlite3_step(q->rank) == SQLITE_ROW ? (long)sqlite3_column_int64(q->rank, 0) : -1;
	sqlite3_reset(q->rank);
	return n;
}

int db_queue_step(struct queue *q, const struct qpos *from, int dir, int n,
		  struct qpos *out)
{
	sqlite3_stmt *s = dir > 0 ? q->next : q->prev;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, from->key);
	sqlite3_bind_int64(s, 2, from->id);
	sqlite3_bind_int(s, 3, n);
	int got = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && got < n) {
		out[got].id = sqlite3_column_int64(s, 0);
		out[got].key = sqlite3_column_int64(s, 1);
		got++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return got;
}

long db_queue_count(struct queue *q, int64_t lo, int64_t hi)
{
	sqlite3_stmt *s = q->count;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

static int64_t one_int(struct db *db, enum stmt_id id, int64_t dflt)
{
	sqlite3_stmt *s = stmt(db, id);
	int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : dflt;
	sqlite3_reset(s);
	return v;
}

int64_t db_max_solution(struct db *db)
{
	return one_int(db, S_MAX_SOL, 0);
}

int db_set_interactive(struct db *db)
{
	/* a label reported saved survives a power cut; a short wait for the
	 * lock, because the program retries rather than block a key */
	sqlite3_busy_timeout(db->h, 25);
	return exec(db, "PRAGMA synchronous = FULL; PRAGMA cache_size = -4000;");
}

int db_busy(struct db *db)
{
	int e = sqlite3_errcode(db->h);
	return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

int64_t db_data_version(struct db *db)
{
	return one_int(db, S_DATA_VERSION, -1);
}

int db_summary_missing_ids(struct db *db, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "SELECT id FROM solution s WHERE NOT EXISTS "
			       "(SELECT 1 FROM summary m WHERE m.solution_id = s.id) ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	size_t cap = 0;
	int rc;
	*ids = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = grow(*ids, *n, &cap, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every statement run, with its parameters, for bench/ui's peer. */
static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
	(void)x;
	if (type != SQLITE_TRACE_STMT)
		return 0;
	char *sql = sqlite3_expanded_sql(p);
	if (sql) {
		fprintf(ctx, "%s;\n", sql);
		sqlite3_free(sql);
	}
	return 0;
}

void db_trace(struct db *db, FILE *fp)
{
	sqlite3_trace_v2(db->h, fp ? SQLITE_TRACE_STMT : 0, fp ? trace_stmt : NULL, fp);
}

/* ---- background jobs ---- */

static double unix_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void db_set_busy_ms(struct db *db, int ms)
{
	sqlite3_busy_timeout(db->h, ms);
}

long db_jobs_enqueue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, long limit)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_JOB_ADD);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	bind_text(s, 3, db->now);
	sqlite3_bind_int64(s, 4, dataset);
	sqlite3_bind_int64(s, 5, sol);
	sqlite3_bind_int64(s, 6, limit > 0 ? limit : -1);
	if (step_done(db, s) < 0)
		return -1;
	long n = (long)sqlite3_changes(db->h);
	sqlite3_reset(s);
	return n;
}

long db_jobs_requeue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, const char *state)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_JOB_REQUEUE);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	bind_text(s, 3, db->now);
	sqlite3_bind_int64(s, 4, dataset);
	bind_text(s, 5, state);
	sqlite3_bind_int64(s, 6, sol);
	if (step_done(db, s) < 0)
		return -1;
	long n = (long)sqlite3_changes(db->h);
	sqlite3_reset(s);
	return n;
}

int db_jobs_lease(struct db *db, const char *kind, const char *params,
		  const char *owner, double lease_s, int64_t dataset, int64_t sol, int max,
		  struct db_job *out)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, sol ? S_JOB_LEASE_SOL : S_JOB_LEASE);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	bind_text(s, 3, owner);
	sqlite3_bind_double(s, 4, unix_now() + lease_s);
	bind_text(s, 5, db->now);
	if (sol) {
		sqlite3_bind_int64(s, 6, sol);
	} else {
		sqlite3_bind_int(s, 6, max);
		sqlite3_bind_int64(s, 7, dataset);
	}
	int n = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n < max) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].id = sqlite3_column_int64(s, 0);
			out[n].sol = sqlite3_column_int64(s, 1);
			out[n].attempts = sqlite3_column_int(s, 2);
			n++;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? n : -1;
}

int db_jobs_renew(struct db *db, const char *owner, double lease_s)
{
	sqlite3_stmt *s = stmt(db, S_JOB_RENEW);
	bind_text(s, 1, owner);
	sqlite3_bind_double(s, 2, unix_now() + lease_s);
	int rc = step_done(db, s);
	sqlite3_reset(s);
	return rc;
}

int db_job_finish(struct db *db, const struct db_job *j, const char *owner,
		  int failed, const char *error, const struct suggestion *sugs,
		  size_t nsugs)
{
	sqlite3_stmt *s = stmt(db, S_JOB_FINISH);
	sqlite3_bind_int64(s, 1, j->id);
	bind_text(s, 2, owner);
	bind_text(s, 3, failed ? "failed" : "done");
	bind_text(s, 4, error);
	sqlite3_bind_int64(s, 5, j->requests);
	sqlite3_bind_int64(s, 6, j->cached);
	sqlite3_bind_int64(s, 7, j->tokens);
	bind_text(s, 8, db->now);
	sqlite3_bind_int64(s, 9, j->tokens_in);
	sqlite3_bind_int64(s, 10, j->tokens_out);
	if (step_done(db, s) < 0)
		return -1;
	int mine = sqlite3_changes(db->h) == 1;
	sqlite3_reset(s);
	if (!mine)
		return 0; /* the lease was lost: another process has the job */
	if (sugs_insert(db, j->sol, sugs, nsugs, j->id) < 0)
		return -1;
	return 1;
}

int db_alignment_put(struct db *db, int64_t sol, const char *source,
		     const struct db_align *links, size_t n)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_ALIGN_DEL);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, source);
	int rc = step_done(db, s);
	sqlite3_reset(s);
	for (size_t i = 0; i < n && rc == 0; i++) {
		s = stmt(db, S_ALIGN_ADD);
		sqlite3_bind_int64(s, 1, sol);
		sqlite3_bind_int(s, 2, links[i].step);
		sqlite3_bind_int(s, 3, links[i].ref);
		if (links[i].step >= 0 && links[i].ref >= 0 && !isnan(links[i].score))
			sqlite3_bind_double(s, 4, links[i].score);
		else
			sqlite3_bind_null(s, 4);
		bind_text(s, 5, source);
		bind_text(s, 6, db->now);
		rc = step_done(db, s);
		sqlite3_reset(s);
	}
	return rc;
}

long db_linked_solutions(struct db *db, const char *source, int64_t dataset, long *no_ref)
{
	sqlite3_stmt *s = stmt(db, S_LINKED);
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, dataset);
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	s = stmt(db, S_NO_REF);
	sqlite3_bind_int64(s, 1, dataset);
	*no_ref = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

int db_problems_each(struct db *db, int64_t dataset,
		     void (*fn)(void *ctx, int64_t id, const char *text), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_PROB_SCAN);
	sqlite3_bind_int64(s, 1, dataset);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1) ? col_text(s, 1) : "");
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t db_problem_of_key(struct db *db, int64_t dataset, const char *ext_key)
{
	sqlite3_stmt *s = stmt(db, S_PROB_OF_KEY);
	sqlite3_bind_int64(s, 1, dataset);
	bind_text(s, 2, ext_key);
	int rc = sqlite3_step(s);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return id;
}

int db_problem_reference(struct db *db, int64_t problem, struct buf *text, struct buf *ref,
			 struct buf *spans)
{
	sqlite3_stmt *s = stmt(db, S_PROB_REF);
	sqlite3_bind_int64(s, 1, problem);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	buf_reset(text);
	buf_reset(ref);
	if (found) {
		buf_puts(text, col_text(s, 0) ? col_text(s, 0) : "");
		buf_puts(ref, col_text(s, 1) ? col_text(s, 1) : "");
		if (spans) {
			buf_reset(spans);
			buf_puts(spans, col_text(s, 2) ? col_text(s, 2) : "");
		}
	}
	sqlite3_reset(s);
	return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_problem_set_gold(struct db *db, int64_t problem, const char *gold, int replace)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "UPDATE problem SET gold_answer = ?2, gold_derived = 0 "
			       "WHERE id = ?1 AND (gold_answer IS NULL OR gold_derived OR ?3 OR "
			       "gold_answer = ?2)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, problem);
	bind_text(s, 2, gold);
	sqlite3_bind_int(s, 3, replace);
	int rc = sqlite3_step(s);
	int changed = sqlite3_changes(db->h);
	sqlite3_finalize(s);
	return rc != SQLITE_DONE ? -1 : changed ? 1 : 0;
}

int db_problem_set_reference(struct db *db, int64_t problem, const char *ref,
			     const char *spans)
{
	sqlite3_stmt *s = stmt(db, S_PROB_SET_REF);
	sqlite3_bind_int64(s, 1, problem);
	bind_text(s, 2, ref);
	bind_text(s, 3, spans && *spans ? spans : NULL);
	int rc = step_done(db, s);
	sqlite3_reset(s);
	/* links to another reference's steps would contradict this one */
	if (rc == 0) {
		s = stmt(db, S_PROB_UNALIGN);
		sqlite3_bind_int64(s, 1, problem);
		rc = step_done(db, s);
		sqlite3_reset(s);
	}
	return rc;
}

int db_jobs_release(struct db *db, const char *owner, int64_t job)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_JOB_RELEASE);
	bind_text(s, 1, owner);
	sqlite3_bind_int64(s, 2, job);
	bind_text(s, 3, db->now);
	int rc = step_done(db, s);
	sqlite3_reset(s);
	return rc;
}

int db_jobs_reclaim(struct db *db, int (*dead)(const char *owner))
{
	sqlite3_stmt *s = stmt(db, S_JOB_EXPIRED);
	sqlite3_bind_double(s, 1, unix_now());
	if (step_done(db, s) < 0)
		return -1;
	int n = sqlite3_changes(db->h);
	sqlite3_reset(s);
	if (!dead)
		return n;
	struct buf owners = {0};
	s = stmt(db, S_JOB_OWNERS);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(s, 0);
		if (o && dead(o)) {
			buf_puts(&owners, o);
			buf_putc(&owners, '\0');
		}
	}
	sqlite3_reset(s);
	for (size_t at = 0; at < owners.len; at += strlen(owners.data + at) + 1) {
		s = stmt(db, S_JOB_FREE_OWNER);
		bind_text(s, 1, owners.data + at);
		if (step_done(db, s) < 0) {
			buf_free(&owners);
			return -1;
		}
		n += sqlite3_changes(db->h);
		sqlite3_reset(s);
	}
	buf_free(&owners);
	return n;
}

int db_jobs_count(struct db *db, const char *kind, const char *params,
		  struct db_job_counts *c)
{
	memset(c, 0, sizeof(*c));
	sqlite3_stmt *s = stmt(db, S_JOB_COUNTS);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *st = (const char *)sqlite3_column_text(s, 0);
		long n = (long)sqlite3_column_int64(s, 1);
		if (!strcmp(st, "queued"))
			c->queued = n;
		else if (!strcmp(st, "leased"))
			c->leased = n;
		else if (!strcmp(st, "done"))
			c->done = n;
		else
			c->failed = n;
		c->requests += (long)sqlite3_column_int64(s, 2);
		c->cached += (long)sqlite3_column_int64(s, 3);
		c->tokens += (long)sqlite3_column_int64(s, 4);
		c->tokens_in += (long)sqlite3_column_int64(s, 5);
		c->tokens_out += (long)sqlite3_column_int64(s, 6);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_jobs_failures(struct db *db, const char *kind, const char *params,
		     int max, void (*fn)(void *, const char *, long, int64_t),
		     void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_JOB_FAILURES);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	sqlite3_bind_int(s, 3, max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(s, 0),
		   (long)sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_job_state(struct db *db, const char *kind, const char *params, int64_t sol,
		 char *out, size_t n)
{
	sqlite3_stmt *s = stmt(db, S_JOB_HAS);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	sqlite3_bind_int64(s, 3, sol);
	int found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return found;
}

int db_cache_get(struct db *db, const char *hash, struct buf *out)
{
	sqlite3_stmt *s = stmt(db, S_CACHE_GET);
	bind_text(s, 1, hash);
	int found = sqlite3_step(s) == SQLITE_ROW;
	if (found) {
		buf_reset(out);
		buf_add(out, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	}
	sqlite3_reset(s);
	return found;
}

int db_cache_put(struct db *db, const char *hash, const char *body, size_t n)
{
	sqlite3_stmt *s = stmt(db, S_CACHE_PUT);
	bind_text(s, 1, hash);
	sqlite3_bind_blob(s, 2, body, (int)n, SQLITE_STATIC);
	bind_text(s, 3, db->now);
	int rc = step_done(db, s);
	sqlite3_reset(s);
	return rc;
}

/* ---- consensus: what the labels were when it last ran ---- */

#define LABELS_MARK "coalesce((SELECT max(id) FROM label), 0) || ' ' || " \
		    "coalesce((SELECT max(id) FROM suggestion), 0)"

int db_consensus_mark(struct db *db)
{
	return sqlite3_exec(db->h, "INSERT OR REPLACE INTO store_state(key, value) "
			    "SELECT 'consensus', " LABELS_MARK, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int db_consensus_stale(struct db *db)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "SELECT coalesce((SELECT value FROM store_state WHERE key = "
			       "'consensus'), '') <> (" LABELS_MARK ")", -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	return rc;
}
