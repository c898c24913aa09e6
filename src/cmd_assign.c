/* cmd_assign.c - `stepmark assign`: deals unassigned solutions to
 * annotators, a share of them to two (for agreement), with gold items
 * (solutions whose first error is known) mixed into every queue; on a
 * store with a hub, the deal is written on the hub and pulled back */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "name.h"
#include "progress.h"
#include "consensus.h"
#include "summary.h"
#include "sync.h"
#include "../db/db.h"

/* the options --help lists under the command */
const char cmd_assign_help[] =
	"    --gold-from NAME        an expert's decided solutions are gold too\n"
	"    --qualify N [--requalify]  N gold items first for a new annotator (for all)\n"
	"    --order random|id|disagreement  (disagreement: sources disagree first)\n"
	"    --dataset NAME --where all|todo|disagree --seed N --limit N\n"
	"    --quiet                 no progress line, no summary unless it failed\n"
	"    --progress-every SECONDS  a plain progress line every SECONDS (logs)\n";

enum { G_ANNS = 1000, G_OVERLAP, G_GOLD, G_GOLD_FROM, G_DATASET, G_WHERE, G_ORDER, G_SEED,
       G_LIMIT, G_DB, G_HELP, G_QUIET, G_EVERY, G_QUALIFY, G_REQUALIFY };
enum { ORD_RANDOM, ORD_ID, ORD_DISAGREE };

struct candidate {
	int64_t sol;
	int prio;       /* --order disagreement: higher first */
	uint64_t r;     /* the shuffle's key */
};

struct gold {
	int64_t sol;
	int fe;
};

struct dealing {
	int64_t dataset;
	unsigned where_any, where_none; /* summary flags wanted, refused */
	const char *gold_from;
	struct policy adj;              /* "adjudicated" */
	struct decision d;
	int64_t *taken;                 /* assigned already, sorted */
	size_t ntaken, at;
	struct candidate *c;
	size_t nc, capc;
	struct gold *g;
	size_t ng, capg;
	uint64_t rng;
	int *scratch;
	size_t capscratch;
	int said;                       /* a failure said already (the hub's) */
};

static uint64_t next_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* how much a person is worth here: sources disagree, a person and a
 * source disagree, a PRM near its threshold */
static int priority(const struct walk_sol *w)
{
	if (w->flags & SF_DIS_SRC)
		return 3;
	if (w->flags & SF_DIS_HA)
		return 2;
	for (size_t i = 0; i < w->it.nsugs; i++) {
		const struct suggestion *g = &w->it.sugs[i];
		if (!strncmp(g->source, "prm", 3) && (g->source[3] == '/' || !g->source[3]) &&
		    g->value != NO_VALUE && fabs(g->value - 0.5) < 0.1)
			return 1;
	}
	return 0;
}

static int on_solution(void *arg, const struct walk_sol *w)
{
	struct dealing *r = arg;
	if (r->dataset && w->dataset_id != r->dataset)
		return 0;
	int fe = -2;
	consensus_decide(&r->adj, &w->it, &r->d);
	if (r->d.rule >= 0)
		fe = r->d.fe;
	else if (r->gold_from) {
		if (r->capscratch < w->it.nsteps + 1) {
			r->capscratch = w->it.nsteps + 16;
			r->scratch = xrealloc(r->scratch, r->capscratch * sizeof(int));
		}
		fe = summary_annotator(&w->it, r->gold_from, r->scratch);
	}
	if (fe >= -1) {
		if (r->ng == r->capg) {
			r->capg = r->capg ? r->capg * 2 : 256;
			r->g = xrealloc(r->g, r->capg * sizeof(*r->g));
		}
		r->g[r->ng].sol = w->id;
		r->g[r->ng++].fe = fe;
		return 0; /* a gold item is nobody's to label for real */
	}
	while (r->at < r->ntaken && r->taken[r->at] < w->id)
		r->at++;
	if (r->at < r->ntaken && r->taken[r->at] == w->id)
		return 0;
	if ((r->where_any && !(w->flags & r->where_any)) || (w->flags & r->where_none))
		return 0;
	if (r->nc == r->capc) {
		r->capc = r->capc ? r->capc * 2 : 1024;
		r->c = xrealloc(r->c, r->capc * sizeof(*r->c));
	}
	r->c[r->nc].sol = w->id;
	r->c[r->nc].prio = priority(w);
	r->c[r->nc++].r = next_rand(&r->rng);
	return 0;
}

