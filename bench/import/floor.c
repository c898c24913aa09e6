/* floor.c - bench/import's insert floor: a minimal C program inserting
 * the very rows stepmark stored into the same schema, as an importer
 * must - one prepared INSERT per table, every value bound, one step per
 * row, one transaction - with the pragmas stepmark's new-store import
 * uses. Nothing else: no parsing, no checks, no summaries.
 *   floor [--by-record] SRC.db DST.db   (DST must not exist); prints the rows
 * By default each table is copied whole, one after the other: an order
 * an importer reading a file record by record cannot have. --by-record
 * inserts the rows in the order such an importer meets them: per solution
 * (in id order) its problem when first seen, the solution, its steps,
 * labels, suggestions and summary; the small tables whole before. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, sqlite3_errmsg(db));
	return 1;
}

/* Binds the current row of sel to ins, by column, as the store holds it. */
static void bind_row(sqlite3_stmt *ins, sqlite3_stmt *sel, int n)
{
	for (int i = 0; i < n; i++) {
		switch (sqlite3_column_type(sel, i)) {
		case SQLITE_INTEGER:
			sqlite3_bind_int64(ins, i + 1, sqlite3_column_int64(sel, i));
			break;
		case SQLITE_FLOAT:
			sqlite3_bind_double(ins, i + 1, sqlite3_column_double(sel, i));
			break;
		case SQLITE_TEXT:
			sqlite3_bind_text(ins, i + 1, (const char *)sqlite3_column_text(sel, i),
					  sqlite3_column_bytes(sel, i), SQLITE_STATIC);
			break;
		case SQLITE_BLOB:
			sqlite3_bind_blob(ins, i + 1, sqlite3_column_blob(sel, i),
					  sqlite3_column_bytes(sel, i), SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(ins, i + 1);
		}
	}
}

/* The INSERT of every column of table t, for a SELECT of n columns. */
static int prepare_insert(sqlite3 *dst, const char *t, int n, sqlite3_stmt **ins)
{
	char sql[512];
	size_t o = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO \"%s\" VALUES (", t);
	for (int i = 0; i < n && o < sizeof(sql) - 4; i++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s?", i ? "," : "");
	snprintf(sql + o, sizeof(sql) - o, ")");
	return sqlite3_prepare_v2(dst, sql, -1, ins, NULL);
}

/* Copies table t row by row; the rows copied, -1 on error. */
static long copy(sqlite3 *src, sqlite3 *dst, const char *t)
{
	char sql[512];
	sqlite3_stmt *sel, *ins;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", t);
	if (sqlite3_prepare_v2(src, sql, -1, &sel, NULL) != SQLITE_OK)
		return -1;
	int n = sqlite3_column_count(sel);
	if (prepare_insert(dst, t, n, &ins) != SQLITE_OK) {
		sqlite3_finalize(sel);
		return -1;
	}
	long rows = 0;
	int rc;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		bind_row(ins, sel, n);
		if (sqlite3_step(ins) != SQLITE_DONE)
			break;
		sqlite3_reset(ins);
		rows++;
	}
	int ok = rc == SQLITE_DONE;
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return ok ? rows : -1;
}

/* the tables an importer writes per solution, in the order it does */
static const char *const per_solution[] = {"solution", "step", "label", "suggestion", "summary"};
#define NPER (sizeof(per_solution) / sizeof(per_solution[0]))

struct cur {
	sqlite3_stmt *sel, *ins;
	int n, sol_col, live;
};

static int cur_open(sqlite3 *src, sqlite3 *dst, struct cur *c, const char *t, const char *order)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY %s", t, order);
	if (sqlite3_prepare_v2(src, sql, -1, &c->sel, NULL) != SQLITE_OK)
		return -1;
	c->n = sqlite3_column_count(c->sel);
	c->sol_col = -1;
	for (int i = 0; i < c->n; i++)
		if (!strcmp(sqlite3_column_name(c->sel, i), "solution_id"))
			c->sol_col = i;
	if (prepare_insert(dst, t, c->n, &c->ins) != SQLITE_OK)
		return -1;
	c->live = sqlite3_step(c->sel) == SQLITE_ROW;
	return 0;
}

