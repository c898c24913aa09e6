/* cmd_fetch.c - `stepmark fetch`: the engine, headless */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "batch.h"
#include "fetch.h"
#include "hubfetch.h"
#include "prompt.h"
#include "progress.h"
#include "prov.h"
#include "summary.h"
#include "../db/db.h"
#include "../db/hubjobs.h"
#include "conf.h"

/* align is fetch --align; the options --help lists under it */
const char cmd_align_help[] =
	"    --dataset NAME --solution ID --limit N --min-score N\n";

/* the options --help lists under the command */
const char cmd_fetch_help[] =
	"@PROVIDERS@\n"
	"    --dataset NAME --limit N --solution ID  which solutions get jobs,\n"
	"                            and which jobs this run runs\n"
	"@SETTINGS@\n"
	"    --retry-failed          queue failed jobs again\n"
	"    --status                print the jobs' counts and failures\n"
	"    --batch-out FILE        write the requests as batch lines, one file per\n"
	"                            endpoint URL and model\n"
	"                            (FILE.chat-completions.jsonl...) and a manifest;\n"
	"                            the jobs stay queued\n"
	"    --batch-for ENGINE      openai (default), vllm (run_batch) or ray (Ray\n"
	"                            Data LLM rows): what --batch-out writes\n"
	"    --batch-lines N         lines per file at most (default 50000)\n"
	"    --batch-in FILE         read a batch result file (repeatable), then go on;\n"
	"                            a round's results write the next round's files\n"
	"    --template PROVIDER     print the prompt template in force\n"
	"    --hub                   run the jobs on the hub (--hub URL or the hub\n"
	"                            setting), with other workers\n"
	"    --lease SECONDS         how long a hub job's lease lasts unrenewed (120)\n"
	"    --quiet, --progress-every SECONDS\n";

enum {
	F_DATASET = 1000, F_LIMIT, F_SOLUTION, F_RETRY, F_STATUS,
	F_BATCH_OUT, F_BATCH_IN, F_BATCH_LINES, F_BATCH_FOR, F_TEMPLATE, F_CONFIG, F_DB, F_QUIET, F_EVERY,
	F_HUB, F_LEASE,
	F_PROVIDER = 2000,                  /* --NAME: one per provider */
	F_SETTING = F_PROVIDER + P_MAX,     /* --OPTION VALUE: p * POPT_MAX + i */
};

static const struct option fixed_opts[] = {
	{"dataset", required_argument, NULL, F_DATASET},
	{"limit", required_argument, NULL, F_LIMIT},
	{"solution", required_argument, NULL, F_SOLUTION},
	{"retry-failed", no_argument, NULL, F_RETRY},
	{"status", no_argument, NULL, F_STATUS},
	{"batch-out", required_argument, NULL, F_BATCH_OUT},
	{"batch-in", required_argument, NULL, F_BATCH_IN},
	{"batch-lines", required_argument, NULL, F_BATCH_LINES},
	{"batch-for", required_argument, NULL, F_BATCH_FOR},
	{"template", required_argument, NULL, F_TEMPLATE},
	{"config", required_argument, NULL, F_CONFIG},
	{"db", required_argument, NULL, F_DB},
	{"quiet", no_argument, NULL, F_QUIET},
	{"progress-every", required_argument, NULL, F_EVERY},
	{"hub", no_argument, NULL, F_HUB},
	{"lease", required_argument, NULL, F_LEASE},
};

#define NFIXED (sizeof(fixed_opts) / sizeof(fixed_opts[0]))
#define NOPTS (NFIXED + P_MAX * (POPT_MAX + 1) + 1)

/* The options: the fixed ones, then --NAME for each provider and
 * --OPTION for each provider setting marked for the command line. */
static void fetch_options(struct option o[NOPTS])
{
	size_t n = NFIXED;
	memset(o, 0, NOPTS * sizeof(*o));
	memcpy(o, fixed_opts, sizeof(fixed_opts));
	for (int p = 0; p < nproviders; p++)
		o[n++] = (struct option){providers[p]->name, no_argument, NULL, F_PROVIDER + p};
	for (int p = 0; p < nproviders; p++)
		for (int i = 0; providers[p]->opts && providers[p]->opts[i].name; i++)
			if (providers[p]->opts[i].cli)
				o[n++] = (struct option){providers[p]->opts[i].name, required_argument,
							 NULL, F_SETTING + p * POPT_MAX + i};
}