static int by_random(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	return (a->r > b->r) - (a->r < b->r);
}

static int by_prio(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->prio != b->prio)
		return b->prio - a->prio;
	return by_random(x, y);
}

/* one annotator's new rows: their share of the candidates, gold spread
 * among them; ord follows what they have */
struct pile {
	const char *name;
	int64_t *sol;
	int *gold_fe;      /* -2: not gold */
	size_t n, cap;
	long shared, gold;
	size_t qual;       /* the first qual are its qualification (gold) */
	int held;          /* it held a queue before this deal */
};

static void q_add(struct pile *q, int64_t sol, int gold_fe)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->sol = xrealloc(q->sol, q->cap * sizeof(int64_t));
		q->gold_fe = xrealloc(q->gold_fe, q->cap * sizeof(int));
	}
	q->sol[q->n] = sol;
	q->gold_fe[q->n++] = gold_fe;
}

/* 1 when sol is among q's qualification items */
static int qualified(const struct pile *q, int64_t sol)
{
	for (size_t i = 0; i < q->qual; i++)
		if (q->sol[i] == sol)
			return 1;
	return 0;
}

/* g gold items spread through q after its qualification, one in each
 * stretch of its length / g, consecutive in the pool from *next_gold
 * (g at most the pool less the qualification: never one twice) */
static void mix_gold(struct pile *q, const struct dealing *r, size_t g, size_t *next_gold,
		     uint64_t *rng)
{
	if (g > r->ng - q->qual)
		g = r->ng - q->qual;
	if (!g)
		return;
	size_t n = q->n, total = n + g, k = 0, src = 0, j = 0;
	int64_t *sol = xmalloc((total + 1) * sizeof(int64_t));
	int *fe = xmalloc((total + 1) * sizeof(int));
	size_t *pos = xmalloc(g * sizeof(size_t));
	for (size_t i = 0; i < g; i++)
		pos[i] = (size_t)(((double)i + (double)(next_rand(rng) % 1000) / 1000.0) *
				  (double)total / (double)g);
	for (size_t i = 0; i < total; i++) {
		if (j < g && i >= q->qual && (pos[j] <= i || src == n)) {
			const struct gold *x = &r->g[(*next_gold)++ % r->ng];
			while (qualified(q, x->sol)) /* a queue holds a gold item once */
				x = &r->g[(*next_gold)++ % r->ng];
			sol[k] = x->sol;
			fe[k++] = x->fe;
			j++;
		} else {
			sol[k] = q->sol[src];
			fe[k++] = q->gold_fe[src++];
		}
	}
	free(pos);
	free(q->sol);
	free(q->gold_fe);
	q->sol = sol;
	q->gold_fe = fe;
	q->n = k;
	q->cap = total + 1;
	q->gold += (long)g;
}

static void usage_assign(FILE *f)
{
	fprintf(f,
		"usage: stepmark assign --annotators A,B[,C...] [--overlap F] [--gold F]\n"
		"         [--gold-from ANNOTATOR] [--dataset NAME] [--where todo|all|disagree]\n"
		"         [--order random|id|disagreement] [--seed N] [--limit N]\n"
		"         [--qualify N [--requalify]]\n"
		"Deals the solutions nobody is assigned to: each to one annotator, a share\n"
		"(--overlap) to two, and mixes gold items (adjudicated solutions, or those\n"
		"--gold-from labelled) into every queue, --gold of it; --qualify N puts N gold\n"
		"items at the head of a new annotator's queue.\n");
}

