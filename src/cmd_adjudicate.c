/* cmd_adjudicate.c - `stepmark adjudicate`: an adjudicator's decision on
 * one solution from the command line (the workbench's review view does
 * the same with a key) */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "cmd.h"
#include "conf.h"
#include "summary.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_adjudicate_help[] =
	"    --first-error N | --no-error | --pick ANNOTATOR  (N from 1)\n"
	"    --dataset NAME          where the id is in several data sets\n";

enum { J_ID = 1000, J_DATASET, J_FE, J_NONE, J_PICK, J_REASON, J_DB, J_HELP };

static void usage_adj(FILE *f)
{
	fprintf(f, "usage: stepmark adjudicate --id ID [--dataset NAME] --reason TEXT\n"
		   "         (--first-error N | --no-error | --pick ANNOTATOR)\n"
		   "Stores an adjudicator's decision on a solution: the first error (N counts\n"
		   "steps from 1, as the workbench shows them), no error, or the first error\n"
		   "an annotator gave. It outranks every annotator in `stepmark consensus`.\n");
}

/* the solution of an id, in the data set or in the only one that has it */
static int64_t find(struct db *db, const char *id, const char *dataset, char *err, size_t n)
{
	struct db_keyed k[2];
	int rows = db_solutions_keyed(db, id, dataset, k, 2);
	if (rows < 0)
		return -1;
	int64_t sol = rows == 1 ? k[0].sol : 0;
	if (rows > 1)
		snprintf(err, n, "id \"%s\" is in data sets %s and %s: say which with --dataset",
			 inert(id, 0), inert(k[0].dataset, 1), inert(k[1].dataset, 2));
	if (!rows)
		snprintf(err, n, "no solution with id \"%s\"%s%s", inert(id, 0),
			 dataset ? " in data set " : "", dataset ? inert(dataset, 1) : "");
	return sol;
}

int cmd_adjudicate(int argc, char **argv, struct cmd_env *env)
{
	const char *dbpath = env->dbpath, *annotator = env->annotator, *config_path = env->config;
	static const struct option opts[] = {
		{"id", required_argument, NULL, J_ID},
		{"dataset", required_argument, NULL, J_DATASET},
		{"first-error", required_argument, NULL, J_FE},
		{"no-error", no_argument, NULL, J_NONE},
		{"pick", required_argument, NULL, J_PICK},
		{"reason", required_argument, NULL, J_REASON},
		{"db", required_argument, NULL, J_DB},
		{"help", no_argument, NULL, J_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *id = NULL, *dataset = NULL, *pick = NULL, *reason = NULL;
	int fe = -2, ways = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case J_ID: id = optarg; break;
		case J_DATASET: dataset = optarg; break;
		case J_FE: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 100000)
				return bad_usage("--first-error is a step number, from 1");
			fe = (int)v - 1;
			ways++;
			break;
		}
		case J_NONE: fe = -1; ways++; break;
		case J_PICK: pick = optarg; ways++; break;
		case J_REASON: reason = optarg; break;
		case J_DB: dbpath = optarg; break;
		case J_HELP: usage_adj(stdout); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return bad_usage("adjudicate takes no file arguments");
	if (!id)
		return bad_usage("adjudicate: --id ID names the solution");
	if (ways != 1)
		return bad_usage("adjudicate: one of --first-error N, --no-error, --pick ANNOTATOR");
	if (!reason || !*reason)
		return bad_usage("adjudicate: --reason TEXT is required (why this decision)");
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	if (!annotator && cpath)
		conf_load(&cfg, cpath, config_path == NULL, stderr);
	free(cpath);
	struct annotator who = {.name = conf_annotator(&cfg.set, annotator), .origin = "cli"};
	char err[600];
	int rc = EX_OK;
	struct db *db = cmd_db_open(dbpath, err, sizeof(err));
	struct db_solution v = {0};
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		conf_done(&cfg);
		return EX_STORE;
	}
	db_say_waits(db, stderr);
	err[0] = '\0';
	int64_t sol = find(db, id, dataset, err, sizeof(err));
	if (sol <= 0) {
		errf("stepmark: adjudicate: %s\n", err[0] ? err : db_errmsg(db));
		rc = sol < 0 ? EX_STORE : EX_USAGE;
		goto out;
	}
	if (db_solution_load(db, sol, &v) != 1) {
		rc = EX_STORE;
		goto out;
	}
	if (pick) {
		int *r = xmalloc((v.it.nsteps + 1) * sizeof(int));
		fe = summary_annotator(&v.it, pick, r);
		free(r);
		if (fe < -1) {
			errf("stepmark: adjudicate: %s has not decided this solution's first error\n",
			     inert(pick, 0));
			rc = EX_USAGE;
			goto out;
		}
	}
	struct annot_result res;
	int a = annot_adjudicate(db, &v, &who, fe, reason, &res);
	if (a == ANNOT_OK) {
		printf("%s (%s, by %s)\n", res.what, inert(id, 0), inert(who.name, 1));
	} else if (a == ANNOT_NOTHING) {
		errf("stepmark: adjudicate: %s\n", res.what);
		rc = EX_USAGE;
	} else {
		errf("stepmark: adjudicate: the store failed: %s\n", res.what);
		rc = EX_STORE;
	}
out:
	db_solution_free(&v);
	db_close(db);
	conf_done(&cfg);
	return rc;
}