struct totals {
	long queued, leased, done, failed;
};

static void totals(struct db *db, struct fetch *f, unsigned mask, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int p = 0; p < nproviders; p++) {
		struct db_job_counts c;
		if (!(mask >> p & 1) || db_jobs_count(db, provider_name(p), fetch_params(f, p), &c) < 0)
			continue;
		t->queued += c.queued;
		t->leased += c.leased;
		t->done += c.done;
		t->failed += c.failed;
	}
}

/* fetch's frame filled: the jobs done of all, its failures, tokens and (on a
 * terminal) the requests in flight, else the requests sent. */
static void progress(struct progress *p, struct db *db, struct fetch *f, unsigned mask)
{
	struct fetch_progress pg;
	struct totals t;
	fetch_progress(f, &pg);
	totals(db, f, mask, &t);
	char tok[16];
	progress_human(tok, sizeof(tok), (double)(pg.tokens_in + pg.tokens_out));
	p->total = t.queued + t.leased + t.done + t.failed;
	p->done = t.done;
	snprintf(p->what, sizeof(p->what), "%s", p->mode == PROGRESS_TTY ? "" : "fetch");
	snprintf(p->detail, sizeof(p->detail), ", %ld failed", t.failed);
	if (p->mode == PROGRESS_TTY)
		snprintf(p->tail, sizeof(p->tail), ", %s tokens, %d in flight", tok, pg.inflight);
	else
		snprintf(p->tail, sizeof(p->tail), ", %s tokens, %ld requests, %ld cached, "
			 "%ld retries", tok, pg.requests, pg.cached, pg.retries);
}

static void print_failure(void *ctx, const char *reason, long n, int64_t sol)
{
	fprintf(ctx, "  %ld x %s (e.g. solution %lld)\n", n, reason, (long long)sol);
}

/* The jobs' counts of the providers in mask: those of this run's params,
 * or (f NULL) of every job in the store. */
static int report(struct db *db, struct fetch *f, unsigned mask)
{
	int failed = 0;
	for (int p = 0; p < nproviders; p++) {
		struct db_job_counts c;
		const char *params = f ? fetch_params(f, p) : NULL;
		if (!(mask >> p & 1) || db_jobs_count(db, provider_name(p), params, &c) < 0)
			continue;
		if (!f && !c.done && !c.failed && !c.queued && !c.leased)
			continue;
		printf("%s: %ld done, %ld failed, %ld queued, %ld leased", provider_name(p), c.done,
		       c.failed, c.queued, c.leased);
		if (provider_online(p)) /* an offline one sends nothing */
			printf("; %ld requests sent, %ld answered without one, %ld tokens (%ld "
			       "prompt, %ld completion)", c.requests, c.cached, c.tokens,
			       c.tokens_in, c.tokens_out);
		printf("\n");
		batch_status(db, provider_name(p), params, stdout);
		if (c.failed) {
			failed = 1;
			printf("%s failures, most common first:\n", provider_name(p));
			db_jobs_failures(db, provider_name(p), params, 8, print_failure, stdout);
		}
	}
	return failed;
}

/* What the command line says. */
struct fetch_args {
	const char *dbpath, *config_path;
	struct { int p, i; const char *v; } sets[32]; /* settings over the config's */
	int nsets;
	unsigned mask; /* the providers named */
	const char *dataset, *batch_out, *tmpl;
	const char *batch_in[32];
	int nbatch_in;
	long limit, every, batch_max;
	int target; /* BT_*, -1 not said */
	int64_t sol;
	int retry, status, quiet;
	int hub;       /* --hub: the jobs run on the hub */
	double lease;  /* --lease SECONDS */
};

/* One run: the arguments, the config, the store and the engine. */
struct fetch_cmd {
	struct fetch_args a;
	struct conf cfg;
	struct db *db;
	struct fetch *f;
	struct batch_out *bo;
	int64_t ds; /* the data set's id, 0: every one */
	char paid[80];   /* the mark of what --batch-in answered ("": none) */
	long round_in;   /* the round --batch-in's results answer (0: none) */
	struct fetch_progress bpg; /* what --batch-out's stream did */
	struct progress *shown;    /* its progress line */
	char round_path[4096]; /* that round's --batch-out */
	char err[600];
	const struct cmd_env *env;
};