static int parse_share(const char *s, double *out)
{
	return parse_double(s, 0, 1, out);
}

/* What the command line says. */
struct assign_args {
	const char *dbpath, *anns, *dataset, *where;
	double overlap, gold;
	int order;
	long limit, every;
	unsigned long long seed;
	int quiet;
	long qualify;   /* gold items first for a new annotator */
	int requalify;  /* and for those who hold a queue already */
	struct hub *h;  /* the store's hub: the deal goes there (NULL none) */
	const struct hub_me *me;
};

/* One option into a (and r's --gold-from): -1 on, else the exit code. */
static int assign_arg(struct assign_args *a, struct dealing *r, int c)
{
	char *end;
	switch (c) {
	case G_ANNS: a->anns = optarg; break;
	case G_OVERLAP:
		if (parse_share(optarg, &a->overlap))
			return bad_usage("--overlap is a share from 0 to 1 (0.2: one in five)");
		break;
	case G_GOLD:
		if (parse_share(optarg, &a->gold) || a->gold >= 1)
			return bad_usage("--gold is a share from 0 to below 1 (0.05: one in twenty)");
		break;
	case G_GOLD_FROM: r->gold_from = optarg; break;
	case G_DATASET: a->dataset = optarg; break;
	case G_WHERE: a->where = optarg; break;
	case G_ORDER:
		if (!strcmp(optarg, "random"))
			a->order = ORD_RANDOM;
		else if (!strcmp(optarg, "id"))
			a->order = ORD_ID;
		else if (!strcmp(optarg, "disagreement"))
			a->order = ORD_DISAGREE;
		else
			return bad_usage("--order is random, id or disagreement");
		break;
	case G_SEED:
		a->seed = strtoull(optarg, &end, 10);
		if (end == optarg || *end)
			return bad_usage("--seed is a whole number");
		break;
	case G_LIMIT:
		a->limit = strtol(optarg, &end, 10);
		if (end == optarg || *end || a->limit < 0)
			return bad_usage("--limit is a whole number of solutions");
		break;
	case G_QUALIFY:
		a->qualify = strtol(optarg, &end, 10);
		if (end == optarg || *end || a->qualify < 1)
			return bad_usage("--qualify is a whole number of gold items, 1 or more");
		break;
	case G_REQUALIFY: a->requalify = 1; break;
	case G_DB: a->dbpath = optarg; break;
	case G_QUIET: a->quiet = 1; break;
	case G_EVERY:
		if ((a->every = cmd_seconds(optarg)) <= 0)
			return bad_usage("--progress-every needs seconds");
		break;
	case G_HELP: usage_assign(stdout); return EX_OK;
	default: return EX_USAGE;
	}
	return -1;
}

