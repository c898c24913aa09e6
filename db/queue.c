/* queue.c - the queue: the solutions a filter keeps, in order, a window at a time */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"

struct queue {
	struct db *db;
	sqlite3_stmt *next, *prev, *count, *rank;
	struct qfilter f;
	char *mine, *undecided;
};

/* a solution dealt to the annotator on which others' labels are hidden
 * (summary_others_hidden): ?8 the annotator, ?10 blind; their verdict's
 * line ("\n@name\t") absent or undecided */
#define MY_LINE "char(10) || '@' || ?8 || char(9)"
#define HIDDEN "(m.solution_id IN (SELECT a.solution_id FROM assignment a WHERE " \
	"a.annotator = ?8) AND (?10 OR instr(m.verdicts, " MY_LINE ") = 0 OR " \
	"instr(m.verdicts, " MY_LINE " || '-2' || char(10)) > 0))"

/* what the flags of other people's verdicts say, unless hidden */
static void people_flags(struct buf *b, const struct qfilter *f, unsigned flags)
{
	if (f->annotator)
		buf_printf(b, " AND (m.flags & %u) AND NOT " HIDDEN, flags);
	else
		buf_printf(b, " AND (m.flags & %u)", flags);
}

/* The agreed rules' partial indexes (schema 25), as their WHERE says
 * them: SQLite reads one only where the query says the same */
#define KIND_ADJ "g.rule = 'adjudicated'"
#define KIND_PEOPLE "(g.rule GLOB 'human*' OR g.rule GLOB 'confirmed-suggestion*')"
#define KIND_SOURCES "g.rule GLOB 'sources *'"

/* one rule or kind of rule: often few solutions, read from the index of
 * its kind rather than probed row by row; a rule (?9) of no kind known
 * reads the table */
static void agreed_kind(struct buf *b, const struct qfilter *f)
{
	const char *kind = f->what == Q_AGREED_ADJ ? KIND_ADJ :
			   f->what == Q_AGREED_PEOPLE ? KIND_PEOPLE :
			   f->what == Q_AGREED_SOURCES ? KIND_SOURCES : NULL;
	const char *r = f->rule;
	if (!kind && !strcmp(r, "adjudicated"))
		kind = KIND_ADJ;
	else if (!kind && (!strncmp(r, "human", 5) || !strncmp(r, "confirmed-suggestion", 20)))
		kind = KIND_PEOPLE;
	else if (!kind && !strncmp(r, "sources ", 8))
		kind = KIND_SOURCES;
	buf_printf(b, " AND m.solution_id IN (SELECT g.solution_id FROM agreed g WHERE %s%s%s)",
		   kind ? kind : "", kind && f->what == Q_AGREED ? " AND " : "",
		   f->what == Q_AGREED ? "g.rule = ?9" : "");
	if (f->annotator)
		buf_puts(b, " AND NOT " HIDDEN);
}

/* the filters read from a partial index of the summary: with a data set
 * too, its term is a check of each row the index gives (unary +), or
 * SQLite would read summary_counts' range of the data set and sort it */
static int partial_read(const struct qfilter *f)
{
	switch (f->what) {
	case Q_DIS_ANN: case Q_DIS_SRC: case Q_DIS_HA: case Q_DIS_ANY:
	case Q_NO_AGREED: case Q_MC_UNSURE:
		return 1;
	case Q_AGREED:
		return !f->rule;
	default:
		return 0;
	}
}

