/* floor.c - bench/import's insert floor: a minimal C program inserting
 * the very rows stepmark stored into the same schema, as an importer
 * must - one prepared INSERT per table, every value bound, one step per
 * row, one transaction - with the pragmas stepmark's new-store import
 * uses. Nothing else: no parsing, no checks, no summaries.
 *   floor SRC.db DST.db   (DST must not exist); prints the rows */
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

/* Copies table t row by row; the rows copied, -1 on error. */
static long copy(sqlite3 *src, sqlite3 *dst, const char *t)
{
	char sql[512];
	sqlite3_stmt *sel, *ins;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", t);
	if (sqlite3_prepare_v2(src, sql, -1, &sel, NULL) != SQLITE_OK)
		return -1;
	int n = sqlite3_column_count(sel);
	size_t o = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO \"%s\" VALUES (", t);
	for (int i = 0; i < n && o < sizeof(sql) - 4; i++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s?", i ? "," : "");
	snprintf(sql + o, sizeof(sql) - o, ")");
	if (sqlite3_prepare_v2(dst, sql, -1, &ins, NULL) != SQLITE_OK) {
		sqlite3_finalize(sel);
		return -1;
	}
	long rows = 0;
	int rc;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
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

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: floor SRC.db DST.db\n");
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
		long n = copy(src, dst, (const char *)sqlite3_column_text(q, 0));
		if (n < 0)
			return die(dst, (const char *)sqlite3_column_text(q, 0));
		rows += n;
	}
	sqlite3_finalize(q);
	if (sqlite3_exec(dst, "COMMIT; PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return die(dst, "commit");
	sqlite3_close(src);
	sqlite3_close(dst);
	printf("%ld rows\n", rows);
	return 0;
}