/* The command line into a and r: -1 when it can run, else the exit code. */
static int assign_args(int argc, char **argv, struct assign_args *a, struct dealing *r)
{
	static const struct option opts[] = {
		{"annotators", required_argument, NULL, G_ANNS},
		{"overlap", required_argument, NULL, G_OVERLAP},
		{"gold", required_argument, NULL, G_GOLD},
		{"gold-from", required_argument, NULL, G_GOLD_FROM},
		{"dataset", required_argument, NULL, G_DATASET},
		{"where", required_argument, NULL, G_WHERE},
		{"order", required_argument, NULL, G_ORDER},
		{"seed", required_argument, NULL, G_SEED},
		{"limit", required_argument, NULL, G_LIMIT},
		{"db", required_argument, NULL, G_DB},
		{"help", no_argument, NULL, G_HELP},
		{"quiet", no_argument, NULL, G_QUIET},
		{"progress-every", required_argument, NULL, G_EVERY},
		{"qualify", required_argument, NULL, G_QUALIFY},
		{"requalify", no_argument, NULL, G_REQUALIFY},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int rc = assign_arg(a, r, c);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return bad_usage("assign takes no file arguments");
	if (a->requalify && !a->qualify)
		return bad_usage("assign: --requalify goes with --qualify N");
	if (!a->anns || !*a->anns)
		return bad_usage("assign: --annotators A,B,... names who gets the solutions");
	if (!strcmp(a->where, "todo"))
		r->where_none = SF_HUMAN;
	else if (!strcmp(a->where, "disagree"))
		r->where_any = SF_DIS_ANN | SF_DIS_SRC | SF_DIS_HA;
	else if (strcmp(a->where, "all"))
		return bad_usage("--where is all, todo (no person labelled it) or disagree");
	return -1;
}

/* The annotators of list (cut in place), each once, a pile each: -1 on,
 * else the exit code. */
static int assign_piles(char *list, struct pile *q, size_t *nq, double overlap)
{
	for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
		int dup = 0;
		for (size_t i = 0; i < *nq; i++)
			dup |= !strcmp(q[i].name, t);
		if (!*t || dup || *nq == 64)
			return bad_usage(*nq == 64 ? "assign: at most 64 annotators at once" :
					 "assign: --annotators names each annotator once");
		char why[400];
		if (name_check(t, strlen(t), "assign: --annotators:", why, sizeof(why)) < 0)
			return bad_usage(why);
		q[(*nq)++].name = t;
	}
	if (*nq == 0) /* "," names nobody */
		return bad_usage("assign: --annotators A,B,... names who gets the solutions");
	if (overlap > 0 && *nq < 2)
		return bad_usage("assign: --overlap needs two annotators or more");
	return -1;
}

/* The store read: which solutions are candidates, which are gold. -1 on,
 * else the exit code (the store's failure said by the caller). */
static int assign_read(struct db *db, struct dealing *r, struct names *an, struct names *srcs,
		       const struct assign_args *a)
{
	double gold = a->gold;
	if (summary_backfill(db) < 0 || db_begin(db) < 0)
		return EX_STORE;
	struct progress pg;
	cmd_progress_begin(&pg, db, a->quiet, a->every, "assign", "solutions");
	int walked = db_names(db, DB_NAMES_DECIDERS, an) < 0 || db_names(db, DB_NAMES_PRM, srcs) < 0 ||
		     db_assigned_solutions(db, &r->taken, &r->ntaken) < 0 ||
		     db_walk(db, an, srcs, on_solution, r) < 0 ? -1 : 0;
	if (cmd_progress_end(&pg, db, "nothing assigned")) {
		db_rollback(db);
		return 130;
	}
	if (walked < 0)
		return EX_STORE;
	if (r->gold_from && names_index(an, r->gold_from) < 0) {
		db_rollback(db);
		errf("stepmark: assign: no labels by \"%s\" in the store\n", inert(r->gold_from, 0));
		return EX_USAGE;
	}
	if ((gold > 0 || a->qualify) && !r->ng) {
		db_rollback(db);
		errf("stepmark: assign: no gold items%s: adjudicate some solutions (stepmark "
		     "adjudicate) or name an expert with --gold-from ANNOTATOR\n",
		     a->qualify ? " to qualify with" : "");
		return EX_USAGE;
	}
	return -1;
}

/* The pile with the fewest items dealt, looking from q[from] round (the
 * first of equals), not but */
static struct pile *lightest(struct pile *q, size_t nq, size_t from, const struct pile *but)
{
	struct pile *best = NULL;
	for (size_t k = 0; k < nq; k++) {
		struct pile *p = &q[(from + k) % nq];
		if (p != but && (!best || p->n - p->qual < best->n - best->qual))
			best = p;
	}
	return best ? best : &q[from % nq]; /* one pile, and it is but: never asked */
}

