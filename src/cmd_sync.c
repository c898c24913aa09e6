/* cmd_sync.c - `stepmark sync`: the store pushes to its hub what the hub
 * lacks (a lead's solutions, the member's labels), then pulls what is
 * new there after its place, and says what moved; --create makes a new
 * store from the hub */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "import.h"
#include "sync.h"
#include "util.h"

const char cmd_sync_help[] =
	"    --create                make a missing store (--db) from the hub\n"
	"    --page N                events pulled per transaction of the store (1000)\n";

enum { Y_CREATE = 1000, Y_PAGE, Y_HELP };

#define MAX_SHOWN 10 /* conflicts listed before the rest are counted */

static void usage_sync(FILE *f)
{
	fprintf(f, "usage: stepmark [--db PATH] [--hub URL] sync [--create] [--page N]\n"
		   "Push to the hub what it lacks, then pull what is new there.\n%s",
		cmd_sync_help);
}

struct sync_said {
	long shown;
};

static void conflict(void *ctx, const char *dataset, const char *key, int here)
{
	struct sync_said *s = ctx;
	if (s->shown++ >= MAX_SHOWN)
		return;
	printf("conflict: %s ", inert(dataset ? dataset : "?", 0));
	printf("%s: %s (each keeps its own; nothing merged)\n", inert(key ? key : "?", 0),
	       here ? "this store has other steps under this id than the hub"
		    : "the hub has other steps under this id than this store");
}

static void offline(void *ctx, const char *annotator, const char *dataset, const char *key,
		    const char *at)
{
	struct sync_said *s = ctx;
	if (s->shown++ >= MAX_SHOWN)
		return;
	printf("conflict: %s labelled ", inert(annotator ? annotator : "?", 0));
	printf("%s ", inert(dataset ? dataset : "?", 0));
	printf("%s on two stores while offline; ", inert(key ? key : "?", 0));
	printf("in force: the later labels (the last made %s)\n", inert(at ? at : "?", 0));
}

static void report(const struct sync_counts *c, long shown)
{
	printf("pushed: %ld solution%s, %ld label%s\n", c->sols_pushed,
	       c->sols_pushed == 1 ? "" : "s", c->labels_pushed, c->labels_pushed == 1 ? "" : "s");
	printf("pulled: %ld solution%s, %ld label%s\n", c->sols_pulled,
	       c->sols_pulled == 1 ? "" : "s", c->labels_pulled, c->labels_pulled == 1 ? "" : "s");
	printf("suggestions: %ld pushed, %ld pulled\n", c->sugs_pushed, c->sugs_pulled);
	printf("actions: %ld pushed, %ld pulled\n", c->acts_pushed, c->acts_pulled);
	if (c->acts_bad)
		printf("%ld action%s of the hub this store does not take (left out)\n", c->acts_bad,
		       c->acts_bad == 1 ? "" : "s");
	if (c->acts_kept)
		printf("%ld action%s on solutions the hub lacks (not pushed)\n", c->acts_kept,
		       c->acts_kept == 1 ? "" : "s");
	if (c->sugs_kept)
		printf("%ld suggestion%s the hub does not take (its solution is not there, or "
		       "fetch --hub runs its job there)\n", c->sugs_kept, c->sugs_kept == 1 ? "" : "s");
	printf("alignments: %ld pushed, %ld pulled; responses cached: %ld pushed\n",
	       c->aligns_pushed, c->aligns_pulled, c->cache_pushed);
	if (c->cache_kept_out)
		printf("%ld cached response%s kept out: the hub has another under its request\n",
		       c->cache_kept_out, c->cache_kept_out == 1 ? "" : "s");
	if (c->deal.rows || c->deal.policies || c->deal.waiting)
		printf("deal: %ld assignment%s pulled, %ld waiting for their solutions; policy: %s\n",
		       c->deal.rows, c->deal.rows == 1 ? "" : "s", c->deal.waiting,
		       c->deal.policies ? "the hub's pulled" : "as before");
	if (c->deal.bad)
		printf("deal: %ld assignment%s of the hub naming no annotator a store keeps "
		       "(left out)\n", c->deal.bad, c->deal.bad == 1 ? "" : "s");
	if (c->deal.pushed)
		printf("deal: %ld assignment%s this store dealt before it was tied to the hub "
		       "written on the hub\n", c->deal.pushed, c->deal.pushed == 1 ? "" : "s");
	if (c->deal.why[0])
		printf("deal: this store's own deal not written on the hub: %s\n", c->deal.why);
	if (shown > MAX_SHOWN)
		printf("... and %ld more conflicts\n", shown - MAX_SHOWN);
	if (c->offline)
		printf("%ld solution%s labelled by one annotator on two stores while offline "
		       "(the later labels in force on every store)\n", c->offline,
		       c->offline == 1 ? "" : "s");
	if (c->conflict_labels)
		printf("%ld label%s on solutions in conflict not moved\n", c->conflict_labels,
		       c->conflict_labels == 1 ? "" : "s");
	if (c->not_on_hub)
		printf("%ld label%s on solutions the hub lacks (a lead pushes them first)\n",
		       c->not_on_hub, c->not_on_hub == 1 ? "" : "s");
	if (c->bad)
		printf("%ld label%s of the hub this store does not take (left out)\n", c->bad,
		       c->bad == 1 ? "" : "s");
	if (c->unpushed)
		printf("%ld label%s of this store not on the hub\n", c->unpushed,
		       c->unpushed == 1 ? "" : "s");
}

