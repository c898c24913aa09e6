/* items.c - data sets, imports, and items stored: problems, solutions, steps, labels, suggestions, summaries */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id {
	S_DATASET_GET, S_DATASET_ADD, S_IMPORT_SEEN, S_IMPORT_ADD, S_IMPORT_FINISH,
	S_PROBLEM_GET, S_PROBLEM_ADD, S_SOLUTION_ADD, S_STEP_ADD, S_LABEL_ADD,
	S_SUG_ADD, S_SUM_PUT, S_SUM_ADD, S_SUM_MISSING, S_LABEL_NOW, S_SUG_NOW,
	S_SOL_FIND, S_SOL_STEPS, S_DATASETS, S_ANN_ENSURE, S_ALIASES, S_STATE_GET,
	S_KEYED, S_GUIDELINES_ADD, S_SOL_NSTEPS, S_SUM_COUNTS, S_COUNTS_SET, S_COUNTS_CLEAR,
	S_SUM_MARKS, S_ANN_KNOWN, S_SUM_SET, S_SUM_WAS,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_KEYED] = "SELECT s.id, d.name FROM solution s JOIN dataset d ON d.id = "
		    "s.dataset_id WHERE s.ext_key = ?1 AND (?2 IS NULL OR d.name = ?2) "
		    "LIMIT ?3",
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
	[S_STEP_ADD] = "INSERT INTO step(solution_id, idx, text, chosen, alts, agent, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_LABEL_ADD] = "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at, action_id, agent, guidelines) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* a version of the guidelines, the first time a label is made under it */
	[S_GUIDELINES_ADD] = "INSERT OR IGNORE INTO guidelines(hash, path, first_used) VALUES (?1, ?2, ?3)",
	[S_SUG_ADD] = "INSERT INTO suggestion(solution_id, step_idx, source, model, origin, value, first_error, k, n, rationale, created_at, job_id, agent, rollouts) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[S_SUM_PUT] = "INSERT OR REPLACE INTO summary(solution_id, dataset_id, nsteps, labelled, flags, verdicts, "
		      "counts, agreed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce((SELECT 1 FROM agreed "
		      "WHERE solution_id = ?1 AND rule IS NOT NULL), 0))", /* the agreed mark kept */
	/* the same counts, other verdicts (a fetch's suggestions): no index
	 * of the counts or the agreed mark is rewritten, only the flags',
	 * and stats' sums stand */
	[S_SUM_MARKS] = "UPDATE summary SET flags = ?5, verdicts = ?6 WHERE solution_id = ?1 "
			"AND dataset_id = ?2 AND nsteps = ?3 AND labelled = ?4 AND counts IS ?7",
	/* a new solution's: a plain insert needs no statement journal */
	[S_SUM_ADD] = "INSERT INTO summary(solution_id, dataset_id, nsteps, labelled, flags, verdicts, counts) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* the counts a summary rewritten had, taken from the sums */
	[S_SUM_COUNTS] = "SELECT dataset_id, counts FROM summary WHERE solution_id = ?1",
	/* counting a store once (summary_backfill) */
	[S_COUNTS_SET] = "UPDATE summary SET counts = ?2 WHERE solution_id = ?1",
	[S_COUNTS_CLEAR] = "DELETE FROM tally WHERE kind IN ('decider', 'decided', 'rated', "
			   "'adjudicated')",
	/* counts by the smallest index of each table: cheap on a big store */
	[S_SUM_MISSING] = "SELECT (SELECT count(*) FROM solution) - (SELECT count(*) FROM summary)",
	/* what an annotator's labels say now: the latest per kind and step */
	[S_LABEL_NOW] = "SELECT kind, coalesce(step_idx, -1), value, text, agent FROM label WHERE id IN "
			"(SELECT max(id) FROM label WHERE solution_id = ?1 AND annotator = ?2 "
			"GROUP BY kind, coalesce(step_idx, -1))",
	/* and a source's imported suggestions */
	[S_SUG_NOW] = "SELECT coalesce(step_idx, -1), value, first_error, k, n, agent FROM suggestion WHERE id IN "
		      "(SELECT max(id) FROM suggestion WHERE solution_id = ?1 AND source = ?2 "
		      "AND model IS ?3 AND job_id IS NULL GROUP BY coalesce(step_idx, -1))",
	[S_SOL_FIND] = "SELECT s.id, s.import_id = ?3, s.source_line, p.text, i.path FROM solution s "
		       "JOIN problem p ON p.id = s.problem_id LEFT JOIN import i ON i.id = s.import_id "
		       "WHERE s.dataset_id = ?1 AND s.ext_key = ?2",
	[S_SOL_STEPS] = "SELECT text, agent, role FROM step WHERE solution_id = ?1 ORDER BY idx",
	[S_SOL_NSTEPS] = "SELECT s.id, (SELECT count(*) FROM step t WHERE t.solution_id = s.id) "
			 "FROM solution s WHERE s.dataset_id = ?1 AND s.ext_key = ?2",
	[S_DATASETS] = "SELECT name FROM dataset ORDER BY name",
	[S_ANN_ENSURE] = "INSERT OR IGNORE INTO annotator(name, first_label, alias, auto) "
			 "SELECT ?1, ?2, CASE WHEN m THEN 'L' || (SELECT coalesce(max(CAST(substr(alias, 2) "
			 "AS INTEGER)), 0) + 1 FROM annotator WHERE auto = 1) END, m FROM (SELECT "
			 "length(?1) >= 20 AND ?1 NOT GLOB '*[^0-9a-fA-F-]*' AS m)",
	/* an annotator's row there already: a look, not an insert ignored */
	[S_ANN_KNOWN] = "SELECT 1 FROM annotator WHERE name = ?1",
	/* a summary rewritten in place: only the indexes of what it sets move
	 * (INSERT OR REPLACE rewrites every one), the agreed mark as S_SUM_PUT
	 * keeps it */
	[S_SUM_SET] = "UPDATE summary SET dataset_id = ?2, nsteps = ?3, labelled = ?4, flags = ?5, "
		      "verdicts = ?6, counts = ?7, agreed = coalesce((SELECT 1 FROM agreed "
		      "WHERE solution_id = ?1 AND rule IS NOT NULL), 0) WHERE solution_id = ?1",
	/* what a summary rewritten was: the same counts move no sums */
	[S_SUM_WAS] = "SELECT dataset_id, nsteps, labelled, counts FROM summary WHERE solution_id = ?1",
	[S_ALIASES] = "SELECT name, alias FROM annotator WHERE alias IS NOT NULL ORDER BY first_label",
	[S_STATE_GET] = "SELECT value FROM store_state WHERE key = ?1",
};

