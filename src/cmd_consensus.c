/* cmd_consensus.c - `stepmark consensus`: each solution's agreed label
 * under the policy, stored with the rule that decided and who agreed;
 * a rerun writes only the rows that change */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "progress.h"
#include "conf.h"
#include "consensus.h"
#include "guidelines.h"
#include "summary.h"
#include "syncdeal.h"
#include "team.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_consensus_help[] =
	"    --policy RULES          e.g. \"adjudicated, human-majority 2,\n"
	"                            confirmed-suggestion, sources mc judge\"\n"
	"    --dataset NAME --list   one data set; list every undecided solution\n"
	"    --full                  decide every solution again, not only those\n"
	"                            with labels or suggestions new since the last run\n"
	"    --quiet                 no progress line, no summary unless it failed\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

#define MAX_SHOWN 10

enum { K_POLICY = 1000, K_DATASET, K_LIST, K_DB, K_HELP, K_QUIET, K_EVERY, K_FULL };

/* a stored row, for the comparison */
struct crow {
	int64_t sol;
	int fe;            /* -2: NULL */
	const char *ratings, *rule, *why, *by, *policy, *agent;
};

/* A window's changes to write: its rows that change (their strings in
 * puta), and the solutions whose summary's agreed mark changes, to set
 * ([1]) or clear ([0]) */
struct agreed_batch {
	struct db_agreed *put;
	size_t nput, capput;
	struct arena puta;
	int64_t *flip[2];
	size_t nflip[2], capflip[2];
};

/* The writer: a thread with a connection of its own that holds the run's
 * write transaction and writes each window's batch while the walk reads
 * and decides the next on the first connection (which sees the store as
 * it was when the transaction began: no other writer can change it, and
 * this one's rows are not committed). The walk fills b[at], hands it over
 * and fills the other. */
struct writer {
	struct db *db;
	const char *now;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct agreed_batch b[2];
	int full[2];       /* handed over, not written yet */
	int at;            /* the one the walk fills */
	int done, failed;  /* nothing more to come; a write failed */
};

struct agreeing {
	struct db *db;     /* the walk's connection (the writer has its own) */
	struct writer *w;
	const struct policy *p;
	const char *hub_by; /* the policy is the hub's, set by (who at when) */
	int64_t dataset;   /* 0: every data set */
	struct crow *old;
	size_t nold, at;
	struct decision d;
	char now[32];
	long total, changed, decided;
	long read;         /* solutions read again; -1 when every one was */
	long left_out, left_sols; /* guidelines current: labels, solutions */
	long *by_rule;
	long by_why[WHY_N];
	int failed;
	/* min-gold-accuracy: the annotators left out, the solutions it
	 * changed, a copy of a solution's labels without theirs */
	const struct team_ann **out;
	size_t nout;
	long out_sols;
	struct label *kept;
	size_t capkept;
};

/* the stored rows of a window of solutions, kept for the comparison */
struct old {
	struct agreeing *r;
	struct arena a;
	size_t cap;
};

static int keep_old(void *ctx, const struct db_agreed *g)
{
	struct old *k = ctx;
	struct agreeing *r = k->r;
	if (r->nold == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 1024;
		r->old = xrealloc(r->old, k->cap * sizeof(*r->old));
	}
	struct crow *o = &r->old[r->nold++];
	o->sol = g->sol;
	o->fe = g->fe;
	const char **f[] = {&o->ratings, &o->rule, &o->why, &o->by, &o->policy, &o->agent};
	const char *v[] = {g->ratings, g->rule, g->why, g->by, g->policy, g->agent};
	for (int i = 0; i < 6; i++)
		*f[i] = v[i] ? arena_strndup(&k->a, v[i], strlen(v[i])) : NULL;
	return 0;
}

/* a batch's rows and agreed marks written, and it emptied: 0 or -1 */
static int write_batch(struct db *db, struct agreed_batch *b, const char *now)
{
	int rc = db_agreed_put(db, b->put, b->nput, now);
	b->nput = 0;
	arena_reset(&b->puta);
	for (int on = 0; on < 2; on++) {
		if (rc == 0)
			rc = db_summary_agreed(db, b->flip[on], b->nflip[on], on);
		b->nflip[on] = 0;
	}
	return rc;
}

