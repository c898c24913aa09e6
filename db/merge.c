/* merge.c - another store opened read-only on a connection of its own, distrusted, and brought into this one row by row */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "dbi.h"
#include "schema.h"
#include "../src/name.h"

/*
 * The other store is read on its own connection: no function of ours
 * (regexp) exists there, its schema is not trusted, views and triggers
 * are off, it is immutable (nothing replays a log into it, nothing
 * writes it), and each step of a read has a deadline. One solution at a
 * time: its rows are read from there, checked, and written here by
 * index lookups, so time and memory grow with what is brought, never
 * with what either store holds (the set-based plan joined every label
 * brought with every label of its annotator here: 1.7 GB at 6 000
 * labels). Both tables are prepared when the merge opens and finalized
 * when it closes.
 */
enum o_id { /* on the other store */
	O_SCHEMA, O_COLUMNS, O_VERSION, O_SOLUTIONS_N, O_SOLUTIONS, O_STEPS, O_LABELS,
	O_SUGS, O_ALIGNS, O_GUIDELINES, O_COUNT
};

static const char *const o_sql[O_COUNT] = {
	/* what a store is made of; sqlite_stat1 (ANALYZE's) may differ */
	[O_SCHEMA] = "SELECT type, name, tbl_name, CASE type WHEN 'table' THEN NULL ELSE sql END "
		     "FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY 1, 2",
	[O_COLUMNS] = "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, "
		      "p.hidden FROM sqlite_master m, pragma_table_xinfo(m.name) p WHERE "
		      "m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
	[O_VERSION] = "PRAGMA user_version",
	[O_SOLUTIONS_N] = "SELECT count(*) FROM solution",
	[O_SOLUTIONS] = "SELECT s.id, d.name, s.ext_key FROM solution s JOIN dataset d "
			"ON d.id = s.dataset_id ORDER BY s.id",
	[O_STEPS] = "SELECT idx, text FROM step WHERE solution_id = ?1 ORDER BY idx",
	[O_LABELS] = "SELECT id, step_idx, kind, value, text, annotator, origin, created_at, "
		     "action_id IS NULL, agent, guidelines FROM label WHERE solution_id = ?1 "
		     "ORDER BY id",
	[O_GUIDELINES] = "SELECT hash, path, first_used FROM guidelines",
	/* with the job that wrote it, which this store gets too: MC's
	 * progress reads whether every prefix came of one job */
	[O_SUGS] = "SELECT g.id, g.step_idx, g.source, g.model, g.origin, g.value, g.first_error, "
		   "g.k, g.n, g.rationale, g.request_hash, g.created_at, g.job_id IS NULL, g.agent, "
		   "g.rollouts, j.kind, j.params, j.state, j.attempts, j.requests, j.cached, "
		   "j.tokens, j.tokens_in, j.tokens_out, j.created_at, j.updated_at, g.job_id "
		   "FROM suggestion g LEFT JOIN job j ON j.id = g.job_id "
		   "WHERE g.solution_id = ?1 ORDER BY g.id",
	[O_ALIGNS] = "SELECT step_idx, ref_step, score, source, created_at FROM alignment "
		     "WHERE solution_id = ?1",
};

enum m_id { /* on this store */
	M_MATCH, M_STEPS, M_LABEL_SEEN, M_LABEL_SEEN_IMPORT, M_LABEL_LATER, M_LABEL_ADD,
	M_SUG_SEEN, M_SUG_SEEN_IMPORT, M_SUG_ADD, M_JOB_ADD, M_JOB_FIND, M_JOB_TAKEN, M_ALIGN_ADD,
	M_GUIDELINES_PUT, M_PARAMS_ADD, M_COUNT
};

