/* agree.c - the agreed labels: what stepmark consensus stored and saw,
 * and the adjudicators' reasons */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

#define LABELS_MARK "coalesce((SELECT max(id) FROM label), 0) || ' ' || " \
		    "coalesce((SELECT max(id) FROM suggestion), 0)"

/* rows a statement of S_PUT_MANY writes: a statement per row cost half
 * of a first run (bench/consensus, 100 K rows: 0.45 s of CPU one by
 * one, 0.21 s sixteen at a time); each statement ends with its own
 * statement journal, and 64 rows to one cost 0.02-0.03 s less than 16
 * (of 0.55 s; 256 no less again) */
#define PUT_MANY 64
#define PUT_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define PUT_ROW4 PUT_ROW ", " PUT_ROW ", " PUT_ROW ", " PUT_ROW
#define PUT_ROW16 PUT_ROW4 ", " PUT_ROW4 ", " PUT_ROW4 ", " PUT_ROW4
#define PUT_ROW64 PUT_ROW16 ", " PUT_ROW16 ", " PUT_ROW16 ", " PUT_ROW16
#define PUT_COLS "INSERT OR REPLACE INTO agreed(solution_id, first_error, ratings, rule, why, " \
		 "agreed_by, policy, at, agent) VALUES "

enum stmt_id {
	S_MARK, S_STALE, S_RAN, S_ALL, S_RANGE, S_ONE, S_POLICY, S_PUT, S_PUT_MANY, S_UNDECIDED,
	S_REASONS,
	S_RUN_NOW, S_RUN_LAST, S_RUN_PUT, S_RUN_UPTO, S_TALLY, S_SUM_AGREED, S_FK_OFF, S_FK_ON,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_MARK] = "INSERT OR REPLACE INTO store_state(key, value) SELECT 'consensus', " LABELS_MARK,
	[S_STALE] = "SELECT coalesce((SELECT value FROM store_state WHERE key = "
		    "'consensus'), '') <> (" LABELS_MARK ")",
	[S_RAN] = "SELECT 1 FROM store_state WHERE key = 'consensus'",
	[S_ALL] = "SELECT solution_id, first_error, ratings, rule, why, "
		  "agreed_by, policy, agent FROM agreed ORDER BY solution_id",
	[S_RANGE] = "SELECT solution_id, first_error, ratings, rule, why, "
		    "agreed_by, policy, agent FROM agreed WHERE solution_id BETWEEN ?1 AND ?2 "
		    "ORDER BY solution_id",
	[S_ONE] = "SELECT solution_id, first_error, ratings, rule, why, "
		  "agreed_by, policy, agent FROM agreed WHERE solution_id = ?1",
	[S_POLICY] = "SELECT policy FROM agreed ORDER BY at DESC LIMIT 1",
	[S_PUT] = PUT_COLS PUT_ROW,
	[S_PUT_MANY] = PUT_COLS PUT_ROW16 ", " PUT_ROW16 ", " PUT_ROW16 ", " PUT_ROW16,
	[S_UNDECIDED] = "SELECT d.name, s.ext_key, a.why FROM agreed a "
			"JOIN solution s ON s.id = a.solution_id JOIN dataset d ON d.id = "
			"s.dataset_id WHERE a.rule IS NULL AND (?1 = 0 OR s.dataset_id = ?1) "
			"ORDER BY a.solution_id LIMIT ?2",
	/* a run's mark: what it read (rowid ranges and the summary's count) */
	[S_RUN_NOW] = "SELECT coalesce((SELECT max(id) FROM label), 0), "
		      "coalesce((SELECT max(id) FROM suggestion), 0), "
		      "coalesce((SELECT max(solution_id) FROM summary), 0), "
		      "(SELECT count(*) FROM summary), (SELECT count(*) FROM agreed)",
	[S_RUN_LAST] = "SELECT value FROM store_state WHERE key = 'consensus_run'",
	[S_RUN_PUT] = "INSERT OR REPLACE INTO store_state(key, value) VALUES ('consensus_run', ?1)",
	[S_RUN_UPTO] = "SELECT count(*) = ?2 AND (SELECT count(*) FROM agreed) = ?3 FROM summary "
		       "WHERE solution_id <= ?1",
	/* counted here, not grouped by SQL: a GROUP BY rule, why sorted every
	 * row in a temporary tree, memory that grew with the store */
	[S_TALLY] = "SELECT rule, why FROM agreed WHERE ?1 = 0 OR solution_id IN "
		    "(SELECT solution_id FROM summary WHERE dataset_id = ?1)",
	/* the summaries' agreed mark (schema 20), of a list of solutions */
	[S_SUM_AGREED] = "UPDATE summary SET agreed = ?1 WHERE solution_id IN "
			 "(SELECT value FROM json_each(?2))",
	/* a run's rows name solutions it read from the summaries in its own
	 * transaction: their parents are there without a probe of the
	 * solution table per row (db_agreed_checks) */
	[S_FK_OFF] = "PRAGMA foreign_keys = OFF",
	[S_FK_ON] = "PRAGMA foreign_keys = ON",
	/* from the adjudications' partial index (schema 13) */
	[S_REASONS] = "SELECT text FROM label WHERE kind = "
		      "'adjudication' AND text IS NOT NULL ORDER BY id DESC LIMIT 500",
};

