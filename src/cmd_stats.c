/* cmd_stats.c - `stepmark stats`: per data set what the store holds,
 * who labelled how much and which sources suggested, and the
 * annotators' short names */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "cmd.h"
#include "conf.h"
#include "summary.h"
#include "util.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_stats_help[] =
	"";

/* one annotator's labels in one data set, as a person counts them */
struct ann_tally {
	int ds, ann;      /* indexes into the data sets and annotators */
	long solutions;   /* solutions with its ratings or first error in force */
	long steps;       /* steps with its rating in force */
	long adjudicated; /* solutions it adjudicated */
};

struct stats_ctx {
	int any;
	struct buf sources;   /* "suggestions from" lines, after the labels */
	struct names anns, ds;
	int64_t *dsid;        /* ds.v[i]'s id */
	struct ann_tally *t;
	size_t nt;
	int *ratings;
	size_t cap;
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

static void skip_ann(void *ctx, const char *ds, const char *who, long n)
{
	(void)ctx, (void)ds, (void)who, (void)n;
}

static void keep_src(void *ctx, const char *ds, const char *src, long n)
{
	struct stats_ctx *c = ctx;
	buf_printf(&c->sources, "  %-18s suggestions from %s: %ld\n", inert(ds, 0),
		   inert(src, 1), n);
}

static void on_dataset(void *ctx, int64_t id, const char *name)
{
	struct stats_ctx *c = ctx;
	names_add(&c->ds, name);
	c->dsid = xrealloc(c->dsid, c->ds.n * sizeof(*c->dsid));
	c->dsid[c->ds.n - 1] = id;
}

static struct ann_tally *tally_of(struct stats_ctx *c, int ds, int ann)
{
	for (size_t i = 0; i < c->nt; i++)
		if (c->t[i].ds == ds && c->t[i].ann == ann)
			return &c->t[i];
	c->t = xrealloc(c->t, (c->nt + 1) * sizeof(*c->t));
	c->t[c->nt] = (struct ann_tally){ds, ann, 0, 0, 0};
	return &c->t[c->nt++];
}

/* each annotator on one solution: what its labels put in force */
static int on_solution(void *arg, const struct walk_sol *w)
{
	struct stats_ctx *c = arg;
	const struct item *it = &w->it;
	int ds = -1;
	for (size_t k = 0; k < c->ds.n && ds < 0; k++)
		if (c->dsid[k] == w->dataset_id)
			ds = (int)k;
	if (ds < 0 || !it->nlabels)
		return 0;
	if (c->cap < it->nsteps + 1) {
		c->cap = it->nsteps + 1;
		c->ratings = xrealloc(c->ratings, c->cap * sizeof(*c->ratings));
	}
	for (size_t i = 0; i < it->nlabels; i++) {
		const char *who = it->labels[i].annotator;
		size_t j = 0;
		while (j < i && strcmp(it->labels[j].annotator, who))
			j++;
		if (j < i)
			continue; /* counted at its first label */
		int ann = names_index(&c->anns, who);
		if (ann < 0)
			continue;
		struct ann_tally *t = tally_of(c, ds, ann);
		int fe = summary_annotator(it, who, c->ratings), rated = 0;
		for (size_t s = 0; s < it->nsteps; s++)
			rated += c->ratings[s] != NO_RATING;
		t->steps += rated;
		t->solutions += rated || fe >= -1;
		for (size_t k = i; k < it->nlabels; k++)
			if (it->labels[k].kind == LK_ADJUDICATION && !strcmp(it->labels[k].annotator, who)) {
				t->adjudicated++;
				break;
			}
	}
	return 0;
}

static int by_ds_name(const void *pa, const void *pb, void *names)
{
	const struct ann_tally *a = pa, *b = pb;
	const struct stats_ctx *c = names;
	int d = strcmp(c->ds.v[a->ds], c->ds.v[b->ds]);
	return d ? d : strcmp(c->anns.v[a->ann], c->anns.v[b->ann]);
}

/* the labels per data set and annotator (its short name, if it has one) */
static void print_labels(struct stats_ctx *c, const struct aliases *al)
{
	if (c->nt > 1)
		qsort_r(c->t, c->nt, sizeof(*c->t), by_ds_name, c);
	if (c->nt)
		printf("labels: the solutions each annotator's ratings or first error decide, "
		       "and the steps they rate\n(a first-error mark rates the steps before it, "
		       "but not on an agent trace); adjudications apart\n");
	for (size_t i = 0; i < c->nt; i++) {
		const struct ann_tally *t = &c->t[i];
		if (!t->solutions && !t->adjudicated)
			continue;
		printf("  %-18s labels by %s: %ld solution%s, %ld step%s rated", inert(c->ds.v[t->ds], 0),
		       inert(alias_of(al, c->anns.v[t->ann]), 1), t->solutions,
		       t->solutions == 1 ? "" : "s", t->steps, t->steps == 1 ? "" : "s");
		if (t->adjudicated)
			printf(", %ld adjudicated", t->adjudicated);
		putchar('\n');
	}
}

/* the annotators' short names: the config's, then the store's */
static void print_aliases(const struct aliases *a)
{
	if (!a->n)
		return;
	printf("\nannotators' short names (alias NAME SHORT in the config; L1, L2... for UUIDs):\n");
	for (size_t i = 0; i < a->n; i++)
		printf("  %-6s %s%s\n", inert(a->alias[i], 0), inert(a->name[i], 1),
		       a->automatic[i] ? "" : "  (config)");
}

/* one data set's and annotator's counts, as the summaries keep them */
static void kept_count(void *ctx, const char *ds, const char *who, long decided, long rated,
		       long adjudicated)
{
	struct stats_ctx *c = ctx;
	int d = names_index(&c->ds, ds), a = names_index(&c->anns, who);
	if (d < 0) {
		names_add(&c->ds, ds);
		d = (int)c->ds.n - 1;
	}
	if (a < 0) {
		names_add(&c->anns, who);
		a = (int)c->anns.n - 1;
	}
	struct ann_tally *t = tally_of(c, d, a);
	t->solutions = decided;
	t->steps = rated;
	t->adjudicated = adjudicated;
}

/* the labels counted: the sums the summaries keep, or by walking the
 * store where it was never counted (an older store no command has
 * written since); 0, or -1 on a store error */
static int count_labels(struct db *db, struct stats_ctx *c)
{
	struct names none = {0};
	if (db_counts_known(db))
		return db_stats_counts(db, kept_count, c);
	if (db_names(db, DB_NAMES_DECIDERS, &c->anns) < 0 ||
	    db_dataset_ids(db, on_dataset, c) < 0)
		return -1;
	return c->anns.n ? db_walk(db, &c->anns, &none, on_solution, c) : 0;
}

static void stats_done(struct stats_ctx *c)
{
	buf_free(&c->sources);
	names_free(&c->anns);
	names_free(&c->ds);
	free(c->dsid);
	free(c->t);
	free(c->ratings);
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
	struct conf cfg;
	conf_init(&cfg);
	int rc = db_stats(db, print_ds, skip_ann, keep_src, &c);
	if (rc == 0 && c.any) {
		char *cpath = env->config ? xstrdup(env->config) : conf_path_default();
		if (cpath)
			conf_load(&cfg, cpath, env->config == NULL, stderr);
		free(cpath);
		rc = alias_auto(&cfg.aliases, db) < 0 || count_labels(db, &c) < 0 ? -1 : 0;
	}
	if (rc == 0 && c.any) {
		print_labels(&c, &cfg.aliases);
		fputs(c.sources.data ? c.sources.data : "", stdout);
		print_aliases(&cfg.aliases);
	}
	if (rc < 0)
		errf("stepmark: store error: %s\n", db_errmsg(db));
	else if (!c.any)
		printf("The store %s is empty: import a data set with 'stepmark import FILE'.\n",
		       inert(dbpath, 0));
	conf_done(&cfg);
	stats_done(&c);
	db_close(db);
	return rc < 0 ? EX_STORE : EX_OK;
}
