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

/* A table's rows read from the source and inserted into the destination,
 * one at a time: live while a row is current. */
struct cur {
	sqlite3_stmt *sel, *ins;
	int n, sol_col, live;
};

/* Prepares c for table t's rows as the SELECT sql gives them (its first
 * row not read yet). */
static int cur_open(sqlite3 *src, sqlite3 *dst, struct cur *c, const char *t, const char *sql)
{
	memset(c, 0, sizeof(*c));
	if (sqlite3_prepare_v2(src, sql, -1, &c->sel, NULL) != SQLITE_OK)
		return -1;
	c->n = sqlite3_column_count(c->sel);
	c->sol_col = -1;
	for (int i = 0; i < c->n; i++)
		if (!strcmp(sqlite3_column_name(c->sel, i), "solution_id"))
			c->sol_col = i;
	char ins[512];
	size_t o = (size_t)snprintf(ins, sizeof(ins), "INSERT INTO \"%s\" VALUES (", t);
	for (int i = 0; i < c->n && o < sizeof(ins) - 4; i++)
		o += (size_t)snprintf(ins + o, sizeof(ins) - o, "%s?", i ? "," : "");
	snprintf(ins + o, sizeof(ins) - o, ")");
	return sqlite3_prepare_v2(dst, ins, -1, &c->ins, NULL) == SQLITE_OK ? 0 : -1;
}

/* Reads the next row: 0, or -1 on error. */
static int cur_next(struct cur *c)
{
	int rc = sqlite3_step(c->sel);
	c->live = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Inserts the current row and reads the next: 0, or -1 on error. */
static int cur_put(struct cur *c)
{
	bind_row(c->ins, c->sel, c->n);
	if (sqlite3_step(c->ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(c->ins);
	return cur_next(c);
}

static void cur_close(struct cur *c)
{
	sqlite3_finalize(c->sel);
	sqlite3_finalize(c->ins);
}

/* Copies table t row by row; the rows copied, -1 on error. */
static long copy(sqlite3 *src, sqlite3 *dst, const char *t)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", t);
	struct cur c;
	long rows = 0;
	int bad = cur_open(src, dst, &c, t, sql) < 0 || cur_next(&c) < 0;
	for (; !bad && c.live; rows++)
		bad = cur_put(&c) < 0;
	cur_close(&c);
	return bad ? -1 : rows;
}

/* the tables an importer writes per solution, in the order it does, each
 * read in solution order */
static const struct {
	const char *table, *sql;
} per_solution[] = {
	{"solution", "SELECT * FROM solution ORDER BY id"},
	{"step", "SELECT * FROM step ORDER BY solution_id, idx"},
	{"label", "SELECT * FROM label ORDER BY solution_id, id"},
	{"suggestion", "SELECT * FROM suggestion ORDER BY solution_id, id"},
	{"summary", "SELECT * FROM summary ORDER BY solution_id"},
};
#define NPER (sizeof(per_solution) / sizeof(per_solution[0]))

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Inserts problem p (its one row): 0, or -1 on error. */
static int problem_put(struct cur *prob, int64_t p)
{
	sqlite3_bind_int64(prob->sel, 1, p);
	int bad = cur_next(prob) < 0 || !prob->live || cur_put(prob) < 0;
	sqlite3_reset(prob->sel);
	return bad ? -1 : 0;
}

/* The per-solution tables and problem in an importer's order; the rows
 * inserted, -1 on error. */
static long by_record(sqlite3 *src, sqlite3 *dst)
{
	struct cur c[NPER], prob;
	int bad = 0;
	for (size_t i = 0; i < NPER; i++)
		bad |= cur_open(src, dst, &c[i], per_solution[i].table, per_solution[i].sql) < 0 ||
		       cur_next(&c[i]) < 0;
	bad |= cur_open(src, dst, &prob, "problem", "SELECT * FROM problem WHERE id = ?1") < 0;
	int64_t nprob = one_int(src, "SELECT max(id) FROM problem") + 1;
	char *seen = calloc((size_t)nprob, 1);
	int pcol = -1;
	for (int i = 0; i < c[0].n; i++)
		if (!strcmp(sqlite3_column_name(c[0].sel, i), "problem_id"))
			pcol = i;
	bad |= !seen || pcol < 0;
	long rows = 0;
	while (!bad && c[0].live) {
		int64_t sol = sqlite3_column_int64(c[0].sel, 0);
		int64_t p = sqlite3_column_int64(c[0].sel, pcol);
		if (p >= 0 && p < nprob && !seen[p]) {
			seen[p] = 1;
			bad |= problem_put(&prob, p) < 0;
			rows++;
		}
		bad |= cur_put(&c[0]) < 0;
		rows++;
		for (size_t i = 1; i < NPER && !bad; i++)
			for (; !bad && c[i].live && sqlite3_column_int64(c[i].sel, c[i].sol_col) <= sol; rows++)
				bad = cur_put(&c[i]) < 0;
	}
	for (size_t i = 1; i < NPER; i++) /* rows of no solution */
		for (; !bad && c[i].live; rows++)
			bad = cur_put(&c[i]) < 0;
	sqlite3_stmt *q; /* problems no solution names */
	if (!bad && sqlite3_prepare_v2(src, "SELECT id FROM problem", -1, &q, NULL) == SQLITE_OK) {
		while (!bad && sqlite3_step(q) == SQLITE_ROW) {
			int64_t p = sqlite3_column_int64(q, 0);
			if (p < nprob && seen[p])
				continue;
			bad = problem_put(&prob, p) < 0;
			rows++;
		}
		sqlite3_finalize(q);
	}
	for (size_t i = 0; i < NPER; i++)
		cur_close(&c[i]);
	cur_close(&prob);
	free(seen);
	return bad ? -1 : rows;
}

static int is_per_record(const char *t)
{
	if (!strcmp(t, "problem"))
		return 1;
	for (size_t i = 0; i < NPER; i++)
		if (!strcmp(t, per_solution[i].table))
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
