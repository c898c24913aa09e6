/* store.c - the store opened, migrated, locked and traced: connections, transactions, the running of statements */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <string.h>
#include <sqlite3.h>

#include "dbi.h"
#include "schema.h"

enum stmt_id {
	S_DATA_VERSION, S_STATE_SET, S_STATE_DEL, S_TALLY_ADD, S_SOL_DATASET,
	S_GEN_BUMP, S_MARKS, S_NEW_LABELS, S_NEW_SUGS,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_DATA_VERSION] = "PRAGMA data_version",
	[S_STATE_SET] = "INSERT OR REPLACE INTO store_state(key, value) VALUES (?1, ?2)",
	[S_STATE_DEL] = "DELETE FROM store_state WHERE key = ?1",
	[S_TALLY_ADD] = "INSERT INTO tally(kind, dataset_id, name, n) VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT(kind, dataset_id, name) DO UPDATE SET n = n + excluded.n",
	[S_SOL_DATASET] = "SELECT dataset_id FROM solution WHERE id = ?1",
	/* what the queue's filters read besides labels and suggestions (the
	 * agreed labels, the assignments) moved on */
	[S_GEN_BUMP] = "INSERT INTO store_state(key, value) VALUES ('generation', 1) "
		       "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
	[S_MARKS] = "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM store_state "
		    "WHERE key = 'generation'), 0), (SELECT coalesce(max(id), 0) FROM label), "
		    "(SELECT coalesce(max(id), 0) FROM suggestion), "
		    "(SELECT coalesce(max(id), 0) FROM solution)",
	/* the rows after a mark, read by id (a range of the table): with
	 * DISTINCT, SQLite walked the whole solution_id index instead, every
	 * label and suggestion of the store each time another writer wrote
	 * (81 % of a workbench's CPU at bench/team's N = 4) */
	[S_NEW_LABELS] = "SELECT solution_id FROM label WHERE id > ?1 ORDER BY id",
	[S_NEW_SUGS] = "SELECT solution_id FROM suggestion WHERE id > ?1 ORDER BY id",
};

static const struct stmt_table stmts = {ROOM_STORE, S_COUNT, stmt_sql};

static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	return dbi_stmt(db, &stmts, id);
}

sqlite3_stmt *dbi_stmt(struct db *db, const struct stmt_table *t, int id)
{
	if (!db->st[t->room]) {
		db->st[t->room] = xcalloc((size_t)t->n, sizeof(sqlite3_stmt *));
		db->nst[t->room] = t->n;
	}
	assert(db->nst[t->room] == t->n && id >= 0 && id < t->n); /* one table per room */
	sqlite3_stmt *s = db->st[t->room][id];
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(db->h, t->sql[id], -1, SQLITE_PREPARE_PERSISTENT,
			       &s, NULL) != SQLITE_OK) {
		errf("stepmark: internal SQL error: %s\n",
			sqlite3_errmsg(db->h));
		abort();
	}
	db->st[t->room][id] = s;
	return s;
}

#define STALL_S 60.0 /* a writer that shows no progress this long: give up */

/* A bounded wait (the workbench's) tries again this often. SQLite's own
 * (sqlite3_busy_timeout) sleeps 1, 2, 5, then 10 ms: a lock freed after
 * 3.5 ms was taken at 8, later when a sleep overran on a loaded machine,
 * and meanwhile another writer took it (bench/team: 72 of 1071 labels
 * gave up after 25 ms at N = 8). */
#define BOUNDED_STEP_US 250

/* SQLite's busy handler: waits while the writer holding the lock makes
 * progress (its log grows or is rewritten), says so once after a second,
 * and gives up after STALL_S seconds without progress; with a limit, in
 * short steps until limit_ms have passed. */