/* One fixed option into a. -1 on, else the exit code. */
static int fetch_arg(struct fetch_args *a, int c)
{
	char *end = NULL;
	switch (c) {
	case F_DATASET:
		if (!*optarg)
			return bad_usage("--dataset needs a name");
		a->dataset = optarg;
		break;
	case F_LIMIT:
		a->limit = strtol(optarg, &end, 10);
		if (*end || a->limit <= 0)
			return bad_usage("--limit needs a positive number");
		break;
	case F_SOLUTION:
		a->sol = strtoll(optarg, &end, 10);
		if (*end || a->sol <= 0)
			return bad_usage("--solution needs a solution id");
		break;
	case F_RETRY: a->retry = 1; break;
	case F_STATUS: a->status = 1; break;
	case F_BATCH_OUT: a->batch_out = optarg; break;
	case F_BATCH_IN:
		if (a->nbatch_in == (int)ARRAY_SIZE(a->batch_in))
			return bad_usage("at most 32 --batch-in files at a time");
		a->batch_in[a->nbatch_in++] = optarg;
		break;
	case F_BATCH_LINES:
		a->batch_max = strtol(optarg, &end, 10);
		if (*end || a->batch_max <= 0)
			return bad_usage("--batch-lines needs a positive number");
		break;
	case F_BATCH_FOR:
		if ((a->target = batch_target(optarg)) < 0)
			return bad_usage("--batch-for takes openai, vllm or ray");
		break;
	case F_TEMPLATE: a->tmpl = optarg; break;
	case F_CONFIG: a->config_path = optarg; break;
	case F_DB: a->dbpath = optarg; break;
	case F_QUIET: a->quiet = 1; break;
	case F_EVERY:
		a->every = strtol(optarg, &end, 10);
		if (*end || a->every <= 0)
			return bad_usage("--progress-every needs seconds");
		break;
	case F_HUB: a->hub = 1; break;
	case F_LEASE:
		a->lease = strtod(optarg, &end);
		if (*end || !(a->lease >= 1 && a->lease <= 86400))
			return bad_usage("--lease needs seconds, 1 to 86400");
		break;
	default: return EX_USAGE;
	}
	if (end && *end)
		return bad_usage("a number is expected after the option");
	return -1;
}

/* The command line into a: -1 when it can run, else the exit code. */
static int fetch_args(int argc, char **argv, struct fetch_args *a)
{
	struct option opts[NOPTS];
	fetch_options(opts);
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c >= F_PROVIDER && c < F_SETTING) {
			a->mask |= 1u << (c - F_PROVIDER);
			continue;
		}
		if (c >= F_SETTING) {
			if (a->nsets == (int)ARRAY_SIZE(a->sets))
				return bad_usage("too many settings on the command line");
			a->sets[a->nsets].p = (c - F_SETTING) / POPT_MAX;
			a->sets[a->nsets].i = (c - F_SETTING) % POPT_MAX;
			a->sets[a->nsets++].v = optarg;
			continue;
		}
		int rc = fetch_arg(a, c);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return bad_usage("fetch takes no file arguments (see --batch-in)");
	if (a->target >= 0 && !a->batch_out && !a->nbatch_in)
		return bad_usage("--batch-for says what --batch-out writes: give it one");
	if (a->hub && (a->batch_out || a->nbatch_in || a->retry || a->status || a->tmpl))
		return bad_usage("fetch --hub runs the hub's jobs: not with --batch-out, "
				 "--batch-in, --retry-failed, --status or --template");
	for (int p = 0; a->hub && p < nproviders; p++)
		if ((a->mask >> p & 1) && providers[p]->links)
			return bad_usage("fetch --hub runs providers that make suggestions: "
					 "not an aligner");
	if (a->lease && !a->hub)
		return bad_usage("--lease is for fetch --hub");
	return -1;
}

/* The config read whole (requests cost money), the command line's
 * settings over it. -1 on, else the exit code. */