/* the writer's thread: the batches in the order they come */
static void *writer_run(void *arg)
{
	struct writer *w = arg;
	int i = 0;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->full[i] && !w->done)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->full[i])
			break;
		pthread_mutex_unlock(&w->mu);
		int bad = write_batch(w->db, &w->b[i], w->now) < 0;
		pthread_mutex_lock(&w->mu);
		w->failed |= bad;
		w->full[i] = 0;
		pthread_cond_broadcast(&w->cv);
		i ^= 1;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* the window's batch handed to the writer, the other one to fill when
 * it is written: 0, or -1 when a write failed */
static int flush_window(struct agreeing *r)
{
	struct writer *w = r->w;
	pthread_mutex_lock(&w->mu);
	w->full[w->at] = 1;
	w->at ^= 1;
	pthread_cond_broadcast(&w->cv);
	while (w->full[w->at] && !w->failed)
		pthread_cond_wait(&w->cv, &w->mu);
	int failed = w->failed;
	pthread_mutex_unlock(&w->mu);
	return failed ? -1 : 0;
}

/* every batch written and the thread ended: 0, or -1 when a write failed */
static int writer_finish(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	return w->failed ? -1 : 0;
}

static void writer_free(struct writer *w)
{
	for (int i = 0; i < 2; i++) {
		free(w->b[i].put);
		arena_free(&w->b[i].puta);
		free(w->b[i].flip[0]);
		free(w->b[i].flip[1]);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

static const char *put_str(struct agreed_batch *b, const char *s)
{
	return s ? arena_strndup(&b->puta, s, strlen(s)) : NULL;
}

/* g to be written with the window (its strings copied) */
static void put_later(struct agreeing *r, const struct db_agreed *g)
{
	struct agreed_batch *b = &r->w->b[r->w->at];
	if (b->nput == b->capput) {
		b->capput = b->capput ? b->capput * 2 : 1024;
		b->put = xrealloc(b->put, b->capput * sizeof(*b->put));
	}
	struct db_agreed *c = &b->put[b->nput++];
	*c = *g;
	c->ratings = put_str(b, g->ratings);
	c->why = put_str(b, g->why);
	c->by = put_str(b, g->by);
	c->agent = put_str(b, g->agent);
	/* rule and policy are the policy's text, which outlives the run */
}

/* before each window of the walk: the last window's changes written, the
 * rows stored for its solutions read */
static int load_old(void *arg, int64_t lo, int64_t hi)
{
	struct old *k = arg;
	if (flush_window(k->r) < 0)
		return -1;
	arena_reset(&k->a);
	k->r->nold = k->r->at = 0;
	return db_agreed_range(k->r->db, lo, hi, keep_old, k) < 0 ? -1 : 0;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* it without the labels of the annotators min-gold-accuracy leaves out
 * (an adjudication always counts): into r's copy, or it itself */
static const struct item *gold_kept(struct agreeing *r, const struct item *it, struct item *sub)
{
	if (!r->nout)
		return it;
	if (r->capkept < it->nlabels + 1) {
		r->capkept = it->nlabels + 16;
		r->kept = xrealloc(r->kept, r->capkept * sizeof(*r->kept));
	}
	*sub = *it;
	sub->labels = r->kept;
	sub->nlabels = 0;
	for (size_t i = 0; i < it->nlabels; i++) {
		const struct label *l = &it->labels[i];
		size_t k = 0;
		while (k < r->nout && (l->kind == LK_ADJUDICATION || strcmp(r->out[k]->name, l->annotator)))
			k++;
		if (k == r->nout)
			r->kept[sub->nlabels++] = *l;
	}
	r->out_sols += sub->nlabels < it->nlabels;
	return sub;
}

static int on_solution(void *arg, const struct walk_sol *w)
{
	struct agreeing *r = ((struct old *)arg)->r;
	if (r->dataset && w->dataset_id != r->dataset)
		return 0;
	struct item sub;
	consensus_decide(r->p, gold_kept(r, &w->it, &sub), &r->d);
	const struct decision *d = &r->d;
	r->left_out += (long)d->left_out;
	r->left_sols += d->left_out > 0;
	const char *rule = d->rule >= 0 ? r->p->r[d->rule].text : NULL;
	char missing[256];
	if (d->rule < 0 && d->why == WHY_MISSING)
		snprintf(missing, sizeof(missing), "no verdict from %s", d->missing);
	const char *why = d->rule >= 0 ? NULL : d->why == WHY_MISSING ? missing :
			  consensus_why[d->why];
	const char *ratings = d->rule >= 0 ? d->ratings.data : NULL;
	const char *by = d->rule >= 0 ? d->by.data : NULL;
	r->total++;
	if (d->rule >= 0) {
		r->decided++;
		r->by_rule[d->rule]++;
	} else {
		r->by_why[d->why]++;
	}
	int on = d->rule >= 0;
	if (w->agreed != on) {
		struct agreed_batch *b = &r->w->b[r->w->at];
		if (b->nflip[on] == b->capflip[on]) {
			b->capflip[on] = b->capflip[on] ? b->capflip[on] * 2 : 1024;
			b->flip[on] = xrealloc(b->flip[on], b->capflip[on] * sizeof(int64_t));
		}
		b->flip[on][b->nflip[on]++] = w->id;
	}
	while (r->at < r->nold && r->old[r->at].sol < w->id)
		r->at++;
	const struct crow *o = r->at < r->nold && r->old[r->at].sol == w->id ? &r->old[r->at] : NULL;
	const char *agent = d->rule >= 0 ? d->agent : NULL;
	if (o && o->fe == d->fe && same_str(o->ratings, ratings) && same_str(o->rule, rule) &&
	    same_str(o->why, why) && same_str(o->by, by) && same_str(o->policy, r->p->text) &&
	    same_str(o->agent, agent))
		return 0;
	struct db_agreed g = {w->id, d->fe >= -1 ? d->fe : -2, ratings, rule, why, by, r->p->text,
			      agent};
	put_later(r, &g);
	r->changed++;
	return 0;
}

/* A rerun read only what changed: the figures are the store's. */
static void tally_one(void *ctx, const char *rule, const char *why, long n)
{
	struct agreeing *r = ctx;
	r->total += n;
	if (rule) {
		r->decided += n;
		for (size_t i = 0; i < r->p->n; i++)
			if (!strcmp(r->p->r[i].text, rule))
				r->by_rule[i] += n;
		return;
	}
	int w = WHY_MISSING;
	for (int i = 1; i < WHY_N; i++)
		if (why && !strcmp(why, consensus_why[i]))
			w = i;
	r->by_why[w] += n;
}

/* the figures from the rows stored, read on db (the writer's, after
 * its writes) */
static int tally(struct agreeing *r, struct db *db)
{
	r->read = r->total;
	r->total = r->decided = 0;
	memset(r->by_rule, 0, (r->p->n + 1) * sizeof(long));
	memset(r->by_why, 0, sizeof(r->by_why));
	return db_agreed_tally(db, r->dataset, tally_one, r);
}

/* min-gold-accuracy: the annotators below the bar, or with no gold
 * answered yet, into r->out; -1 on a store error */
static int gold_outs(struct db *db, struct team *team, struct agreeing *r)
{
	if (team_gold(db, team) < 0)
		return -1;
	r->out = xcalloc(team->nann + 1, sizeof(*r->out));
	for (size_t i = 0; i < team->nann; i++) {
		int passed = team_passed(&team->ann[i], r->p->min_gold);
		if (passed == 0 || passed == -1) /* not -2: never dealt gold, not measured */
			r->out[r->nout++] = &team->ann[i];
	}
	return 0;
}

/* The policy, the annotators min-gold-accuracy leaves out and, with
 * guidelines current, the version in force: a rerun reads only what
 * changed when all are as they were (who passed on gold, or another
 * version, changes every solution). */
static void run_key(struct buf *key, const struct policy *p, const struct agreeing *r)
{
	buf_puts(key, p->text);
	for (size_t i = 0; i < r->nout; i++)
		buf_printf(key, "\t-%s", r->out[i]->name);
	if (p->guidelines_current) /* and the version in force */
		buf_printf(key, "\tguidelines %s", p->current ? p->current : "none");
}

static void print_undecided(void *ctx, const char *dataset, const char *key, const char *why)
{
	(void)ctx;
	printf("  %s  %s  %s\n", inert(dataset, 0), inert(key, 1), why);
}

static void report(const struct agreeing *r, int list)
{
	printf("consensus on %ld solution%s; policy: %s", r->total, r->total == 1 ? "" : "s",
	       inert(r->p->text, 0));
	if (r->hub_by)
		printf(" (the hub's, set by %s)", inert(r->hub_by, 1));
	printf("\n");
	if (r->p->min_gold >= 0) {
		printf("min-gold-accuracy %g: the labels of %zu annotator%s left out, on %ld "
		       "solution%s%s%s\n", r->p->min_gold, r->nout, r->nout == 1 ? "" : "s",
		       r->out_sols, r->out_sols == 1 ? "" : "s", r->read >= 0 ? " read again" : "",
		       r->nout ? ":" : "");
		for (size_t i = 0; i < r->nout; i++) {
			const struct team_ann *a = r->out[i];
			if (a->gold_answered)
				printf("  %-20s %ld of %ld right on gold (%.0f%%)\n", inert(a->name, 0),
				       a->gold_right, a->gold_answered, 100 * team_gold_accuracy(a));
			else
				printf("  %-20s no gold answered yet (%ld dealt)\n", inert(a->name, 0),
				       a->gold);
		}
	}
	double t = r->total ? (double)r->total : 1;
	printf("  %-30s %8ld  %5.1f%%\n", "decided", r->decided, 100.0 * r->decided / t);
	for (size_t i = 0; i < r->p->n; i++)
		printf("    %-28s %8ld\n", inert(r->p->r[i].text, 0), r->by_rule[i]);
	printf("  %-30s %8ld  %5.1f%%\n", "undecided", r->total - r->decided,
	       100.0 * (r->total - r->decided) / t);
	for (int i = 1; i < WHY_N; i++)
		if (r->by_why[i])
			printf("    %-28s %8ld\n", consensus_why[i], r->by_why[i]);
	if (r->p->guidelines_current)
		printf("guidelines current (%.12s): left out %ld label%s made under other "
		       "guidelines or none, on %ld solution%s%s\n", r->p->current, r->left_out,
		       r->left_out == 1 ? "" : "s", r->left_sols, r->left_sols == 1 ? "" : "s",
		       r->read >= 0 ? " of those read again" : "");
	printf("stored: %ld changed, %ld as before\n", r->changed, r->total - r->changed);
	if (r->read >= 0)
		printf("read again: %ld solution%s with labels or suggestions new since the last "
		       "run (--full reads every one)\n", r->read, r->read == 1 ? "" : "s");
	long und = r->total - r->decided;
	if (und && !list)
		printf("undecided (%s):\n", und > MAX_SHOWN ? "the first 10; --list for all" :
			"data set, id, why");
	else if (und)
		printf("undecided (data set, id, why):\n");
}

/* guidelines current: the version in force, from the config's guidelines
 * setting (the config read now if --policy spared it); EX_OK, or the
 * exit status after saying why there is none */
static int current_guidelines(struct conf *cfg, const char *cpath, int loaded,
			      const char *config_path, struct guidelines *g)
{
	if (!loaded && cpath)
		conf_load(cfg, cpath, config_path == NULL, stderr);
	const char *path = cfg->set.guidelines;
	if (!path || !*path) {
		errf("stepmark: consensus: the policy says guidelines current, but no guidelines "
		     "are set (set guidelines = FILE in the config)\n");
		return EX_USAGE;
	}
	guidelines_refresh(g, path);
	if (!g->hash[0]) {
		errf("stepmark: consensus: guidelines current: %s\n", inert(g->err, 0));
		return EX_BAD;
	}
	return EX_OK;
}

static void usage_consensus(FILE *f)
{
	fprintf(f,
		"usage: stepmark consensus [--policy RULES] [--dataset NAME] [--list] [--full]\n"
		"Decides each solution's agreed first error under the policy (the hub's, pulled\n"
		"by sync, else the config's `consensus` line; --policy overrides both), and\n"
		"stores it with the rule that decided.\n"
		"rules: %s\n", consensus_rules_help());
}

/* the command line's options */
struct copts {
	const char *ptext, *dataset, *dbpath;
	int list, quiet, full;
	long every;
};

/* -1 when the options are read, else the exit status */
static int read_opts(int argc, char **argv, struct copts *o)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, K_POLICY},
		{"dataset", required_argument, NULL, K_DATASET},
		{"list", no_argument, NULL, K_LIST},
		{"db", required_argument, NULL, K_DB},
		{"help", no_argument, NULL, K_HELP},
		{"quiet", no_argument, NULL, K_QUIET},
		{"progress-every", required_argument, NULL, K_EVERY},
		{"full", no_argument, NULL, K_FULL},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case K_POLICY: o->ptext = optarg; break;
		case K_DATASET: o->dataset = optarg; break;
		case K_LIST: o->list = 1; break;
		case K_DB: o->dbpath = optarg; break;
		case K_HELP: usage_consensus(stdout); return EX_OK;
		case K_QUIET: o->quiet = 1; break;
		case K_FULL: o->full = 1; break;
		case K_EVERY:
			if ((o->every = cmd_seconds(optarg)) <= 0)
				return bad_usage("--progress-every needs seconds");
			break;
		default: return EX_USAGE;
		}
	}
	if (optind < argc)
		return bad_usage("consensus takes no file arguments");
	return -1;
}