/* Inserts the cursor's row and moves on; the rows inserted (1), -1 on error. */
static int cur_put(struct cur *c)
{
	bind_row(c->ins, c->sel, c->n);
	if (sqlite3_step(c->ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(c->ins);
	int rc = sqlite3_step(c->sel);
	c->live = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : -1;
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The per-solution tables and problem in an importer's order; the rows
 * inserted, -1 on error. */
static long by_record(sqlite3 *src, sqlite3 *dst)
{
	struct cur c[NPER], prob;
	memset(c, 0, sizeof(c));
	for (size_t i = 0; i < NPER; i++)
		if (cur_open(src, dst, &c[i], per_solution[i],
			     i == 0 ? "id" : i == 1 ? "solution_id, idx" : i == 4 ? "solution_id" : "solution_id, id") < 0)
			return -1;
	if (cur_open(src, dst, &prob, "problem", "id") < 0)
		return -1;
	sqlite3_finalize(prob.sel); /* one problem at a time instead */
	if (sqlite3_prepare_v2(src, "SELECT * FROM problem WHERE id = ?1", -1, &prob.sel, NULL) != SQLITE_OK)
		return -1;
	int64_t nprob = one_int(src, "SELECT max(id) FROM problem") + 1;
	char *seen = calloc((size_t)nprob, 1);
	int pcol = -1;
	for (int i = 0; i < c[0].n; i++)
		if (!strcmp(sqlite3_column_name(c[0].sel, i), "problem_id"))
			pcol = i;
	long rows = 0;
	int bad = !seen || pcol < 0;
	while (!bad && c[0].live) {
		int64_t sol = sqlite3_column_int64(c[0].sel, 0);
		int64_t p = sqlite3_column_int64(c[0].sel, pcol);
		if (p >= 0 && p < nprob && !seen[p]) {
			seen[p] = 1;
			sqlite3_bind_int64(prob.sel, 1, p);
			if (sqlite3_step(prob.sel) != SQLITE_ROW)
				bad = 1;
			else if (cur_put(&prob) < 0) /* steps past its one row */
				bad = 1;
			sqlite3_reset(prob.sel);
			rows++;
		}
		if (cur_put(&c[0]) < 0)
			bad = 1;
		rows++;
		for (size_t i = 1; i < NPER && !bad; i++)
			while (c[i].live && sqlite3_column_int64(c[i].sel, c[i].sol_col) <= sol) {
				if (cur_put(&c[i]) < 0)
					bad = 1;
				rows++;
			}
	}
	for (size_t i = 1; i < NPER && !bad; i++) /* rows of no solution */
		while (c[i].live && !bad) {
			bad = cur_put(&c[i]) < 0;
			rows++;
		}
	/* problems no solution names */
	sqlite3_stmt *q;
	if (!bad && sqlite3_prepare_v2(src, "SELECT id FROM problem", -1, &q, NULL) == SQLITE_OK) {
		while (!bad && sqlite3_step(q) == SQLITE_ROW) {
			int64_t p = sqlite3_column_int64(q, 0);
			if (p < nprob && seen[p])
				continue;
			sqlite3_bind_int64(prob.sel, 1, p);
			bad = sqlite3_step(prob.sel) != SQLITE_ROW || cur_put(&prob) < 0;
			sqlite3_reset(prob.sel);
			rows++;
		}
		sqlite3_finalize(q);
	}
	for (size_t i = 0; i < NPER; i++) {
		sqlite3_finalize(c[i].sel);
		sqlite3_finalize(c[i].ins);
	}
	sqlite3_finalize(prob.sel);
	sqlite3_finalize(prob.ins);
	free(seen);
	return bad ? -1 : rows;
}

static int is_per_record(const char *t)
{
	if (!strcmp(t, "problem"))
		return 1;
	for (size_t i = 0; i < NPER; i++)
		if (!strcmp(t, per_solution[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int record = argc > 1 && !strcmp(argv[1], "--by-record");
	if (record) {
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: floor [--by-record] SRC.db DST.db\n");
		return 2;
	}
	sqlite3 *src, *dst;
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return die(src, argv[1]);
	if (sqlite3_open(argv[2], &dst) != SQLITE_OK)
		return die(dst, argv[2]);
	/* stepmark's new-store import: the same page size, the journal in
	 * memory, no syncs until the end */
	char setup[256];
	sqlite3_stmt *ps;
	int page = 4096;
	if (sqlite3_prepare_v2(src, "PRAGMA page_size", -1, &ps, NULL) == SQLITE_OK &&
	    sqlite3_step(ps) == SQLITE_ROW)
		page = sqlite3_column_int(ps, 0);
	sqlite3_finalize(ps);
	snprintf(setup, sizeof(setup),
		 "PRAGMA page_size = %d; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY;"
		 "PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;", page);
	if (sqlite3_exec(dst, setup, NULL, NULL, NULL) != SQLITE_OK)
		return die(dst, "setup");
	/* the schema, tables before their indexes, as the source made them */
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(src, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND "
			       "name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid", -1, &q,
			       NULL) != SQLITE_OK)
		return die(src, "schema");
	while (sqlite3_step(q) == SQLITE_ROW)
		if (sqlite3_exec(dst, (const char *)sqlite3_column_text(q, 0), NULL, NULL, NULL) !=
		    SQLITE_OK)
			return die(dst, "schema");
	sqlite3_finalize(q);
	if (sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return die(dst, "begin");
	if (sqlite3_prepare_v2(src, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
			       "name NOT LIKE 'sqlite_%' ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
		return die(src, "tables");
	long rows = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		if (record && is_per_record(t))
			continue;
		long n = copy(src, dst, t);
		if (n < 0)
			return die(dst, t);
		rows += n;
	}
	sqlite3_finalize(q);
	if (record) {
		long n = by_record(src, dst);
		if (n < 0)
			return die(dst, "by record");
		rows += n;
	}
	if (sqlite3_exec(dst, "COMMIT; PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return die(dst, "commit");
	sqlite3_close(src);
	sqlite3_close(dst);
	printf("%ld rows\n", rows);
	return 0;
}