static const struct stmt_table stmts = {ROOM_ITEMS, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
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
	if (dbi_step_done(db, s) < 0)
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
	if (dbi_step_done(db, s) < 0)
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
	return dbi_step_done(db, s);
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
	if (sqlite3_step(s) != SQLITE_ROW || dbi_words_add(db, it->problem) < 0) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		sqlite3_reset(s);
		return -1;
	}
	if (put)
		snprintf(put->gold, sizeof(put->gold), "%s", col_text(s, 1) ? col_text(s, 1) : "");
	int64_t id = sqlite3_column_int64(s, 0);
	/* reset now: until a RETURNING statement ends, its statement journal
	 * stays open and every page the next solutions write is copied into
	 * it first */
	sqlite3_reset(s);
	return id;
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
		bind_text(s, 6, st->agent);
		bind_text(s, 7, st->role);
		if (dbi_step_done(db, s) < 0 || dbi_words_add(db, st->text) < 0)
			return -1;
	}
	return 0;
}

static int labels_add(struct db *db, int64_t sol, const struct label *lb,
		      size_t n, int64_t action, const struct db_guidelines *g)
{
	char alt[24]; /* an alternative's index, as the text column keeps it */
	if (g && g->hash && *g->hash) {
		sqlite3_stmt *s = stmt(db, S_GUIDELINES_ADD);
		bind_text(s, 1, g->hash);
		bind_text(s, 2, g->path);
		bind_text(s, 3, db->now);
		if (dbi_step_done(db, s) < 0)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct label *l = &lb[i];
		sqlite3_stmt *s = stmt(db, S_LABEL_ADD);
		sqlite3_bind_int64(s, 1, sol);
		if (l->step >= 0)
			sqlite3_bind_int(s, 2, l->step);
		bind_text(s, 3, dbi_kind_names[l->kind]);
		int value = dbi_label_value(l);
		if (dbi_valued(l->kind) && value != NO_RATING)
			sqlite3_bind_int(s, 4, value);
		bind_text(s, 5, dbi_label_text(l, alt, sizeof(alt)));
		bind_text(s, 6, l->annotator);
		bind_text(s, 7, l->origin);
		bind_text(s, 8, l->at ? l->at : db->now);
		if (action > 0)
			sqlite3_bind_int64(s, 9, action);
		bind_text(s, 10, l->agent);
		if (g && g->hash && *g->hash)
			bind_text(s, 11, g->hash);
		if (dbi_step_done(db, s) < 0)
			return -1;
		struct tally *t = dbi_tally_count(db, 0, dbi_dataset_of(db, sol), l->annotator);
		if (!t->ensured) {
			/* the annotator table, and an alias for a machine name:
			 * once a transaction per name (a data set's labellers
			 * take turns: once per label was 5 % of an import) */
			s = stmt(db, S_ANN_ENSURE);
			bind_text(s, 1, l->annotator);
			sqlite3_bind_int64(s, 2, sqlite3_last_insert_rowid(db->h));
			if (dbi_step_done(db, s) < 0)
				return -1;
			t->ensured = 1;
		}
	}
	return 0;
}