static void where_add(struct buf *b, const struct qfilter *f)
{
	buf_puts(b, " WHERE 1");
	if (f->dataset > 0)
		buf_puts(b, partial_read(f) ? " AND +m.dataset_id = ?6" : " AND m.dataset_id = ?6");
	switch (f->what) {
	case Q_TODO:
		buf_puts(b, " AND (instr(m.verdicts, ?4) = 0 OR instr(m.verdicts, ?5) > 0)");
		break;
	case Q_MINE:
		buf_puts(b, " AND m.solution_id IN (SELECT l.solution_id FROM label l WHERE l.annotator = ?8)");
		break;
	/* as the partial indexes of schema 9 say them */
	case Q_DIS_ANN:
		people_flags(b, f, SF_DIS_ANN);
		break;
	case Q_DIS_SRC:
		buf_printf(b, " AND (m.flags & %d)", SF_DIS_SRC);
		break;
	case Q_DIS_HA:
		people_flags(b, f, SF_DIS_HA);
		break;
	case Q_DIS_ANY:
		buf_printf(b, " AND (m.flags & %d)", SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA);
		if (f->annotator)
			buf_printf(b, " AND ((m.flags & %d) OR NOT " HIDDEN ")", SF_DIS_SRC);
		break;
	case Q_ASSIGNED:
		buf_puts(b, " AND m.solution_id IN (SELECT a.solution_id FROM assignment a"
			    " WHERE a.annotator = ?8)");
		break;
	/* a range of schema 20's indexes on the agreed mark */
	case Q_NO_AGREED:
		/* (a hidden agreed solution is left out here too: an OR would
		 * leave the index) */
		buf_puts(b, " AND m.agreed = 0");
		break;
	case Q_AGREED:
		if (!f->rule) {
			buf_puts(b, f->annotator ? " AND m.agreed = 1 AND NOT " HIDDEN :
				 " AND m.agreed = 1");
			break;
		}
		/* fall through */
	case Q_AGREED_ADJ:
	case Q_AGREED_PEOPLE:
	case Q_AGREED_SOURCES:
		agreed_kind(b, f);
		break;
	case Q_MC_UNSURE: /* as the partial index of schema 17 says it */
		buf_printf(b, " AND (m.flags & %d)", SF_MC_UNSURE);
		break;
	case Q_DOMAIN: /* the solution's metadata (import keeps it valid JSON) */
		buf_printf(b, " AND (SELECT json_extract(s.meta, '$.domain') FROM solution s"
			      " WHERE s.id = m.solution_id AND json_valid(s.meta)) %s",
			   f->domain ? "= ?11" : "IS NOT NULL");
		break;
	default:
		break;
	}
	if (f->picked)
		buf_puts(b, " AND m.solution_id IN (SELECT id FROM temp.picked)");
	if (f->regex)
		buf_puts(b, " AND (EXISTS (SELECT 1 FROM step t WHERE t.solution_id = m.solution_id"
			    " AND regexp(?7, t.text)) OR regexp(?7, (SELECT p.text FROM solution s"
			    " JOIN problem p ON p.id = s.problem_id WHERE s.id = m.solution_id)))");
}

#define PROGRESS "(m.labelled * 1000 / max(m.nsteps, 1))"

int db_queue_dealt(const struct qfilter *f)
{
	return f->what == Q_ASSIGNED && f->sort == QS_ID && f->annotator;
}

int64_t db_assigned_ord(struct db *db, const char *annotator, int64_t sol)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(db->h, "SELECT ord FROM assignment WHERE annotator = ?1 AND "
			       "solution_id = ?2", -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return 0;
	bind_text(s, 1, annotator);
	sqlite3_bind_int64(s, 2, sol);
	int64_t ord = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return ord;
}