static int busy_wait(void *ctx, int count)
{
	struct patience *p = ctx;
	double now = mono_ms() / 1e3;
	if (p->limit_ms > 0) {
		if (count == 0)
			p->since = now;
		double left_us = (p->limit_ms - (now - p->since) * 1e3) * 1e3;
		if (left_us <= 0)
			return 0;
		usleep((useconds_t)(left_us < BOUNDED_STEP_US ? left_us : BOUNDED_STEP_US));
		return 1;
	}
	struct stat st;
	long long size = -1, mtime = -1;
	if (p->wal && stat(p->wal, &st) == 0) {
		size = (long long)st.st_size;
		mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
	if (count == 0) {
		p->since = p->seen = now;
		p->said = 0;
	} else if (size != p->wal_size || mtime != p->wal_mtime) {
		p->seen = now;
	}
	p->wal_size = size;
	p->wal_mtime = mtime;
	if (now - p->seen > STALL_S)
		return 0;
	if (!p->said && p->say && now - p->since > 1.0) {
		fprintf(p->say, "stepmark: waiting for another writer to release the store...\n");
		fflush(p->say);
		p->said = 1;
	}
	usleep(count < 10 ? 5000 : 50000);
	return 1;
}

void db_say_waits(struct db *db, FILE *say)
{
	db->wait.say = say;
}

#define DISK_FULL "the disk is full (no space left on the device): free some space"

/* 1 when rc, the last error of h, came from a full disk: SQLite's
 * SQLITE_FULL, or an I/O error or a file it could not make (its -shm at
 * opening) for want of room */
static int disk_full(sqlite3 *h, int rc)
{
	int e = h ? sqlite3_system_errno(h) : 0;
	return (rc & 0xff) == SQLITE_FULL ||
	       (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN) &&
		(e == ENOSPC || e == EDQUOT));
}

/* h's message for rc, a full disk said as such */
static const char *errtext(sqlite3 *h, int rc, const char *msg)
{
	return disk_full(h, rc) ? DISK_FULL : msg ? msg : h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
}

int db_full(struct db *db)
{
	return disk_full(db->h, sqlite3_extended_errcode(db->h));
}

const char *db_errmsg(struct db *db)
{
	return errtext(db->h, sqlite3_extended_errcode(db->h), NULL);
}

/* A statement left on a row would hold the transaction open. */
void dbi_reset_all(struct db *db)
{
	for (int r = 0; r < ROOM_N; r++)
		for (int i = 0; i < db->nst[r]; i++)
			if (db->st[r][i])
				sqlite3_reset(db->st[r][i]);
}

int dbi_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int user_version(sqlite3 *h)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int migrate_locked(struct db *db, char *err, size_t errlen);

/* a pragma's value as an integer (0 when it has none) */
static int pragma_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s;
	int v = 0;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
		sqlite3_finalize(s);
	}
	return v;
}

/* A store of an older schema brought to this one. Foreign keys are off
 * while the migrations run (they cannot change inside the transaction):
 * a migration may rebuild a table others reference, as SQLite's twelve
 * steps do, and DROP TABLE would delete its rows first. Temporary data
 * goes to files meanwhile: a rebuilt table's indexes are sorted, and in
 * memory the sort of 445 K jobs' took 380 MB (41 MB in files at 100 K,
 * against 110 MB). */
static int migrate(struct db *db, char *err, size_t errlen)
{
	/* a store at the current version is opened without a write lock */
	if (user_version(db->h) == schema_count())
		return 0;
	int fk = pragma_int(db->h, "PRAGMA foreign_keys");
	int temp = pragma_int(db->h, "PRAGMA temp_store");
	char sql[48];
	if (fk)
		dbi_exec(db, "PRAGMA foreign_keys = OFF");
	dbi_exec(db, "PRAGMA temp_store = FILE");
	int rc = migrate_locked(db, err, errlen);
	if (fk)
		dbi_exec(db, "PRAGMA foreign_keys = ON");
	snprintf(sql, sizeof(sql), "PRAGMA temp_store = %d", temp);
	dbi_exec(db, sql);
	return rc;
}

