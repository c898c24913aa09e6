/* cmd_fetch.c - `stepmark fetch`: the engine, headless */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "batch.h"
#include "fetch.h"
#include "prompt.h"
#include "prov.h"
#include "summary.h"
#include "../db/db.h"
#include "conf.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

enum {
	F_DATASET = 1000, F_LIMIT, F_SOLUTION, F_RETRY, F_STATUS,
	F_BATCH_OUT, F_BATCH_IN, F_BATCH_LINES, F_TEMPLATE, F_CONFIG, F_DB, F_QUIET, F_EVERY,
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
	{"template", required_argument, NULL, F_TEMPLATE},
	{"config", required_argument, NULL, F_CONFIG},
	{"db", required_argument, NULL, F_DB},
	{"quiet", no_argument, NULL, F_QUIET},
	{"progress-every", required_argument, NULL, F_EVERY},
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

static void human(char *out, size_t n, double v)
{
	if (v >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(out, n, "%.0fK", v / 1e3);
	else
		snprintf(out, n, "%.0f", v);
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

static void progress(FILE *out, int tty, struct db *db, struct fetch *f, unsigned mask,
		     double t0, long done0)
{
	struct fetch_progress pg;
	struct totals t;
	fetch_progress(f, &pg);
	totals(db, f, mask, &t);
	long all = t.queued + t.leased + t.done + t.failed;
	long finished = t.done + t.failed;
	double el = (mono_ms() / 1e3) - t0;
	double rate = el > 0 ? (finished - done0) / el : 0;
	char eta[32] = "--:--", tok[16];
	if (rate > 0) {
		long s = (long)((all - finished) / rate);
		snprintf(eta, sizeof(eta), "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	}
	human(tok, sizeof(tok), (double)(pg.tokens_in + pg.tokens_out));
	if (tty) {
		int width = 24, fill = all ? (int)(width * finished / all) : 0;
		char bar[64];
		for (int i = 0; i < width; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[width] = '\0';
		fprintf(out, "\r\033[K[%s] %ld/%ld done, %ld failed, %.1f jobs/s, ETA %s, "
			"%s tokens, %d in flight", bar, t.done, all, t.failed, rate, eta, tok,
			pg.inflight);
	} else {
		fprintf(out, "fetch: %ld/%ld done, %ld failed, %.1f jobs/s, ETA %s, %s tokens, "
			"%ld requests, %ld cached, %ld retries\n", t.done, all, t.failed, rate,
			eta, tok, pg.requests, pg.cached, pg.retries);
	}
	fflush(out);
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
		printf("%s: %ld done, %ld failed, %ld queued, %ld leased; %ld requests sent, "
		       "%ld answered without one, %ld tokens (%ld prompt, %ld completion)\n",
		       provider_name(p), c.done, c.failed, c.queued, c.leased, c.requests,
		       c.cached, c.tokens, c.tokens_in, c.tokens_out);
		if (c.failed) {
			failed = 1;
			printf("%s failures, most common first:\n", provider_name(p));
			db_jobs_failures(db, provider_name(p), params, 8, print_failure, stdout);
		}
	}
	return failed;
}

int cmd_fetch(int argc, char **argv, const char *dbpath, const char *config_path)
{
	struct option opts[NOPTS];
	fetch_options(opts);
	/* the command line's settings, applied over the config's */
	struct { int p, i; const char *v; } sets[32];
	int nsets = 0;
	unsigned mask = 0;
	const char *dataset = NULL, *batch_out = NULL, *tmpl = NULL;
	const char *batch_in[32];
	int nbatch_in = 0;
	long limit = 0, every = 10, batch_max = BATCH_MAX_LINES;
	int64_t sol = 0;
	int retry = 0, status = 0, quiet = 0;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		if (c >= F_PROVIDER && c < F_SETTING) {
			mask |= 1u << (c - F_PROVIDER);
			continue;
		}
		if (c >= F_SETTING) {
			if (nsets == (int)(sizeof(sets) / sizeof(sets[0])))
				return bad_usage("too many settings on the command line");
			sets[nsets].p = (c - F_SETTING) / POPT_MAX;
			sets[nsets].i = (c - F_SETTING) % POPT_MAX;
			sets[nsets++].v = optarg;
			continue;
		}
		switch (c) {
		case F_DATASET:
			if (!*optarg)
				return bad_usage("--dataset needs a name");
			dataset = optarg;
			break;
		case F_LIMIT:
			limit = strtol(optarg, &end, 10);
			if (*end || limit <= 0)
				return bad_usage("--limit needs a positive number");
			break;
		case F_SOLUTION:
			sol = strtoll(optarg, &end, 10);
			if (*end || sol <= 0)
				return bad_usage("--solution needs a solution id");
			break;
		case F_RETRY: retry = 1; break;
		case F_STATUS: status = 1; break;
		case F_BATCH_OUT: batch_out = optarg; break;
		case F_BATCH_IN:
			if (nbatch_in == (int)(sizeof(batch_in) / sizeof(batch_in[0])))
				return bad_usage("at most 32 --batch-in files at a time");
			batch_in[nbatch_in++] = optarg;
			break;
		case F_BATCH_LINES:
			batch_max = strtol(optarg, &end, 10);
			if (*end || batch_max <= 0)
				return bad_usage("--batch-lines needs a positive number");
			break;
		case F_TEMPLATE: tmpl = optarg; break;
		case F_CONFIG: config_path = optarg; break;
		case F_DB: dbpath = optarg; break;
		case F_QUIET: quiet = 1; break;
		case F_EVERY:
			every = strtol(optarg, &end, 10);
			if (*end || every <= 0)
				return bad_usage("--progress-every needs seconds");
			break;
		default: return EX_USAGE;
		}
		if (end && *end)
			return bad_usage("a number is expected after the option");
	}
	if (optind < argc)
		return bad_usage("fetch takes no file arguments (see --batch-in)");

	struct conf cfg;
	conf_init(&cfg);
	char *cpath = config_path ? xstrdup(config_path) : conf_path_default();
	/* requests cost money: a fetch starts only from a config read whole */
	int cbad = cpath ? conf_load(&cfg, cpath, config_path == NULL, stderr) : 0;
	struct fconf *fc = &cfg.fetch;
	char err[600];
	int rc = EX_OK;
	if (cbad > 0) {
		errf("stepmark: %s: %d line%s above cannot be used; fix %s before fetching\n",
		     cpath, cbad, cbad == 1 ? "" : "s", cbad == 1 ? "it" : "them");
		free(cpath);
		conf_done(&cfg);
		return EX_BAD;
	}
	free(cpath);
	struct db *db = NULL;
	struct fetch *f = NULL;
	struct batch_out *bo = NULL;
	/* the command line wins over the config */
	for (int k = 0; k < nsets; k++) {
		const char *w[4] = {"provider", provider_name(sets[k].p),
				    providers[sets[k].p]->opts[sets[k].i].name, sets[k].v};
		if (fconf_line(fc, 4, w, err, sizeof(err)) < 0) {
			rc = bad_usage(err);
			goto out;
		}
	}
	if (tmpl) {
		int p = provider_find(tmpl);
		if (p < 0 || !providers[p]->builtin) {
			char names[200];
			size_t o = 0;
			names[0] = '\0';
			for (int q = 0; q < nproviders && o < sizeof(names); q++)
				if (providers[q]->builtin)
					o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
							      o ? ", " : "", provider_name(q));
			snprintf(err, sizeof(err), "--template takes a provider with a prompt: %s",
				 names);
			rc = bad_usage(err);
			goto out;
		}
		char *t = prompt_template(fc, p, err, sizeof(err));
		if (!t) {
			errf("stepmark: %s\n", err);
			rc = EX_BAD;
			goto out;
		}
		fputs(t, stdout);
		free(t);
		if (!fconf_uses_template(fc, p))
			errf("stepmark: with these settings provider %s sends no template: "
			     "this one is not used (see stepmarkrc(5))\n", provider_name(p));
		goto out;
	}
	if (status && !mask) { /* every job in the store, whatever its params */
		db = db_open_ro(dbpath, err, sizeof(err));
		if (!db) {
			errf("stepmark: %s\n", inert(err, 0));
			rc = EX_STORE;
			goto out;
		}
		struct db_job_counts jc;
		int any = 0;
		for (int p = 0; p < nproviders; p++)
			any |= db_jobs_count(db, provider_name(p), NULL, &jc) == 0 &&
			       (jc.done || jc.failed || jc.queued || jc.leased);
		if (!any)
		{
			char names[200];
			provider_list(names, sizeof(names), -1);
			printf("no jobs in %s: stepmark fetch --PROVIDER queues some (%s)\n",
			       dbpath, names);
		}
		rc = report(db, NULL, (1u << nproviders) - 1) ? EX_BAD : EX_OK;
		goto out;
	}
	if (!mask && !nbatch_in) {
		char names[200];
		provider_list(names, sizeof(names), -1);
		snprintf(err, sizeof(err), "fetch needs a provider: --NAME, one of %s", names);
		rc = bad_usage(err);
		goto out;
	}
	db = db_open(dbpath, err, sizeof(err));
	if (!db) {
		errf("stepmark: %s\n", err);
		rc = EX_STORE;
		goto out;
	}
	if (summary_backfill(db) < 0) {
		errf("stepmark: cannot summarise: %s\n", db_errmsg(db));
		rc = EX_STORE;
		goto out;
	}
	for (int i = 0; i < nbatch_in; i++) {
		long bad;
		long n = fetch_batch_in(db, batch_in[i], stderr, &bad);
		if (n < 0) {
			rc = EX_BAD;
			goto out;
		}
		printf("%s: %ld responses stored in the cache%s", batch_in[i], n, bad ? ", " : "\n");
		if (bad)
			printf("%ld lines skipped (listed above)\n", bad);
	}
	if (nbatch_in && !mask)
		goto out;
	if (fconf_resolve(fc, mask, err, sizeof(err)) < 0) {
		errf("stepmark: %s\n", err);
		rc = EX_BAD;
		goto out;
	}
	f = fetch_new(db, fc, mask, err, sizeof(err));
	if (!f) {
		errf("stepmark: %s\n", err);
		rc = EX_BAD;
		goto out;
	}
	int64_t ds = 0;
	if (dataset && !(ds = db_dataset_id(db, dataset))) {
		errf("stepmark: no data set named \"%s\" in %s\n", dataset, dbpath);
		rc = EX_BAD;
		goto out;
	}
	fetch_select(f, ds, sol, limit);
	if (!status) {
		for (int p = 0; p < nproviders; p++) {
			if (!(mask >> p & 1))
				continue;
			if (db_begin(db) < 0) {
				errf("stepmark: %s\n", db_errmsg(db));
				rc = EX_STORE;
				goto out;
			}
			long back = retry ? db_jobs_requeue(db, provider_name(p), fetch_params(f, p),
							    ds, sol, "failed") : 0;
			/* links replace the solution's earlier ones: an offline
			 * aligner runs again, so the last run's settings hold */
			long again = providers[p]->links && !provider_online(p) ?
				     db_jobs_requeue(db, provider_name(p), fetch_params(f, p), ds,
						     sol, "done") : 0;
			long added = fetch_enqueue(f, p, ds, sol, limit);
			if (added < 0 || back < 0 || again < 0 || db_commit(db) < 0) {
				db_rollback(db);
				errf("stepmark: cannot queue jobs: %s\n", db_errmsg(db));
				rc = EX_STORE;
				goto out;
			}
			if (!quiet) {
				errf("%s: %ld new jobs", provider_name(p), added);
				if (retry)
					errf(", %ld failed ones queued again", back);
				if (again)
					errf(", %ld done ones run again", again);
				errf(" (params %s)\n", fetch_params(f, p));
			}
		}
	}
	if (status) {
		rc = report(db, f, mask) ? EX_BAD : EX_OK;
		goto out;
	}
	if (batch_out) {
		bo = batch_open(batch_out, batch_max);
		fetch_batch_out(f, bo);
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int tty = isatty(STDERR_FILENO) && !quiet;
	double t0 = mono_ms() / 1e3, last = t0;
	struct totals t;
	totals(db, f, mask, &t);
	long done0 = t.done + t.failed, notices = 0;
	while (!interrupted && fetch_work(f, 50)) {
		fetch_wait(f, -1, 200);
		double now = mono_ms() / 1e3;
		struct fetch_progress np;
		fetch_progress(f, &np);
		if (np.notices != notices) { /* each said once */
			notices = np.notices;
			if (tty)
				fputs("\r\033[K", stderr);
			errf("stepmark: %s\n", np.notice);
		}
		if (!quiet && now - last >= (tty ? 0.25 : (double)every)) {
			progress(stderr, tty, db, f, mask, t0, done0);
			last = now;
		}
	}
	fetch_stop(f);
	if (tty) { /* the last frame says how it ended, not how it was */
		progress(stderr, tty, db, f, mask, t0, done0);
		fputc('\n', stderr);
	}
	struct fetch_progress pg;
	fetch_progress(f, &pg);
	if (interrupted)
		errf("stepmark: stopped; unfinished jobs went back to the queue "
			"(run the same command to go on)\n");
	if (batch_out) {
		if (batch_close(bo, stdout, err, sizeof(err)) < 0) {
			errf("stepmark: %s; the jobs went back to the queue\n", err);
			rc = EX_BAD;
			goto out;
		}
		if (pg.batched)
			printf("%ld requests written for %d jobs; send each file to its runner, "
			       "then read every results file back: stepmark fetch --batch-in RESULTS "
			       "[--batch-in RESULTS2...] with the same options\n", pg.batched,
			       pg.deferred);
		else
			printf("no request to write: the cache answered every one\n");
	}
	printf("this run: %ld jobs done, %ld failed, %ld requests sent (%ld of them sent again "
	       "by libcurl), %ld answered from the cache, %ld shared with an identical "
	       "request, %ld retries, %ld tokens in, %ld out, %.1f s\n", pg.done, pg.failed,
	       pg.requests, pg.resent, pg.cached, pg.shared, pg.retries, pg.tokens_in,
	       pg.tokens_out, (mono_ms() / 1e3) - t0);
	/* links need a reference: say how many solutions have none */
	for (int p = 0; p < nproviders; p++) {
		long no_ref, linked;
		if (!(mask >> p & 1) || !providers[p]->links ||
		    (linked = db_linked_solutions(db, provider_name(p), ds, &no_ref)) < 0)
			continue;
		printf("%s: %ld solution%s linked to their reference", provider_name(p), linked,
		       linked == 1 ? "" : "s");
		if (no_ref > 0)
			printf("; %ld without a reference to link to (stepmark import-reference "
			       "gives them one)", no_ref);
		printf("\n");
	}
	if (report(db, f, mask) && pg.failed)
		rc = EX_BAD;
	if (interrupted)
		rc = 130;
out:
	batch_free(bo);
	fetch_free(f);
	db_close(db);
	conf_done(&cfg);
	return rc;
}
