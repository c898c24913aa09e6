/* db.c - the store: opening, migrations and typed queries */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "db.h"
#include "schema.h"
#include "../src/util.h"
#include "../src/json.h"

enum stmt_id {
	S_DATASET_GET, S_DATASET_ADD, S_IMPORT_SEEN, S_IMPORT_ADD,
	S_IMPORT_FINISH, S_PROBLEM_ADD, S_SOLUTION_ADD, S_STEP_ADD,
	S_LABEL_ADD, S_SUG_ADD,
	S_STAT_DS, S_STAT_ANN, S_STAT_SRC,
	S_EX_SOL, S_EX_STEP, S_EX_LABEL, S_EX_SUG,
	S_COL_ANN, S_COL_SRC,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_DATASET_GET] = "SELECT id FROM dataset WHERE name = ?1",
	[S_DATASET_ADD] = "INSERT INTO dataset(name, format, created_at) VALUES (?1, ?2, ?3)",
	[S_IMPORT_SEEN] = "SELECT 1 FROM import WHERE dataset_id = ?1 AND content_hash = ?2 AND options = ?3 AND finished_at IS NOT NULL",
	[S_IMPORT_ADD] = "INSERT INTO import(dataset_id, path, content_hash, options, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_IMPORT_FINISH] = "UPDATE import SET records = ?2, skipped = ?3, duplicates = ?4, finished_at = ?5, content_hash = ?6 WHERE id = ?1",
	/* an upsert that always returns the row id */
	[S_PROBLEM_ADD] = "INSERT INTO problem(dataset_id, key, text, gold_answer, reference) VALUES (?1, ?2, ?3, ?4, ?5) "
			  "ON CONFLICT(dataset_id, key) DO UPDATE SET gold_answer = coalesce(gold_answer, excluded.gold_answer), "
			  "reference = coalesce(reference, excluded.reference) RETURNING id",
	[S_SOLUTION_ADD] = "INSERT INTO solution(dataset_id, problem_id, ext_key, generator, final_answer, correct, finish_reason, meta, import_id, source_line, tail) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(dataset_id, ext_key) DO NOTHING",
	[S_STEP_ADD] = "INSERT INTO step(solution_id, idx, text, chosen, alts) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_LABEL_ADD] = "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_SUG_ADD] = "INSERT INTO suggestion(solution_id, step_idx, source, model, origin, value, first_error, k, n, rationale, created_at) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[S_STAT_DS] =
		"SELECT d.name, d.format,"
		" (SELECT count(*) FROM problem p WHERE p.dataset_id = d.id),"
		" (SELECT count(*) FROM solution s WHERE s.dataset_id = d.id),"
		" (SELECT count(*) FROM solution s JOIN step t ON t.solution_id = s.id WHERE s.dataset_id = d.id),"
		" (SELECT count(*) FROM solution s JOIN step t ON t.solution_id = s.id WHERE s.dataset_id = d.id AND ("
		"   EXISTS (SELECT 1 FROM label l WHERE l.solution_id = s.id AND ((l.kind = 'rating' AND l.step_idx = t.idx AND l.value IS NOT NULL)"
		"     OR (l.kind = 'ratings' AND substr(l.text, t.idx + 1, 1) IN ('+', '0', '-'))))"
		"   OR EXISTS (SELECT 1 FROM label l WHERE l.solution_id = s.id AND l.kind = 'first_error' AND (l.value = -1 OR l.value >= t.idx))))"
		" FROM dataset d ORDER BY d.name",
	[S_STAT_ANN] = "SELECT d.name, l.annotator, count(*) FROM label l JOIN solution s ON s.id = l.solution_id "
		       "JOIN dataset d ON d.id = s.dataset_id GROUP BY d.name, l.annotator ORDER BY d.name, l.annotator",
	[S_STAT_SRC] = "SELECT d.name, g.source || coalesce('/' || g.model, ''), count(*) FROM suggestion g "
		       "JOIN solution s ON s.id = g.solution_id JOIN dataset d ON d.id = s.dataset_id "
		       "GROUP BY 1, 2 ORDER BY 1, 2",
	[S_EX_SOL] = "SELECT s.id, d.name, s.ext_key, p.text, p.gold_answer, p.reference, s.generator, s.final_answer, "
		     "s.correct, s.finish_reason, s.meta, s.source_line, s.tail FROM solution s "
		     "JOIN problem p ON p.id = s.problem_id JOIN dataset d ON d.id = s.dataset_id "
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
};