static int fetch_config(struct fetch_cmd *x)
{
	const char *given = x->a.config_path;
	char *cpath = given ? xstrdup(given) : conf_path_default();
	/* a config others can write is said, and its keys refused, not its lines */
	int cbad = cpath ? conf_load(&x->cfg, cpath, given == NULL, stderr) - x->cfg.unsafe : 0;
	if (cbad > 0) {
		errf("stepmark: %s: %d line%s above cannot be used; fix %s before fetching\n",
		     cpath, cbad, cbad == 1 ? "" : "s", cbad == 1 ? "it" : "them");
		free(cpath);
		return EX_BAD;
	}
	free(cpath);
	for (int k = 0; k < x->a.nsets; k++) {
		int p = x->a.sets[k].p;
		const char *w[4] = {"provider", provider_name(p),
				    providers[p]->opts[x->a.sets[k].i].name, x->a.sets[k].v};
		if (fconf_line(&x->cfg.fetch, 4, w, x->err, sizeof(x->err)) < 0)
			return bad_usage(x->err);
	}
	return -1;
}

/* --template: the prompt template in force, printed. */
static int fetch_template(struct fetch_cmd *x)
{
	int p = provider_find(x->a.tmpl);
	if (p < 0 || !providers[p]->builtin) {
		char names[200];
		size_t o = 0;
		names[0] = '\0';
		for (int q = 0; q < nproviders && o < sizeof(names); q++)
			if (providers[q]->builtin)
				o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
						      o ? ", " : "", provider_name(q));
		snprintf(x->err, sizeof(x->err), "--template takes a provider with a prompt: %s",
			 names);
		return bad_usage(x->err);
	}
	char *t = prompt_template(&x->cfg.fetch, p, x->err, sizeof(x->err));
	if (!t) {
		errf("stepmark: %s\n", x->err);
		return EX_BAD;
	}
	fputs(t, stdout);
	free(t);
	if (!fconf_uses_template(&x->cfg.fetch, p))
		errf("stepmark: with these settings provider %s sends no template: "
		     "this one is not used (see stepmarkrc(5))\n", provider_name(p));
	return EX_OK;
}

/* --status without a provider: every job in the store, whatever its
 * params, read without writing. */
static int fetch_status_all(struct fetch_cmd *x)
{
	x->db = db_open_ro(x->a.dbpath, x->err, sizeof(x->err));
	if (!x->db) {
		errf("stepmark: %s\n", inert(x->err, 0));
		return EX_STORE;
	}
	struct db_job_counts jc;
	int any = 0;
	for (int p = 0; p < nproviders; p++)
		any |= db_jobs_count(x->db, provider_name(p), NULL, &jc) == 0 &&
		       (jc.done || jc.failed || jc.queued || jc.leased);
	if (!any) {
		char names[200];
		provider_list(names, sizeof(names), -1);
		printf("no jobs in %s: stepmark fetch --PROVIDER queues some (%s)\n",
		       x->a.dbpath, names);
	}
	return report(x->db, NULL, (1u << nproviders) - 1) ? EX_BAD : EX_OK;
}

/* The store opened and summarised, the --batch-in files read into its
 * cache. -1 on, else the exit code. */
static int fetch_open(struct fetch_cmd *x)
{
	x->db = cmd_db_open(x->a.dbpath, x->err, sizeof(x->err));
	if (!x->db) {
		errf("stepmark: %s\n", x->err);
		return EX_STORE;
	}
	if (summary_backfill(x->db) < 0) {
		errf("stepmark: cannot summarise: %s\n", db_errmsg(x->db));
		return EX_STORE;
	}
	/* the replies paid for count their tokens for the jobs this run
	 * runs: marked as this run's, in the store (not in memory) */
	if (x->a.nbatch_in && x->a.mask) {
		char now[32];
		now_iso(now);
		snprintf(x->paid, sizeof(x->paid), "%s batch-in %ld", now, (long)getpid());
	}
	for (int i = 0; i < x->a.nbatch_in; i++) {
		struct batch_in_stats st;
		if (batch_read_results(x->db, x->a.batch_in[i], stderr, &st,
				       x->paid[0] ? x->paid : NULL) < 0)
			return EX_BAD;
		printf("%s: %ld responses stored in the cache", x->a.batch_in[i], st.stored);
		if (st.samples)
			printf(", %ld Ray rows read", st.samples);
		if (st.dups)
			printf(", %ld duplicates ignored", st.dups);
		if (st.bad)
			printf(", %ld lines skipped (listed above)", st.bad);
		printf("\n");
		x->round_in = st.round > x->round_in ? st.round : x->round_in;
	}
	return -1;
}

