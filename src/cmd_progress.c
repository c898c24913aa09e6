/* cmd_progress.c - `stepmark progress`: how the team is doing, per
 * annotator (assigned, done, rate per active hour, accuracy on gold and
 * whether they passed, agreement with the others), per data set what is
 * left, and labels by guidelines version: a table, bars, or JSON */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "audit.h"
#include "conf.h"
#include "syncdeal.h"
#include "team.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_progress_help[] =
	"    --json                  one object per line, for programs\n"
	"    --min-gold-accuracy P   the bar for passed (else the consensus policy's:\n"
	"                            the hub's, else the config's; else 0.8)\n";

enum { P_JSON = 1000, P_BAR, P_DB, P_HELP };

#define BAR_W 40 /* the bars' width: 80 columns with the name and figures */

static void usage_progress(FILE *f)
{
	fprintf(f,
		"usage: stepmark progress [--json] [--min-gold-accuracy P]\n"
		"How the team is doing: per annotator the solutions assigned and done, the\n"
		"rate per hour of active time, accuracy on gold (passed: at least P), and\n"
		"agreement with the others; per data set what is left; labels by guidelines\n"
		"version.\n");
}

/* a percentage of n in d, or "-" */
static const char *pct(char *o, size_t n, long num, long den)
{
	if (den > 0)
		snprintf(o, n, "%.0f", 100.0 * (double)num / (double)den);
	else
		snprintf(o, n, "-");
	return o;
}

static const char *passed_word(int passed)
{
	return passed == 1 ? "yes" : passed == 0 ? "no" : passed == -1 ? "not yet" : "-";
}

static void table_people(const struct team *t, double bar)
{
	printf("%-14s %8s %6s %7s %6s %5s %5s %7s %6s %5s\n", "annotator", "assigned", "done",
	       "rate/h", "gold", "exact", "near", "passed", "agree", "near");
	for (size_t i = 0; i < t->nann; i++) {
		const struct team_ann *a = &t->ann[i];
		char rate[16] = "-", gold[24] = "-", e[8], nr[8], ag[8], an[8];
		double r = team_rate(a);
		if (!isnan(r))
			snprintf(rate, sizeof(rate), "%.1f", r);
		if (a->gold)
			snprintf(gold, sizeof(gold), "%ld/%ld", a->gold_answered, a->gold);
		printf("%-14.14s %8ld %6ld %7s %6s %5s %5s %7s %6s %5s\n", inert(a->name, 0),
		       a->assigned, a->done, rate, gold,
		       pct(e, sizeof(e), a->gold_right, a->gold_answered),
		       pct(nr, sizeof(nr), a->gold_near, a->gold_answered),
		       passed_word(team_passed(a, bar)), pct(ag, sizeof(ag), a->agree, a->pairs),
		       pct(an, sizeof(an), a->agree_near, a->pairs));
	}
	printf("gold: answered/dealt; exact, near: %% of the answered with the gold's first\n"
	       "error, exactly and within one step; passed: exact %% >= %g%%; agree, near:\n"
	       "%% of the pairs with another person on one solution; rate/h: solutions\n"
	       "decided per hour of active time.\n", 100 * bar);
}

static void bars(const struct team *t)
{
	int any = 0;
	for (size_t i = 0; i < t->nann; i++) {
		const struct team_ann *a = &t->ann[i];
		if (!a->assigned)
			continue;
		if (!any++)
			printf("\nassigned solutions done\n");
		struct buf b = {0};
		audit_bar(&b, (double)a->done / (double)a->assigned, BAR_W, 0);
		/* the bar padded to its width (its blocks are wider in bytes) */
		int shown = 0;
		for (size_t k = 0; k < b.len; k++)
			shown += ((unsigned char)b.data[k] & 0xC0) != 0x80;
		printf("%-14.14s %s%*s %6ld/%-6ld %3.0f%%\n", inert(a->name, 0), b.data ? b.data : "",
		       BAR_W - shown, "", a->done, a->assigned,
		       100.0 * (double)a->done / (double)a->assigned);
		buf_free(&b);
	}
}

static void table_datasets(const struct team *t)
{
	printf("\n%-20s %9s %9s %9s %9s %9s\n", "data set", "solutions", "dealt", "undealt",
	       "open", "undecided");
	for (size_t i = 0; i < t->nds; i++) {
		const struct team_ds *d = &t->ds[i];
		printf("%-20.20s %9ld %9ld %9ld %9ld %9ld\n", inert(d->name, 0), d->solutions,
		       d->dealt, d->solutions - d->dealt, d->open, d->undecided);
	}
	printf("open: dealt and not decided yet by whom it was dealt to; undecided: nobody\n"
	       "decided it yet.\n");
}