int db_annotator_ensure(struct db *db, const char *name, int64_t first_label)
{
	sqlite3_stmt *s = stmt(db, S_ANN_KNOWN);
	bind_text(s, 1, name);
	int64_t known = dbi_one_int(s, 0);
	if (known)
		return 0;
	s = stmt(db, S_ANN_ENSURE);
	bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, first_label);
	return dbi_step_done(db, s);
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

int dbi_sugs_insert(struct db *db, int64_t sol, const struct suggestion *sugs,
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
		bind_text(s, 13, g->agent);
		bind_text(s, 14, g->rollouts);
		if (job)
			sqlite3_bind_int64(s, 12, job);
		if (dbi_step_done(db, s) < 0)
			return -1;
		if (g->model) {
			buf_reset(&db->scratch);
			buf_printf(&db->scratch, "%s/%s", g->source, g->model);
			dbi_tally_count(db, 1, dbi_dataset_of(db, sol), db->scratch.data);
		} else {
			dbi_tally_count(db, 1, dbi_dataset_of(db, sol), g->source);
		}
	}
	return 0;
}

static int sugs_add(struct db *db, int64_t sol, const struct item *it)
{
	return dbi_sugs_insert(db, sol, it->sugs, it->nsugs, 0);
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 1 when the stored solution sol has its problem and steps (a trace's
 * turns: their agents and roles too) */
static int same_content(struct db *db, int64_t sol, const char *problem, const struct item *it)
{
	if (strcmp(problem, it->problem) != 0)
		return 0;
	sqlite3_stmt *s = stmt(db, S_SOL_STEPS);
	sqlite3_bind_int64(s, 1, sol);
	size_t i = 0;
	int same = 1;
	while (same && sqlite3_step(s) == SQLITE_ROW) {
		const char *t = col_text(s, 0);
		same = i < it->nsteps && t && !strcmp(t, it->steps[i].text) &&
		       str_same(col_text(s, 1), it->steps[i].agent) &&
		       str_same(col_text(s, 2), it->steps[i].role);
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
			int lvalue = dbi_label_value(l);
			int lv = dbi_valued(l->kind) && lvalue != NO_RATING;
			char alt[24];
			if (str_same(l->annotator, who) && !strcmp(dbi_kind_names[l->kind], kind) &&
			    l->step == step && lv == has_value && (!lv || lvalue == value) &&
			    str_same(dbi_label_text(l, alt, sizeof(alt)), text) &&
			    str_same(l->agent, col_text(s, 4))) {
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
			    (!hf || g->first_error == fe) && g->k == k && g->n == n &&
			    str_same(g->agent, col_text(s, 5))) {
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
			    labels_add(db, sol, &it->labels[j], 1, 0, NULL) < 0)
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
			    dbi_sugs_insert(db, sol, &it->sugs[j], 1, 0) < 0)
				return -1;
		added++;
	}
	return added;
}