static sqlite3_stmt *queue_prepare(struct queue *q, int kind)
{
	struct buf b = {0};
	const char *cmp = kind == 0 ? ">" : "<";
	const char *dir = kind == 0 ? "" : " DESC";
	if (kind == 2) {
		buf_puts(&b, "SELECT count(*) FROM summary m");
		where_add(&b, &q->f);
		buf_puts(&b, " AND m.solution_id BETWEEN ?1 AND ?2");
	} else if (kind == 3) { /* a position in the dealt order */
		buf_puts(&b, "SELECT count(*) FROM assignment g JOIN summary m ON "
			 "m.solution_id = g.solution_id");
		where_add(&b, &q->f);
		buf_puts(&b, " AND g.annotator = ?8 AND g.ord <= ?1 AND ?2 IS NOT NULL");
	} else if (db_queue_dealt(&q->f)) {
		/* one's assignment in the order it was dealt: the key is ord */
		buf_puts(&b, "SELECT m.solution_id, g.ord FROM assignment g JOIN summary m ON "
			 "m.solution_id = g.solution_id");
		where_add(&b, &q->f);
		buf_printf(&b, " AND g.annotator = ?8 AND g.ord %s ?1 AND ?2 IS NOT NULL"
			   " ORDER BY g.ord%s LIMIT ?3", cmp, dir);
	} else if (q->f.sort == QS_PROGRESS) {
		/* the rest of this key, then the keys beyond: two index ranges
		 * (a row value would scan from the key's first row) */
		buf_puts(&b, "SELECT * FROM (SELECT m.solution_id, " PROGRESS " FROM summary m");
		where_add(&b, &q->f);
		buf_printf(&b, " AND " PROGRESS " = ?1 AND m.solution_id %s ?2"
			   " ORDER BY m.solution_id%s LIMIT ?3)", cmp, dir);
		buf_puts(&b, " UNION ALL SELECT * FROM (SELECT m.solution_id, " PROGRESS
			 " FROM summary m");
		where_add(&b, &q->f);
		buf_printf(&b, " AND " PROGRESS " %s ?1 ORDER BY " PROGRESS "%s, m.solution_id%s"
			   " LIMIT ?3) LIMIT ?3", cmp, dir, dir);
	} else {
		buf_puts(&b, "SELECT m.solution_id, 0 FROM summary m");
		where_add(&b, &q->f);
		buf_printf(&b, " AND m.solution_id %s ?2 AND ?1 IS NOT NULL"
			   " ORDER BY m.solution_id%s LIMIT ?3", cmp, dir);
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(q->db->h, b.data, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		errf("stepmark: internal SQL error: %s\n", db_errmsg(q->db));
		abort();
	}
	buf_free(&b);
	if (q->f.annotator) {
		sqlite3_bind_text(s, 4, q->mine, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, q->undecided, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, q->f.annotator, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 10, q->f.blind != 0);
	}
	if (q->f.dataset > 0)
		sqlite3_bind_int64(s, 6, q->f.dataset);
	if (q->f.regex)
		sqlite3_bind_text(s, 7, q->f.regex, -1, SQLITE_STATIC);
	if (q->f.rule && q->f.what == Q_AGREED)
		sqlite3_bind_text(s, 9, q->f.rule, -1, SQLITE_STATIC);
	if (q->f.domain && q->f.what == Q_DOMAIN)
		sqlite3_bind_text(s, 11, q->f.domain, -1, SQLITE_STATIC);
	return s;
}

int db_pick(struct db *db, const int64_t *ids, size_t n)
{
	/* a deferred transaction that writes only the temporary database
	 * takes no lock on the store: another writer does not stop it */
	if (sqlite3_exec(db->h, "CREATE TEMP TABLE IF NOT EXISTS picked(id INTEGER PRIMARY KEY);"
			 "BEGIN; DELETE FROM temp.picked;", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, "INSERT OR IGNORE INTO temp.picked(id) VALUES (?1)", -1,
				    &s, NULL) == SQLITE_OK ? SQLITE_DONE : SQLITE_ERROR;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

struct queue *db_queue_open(struct db *db, const struct qfilter *f)
{
	struct queue *q = xcalloc(1, sizeof(*q));
	q->db = db;
	q->f = *f;
	q->f.regex = f->regex ? xstrdup(f->regex) : NULL;
	q->f.annotator = f->annotator ? xstrdup(f->annotator) : NULL;
	q->f.rule = f->rule && f->what == Q_AGREED ? xstrdup(f->rule) : NULL;
	if (q->f.annotator) {
		struct buf b = {0};
		buf_printf(&b, "\n@%s\t", f->annotator);
		q->mine = b.data;
		b = (struct buf){0};
		buf_printf(&b, "\n@%s\t-2\n", f->annotator);
		q->undecided = b.data;
	}
	q->next = queue_prepare(q, 0);
	q->prev = queue_prepare(q, 1);
	q->count = queue_prepare(q, 2);
	q->rank = db_queue_dealt(&q->f) ? queue_prepare(q, 3) : NULL;
	return q;
}

void db_queue_close(struct queue *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->next);
	sqlite3_finalize(q->prev);
	sqlite3_finalize(q->count);
	sqlite3_finalize(q->rank);
	free((char *)q->f.regex);
	free((char *)q->f.annotator);
	free((char *)q->f.rule);
	free(q->mine);
	free(q->undecided);
	free(q);
}

long db_queue_rank(struct queue *q, const struct qpos *at)
{
	if (!q->rank)
		return -1;
	sqlite3_bind_int64(q->rank, 1, at->key);
	sqlite3_bind_int64(q->rank, 2, at->id);
	long n = sqlite3_step(q->rank) == SQLITE_ROW ? (long)sqlite3_column_int64(q->rank, 0) : -1;
	sqlite3_reset(q->rank);
	return n;
}

int db_queue_step(struct queue *q, const struct qpos *from, int dir, int n,
		  struct qpos *out)
{
	sqlite3_stmt *s = dir > 0 ? q->next : q->prev;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, from->key);
	sqlite3_bind_int64(s, 2, from->id);
	sqlite3_bind_int(s, 3, n);
	int got = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && got < n) {
		out[got].id = sqlite3_column_int64(s, 0);
		out[got].key = sqlite3_column_int64(s, 1);
		got++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return got;
}

long db_queue_count(struct queue *q, int64_t lo, int64_t hi)
{
	sqlite3_stmt *s = q->count;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}