/* the policy pulled from the hub the store syncs with: 1 (*rules and *by
 * xmalloc'd), 0 none (no hub, or none set there), -1 after saying why */
static int hub_policy(const char *dbpath, char **rules, char **by)
{
	char err[600];
	struct db *db = cmd_db_open(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		return -1;
	}
	int rc = syncdeal_policy(db, rules, by);
	if (rc < 0)
		errf("stepmark: consensus: the store failed: %s\n", db_errmsg(db));
	db_close(db);
	return rc;
}

/* what a run needs of the command line */
struct run_opts {
	const char *dbpath;
	int full, quiet;
	long every;
};

/* The run, the store summarised: the writer's connection opened and its
 * transaction begun, the walk on r->db handing the writer a batch a
 * window, then the figures and the run's mark written and committed.
 * EX_OK, EX_STORE after saying why, or 130 (stopped: nothing stored). */
static int agree_run(struct agreeing *r, struct old *k, struct team *team,
		     const struct run_opts *o)
{
	char err[600];
	struct writer w = {.now = r->now};
	struct names anns = {0}, srcs = {0};
	struct buf key = {0}; /* what the last run's mark must have been made under */
	struct db *bad = r->db; /* the connection whose error is the reason */
	int rc = EX_STORE, started = 0;
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	r->w = &w;
	if (!(w.db = cmd_db_open(o->dbpath, err, sizeof(err)))) {
		errf("stepmark: %s\n", inert(err, 0));
		goto out;
	}
	db_say_waits(w.db, stderr);
	bad = w.db;
	if (db_agreed_checks(w.db, 0) < 0 || db_begin(w.db) < 0)
		goto fail;
	bad = r->db;
	if (r->p->min_gold >= 0 && gold_outs(r->db, team, r) < 0)
		goto fail;
	/* a rerun under the same policy, leaving out the same annotators,
	 * reads only what changed */
	run_key(&key, r->p, r);
	struct consensus_mark last = {0}, now = {.dataset = r->dataset};
	int since = o->full ? 0 : db_consensus_last(r->db, key.data, &last);
	if (since < 0)
		goto fail;
	struct walk_since ws = {last.label, last.sug, last.sol};
	struct walk_opts wo = {&anns, &srcs, WALK_EVERY_ANNOTATOR | WALK_EVERY_SOURCE,
			       since && last.dataset == r->dataset ? &ws : NULL, load_old, on_solution,
			       k};
	if (pthread_create(&w.th, NULL, writer_run, &w) != 0) {
		errf("stepmark: consensus: cannot start the writer's thread\n");
		db_rollback(w.db);
		goto out;
	}
	started = 1;
	db_stream_cache(r->db); /* the writer's connection caches what it writes */
	struct progress pg;
	cmd_progress_begin(&pg, r->db, o->quiet, o->every, "consensus", "solutions");
	int walked = db_walk_with(r->db, &wo) < 0 || flush_window(r) < 0 ? -1 : 0;
	int wrote = writer_finish(&w);
	started = 0;
	if (cmd_progress_end(&pg, r->db, "nothing stored: the agreed labels are as they were")) {
		db_rollback(w.db);
		rc = 130;
		goto out;
	}
	if (wrote < 0)
		bad = w.db;
	if (walked < 0 || wrote < 0)
		goto fail;
	bad = w.db;
	if ((wo.since && tally(r, w.db) < 0) || db_consensus_now(w.db, &now) < 0 ||
	    db_consensus_record(w.db, &now, key.data) < 0 || db_consensus_mark(w.db) < 0 ||
	    db_commit(w.db) < 0)
		goto fail;
	rc = EX_OK;
	goto out;
fail: /* the reason, before the rollback clears it */
	errf("stepmark: consensus: the store failed: %s\n", db_errmsg(bad));
	db_rollback(w.db);
out:
	if (started)
		writer_finish(&w);
	writer_free(&w);
	db_close(w.db);
	r->w = NULL;
	buf_free(&key);
	names_free(&anns);
	names_free(&srcs);
	return rc;
}

