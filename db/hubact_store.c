/* hubact_store.c - the store's side of the workbench's actions on the
 * hub: the store's actions read as they travel (their global id
 * computed), pulled ones written once */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"
#include "hubact.h"
#include "../src/name.h"
#include "hubstore.h"

enum stmt_id { S_ACTS, S_SOL, S_SOL_ACTS, S_ACT_ADD, S_ACT_TOP, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
	/* an action as it travels (HX_DATASET.., then the one it names) */
	[S_ACTS] = "SELECT a.id, d.name, s.ext_key, a.annotator, a.op, a.name, a.created_at, "
		   "a.active_ms, rd.name, rs.ext_key, r.annotator, r.op, r.name, r.created_at, "
		   "r.active_ms FROM action a JOIN solution s ON s.id = a.solution_id "
		   "JOIN dataset d ON d.id = s.dataset_id LEFT JOIN action r ON r.id = a.ref "
		   "LEFT JOIN solution rs ON rs.id = r.solution_id "
		   "LEFT JOIN dataset rd ON rd.id = rs.dataset_id "
		   "WHERE a.id > ?1 AND (?2 IS NULL OR a.annotator = ?2) ORDER BY a.id LIMIT ?3",
	[S_SOL] = "SELECT s.id FROM solution s JOIN dataset d ON d.id = s.dataset_id "
		  "WHERE d.name = ?1 AND s.ext_key = ?2",
	/* one annotator's actions on a solution (the index action_solution) */
	[S_SOL_ACTS] = "SELECT id, op, name, created_at, active_ms FROM action "
		       "WHERE solution_id = ?1 AND annotator = ?2",
	[S_ACT_ADD] = "INSERT INTO action(solution_id, annotator, op, ref, name, created_at, "
		      "active_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_ACT_TOP] = "SELECT coalesce(max(id), 0) FROM action",
};

static const struct stmt_table stmts = {ROOM_HUBACT, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

/* an action's global id: its solution's data set and id and its columns
 * (not the action it names: that one's id would need its own) */
static void act_uid(struct buf *b, const char *const *f, char out[33])
{
	const char *g[HX_N];
	memcpy(g, f, sizeof(g));
	g[HX_REF] = NULL;
	db_hub_fields_uid(b, "act1", g, HX_DATASET, HX_ACTIVE, out);
}

/* the columns of s from col (data set, id, annotator, op, name, at,
 * active) into f, as they travel */
static void act_cols(sqlite3_stmt *s, int col, const char **f)
{
	static const int order[] = {HX_DATASET, HX_KEY, HX_ANNOTATOR, HX_OP, HX_NAME, HX_AT,
				    HX_ACTIVE};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		f[order[i]] = col_text(s, col + (int)i);
}

int db_hub_acts(struct db *db, int64_t after, const char *annotator, int max,
		int (*fn)(void *ctx, int64_t id, const struct hub_act *a), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_ACTS);
	sqlite3_bind_int64(s, 1, after);
	bind_text(s, 2, annotator);
	sqlite3_bind_int(s, 3, max > 0 ? max : -1);
	struct buf b = {0};
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hub_act a = {0}, r = {0};
		char uid[33], ref[33];
		act_cols(s, 1, a.f);
		act_uid(&b, a.f, uid);
		a.f[HX_UID] = uid;
		if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
			act_cols(s, 8, r.f);
			act_uid(&b, r.f, ref);
			a.f[HX_REF] = ref;
		}
		stop = fn(ctx, sqlite3_column_int64(s, 0), &a);
	}
	sqlite3_reset(s);
	buf_free(&b);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* whether the annotator's actions on sol hold a's uid (*here) and the
 * one it names (*ref: its id, 0 none): 0, -1 */
static int act_find(struct db *db, int64_t sol, const struct hub_act *a, int *here,
		    int64_t *ref)
{
	sqlite3_stmt *s = stmt(db, S_SOL_ACTS);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, a->f[HX_ANNOTATOR]);
	struct buf b = {0};
	int rc;
	*here = 0;
	*ref = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f[HX_N] = {0};
		char uid[33];
		f[HX_DATASET] = a->f[HX_DATASET];
		f[HX_KEY] = a->f[HX_KEY];
		f[HX_ANNOTATOR] = a->f[HX_ANNOTATOR];
		f[HX_OP] = col_text(s, 1);
		f[HX_NAME] = col_text(s, 2);
		f[HX_AT] = col_text(s, 3);
		f[HX_ACTIVE] = col_text(s, 4);
		act_uid(&b, f, uid);
		*here |= !strcmp(uid, a->f[HX_UID]);
		if (a->f[HX_REF] && !strcmp(uid, a->f[HX_REF]))
			*ref = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	buf_free(&b);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* an action's columns as the store takes them */
static int act_ok(const struct hub_act *a)
{
	const char *op = a->f[HX_OP];
	if (!op || (strcmp(op, "do") && strcmp(op, "undo") && strcmp(op, "redo")))
		return 0;
	if (a->f[HX_ACTIVE]) {
		char *end;
		(void)strtoll(a->f[HX_ACTIVE], &end, 10);
		if (*end || !*a->f[HX_ACTIVE])
			return 0;
	}
	if (!a->f[HX_UID] || !a->f[HX_ANNOTATOR] || !a->f[HX_NAME] || !a->f[HX_AT])
		return 0;
	char why[300]; /* the annotator as import and merge take it */
	return name_check(a->f[HX_ANNOTATOR], strlen(a->f[HX_ANNOTATOR]), "its annotator", why,
			  sizeof(why)) == 0;
}

int db_hub_act_put(struct db *db, const struct hub_act *a)
{
	if (!a->f[HX_DATASET] || !a->f[HX_KEY])
		return 3;
	sqlite3_stmt *s = stmt(db, S_SOL);
	bind_text(s, 1, a->f[HX_DATASET]);
	bind_text(s, 2, a->f[HX_KEY]);
	int rc = sqlite3_step(s);
	int64_t sol = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 2 : -1;
	if (!act_ok(a))
		return 3;
	int here;
	int64_t ref;
	if (act_find(db, sol, a, &here, &ref) < 0)
		return -1;
	if (here)
		return 0;
	s = stmt(db, S_ACT_ADD);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, a->f[HX_ANNOTATOR]);
	bind_text(s, 3, a->f[HX_OP]);
	if (ref > 0)
		sqlite3_bind_int64(s, 4, ref);
	bind_text(s, 5, a->f[HX_NAME]);
	bind_text(s, 6, a->f[HX_AT]);
	if (a->f[HX_ACTIVE])
		sqlite3_bind_int64(s, 7, strtoll(a->f[HX_ACTIVE], NULL, 10));
	return dbi_step_done(db, s) < 0 ? -1 : 1;
}

int64_t db_hub_act_top(struct db *db)
{
	return dbi_one_int(stmt(db, S_ACT_TOP), -1);
}
