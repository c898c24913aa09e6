/* hubstore.c - the store's side of a sync with a hub: which hub, the
 * places kept per hub, solutions and unpushed labels read as they
 * travel, pulled ones written */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"
#include "hub.h"
#include "hubstore.h"
#include "../src/name.h"

enum stmt_id {
	S_STATE_GET, S_SOLS, S_STEPS, S_UNPUSHED, S_UNPUSHED_COUNT, S_PLACED, S_SOL_FIND,
	S_PROBLEM_PUT, S_PROBLEM_ID, S_SOL_ADD, S_STEP_ADD, S_LABEL_UID, S_LABEL_ADD,
	S_GUIDELINES_PUT, S_UNPUSHED_FROM, S_UNPUSHED_MINE, S_SUGS_AFTER, S_SUGS_JOB, S_SUGS_SOL,
	S_SUG_TOP, S_CANDIDATES, S_JOB_GET, S_PREV_LATER, S_NEXT_EARLIER, S_SOL_TIMES, S_MOVE, S_OFFLINE,
	S_LATEST_AT, S_LABEL_TOP, S_SUMMARY_HERE, S_COUNT
};

/* a suggestion as it travels (hub.h's HG_* from HG_DATASET), then its id */
#define SUG_COLS \
	"SELECT d.name, s.ext_key, g.step_idx, g.source, g.model, g.origin, g.value, " \
	"g.first_error, g.k, g.n, g.rationale, g.agent, g.rollouts, g.created_at, j.kind, " \
	"j.params, g.id FROM suggestion g JOIN solution s ON s.id = g.solution_id " \
	"JOIN dataset d ON d.id = s.dataset_id LEFT JOIN job j ON j.id = g.job_id "