struct hub *cmd_hub_open(const char *what, char *url, struct hub_me *me, int *rc)
{
	char err[600];
	struct hub *h = hub_connect(url, err, sizeof(err));
	free(url);
	*rc = EX_STORE;
	if (!h) {
		errf("stepmark: %s: cannot reach the hub: %s\n", what, err);
		return NULL;
	}
	if (hub_whoami(h, me) < 0) {
		errf("stepmark: %s: the hub failed: %s\n", what, hub_errmsg(h));
	} else if (me->version != 0 && me->role == HUB_NONE) {
		errf("stepmark: %s: %s is not a member of the hub (a lead adds it: stepmark hub "
		     "add NAME --role ROLE)\n", what, inert(me->user, 0));
		*rc = EX_BAD;
	} else if (me->version == 0 || me->version < hub_schema_current()) {
		errf("stepmark: %s: the hub's schema is at version %d and this stepmark needs "
		     "%d: a lead runs stepmark --hub URL hub init\n", what, me->version,
		     hub_schema_current());
		*rc = EX_BAD;
	} else if (me->version > hub_schema_current()) {
		errf("stepmark: %s: the hub has schema version %d, written by a newer stepmark; "
		     "this one knows versions up to %d: upgrade stepmark\n", what, me->version,
		     hub_schema_current());
	} else {
		return h;
	}
	hub_close(h);
	return NULL;
}