/* The first n candidates dealt round the piles, a share overlap of them
 * to a second pile; how many went to two. Each goes to the pile with
 * the fewest so far (round the piles among equals), so that the shared
 * ones even out: with two annotators and half shared, dealing strictly
 * in turn gave every shared item's second copy to the same one. */
static long assign_deal(struct pile *q, size_t nq, const struct dealing *r, size_t n,
			double overlap)
{
	long shared = 0;
	for (size_t i = 0; i < n; i++) {
		struct pile *a = lightest(q, nq, i % nq, NULL);
		q_add(a, r->c[i].sol, -2);
		/* an even spread of the overlap: i shared when the share
		 * crosses a whole number */
		if (overlap > 0 && floor((double)(i + 1) * overlap) > floor((double)i * overlap)) {
			size_t from = (size_t)(a - q) + 1 + (size_t)(r->c[i].r % (nq - 1));
			struct pile *b = lightest(q, nq, from % nq, a);
			q_add(b, r->c[i].sol, -2);
			a->shared++;
			b->shared++;
			shared++;
		}
	}
	return shared;
}

/* Gold mixed into each pile, a share gold of it; how many fewer than
 * asked (a pile holds each gold item once). */
static size_t assign_gold(struct pile *q, size_t nq, struct dealing *r, double gold)
{
	size_t next_gold = 0, short_gold = 0;
	for (size_t i = 0; i < nq; i++) {
		size_t dealt = q[i].n - q[i].qual;
		size_t g = gold > 0 ? (size_t)lround((double)dealt * gold / (1 - gold)) : 0;
		if (gold > 0 && dealt && !g)
			g = 1;
		long before = q[i].gold;
		mix_gold(&q[i], r, g, &next_gold, &r->rng);
		short_gold += g - (size_t)(q[i].gold - before);
	}
	return short_gold;
}

static void assign_report(const struct pile *q, size_t nq, const struct dealing *r, size_t deal,
			  long shared, size_t short_gold, const struct assign_args *a)
{
	printf("dealt %zu solution%s to %zu annotator%s (%ld to two of them), %zu left unassigned; "
	       "%zu gold item%s to mix in\n", deal, deal == 1 ? "" : "s", nq, nq == 1 ? "" : "s",
	       shared, r->nc - deal, r->ng, r->ng == 1 ? "" : "s");
	for (size_t i = 0; i < nq; i++)
		printf("  %-20s %7zu in the queue: %zu to label, %ld shared, %ld gold\n",
		       inert(q[i].name, 0), q[i].n, q[i].n - (size_t)q[i].gold, q[i].shared, q[i].gold);
	for (size_t i = 0; i < nq && a->qualify; i++) {
		if (q[i].qual)
			printf("  %-20s qualifies first: %zu gold item%s at the head of the queue%s\n",
			       inert(q[i].name, 0), q[i].qual, q[i].qual == 1 ? "" : "s",
			       (long)q[i].qual < a->qualify ? " (all there are)" : "");
		else
			printf("  %-20s held a queue already: no qualification (--requalify gives "
			       "one)\n", inert(q[i].name, 0));
	}
	if (short_gold)
		printf("%zu gold item%s fewer than --gold asks: a queue holds each gold item once, and "
		       "there are %zu (adjudicate more)\n", short_gold, short_gold == 1 ? "" : "s", r->ng);
}

/* The qualification: the same first qualify gold items of the pool at
 * the head of each new annotator's pile (with --requalify, of every
 * pile). 0, or -1 on a store error. */
static int assign_qualify(struct db *db, struct pile *q, size_t nq, const struct dealing *r,
			  const struct assign_args *a)
{
	size_t n = (size_t)a->qualify < r->ng ? (size_t)a->qualify : r->ng;
	for (size_t i = 0; i < nq; i++) {
		int64_t last = db_assigned_last(db, q[i].name);
		if (last < 0)
			return -1;
		q[i].held = last > 0;
		if (q[i].held && !a->requalify)
			continue;
		for (size_t k = 0; k < n; k++)
			q_add(&q[i], r->g[k].sol, r->g[k].fe);
		q[i].qual = n;
		q[i].gold = (long)n;
	}
	return 0;
}