static int migrate_locked(struct db *db, char *err, size_t errlen)
{
	if (dbi_exec(db, "BEGIN IMMEDIATE") < 0) {
		snprintf(err, errlen, "cannot lock the store: %s", db_errmsg(db));
		return -1;
	}
	int v = user_version(db->h);
	int want = schema_count();
	if (v > want) {
		snprintf(err, errlen,
			 "this store has schema version %d, written by a newer stepmark; "
			 "this one knows versions up to %d: upgrade stepmark", v, want);
		dbi_exec(db, "ROLLBACK");
		return -1;
	}
	if (v < 0) {
		snprintf(err, errlen, "not a stepmark store: %s", db_errmsg(db));
		dbi_exec(db, "ROLLBACK");
		return -1;
	}
	/* an older store: rebuilding a table of millions of rows takes a
	 * while, which is said rather than left to look like a hang */
	if (v > 0 && v < want)
		errf("stepmark: upgrading %s from schema %d to %d (once)...\n",
		     inert(sqlite3_db_filename(db->h, "main") ? sqlite3_db_filename(db->h, "main") :
			   "the store", 0), v, want);
	for (int i = v; i < want; i++) {
		char *msg = NULL;
		char pragma[48];
		if (sqlite3_exec(db->h, schema_migration(i), NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration to schema %d failed: %s", i + 1,
				 msg ? msg : "?");
			sqlite3_free(msg);
			dbi_exec(db, "ROLLBACK");
			return -1;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		dbi_exec(db, pragma);
	}
	if (dbi_words_flush(db) < 0 || dbi_exec(db, "COMMIT") < 0) {
		snprintf(err, errlen, "cannot commit the schema: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

static void global_init(void)
{
	/* each connection is used by one thread only: no mutex per call */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

static void tally_drop(struct db *db);

static void free_db(struct db *db)
{
	tally_drop(db);
	free(db->tal);
	dbi_words_free(db);
	sqlite3_close(db->h);
	buf_free(&db->scratch);
	free(db->wait.wal);
	free(db);
}

/* What every connection has: the patient busy handler, extended error
 * codes, regexp(). */
static void attach(struct db *db, const char *path)
{
	size_t n = strlen(path) + 5;
	db->wait.wal = xmalloc(n);
	snprintf(db->wait.wal, n, "%s-wal", path);
	sqlite3_busy_handler(db->h, busy_wait, &db->wait);
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_create_function(db->h, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				NULL, dbi_sql_regexp, NULL, NULL);
	sqlite3_create_function(db->h, "words", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
				db, dbi_sql_words, NULL, NULL);
}

/*
 * A new store gets 8 KiB pages (a store that exists keeps its own; the
 * pragma does nothing there). A step row is about 600 bytes with its
 * alternatives, too large for the 1 KB a 4 KiB page of a WITHOUT ROWID
 * table keeps inline: with 4 KiB pages most steps spilled to overflow
 * pages and a PRM800K store was 40 % larger. 100 K PRM800K solutions
 * into a store that holds data: 9.1 s with 4 KiB pages, 5.7 s with 8,
 * 7.5 s with 16 (bench/import).
 */
#define STORE_PAGE_SIZE "PRAGMA page_size = 8192;"
#define STORE_CACHE "PRAGMA cache_size = -16000;" /* KiB */

static struct db *open_with(const char *path, const char *setup, char *err,
			    size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, global_init);
	struct db *db = xcalloc(1, sizeof(*db));
	int rc = sqlite3_open_v2(path, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path, errtext(db->h, rc, NULL));
		free_db(db);
		return NULL;
	}
	attach(db, path);
	char *msg = NULL;
	if ((rc = sqlite3_exec(db->h, setup, NULL, NULL, &msg)) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 errtext(db->h, sqlite3_extended_errcode(db->h), msg ? msg : "cannot set up"));
		sqlite3_free(msg);
		free_db(db);
		return NULL;
	}
	char why[400];
	if (migrate(db, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		free_db(db);
		return NULL;
	}
	now_iso(db->now);
	return db;
}

void dbi_file_uri(struct buf *b, const char *path, const char *query)
{
	buf_puts(b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
			buf_printf(b, "%%%02X", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_printf(b, "?%s", query);
}

static int open_ro_handle(struct db *db, const char *path, int immutable)
{
	struct buf uri = {0};
	int flags = SQLITE_OPEN_READONLY;
	if (immutable) {
		dbi_file_uri(&uri, path, "immutable=1");
		flags |= SQLITE_OPEN_URI;
	}
	int rc = sqlite3_open_v2(immutable ? uri.data : path, &db->h, flags, NULL);
	buf_free(&uri);
	if (rc == SQLITE_OK)
		rc = user_version(db->h) < 0 ? sqlite3_extended_errcode(db->h) : SQLITE_OK;
	if (rc != SQLITE_OK) {
		if (disk_full(db->h, rc))
			rc = SQLITE_FULL; /* said as such */
		sqlite3_close(db->h);
		db->h = NULL;
	}
	return rc;
}

struct db *db_open_ro(const char *path, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, global_init);
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: no such store (stepmark import FILE makes one)", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a store: not a regular file", path);
		return NULL;
	}
	struct db *db = xcalloc(1, sizeof(*db));
	/* a WAL store in a directory we cannot write, without its -shm file,
	 * opens only as immutable: nobody can be writing it there */
	int rc = open_ro_handle(db, path, 0);
	if (rc != SQLITE_OK && ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY))
		rc = open_ro_handle(db, path, 1);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 (rc & 0xff) == SQLITE_NOTADB ? "not a stepmark store (not an SQLite file)" :
			 rc == SQLITE_FULL ? DISK_FULL : sqlite3_errstr(rc));
		free_db(db);
		return NULL;
	}
	attach(db, path);
	int v = user_version(db->h), want = schema_count();
	if (v != want) {
		if (v == 0)
			snprintf(err, errlen, "%s: not a stepmark store", path);
		else if (v > want)
			snprintf(err, errlen, "%s: this store has schema version %d, written by a newer "
				 "stepmark; this one knows versions up to %d: upgrade stepmark", path, v, want);
		else
			snprintf(err, errlen, "%s: this store has schema version %d and this stepmark "
				 "reads %d: open it once with write access (the workbench or an import) "
				 "to upgrade it", path, v, want);
		free_db(db);
		return NULL;
	}
	now_iso(db->now);
	return db;
}