int db_solutions_keyed(struct db *db, const char *key, const char *dataset,
		       struct db_keyed *out, int max)
{
	sqlite3_stmt *s = stmt(db, S_KEYED);
	bind_text(s, 1, key);
	bind_text(s, 2, dataset);
	sqlite3_bind_int(s, 3, max);
	int n = 0, rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		out[n].sol = sqlite3_column_int64(s, 0);
		snprintf(out[n].dataset, sizeof(out[n].dataset), "%s",
			 col_text(s, 1) ? col_text(s, 1) : "");
		n++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
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

void db_counts_line(struct buf *b, const char *name, int decided, long rated, int adjudicated)
{
	buf_printf(b, "%zu\t%s\t%d\t%ld\t%d\n", strlen(name), name, decided, rated, adjudicated);
}

/* counts' lines (db_counts_line's) added to the sums of data set ds,
 * times sign */
static void counts_add(struct db *db, int64_t ds, const char *counts, int sign)
{
	for (const char *p = counts; p && *p;) {
		char *end;
		size_t n = strtoul(p, &end, 10);
		if (end == p || *end != '\t' || strnlen(end + 1, n + 1) < n + 1)
			return; /* not a line of ours: nothing more to read */
		buf_reset(&db->scratch);
		buf_add(&db->scratch, end + 1, n);
		const char *q = end + 1 + n;
		long v[3];
		for (int i = 0; i < 3; i++) {
			v[i] = strtol(q + 1, &end, 10);
			q = end;
		}
		dbi_tally_add(db, TALLY_DECIDER, ds, db->scratch.data, sign);
		dbi_tally_add(db, TALLY_DECIDED, ds, db->scratch.data, sign * v[0]);
		dbi_tally_add(db, TALLY_RATED, ds, db->scratch.data, sign * v[1]);
		dbi_tally_add(db, TALLY_ADJUDICATED, ds, db->scratch.data, sign * v[2]);
		p = *q == '\n' ? q + 1 : q;
	}
}

/* the length of the counts' line at p (its '\n' included) */
static size_t counts_line_len(const char *p)
{
	const char *e = strchr(p, '\n');
	return e ? (size_t)(e - p) + 1 : strlen(p);
}

/* 1 when counts holds the line p (n bytes) whole */
static int counts_has(const char *counts, const char *p, size_t n)
{
	for (const char *q = counts; q && *q; q += counts_line_len(q))
		if (counts_line_len(q) == n && !memcmp(q, p, n))
			return 1;
	return 0;
}

/* the sums moved from counts was to counts now: only the lines that
 * differ (a label moves one annotator's, not the solution's others') */
static void counts_diff(struct db *db, int64_t ds_was, const char *was, int64_t ds,
			const char *now)
{
	struct buf b = {0};
	for (int side = 0; side < 2; side++) {
		const char *from = side ? now : was, *other = side ? was : now;
		for (const char *p = from; p && *p; p += counts_line_len(p)) {
			size_t n = counts_line_len(p);
			if (ds_was == ds && counts_has(other, p, n))
				continue;
			buf_reset(&b);
			buf_add(&b, p, n);
			counts_add(db, side ? ds : ds_was, b.data, side ? 1 : -1);
		}
	}
	buf_free(&b);
}

int db_counts_known(struct db *db)
{
	if (!db->counts_known) {
		sqlite3_stmt *s = stmt(db, S_STATE_GET);
		bind_text(s, 1, "counts");
		int yes = sqlite3_step(s) == SQLITE_ROW && col_text(s, 0) &&
			  !strcmp(col_text(s, 0), "complete");
		sqlite3_reset(s);
		db->counts_known = yes ? 1 : 2;
	}
	return db->counts_known == 1;
}

/* While the sums hold, a summary written moves them by its counts less
 * those it replaces: 0, or -1 */
static int counts_move(struct db *db, int replaces, int64_t sol, int64_t dataset,
		       const char *counts)
{
	if (!db_counts_known(db))
		return 0; /* summary_backfill counts the store whole */
	if (replaces) {
		sqlite3_stmt *s = stmt(db, S_SUM_COUNTS);
		sqlite3_bind_int64(s, 1, sol);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			counts_add(db, sqlite3_column_int64(s, 0), col_text(s, 1), -1);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	counts_add(db, dataset, counts, 1);
	return 0;
}

/* sum bound to statement id and run */
static int summary_run(struct db *db, enum stmt_id id, int64_t sol, int64_t dataset,
		       const struct summary *sum)
{
	sqlite3_stmt *s = stmt(db, id);
	sqlite3_bind_int64(s, 1, sol);
	sqlite3_bind_int64(s, 2, dataset);
	sqlite3_bind_int(s, 3, sum->nsteps);
	sqlite3_bind_int(s, 4, sum->labelled);
	sqlite3_bind_int(s, 5, sum->flags);
	bind_text(s, 6, sum->verdicts ? sum->verdicts : "");
	bind_text(s, 7, sum->counts);
	return dbi_step_done(db, s);
}

/* the same, stats' sums moved from the counts it replaces to sum's */
static int summary_write(struct db *db, enum stmt_id id, int64_t sol, int64_t dataset,
			 const struct summary *sum)
{
	if (counts_move(db, id == S_SUM_PUT, sol, dataset, sum->counts) < 0)
		return -1;
	return summary_run(db, id, sol, dataset, sum);
}

int db_counts_clear(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_COUNTS_CLEAR);
	return dbi_step_done(db, s);
}

int db_counts_set(struct db *db, int64_t sol, int64_t dataset, const char *counts)
{
	sqlite3_stmt *s = stmt(db, S_COUNTS_SET);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, counts);
	if (dbi_step_done(db, s) < 0)
		return -1;
	counts_add(db, dataset, counts, 1);
	return 0;
}