static const struct stmt_table stmts = {ROOM_AGREE, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

int db_consensus_mark(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_MARK);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_agreed_checks(struct db *db, int on)
{
	sqlite3_stmt *s = stmt(db, on ? S_FK_ON : S_FK_OFF);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int db_consensus_stale(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_STALE);
	int rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_reset(s);
	return rc;
}

int db_consensus_ran(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_RAN);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static void agreed_row(sqlite3_stmt *s, struct db_agreed *g)
{
	g->sol = sqlite3_column_int64(s, 0);
	g->fe = dbi_null_or(s, 1, -2);
	g->ratings = col_text(s, 2);
	g->rule = col_text(s, 3);
	g->why = col_text(s, 4);
	g->by = col_text(s, 5);
	g->policy = col_text(s, 6);
	g->agent = col_text(s, 7);
}

static int agreed_rows(sqlite3_stmt *s, agreed_fn fn, void *ctx)
{
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_agreed g;
		agreed_row(s, &g);
		stop = fn(ctx, &g);
	}
	sqlite3_reset(s);
	return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}

int db_agreed_each(struct db *db, agreed_fn fn, void *ctx)
{
	return agreed_rows(stmt(db, S_ALL), fn, ctx);
}

int db_agreed_range(struct db *db, int64_t lo, int64_t hi, agreed_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_RANGE);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	return agreed_rows(s, fn, ctx);
}