struct db *db_open(const char *path, char *err, size_t errlen)
{
	/* temp_store in memory: a large statement's journal (an import into
	 * a store that holds data) no longer spills to /var/tmp */
	return open_with(path,
			 STORE_PAGE_SIZE
			 "PRAGMA journal_mode = WAL;"
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA foreign_keys = ON;"
			 "PRAGMA temp_store = MEMORY;"
			 STORE_CACHE,
			 err, errlen);
}

struct db *db_open_bulk(const char *path, char *err, size_t errlen)
{
	/* the rollback journal stays in memory: ROLLBACK still works. No
	 * foreign key checks: the import makes each parent before its
	 * children in one private transaction, and a probe per reference
	 * cost some 5 % of it (tests/store.sh runs foreign_key_check on the
	 * stores it imports) */
	return open_with(path,
			 STORE_PAGE_SIZE
			 "PRAGMA locking_mode = EXCLUSIVE;"
			 "PRAGMA journal_mode = MEMORY;"
			 "PRAGMA synchronous = OFF;"
			 "PRAGMA foreign_keys = OFF;"
			 STORE_CACHE,
			 err, errlen);
}

int db_bulk_finish(struct db *db)
{
	dbi_reset_all(db);
	int rc = dbi_exec(db, "PRAGMA locking_mode = NORMAL;"
			  "PRAGMA journal_mode = WAL;");
	db_close(db);
	return rc;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (int r = 0; r < ROOM_N; r++) {
		for (int i = 0; i < db->nst[r]; i++)
			sqlite3_finalize(db->st[r][i]);
		free(db->st[r]);
	}
	free_db(db);
}

static void tally_drop(struct db *db)
{
	for (size_t i = 0; i < db->ntal; i++)
		free(db->tal[i].name);
	db->ntal = 0;
}

struct tally *dbi_tally_add(struct db *db, int kind, int64_t ds, const char *name, long n)
{
	for (size_t i = db->ntal; i-- > 0;) /* the newest first: runs of one name */
		if (db->tal[i].kind == kind && db->tal[i].ds == ds && !strcmp(db->tal[i].name, name)) {
			db->tal[i].n += n;
			return &db->tal[i];
		}
	if (db->ntal == db->captal) {
		db->captal = db->captal ? 2 * db->captal : 16;
		db->tal = xrealloc(db->tal, db->captal * sizeof(*db->tal));
	}
	db->tal[db->ntal] = (struct tally){kind, ds, xstrdup(name), n, 0};
	return &db->tal[db->ntal++];
}

struct tally *dbi_tally_count(struct db *db, int kind, int64_t ds, const char *name)
{
	return dbi_tally_add(db, kind, ds, name, 1);
}

/* the data set of a solution, the last one remembered */
int64_t dbi_dataset_of(struct db *db, int64_t sol)
{
	if (sol == db->ds_sol)
		return db->ds_id;
	sqlite3_stmt *s = stmt(db, S_SOL_DATASET);
	sqlite3_bind_int64(s, 1, sol);
	int64_t ds = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	db->ds_sol = sol;
	db->ds_id = ds;
	return ds;
}

