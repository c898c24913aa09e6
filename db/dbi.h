/* dbi.h - inside the store: the connection, each subject's statements,
 * and the helpers every file of db/ shares (only db/ includes it) */
#ifndef SM_DBI_H
#define SM_DBI_H

#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>
#include "db.h"
#include "../src/util.h"

/*
 * Each file of db/ is a subject with its own table of statements (an
 * enum and a stmt_sql[] beside it), prepared the first time they run and
 * kept for the connection's life. A new subject is one line here.
 */
enum db_room {
	ROOM_STORE, ROOM_ITEMS, ROOM_SCAN, ROOM_WORK, ROOM_JOBS, ROOM_REFS,
	ROOM_AGREE, ROOM_DEAL, ROOM_HUB,
	ROOM_BATCH,
	ROOM_HUBCACHE,
	ROOM_HUBACT,
	ROOM_WORDS,
	ROOM_N
};
struct stmt_table {
	enum db_room room;
	int n;
	const char *const *sql;
};
/* The statement id of table t, reset and unbound, ready to bind. A
 * statement stepped by a db_*_each walk stays open while its callback
 * runs: a callback must not commit (db_commit resets every statement). */
sqlite3_stmt *dbi_stmt(struct db *db, const struct stmt_table *t, int id);

/* Waiting for another writer: as long as it makes progress. */
struct patience {
	char *wal;          /* the store's write-ahead log */
	FILE *say;          /* where "waiting" is said, or NULL */
	double since, seen; /* the wait's start, the writer's last progress */
	long long wal_size;
	long long wal_mtime;
	int said;
	double limit_ms;    /* > 0: give up after this long (a workbench) */
};

struct tally {
	int kind; /* 0 label, 1 suggestion, the counts' TALLY_DECIDER... */
	int64_t ds;
	char *name;
	long n;
	int ensured; /* a label's: its annotator's row made in this transaction */
};

struct db {
	sqlite3 *h;
	sqlite3_stmt **st[ROOM_N]; /* each room's prepared statements */
	int nst[ROOM_N];
	struct buf scratch;
	char now[32]; /* time stamp for rows written without one */
	struct patience wait;
	int wal_frames; /* the log's frames at this connection's last commit,
			 * when it checkpoints in idle time (db_checkpoint_idle) */
	int unsynced;   /* a commit of this connection's not synced yet */
	/* this transaction's labels and suggestions per data set and name,
	 * added to the tally table at commit */
	struct tally *tal;
	size_t ntal, captal;
	int64_t ds_sol, ds_id; /* the last solution's data set */
	int counts_known; /* store_state 'counts' in this transaction: 0 not
			   * read yet, 1 complete (the sums are kept), 2 not */
	struct word_set *words; /* this transaction's words (words.c), or NULL */
	db_progress_fn progress; /* db_set_progress's, or NULL */
	void *progress_ctx;
};

/* Progress said to the caller's db_set_progress: nonzero stops. */
static inline int dbi_progress(struct db *db, int64_t done, int64_t total)
{
	return db->progress ? db->progress(db->progress_ctx, done, total) : 0;
}

static inline const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static inline void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* store.c: running statements, the store's own state, the tallies */
int dbi_exec(struct db *db, const char *sql);
int dbi_step_done(struct db *db, sqlite3_stmt *s); /* says a store error */
void dbi_reset_all(struct db *db);
int64_t dbi_one_int(sqlite3_stmt *s, int64_t dflt); /* the first column, or dflt */
/* A statement of a table prepared for one read, not kept (a rare read
 * would hold its memory); NULL on a store error. */
sqlite3_stmt *dbi_prepare_once(struct db *db, const char *sql);
/* Finalizes s after its last step's rc: 0 when it ran to its end. */
int dbi_finish(sqlite3_stmt *s, int rc);
int dbi_state_put(struct db *db, const char *key, const char *value);
/* counts n more of name; its entry, which lives until the transaction ends */
struct tally *dbi_tally_add(struct db *db, int kind, int64_t ds, const char *name, long n);
/* the same for one more */
struct tally *dbi_tally_count(struct db *db, int kind, int64_t ds, const char *name);
/* The tallies of stepmark stats' counts per annotator (kinds decider,
 * decided, rated, adjudicated: summary.counts' sums), after 0 label and
 * 1 suggestion; n added at commit. */
enum { TALLY_DECIDER = 2, TALLY_DECIDED, TALLY_RATED, TALLY_ADJUDICATED };
int64_t dbi_dataset_of(struct db *db, int64_t sol);

/* regex.c: regexp(PATTERN, TEXT) for SQL */
void dbi_sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* words.c: the word table, for a search that matches nothing. The words
 * of a text added (written at db_commit, dropped at a rollback), and
 * words(TEXT) for SQL (its user data the struct db). */
int dbi_words_add(struct db *db, const char *text);
int dbi_words_flush(struct db *db);
void dbi_words_drop(struct db *db);
void dbi_words_free(struct db *db);
void dbi_sql_words(sqlite3_context *ctx, int argc, sqlite3_value **argv);
/* The folded word pieces every match of pat holds, each ending in NUL,
 * into out; how many (0: the pattern says nothing sure). */
size_t dbi_words_pieces(const char *pat, int caseless, struct buf *out);
/* 1 when some piece is in no word of the table, 0 when each is, -1 on
 * a store error */
int dbi_words_absent(struct db *db, const char *pieces, size_t len);

/* rows.c: a row of the store as the structs of item.h */
extern const char *const dbi_kind_names[];
int dbi_kind_of(const char *k);
int dbi_valued(int kind); /* the kinds whose value column holds something */
/* A label's value and text columns, and back: LK_ADJUDICATION keeps its
 * fe in the value column, LK_ALT_RATING its alt in the text column (in
 * decimal, into buf; NULL for none). The columns back into l: text in
 * the caller's arena; value NO_RATING for a NULL column. */
int dbi_label_value(const struct label *l);
const char *dbi_label_text(const struct label *l, char *buf, size_t n);
void dbi_label_columns(struct label *l, int value, const char *text);
const char *dbi_adup(struct arena *a, sqlite3_stmt *s, int i);
/* path as a file: URI (what URIs reserve escaped) with the query, for an
 * open of SQLite's such as "immutable=1" */
void dbi_file_uri(struct buf *b, const char *path, const char *query);
int dbi_null_or(sqlite3_stmt *q, int i, int dflt);
void *dbi_grow(void *arr, size_t n, size_t *cap, size_t size);
int dbi_alts_parse(struct arena *a, const char *json, struct alt **out, size_t *n);
void dbi_load_solution(struct item *it, const char **dataset, sqlite3_stmt *s,
		       struct arena *a, int derived_col);
void dbi_load_agreed(struct item *it, sqlite3_stmt *s, struct arena *a, int i);
/* A step's row: solution, idx, text, chosen, alts, agent, role. */
void dbi_load_step(struct step *st, sqlite3_stmt *q, struct arena *a);
/* A label's row: solution, step_idx, kind, value, text, annotator,
 * origin, created_at, agent. */
void dbi_load_label(struct label *l, sqlite3_stmt *q, struct arena *a);
/* A suggestion's row: solution, step_idx, source, model, origin, value,
 * first_error, k, n, rationale, agent. */
void dbi_load_sug(struct suggestion *g, sqlite3_stmt *q, struct arena *a);

/* items.c: suggestions written (jobs.c's results too) */
int dbi_sugs_insert(struct db *db, int64_t sol, const struct suggestion *sugs, size_t n,
		    int64_t job);

#endif