static const char *const m_sql[M_COUNT] = {
	[M_MATCH] = "SELECT s.id, s.dataset_id FROM dataset d JOIN solution s ON "
		    "s.dataset_id = d.id AND s.ext_key = ?2 WHERE d.name = ?1",
	[M_STEPS] = "SELECT idx, text FROM step WHERE solution_id = ?1 ORDER BY idx",
	/* the same label: the same time, or both an import's (no action,
	 * the data set's name as origin: the _IMPORT twin), the same data
	 * read at other times. A parameter SQLite can hold against a partial
	 * index's condition (kind = 'adjudication', action_id IS NOT NULL)
	 * makes it prepare the statement again whenever its value changes:
	 * at nearly every label, half the merge's time. Hence two
	 * statements, not a parameter saying which, and the kind as an
	 * expression (?3 || ''), not a bare parameter. */
	[M_LABEL_SEEN] = "SELECT 1 FROM label WHERE solution_id = ?1 AND step_idx IS ?2 AND "
			 "kind = ?3 || '' AND value IS ?4 AND text IS ?5 AND annotator = ?6 AND "
			 "origin = ?7 AND created_at = ?8 AND agent IS ?9 LIMIT 1",
	[M_LABEL_SEEN_IMPORT] = "SELECT 1 FROM label WHERE solution_id = ?1 AND step_idx IS ?2 AND "
				"kind = ?3 || '' AND value IS ?4 AND text IS ?5 AND annotator = ?6 "
				"AND origin = ?7 AND agent IS ?9 AND action_id IS NULL LIMIT 1",
	[M_LABEL_LATER] = "SELECT 1 FROM label WHERE solution_id = ?1 AND annotator = ?2 AND "
			  "created_at >= ?3 LIMIT 1",
	[M_LABEL_ADD] = "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, "
			"origin, created_at, agent, guidelines) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
			"?8, ?9, ?10)",
	/* a version of the guidelines: the earliest use of either store */
	[M_GUIDELINES_PUT] = "INSERT INTO guidelines(hash, path, first_used) VALUES (?1, ?2, ?3) "
			     "ON CONFLICT(hash) DO UPDATE SET first_used = "
			     "min(first_used, excluded.first_used), path = coalesce(path, excluded.path)",
	[M_SUG_SEEN] = "SELECT 1 FROM suggestion WHERE solution_id = ?1 AND step_idx IS ?2 AND "
		       "source = ?3 AND model IS ?4 AND value IS ?5 AND first_error IS ?6 AND "
		       "k IS ?7 AND n IS ?8 AND rationale IS ?9 AND created_at = ?10 AND "
		       "agent IS ?11 LIMIT 1",
	[M_SUG_SEEN_IMPORT] = "SELECT 1 FROM suggestion WHERE solution_id = ?1 AND step_idx IS ?2 "
			      "AND source = ?3 AND model IS ?4 AND value IS ?5 AND first_error IS ?6 "
			      "AND k IS ?7 AND n IS ?8 AND rationale IS ?9 AND origin = ?12 AND "
			      "agent IS ?11 AND job_id IS NULL LIMIT 1",
	[M_SUG_ADD] = "INSERT INTO suggestion(solution_id, step_idx, source, model, origin, "
		      "value, first_error, k, n, rationale, request_hash, created_at, agent, "
		      "rollouts, job_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		      "?13, ?14, ?15)",
	/* the other store's done job, as this store's job of the same key
	 * (its params by their id in job_params, issue 26's migration) */
	[M_PARAMS_ADD] = "INSERT OR IGNORE INTO job_params(params) VALUES (?1)",
	[M_JOB_ADD] = "INSERT INTO job(kind, solution_id, params, pid, state, attempts, requests, "
		      "cached, tokens, tokens_in, tokens_out, created_at, updated_at) VALUES (?1, ?2, "
		      "?3, (SELECT id FROM job_params WHERE params = ?3), 'done', ?4, ?5, ?6, ?7, ?8, "
		      "?9, ?10, ?11) ON CONFLICT(kind, pid, solution_id) DO NOTHING",
	[M_JOB_FIND] = "SELECT id, state = 'done' FROM job WHERE kind = ?1 AND "
		       "pid = (SELECT id FROM job_params WHERE params = ?2) AND solution_id = ?3",
	/* a job writes one suggestion per prefix */
	[M_JOB_TAKEN] = "SELECT 1 FROM suggestion WHERE job_id = ?1 AND "
			"coalesce(step_idx, -1) = coalesce(?2, -1)",
	[M_ALIGN_ADD] = "INSERT OR IGNORE INTO alignment(solution_id, step_idx, ref_step, "
			"score, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

/* What a row may hold: the bounds an import keeps (item.h's kinds and
 * ranges; a name, a time, a text of bounded size). */
#define MAX_NAME 256      /* annotator, origin, source, model */
#define MAX_TIME 64       /* created_at */
#define MAX_TEXT 65536    /* a label's text: a note, a reason */
#define MAX_RATIONALE (1 << 20)
#define MAX_HASH 128
#define MAX_ROLLOUTS 1000000
#define MAX_REF_STEP 100000
#define MAX_COUNT (1LL << 50) /* a job's attempts, requests, tokens */

/* a label read there, waiting for its solution's verdict */
struct mg_pending {
	sqlite3_value *v[9]; /* step_idx, kind, value, text, annotator, origin, created_at,
			      * agent, guidelines */
};

struct mg_count {
	char *name;
	long n;
};

struct db_merge {
	struct db *db;
	sqlite3 *o;
	sqlite3_stmt *os[O_COUNT], *ms[M_COUNT];
	long read_ms;
	double deadline; /* of the read under way */
	struct db_merge_counts c;
	struct mg_count *ann; /* labels brought per annotator */
	size_t nann, capann;
	struct mg_pending *pend;
	size_t npend, cappend;
	int64_t job_other, job_sol, job_here; /* the last job sug_job found */
	char err[400];
	char why[200];
	char what[80];
};

/* SQLite's progress handler on the other store: a read past its
 * deadline is interrupted */
static int too_long(void *ctx)
{
	struct db_merge *m = ctx;
	return mono_ms() > m->deadline;
}

/* the next row of a statement on the other store, within the deadline */
static int o_step(struct db_merge *m, sqlite3_stmt *s)
{
	m->deadline = mono_ms() + (double)m->read_ms;
	return sqlite3_step(s);
}

static sqlite3_stmt *o_stmt(struct db_merge *m, enum o_id id)
{
	sqlite3_reset(m->os[id]);
	sqlite3_clear_bindings(m->os[id]);
	return m->os[id];
}

static sqlite3_stmt *m_stmt(struct db_merge *m, enum m_id id)
{
	sqlite3_reset(m->ms[id]);
	sqlite3_clear_bindings(m->ms[id]);
	return m->ms[id];
}

/* a file beside path (suffix) holding writes: its size, else 0 */
static long long beside(const char *path, const char *suffix)
{
	struct buf b = {0};
	struct stat st;
	buf_printf(&b, "%s%s", path, suffix);
	long long n = stat(b.data, &st) == 0 ? (long long)st.st_size : 0;
	buf_free(&b);
	return n;
}

/* The rows of q (O_SCHEMA or O_COLUMNS) on h, one line each, into b;
 * 0, or -1 when they cannot be read. */
static int schema_text(struct db_merge *m, sqlite3 *h, enum o_id q, struct buf *b)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(h, o_sql[q], -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = o_step(m, s)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const char *t = (const char *)sqlite3_column_text(s, i);
			buf_printf(b, "%s%s", i ? "\t" : "", t ? t : "\\N");
		}
		buf_putc(b, '\n');
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* 1 when the other store is made of what a store of this schema is,
 * object for object (the tables by their columns: an older SQLite may
 * word the same table otherwise), 0 when not, -1 when unreadable */