/* Batch files or not: --batch-out, or after --batch-in of the store's
 * last round the next round's files (said); --batch-for vllm's chat
 * continuation set. -1 on, else the exit code. */
static int fetch_batch_mode(struct fetch_cmd *x)
{
	struct fetch_args *a = &x->a;
	int t = BT_OPENAI;
	if (!a->batch_out && x->round_in && !a->status &&
	    batch_round_of(x->db, x->round_in, x->round_path, sizeof(x->round_path), &t) > 0) {
		a->batch_out = x->round_path;
		printf("round %ld's results read: what the jobs ask next goes to round %ld's "
		       "files (--batch-out %s)\n", x->round_in, x->round_in + 1, a->batch_out);
	}
	if (a->target < 0)
		a->target = t;
	if (a->batch_out && batch_settings(&x->cfg.fetch, a->mask, a->target, stderr) < 0)
		return EX_BAD;
	return -1;
}

/* The engine for the providers named, on the solutions selected. -1 on,
 * else the exit code. */
static int fetch_engine(struct fetch_cmd *x)
{
	if (fconf_resolve(&x->cfg.fetch, x->a.mask, x->err, sizeof(x->err)) < 0) {
		errf("stepmark: %s\n", x->err);
		return EX_BAD;
	}
	x->f = fetch_new(x->db, &x->cfg.fetch, x->a.mask, x->err, sizeof(x->err));
	if (x->f)
		fetch_paid(x->f, x->paid[0] ? x->paid : NULL);
	if (!x->f) {
		errf("stepmark: %s\n", x->err);
		return EX_BAD;
	}
	if (x->a.dataset && !(x->ds = db_dataset_id(x->db, x->a.dataset))) {
		errf("stepmark: no data set named \"%s\" in %s\n", x->a.dataset, x->a.dbpath);
		return EX_BAD;
	}
	fetch_select(x->f, x->ds, x->a.sol, x->a.limit);
	return -1;
}

/* Jobs queued for each provider named (failed ones again with
 * --retry-failed; an offline aligner's done ones always), a transaction
 * each. -1, or the exit code. */
static int fetch_enqueue_each(struct fetch_cmd *x)
{
	struct db *db = x->db;
	const struct fetch_args *a = &x->a;
	for (int p = 0; p < nproviders; p++) {
		if (!(a->mask >> p & 1))
			continue;
		if (db_begin(db) < 0) {
			errf("stepmark: %s\n", db_errmsg(db));
			return EX_STORE;
		}
		const char *params = fetch_params(x->f, p);
		long back = a->retry ? db_jobs_requeue(db, provider_name(p), params, x->ds, a->sol,
						       "failed") : 0;
		/* links replace the solution's earlier ones: an offline
		 * aligner runs again, so the last run's settings hold */
		long again = providers[p]->links && !provider_online(p) ?
			     db_jobs_requeue(db, provider_name(p), params, x->ds, a->sol, "done") : 0;
		long added = fetch_enqueue(x->f, p, x->ds, a->sol, a->limit);
		if (added < 0 || back < 0 || again < 0 || db_commit(db) < 0) {
			db_rollback(db);
			errf("stepmark: cannot queue jobs: %s\n", db_errmsg(db));
			return EX_STORE;
		}
		if (!a->quiet) {
			errf("%s: %ld new jobs", provider_name(p), added);
			if (a->retry)
				errf(", %ld failed ones queued again", back);
			if (again)
				errf(", %ld done ones run again", again);
			errf(" (params %s)\n", params);
		}
	}
	return -1;
}

/* fetch_enqueue_each; --batch-out queues with the store held alone when nothing
 * else has it open (db_batch_hold): a Math-Shepherd-size round queues
 * 445 K jobs in one transaction that outgrows the page cache, whose
 * pages the log took two and a half times over (spilled, dirtied again,
 * spilled again: 22 600 pages for the 9 200 of 100 K jobs) and the
 * checkpoint once more; held, the new pages go to the store once. */
