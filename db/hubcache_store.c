/* hubcache_store.c - the store's side of the hub's response cache and
 * alignments: the store's links read as they travel (with their global
 * id), pulled ones written (a newer set replaces an older), the cache's
 * rows read in order, the times kept per hub */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"
#include "hubcache.h"
#include "hubstore.h"

enum stmt_id {
	S_ALIGNS, S_SOL, S_SET_AT, S_SET_DEL, S_ALIGN_ADD, S_CACHE_ROWS, S_CACHE_TOP,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	/* a link as it travels (hubcache.h's HA_* from HA_DATASET) */
	[S_ALIGNS] = "SELECT d.name, s.ext_key, a.step_idx, a.ref_step, a.score, a.source, "
		     "a.created_at FROM alignment a JOIN solution s ON s.id = a.solution_id "
		     "JOIN dataset d ON d.id = s.dataset_id "
		     "WHERE ?1 IS NULL OR a.created_at >= ?1 ORDER BY a.solution_id, a.source",
	[S_SOL] = "SELECT s.id, (SELECT count(*) FROM step WHERE solution_id = s.id) "
		  "FROM solution s JOIN dataset d ON d.id = s.dataset_id "
		  "WHERE d.name = ?1 AND s.ext_key = ?2",
	[S_SET_AT] = "SELECT max(created_at) FROM alignment WHERE solution_id = ?1 AND source = ?2",
	[S_SET_DEL] = "DELETE FROM alignment WHERE solution_id = ?1 AND source = ?2",
	[S_ALIGN_ADD] = "INSERT OR IGNORE INTO alignment(solution_id, step_idx, ref_step, score, "
			"source, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_CACHE_ROWS] = "SELECT rowid, request_hash, body, created_at FROM response_cache "
			 "WHERE rowid > ?1 ORDER BY rowid",
	[S_CACHE_TOP] = "SELECT coalesce(max(rowid), 0) FROM response_cache",
};

static const struct stmt_table stmts = {ROOM_HUBCACHE, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

/* a link's global id: its solution's data set and id, its columns and
 * its set's time */
static void align_uid(struct buf *b, const char *const *f, char out[33])
{
	db_hub_fields_uid(b, "aln1", f, HA_DATASET, HA_AT, out);
}

int db_hub_aligns(struct db *db, const char *since,
		  int (*fn)(void *ctx, const struct hub_align *a), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_ALIGNS);
	bind_text(s, 1, since && *since ? since : NULL);
	struct buf b = {0};
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hub_align a = {0};
		char score[32], uid[33];
		/* the score with as many digits as give the same double back */
		int has = sqlite3_column_type(s, HA_SCORE - HA_DATASET) != SQLITE_NULL;
		if (has)
			snprintf(score, sizeof(score), "%.17g",
				 sqlite3_column_double(s, HA_SCORE - HA_DATASET));
		for (int c = HA_DATASET; c <= HA_AT; c++)
			a.f[c] = c == HA_SCORE ? (has ? score : NULL) : col_text(s, c - HA_DATASET);
		align_uid(&b, a.f, uid);
		a.f[HA_UID] = uid;
		stop = fn(ctx, &a);
	}
	sqlite3_reset(s);
	buf_free(&b);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int num(const char *t, long lo, long hi, long *out)
{
	char *end;
	if (!t || !*t)
		return 0;
	*out = strtol(t, &end, 10);
	return !*end && *out >= lo && *out <= hi;
}

/* where pulled link a goes: 1 and *sol, 2 no such solution, 3 not one
 * this store takes, -1 */
static int align_where(struct db *db, const struct hub_align *a, int64_t *sol, long *step,
		       long *ref)
{
	sqlite3_stmt *s = stmt(db, S_SOL);
	bind_text(s, 1, a->f[HA_DATASET]);
	bind_text(s, 2, a->f[HA_KEY]);
	int rc = sqlite3_step(s);
	long nsteps = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 1) : 0;
	*sol = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 2 : -1;
	if (!num(a->f[HA_STEP], -1, nsteps - 1, step) || !num(a->f[HA_REF], -1, 1L << 30, ref) ||
	    (*step < 0 && *ref < 0) || !a->f[HA_SOURCE] || !*a->f[HA_SOURCE] || !a->f[HA_AT])
		return 3;
	return 1;
}

int db_hub_align_put(struct db *db, const struct hub_align *a)
{
	int64_t sol;
	long step, ref;
	int rc = align_where(db, a, &sol, &step, &ref);
	if (rc != 1)
		return rc;
	/* the set there: newer keeps it, older goes */
	sqlite3_stmt *s = stmt(db, S_SET_AT);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, a->f[HA_SOURCE]);
	rc = sqlite3_step(s);
	int cmp = rc == SQLITE_ROW && col_text(s, 0) ? strcmp(col_text(s, 0), a->f[HA_AT]) : -1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return -1;
	if (cmp > 0)
		return 0;
	if (cmp < 0) {
		s = stmt(db, S_SET_DEL);
		sqlite3_bind_int64(s, 1, sol);
		bind_text(s, 2, a->f[HA_SOURCE]);
		rc = dbi_step_done(db, s);
		sqlite3_reset(s);
		if (rc < 0)
			return -1;
	}
	s = stmt(db, S_ALIGN_ADD);
	sqlite3_bind_int64(s, 1, sol);
	sqlite3_bind_int64(s, 2, step);
	sqlite3_bind_int64(s, 3, ref);
	if (a->f[HA_SCORE])
		sqlite3_bind_double(s, 4, strtod(a->f[HA_SCORE], NULL));
	else
		sqlite3_bind_null(s, 4);
	bind_text(s, 5, a->f[HA_SOURCE]);
	bind_text(s, 6, a->f[HA_AT]);
	rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	return rc < 0 ? -1 : sqlite3_changes(db->h) > 0;
}

int db_hub_cache_rows(struct db *db, int64_t after,
		      int (*fn)(void *ctx, int64_t row, const char *hash, const char *body,
				size_t n, const char *at), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_CACHE_ROWS);
	sqlite3_bind_int64(s, 1, after);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *body = sqlite3_column_blob(s, 2);
		size_t n = (size_t)sqlite3_column_bytes(s, 2);
		stop = fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1), body ? body : "", n,
			  col_text(s, 3) ? col_text(s, 3) : "");
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t db_hub_cache_top(struct db *db)
{
	return dbi_one_int(stmt(db, S_CACHE_TOP), -1);
}