static const char *const stmt_sql[S_COUNT] = {
	[S_STATE_GET] = "SELECT value FROM store_state WHERE key = ?1",
	[S_SOLS] = "SELECT s.id, d.name, d.format, s.ext_key, p.key, p.text, p.gold_answer, "
		   "p.gold_derived, p.reference, p.reference_steps, s.generator, s.final_answer, "
		   "s.correct, s.finish_reason, s.meta, s.tail FROM solution s "
		   "JOIN dataset d ON d.id = s.dataset_id JOIN problem p ON p.id = s.problem_id "
		   "WHERE s.id > ?1 ORDER BY s.id",
	[S_STEPS] = "SELECT text, chosen, alts, agent, role FROM step WHERE solution_id = ?1 "
		    "ORDER BY idx",
	/* the partial index label_unsynced holds exactly these */
	[S_UNPUSHED] = "SELECT l.uid, d.name, s.ext_key, l.step_idx, l.kind, l.value, l.text, "
		       "l.annotator, l.origin, l.created_at, l.agent, l.guidelines "
		       "FROM label l JOIN solution s ON s.id = l.solution_id "
		       "JOIN dataset d ON d.id = s.dataset_id "
		       "WHERE l.hub_seq IS NULL AND (?1 IS NULL OR l.annotator = ?1) ORDER BY l.id",
	[S_UNPUSHED_COUNT] = "SELECT count(*) FROM label WHERE hub_seq IS NULL",
	[S_PLACED] = "UPDATE label SET hub_seq = ?2 WHERE uid = ?1",
	[S_SOL_FIND] = "SELECT s.id, s.dataset_id, (SELECT count(*) FROM step WHERE solution_id = s.id) "
		       "FROM solution s JOIN dataset d ON d.id = s.dataset_id "
		       "WHERE d.name = ?1 AND s.ext_key = ?2",
	[S_PROBLEM_PUT] = "INSERT INTO problem(dataset_id, key, text, gold_answer, gold_derived, "
			  "reference, reference_steps) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
			  "ON CONFLICT(dataset_id, key) DO NOTHING",
	[S_PROBLEM_ID] = "SELECT id FROM problem WHERE dataset_id = ?1 AND key = ?2",
	[S_SOL_ADD] = "INSERT INTO solution(dataset_id, problem_id, ext_key, generator, "
		      "final_answer, correct, finish_reason, meta, tail) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_STEP_ADD] = "INSERT INTO step(solution_id, idx, text, chosen, alts, agent, role) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_LABEL_UID] = "SELECT hub_seq, id, solution_id, created_at FROM label WHERE uid = ?1",
	[S_LABEL_ADD] = "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, "
			"origin, created_at, agent, guidelines, uid, hub_seq) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
			"ON CONFLICT(uid) DO NOTHING",
	/* a version of the guidelines first seen on a pulled label */
	[S_GUIDELINES_PUT] = "INSERT INTO guidelines(hash, path, first_used) VALUES (?1, NULL, ?2) "
			     "ON CONFLICT(hash) DO UPDATE SET first_used = "
			     "min(first_used, excluded.first_used)",
	/* the workbench's: a batch at a time, what this member may push */
	[S_UNPUSHED_FROM] = "SELECT l.uid, d.name, s.ext_key, l.step_idx, l.kind, l.value, l.text, "
			    "l.annotator, l.origin, l.created_at, l.agent, l.guidelines, l.id "
			    "FROM label l JOIN solution s ON s.id = l.solution_id "
			    "JOIN dataset d ON d.id = s.dataset_id "
			    "WHERE l.hub_seq IS NULL AND l.id > ?2 AND (?1 IS NULL OR l.annotator = ?1) "
			    "AND (?3 = 0 OR l.kind <> 'adjudication') ORDER BY l.id LIMIT ?4",
	[S_UNPUSHED_MINE] = "SELECT count(*) FROM label WHERE hub_seq IS NULL "
			    "AND (?1 IS NULL OR annotator = ?1) AND (?2 = 0 OR kind <> 'adjudication')",
	/* suggestions to push, a job's, a solution's */
	[S_SUGS_AFTER] = SUG_COLS "WHERE g.id > ?1 ORDER BY g.id",
	[S_SUGS_JOB] = SUG_COLS "WHERE g.job_id = ?1 ORDER BY g.id",
	[S_SUGS_SOL] = SUG_COLS "WHERE g.solution_id = ?1 ORDER BY g.id",
	[S_SUG_TOP] = "SELECT coalesce(max(id), 0) FROM suggestion",
	/* the solutions that get a job of a provider (as db_jobs_enqueue
	 * selects them, whether they have one or not) */
	[S_CANDIDATES] = "SELECT d.name, s.ext_key, s.id FROM solution s "
			 "JOIN dataset d ON d.id = s.dataset_id "
			 "WHERE (?1 = 0 OR s.dataset_id = ?1) AND (?2 = 0 OR s.id = ?2) "
			 "AND ((?4 & 1) = 0 OR EXISTS (SELECT 1 FROM step t WHERE t.solution_id = s.id "
			 "AND t.idx = 0 AND t.agent IS NOT NULL)) "
			 "AND ((?4 & 2) = 0 OR EXISTS (SELECT 1 FROM problem p WHERE p.id = s.problem_id "
			 "AND coalesce(p.reference, '') <> '')) ORDER BY s.id LIMIT ?3",
	[S_JOB_GET] = "SELECT id, state, last_error, requests, cached, tokens_in, tokens_out "
		      "FROM job WHERE kind = ?1 AND pid = (SELECT id FROM job_params WHERE params = ?2) "
		      "AND solution_id = ?3",
	/* a solution's labels go in the order of their time (of one time, in
	 * the order they came): whether the label before ?3 is later, the
	 * one after it earlier; the solution's labels to put in order */
	[S_PREV_LATER] = "SELECT coalesce((SELECT created_at > ?2 FROM label WHERE solution_id = ?1 "
			 "AND id < ?3 ORDER BY id DESC LIMIT 1), 0)",
	[S_NEXT_EARLIER] = "SELECT coalesce((SELECT created_at < ?2 FROM label WHERE solution_id = ?1 "
			   "AND id > ?3 ORDER BY id LIMIT 1), 0)",
	[S_SOL_TIMES] = "SELECT id, created_at FROM label WHERE solution_id = ?1 ORDER BY id",
	[S_MOVE] = "UPDATE label SET id = ?2 WHERE id = ?1",
	/* a label of theirs on it this store made since it last synced: not
	 * on the hub, or placed there by this sync's push (?3: the store's
	 * place before it, ?4: its last label then) */
	[S_OFFLINE] = "SELECT 1 FROM label WHERE annotator = ?1 AND solution_id = ?2 AND "
		      "(hub_seq IS NULL OR (hub_seq > ?3 AND id <= ?4)) LIMIT 1",
	[S_LATEST_AT] = "SELECT max(created_at) FROM label WHERE annotator = ?1 AND solution_id = ?2",
	[S_LABEL_TOP] = "SELECT coalesce((SELECT id FROM label ORDER BY id DESC LIMIT 1), 0)",
	[S_SUMMARY_HERE] = "SELECT count(*) FROM summary WHERE solution_id = ?1",
};