static void table_versions(const struct team *t)
{
	if (!t->nver)
		return;
	printf("\n%-14s %-12s %-28s %9s %8s\n", "annotator", "guidelines", "file", "solutions",
	       "labels");
	for (size_t i = 0; i < t->nver; i++) {
		const struct team_version *v = &t->ver[i];
		printf("%-14.14s %-12.12s %-28.28s %9ld %8ld\n", inert(v->annotator, 0),
		       v->hash ? inert(v->hash, 1) : "none", v->path ? inert(v->path, 2) : "",
		       v->solutions, v->labels);
	}
}

/* "key":value, a number or null when NAN */
static void jnum(struct buf *b, const char *key, double v)
{
	if (isnan(v))
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%.4g", key, v);
}

static void jstr(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s\"%s\":", b->len > 1 ? "," : "", key);
	if (v)
		buf_json_str(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static void json_report(const struct team *t, double bar)
{
	struct buf b = {0};
	for (size_t i = 0; i < t->nann; i++) {
		const struct team_ann *a = &t->ann[i];
		int passed = team_passed(a, bar);
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"annotator\"");
		jstr(&b, "annotator", a->name);
		buf_printf(&b, ",\"assigned\":%ld,\"done\":%ld,\"decided\":%ld,\"active_s\":%.1f",
			   a->assigned, a->done, a->decided, (double)a->active_ms / 1000.0);
		jnum(&b, "rate_per_hour", team_rate(a));
		buf_printf(&b, ",\"gold\":%ld,\"gold_answered\":%ld,\"gold_right\":%ld,"
			   "\"gold_within1\":%ld", a->gold, a->gold_answered, a->gold_right, a->gold_near);
		jnum(&b, "gold_accuracy", team_gold_accuracy(a));
		buf_printf(&b, ",\"passed\":%s,\"min_gold_accuracy\":%g,\"pairs\":%ld,\"agree\":%ld,"
			   "\"agree_within1\":%ld}", passed == 1 ? "true" : passed == 0 ? "false" : "null",
			   bar, a->pairs, a->agree, a->agree_near);
		puts(b.data);
	}
	for (size_t i = 0; i < t->nds; i++) {
		const struct team_ds *d = &t->ds[i];
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"dataset\"");
		jstr(&b, "dataset", d->name);
		buf_printf(&b, ",\"solutions\":%ld,\"dealt\":%ld,\"undealt\":%ld,\"open\":%ld,"
			   "\"undecided\":%ld}", d->solutions, d->dealt, d->solutions - d->dealt,
			   d->open, d->undecided);
		puts(b.data);
	}
	for (size_t i = 0; i < t->nver; i++) {
		const struct team_version *v = &t->ver[i];
		buf_reset(&b);
		buf_puts(&b, "{\"kind\":\"guidelines\"");
		jstr(&b, "annotator", v->annotator);
		jstr(&b, "guidelines", v->hash);
		jstr(&b, "path", v->path);
		buf_printf(&b, ",\"solutions\":%ld,\"labels\":%ld}", v->solutions, v->labels);
		puts(b.data);
	}
	buf_free(&b);
}

/* the bar: the option's, else the consensus policy's (the hub's the
 * store pulled, else the config's), else TEAM_PASS */
static double pass_bar(double given, const char *config_path, struct db *db)
{
	if (given >= 0)
		return given;
	char *hub_rules = NULL;
	if (syncdeal_policy(db, &hub_rules, NULL) == 1) {
		double bar = team_bar(hub_rules);
		free(hub_rules);
		return bar;
	}
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	if (cpath)
		conf_load(&cfg, cpath, config_path == NULL, stderr);
	free(cpath);
	double bar = team_bar(cfg.consensus);
	conf_done(&cfg);
	return bar;
}

int cmd_progress(int argc, char **argv, struct cmd_env *env)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, P_JSON},
		{"min-gold-accuracy", required_argument, NULL, P_BAR},
		{"db", required_argument, NULL, P_DB},
		{"help", no_argument, NULL, P_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = env->dbpath;
	int json = 0, c;
	double bar = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case P_JSON: json = 1; break;
		case P_BAR:
			if (parse_double(optarg, 0, 1, &bar))
				return bad_usage("--min-gold-accuracy is a share from 0 to 1 (0.8)");
			break;
		case P_DB: dbpath = optarg; break;
		case P_HELP: usage_progress(stdout); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return bad_usage("progress takes no file arguments");
	struct db *db = cmd_open_store_ro(dbpath);
	if (!db)
		return EX_STORE;
	bar = pass_bar(bar, env->config, db);
	long missing = db_summary_missing(db);
	if (missing > 0)
		errf("stepmark: progress: %ld solutions have no summary yet (a store from an older "
		     "stepmark): stepmark consensus or the workbench makes them\n", missing);
	struct team t = {0};
	int rc = EX_OK;
	if (missing < 0 || team_read(db, &t) < 0) {
		errf("stepmark: progress: cannot read the store: %s\n", db_errmsg(db));
		rc = EX_STORE;
	} else if (json) {
		json_report(&t, bar);
	} else {
		table_people(&t, bar);
		bars(&t);
		table_datasets(&t);
		table_versions(&t);
	}
	team_free(&t);
	db_close(db);
	return rc;
}