static int fetch_enqueue_all(struct fetch_cmd *x)
{
	int held = x->a.batch_out && db_batch_hold(x->db) > 0;
	/* no foreign-key probe per job: the rows name solutions read in
	 * their own statement (db_jobs_checks) */
	int checks = db_jobs_checks(x->db, 0) == 0;
	int rc = fetch_enqueue_each(x);
	if (checks)
		db_jobs_checks(x->db, 1);
	if (held)
		db_batch_unhold(x->db);
	return rc;
}

/* The engine run until its jobs are done or a signal stops it, with a
 * progress line on standard error. Returns when it started (seconds of
 * the monotonic clock). */
static double fetch_loop(struct fetch_cmd *x)
{
	progress_catch();
	const struct fetch_args *a = &x->a;
	struct progress p;
	struct totals t = {0};
	progress_start(&p, a->quiet ? PROGRESS_OFF : isatty(STDERR_FILENO) ? PROGRESS_TTY :
		       PROGRESS_LINES, a->every, "fetch", 0, "done");
	if (p.mode != PROGRESS_OFF) /* a count over the jobs: for a progress line */
		totals(x->db, x->f, a->mask, &t);
	p.rate_unit = "jobs";
	p.done0 = t.done;
	long notices = 0;
	while (!progress_stopped() && fetch_work(x->f, 50)) {
		fetch_wait(x->f, NULL, 0, 200);
		struct fetch_progress np;
		fetch_progress(x->f, &np);
		if (np.notices != notices) { /* each said once */
			notices = np.notices;
			progress_clear(&p);
			errf("stepmark: %s\n", np.notice);
		}
		if (progress_due(&p)) {
			progress(&p, x->db, x->f, a->mask);
			progress_draw(&p, 0);
		}
	}
	fetch_stop(x->f);
	/* the last frame says how it ended, not how it was (a terminal's:
	 * progress_end draws no other) */
	if (p.mode == PROGRESS_TTY)
		progress(&p, x->db, x->f, a->mask);
	progress_end(&p);
	return p.t0;
}

static int batch_tick(void *ctx)
{
	struct fetch_cmd *x = ctx;
	if (progress_due(x->shown)) {
		progress(x->shown, x->db, x->f, x->a.mask);
		progress_draw(x->shown, 0);
	}
	return progress_stopped();
}

/* --batch-out's run: the queued jobs streamed to the files a window at a
 * time, with a progress line between windows. Returns when it started
 * (seconds of the monotonic clock); the exit code into rc when it failed. */
static double fetch_batch_loop(struct fetch_cmd *x, int *rc)
{
	progress_catch();
	const struct fetch_args *a = &x->a;
	struct progress p;
	struct totals t = {0};
	if (!a->quiet) /* two counts over the jobs: not for nothing */
		totals(x->db, x->f, a->mask, &t);
	progress_start(&p, a->quiet ? PROGRESS_OFF : isatty(STDERR_FILENO) ? PROGRESS_TTY :
		       PROGRESS_LINES, a->every, "fetch", 0, "done");
	p.rate_unit = "jobs";
	p.done0 = t.done;
	struct batch_run r = {.db = x->db, .fc = &x->cfg.fetch, .mask = a->mask,
			      .dataset = x->ds, .sol = a->sol, .limit = a->limit, .out = x->bo,
			      .paid = x->paid[0] ? x->paid : NULL, .tick = batch_tick,
			      .ctx = x};
	for (int i = 0; i < nproviders; i++)
		r.params[i] = a->mask >> i & 1 ? fetch_params(x->f, i) : NULL;
	x->shown = &p;
	int got = batch_stream(&r, &x->bpg, x->err, sizeof(x->err));
	if (got < 0) {
		progress_clear(&p);
		errf("stepmark: %s; no round recorded, the jobs stay queued\n", x->err);
		*rc = got == -1 ? EX_STORE : EX_BAD;
	}
	if (!a->quiet)
		progress(&p, x->db, x->f, a->mask);
	progress_end(&p);
	x->shown = NULL;
	return p.t0;
}

/* How the run ended: the batch files written, this run's totals, the
 * links made, the jobs' counts. The exit code. */
