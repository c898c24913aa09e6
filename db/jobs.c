/* jobs.c - background jobs (leased, shared, resumed) and the response cache */
#include "config.h"

#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id {
	S_JOB_ADD, S_JOB_REQUEUE, S_JOB_LEASE, S_JOB_LEASE_SOL, S_JOB_RENEW,
	S_JOB_FINISH, S_JOB_RELEASE, S_JOB_EXPIRED, S_JOB_OWNERS, S_JOB_FREE_OWNER,
	S_JOB_COUNTS, S_JOB_FAILURES, S_JOB_HAS, S_CACHE_GET, S_CACHE_ANY, S_CACHE_PUT, S_CACHE_TAKE, S_JOB_BOOK,
	S_PARAMS_ADD, S_FK_OFF, S_FK_ON, S_COUNT
};

/* the id of params ?2 (job_params, issue 26's migration): the job
 * table's keys hold it, not the text; NULL when no job has them */
#define PID "(SELECT id FROM job_params WHERE params = ?2)"

static const char *const stmt_sql[S_COUNT] = {
	/* jobs: see schema.c, migration 3, and issue 26's job_params */
	[S_PARAMS_ADD] = "INSERT OR IGNORE INTO job_params(params) VALUES (?1)",
	/* S_JOB_ADD reads each job's solution from the solution table in
	 * the statement that writes the job: its parent is there without a
	 * probe per row (db_jobs_checks) */
	[S_FK_OFF] = "PRAGMA foreign_keys = OFF",
	[S_FK_ON] = "PRAGMA foreign_keys = ON",
	[S_JOB_ADD] = "INSERT OR IGNORE INTO job(kind, solution_id, params, pid, state, created_at, "
		      "updated_at) SELECT ?1, s.id, ?2, " PID ", 'queued', ?3, ?3 FROM solution s "
		      "WHERE (?4 = 0 OR s.dataset_id = ?4) AND (?5 = 0 OR s.id = ?5) "
		      /* an agent trace: its first turn names its agent */
		      "AND ((?7 & 1) = 0 OR EXISTS (SELECT 1 FROM step t WHERE t.solution_id = s.id "
		      "AND t.idx = 0 AND t.agent IS NOT NULL)) "
		      /* a problem with a reference */
		      "AND ((?7 & 2) = 0 OR EXISTS (SELECT 1 FROM problem p WHERE p.id = s.problem_id "
		      "AND coalesce(p.reference, '') <> '')) ORDER BY s.id LIMIT ?6",
	[S_JOB_REQUEUE] = "UPDATE job SET state = 'queued', attempts = 0, last_error = NULL, updated_at = ?3 "
			  "WHERE kind = ?1 AND pid = " PID " AND state = ?5 "
			  "AND (?4 = 0 OR solution_id IN (SELECT id FROM solution WHERE dataset_id = ?4)) "
			  "AND (?6 = 0 OR solution_id = ?6)",
	[S_JOB_LEASE] = "UPDATE job SET state = 'leased', lease_owner = ?3, lease_until = ?4, attempts = attempts + 1, updated_at = ?5 "
			"WHERE id IN (SELECT id FROM job WHERE kind = ?1 AND pid = " PID " AND state = 'queued' "
			"AND (?7 = 0 OR solution_id IN (SELECT id FROM solution WHERE dataset_id = ?7)) "
			"ORDER BY solution_id LIMIT ?6) "
			"RETURNING id, solution_id, attempts",
	[S_JOB_LEASE_SOL] = "UPDATE job SET state = 'leased', lease_owner = ?3, lease_until = ?4, attempts = attempts + 1, updated_at = ?5 "
			    "WHERE kind = ?1 AND pid = " PID " AND state = 'queued' AND solution_id = ?6 "
			    "RETURNING id, solution_id, attempts",
	[S_JOB_RENEW] = "UPDATE job SET lease_until = ?2 WHERE lease_owner = ?1 AND state = 'leased'",
	[S_JOB_FINISH] = "UPDATE job SET state = ?3, last_error = ?4, requests = requests + ?5, cached = cached + ?6, "
			 "tokens = tokens + ?7, tokens_in = tokens_in + ?9, tokens_out = tokens_out + ?10, "
			 "lease_owner = NULL, lease_until = NULL, updated_at = ?8 "
			 "WHERE id = ?1 AND lease_owner = ?2 AND state = 'leased'",
	[S_JOB_BOOK] = "UPDATE job SET requests = requests + ?2, cached = cached + ?3, tokens = tokens + ?4, "
		       "tokens_in = tokens_in + ?5, tokens_out = tokens_out + ?6 WHERE id = ?1",
	[S_JOB_RELEASE] = "UPDATE job SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?3 "
			  "WHERE lease_owner = ?1 AND state = 'leased' AND (?2 = 0 OR id = ?2)",
	/* from job_leased, of the leased jobs alone (issue 26's job_params) */
	[S_JOB_EXPIRED] = "UPDATE job SET state = 'queued', lease_owner = NULL, lease_until = NULL "
			  "WHERE state = 'leased' AND lease_until < ?1",
	[S_JOB_OWNERS] = "SELECT DISTINCT lease_owner FROM job WHERE lease_owner IS NOT NULL",
	[S_JOB_FREE_OWNER] = "UPDATE job SET state = 'queued', lease_owner = NULL, lease_until = NULL "
			     "WHERE lease_owner = ?1 AND state = 'leased'",
	[S_JOB_COUNTS] = "SELECT state, count(*), sum(requests), sum(cached), sum(tokens), "
			 "sum(tokens_in), sum(tokens_out) FROM job "
			 "WHERE kind = ?1 AND (?2 IS NULL OR pid = " PID ") GROUP BY state",
	[S_JOB_FAILURES] = "SELECT coalesce(last_error, ''), count(*), min(solution_id) FROM job "
			   "WHERE kind = ?1 AND (?2 IS NULL OR pid = " PID ") AND state = 'failed' "
			   "GROUP BY 1 ORDER BY 2 DESC LIMIT ?3",
	[S_JOB_HAS] = "SELECT state FROM job WHERE kind = ?1 AND pid = " PID " AND solution_id = ?3",
	[S_CACHE_GET] = "SELECT body FROM response_cache WHERE request_hash = ?1",
	[S_CACHE_ANY] = "SELECT EXISTS (SELECT 1 FROM response_cache)",
	[S_CACHE_PUT] = "INSERT OR IGNORE INTO response_cache(request_hash, body, created_at) VALUES (?1, ?2, ?3)",
	/* a reply a batch runner was paid for is stamped with the run's
	 * mark until a job takes it (once) */
	[S_CACHE_TAKE] = "UPDATE response_cache SET created_at = ?3 WHERE request_hash = ?1 AND "
			 "created_at = ?2",
};