int db_counts_complete(struct db *db)
{
	db->counts_known = 0;
	return dbi_state_put(db, "counts", "complete");
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
	int rc = dbi_step_done(db, s);
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
	if (steps_add(db, sol, it) < 0 || labels_add(db, sol, it->labels, it->nlabels, 0, NULL) < 0 ||
	    sugs_add(db, sol, it) < 0 ||
	    (sum && summary_write(db, S_SUM_ADD, sol, dataset, sum) < 0))
		return -1;
	if (!sum && dbi_state_put(db, "summaries", NULL) < 0) /* one without: to count */
		return -1;
	return 1;
}

int db_item_labels(struct db *db, int64_t dataset, const struct item *it,
		   struct db_clash *clash)
{
	memset(clash, 0, sizeof(*clash));
	sqlite3_stmt *s = stmt(db, S_SOL_NSTEPS);
	sqlite3_bind_int64(s, 1, dataset);
	bind_text(s, 2, it->key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		clash->solution = sqlite3_column_int64(s, 0);
		clash->line = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 4;
	if (rc != SQLITE_ROW)
		return -1;
	if ((long)it->nsteps > clash->line)
		return 5;
	int added = item_merge(db, clash->solution, it);
	return added < 0 ? -1 : added > 0 ? 3 : 0;
}

int db_summary_put(struct db *db, int64_t sol, int64_t dataset,
		   const struct summary *sum)
{
	/* the one it replaces, read once: with the same counts (a fetch's
	 * suggestions) only the marks are written and stats' sums stand;
	 * else the sums move by the counts' difference and the row is
	 * rewritten in place */
	sqlite3_stmt *s = stmt(db, S_SUM_WAS);
	sqlite3_bind_int64(s, 1, sol);
	int rc = sqlite3_step(s), same = 0;
	if (rc == SQLITE_ROW) {
		same = sqlite3_column_int64(s, 0) == dataset &&
		       sqlite3_column_int(s, 1) == sum->nsteps &&
		       sqlite3_column_int(s, 2) == sum->labelled && str_same(col_text(s, 3), sum->counts);
		if (!same && db_counts_known(db))
			counts_diff(db, sqlite3_column_int64(s, 0), col_text(s, 3), dataset, sum->counts);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) /* none yet */
		return summary_write(db, S_SUM_PUT, sol, dataset, sum);
	if (rc != SQLITE_ROW)
		return -1;
	return summary_run(db, same ? S_SUM_MARKS : S_SUM_SET, sol, dataset, sum);
}

long db_summary_missing(struct db *db)
{
	if (db_summaries_known(db))
		return 0; /* nothing to count */
	return (long)dbi_one_int(stmt(db, S_SUM_MISSING), -1);
}

int db_summaries_complete(struct db *db)
{
	return dbi_state_put(db, "summaries", "complete");
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

int db_labels_add(struct db *db, int64_t sol, const struct label *lb, size_t n,
		  int64_t action, const struct db_guidelines *g)
{
	return labels_add(db, sol, lb, n, action, g);
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
		*ids = dbi_grow(*ids, *n, &cap, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
