/* cmd_merge.c - `stepmark merge OTHER.db`: another store's labels (notes
 * and adjudications are labels), suggestions and alignments brought into
 * this one, solutions matched by data set and id. The other store is
 * read, never written, and distrusted: its schema must be a store's, and
 * each row passes the checks an import makes or is left out and said. A
 * label already here (the same solution, step, kind, value, text,
 * annotator, origin and time; for an import's label, any time) is not
 * brought twice, so a merge can run again; a solution whose steps differ
 * between the stores is a conflict and keeps this store's. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "progress.h"
#include "summary.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_merge_help[] =
	"    --quiet                 no progress line, no summary unless it failed\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

#define MAX_SHOWN 10     /* conflicts listed before the rest are counted */
#define MAX_BAD_SHOWN 20 /* rows left out, listed before the rest are counted */
/* a read of the other store that takes longer has met something no
 * store of ours holds (a read is an index lookup; a scan of 445 K
 * solutions' rows takes well under a second) */
#define READ_LIMIT_MS 20000

enum { M_DB = 1000, M_HELP, M_QUIET, M_EVERY };

/* what the merge says as it goes */
struct said {
	struct db *db;
	const char *other;
	struct progress *pg;
	char *conflicts[MAX_SHOWN];
	long nconflicts;
	long nbad;
};

static int touched(void *ctx, int64_t sol)
{
	struct said *s = ctx;
	return summary_refresh(s->db, sol) < 0;
}

static void bad_row(void *ctx, const char *what, const char *why)
{
	struct said *s = ctx;
	if (++s->nbad <= MAX_BAD_SHOWN) {
		if (s->pg)
			progress_clear(s->pg);
		errf("stepmark: merge: %s: %s: %s (left out)\n", s->other, what, why);
	}
}

static void conflict(void *ctx, const char *dataset, const char *key, const char *why)
{
	struct said *s = ctx;
	if (s->nconflicts < MAX_SHOWN) {
		struct buf b = {0};
		buf_printf(&b, "  %s  ", inert(dataset ? dataset : "?", 0));
		buf_printf(&b, "%s  ", inert(key ? key : "?", 0));
		buf_printf(&b, "%s", inert(why, 0));
		s->conflicts[s->nconflicts] = b.data;
	}
	s->nconflicts++;
}

static void say_labels(void *ctx, const char *annotator, long n)
{
	(void)ctx;
	printf("  %ld label%s by %s\n", n, n == 1 ? "" : "s", inert(annotator, 0));
}

static void report(struct db_merge *m, const struct said *s)
{
	struct db_merge_counts c;
	db_merge_count(m, &c);
	printf("merged %s: %ld solution%s in both stores\n", inert(s->other, 0), c.matched,
	       c.matched == 1 ? "" : "s");
	if (db_merge_labels(m, say_labels, NULL) == 0)
		printf("  no label this store lacks\n");
	printf("  %ld suggestion%s\n", c.suggestions, c.suggestions == 1 ? "" : "s");
	if (c.alignments)
		printf("  %ld alignment link%s\n", c.alignments, c.alignments == 1 ? "" : "s");
	if (c.missing > 0)
		printf("%ld solution%s of %s not in this store (import the data set here first): "
		       "their labels stay there\n", c.missing, c.missing == 1 ? "" : "s",
		       inert(s->other, 0));
	if (!c.conflicts)
		return;
	printf("%ld conflict%s, kept as this store has them:\n", c.conflicts,
	       c.conflicts == 1 ? "" : "s");
	for (long i = 0; i < c.conflicts && i < MAX_SHOWN; i++)
		printf("%s\n", s->conflicts[i]);
	if (c.conflicts > MAX_SHOWN)
		printf("  ... and %ld more\n", c.conflicts - MAX_SHOWN);
}

/* The other store opened for the merge, or NULL after saying why (every
 * refusal is bad input: exit 1) */