int cmd_hub_bind(const char *what, struct db *db, const struct hub_me *me)
{
	char bound[80];
	if (db_hub_bound(db, bound, sizeof(bound)) < 0)
		goto fail;
	if (*bound && strcmp(bound, me->id)) {
		errf("stepmark: %s: this store syncs with another hub (id %s; this one is %s): "
		     "nothing moved\n", what, inert(bound, 0), inert(me->id, 1));
		return EX_BAD;
	}
	if (*bound)
		return 0;
	if (db_begin(db) == 0 && db_hub_bind(db, me->id) == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
fail:
	errf("stepmark: %s: the store failed: %s\n", what, db_errmsg(db));
	return EX_STORE;
}

/* The store db synced with the hub h, and what moved said: EX_*; *bound
 * when the store is tied to the hub (then it holds what the sync took) */
static int sync_store(struct db *db, struct hub *h, const struct hub_me *me, long page,
		      int *bound)
{
	int rc = cmd_hub_bind("sync", db, me);
	*bound = rc == 0;
	if (rc != 0)
		return rc;
	struct sync_said s = {0};
	struct sync_hooks hk = {&s, conflict, offline};
	struct sync_counts c;
	int r = sync_run(db, h, me, (int)page, &hk, &c);
	report(&c, s.shown);
	if (r == -1)
		errf("stepmark: sync: the store failed: %s (what moved before is kept)\n",
		     db_errmsg(db));
	else if (r == -2)
		errf("stepmark: sync: the hub failed: %s (what moved before is kept; the "
		     "next sync goes on from there)\n", hub_errmsg(h));
	return r < 0 ? EX_STORE : EX_OK;
}

static int live_store(const char *dbpath, struct hub *h, const struct hub_me *me, long page)
{
	struct db *db = cmd_open_store(dbpath);
	if (!db)
		return EX_STORE;
	int bound, rc = sync_store(db, h, me, page, &bound);
	db_close(db);
	return rc;
}

/* The private file tmp, synced to disk, linked into place as dbpath:
 * 0, 1 when dbpath appeared meanwhile, -1 (said) */
static int link_store(const char *tmp, const char *dbpath)
{
	int fd = open(tmp, O_RDWR);
	int rc = fd >= 0 && fsync(fd) == 0 ? link(tmp, dbpath) : -1;
	if (fd >= 0)
		close(fd);
	if (rc == 0) {
		import_sync_dir(dbpath); /* linked: it is there */
		return 0;
	}
	if (errno == EEXIST)
		return 1;
	errf("stepmark: %s: %s\n", dbpath, strerror(errno));
	return -1;
}

/* A store made from the hub (--create where there is none) is built in
 * a private file, DBPATH.sync-PID, that nobody else can open, in
 * import's bulk mode (the journal in memory, one lock, no fsync: a page
 * commits without a WAL checkpoint), and linked into place when the sync
 * ends, holding the pages it took when the hub failed midway. Killed,
 * it leaves no store (its file goes at the next --create); someone
 * making the store meanwhile gets the sync into theirs. */
static int new_store(const char *dbpath, struct hub *h, const struct hub_me *me, long page)
{
	import_remove_private(dbpath, "sync");
	size_t n = strlen(dbpath) + 32;
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s.sync-%ld", dbpath, (long)getpid());
	unlink(tmp);
	char err[600];
	struct db *db = db_open_bulk(tmp, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s: cannot create the store: %s\n", dbpath, err);
		free(tmp);
		return EX_STORE;
	}
	int bound, rc = sync_store(db, h, me, page, &bound);
	if (db_bulk_finish(db) < 0) {
		errf("stepmark: %s: the store failed as it was made: nothing kept\n", dbpath);
		bound = 0;
		rc = EX_STORE;
	}
	int linked = bound ? link_store(tmp, dbpath) : -1;
	unlink(tmp);
	free(tmp);
	if (linked == 1) {
		errf("stepmark: sync: %s was made meanwhile: synced into it\n", dbpath);
		return live_store(dbpath, h, me, page);
	}
	return linked < 0 && rc == EX_OK ? EX_STORE : rc;
}

static int run(const struct cmd_env *env, const char *dbpath, int create, long page)
{
	char *url = cmd_hub_url(env);
	if (!url)
		return EX_USAGE;
	int missing = access(dbpath, F_OK) != 0;
	if (!create && missing) {
		errf("stepmark: no store at %s: give --create to make it from the hub (stepmark "
		     "--db %s --hub URL sync --create)\n", dbpath, dbpath);
		free(url);
		return EX_STORE;
	}
	struct hub_me me;
	int rc;
	struct hub *h = cmd_hub_open("sync", url, &me, &rc);
	if (!h)
		return rc;
	rc = missing ? new_store(dbpath, h, &me, page) : live_store(dbpath, h, &me, page);
	hub_close(h);
	return rc;
}

int cmd_sync(int argc, char **argv, struct cmd_env *env)
{
	static const struct option opts[] = {
		{"create", no_argument, NULL, Y_CREATE},
		{"page", required_argument, NULL, Y_PAGE},
		{"help", no_argument, NULL, Y_HELP},
		{NULL, 0, NULL, 0},
	};
	int create = env->create, c;
	long page = 1000;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case Y_CREATE: create = 1; break;
		case Y_PAGE:
			if (parse_long(optarg, 1, 1000000, &page) < 0)
				return bad_usage("--page needs a number of events, 1 to 1000000");
			break;
		case Y_HELP: usage_sync(stdout); return EX_OK;
		default: {
			char msg[300];
			snprintf(msg, sizeof(msg), "sync: %s %s", inert(argv[optind - 1], 0),
				 c == ':' ? "needs a value" : "is not an option");
			return bad_usage(msg);
		}
		}
	}
	if (optind < argc)
		return bad_usage("sync takes no argument");
	return run(env, env->dbpath, create, page);
}
