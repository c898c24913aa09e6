/* cmd_merge.c - `stepmark merge OTHER.db`: another store's labels (notes
 * and adjudications are labels), suggestions and alignments brought into
 * this one, solutions matched by data set and id. A label already here
 * (the same solution, step, kind, value, text, annotator, origin and
 * time) is not brought twice, so a merge can run again; a solution whose
 * steps differ between the stores is a conflict and keeps this store's. */
#include "config.h"

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

#define MAX_SHOWN 10

enum { M_DB = 1000, M_HELP, M_QUIET, M_EVERY };

/* The summaries of the solutions the merge touched, counted on pg. */
static int refresh(struct db *db, struct progress *pg)
{
	int64_t *ids;
	size_t n;
	if (db_merge_solutions(db, &ids, &n) < 0)
		return -1;
	int rc = 0;
	pg->unit = "solutions refreshed";
	pg->done = 0;
	pg->total = (int64_t)n;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (summary_refresh(db, ids[i]) < 0 || progress_set(pg, (int64_t)i + 1))
			rc = -1;
	free(ids);
	return rc < 0 ? -1 : db_merge_annotators(db);
}

static void say_labels(void *ctx, const char *annotator, long n)
{
	(void)ctx;
	printf("  %ld label%s by %s\n", n, n == 1 ? "" : "s", inert(annotator, 0));
}

static void say_conflict(void *ctx, const char *dataset, const char *key, const char *why)
{
	(void)ctx;
	printf("  %s  %s  %s\n", inert(dataset, 0), inert(key, 1), inert(why, 2));
}

static void report(struct db *db, const char *other)
{
	struct db_merge_counts c;
	db_merge_count(db, &c);
	long missing = c.other - c.matched;
	printf("merged %s: %ld solution%s in both stores\n", inert(other, 0), c.matched,
	       c.matched == 1 ? "" : "s");
	if (db_merge_labels(db, say_labels, NULL) == 0)
		printf("  no label this store lacks\n");
	printf("  %ld suggestion%s\n", c.suggestions, c.suggestions == 1 ? "" : "s");
	if (missing > 0)
		printf("%ld solution%s of %s not in this store (import the data set here first): "
		       "their labels stay there\n", missing, missing == 1 ? "" : "s",
		       inert(other, 0));
	if (!c.conflicts)
		return;
	printf("%ld conflict%s, kept as this store has them:\n", c.conflicts,
	       c.conflicts == 1 ? "" : "s");
	if (db_merge_conflicts(db, MAX_SHOWN, say_conflict, NULL) < 0)
		return;
	if (c.conflicts > MAX_SHOWN)
		printf("  ... and %ld more\n", c.conflicts - MAX_SHOWN);
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
		errf("stepmark: merge: cannot read %s\n", inert(other, 0));
		return EX_USAGE;
	}
	if (stat(dbpath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return bad_usage("merge: that is this store");
	char err[600];
	struct db *db = cmd_db_open(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		return EX_STORE;
	}
	db_say_waits(db, stderr);
	int rc = EX_OK;
	int arc = db_merge_attach(db, other);
	if (arc < 0) {
		rc = EX_STORE;
		goto out;
	}
	if (arc == 0) {
		errf("stepmark: merge: cannot open %s: %s\n", inert(other, 0), db_errmsg(db));
		db_close(db);
		return EX_USAGE;
	}
	long v;
	if (!db_merge_check(db, &v)) {
		errf("stepmark: merge: %s is %s (schema %ld; this stepmark's is %d): open it "
		     "once with this stepmark (stepmark --db %s stats) and merge again\n",
		     inert(other, 0), v > db_schema_current() ? "from a newer stepmark" :
		     "not a store at this stepmark's schema", v, db_schema_current(), inert(other, 1));
		rc = EX_USAGE;
		goto out;
	}
	if (summary_backfill(db) < 0 || db_begin(db) < 0) {
		rc = EX_STORE;
		goto out;
	}
	struct progress pg;
	char what[300];
	snprintf(what, sizeof(what), "merge %s", other);
	cmd_progress_begin(&pg, db, quiet, every, what, "plan steps");
	if (db_merge_apply(db) < 0 || refresh(db, &pg) < 0)
		rc = EX_STORE;
	if (cmd_progress_end(&pg, db, "nothing merged")) {
		db_rollback(db);
		rc = 130;
		goto out;
	}
	if (rc == EX_OK) {
		if (!quiet)
			report(db, other);
		if (db_commit(db) < 0)
			rc = EX_STORE;
	}
	if (rc != EX_OK) {
		errf("stepmark: merge: the store failed: %s (nothing merged)\n", db_errmsg(db));
		db_rollback(db);
	}
out:
	/* a transaction still open (a failure before the merge began) is
	 * rolled back there */
	db_merge_detach(db);
	db_close(db);
	return rc;
}