static int tally_flush(struct db *db)
{
	static const char *const kinds[] = {"label", "suggestion", "decider", "decided", "rated",
					    "adjudicated"};
	for (size_t i = 0; i < db->ntal; i++) {
		if (!db->tal[i].n)
			continue; /* a summary rewritten with the same counts */
		sqlite3_stmt *s = stmt(db, S_TALLY_ADD);
		bind_text(s, 1, kinds[db->tal[i].kind]);
		sqlite3_bind_int64(s, 2, db->tal[i].ds);
		bind_text(s, 3, db->tal[i].name);
		sqlite3_bind_int64(s, 4, db->tal[i].n);
		if (dbi_step_done(db, s) < 0)
			return -1;
	}
	tally_drop(db);
	return 0;
}

/*
 * An import into a store that holds data (a WAL store) runs with half the
 * page cache. Since the import stopped upserting every solution's
 * problem, SQLite's cache held twice what it was given during such an
 * import (massif: 14.5 MB of pages allocated under
 * sqlite3PcacheFetchStress besides the 16 MB; peak RSS 44 MB at 40 K and
 * 100 K solutions, 29 MB before), for no speed: with half, RSS is 29 MB
 * again (bench/import).
 */
int db_import_cache(struct db *db, int importing)
{
	return dbi_exec(db, importing ? "PRAGMA cache_size = -8000;" : STORE_CACHE);
}

/* 2 MB: the walk's windows read each page a few times at most, one
 * after the other (bench/consensus, 100 K: as fast as with 16 MB, and
 * a first run's peak RSS 35 MB instead of 49 beside the writer's) */
int db_stream_cache(struct db *db)
{
	return dbi_exec(db, "PRAGMA cache_size = -2000;");
}

int db_begin(struct db *db)
{
	tally_drop(db);
	db->counts_known = 0;
	dbi_words_drop(db);
	now_iso(db->now);
	return dbi_exec(db, "BEGIN IMMEDIATE");
}

int db_read_begin(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		return 0;
	return dbi_exec(db, "BEGIN") < 0 ? -1 : 1;
}

void db_read_end(struct db *db, int began)
{
	if (began <= 0)
		return;
	dbi_reset_all(db);
	if (dbi_exec(db, "COMMIT") < 0)
		dbi_exec(db, "ROLLBACK");
}

/* The log synced to the disk, as synchronous = FULL syncs it inside
 * COMMIT, but after the write lock is released: every commit that came
 * before is durable when it returns (a sync is of the file, whichever
 * descriptor asks; frames a checkpoint has since copied were synced into
 * the store by it). */