/* The deal written on the hub in one transaction (the server refuses a
 * member who is no lead), then pulled into the store as every member's
 * is: EX_OK; EX_STORE (the caller says why and rolls back) or EX_BAD
 * after saying why, the store's transaction rolled back. */
static int assign_on_hub(struct db *db, const struct pile *q, size_t nq,
			 const struct assign_args *a, const char *now, int *said)
{
	struct deal_pile dp[64];
	size_t n = 0;
	for (size_t i = 0; i < nq; i++) {
		int64_t last = db_assigned_last(db, q[i].name);
		if (last < 0)
			return EX_STORE;
		if (q[i].n)
			dp[n++] = (struct deal_pile){q[i].name, q[i].sol, q[i].gold_fe, q[i].n, last + 1};
	}
	char why[600] = "";
	int rc = n ? syncdeal_write(db, a->h, a->me->id, dp, n, now, why, sizeof(why)) : 0;
	if (rc == -1)
		return EX_STORE;
	db_rollback(db); /* nothing of it was written here: the pull brings it */
	*said = rc != 0;
	if (rc == 1 || rc == -2) {
		errf("stepmark: assign: the hub %s: %s (nothing dealt, on the hub or here)\n",
		     rc == 1 ? "did not take the deal" : a->me->role == HUB_LEAD ?
		     "failed" : "refused the deal (only a lead deals)",
		     rc == 1 ? why : inert(hub_errmsg(a->h), 0));
		return rc == -2 && a->me->role == HUB_LEAD ? EX_STORE : EX_BAD;
	}
	struct deal_counts c = {0};
	rc = syncdeal_pull(db, a->h, a->me->id, 1000, &c);
	if (rc < 0) {
		errf("stepmark: assign: dealt on the hub, but the %s failed: %s (stepmark sync "
		     "brings the deal here)\n", rc == -1 ? "store" : "hub",
		     inert(rc == -1 ? db_errmsg(db) : hub_errmsg(a->h), 0));
		return EX_BAD;
	}
	return EX_OK;
}

/* Dealt and stored, the report printed: EX_OK, or EX_STORE (the caller
 * says why and rolls back). */
static int assign_store(struct db *db, struct pile *q, size_t nq, struct dealing *r,
			const struct assign_args *a)
{
	/* (qsort takes no NULL array, even an empty one) */
	if (r->nc && a->order == ORD_RANDOM)
		qsort(r->c, r->nc, sizeof(*r->c), by_random);
	else if (r->nc && a->order == ORD_DISAGREE)
		qsort(r->c, r->nc, sizeof(*r->c), by_prio);
	size_t deal = a->limit >= 0 && (size_t)a->limit < r->nc ? (size_t)a->limit : r->nc;
	if (a->qualify && assign_qualify(db, q, nq, r, a) < 0)
		return EX_STORE;
	long shared = assign_deal(q, nq, r, deal, a->overlap);
	size_t short_gold = assign_gold(q, nq, r, a->gold);
	char now[32];
	now_iso(now);
	if (a->h) {
		int rc = assign_on_hub(db, q, nq, a, now, &r->said);
		if (rc != EX_OK)
			return rc;
	}
	for (size_t i = 0; !a->h && i < nq; i++)
		if (db_assign_add(db, q[i].name, q[i].sol, q[i].gold_fe, q[i].n, now) < 0)
			return EX_STORE;
	if (!a->h && db_commit(db) < 0)
		return EX_STORE;
	if (!a->quiet)
		assign_report(q, nq, r, deal, shared, short_gold, a);
	if (!a->quiet && a->h)
		printf("dealt on the hub: each annotator's sync brings their queue\n");
	return EX_OK;
}

