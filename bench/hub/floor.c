/* floor.c - bench/hub's floor for a pull: the hub's label events read
 * with COPY ... TO STDOUT through libpq and inserted into a SQLite file
 * by a minimal C program.
 *   floor CONNINFO DB [PAGE]
 * DB gets the store's label table (the same columns, CHECK and six
 * indexes, the store's page size, WAL and synchronous = NORMAL); every
 * label of the hub goes in, in the hub's order, with one prepared
 * insert, a transaction per PAGE rows (default 1000, sync's page).
 * What it does not do (and a pull does): find each label's solution by
 * data set and id (it takes the hub's solution id as it is), check the
 * solution's steps and the label's kind and step, skip labels it has,
 * keep the tallies, annotators and guideline versions, refresh the
 * solutions' summaries, pull solutions and suggestions.
 * Prints the seconds from the connection to the last commit, and the rows. */
#include "config.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOL 12

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char schema[] =
	"PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	"PRAGMA cache_size = -16000;"
	"CREATE TABLE label (id INTEGER PRIMARY KEY, solution_id INTEGER NOT NULL, "
	"step_idx INTEGER, kind TEXT NOT NULL CHECK (kind IN ('rating', 'first_error', "
	"'finish', 'note', 'ratings', 'alt_rating', 'flag', 'adjudication', 'correction', "
	"'category')), value INTEGER, text TEXT, annotator TEXT NOT NULL, origin TEXT NOT NULL, "
	"created_at TEXT NOT NULL, action_id INTEGER, agent TEXT, guidelines TEXT, "
	"uid TEXT NOT NULL DEFAULT (lower(hex(randomblob(16)))), hub_seq INTEGER);"
	"CREATE INDEX label_solution ON label(solution_id);"
	"CREATE INDEX label_action ON label(action_id) WHERE action_id IS NOT NULL;"
	"CREATE INDEX label_annotator ON label(annotator, solution_id);"
	"CREATE INDEX label_adjudication ON label(id) WHERE kind = 'adjudication';"
	"CREATE UNIQUE INDEX label_uid ON label(uid);"
	"CREATE INDEX label_unsynced ON label(id) WHERE hub_seq IS NULL;";

static const char copy[] =
	"COPY (SELECT l.solution_id, l.step_idx, l.kind, l.value, l.text, l.annotator, "
	"l.origin, l.created_at, l.agent, l.guidelines, l.uid, l.seq FROM stepmark.label l "
	"ORDER BY l.seq) TO STDOUT";

/* one field of COPY's text format unescaped in place; NULL for \N */
static char *field(char *s, size_t n)
{
	if (n == 2 && s[0] == '\\' && s[1] == 'N')
		return NULL;
	char *o = s;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			*o++ = s[i];
			continue;
		}
		char c = s[++i];
		*o++ = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b'
			: c == 'f' ? '\f' : c == 'v' ? '\v' : c;
	}
	*o = '\0';
	return s;
}

static int insert_row(sqlite3_stmt *ins, char *line, int len)
{
	char *p = line, *end = line + len;
	if (len && end[-1] == '\n')
		end--;
	for (int c = 0; c < NCOL; c++) {
		char *tab = memchr(p, '\t', (size_t)(end - p));
		char *e = tab ? tab : end;
		char *v = field(p, (size_t)(e - p));
		if (v)
			sqlite3_bind_text(ins, c + 1, v, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(ins, c + 1);
		p = e + 1;
	}
	int rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: floor CONNINFO DB [PAGE]\n");
		return 2;
	}
	long page = argc > 3 ? atol(argv[3]) : 1000;
	sqlite3 *db;
	if (sqlite3_open(argv[2], &db) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "floor: %s: %s\n", argv[2], sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_stmt *ins;
	sqlite3_prepare_v2(db, "INSERT INTO label(solution_id, step_idx, kind, value, text, "
			   "annotator, origin, created_at, agent, guidelines, uid, hub_seq) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1, &ins, NULL);
	double t0 = now();
	PGconn *c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "floor: %s", PQerrorMessage(c));
		return 1;
	}
	PGresult *r = PQexec(c, copy);
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		fprintf(stderr, "floor: %s", PQerrorMessage(c));
		return 1;
	}
	PQclear(r);
	long rows = 0;
	char *line;
	int len;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	while ((len = PQgetCopyData(c, &line, 0)) > 0) {
		if (insert_row(ins, line, len) < 0) {
			fprintf(stderr, "floor: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		PQfreemem(line);
		if (++rows % page == 0)
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	while ((r = PQgetResult(c)))
		PQclear(r);
	PQfinish(c);
	printf("%.3f %ld\n", now() - t0, rows);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return 0;
}