static struct db_merge *open_other(struct db *db, const char *other)
{
	struct db_merge *m;
	long v;
	char err[600];
	switch (db_merge_open(db, other, READ_LIMIT_MS, &m, &v, err, sizeof(err))) {
	case DBM_OK:
		return m;
	case DBM_VERSION:
		if (v > db_schema_current())
			errf("stepmark: merge: %s has schema version %ld, written by a newer "
			     "stepmark; this one knows versions up to %d: merge it with that "
			     "stepmark, or upgrade this one\n", inert(other, 0), v,
			     db_schema_current());
		else
			errf("stepmark: merge: %s has schema version %ld and this stepmark "
			     "reads %d: upgrade it by opening it once in the workbench "
			     "(stepmark --db %s, then q), and merge again\n", inert(other, 0), v,
			     db_schema_current(), inert(other, 1));
		return NULL;
	default:
		errf("stepmark: merge: %s (nothing merged)\n", inert(err, 0));
		return NULL;
	}
}

static void said_free(struct said *s)
{
	for (long i = 0; i < s->nconflicts && i < MAX_SHOWN; i++)
		free(s->conflicts[i]);
}

/* The merge in one transaction: an exit status */
static int run(struct db *db, struct db_merge *m, struct said *s, int quiet, long every)
{
	if (summary_backfill(db) < 0 || db_begin(db) < 0) {
		errf("stepmark: merge: the store failed: %s (nothing merged)\n", db_errmsg(db));
		return EX_STORE;
	}
	struct progress pg;
	char what[300];
	snprintf(what, sizeof(what), "merge %s", s->other);
	cmd_progress_begin(&pg, db, quiet, every, what, "solutions");
	s->pg = &pg;
	struct db_merge_hooks h = {s, touched, bad_row, conflict};
	int rc = db_merge_run(m, &h);
	s->pg = NULL;
	if (cmd_progress_end(&pg, db, "nothing merged")) {
		db_rollback(db);
		return 130;
	}
	if (rc == -2) {
		errf("stepmark: merge: %s: %s (nothing merged)\n", inert(s->other, 0),
		     inert(db_merge_errmsg(m), 1));
		db_rollback(db);
		return EX_BAD;
	}
	if (rc < 0 || db_commit(db) < 0) {
		errf("stepmark: merge: the store failed: %s (nothing merged)\n", db_errmsg(db));
		db_rollback(db);
		return EX_STORE;
	}
	if (!quiet)
		report(m, s);
	if (s->nbad) {
		if (s->nbad > MAX_BAD_SHOWN)
			errf("... and %ld more\n", s->nbad - MAX_BAD_SHOWN);
		errf("stepmark: merge: %s: %ld row%s failed the checks and %s left out (listed "
		     "above); the rest is merged\n", inert(s->other, 0), s->nbad,
		     s->nbad == 1 ? "" : "s", s->nbad == 1 ? "was" : "were");
		return EX_BAD;
	}
	return EX_OK;
}

int cmd_merge(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath;
	static const struct option opts[] = {
		{"db", required_argument, NULL, M_DB},
		{"help", no_argument, NULL, M_HELP},
		{"quiet", no_argument, NULL, M_QUIET},
		{"progress-every", required_argument, NULL, M_EVERY},
		{NULL, 0, NULL, 0},
	};
	int c, quiet = 0;
	long every = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case M_DB: dbpath = optarg; break;
		case M_QUIET: quiet = 1; break;
		case M_EVERY:
			if ((every = cmd_seconds(optarg)) <= 0)
				return bad_usage("--progress-every needs seconds");
			break;
		case M_HELP:
			puts("usage: stepmark merge OTHER.db\nBrings another store's labels, notes, "
			     "adjudications, suggestions and alignments into this one.");
			return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind + 1 != argc)
		return bad_usage("merge takes one store: stepmark merge OTHER.db");
	const char *other = argv[optind];
	struct stat a, b;
	if (stat(other, &a) != 0) {
		errf("stepmark: merge: cannot read %s: %s\n", inert(other, 0), strerror(errno));
		return EX_BAD;
	}
	if (stat(dbpath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		errf("stepmark: merge: %s: that is this store\n", inert(other, 0));
		return EX_BAD;
	}
	char err[600];
	struct db *db = cmd_db_open(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		return EX_STORE;
	}
	db_say_waits(db, stderr);
	struct db_merge *m = open_other(db, other);
	int rc = EX_BAD;
	if (m) {
		struct said s = {.db = db, .other = other};
		rc = run(db, m, &s, quiet, every);
		said_free(&s);
	}
	db_merge_close(m);
	db_close(db);
	return rc;
}