static int fetch_summary(struct fetch_cmd *x, double t0)
{
	struct fetch_progress pg;
	if (x->a.batch_out)
		pg = x->bpg;
	else
		fetch_progress(x->f, &pg);
	if (progress_stopped())
		errf("stepmark: stopped; unfinished jobs went back to the queue "
			"(run the same command to go on)\n");
	if (x->a.batch_out) {
		if (batch_close(x->bo, stdout, x->err, sizeof(x->err)) < 0) {
			errf("stepmark: %s; the jobs went back to the queue\n", x->err);
			return EX_BAD;
		}
		if (batch_round_done(x->db, x->bo, x->a.batch_out, x->a.target) < 0) {
			errf("stepmark: cannot record the round: %s\n", db_errmsg(x->db));
			return EX_STORE;
		}
		if (pg.batched)
			printf("%ld requests written for %d jobs; send each file to its runner, "
			       "then read every results file back: stepmark fetch --batch-in RESULTS "
			       "[--batch-in RESULTS2...] with the same options\n", pg.batched,
			       pg.deferred);
		else
			printf("no request to write: the cache answered every one\n");
	}
	/* --quiet: no summary unless something failed (the failures' report) */
	int online = 0, quiet = x->a.quiet;
	for (int p = 0; p < nproviders; p++)
		online |= (x->a.mask >> p & 1) && provider_online(p);
	if (!quiet && online)
		printf("this run: %ld jobs done, %ld failed, %ld requests sent (%ld of them sent "
		       "again by libcurl), %ld answered from the cache, %ld shared with an "
		       "identical request, %ld retries, %ld tokens in, %ld out, %.1f s\n", pg.done,
		       pg.failed, pg.requests, pg.resent, pg.cached, pg.shared, pg.retries,
		       pg.tokens_in, pg.tokens_out, (mono_ms() / 1e3) - t0);
	else if (!quiet) /* offline: no request, no network figure */
		printf("this run: %ld jobs done, %ld failed, %.1f s\n", pg.done, pg.failed,
		       (mono_ms() / 1e3) - t0);
	/* links need a reference: say how many solutions have none */
	for (int p = 0; p < nproviders && !quiet; p++) {
		long no_ref, linked;
		if (!(x->a.mask >> p & 1) || !providers[p]->links ||
		    (linked = db_linked_solutions(x->db, provider_name(p), x->ds, &no_ref)) < 0)
			continue;
		printf("%s: %ld solution%s linked to their reference", provider_name(p), linked,
		       linked == 1 ? "" : "s");
		if (no_ref > 0)
			printf("; %ld without a reference to link to, no job queued for them "
			       "(stepmark import-reference gives them one)", no_ref);
		printf("\n");
	}
	int rc = EX_OK;
	if ((!quiet || pg.failed) && report(x->db, x->f, x->a.mask) && pg.failed)
		rc = EX_BAD;
	return progress_stopped() ? 130 : rc;
}

/* --hub: this machine one of the hub's workers; the exit code */
static int fetch_hub(struct fetch_cmd *x)
{
	char *url = cmd_hub_url(x->env);
	if (!url)
		return EX_USAGE;
	struct hub_me me;
	int rc;
	struct hub *h = cmd_hub_open("fetch", url, &me, &rc);
	if (!h)
		return rc;
	if (me.role != HUB_WORKER && me.role != HUB_LEAD) {
		errf("stepmark: fetch: %s is a member of the hub as %s: a worker or a lead "
		     "runs its jobs (stepmark hub add NAME --role worker)\n", inert(me.user, 0),
		     hub_role_names[me.role]);
		hub_close(h);
		return EX_BAD;
	}
	if ((rc = cmd_hub_bind("fetch", x->db, &me)) != 0) {
		hub_close(h);
		return rc;
	}
	progress_catch();
	struct hubfetch_opts o = {.lease_s = x->a.lease ? x->a.lease : 120, .batch = 32,
				  .dataset = x->ds, .sol = x->a.sol, .limit = x->a.limit,
				  .fc = &x->cfg.fetch};
	struct hubfetch_counts c;
	int r = hubfetch_run(x->db, h, &me, x->f, x->a.mask, &o, &c);
	fetch_stop(x->f);
	if (r == -1)
		errf("stepmark: fetch: the store failed: %s\n", db_errmsg(x->db));
	else if (r == -2)
		errf("stepmark: fetch: the hub failed: %s (the jobs this worker held go to the "
		     "others when their leases run out)\n", hub_errmsg(h));
	if (progress_stopped())
		errf("stepmark: stopped; the jobs this worker held went back to the hub's queue\n");
	if (!x->a.quiet)
		printf("hub: %ld jobs put (%ld there already, %ld on solutions the hub lacks)\n"
		       "this worker: %ld jobs done, %ld failed, %ld left to another worker (their "
		       "leases ran out); %ld suggestions written to the hub\n", c.put, c.there,
		       c.missing, c.done, c.failed, c.lost, c.sugs);
	if (!x->a.quiet)
		printf("responses: %ld from the hub's cache, %ld written to it%s\n", c.hub_cached,
		       c.cache_put, c.cache_kept ? " (some kept out: the hub has another under "
		       "their request)" : "");
	for (int p = 0; p < nproviders && r != -2 && !x->a.quiet; p++) {
		struct hub_job_counts hc;
		if ((x->a.mask >> p & 1) &&
		    hub_jobs_count(h, provider_name(p), fetch_params(x->f, p), &hc) == 0)
			printf("%s on the hub: %ld done, %ld failed, %ld queued, %ld leased\n",
			       provider_name(p), hc.done, hc.failed, hc.queued, hc.leased + hc.expired);
	}
	hub_close(h);
	if (r < 0)
		return EX_STORE;
	return progress_stopped() ? 130 : c.failed ? EX_BAD : EX_OK;
}