/* A store with a hub (--hub, the config's hub, or a store that syncs
 * with one) deals there: a->h connected, the store synced first so that
 * it holds the hub's deal (what is dealt stays dealt) and the hub its
 * solutions. EX_OK (a->h NULL: no hub), else the exit status after
 * saying why. */
static int assign_hub(struct db *db, const struct cmd_env *env, struct assign_args *a,
		      struct hub_me *me)
{
	char *url = cmd_hub_url_if(env), bound[80];
	if (!url) {
		if (db_hub_bound(db, bound, sizeof(bound)) < 0)
			return EX_STORE;
		if (!*bound)
			return EX_OK;
		errf("stepmark: assign: this store syncs with a hub, where its deal lives: give "
		     "--hub URL or set hub in the config (nothing dealt)\n");
		return EX_USAGE;
	}
	int rc;
	if (!(a->h = cmd_hub_open("assign", url, me, &rc)))
		return rc;
	a->me = me;
	if ((rc = cmd_hub_bind("assign", db, me)) != 0)
		return rc;
	struct sync_counts c;
	int r = sync_run(db, a->h, me, 1000, NULL, &c);
	if (r < 0) {
		errf("stepmark: assign: the sync before the deal failed: %s (nothing dealt)\n",
		     inert(r == -1 ? db_errmsg(db) : hub_errmsg(a->h), 0));
		return EX_STORE;
	}
	return EX_OK;
}

int cmd_assign(int argc, char **argv, struct cmd_env *env)
{
	struct assign_args a = {.dbpath = env->dbpath, .where = "all", .order = ORD_RANDOM,
				.limit = -1, .seed = 1};
	struct dealing r = {0};
	int rc = assign_args(argc, argv, &a, &r);
	if (rc >= 0)
		return rc;
	char *copy = xstrdup(a.anns);
	struct pile q[64];
	size_t nq = 0;
	memset(q, 0, sizeof(q));
	if ((rc = assign_piles(copy, q, &nq, a.overlap)) >= 0) {
		free(copy);
		return rc;
	}
	r.rng = a.seed * 0x9e3779b97f4a7c15ULL + 1;
	char err[600];
	struct db *db = cmd_db_open(a.dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", inert(err, 0));
		free(copy);
		return EX_STORE;
	}
	db_say_waits(db, stderr);
	struct names an = {0}, srcs = {0};
	policy_parse("adjudicated", &r.adj, err, sizeof(err));
	struct hub_me me;
	int hub_rc = assign_hub(db, env, &a, &me);
	rc = EX_OK;
	if (hub_rc != EX_OK) {
		rc = hub_rc; /* said */
	} else if (a.dataset && !(r.dataset = db_dataset_id(db, a.dataset))) {
		errf("stepmark: assign: no data set named \"%s\" (stepmark stats lists them)\n",
		     inert(a.dataset, 0));
		rc = EX_USAGE;
	} else if ((rc = assign_read(db, &r, &an, &srcs, &a)) < 0) {
		rc = assign_store(db, q, nq, &r, &a);
	}
	if (rc == EX_STORE && hub_rc == EX_OK && !r.said) { /* the reason, before the rollback */
		errf("stepmark: assign: the store failed: %s\n", db_errmsg(db));
		db_rollback(db);
	}
	for (size_t i = 0; i < nq; i++) {
		free(q[i].sol);
		free(q[i].gold_fe);
	}
	free(copy);
	free(r.c);
	free(r.g);
	free(r.taken);
	free(r.scratch);
	buf_free(&r.d.ratings);
	buf_free(&r.d.by);
	policy_free(&r.adj);
	names_free(&an);
	names_free(&srcs);
	db_close(db);
	hub_close(a.h);
	return rc;
}
