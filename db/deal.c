/* deal.c - assignments: which solutions were dealt to whom, in what
 * order, and which are gold */
#include "config.h"

#include <stdlib.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id { S_TAKEN, S_LAST_ORD, S_ADD, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
	[S_TAKEN] = "SELECT DISTINCT solution_id FROM assignment ORDER BY 1",
	[S_LAST_ORD] = "SELECT coalesce(max(ord), 0) FROM assignment WHERE annotator = ?1",
	[S_ADD] = "INSERT OR IGNORE INTO assignment(annotator, solution_id, ord, "
		  "gold, gold_fe, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