/* The modes in order: --template, --status of the store, --batch-in
 * alone, --status of this run's jobs, and the run itself (with
 * --batch-out its requests go to files). */
static int fetch_modes(struct fetch_cmd *x)
{
	const struct fetch_args *a = &x->a;
	int rc;
	if (a->tmpl)
		return fetch_template(x);
	if (a->status && !a->mask)
		return fetch_status_all(x);
	if (!a->mask && !a->nbatch_in) {
		char names[200];
		provider_list(names, sizeof(names), -1);
		snprintf(x->err, sizeof(x->err), "fetch needs a provider: --NAME, one of %s", names);
		return bad_usage(x->err);
	}
	if ((rc = fetch_open(x)) >= 0)
		return rc;
	if (a->nbatch_in && !a->mask)
		return EX_OK;
	if ((rc = fetch_batch_mode(x)) >= 0 || (rc = fetch_engine(x)) >= 0)
		return rc;
	if (a->hub)
		return fetch_hub(x);
	if (a->status)
		return report(x->db, x->f, a->mask) ? EX_BAD : EX_OK;
	if (a->batch_out && batch_check(&x->cfg.fetch, a->mask, a->target, x->err,
					sizeof(x->err)) < 0) {
		errf("stepmark: --batch-for %s: %s; nothing written\n", batch_targets[a->target],
		     x->err);
		return EX_BAD;
	}
	if ((rc = fetch_enqueue_all(x)) >= 0)
		return rc;
	if (a->batch_out) {
		x->bo = batch_round_open(x->db, x->f, &x->cfg.fetch, a->mask, a->batch_out,
					 a->target, a->batch_max, x->err, sizeof(x->err));
		if (!x->bo) {
			errf("stepmark: %s\n", x->err);
			return EX_STORE;
		}
		double t0 = fetch_batch_loop(x, &rc);
		return rc >= 0 ? rc : fetch_summary(x, t0);
	}
	return fetch_summary(x, fetch_loop(x));
}

int cmd_fetch(int argc, char **argv, struct cmd_env *env)
{
	struct fetch_cmd x = {.a = {.dbpath = env->dbpath, .config_path = env->config,
				    .every = 10, .batch_max = BATCH_MAX_LINES, .target = -1},
			      .env = env};
	int rc = fetch_args(argc, argv, &x.a);
	if (rc >= 0)
		return rc;
	conf_init(&x.cfg);
	rc = fetch_config(&x);
	if (rc < 0)
		rc = fetch_modes(&x);
	batch_free(x.bo);
	fetch_free(x.f);
	db_close(x.db);
	conf_done(&x.cfg);
	return rc;
}

int cmd_align(int argc, char **argv, struct cmd_env *env)
{
	char **args = xcalloc((size_t)argc + 2, sizeof(*args));
	char align[] = "--align";
	args[0] = argv[0];
	args[1] = align;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	int rc = cmd_fetch(argc + 1, args, env);
	free(args);
	return rc;
}
