/* refs.c - problems' references, their gold answers, and the links of solution steps to them */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

enum stmt_id {
	S_LINKED, S_NO_REF, S_PROB_SCAN, S_PROB_OF_KEY, S_PROB_REF, S_PROB_SET_REF,
	S_PROB_UNALIGN, S_ALIGN_DEL, S_ALIGN_ADD,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_LINKED] = "SELECT count(DISTINCT a.solution_id) FROM alignment a JOIN solution s ON s.id = a.solution_id "
		     "WHERE a.source = ?1 AND (?2 = 0 OR s.dataset_id = ?2)",
	[S_NO_REF] = "SELECT count(*) FROM solution s JOIN problem p ON p.id = s.problem_id "
		     "WHERE coalesce(p.reference, '') = '' AND (?1 = 0 OR s.dataset_id = ?1)",
	[S_PROB_SCAN] = "SELECT id, text FROM problem WHERE ?1 = 0 OR dataset_id = ?1",
	[S_PROB_OF_KEY] = "SELECT problem_id FROM solution WHERE dataset_id = ?1 AND ext_key = ?2",
	[S_PROB_REF] = "SELECT text, reference, reference_steps FROM problem WHERE id = ?1",
	[S_PROB_SET_REF] = "UPDATE problem SET reference = ?2, reference_steps = ?3 WHERE id = ?1",
	[S_PROB_UNALIGN] = "DELETE FROM alignment WHERE solution_id IN "
			   "(SELECT id FROM solution WHERE problem_id = ?1)",
	[S_ALIGN_DEL] = "DELETE FROM alignment WHERE solution_id = ?1 AND source = ?2",
	[S_ALIGN_ADD] = "INSERT INTO alignment(solution_id, step_idx, ref_step, score, source, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

static const struct stmt_table stmts = {ROOM_REFS, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

int db_alignment_put(struct db *db, int64_t sol, const char *source,
		     const struct db_align *links, size_t n)
{
	now_iso(db->now);
	sqlite3_stmt *s = stmt(db, S_ALIGN_DEL);
	sqlite3_bind_int64(s, 1, sol);
	bind_text(s, 2, source);
	int rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	for (size_t i = 0; i < n && rc == 0; i++) {
		s = stmt(db, S_ALIGN_ADD);
		sqlite3_bind_int64(s, 1, sol);
		sqlite3_bind_int(s, 2, links[i].step);
		sqlite3_bind_int(s, 3, links[i].ref);
		if (links[i].step >= 0 && links[i].ref >= 0 && !isnan(links[i].score))
			sqlite3_bind_double(s, 4, links[i].score);
		else
			sqlite3_bind_null(s, 4);
		bind_text(s, 5, source);
		bind_text(s, 6, db->now);
		rc = dbi_step_done(db, s);
		sqlite3_reset(s);
	}
	return rc;
}

long db_linked_solutions(struct db *db, const char *source, int64_t dataset, long *no_ref)
{
	sqlite3_stmt *s = stmt(db, S_LINKED);
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, dataset);
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	s = stmt(db, S_NO_REF);
	sqlite3_bind_int64(s, 1, dataset);
	*no_ref = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

int db_problems_each(struct db *db, int64_t dataset,
		     void (*fn)(void *ctx, int64_t id, const char *text), void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_PROB_SCAN);
	sqlite3_bind_int64(s, 1, dataset);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1) ? col_text(s, 1) : "");
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t db_problem_of_key(struct db *db, int64_t dataset, const char *ext_key)
{
	sqlite3_stmt *s = stmt(db, S_PROB_OF_KEY);
	sqlite3_bind_int64(s, 1, dataset);
	bind_text(s, 2, ext_key);
	int rc = sqlite3_step(s);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return id;
}

int db_problem_reference(struct db *db, int64_t problem, struct buf *text, struct buf *ref,
			 struct buf *spans)
{
	sqlite3_stmt *s = stmt(db, S_PROB_REF);
	sqlite3_bind_int64(s, 1, problem);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	buf_reset(text);
	buf_reset(ref);
	if (found) {
		buf_puts(text, col_text(s, 0) ? col_text(s, 0) : "");
		buf_puts(ref, col_text(s, 1) ? col_text(s, 1) : "");
		if (spans) {
			buf_reset(spans);
			buf_puts(spans, col_text(s, 2) ? col_text(s, 2) : "");
		}
	}
	sqlite3_reset(s);
	return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_problem_set_gold(struct db *db, int64_t problem, const char *gold, int replace)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "UPDATE problem SET gold_answer = ?2, gold_derived = 0 "
			       "WHERE id = ?1 AND (gold_answer IS NULL OR gold_derived OR ?3 OR "
			       "gold_answer = ?2)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, problem);
	bind_text(s, 2, gold);
	sqlite3_bind_int(s, 3, replace);
	int rc = sqlite3_step(s);
	int changed = sqlite3_changes(db->h);
	sqlite3_finalize(s);
	return rc != SQLITE_DONE ? -1 : changed ? 1 : 0;
}

int db_problem_set_reference(struct db *db, int64_t problem, const char *ref,
			     const char *spans)
{
	sqlite3_stmt *s = stmt(db, S_PROB_SET_REF);
	sqlite3_bind_int64(s, 1, problem);
	bind_text(s, 2, ref);
	bind_text(s, 3, spans && *spans ? spans : NULL);
	int rc = dbi_step_done(db, s);
	sqlite3_reset(s);
	/* links to another reference's steps would contradict this one */
	if (rc == 0) {
		s = stmt(db, S_PROB_UNALIGN);
		sqlite3_bind_int64(s, 1, problem);
		rc = dbi_step_done(db, s);
		sqlite3_reset(s);
	}
	return rc;
}