struct db {
	sqlite3 *h;
	sqlite3_stmt *st[S_COUNT];
	struct buf scratch;
	char now[32]; /* time stamp for rows written without one */
};

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
		fprintf(stderr, "stepmark: internal SQL error: %s\n",
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

static void global_init(void)
{
	/* each connection is used by one thread only: no mutex per call */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

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
		sqlite3_close(db->h);
		free(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 1);
	char *msg = NULL;
	if (sqlite3_exec(db->h, setup, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "cannot set up");
		sqlite3_free(msg);
		sqlite3_close(db->h);
		free(db);
		return NULL;
	}
	char why[400];
	if (migrate(db, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		sqlite3_close(db->h);
		free(db);
		return NULL;
	}
	now_iso(db->now);
	return db;
}

struct db *db_open(const char *path, char *err, size_t errlen)
{
	return open_with(path,
			 "PRAGMA journal_mode = WAL;"
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA foreign_keys = ON;"
			 "PRAGMA cache_size = -16000;",
			 err, errlen);
}

struct db *db_open_bulk(const char *path, char *err, size_t errlen)
{
	/* the rollback journal stays in memory: ROLLBACK still works */
	return open_with(path,
			 "PRAGMA locking_mode = EXCLUSIVE;"
			 "PRAGMA journal_mode = MEMORY;"
			 "PRAGMA synchronous = OFF;"
			 "PRAGMA foreign_keys = ON;"
			 "PRAGMA cache_size = -16000;",
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
	sqlite3_close(db->h);
	buf_free(&db->scratch);
	free(db);
}

int db_begin(struct db *db)
{
	now_iso(db->now);
	return exec(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	reset_all(db);
	return exec(db, "COMMIT");
}

int db_rollback(struct db *db)
{
	reset_all(db);
	return exec(db, "ROLLBACK");
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
		fprintf(stderr, "stepmark: store error: %s\n", db_errmsg(db));
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

static int64_t problem_add(struct db *db, int64_t dataset, const struct item *it)
{
	uint64_t key = hash64(it->problem, strlen(it->problem), 0x5eed);
	if (it->gold)
		key = hash64(it->gold, strlen(it->gold), key);
	sqlite3_stmt *s = stmt(db, S_PROBLEM_ADD);
	sqlite3_bind_int64(s, 1, dataset);
	sqlite3_bind_int64(s, 2, (int64_t)key);
	bind_text(s, 3, it->problem);
	bind_text(s, 4, it->gold);
	bind_text(s, 5, it->reference);
	if (sqlite3_step(s) != SQLITE_ROW) {
		fprintf(stderr, "stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	return sqlite3_column_int64(s, 0);
}

/* PRM800K candidates as JSON; NULL when the step had no choice (one
 * completion, taken, nothing flagged): the step and its label say it all. */
static const char *alts_json(struct buf *b, const struct alt *alts, size_t n,
			     int chosen)
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
		bind_text(s, 5, alts_json(&db->scratch, st->alts, st->nalts, st->chosen));
		if (step_done(db, s) < 0)
			return -1;
	}
	return 0;
}

static const char *const kind_names[] = {"rating", "first_error", "finish", "note", "ratings"};

static int labels_add(struct db *db, int64_t sol, const struct item *it)
{
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		sqlite3_stmt *s = stmt(db, S_LABEL_ADD);
		sqlite3_bind_int64(s, 1, sol);
		if (l->step >= 0)
			sqlite3_bind_int(s, 2, l->step);
		bind_text(s, 3, kind_names[l->kind]);
		if ((l->kind == LK_RATING || l->kind == LK_FIRST_ERROR) &&
		    l->value != NO_RATING)
			sqlite3_bind_int(s, 4, l->value);
		bind_text(s, 5, l->text);
		bind_text(s, 6, l->annotator);
		bind_text(s, 7, l->origin);
		bind_text(s, 8, l->at ? l->at : db->now);
		if (step_done(db, s) < 0)
			return -1;
	}
	return 0;
}

static int sugs_add(struct db *db, int64_t sol, const struct item *it)
{
	for (size_t i = 0; i < it->nsugs; i++) {
		const struct suggestion *g = &it->sugs[i];
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
		if (step_done(db, s) < 0)
			return -1;
	}
	return 0;
}

int db_item_insert(struct db *db, int64_t dataset, int64_t import_id,
		   const struct item *it)
{
	int64_t prob = problem_add(db, dataset, it);
	if (prob < 0)
		return -1;
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
	bind_text(s, 11, alts_json(&tail, it->tail, it->ntail, -1));
	int rc = step_done(db, s);
	buf_free(&tail);
	if (rc < 0)
		return -1;
	if (sqlite3_changes(db->h) == 0)
		return 0; /* this solution is already in the store */
	int64_t sol = sqlite3_last_insert_rowid(db->h);
	if (steps_add(db, sol, it) < 0 || labels_add(db, sol, it) < 0 ||
	    sugs_add(db, sol, it) < 0)
		return -1;
	return 1;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
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
		fprintf(stderr, "stepmark: store error: %s\n", db_errmsg(db));
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
			  sqlite3_stmt *s, struct arena *a)
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
		load_solution(&it, &dataset, c[C_SOL].s, &a);
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
	sqlite3_stmt *s = stmt(db, S_COL_ANN);
	int rc;
	bind_text(s, 1, f->datasets_json);
	bind_text(s, 2, f->annotators_json);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		on_annotator(ctx, col_text(s, 0));
	if (rc != SQLITE_DONE)
		return -1;
	s = stmt(db, S_COL_SRC);
	bind_text(s, 1, f->datasets_json);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		on_source(ctx, col_text(s, 0));
	return rc == SQLITE_DONE ? 0 : -1;
}
