/* deal.c - assignments: which solutions were dealt to whom, in what
 * order, and which are gold; the deal and policy pulled from a hub */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id { S_TAKEN, S_LAST_ORD, S_ADD, S_IDENT, S_PUT, S_STATE_GET, S_ROWS, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
	[S_TAKEN] = "SELECT DISTINCT solution_id FROM assignment ORDER BY 1",
	[S_LAST_ORD] = "SELECT coalesce(max(ord), 0) FROM assignment WHERE annotator = ?1",
	[S_ADD] = "INSERT OR IGNORE INTO assignment(annotator, solution_id, ord, "
		  "gold, gold_fe, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_IDENT] = "SELECT d.name, s.ext_key FROM solution s JOIN dataset d "
		    "ON d.id = s.dataset_id WHERE s.id = ?1",
	/* a row of the hub's deal: by data set and id, at the hub's place */
	[S_PUT] = "INSERT OR IGNORE INTO assignment(annotator, solution_id, ord, gold, gold_fe, "
		  "created_at) SELECT ?3, s.id, ?4, ?5, ?6, ?7 FROM solution s "
		  "JOIN dataset d ON d.id = s.dataset_id WHERE d.name = ?1 AND s.ext_key = ?2",
	[S_STATE_GET] = "SELECT value FROM store_state WHERE key = ?1",
	/* the whole deal, each annotator's in order (assignment_order) */
	[S_ROWS] = "SELECT annotator, solution_id, ord, gold, gold_fe FROM assignment "
		   "ORDER BY annotator, ord",
};

static const struct stmt_table stmts = {ROOM_DEAL, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

int db_assigned_solutions(struct db *db, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s = stmt(db, S_TAKEN);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*ids = xrealloc(*ids, cap * sizeof(int64_t));
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t db_assigned_last(struct db *db, const char *annotator)
{
	sqlite3_stmt *m = stmt(db, S_LAST_ORD);
	bind_text(m, 1, annotator);
	return dbi_one_int(m, 0);
}

int db_assign_add(struct db *db, const char *annotator, const int64_t *sols,
		  const int *gold_fe, size_t n, const char *now)
{
	if (n && db_generation_bump(db) < 0) /* open workbenches count again */
		return -1;
	sqlite3_stmt *m = stmt(db, S_LAST_ORD);
	bind_text(m, 1, annotator);
	int64_t ord = dbi_one_int(m, 0);
	int rc = SQLITE_DONE;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_stmt *s = stmt(db, S_ADD);
		bind_text(s, 1, annotator);
		sqlite3_bind_int64(s, 2, sols[i]);
		sqlite3_bind_int64(s, 3, ++ord);
		sqlite3_bind_int(s, 4, gold_fe[i] >= -1);
		if (gold_fe[i] >= -1)
			sqlite3_bind_int(s, 5, gold_fe[i]);
		bind_text(s, 6, now);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_deal_rows(struct db *db, int (*fn)(void *ctx, const char *annotator, int64_t sol,
					   int64_t ord, int gold_fe), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_ROWS);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int fe = !sqlite3_column_int(s, 3) ? -2 :
			sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 4);
		stop = fn(ctx, col_text(s, 0), sqlite3_column_int64(s, 1),
			  sqlite3_column_int64(s, 2), fe);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_deal_ident(struct db *db, int64_t sol, char *dataset, size_t nd, char *key, size_t nk)
{
	sqlite3_stmt *s = stmt(db, S_IDENT);
	sqlite3_bind_int64(s, 1, sol);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(dataset, nd, "%s", col_text(s, 0));
		snprintf(key, nk, "%s", col_text(s, 1));
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_deal_put(struct db *db, const char *dataset, const char *key, const char *annotator,
		int64_t ord, int gold_fe, const char *at)
{
	sqlite3_stmt *s = stmt(db, S_PUT);
	bind_text(s, 1, dataset);
	bind_text(s, 2, key);
	bind_text(s, 3, annotator);
	sqlite3_bind_int64(s, 4, ord);
	sqlite3_bind_int(s, 5, gold_fe >= -1);
	if (gold_fe >= -1)
		sqlite3_bind_int(s, 6, gold_fe);
	bind_text(s, 7, at);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(db->h) == 1)
		return 1;
	/* nothing: there already, or no such solution here */
	return db_hub_solution_id(db, dataset, key) > 0 ? 0 : 2;
}

/* store_state's key of the hub's policy: "hub.policy.ID" */
static void policy_key(char *out, size_t n, const char *hub_id, int by)
{
	snprintf(out, n, "hub.%s.%s", by ? "policy_by" : "policy", hub_id);
}

int db_deal_policy(struct db *db, const char *hub_id, char **rules, char **by)
{
	*rules = NULL;
	if (by)
		*by = NULL;
	char key[160];
	for (int i = 0; i < (by ? 2 : 1); i++) {
		policy_key(key, sizeof(key), hub_id, i);
		sqlite3_stmt *s = stmt(db, S_STATE_GET);
		bind_text(s, 1, key);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW && col_text(s, 0))
			*(i ? by : rules) = xstrdup(col_text(s, 0));
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	return *rules ? 1 : 0;
}

int db_deal_policy_set(struct db *db, const char *hub_id, const char *rules, const char *by)
{
	char key[160];
	policy_key(key, sizeof(key), hub_id, 0);
	if (dbi_state_put(db, key, rules) < 0)
		return -1;
	policy_key(key, sizeof(key), hub_id, 1);
	return dbi_state_put(db, key, by);
}
