/* rounds.c - batch files' rounds, each job's round, Ray Data's rows */
#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id {
	S_ID_ADD, S_ID_GET, S_ROUND_LAST, S_ROUND_ADD, S_JOB_SET, S_JOB_GET,
	S_PART_PUT, S_PART_COUNT, S_PART_EACH, S_PART_DROP, S_ROUNDS, S_QUEUED,
	S_HOLD_LOCK, S_HOLD_JOURNAL, S_HOLD_SYNC, S_FREE_LOCK, S_FREE_JOURNAL, S_FREE_SYNC, S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_ID_ADD] = "INSERT OR IGNORE INTO store_state(key, value) VALUES ('batch_store', ?1)",
	[S_ID_GET] = "SELECT value FROM store_state WHERE key = 'batch_store'",
	[S_ROUND_LAST] = "SELECT round, target, stem FROM batch_round ORDER BY round DESC LIMIT 1",
	[S_ROUND_ADD] = "INSERT OR REPLACE INTO batch_round(round, target, stem, lines, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	/* a chunk of the round's jobs: ?1 a JSON array of their ids */
	[S_JOB_SET] = "INSERT OR REPLACE INTO batch_job(job_id, round) "
		      "SELECT value, ?2 FROM json_each(?1)",
	[S_JOB_GET] = "SELECT round FROM batch_job WHERE job_id = ?1",
	[S_PART_PUT] = "INSERT OR IGNORE INTO batch_part(request_hash, sample, n, text, finish, "
		       "tokens_in, tokens_out) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_PART_COUNT] = "SELECT count(*) FROM batch_part WHERE request_hash = ?1",
	[S_PART_EACH] = "SELECT sample, n, text, finish, tokens_in, tokens_out FROM batch_part "
			"WHERE request_hash = ?1 ORDER BY sample",
	[S_PART_DROP] = "DELETE FROM batch_part WHERE request_hash = ?1",
	[S_ROUNDS] = "SELECT b.round, j.state, count(*) FROM batch_job b JOIN job j ON j.id = b.job_id "
		     "WHERE j.kind = ?1 AND j.pid = (SELECT id FROM job_params WHERE params = ?2) "
		     "GROUP BY b.round, j.state ORDER BY 1, 2",
	/* the next window of a --batch-out stream (job_todo's order; the
	 * params by their id, issue 26's job_params) */
	[S_QUEUED] = "SELECT id, solution_id, attempts FROM job WHERE kind = ?1 AND "
		     "pid = (SELECT id FROM job_params WHERE params = ?2) "
		     "AND state = 'queued' AND solution_id > ?3 AND (?4 = 0 OR solution_id = ?4) "
		     "AND (?5 = 0 OR solution_id IN (SELECT id FROM solution WHERE dataset_id = ?5)) "
		     "ORDER BY solution_id LIMIT ?6",
	/* a results file's one transaction with the store held alone: a
	 * rollback journal keeps only the pages it changes that were there
	 * before, where the log (WAL) takes every page and the checkpoint
	 * then writes each one again; back to the log after it (the lock
	 * first: entering WAL while exclusive would keep the lock) */
	[S_HOLD_LOCK] = "PRAGMA locking_mode = EXCLUSIVE",
	[S_HOLD_JOURNAL] = "PRAGMA journal_mode = TRUNCATE",
	[S_HOLD_SYNC] = "PRAGMA synchronous = FULL",
	[S_FREE_LOCK] = "PRAGMA locking_mode = NORMAL",
	[S_FREE_JOURNAL] = "PRAGMA journal_mode = WAL",
	[S_FREE_SYNC] = "PRAGMA synchronous = NORMAL",
};