int db_agreed_get(struct db *db, int64_t sol, struct arena *a, struct db_agreed *g)
{
	sqlite3_stmt *s = stmt(db, S_ONE);
	sqlite3_bind_int64(s, 1, sol);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		agreed_row(s, g);
		g->ratings = dbi_adup(a, s, 2);
		g->rule = dbi_adup(a, s, 3);
		g->why = dbi_adup(a, s, 4);
		g->by = dbi_adup(a, s, 5);
		g->policy = dbi_adup(a, s, 6);
		g->agent = dbi_adup(a, s, 7);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_agreed_policy(struct db *db, char **policy)
{
	sqlite3_stmt *s = stmt(db, S_POLICY);
	int rc = sqlite3_step(s);
	*policy = rc == SQLITE_ROW && col_text(s, 0) ? xstrdup(col_text(s, 0)) : NULL;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* g's row as the statement's row number row */
static void put_bind(sqlite3_stmt *s, int row, const struct db_agreed *g, const char *at)
{
	int p = row * 9;
	sqlite3_bind_int64(s, p + 1, g->sol);
	if (g->fe >= -1)
		sqlite3_bind_int(s, p + 2, g->fe);
	const char *v[] = {g->ratings, g->rule, g->why, g->by, g->policy, at, g->agent};
	for (int i = 0; i < 7; i++)
		bind_text(s, p + i + 3, v[i]);
}

int db_agreed_put(struct db *db, const struct db_agreed *g, size_t n, const char *at)
{
	if (n && db_generation_bump(db) < 0) /* open workbenches count again */
		return -1;
	size_t i = 0;
	while (i < n) {
		int many = n - i >= PUT_MANY;
		sqlite3_stmt *s = stmt(db, many ? S_PUT_MANY : S_PUT);
		for (int row = 0; row < (many ? PUT_MANY : 1); row++)
			put_bind(s, row, &g[i++], at);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

int db_summary_agreed(struct db *db, const int64_t *ids, size_t n, int agreed)
{
	if (n && db_generation_bump(db) < 0)
		return -1;
	if (!n)
		return 0;
	struct buf b = {0};
	buf_puts(&b, "[");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, i ? ",%lld" : "%lld", (long long)ids[i]);
	buf_puts(&b, "]");
	sqlite3_stmt *s = stmt(db, S_SUM_AGREED);
	sqlite3_bind_int(s, 1, agreed != 0);
	sqlite3_bind_text(s, 2, b.data, (int)b.len, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	buf_free(&b);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_undecided_each(struct db *db, int64_t dataset, long limit,
		      void (*fn)(void *ctx, const char *dataset, const char *key, const char *why),
		      void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_UNDECIDED);
	sqlite3_bind_int64(s, 1, dataset);
	sqlite3_bind_int64(s, 2, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), col_text(s, 1), col_text(s, 2));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_adjudication_reasons(struct db *db, int (*fn)(void *ctx, const char *text), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_REASONS);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(ctx, col_text(s, 0));
	sqlite3_reset(s);
	return stop || rc == SQLITE_DONE ? 0 : -1;
}

/* The version of the mark's text; a mark of another version, or of
 * another stepmark, is no mark (a new stepmark may decide otherwise). */
#define RUN_MARK_V "1 " PACKAGE_VERSION

int db_consensus_now(struct db *db, struct consensus_mark *m)
{
	sqlite3_stmt *s = stmt(db, S_RUN_NOW);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		m->label = sqlite3_column_int64(s, 0);
		m->sug = sqlite3_column_int64(s, 1);
		m->sol = sqlite3_column_int64(s, 2);
		m->nsol = sqlite3_column_int64(s, 3);
		m->nagreed = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int db_consensus_record(struct db *db, const struct consensus_mark *m, const char *policy)
{
	struct buf b = {0};
	buf_printf(&b, RUN_MARK_V " %lld %lld %lld %lld %lld %lld\t%s", (long long)m->label,
		   (long long)m->sug, (long long)m->sol, (long long)m->nsol,
		   (long long)m->nagreed, (long long)m->dataset, policy);
	sqlite3_stmt *s = stmt(db, S_RUN_PUT);
	bind_text(s, 1, b.data);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	buf_free(&b);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The last run's mark, when it was made under policy and still holds:
 * every solution it read is there still, and every row it left (rows
 * deleted by hand make the next run a full one). 1, 0 (none or not),
 * -1. */
int db_consensus_last(struct db *db, const char *policy, struct consensus_mark *m)
{
	sqlite3_stmt *s = stmt(db, S_RUN_LAST);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW && col_text(s, 0)) {
		const char *v = col_text(s, 0), *tab = strchr(v, '\t');
		long long l, g, so, n, na, d;
		size_t vn = strlen(RUN_MARK_V);
		found = tab && !strcmp(tab + 1, policy) && !strncmp(v, RUN_MARK_V " ", vn + 1) &&
			sscanf(v + vn, " %lld %lld %lld %lld %lld %lld", &l, &g, &so, &n, &na, &d) == 6;
		if (found)
			*m = (struct consensus_mark){l, g, so, n, na, d};
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (!found)
		return 0;
	s = stmt(db, S_RUN_UPTO);
	sqlite3_bind_int64(s, 1, m->sol);
	sqlite3_bind_int64(s, 2, m->nsol);
	sqlite3_bind_int64(s, 3, m->nagreed);
	int64_t same = dbi_one_int(s, -1);
	return same < 0 ? -1 : same == 1;
}

/* one (rule, why) of the tally and its rows */
struct tally_row {
	char *rule, *why;
	long n;
};

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int db_agreed_tally(struct db *db, int64_t dataset,
		    void (*fn)(void *ctx, const char *rule, const char *why, long n), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_TALLY);
	sqlite3_bind_int64(s, 1, dataset);
	struct tally_row *t = NULL;
	size_t nt = 0, last = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *rule = col_text(s, 0), *why = col_text(s, 1);
		/* a few pairs, and runs of one: the last first */
		size_t i = last < nt && same_str(t[last].rule, rule) && same_str(t[last].why, why) ?
			   last : 0;
		for (; i < nt && !(same_str(t[i].rule, rule) && same_str(t[i].why, why)); i++)
			;
		if (i == nt) {
			t = xrealloc(t, (nt + 1) * sizeof(*t));
			t[nt++] = (struct tally_row){rule ? xstrdup(rule) : NULL,
						     why ? xstrdup(why) : NULL, 0};
		}
		t[i].n++;
		last = i;
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < nt; i++) {
		if (rc == SQLITE_DONE)
			fn(ctx, t[i].rule, t[i].why, t[i].n);
		free(t[i].rule);
		free(t[i].why);
	}
	free(t);
	return rc == SQLITE_DONE ? 0 : -1;
}