static int schema_same(struct db_merge *m)
{
	sqlite3 *ref;
	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(ref);
		return -1;
	}
	/* the migrations' words() reads no text here: there is none */
	int rc = sqlite3_create_function(ref, "words", 1, SQLITE_UTF8, NULL, dbi_sql_words,
					 NULL, NULL) == SQLITE_OK ? 0 : -1;
	for (int i = 0; rc == 0 && i < schema_count(); i++)
		rc = sqlite3_exec(ref, schema_migration(i), NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	struct buf want = {0}, got = {0};
	if (rc == 0 && (schema_text(m, ref, O_SCHEMA, &want) < 0 ||
			schema_text(m, ref, O_COLUMNS, &want) < 0))
		rc = -1;
	sqlite3_close(ref);
	if (rc == 0 && (schema_text(m, m->o, O_SCHEMA, &got) < 0 ||
			schema_text(m, m->o, O_COLUMNS, &got) < 0))
		rc = -1;
	if (rc == 0)
		rc = strcmp(want.data ? want.data : "", got.data ? got.data : "") == 0;
	buf_free(&want);
	buf_free(&got);
	return rc;
}

static void merge_free(struct db_merge *m)
{
	for (int i = 0; i < O_COUNT; i++)
		sqlite3_finalize(m->os[i]);
	for (int i = 0; i < M_COUNT; i++)
		sqlite3_finalize(m->ms[i]);
	sqlite3_close(m->o);
	for (size_t i = 0; i < m->nann; i++)
		free(m->ann[i].name);
	free(m->ann);
	free(m->pend);
	free(m);
}