int db_sync(struct db *db)
{
	if (!db->unsynced)
		return 0;
	int fd = open(db->wait.wal, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fdatasync(fd);
	close(fd);
	if (rc == 0)
		db->unsynced = 0;
	return rc == 0 ? 0 : -1;
}

int db_commit(struct db *db)
{
	if (tally_flush(db) < 0 || dbi_words_flush(db) < 0)
		return -1; /* the caller rolls back */
	db->counts_known = 0; /* read again in the next: another may count */
	dbi_reset_all(db);
	return dbi_exec(db, "COMMIT");
}

int db_rollback(struct db *db)
{
	tally_drop(db);
	db->counts_known = 0;
	dbi_words_drop(db);
	dbi_reset_all(db);
	return dbi_exec(db, "ROLLBACK");
}

int dbi_step_done(struct db *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		errf("stepmark: store error: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
}

int dbi_state_put(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(db, value ? S_STATE_SET : S_STATE_DEL);
	bind_text(s, 1, key);
	if (value)
		bind_text(s, 2, value);
	return dbi_step_done(db, s);
}

int64_t dbi_one_int(sqlite3_stmt *s, int64_t dflt)
{
	int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : dflt;
	sqlite3_reset(s);
	return v;
}

/* The log's size at each commit of this connection, kept for
 * db_checkpoint_idle instead of checkpointing in the commit. */
static int wal_note(void *ctx, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	((struct db *)ctx)->wal_frames = frames;
	((struct db *)ctx)->unsynced = 1;
	return SQLITE_OK;
}

int db_set_interactive(struct db *db)
{
	/* a label reported saved survives a power cut: the workbench syncs
	 * the log (db_sync) once the lock is free and before it says saved
	 * (synchronous = FULL synced it under the lock: from BEGIN to the end
	 * of COMMIT a label held it 6.3 ms at the median, 19.8 at p90, with
	 * four workbenches and a fetch; with the sync after it, 0.5 and 2.3);
	 * a short wait for the lock, because the program retries rather than
	 * block a key */
	db_set_busy_ms(db, 25);
	/* no checkpoint inside a label's commit: the hook replaces SQLite's
	 * autocheckpoint (the commit that took the log past 1000 pages, and
	 * every one after it while readers kept it from being reset, copied
	 * the log into the store and synced it: a label's COMMIT took 7 ms at
	 * the median, 91 ms at most, with eight workbenches and a fetch) */
	sqlite3_wal_hook(db->h, wal_note, db);
	return dbi_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4000;");
}

#define CHECKPOINT_FRAMES 1000 /* SQLite's autocheckpoint's */

int db_checkpoint_idle(struct db *db)
{
	if (db->wal_frames < CHECKPOINT_FRAMES)
		return 0;
	db->wal_frames = 0;
	/* PASSIVE: what no reader needs, without waiting for anyone */
	return sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
	       SQLITE_OK ? 1 : 0;
}

int db_busy(struct db *db)
{
	int e = sqlite3_errcode(db->h);
	return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

int64_t db_data_version(struct db *db)
{
	return dbi_one_int(stmt(db, S_DATA_VERSION), -1);
}

int db_generation_bump(struct db *db)
{
	sqlite3_stmt *s = stmt(db, S_GEN_BUMP);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int read_marks(struct db *db, struct db_marks *m)
{
	sqlite3_stmt *s = stmt(db, S_MARKS);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*m = (struct db_marks){sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
				       sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)};
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* the solutions of rows after id in a table (a run of rows of one
 * solution said once): 1 when more than limit */
static int new_rows(sqlite3_stmt *s, int64_t after, long limit, void (*fn)(void *, int64_t),
		    void *arg)
{
	sqlite3_bind_int64(s, 1, after);
	long n = 0;
	int64_t last = -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t sol = sqlite3_column_int64(s, 0);
		if (sol == last)
			continue;
		if (n++ == limit)
			break;
		fn(arg, last = sol);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_changes_since(struct db *db, struct db_marks *m, long limit,
		     void (*fn)(void *, int64_t), void *arg)
{
	struct db_marks now; /* rows after it read too: counted twice, never missed */
	int r = read_marks(db, &now);
	if (r == 0 && (now.generation != m->generation || now.solution - m->solution > limit))
		r = 1;
	if (r == 0 && now.label > m->label)
		r = new_rows(stmt(db, S_NEW_LABELS), m->label, limit, fn, arg);
	if (r == 0 && now.suggestion > m->suggestion)
		r = new_rows(stmt(db, S_NEW_SUGS), m->suggestion, limit, fn, arg);
	for (int64_t id = m->solution + 1; r == 0 && id <= now.solution; id++)
		fn(arg, id); /* new solutions: their chunk's count is stale */
	if (r >= 0)
		*m = now;
	return r;
}

int db_changes_mark(struct db *db, struct db_marks *m)
{
	return read_marks(db, m);
}

/* Every statement run, with its parameters, for bench/ui's peer. */
static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
	(void)x;
	if (type != SQLITE_TRACE_STMT)
		return 0;
	char *sql = sqlite3_expanded_sql(p);
	if (sql) {
		fprintf(ctx, "%s;\n", sql);
		sqlite3_free(sql);
	}
	return 0;
}

void db_set_progress(struct db *db, db_progress_fn fn, void *ctx)
{
	db->progress = fn;
	db->progress_ctx = ctx;
}

void db_trace(struct db *db, FILE *fp)
{
	sqlite3_trace_v2(db->h, fp ? SQLITE_TRACE_STMT : 0, fp ? trace_stmt : NULL, fp);
}

void db_set_busy_ms(struct db *db, int ms)
{
	db->wait.limit_ms = ms;
	sqlite3_busy_handler(db->h, busy_wait, &db->wait);
}

int db_schema_current(void)
{
	return schema_count();
}

sqlite3_stmt *dbi_prepare_once(struct db *db, const char *sql)
{
	sqlite3_stmt *s;
	return sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) == SQLITE_OK ? s : NULL;
}

int dbi_finish(sqlite3_stmt *s, int rc)
{
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