static const struct stmt_table stmts = {ROOM_HUB, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

/* store_state's key for what of hub: "hub" alone, else "hub.WHAT.ID" */
static void state_key(char *out, size_t n, const char *what, const char *hub_id)
{
	if (what)
		snprintf(out, n, "hub.%s.%s", what, hub_id);
	else
		snprintf(out, n, "hub");
}

static int state_get(struct db *db, const char *key, char *out, size_t n)
{
	sqlite3_stmt *s = stmt(db, S_STATE_GET);
	bind_text(s, 1, key);
	int rc = sqlite3_step(s);
	*out = '\0';
	if (rc == SQLITE_ROW && col_text(s, 0))
		snprintf(out, n, "%s", col_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_bound(struct db *db, char *out, size_t n)
{
	return state_get(db, "hub", out, n);
}

int db_hub_bind(struct db *db, const char *hub_id)
{
	return dbi_state_put(db, "hub", hub_id);
}

int64_t db_hub_mark(struct db *db, const char *what, const char *hub_id)
{
	char key[160], v[32];
	state_key(key, sizeof(key), what, hub_id);
	if (state_get(db, key, v, sizeof(v)) < 0)
		return -1;
	return *v ? strtoll(v, NULL, 10) : 0;
}

int db_hub_mark_set(struct db *db, const char *what, const char *hub_id, int64_t v)
{
	char key[160], val[32];
	state_key(key, sizeof(key), what, hub_id);
	snprintf(val, sizeof(val), "%lld", (long long)v);
	return dbi_state_put(db, key, val);
}

int db_hub_time_mark(struct db *db, const char *what, const char *hub_id, char *out,
		     size_t n)
{
	char key[160];
	state_key(key, sizeof(key), what, hub_id);
	return state_get(db, key, out, n);
}

int db_hub_time_mark_set(struct db *db, const char *what, const char *hub_id,
			 const char *v)
{
	char key[160];
	state_key(key, sizeof(key), what, hub_id);
	return dbi_state_put(db, key, v);
}

/* the content hash of solution sol's steps (each step's text, agent and
 * role) into out; the steps' columns kept in a (NULL: not kept) as the
 * steps of hs. -1 on a store error. */
static int steps_read(struct db *db, int64_t sol, char out[33], struct arena *a,
		      struct hub_sol *hs)
{
	sqlite3_stmt *s = stmt(db, S_STEPS);
	sqlite3_bind_int64(s, 1, sol);
	struct hasher h;
	hasher_init(&h);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* text, agent, role: the columns db_hub_steps_hash hashes */
		for (int c = 0; c < 5; c += (c == 0 ? 3 : 1)) {
			const char *t = col_text(s, c);
			hasher_add(&h, t ? t : "", t ? strlen(t) + 1 : 1);
		}
		hasher_add(&h, "\x1e", 1);
		if (!hs)
			continue;
		hs->steps = dbi_grow(hs->steps, hs->nsteps, &cap, sizeof(*hs->steps));
		struct hub_step *st = &hs->steps[hs->nsteps++];
		for (int c = 0; c < HT_N; c++)
			st->f[c] = dbi_adup(a, s, c);
	}
	sqlite3_reset(s);
	hasher_hex(&h, out);
	return rc == SQLITE_DONE ? 0 : -1;
}

void db_hub_steps_hash(const struct hub_sol *s, char out[33])
{
	struct hasher h;
	hasher_init(&h);
	for (size_t i = 0; i < s->nsteps; i++) {
		static const int cols[] = {HT_TEXT, HT_AGENT, HT_ROLE};
		for (int c = 0; c < 3; c++) {
			const char *t = s->steps[i].f[cols[c]];
			hasher_add(&h, t ? t : "", t ? strlen(t) + 1 : 1);
		}
		hasher_add(&h, "\x1e", 1);
	}
	hasher_hex(&h, out);
}

int db_hub_solutions(struct db *db, int64_t after,
		     int (*fn)(void *ctx, int64_t id, const struct hub_sol *s), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_SOLS);
	sqlite3_bind_int64(s, 1, after);
	struct arena a = {0};
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hub_sol hs = {0};
		char hash[33];
		for (int c = 0; c < HS_HASH; c++)
			hs.f[c] = col_text(s, c + 1);
		if (steps_read(db, sqlite3_column_int64(s, 0), hash, &a, &hs) < 0) {
			free(hs.steps);
			rc = SQLITE_ERROR;
			break;
		}
		hs.f[HS_HASH] = hash;
		stop = fn(ctx, sqlite3_column_int64(s, 0), &hs);
		free(hs.steps);
		arena_reset(&a);
	}
	sqlite3_reset(s);
	arena_free(&a);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_unpushed(struct db *db, const char *annotator,
		    int (*fn)(void *ctx, const struct hub_label *l), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_UNPUSHED);
	bind_text(s, 1, annotator);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hub_label l = {0};
		for (int c = 0; c < HL_N; c++)
			l.f[c] = col_text(s, c);
		stop = fn(ctx, &l);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_unpushed_from(struct db *db, const char *annotator, int no_adjudication,
			 int64_t after, int max,
			 int (*fn)(void *ctx, int64_t id, const struct hub_label *l), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_UNPUSHED_FROM);
	bind_text(s, 1, annotator);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int(s, 3, no_adjudication);
	sqlite3_bind_int(s, 4, max);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hub_label l = {0};
		for (int c = 0; c < HL_N; c++)
			l.f[c] = col_text(s, c);
		stop = fn(ctx, sqlite3_column_int64(s, HL_N), &l);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

long db_hub_unpushed_mine(struct db *db, const char *annotator, int no_adjudication)
{
	sqlite3_stmt *s = stmt(db, S_UNPUSHED_MINE);
	bind_text(s, 1, annotator);
	sqlite3_bind_int(s, 2, no_adjudication);
	return (long)dbi_one_int(s, -1);
}

long db_hub_unpushed_count(struct db *db)
{
	return (long)dbi_one_int(stmt(db, S_UNPUSHED_COUNT), -1);
}

int db_hub_label_placed(struct db *db, const char *uid, int64_t seq)
{
	sqlite3_stmt *s = stmt(db, S_PLACED);
	bind_text(s, 1, uid);
	sqlite3_bind_int64(s, 2, seq);
	return dbi_step_done(db, s);
}

/* the solution dataset/key here: 1 (its id, data set, steps), 0 none, -1 */
static int sol_find(struct db *db, const char *dataset, const char *key, int64_t *sol,
		    int64_t *ds, int *nsteps)
{
	sqlite3_stmt *s = stmt(db, S_SOL_FIND);
	bind_text(s, 1, dataset);
	bind_text(s, 2, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*sol = sqlite3_column_int64(s, 0);
		*ds = sqlite3_column_int64(s, 1);
		*nsteps = sqlite3_column_int(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_solution_hash(struct db *db, const char *dataset, const char *key, char out[33])
{
	int64_t sol, ds;
	int n;
	int rc = sol_find(db, dataset, key, &sol, &ds, &n);
	if (rc == 1 && steps_read(db, sol, out, NULL, NULL) < 0)
		return -1;
	return rc;
}

/* binds the columns f[from..] of a travelling row as parameters at..; NULL stays NULL */
static void bind_cols(sqlite3_stmt *s, int at, const char *const *f, const int *cols, int n)
{
	for (int i = 0; i < n; i++)
		bind_text(s, at + i, f[cols[i]]);
}

/* a new solution's problem (added once per data set and key): its id, or -1 */
static int64_t problem_put(struct db *db, int64_t ds, const struct hub_sol *hs)
{
	sqlite3_stmt *s = stmt(db, S_PROBLEM_PUT);
	sqlite3_bind_int64(s, 1, ds);
	static const int pcols[] = {HS_PROBLEM_KEY, HS_PROBLEM, HS_GOLD, HS_GOLD_DERIVED,
				    HS_REFERENCE, HS_REFERENCE_STEPS};
	bind_cols(s, 2, hs->f, pcols, 6);
	if (dbi_step_done(db, s) < 0 || dbi_words_add(db, hs->f[HS_PROBLEM]) < 0)
		return -1;
	s = stmt(db, S_PROBLEM_ID);
	sqlite3_bind_int64(s, 1, ds);
	bind_text(s, 2, hs->f[HS_PROBLEM_KEY]);
	return dbi_one_int(s, -1);
}

int db_hub_solution_put(struct db *db, const struct hub_sol *hs, int64_t *sol)
{
	int64_t ds;
	int n;
	int rc = sol_find(db, hs->f[HS_DATASET], hs->f[HS_KEY], sol, &ds, &n);
	if (rc != 0) {
		char here[33];
		if (rc < 0 || steps_read(db, *sol, here, NULL, NULL) < 0)
			return -1;
		return strcmp(here, hs->f[HS_HASH]) ? 2 : 0;
	}
	if ((ds = db_dataset_ensure(db, hs->f[HS_DATASET], hs->f[HS_FORMAT])) <= 0)
		return -1;
	int64_t prob = problem_put(db, ds, hs);
	if (prob < 0)
		return -1;
	sqlite3_stmt *s = stmt(db, S_SOL_ADD);
	sqlite3_bind_int64(s, 1, ds);
	sqlite3_bind_int64(s, 2, prob);
	static const int scols[] = {HS_KEY, HS_GENERATOR, HS_FINAL, HS_CORRECT, HS_FINISH,
				    HS_META, HS_TAIL};
	bind_cols(s, 3, hs->f, scols, 7);
	if (dbi_step_done(db, s) < 0)
		return -1;
	*sol = sqlite3_last_insert_rowid(db->h);
	for (size_t i = 0; i < hs->nsteps; i++) {
		s = stmt(db, S_STEP_ADD);
		sqlite3_bind_int64(s, 1, *sol);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		static const int tcols[] = {HT_TEXT, HT_CHOSEN, HT_ALTS, HT_AGENT, HT_ROLE};
		bind_cols(s, 3, hs->steps[i].f, tcols, 5);
		if (dbi_step_done(db, s) < 0 || dbi_words_add(db, hs->steps[i].f[HT_TEXT]) < 0)
			return -1;
	}
	return 1;
}

/* a label's kind and numbers as the store takes them */
static int label_ok(const struct hub_label *l, int nsteps)
{
	const char *k = l->f[HL_KIND];
	int known = 0;
	/* dbi_kind_of takes any other word for a note */
	for (int i = LK_RATING; k && i <= LK_CATEGORY; i++)
		known |= !strcmp(k, dbi_kind_names[i]);
	char *end;
	if (l->f[HL_STEP]) {
		long v = strtol(l->f[HL_STEP], &end, 10);
		if (*end || v < -1 || v >= nsteps)
			return 0;
	}
	if (l->f[HL_VALUE]) {
		(void)strtol(l->f[HL_VALUE], &end, 10);
		if (*end || !*l->f[HL_VALUE])
			return 0;
	}
	if (!known || !l->f[HL_UID] || !l->f[HL_ANNOTATOR] || !l->f[HL_ORIGIN] || !l->f[HL_AT])
		return 0;
	/* the annotator as import and merge take it: no control or format
	 * character (a bidi override makes one name look like another) */
	char why[300];
	return name_check(l->f[HL_ANNOTATOR], strlen(l->f[HL_ANNOTATOR]), "its annotator", why,
			  sizeof(why)) == 0;
}

/* a solution's label as its order is checked */
struct timed {
	int64_t id;
	char *at;
};

static int by_time(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;
	int c = strcmp(x->at, y->at);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Whether label id (made at) is out of its solution's order: a label
 * before it made later, or one after it made earlier. 1, 0, -1. */
static int out_of_order(struct db *db, int64_t sol, const char *at, int64_t id)
{
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = stmt(db, i ? S_NEXT_EARLIER : S_PREV_LATER);
		sqlite3_bind_int64(s, 1, sol);
		bind_text(s, 2, at);
		sqlite3_bind_int64(s, 3, id);
		int64_t v = dbi_one_int(s, -1);
		if (v != 0)
			return (int)v;
	}
	return 0;
}

/* The labels of sol put in the order of their time (of one time, their
 * order here): from the first out of place on, each that is not after
 * the ones before it moved to a new id after the store's last, the rest
 * of each row kept. Every store then holds a solution's labels on the
 * hub in one order, whatever order they came in, and the same labels
 * are in force everywhere (each annotator's newest, the newest of all).
 * 1 when some moved, 0 none, -1. */
static int sol_order(struct db *db, int64_t sol)
{
	sqlite3_stmt *s = stmt(db, S_SOL_TIMES);
	sqlite3_bind_int64(s, 1, sol);
	struct timed *t = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		t = dbi_grow(t, n, &cap, sizeof(*t));
		t[n].id = sqlite3_column_int64(s, 0);
		t[n++].at = xstrdup(col_text(s, 1) ? col_text(s, 1) : "");
	}
	sqlite3_reset(s);
	int64_t *was = xmalloc((n + 1) * sizeof(*was)), top = db_hub_label_top(db);
	for (size_t i = 0; i < n; i++)
		was[i] = t[i].id;
	qsort(t, n, sizeof(*t), by_time);
	size_t from = 0;
	while (from < n && t[from].id == was[from])
		from++;
	if (rc != SQLITE_DONE || top < 0)
		rc = SQLITE_ERROR;
	/* those after the last in place that are after each other keep their
	 * ids (a label pulled older than some here: those move, not it) */
	int64_t last = from ? was[from - 1] : 0, moved = 0;
	for (size_t i = from; rc == SQLITE_DONE && i < n; i++) {
		if (!moved && t[i].id > last) {
			last = t[i].id;
			continue;
		}
		s = stmt(db, S_MOVE);
		sqlite3_bind_int64(s, 1, t[i].id);
		sqlite3_bind_int64(s, 2, top + ++moved);
		if (dbi_step_done(db, s) < 0)
			rc = SQLITE_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		free(t[i].at);
	free(t);
	free(was);
	return rc == SQLITE_DONE ? moved > 0 : -1;
}

/* label id of sol (made at) in its solution's order: 1 when the
 * solution's labels were put in order, 0 they were, -1 */
static int label_order(struct db *db, int64_t sol, const char *at, int64_t id)
{
	int rc = out_of_order(db, sol, at ? at : "", id);
	if (rc <= 0)
		return rc;
	return sol_order(db, sol) < 0 ? -1 : 1;
}

int db_hub_label_order(struct db *db, int64_t sol)
{
	return sol_order(db, sol);
}


int db_hub_solution_here(struct db *db, const char *dataset, const char *key,
			 struct db_hub_here *h)
{
	memset(h, 0, sizeof(*h));
	int rc = sol_find(db, dataset, key, &h->sol, &h->ds, &h->nsteps);
	if (rc == 1 && steps_read(db, h->sol, h->hash, NULL, NULL) < 0)
		return -1;
	h->found = rc == 1;
	return rc;
}

/* whether label id of sol (made at, the store's last) is out of its
 * solution's order: a label before it made later. 1, 0, -1. */
static int last_out_of_order(struct db *db, int64_t sol, const char *at, int64_t id)
{
	sqlite3_stmt *s = stmt(db, S_PREV_LATER);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, at);
	sqlite3_bind_int64(s, 3, id);
	return (int)dbi_one_int(s, -1);
}

/* label l here already (ours, pushed before its place came back): its
 * place recorded, its order checked as db_hub_label_put_here says.
 * 0, 4, 1 not here, -1 */
static int label_here(struct db *db, const struct hub_label *l, int *disorder)
{
	sqlite3_stmt *s = stmt(db, S_LABEL_UID);
	bind_text(s, 1, l->f[HL_UID]);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 1 : -1;
	}
	int null_place = sqlite3_column_type(s, 0) == SQLITE_NULL;
	int64_t id = sqlite3_column_int64(s, 1), sol = sqlite3_column_int64(s, 2);
	char *at = xstrdup(col_text(s, 3) ? col_text(s, 3) : "");
	sqlite3_reset(s);
	rc = null_place && db_hub_label_placed(db, l->f[HL_UID], l->seq) < 0 ? -1 : 0;
	if (rc == 0 && !disorder) /* made here out of order (a clock behind, a merge) */
		rc = label_order(db, sol, at, id);
	else if (rc == 0 && !*disorder && (rc = out_of_order(db, sol, at, id)) == 1)
		*disorder = 1;
	free(at);
	return rc < 0 ? -1 : rc ? 4 : 0;
}

int db_hub_label_put_here(struct db *db, const struct hub_label *l,
			  const struct db_hub_here *h, int *disorder)
{
	/* added unless its uid is here (one look at the uid index, not two) */
	sqlite3_stmt *s;
	int ok = h->found && label_ok(l, h->nsteps);
	if (ok) {
		s = stmt(db, S_LABEL_ADD);
		sqlite3_bind_int64(s, 1, h->sol);
		static const int lcols[] = {HL_STEP, HL_KIND, HL_VALUE, HL_TEXT, HL_ANNOTATOR,
					    HL_ORIGIN, HL_AT, HL_AGENT, HL_GUIDELINES, HL_UID};
		bind_cols(s, 2, l->f, lcols, 10);
		sqlite3_bind_int64(s, 12, l->seq);
		if (dbi_step_done(db, s) < 0)
			return -1;
	}
	if (!ok || sqlite3_changes(db->h) == 0) {
		int rc = label_here(db, l, disorder);
		if (rc != 1)
			return rc;
		return ok ? -1 : !h->found ? 2 : 3; /* added, it would be here */
	}
	int64_t id = sqlite3_last_insert_rowid(db->h);
	if (l->f[HL_GUIDELINES]) {
		s = stmt(db, S_GUIDELINES_PUT);
		bind_text(s, 1, l->f[HL_GUIDELINES]);
		bind_text(s, 2, l->f[HL_AT]);
		if (dbi_step_done(db, s) < 0)
			return -1;
	}
	dbi_tally_count(db, 0, h->ds, l->f[HL_ANNOTATOR]);
	if (db_annotator_ensure(db, l->f[HL_ANNOTATOR], id) < 0)
		return -1;
	if (!disorder)
		return label_order(db, h->sol, l->f[HL_AT], id) < 0 ? -1 : 1;
	/* the last label here: only one before it can be later */
	int rc;
	if (!*disorder && (rc = last_out_of_order(db, h->sol, l->f[HL_AT], id)) != 0) {
		if (rc < 0)
			return -1;
		*disorder = 1;
	}
	return 1;
}

int64_t db_hub_label_top(struct db *db)
{
	return dbi_one_int(stmt(db, S_LABEL_TOP), -1);
}

int db_hub_offline(struct db *db, int64_t sol, const char *annotator, int64_t mark,
		   int64_t top)
{
	sqlite3_stmt *s = stmt(db, S_OFFLINE);
	bind_text(s, 1, annotator);
	sqlite3_bind_int64(s, 2, sol);
	sqlite3_bind_int64(s, 3, mark);
	sqlite3_bind_int64(s, 4, top);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_latest_at(struct db *db, int64_t sol, const char *annotator, char *at, size_t atlen)
{
	sqlite3_stmt *s = stmt(db, S_LATEST_AT);
	bind_text(s, 1, annotator);
	sqlite3_bind_int64(s, 2, sol);
	int rc = sqlite3_step(s);
	snprintf(at, atlen, "%s", rc == SQLITE_ROW && col_text(s, 0) ? col_text(s, 0) : "");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int db_hub_label_put(struct db *db, const struct hub_label *l, int64_t *sol)
{
	struct db_hub_here h = {0};
	if (sol_find(db, l->f[HL_DATASET], l->f[HL_KEY], &h.sol, &h.ds, &h.nsteps) < 0)
		return -1;
	h.found = h.sol > 0;
	*sol = h.sol;
	return db_hub_label_put_here(db, l, &h, NULL);
}

void db_hub_fields_uid(struct buf *b, const char *tag, const char *const *f, int from, int to,
		       char out[33])
{
	buf_reset(b);
	buf_puts(b, tag);
	for (int c = from; c <= to; c++) {
		buf_putc(b, f[c] ? 'v' : 'n');
		buf_puts(b, f[c] ? f[c] : "");
		buf_putc(b, '\0');
	}
	struct hasher h;
	hasher_init(&h);
	hasher_add(&h, b->data, b->len);
	hasher_hex(&h, out);
}

/* a suggestion's global id: its solution's data set and id and its
 * columns but when it was made */
static void sug_uid(struct buf *b, const char *const *f, char out[33])
{
	db_hub_fields_uid(b, "sug1", f, HG_DATASET, HG_ROLLOUTS, out);
}

/* the row of SUG_COLS at s as it travels into g (its strings s's, the
 * value written exactly into val), with its uid into uid */
static void sug_row(sqlite3_stmt *s, struct hub_sug *g, char val[32], char uid[33])
{
	memset(g, 0, sizeof(*g));
	/* the value first (before any conversion), with as many digits as
	 * give the same double back */
	int has_value = sqlite3_column_type(s, HG_VALUE - HG_DATASET) != SQLITE_NULL;
	if (has_value)
		snprintf(val, 32, "%.17g", sqlite3_column_double(s, HG_VALUE - HG_DATASET));
	for (int c = HG_DATASET; c <= HG_JOB_PARAMS; c++)
		g->f[c] = c == HG_VALUE ? (has_value ? val : NULL) : col_text(s, c - HG_DATASET);
	struct buf b = {0};
	sug_uid(&b, g->f, uid);
	buf_free(&b);
	g->f[HG_UID] = uid;
}

/* each row of statement s (bound) to fn with its id, like db_hub_solutions */
static int sugs_each(sqlite3_stmt *s, int (*fn)(void *ctx, int64_t id, const struct hub_sug *g),
		     void *ctx)
{
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hub_sug g;
		char val[32], uid[33];
		sug_row(s, &g, val, uid);
		stop = fn(ctx, sqlite3_column_int64(s, HG_COUNT - HG_DATASET), &g);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_sugs(struct db *db, int64_t after, int64_t job,
		int (*fn)(void *ctx, int64_t id, const struct hub_sug *g), void *ctx)
{
	sqlite3_stmt *s = stmt(db, job ? S_SUGS_JOB : S_SUGS_AFTER);
	sqlite3_bind_int64(s, 1, job ? job : after);
	return sugs_each(s, fn, ctx);
}

int64_t db_hub_sug_top(struct db *db)
{
	return dbi_one_int(stmt(db, S_SUG_TOP), -1);
}


static const char *hub_num(const char *t)
{
	return t && *t ? t : NULL;
}

/* the uid of one of the solution's suggestions kept (the run of them) */
static int uid_keep(void *ctx, int64_t id, const struct hub_sug *g)
{
	(void)id;
	struct db_hub_sug_uids *u = ctx;
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 16;
		u->uid = xrealloc(u->uid, u->cap * sizeof(*u->uid));
	}
	snprintf(u->uid[u->n++], 33, "%s", g->f[HG_UID]);
	return 0;
}

/* u on g's solution: looked up, and the uids of its suggestions read,
 * when it is not the one u holds. 1 here, 0 not, -1 on a store error. */
static int sug_uids_on(struct db *db, const struct hub_sug *g, struct db_hub_sug_uids *u)
{
	const char *d = g->f[HG_DATASET] ? g->f[HG_DATASET] : "";
	const char *k = g->f[HG_KEY] ? g->f[HG_KEY] : "";
	if (u->dataset && !strcmp(u->dataset, d) && !strcmp(u->key, k))
		return u->found;
	u->dataset = NULL;
	u->n = 0;
	int rc = sol_find(db, g->f[HG_DATASET], g->f[HG_KEY], &u->sol, &u->ds, &u->nsteps);
	if (rc == 1) {
		sqlite3_stmt *s = stmt(db, S_SUGS_SOL);
		sqlite3_bind_int64(s, 1, u->sol);
		if (sugs_each(s, uid_keep, u) < 0)
			rc = -1;
	}
	if (rc < 0)
		return -1;
	u->dataset = d;
	u->key = k;
	return u->found = rc;
}

int db_hub_sug_put_on(struct db *db, const struct hub_sug *g, int64_t *sol,
		      struct db_hub_sug_uids *u)
{
	int rc = sug_uids_on(db, g, u);
	if (rc <= 0)
		return rc < 0 ? -1 : 2;
	*sol = u->sol;
	if (!g->f[HG_UID] || !g->f[HG_SOURCE])
		return 3;
	/* here already: this store made it, or pulled it before */
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->uid[i], g->f[HG_UID]))
			return 0;
	struct suggestion sg = {
		.source = g->f[HG_SOURCE], .model = g->f[HG_MODEL], .origin = g->f[HG_ORIGIN],
		.step = hub_num(g->f[HG_STEP]) ? atoi(g->f[HG_STEP]) : -1,
		.value = hub_num(g->f[HG_VALUE]) ? strtod(g->f[HG_VALUE], NULL) : NO_VALUE,
		.first_error = hub_num(g->f[HG_FE]) ? atoi(g->f[HG_FE]) : -2,
		.k = hub_num(g->f[HG_K]) ? atoi(g->f[HG_K]) : 0,
		.n = hub_num(g->f[HG_N]) ? atoi(g->f[HG_N]) : 0,
		.rationale = g->f[HG_RATIONALE], .agent = g->f[HG_AGENT],
		.rollouts = g->f[HG_ROLLOUTS],
	};
	if (sg.step >= u->nsteps || sg.step < -1)
		return 3;
	/* made when the hub says */
	snprintf(db->now, sizeof(db->now), "%s", g->f[HG_AT] ? g->f[HG_AT] : "");
	if (dbi_sugs_insert(db, *sol, &sg, 1, 0) < 0)
		return -1;
	/* here now: the same uid again (the hub sends each once) is not added */
	struct hub_sug kept = {.f = {[HG_UID] = g->f[HG_UID]}};
	uid_keep(u, 0, &kept);
	return 1;
}

void db_hub_sug_uids_free(struct db_hub_sug_uids *u)
{
	free(u->uid);
	memset(u, 0, sizeof(*u));
}

int db_hub_sug_put(struct db *db, const struct hub_sug *g, int64_t *sol)
{
	struct db_hub_sug_uids u = {0};
	int rc = db_hub_sug_put_on(db, g, sol, &u);
	db_hub_sug_uids_free(&u);
	return rc;
}

int db_hub_candidates(struct db *db, unsigned need, int64_t dataset, int64_t sol, long limit,
		      int (*fn)(void *ctx, const char *dataset, const char *key, int64_t sol),
		      void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_CANDIDATES);
	sqlite3_bind_int64(s, 1, dataset);
	sqlite3_bind_int64(s, 2, sol);
	sqlite3_bind_int64(s, 3, limit > 0 ? limit : -1);
	sqlite3_bind_int(s, 4, (int)need);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(ctx, col_text(s, 0), col_text(s, 1), sqlite3_column_int64(s, 2));
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t db_hub_solution_id(struct db *db, const char *dataset, const char *key)
{
	int64_t sol, ds;
	int n;
	int rc = sol_find(db, dataset, key, &sol, &ds, &n);
	return rc == 1 ? sol : rc;
}

int db_hub_local_job(struct db *db, const char *kind, const char *params, int64_t sol,
		     struct db_hub_job *j)
{
	memset(j, 0, sizeof(*j));
	sqlite3_stmt *s = stmt(db, S_JOB_GET);
	bind_text(s, 1, kind);
	bind_text(s, 2, params);
	sqlite3_bind_int64(s, 3, sol);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		j->id = sqlite3_column_int64(s, 0);
		snprintf(j->state, sizeof(j->state), "%s", col_text(s, 1) ? col_text(s, 1) : "");
		snprintf(j->error, sizeof(j->error), "%s", col_text(s, 2) ? col_text(s, 2) : "");
		for (int c = 0; c < 4; c++)
			j->costs[c] = sqlite3_column_int64(s, 3 + c);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_hub_summary_here(struct db *db, int64_t sol)
{
	sqlite3_stmt *s = stmt(db, S_SUMMARY_HERE);
	sqlite3_bind_int64(s, 1, sol);
	return (int)dbi_one_int(s, -1);
}

int db_hub_summaries_later(struct db *db)
{
	return dbi_state_put(db, "summaries", NULL);
}