/* opens path on m->o, locked down; 0, or -1 with m->err */
static int open_other(struct db_merge *m, const char *path)
{
	struct buf uri = {0};
	dbi_file_uri(&uri, path, "mode=ro&immutable=1"); /* read-only, immutable */
	int rc = sqlite3_open_v2(uri.data, &m->o, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	buf_free(&uri);
	if (rc != SQLITE_OK) {
		snprintf(m->err, sizeof(m->err), "%s: cannot open: %s", path,
			 m->o ? sqlite3_errmsg(m->o) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_extended_result_codes(m->o, 1);
	sqlite3_db_config(m->o, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(m->o, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(m->o, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(m->o, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_progress_handler(m->o, 1000, too_long, m);
	if (sqlite3_exec(m->o, "PRAGMA query_only = 1; PRAGMA cell_size_check = 1", NULL, NULL,
			 NULL) != SQLITE_OK) {
		snprintf(m->err, sizeof(m->err), "%s: cannot open: %s", path, sqlite3_errmsg(m->o));
		return -1;
	}
	return 0;
}

enum db_merge_open_rc db_merge_open(struct db *db, const char *path, long read_ms,
				    struct db_merge **out, long *version, char *err,
				    size_t errlen)
{
	*out = NULL;
	*version = -1;
	struct db_merge *m = xcalloc(1, sizeof(*m));
	m->db = db;
	m->read_ms = read_ms;
	enum db_merge_open_rc rc = DBM_BAD;
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(m->err, sizeof(m->err), "%s: not a store: not a regular file", path);
		goto out;
	}
	if (beside(path, "-wal") > 0 || beside(path, "-journal") > 0) {
		snprintf(m->err, sizeof(m->err), "%s: a log of writes not yet in it lies beside it "
			 "(%s-%s): a stepmark still using it, one that crashed, or a file left "
			 "from another store. Close what uses it; if the log is this store's, "
			 "open it once in the workbench (stepmark --db %s, then q) to fold it in, "
			 "else remove the log", path, path, beside(path, "-wal") > 0 ? "wal" :
			 "journal", path);
		goto out;
	}
	if (open_other(m, path) < 0)
		goto out;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(m->o, o_sql[O_VERSION], -1, &s, NULL) != SQLITE_OK) {
		snprintf(m->err, sizeof(m->err), "%s: not a stepmark store: %s", path,
			 sqlite3_errmsg(m->o));
		goto out;
	}
	if (o_step(m, s) == SQLITE_ROW)
		*version = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (*version <= 0) {
		snprintf(m->err, sizeof(m->err), "%s: not a stepmark store%s%s", path,
			 *version < 0 ? ": " : "", *version < 0 ? sqlite3_errmsg(m->o) : "");
		goto out;
	}
	if (*version != schema_count()) {
		rc = DBM_VERSION;
		goto out;
	}
	int same = schema_same(m);
	if (same <= 0) {
		snprintf(m->err, sizeof(m->err), "%s: %s", path, same < 0 ?
			 "cannot read its schema" : "its schema is not a stepmark store's (a view, a "
			 "trigger, a table or an index that is not this stepmark's): not read");
		goto out;
	}
	for (int i = 0; i < O_COUNT; i++)
		if (sqlite3_prepare_v3(m->o, o_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &m->os[i],
				       NULL) != SQLITE_OK) {
			snprintf(m->err, sizeof(m->err), "%s: cannot read: %s", path,
				 sqlite3_errmsg(m->o));
			goto out;
		}
	for (int i = 0; i < M_COUNT; i++)
		if (sqlite3_prepare_v3(db->h, m_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &m->ms[i],
				       NULL) != SQLITE_OK) {
			errf("stepmark: internal SQL error: %s\n", sqlite3_errmsg(db->h));
			abort();
		}
	*out = m;
	return DBM_OK;
out:
	snprintf(err, errlen, "%s", m->err);
	merge_free(m);
	return rc;
}

const char *db_merge_errmsg(const struct db_merge *m)
{
	return m->err;
}

/* --- the checks ------------------------------------------------------ */

/* why column i of s is not text of 1..max bytes (NULL allowed when
 * nullable), into m->why; NULL when it is */
static const char *bad_text(struct db_merge *m, sqlite3_stmt *s, int i, const char *name,
			    int nullable, long max)
{
	int t = sqlite3_column_type(s, i);
	if (t == SQLITE_NULL && nullable)
		return NULL;
	if (t != SQLITE_TEXT) {
		snprintf(m->why, sizeof(m->why), "its %s is %s, not text", name,
			 t == SQLITE_NULL ? "missing" : t == SQLITE_BLOB ? "a blob" : "a number");
		return m->why;
	}
	long n = sqlite3_column_bytes(s, i);
	if (n == 0 && !nullable) {
		snprintf(m->why, sizeof(m->why), "its %s is empty", name);
		return m->why;
	}
	if (n > max) {
		snprintf(m->why, sizeof(m->why), "its %s is %ld bytes (at most %ld)", name, n, max);
		return m->why;
	}
	return NULL;
}

/* why column i of s is not an integer in [lo, hi] (or NULL when
 * nullable); NULL when it is */
static const char *bad_int(struct db_merge *m, sqlite3_stmt *s, int i, const char *name,
			   int nullable, long long lo, long long hi)
{
	int t = sqlite3_column_type(s, i);
	if (t == SQLITE_NULL) {
		if (nullable)
			return NULL;
		snprintf(m->why, sizeof(m->why), "it has no %s", name);
		return m->why;
	}
	if (t != SQLITE_INTEGER) {
		snprintf(m->why, sizeof(m->why), "its %s is %s, not an integer", name,
			 t == SQLITE_FLOAT ? "a real number" : t == SQLITE_TEXT ? "text" : "a blob");
		return m->why;
	}
	long long v = sqlite3_column_int64(s, i);
	if (v < lo || v > hi) {
		snprintf(m->why, sizeof(m->why), "its %s %lld is outside %lld..%lld", name, v, lo, hi);
		return m->why;
	}
	return NULL;
}

/* why column i of s is not a finite number in [lo, hi] or NULL */
static const char *bad_real(struct db_merge *m, sqlite3_stmt *s, int i, const char *name,
			    double lo, double hi)
{
	int t = sqlite3_column_type(s, i);
	if (t == SQLITE_NULL)
		return NULL;
	if (t != SQLITE_INTEGER && t != SQLITE_FLOAT) {
		snprintf(m->why, sizeof(m->why), "its %s is %s, not a number", name,
			 t == SQLITE_TEXT ? "text" : "a blob");
		return m->why;
	}
	double v = sqlite3_column_double(s, i);
	if (!isfinite(v) || v < lo || v > hi) {
		snprintf(m->why, sizeof(m->why), "its %s %g is outside %g..%g", name, v, lo, hi);
		return m->why;
	}
	return NULL;
}

/* why O_LABELS's row s cannot be a label of a solution of nsteps steps */
static const char *label_bad(struct db_merge *m, sqlite3_stmt *s, int nsteps)
{
	const char *k = (const char *)sqlite3_column_text(s, 2), *why;
	int kind = -1;
	for (int i = 0; k && i <= LK_CATEGORY; i++)
		if (strcmp(k, dbi_kind_names[i]) == 0)
			kind = i;
	if (kind < 0 || sqlite3_column_type(s, 2) != SQLITE_TEXT)
		return "its kind is not a label's";
	int stepped = kind == LK_RATING || kind == LK_ALT_RATING || kind == LK_FLAG ||
		      kind == LK_CORRECTION ||
		      kind == LK_CATEGORY;
	if ((why = bad_int(m, s, 1, "step", !stepped, 0, (long long)nsteps - 1)))
		return why;
	long long vlo = -1, vhi = 1;
	if (kind == LK_FLAG || kind == LK_CATEGORY) /* a category: recovered 1, 0 */
		vlo = 0;
	else if (kind == LK_FIRST_ERROR || kind == LK_ADJUDICATION)
		vhi = (long long)nsteps - 1;
	if (dbi_valued(kind) && (why = bad_int(m, s, 3, "value", 1, vlo, vhi)))
		return why;
	if (!dbi_valued(kind) && sqlite3_column_type(s, 3) != SQLITE_NULL)
		return "it has a value its kind has not";
	if ((why = bad_text(m, s, 4, "text", kind != LK_RATINGS && kind != LK_ALT_RATING,
			    MAX_TEXT)))
		return why;
	const char *t = (const char *)sqlite3_column_text(s, 4);
	if (kind == LK_RATINGS && (sqlite3_column_bytes(s, 4) != nsteps ||
				   strspn(t, "+0-.") != (size_t)nsteps)) {
		snprintf(m->why, sizeof(m->why), "its ratings are not one of + 0 - . for each of "
			 "the %d steps", nsteps);
		return m->why;
	}
	if (kind == LK_ALT_RATING && (strspn(t, "0123456789") != strlen(t) || strlen(t) > 6))
		return "its alternative is not an index";
	if (kind == LK_CATEGORY && t && (strlen(t) > 32 || strspn(t, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(t)))
		return "its category is not a taxonomy's key";
	if ((why = bad_text(m, s, 5, "annotator", 0, MAX_NAME)) ||
	    (why = bad_text(m, s, 6, "origin", 0, MAX_NAME)) ||
	    (why = bad_text(m, s, 7, "time", 0, MAX_TIME)) ||
	    (why = bad_text(m, s, 9, "agent", 1, MAX_NAME)) ||
	    (why = bad_text(m, s, 10, "guidelines version", 1, MAX_HASH)))
		return why;
	/* the annotator as import would take it: "eve\0il" is not "eve" */
	if (name_check((const char *)sqlite3_column_text(s, 5), (size_t)sqlite3_column_bytes(s, 5),
		       "its annotator", m->why, sizeof(m->why)) < 0)
		return m->why;
	return NULL;
}

/* why O_SUGS's row s cannot be a suggestion on a solution of nsteps steps */
static const char *sug_bad(struct db_merge *m, sqlite3_stmt *s, int nsteps)
{
	const char *why;
	if ((why = bad_int(m, s, 1, "step", 1, 0, (long long)nsteps - 1)) ||
	    (why = bad_text(m, s, 2, "source", 0, MAX_NAME)) ||
	    (why = bad_text(m, s, 3, "model", 1, MAX_NAME)) ||
	    (why = bad_text(m, s, 4, "origin", 1, MAX_NAME)) ||
	    (why = bad_real(m, s, 5, "value", -1, 1)) ||
	    (why = bad_int(m, s, 6, "first error", 1, -1, (long long)nsteps - 1)) ||
	    (why = bad_int(m, s, 7, "k", 1, 0, MAX_ROLLOUTS)) ||
	    (why = bad_int(m, s, 8, "n", 1, 0, MAX_ROLLOUTS)) ||
	    (why = bad_text(m, s, 9, "rationale", 1, MAX_RATIONALE)) ||
	    (why = bad_text(m, s, 10, "request hash", 1, MAX_HASH)) ||
	    (why = bad_text(m, s, 11, "time", 0, MAX_TIME)) ||
	    (why = bad_text(m, s, 13, "agent", 1, MAX_NAME)) ||
	    (why = bad_text(m, s, 14, "rollouts", 1, MAX_RATIONALE)))
		return why;
	if ((sqlite3_column_type(s, 7) == SQLITE_NULL) != (sqlite3_column_type(s, 8) == SQLITE_NULL) ||
	    sqlite3_column_int64(s, 7) > sqlite3_column_int64(s, 8))
		return "its k of n rollouts are not 0 <= k <= n";
	return NULL;
}

/* why the job of O_SUGS's row s (columns 15 to 25) cannot be a done
 * job of this store */
static const char *job_bad(struct db_merge *m, sqlite3_stmt *s)
{
	const char *why;
	if ((why = bad_text(m, s, 15, "job's kind", 0, MAX_NAME)) ||
	    (why = bad_text(m, s, 16, "job's params", 0, MAX_TEXT)) ||
	    (why = bad_text(m, s, 24, "job's time", 0, MAX_TIME)) ||
	    (why = bad_text(m, s, 25, "job's time", 0, MAX_TIME)))
		return why;
	for (int i = 18; i <= 23; i++)
		if ((why = bad_int(m, s, i, "job's count", 0, 0, MAX_COUNT)))
			return why;
	return NULL;
}

/* why O_ALIGNS's row s cannot link a step of a solution of nsteps steps */
static const char *align_bad(struct db_merge *m, sqlite3_stmt *s, int nsteps)
{
	const char *why;
	if ((why = bad_int(m, s, 0, "step", 0, 0, (long long)nsteps - 1)) ||
	    (why = bad_int(m, s, 1, "reference step", 0, 0, MAX_REF_STEP)) ||
	    (why = bad_real(m, s, 2, "score", -1e6, 1e6)) ||
	    (why = bad_text(m, s, 3, "source", 0, MAX_NAME)) ||
	    (why = bad_text(m, s, 4, "time", 0, MAX_TIME)))
		return why;
	return NULL;
}

/* --- one solution ---------------------------------------------------- */

/* this store's solution for the other's row s of O_SOLUTIONS: 1 found
 * (*sid, *ds), 0 not here, -1 store error */
static int match(struct db_merge *m, sqlite3_stmt *o, int64_t *sid, int64_t *ds)
{
	sqlite3_stmt *s = m_stmt(m, M_MATCH);
	sqlite3_bind_value(s, 1, sqlite3_column_value(o, 1));
	sqlite3_bind_value(s, 2, sqlite3_column_value(o, 2));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*sid = sqlite3_column_int64(s, 0);
		*ds = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* 1 when both stores' solutions have the same steps (*nsteps: how many),
 * 0 when not, -1 store error, -2 the other unreadable */
static int same_steps(struct db_merge *m, int64_t oid, int64_t sid, int *nsteps)
{
	sqlite3_stmt *a = o_stmt(m, O_STEPS), *b = m_stmt(m, M_STEPS);
	sqlite3_bind_int64(a, 1, oid);
	sqlite3_bind_int64(b, 1, sid);
	int ra, rb, same = 1;
	*nsteps = 0;
	for (;;) {
		ra = o_step(m, a);
		rb = sqlite3_step(b);
		if (ra != SQLITE_ROW || rb != SQLITE_ROW)
			break;
		(*nsteps)++;
		int n = sqlite3_column_bytes(b, 1);
		if (sqlite3_column_type(a, 0) != SQLITE_INTEGER ||
		    sqlite3_column_int64(a, 0) != sqlite3_column_int64(b, 0) ||
		    sqlite3_column_type(a, 1) != SQLITE_TEXT || sqlite3_column_bytes(a, 1) != n ||
		    memcmp(sqlite3_column_blob(a, 1), sqlite3_column_blob(b, 1), (size_t)n) != 0) {
			same = 0;
			break;
		}
	}
	if (same && (ra == SQLITE_ROW || rb == SQLITE_ROW))
		same = 0; /* one has more */
	else if (same && (ra != SQLITE_DONE || rb != SQLITE_DONE))
		same = ra != SQLITE_DONE && ra != SQLITE_ROW ? -2 : -1;
	sqlite3_reset(a);
	sqlite3_reset(b);
	return same;
}

static void pending_drop(struct db_merge *m)
{
	for (size_t i = 0; i < m->npend; i++)
		for (int k = 0; k < 9; k++)
			sqlite3_value_free(m->pend[i].v[k]);
	m->npend = 0;
}

static void bad_row(struct db_merge *m, const struct db_merge_hooks *h, const char *why)
{
	m->c.bad++;
	if (h->bad)
		h->bad(h->ctx, m->what, why);
}

/* The other store's labels on oid that this store lacks on sid, checked,
 * into m->pend: 0, -1 store error, -2 the other unreadable */
static int read_labels(struct db_merge *m, const struct db_merge_hooks *h, int64_t oid,
		       int64_t sid, int nsteps, const char *dsname)
{
	sqlite3_stmt *o = o_stmt(m, O_LABELS);
	sqlite3_bind_int64(o, 1, oid);
	int rc;
	while ((rc = o_step(m, o)) == SQLITE_ROW) {
		const char *why = label_bad(m, o, nsteps);
		if (why) {
			snprintf(m->what, sizeof(m->what), "label %lld", (long long)sqlite3_column_int64(o, 0));
			bad_row(m, h, why);
			continue;
		}
		const char *origin = (const char *)sqlite3_column_text(o, 6);
		int imported = sqlite3_column_int(o, 8) && strcmp(origin, dsname) == 0;
		sqlite3_stmt *s = m_stmt(m, imported ? M_LABEL_SEEN_IMPORT : M_LABEL_SEEN);
		sqlite3_bind_int64(s, 1, sid);
		for (int k = 1; k <= 7; k++)
			sqlite3_bind_value(s, k + 1, sqlite3_column_value(o, k));
		sqlite3_bind_value(s, 9, sqlite3_column_value(o, 9));
		int seen = sqlite3_step(s);
		sqlite3_reset(s);
		if (seen == SQLITE_ROW)
			continue;
		if (seen != SQLITE_DONE)
			return -1;
		m->pend = dbi_grow(m->pend, m->npend, &m->cappend, sizeof(*m->pend));
		struct mg_pending *p = &m->pend[m->npend++];
		for (int k = 0; k < 7; k++)
			p->v[k] = sqlite3_value_dup(sqlite3_column_value(o, k + 1));
		p->v[7] = sqlite3_value_dup(sqlite3_column_value(o, 9));
		p->v[8] = sqlite3_value_dup(sqlite3_column_value(o, 10));
	}
	sqlite3_reset(o);
	return rc == SQLITE_DONE ? 0 : -2;
}

/* The annotator of pending labels whose labels here are not all older
 * than theirs (appending would reorder that annotator's actions), or
 * NULL; -1 in *err on a store error */
static const char *interleaved(struct db_merge *m, int64_t sid, int *err)
{
	*err = 0;
	for (size_t i = 0; i < m->npend; i++) {
		const char *a = (const char *)sqlite3_value_text(m->pend[i].v[4]);
		const char *first = (const char *)sqlite3_value_text(m->pend[i].v[6]);
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(a, (const char *)sqlite3_value_text(m->pend[j].v[4])) == 0;
		if (dup)
			continue;
		for (size_t j = i + 1; j < m->npend; j++) {
			const char *t = (const char *)sqlite3_value_text(m->pend[j].v[6]);
			if (strcmp(a, (const char *)sqlite3_value_text(m->pend[j].v[4])) == 0 &&
			    strcmp(t, first) < 0)
				first = t;
		}
		sqlite3_stmt *s = m_stmt(m, M_LABEL_LATER);
		sqlite3_bind_int64(s, 1, sid);
		sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, first, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_ROW)
			return a;
		if (rc != SQLITE_DONE) {
			*err = -1;
			return NULL;
		}
	}
	return NULL;
}

/* the count of annotator a's labels brought, found or added */
static long *ann_count(struct db_merge *m, const char *a, int *added)
{
	*added = 0;
	for (size_t i = m->nann; i-- > 0;)
		if (strcmp(m->ann[i].name, a) == 0)
			return &m->ann[i].n;
	m->ann = dbi_grow(m->ann, m->nann, &m->capann, sizeof(*m->ann));
	m->ann[m->nann] = (struct mg_count){xstrdup(a), 0};
	*added = 1;
	return &m->ann[m->nann++].n;
}

/* m->pend written to sid, with the tallies and the annotator table */
static int write_labels(struct db_merge *m, int64_t sid, int64_t ds)
{
	for (size_t i = 0; i < m->npend; i++) {
		sqlite3_stmt *s = m_stmt(m, M_LABEL_ADD);
		sqlite3_bind_int64(s, 1, sid);
		for (int k = 0; k < 9; k++)
			sqlite3_bind_value(s, k + 2, m->pend[i].v[k]);
		if (dbi_step_done(m->db, s) < 0)
			return -1;
		sqlite3_reset(s);
		if (sqlite3_value_type(m->pend[i].v[8]) != SQLITE_NULL) {
			/* its version in the table, if the other store's lacked it */
			s = m_stmt(m, M_GUIDELINES_PUT);
			sqlite3_bind_value(s, 1, m->pend[i].v[8]);
			sqlite3_bind_value(s, 3, m->pend[i].v[6]);
			if (dbi_step_done(m->db, s) < 0)
				return -1;
			sqlite3_reset(s);
		}
		const char *a = (const char *)sqlite3_value_text(m->pend[i].v[4]);
		int added;
		(*ann_count(m, a, &added))++;
		m->c.labels++;
		dbi_tally_count(m->db, 0, ds, a);
		if (added && db_annotator_ensure(m->db, a, sqlite3_last_insert_rowid(m->db->h)) < 0)
			return -1;
	}
	return 0;
}

/* The job on sid of O_SUGS's row o, which wrote it on the other store:
 * this store's done job of the same kind and params (made when it has
 * none), into *job (0: none, the row comes alone: the other's job is not
 * done or not sound, or this store's is not done: running it writes its
 * own). 0, 1 this job has the row's prefix already, -1 store error. */
static int sug_job(struct db_merge *m, sqlite3_stmt *o, int64_t sid, int64_t *job)
{
	*job = 0;
	const char *state = (const char *)sqlite3_column_text(o, 17);
	if (sqlite3_column_type(o, 26) == SQLITE_NULL || !state || strcmp(state, "done") ||
	    job_bad(m, o))
		return 0;
	if (m->job_other == sqlite3_column_int64(o, 26) && m->job_sol == sid) {
		*job = m->job_here; /* its prefixes come one after another */
	} else {
		sqlite3_stmt *s = m_stmt(m, M_PARAMS_ADD);
		sqlite3_bind_value(s, 1, sqlite3_column_value(o, 16));
		if (dbi_step_done(m->db, s) < 0)
			return -1;
		s = m_stmt(m, M_JOB_ADD);
		sqlite3_bind_value(s, 1, sqlite3_column_value(o, 15));
		sqlite3_bind_int64(s, 2, sid);
		sqlite3_bind_value(s, 3, sqlite3_column_value(o, 16));
		for (int k = 4; k <= 11; k++)
			sqlite3_bind_value(s, k, sqlite3_column_value(o, k + 14));
		if (dbi_step_done(m->db, s) < 0)
			return -1;
		s = m_stmt(m, M_JOB_FIND);
		sqlite3_bind_value(s, 1, sqlite3_column_value(o, 15));
		sqlite3_bind_value(s, 2, sqlite3_column_value(o, 16));
		sqlite3_bind_int64(s, 3, sid);
		int rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			return -1;
		*job = sqlite3_column_int(s, 1) ? sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
		m->job_other = sqlite3_column_int64(o, 26);
		m->job_sol = sid;
		m->job_here = *job;
	}
	if (!*job)
		return 0;
	sqlite3_stmt *s = m_stmt(m, M_JOB_TAKEN);
	sqlite3_bind_int64(s, 1, *job);
	sqlite3_bind_value(s, 2, sqlite3_column_value(o, 1));
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The other store's suggestions on oid this store lacks, checked and
 * written to sid with their rollouts and (sug_job) their job: how many,
 * -1 store error, -2 the other unreadable */
static long bring_sugs(struct db_merge *m, const struct db_merge_hooks *h, int64_t oid,
		       int64_t sid, int64_t ds, int nsteps, const char *dsname)
{
	sqlite3_stmt *o = o_stmt(m, O_SUGS);
	sqlite3_bind_int64(o, 1, oid);
	long n = 0;
	int rc;
	while ((rc = o_step(m, o)) == SQLITE_ROW) {
		const char *why = sug_bad(m, o, nsteps);
		if (why) {
			snprintf(m->what, sizeof(m->what), "suggestion %lld",
				 (long long)sqlite3_column_int64(o, 0));
			bad_row(m, h, why);
			continue;
		}
		const char *origin = (const char *)sqlite3_column_text(o, 4);
		int imported = sqlite3_column_int(o, 12) && origin && !strcmp(origin, dsname);
		sqlite3_stmt *s = m_stmt(m, imported ? M_SUG_SEEN_IMPORT : M_SUG_SEEN);
		sqlite3_bind_int64(s, 1, sid);
		static const int cols[] = {1, 2, 3, 5, 6, 7, 8, 9, 11, 13, 4};
		for (int k = 0; k < 11; k++)
			sqlite3_bind_value(s, k + 2, sqlite3_column_value(o, cols[k]));
		int seen = sqlite3_step(s);
		sqlite3_reset(s);
		if (seen == SQLITE_ROW)
			continue;
		if (seen != SQLITE_DONE)
			return -1;
		int64_t job;
		int taken = sug_job(m, o, sid, &job);
		if (taken < 0)
			return -1;
		if (taken) /* another run of the same job: this store's stands */
			continue;
		s = m_stmt(m, M_SUG_ADD);
		sqlite3_bind_int64(s, 1, sid);
		for (int k = 1; k <= 11; k++)
			sqlite3_bind_value(s, k + 1, sqlite3_column_value(o, k));
		sqlite3_bind_value(s, 13, sqlite3_column_value(o, 13));
		sqlite3_bind_value(s, 14, sqlite3_column_value(o, 14));
		if (job)
			sqlite3_bind_int64(s, 15, job);
		if (dbi_step_done(m->db, s) < 0)
			return -1;
		sqlite3_reset(s);
		const char *src = (const char *)sqlite3_column_text(o, 2);
		const char *model = (const char *)sqlite3_column_text(o, 3);
		struct buf name = {0};
		buf_printf(&name, "%s%s%s", src, model ? "/" : "", model ? model : "");
		dbi_tally_count(m->db, 1, ds, name.data);
		buf_free(&name);
		n++;
	}
	sqlite3_reset(o);
	return rc == SQLITE_DONE ? n : -2;
}

/* The other store's alignment links on oid, checked, to sid: 0, -1
 * store error, -2 the other unreadable */
static int bring_aligns(struct db_merge *m, const struct db_merge_hooks *h, int64_t oid,
			int64_t sid, int nsteps)
{
	sqlite3_stmt *o = o_stmt(m, O_ALIGNS);
	sqlite3_bind_int64(o, 1, oid);
	int rc;
	while ((rc = o_step(m, o)) == SQLITE_ROW) {
		const char *why = align_bad(m, o, nsteps);
		if (why) {
			snprintf(m->what, sizeof(m->what), "alignment of solution %lld",
				 (long long)oid);
			bad_row(m, h, why);
			continue;
		}
		sqlite3_stmt *s = m_stmt(m, M_ALIGN_ADD);
		sqlite3_bind_int64(s, 1, sid);
		for (int k = 0; k < 5; k++)
			sqlite3_bind_value(s, k + 2, sqlite3_column_value(o, k));
		if (dbi_step_done(m->db, s) < 0)
			return -1;
		m->c.alignments += sqlite3_changes(m->db->h);
		sqlite3_reset(s);
	}
	sqlite3_reset(o);
	return rc == SQLITE_DONE ? 0 : -2;
}

static void conflict(struct db_merge *m, const struct db_merge_hooks *h, sqlite3_stmt *o,
		     const char *why)
{
	m->c.conflicts++;
	if (h->conflict)
		h->conflict(h->ctx, (const char *)sqlite3_column_text(o, 1),
			    (const char *)sqlite3_column_text(o, 2), why);
}

/* O_SOLUTIONS's row o brought in: 0, -1 store error, -2 the other
 * unreadable */
static int one_solution(struct db_merge *m, const struct db_merge_hooks *h, sqlite3_stmt *o)
{
	int64_t oid = sqlite3_column_int64(o, 0), sid, ds;
	int rc = match(m, o, &sid, &ds), nsteps;
	if (rc <= 0) {
		m->c.missing += rc == 0;
		return rc;
	}
	m->c.matched++;
	if ((rc = same_steps(m, oid, sid, &nsteps)) <= 0) {
		if (rc == 0)
			conflict(m, h, o, "other steps");
		return rc;
	}
	const char *d = (const char *)sqlite3_column_text(o, 1);
	char *dsname = xstrdup(d ? d : "");
	rc = read_labels(m, h, oid, sid, nsteps, dsname);
	const char *who = NULL;
	if (rc == 0)
		who = interleaved(m, sid, &rc);
	if (rc == 0 && who) {
		struct buf why = {0};
		buf_printf(&why, "labelled by %s in both stores, at interleaved times", who);
		conflict(m, h, o, why.data);
		buf_free(&why);
		pending_drop(m);
		free(dsname);
		return 0;
	}
	long sugs = 0;
	int labelled = m->npend > 0;
	if (rc == 0)
		rc = write_labels(m, sid, ds);
	pending_drop(m);
	if (rc == 0 && (sugs = bring_sugs(m, h, oid, sid, ds, nsteps, dsname)) < 0)
		rc = (int)sugs;
	if (rc == 0)
		rc = bring_aligns(m, h, oid, sid, nsteps);
	free(dsname);
	if (rc == 0 && sugs > 0)
		m->c.suggestions += sugs;
	if (rc == 0 && (labelled || sugs > 0) && h->touched && h->touched(h->ctx, sid))
		rc = -1;
	return rc;
}

/* The other store's versions of the guidelines, checked: 0, -1 store
 * error, -2 the other unreadable */
static int bring_guidelines(struct db_merge *m, const struct db_merge_hooks *h)
{
	sqlite3_stmt *o = o_stmt(m, O_GUIDELINES);
	int rc;
	while ((rc = o_step(m, o)) == SQLITE_ROW) {
		const char *why;
		if ((why = bad_text(m, o, 0, "hash", 0, MAX_HASH)) ||
		    (why = bad_text(m, o, 1, "path", 1, MAX_TEXT)) ||
		    (why = bad_text(m, o, 2, "time", 0, MAX_TIME))) {
			snprintf(m->what, sizeof(m->what), "a version of the guidelines");
			bad_row(m, h, why);
			continue;
		}
		sqlite3_stmt *s = m_stmt(m, M_GUIDELINES_PUT);
		for (int k = 0; k < 3; k++)
			sqlite3_bind_value(s, k + 1, sqlite3_column_value(o, k));
		if (dbi_step_done(m->db, s) < 0)
			return -1;
		sqlite3_reset(s);
	}
	sqlite3_reset(o);
	return rc == SQLITE_DONE ? 0 : -2;
}

int db_merge_run(struct db_merge *m, const struct db_merge_hooks *h)
{
	int rc = bring_guidelines(m, h);
	if (rc == -1)
		return -1;
	if (rc == -2) {
		rc = sqlite3_errcode(m->o);
		goto unreadable;
	}
	sqlite3_stmt *o = o_stmt(m, O_SOLUTIONS_N);
	rc = o_step(m, o);
	m->c.other = rc == SQLITE_ROW ? (long)sqlite3_column_int64(o, 0) : 0;
	sqlite3_reset(o);
	if (rc != SQLITE_ROW)
		goto unreadable;
	o = o_stmt(m, O_SOLUTIONS);
	int64_t done = 0;
	while ((rc = o_step(m, o)) == SQLITE_ROW) {
		int r = one_solution(m, h, o);
		if (r == -2) {
			sqlite3_reset(o);
			return -2;
		}
		if (r < 0 || dbi_progress(m->db, ++done, m->c.other)) {
			sqlite3_reset(o);
			return -1;
		}
	}
	sqlite3_reset(o);
	if (rc == SQLITE_DONE)
		return 0;
unreadable:
	snprintf(m->err, sizeof(m->err), "cannot read it: %s",
		 (rc & 0xff) == SQLITE_INTERRUPT ? "a read took longer than allowed" :
		 sqlite3_errmsg(m->o));
	return -2;
}

void db_merge_count(const struct db_merge *m, struct db_merge_counts *c)
{
	*c = m->c;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct mg_count *)a)->name, ((const struct mg_count *)b)->name);
}

long db_merge_labels(struct db_merge *m,
		     void (*fn)(void *ctx, const char *annotator, long n), void *ctx)
{
	if (m->nann)
		qsort(m->ann, m->nann, sizeof(*m->ann), by_name);
	for (size_t i = 0; i < m->nann; i++)
		fn(ctx, m->ann[i].name, m->ann[i].n);
	return (long)m->nann;
}

void db_merge_close(struct db_merge *m)
{
	if (m)
		merge_free(m);
}
