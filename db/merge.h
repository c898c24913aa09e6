/* merge.h - another store read beside this one, distrusted, and brought into it: solutions matched, every row checked, labels, suggestions and alignments copied (merge.c) */
#ifndef SM_DB_MERGE_H
#define SM_DB_MERGE_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct db_merge; /* the other store, open for reading, and what the merge found */

/* What a merge found. */
struct db_merge_counts {
	long matched;     /* solutions in both stores */
	long other;       /* solutions of the other store */
	long missing;     /* of those, solutions this store lacks */
	long conflicts;   /* of the matched, those kept as this store has them */
	long labels;      /* labels brought */
	long suggestions; /* suggestions brought */
	long alignments;  /* alignment links brought */
	long bad;         /* rows left out: they failed the checks */
};

enum db_merge_open_rc {
	DBM_OK,      /* *out is the other store, for db_merge_run */
	DBM_BAD,     /* not a store that can be read safely: err says why */
	DBM_VERSION, /* a stepmark store at another schema: *version is its */
};
/* Opens the store at path to be merged into db: read-only and immutable
 * (no write-ahead log beside it, which is refused: it would be replayed
 * into what is read), no trusted schema, SQLite's defensive mode, no
 * views or triggers run; its schema (tables, columns, indexes,
 * triggers) must be this stepmark's, object for object. A read of it
 * may take at most read_ms. */
enum db_merge_open_rc db_merge_open(struct db *db, const char *path, long read_ms,
				    struct db_merge **out, long *version, char *err,
				    size_t errlen);

/* What db_merge_run tells its caller as it goes. */
struct db_merge_hooks {
	void *ctx;
	/* a solution of this store that received labels or suggestions:
	 * nonzero fails the merge (a store error) */
	int (*touched)(void *ctx, int64_t sol);
	/* a row left out: what (e.g. "label 17"), and why */
	void (*bad)(void *ctx, const char *what, const char *why);
	/* a solution kept as this store has it: its data set, id and why */
	void (*conflict)(void *ctx, const char *dataset, const char *key, const char *why);
};
/* Inside the caller's transaction, one solution of the other store at a
 * time: matched here by data set name and id; a conflict (other steps,
 * or one annotator's labels on it in both stores at interleaved times)
 * brings nothing; each label, suggestion and alignment must pass the
 * checks an import makes (types, ranges against this store's steps,
 * sizes), else it is left out and said; what this store already holds
 * is not brought again (an import's label or suggestion is the same
 * whichever import made it). Progress is db's progress hook (solutions).
 * 0; -1 on a store error (db_errmsg); -2 when the other store could not
 * be read (db_merge_errmsg). */
int db_merge_run(struct db_merge *m, const struct db_merge_hooks *h);
const char *db_merge_errmsg(const struct db_merge *m);
/* What it found so far. */
void db_merge_count(const struct db_merge *m, struct db_merge_counts *c);
/* Each annotator of the labels brought, by name, to fn with how many.
 * Returns how many annotators fn saw. */
long db_merge_labels(struct db_merge *m,
		     void (*fn)(void *ctx, const char *annotator, long n), void *ctx);
/* Closes the other store and forgets the merge (NULL: nothing). */
void db_merge_close(struct db_merge *m);

#endif