int cmd_consensus(int argc, char **argv, struct cmd_env *env)
{
	const char *config_path = env->config;
	struct copts o = {.dbpath = env->dbpath};
	int c = read_opts(argc, argv, &o);
	if (c >= 0)
		return c;
	const char *ptext = o.ptext, *dataset = o.dataset, *dbpath = o.dbpath;
	int list = o.list, quiet = o.quiet, full = o.full;
	long every = o.every;
	char *hub_rules = NULL, *hub_by = NULL, by[300] = "";
	if (!ptext && hub_policy(dbpath, &hub_rules, &hub_by) < 0)
		return EX_STORE;
	if (hub_rules)
		snprintf(by, sizeof(by), "%s", hub_by ? hub_by : "?");
	free(hub_by);
	struct conf cfg;
	conf_init(&cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	if (!ptext && cpath)
		conf_load(&cfg, cpath, config_path == NULL, stderr);
	if (!ptext)
		ptext = hub_rules ? hub_rules : cfg.consensus;
	int rc = EX_OK;
	struct policy p = {0};
	struct guidelines gl = {0};
	char err[400];
	if (!ptext) {
		errf("stepmark: consensus: no policy: give --policy RULES, or a line in the config:\n"
		     "  consensus adjudicated, human-majority 2, confirmed-suggestion, sources mc judge\n"
		     "(rules: %s)\n", consensus_rules_help());
		conf_done(&cfg);
		free(cpath);
		return EX_USAGE;
	}
	int parsed = policy_parse(ptext, &p, err, sizeof(err));
	free(hub_rules); /* (p has its own text) */
	if (parsed < 0) {
		errf("stepmark: consensus: %s%s\n", err, *by ? " (the hub's policy)" : "");
		conf_done(&cfg);
		free(cpath);
		return EX_USAGE;
	}
	if (p.guidelines_current && (rc = current_guidelines(&cfg, cpath, !o.ptext,
							     config_path, &gl)) != EX_OK) {
		conf_done(&cfg);
		free(cpath);
		policy_free(&p);
		return rc;
	}
	p.current = gl.hash;
	conf_done(&cfg);
	free(cpath);
	char oerr[600];
	struct db *db = cmd_db_open(dbpath, oerr, sizeof(oerr));
	if (!db) {
		errf("stepmark: %s\n", inert(oerr, 0));
		policy_free(&p);
		return EX_STORE;
	}
	db_say_waits(db, stderr);
	struct agreeing r = {.db = db, .p = &p, .read = -1, .hub_by = *by ? by : NULL};
	r.by_rule = xcalloc(p.n + 1, sizeof(long));
	now_iso(r.now);
	struct old k = {&r, {0}, 0};
	struct team team = {0};
	struct run_opts ro = {dbpath, full, quiet, every};
	if (dataset && !(r.dataset = db_dataset_id(db, dataset))) {
		errf("stepmark: consensus: no data set named \"%s\" (stepmark stats lists them)\n",
		     inert(dataset, 0));
		rc = EX_USAGE;
	} else if (summary_backfill(db) < 0) {
		errf("stepmark: consensus: the store failed: %s\n", db_errmsg(db));
		rc = EX_STORE;
	} else {
		rc = agree_run(&r, &k, &team, &ro);
	}
	if (rc == EX_OK && !quiet)
		report(&r, list);
	if (rc == EX_OK && (!quiet || list) && r.total > r.decided &&
	    db_undecided_each(db, r.dataset, list ? -1 : MAX_SHOWN, print_undecided, NULL) < 0) {
		errf("stepmark: consensus: the store failed: %s\n", db_errmsg(db));
		rc = EX_STORE;
	}
	team_free(&team);
	free(r.out);
	free(r.kept);
	buf_free(&r.d.ratings);
	buf_free(&r.d.by);
	free(r.by_rule);
	free(r.old);
	arena_free(&k.a);
	db_close(db);
	policy_free(&p);
	guidelines_free(&gl);
	return rc;
}
