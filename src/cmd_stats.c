/* cmd_stats.c - `stepmark stats`: per data set what the store holds,
 * who labelled and which sources suggested, and the annotators' short names */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "alias.h"
#include "cmd.h"
#include "conf.h"
#include "util.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_stats_help[] =
	"";

struct stats_ctx {
	int any;
};

static void print_ds(void *ctx, const struct ds_stats *s)
{
	struct stats_ctx *c = ctx;
	if (!c->any++)
		printf("%-20s %-14s %9s %10s %10s %10s\n", "data set", "format",
		       "problems", "solutions", "steps", "labelled");
	printf("%-20s %-14s %9ld %10ld %10ld %10ld\n", inert(s->name, 0), inert(s->format, 1),
	       s->problems, s->solutions, s->steps, s->labelled_steps);
}

static void print_ann(void *ctx, const char *ds, const char *who, long n)
{
	(void)ctx;
	printf("  %-18s labels by %s: %ld\n", inert(ds, 0), inert(who, 1), n);
}

static void print_src(void *ctx, const char *ds, const char *src, long n)
{
	(void)ctx;
	printf("  %-18s suggestions from %s: %ld\n", inert(ds, 0), inert(src, 1), n);
}

/* the annotators' short names: the config's, then the store's */
static int print_aliases(struct db *db, const char *config_path)
{
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	if (cpath)
		conf_load(&cfg, cpath, config_path == NULL, stderr);
	free(cpath);
	int rc = alias_auto(&cfg.aliases, db);
	if (rc == 0 && cfg.aliases.n) {
		printf("\nannotators' short names (alias NAME SHORT in the config; L1, L2... for UUIDs):\n");
		for (size_t i = 0; i < cfg.aliases.n; i++)
			printf("  %-6s %s%s\n", inert(cfg.aliases.alias[i], 0), inert(cfg.aliases.name[i], 1),
			       cfg.aliases.automatic[i] ? "" : "  (config)");
	}
	conf_done(&cfg);
	return rc;
}

int cmd_stats(int argc, char **argv, struct cmd_env *env)
{
	(void)argv;
	if (argc != 1)
		return bad_usage("stats takes no arguments");
	const char *dbpath = env->dbpath;
	struct db *db = cmd_open_store_ro(dbpath);
	if (!db)
		return EX_STORE;
	struct stats_ctx c = {0};
	int rc = db_stats(db, print_ds, print_ann, print_src, &c);
	if (rc == 0 && c.any)
		rc = print_aliases(db, env->config);
	if (rc < 0)
		errf("stepmark: store error: %s\n", db_errmsg(db));
	else if (!c.any)
		printf("The store %s is empty: import a data set with 'stepmark import FILE'.\n",
		       dbpath);
	db_close(db);
	return rc < 0 ? EX_STORE : EX_OK;
}