static const struct stmt_table stmts = {ROOM_BATCH, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

/* a column's text copied into out (n bytes) */
static void copy_col(sqlite3_stmt *s, int i, char *out, size_t n)
{
	const char *t = col_text(s, i);
	if (n)
		snprintf(out, n, "%s", t ? t : "");
}

int db_batch_store_id(struct db *db, const char *fresh, char out[17])
{
	sqlite3_stmt *s = stmt(db, S_ID_ADD);
	bind_text(s, 1, fresh);
	if (dbi_step_done(db, s) < 0)
		return -1;
	s = stmt(db, S_ID_GET);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(s, 0, out, 17);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

long db_batch_round_last(struct db *db, char *target, size_t tn, char *stem, size_t sn)
{
	sqlite3_stmt *s = stmt(db, S_ROUND_LAST);
	long round = 0;
	int rc = sqlite3_step(s);
	if (tn)
		target[0] = '\0';
	if (sn)
		stem[0] = '\0';
	if (rc == SQLITE_ROW) {
		round = (long)sqlite3_column_int64(s, 0);
		copy_col(s, 1, target, tn);
		copy_col(s, 2, stem, sn);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? round : -1;
}

int db_batch_round_add(struct db *db, long round, const char *target, const char *stem,
		       long lines)
{
	sqlite3_stmt *s = stmt(db, S_ROUND_ADD);
	sqlite3_bind_int64(s, 1, round);
	bind_text(s, 2, target);
	bind_text(s, 3, stem);
	sqlite3_bind_int64(s, 4, lines);
	bind_text(s, 5, db->now);
	return dbi_step_done(db, s);
}

int db_batch_jobs_round_set(struct db *db, const int64_t *jobs, size_t n, long round)
{
	struct buf ids = {0};
	buf_grow(&ids, n * 8 + 2);
	buf_putc(&ids, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&ids, ',');
		buf_putll(&ids, jobs[i]);
	}
	buf_putc(&ids, ']');
	sqlite3_stmt *s = stmt(db, S_JOB_SET);
	sqlite3_bind_text(s, 1, ids.data, (int)ids.len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, round);
	int rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	buf_free(&ids);
	return rc;
}

long db_batch_job_round(struct db *db, int64_t job)
{
	sqlite3_stmt *s = stmt(db, S_JOB_GET);
	sqlite3_bind_int64(s, 1, job);
	int rc = sqlite3_step(s);
	long round = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? round : -1;
}

int db_batch_part_put(struct db *db, const char *hash, const struct db_batch_part *p)
{
	sqlite3_stmt *s = stmt(db, S_PART_PUT);
	bind_text(s, 1, hash);
	sqlite3_bind_int(s, 2, p->sample);
	sqlite3_bind_int(s, 3, p->n);
	bind_text(s, 4, p->text);
	bind_text(s, 5, p->finish);
	sqlite3_bind_int64(s, 6, p->tokens_in);
	sqlite3_bind_int64(s, 7, p->tokens_out);
	if (dbi_step_done(db, s) < 0)
		return -1;
	return sqlite3_changes(db->h) > 0;
}

long db_batch_part_count(struct db *db, const char *hash)
{
	sqlite3_stmt *s = stmt(db, S_PART_COUNT);
	bind_text(s, 1, hash);
	int rc = sqlite3_step(s);
	long n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

int db_batch_part_each(struct db *db, const char *hash,
		       void (*fn)(void *ctx, const struct db_batch_part *p), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_PART_EACH);
	bind_text(s, 1, hash);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_batch_part p = {sqlite3_column_int(s, 0), sqlite3_column_int(s, 1),
					  col_text(s, 2), col_text(s, 3),
					  (long)sqlite3_column_int64(s, 4),
					  (long)sqlite3_column_int64(s, 5)};
		fn(ctx, &p);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_batch_part_drop(struct db *db, const char *hash)
{
	sqlite3_stmt *s = stmt(db, S_PART_DROP);
	bind_text(s, 1, hash);
	return dbi_step_done(db, s);
}

int db_batch_rounds_each(struct db *db, const char *kind, const char *params,
			 void (*fn)(void *ctx, long round, const char *state, long n),
			 void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_ROUNDS);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, (long)sqlite3_column_int64(s, 0), col_text(s, 1),
		   (long)sqlite3_column_int64(s, 2));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* a pragma run: its first column's text into out (n bytes), or "" */
static void pragma(struct db *db, enum stmt_id id, char *out, size_t n)
{
	sqlite3_stmt *s = stmt(db, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		copy_col(s, 0, out, n);
	else if (n)
		out[0] = '\0';
	sqlite3_reset(s);
}

int db_batch_hold(struct db *db)
{
	char mode[16];
	pragma(db, S_HOLD_LOCK, mode, sizeof(mode));
	pragma(db, S_HOLD_JOURNAL, mode, sizeof(mode));
	if (strcmp(mode, "truncate")) { /* another connection has it: shared */
		pragma(db, S_FREE_LOCK, mode, sizeof(mode));
		return 0;
	}
	pragma(db, S_HOLD_SYNC, mode, sizeof(mode));
	return 1;
}

void db_batch_unhold(struct db *db)
{
	char mode[16];
	pragma(db, S_FREE_LOCK, mode, sizeof(mode));
	pragma(db, S_FREE_JOURNAL, mode, sizeof(mode));
	pragma(db, S_FREE_SYNC, mode, sizeof(mode));
}

int db_batch_queued(struct db *db, const char *kind, const char *params, int64_t after,
		    int64_t sol, int64_t dataset, int max, struct db_job *out)
{
	sqlite3_stmt *s = stmt(db, S_QUEUED);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	sqlite3_bind_int64(s, 3, after);
	sqlite3_bind_int64(s, 4, sol);
	sqlite3_bind_int64(s, 5, dataset);
	sqlite3_bind_int(s, 6, max);
	int n = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].id = sqlite3_column_int64(s, 0);
		out[n].sol = sqlite3_column_int64(s, 1);
		out[n].attempts = sqlite3_column_int(s, 2);
		n++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : -1;
}