static const struct stmt_table stmts = {ROOM_JOBS, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

static double unix_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

long db_jobs_enqueue(struct db *db, const char *kind, const char *params,
		     int64_t dataset, int64_t sol, long limit, unsigned need)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_PARAMS_ADD); /* the id the jobs' keys hold */
	bind_text(s, 1, params);
	if (dbi_step_done(db, s) < 0)
		return -1;
	sqlite3_reset(s);
	s = stmt(db, S_JOB_ADD);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	bind_text(s, 3, db->now);
	sqlite3_bind_int64(s, 4, dataset);
	sqlite3_bind_int64(s, 5, sol);
	sqlite3_bind_int64(s, 6, limit > 0 ? limit : -1);
	sqlite3_bind_int(s, 7, (int)need);
	if (dbi_step_done(db, s) < 0)
		return -1;
	long n = (long)sqlite3_changes(db->h);
	sqlite3_reset(s);
	return n;
}

int db_jobs_checks(struct db *db, int on)
{
	sqlite3_stmt *s = stmt(db, on ? S_FK_ON : S_FK_OFF);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
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
	if (dbi_step_done(db, s) < 0)
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
	int rc = dbi_step_done(db, s);
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
	if (dbi_step_done(db, s) < 0)
		return -1;
	int mine = sqlite3_changes(db->h) == 1;
	sqlite3_reset(s);
	if (!mine)
		return 0; /* the lease was lost: another process has the job */
	if (dbi_sugs_insert(db, j->sol, sugs, nsugs, j->id) < 0)
		return -1;
	return 1;
}

int db_job_book(struct db *db, const struct db_job *j)
{
	sqlite3_stmt *s = stmt(db, S_JOB_BOOK);
	sqlite3_bind_int64(s, 1, j->id);
	sqlite3_bind_int64(s, 2, j->requests);
	sqlite3_bind_int64(s, 3, j->cached);
	sqlite3_bind_int64(s, 4, j->tokens);
	sqlite3_bind_int64(s, 5, j->tokens_in);
	sqlite3_bind_int64(s, 6, j->tokens_out);
	int rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	return rc;
}

int db_jobs_release(struct db *db, const char *owner, int64_t job)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_JOB_RELEASE);
	bind_text(s, 1, owner);
	sqlite3_bind_int64(s, 2, job);
	bind_text(s, 3, db->now);
	int rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	return rc;
}

int db_jobs_reclaim(struct db *db, int (*dead)(const char *owner))
{
	sqlite3_stmt *s = stmt(db, S_JOB_EXPIRED);
	sqlite3_bind_double(s, 1, unix_now());
	if (dbi_step_done(db, s) < 0)
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
		if (dbi_step_done(db, s) < 0) {
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

int db_cache_any(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_CACHE_ANY);
	int rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_reset(s);
	return rc;
}

int db_cache_put(struct db *db, const char *hash, const char *body, size_t n)
{
	return db_cache_put_paid(db, hash, body, n, NULL);
}

int db_cache_put_paid(struct db *db, const char *hash, const char *body, size_t n,
		      const char *mark)
{
	sqlite3_stmt *s = stmt(db, S_CACHE_PUT);
	bind_text(s, 1, hash);
	sqlite3_bind_blob(s, 2, body, (int)n, SQLITE_STATIC);
	bind_text(s, 3, mark ? mark : db->now);
	int rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	return rc;
}

int db_cache_take(struct db *db, const char *hash, const char *mark)
{
	sqlite3_stmt *s = stmt(db, S_CACHE_TAKE);
	bind_text(s, 1, hash);
	bind_text(s, 2, mark);
	bind_text(s, 3, db->now);
	if (dbi_step_done(db, s) < 0)
		return -1;
	int took = sqlite3_changes(db->h) > 0;
	sqlite3_reset(s);
	return took;
}
