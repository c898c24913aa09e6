/* batch_run.c - a fetch run through batch files: what the engine can run
 * said before anything is written, the round opened and recorded, the
 * next round after a round's results, the rounds in --status */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "fetch.h"
#include "prov.h"
#include "../db/db.h"

int batch_settings(struct fconf *c, unsigned mask, int target, FILE *say)
{
	int mc = provider_find("mc");
	if (target != BT_VLLM || mc < 0 || !(mask >> mc & 1) || !fconf_uses_template(c, mc))
		return 0;
	/* run_batch reads no /v1/completions: a rollout continues the
	 * prefix as the last assistant message */
	const char *w[4] = {"provider", "mc", "chat", "yes"};
	char err[200];
	if (fconf_line(c, 4, w, err, sizeof(err)) < 0)
		return -1;
	fprintf(say, "stepmark: --batch-for vllm: mc continues each prefix as the last "
		"assistant message (provider mc chat yes)\n");
	return 0;
}

int batch_check(const struct fconf *c, unsigned mask, int target, char *err, size_t n)
{
	for (int p = 0; p < nproviders; p++) {
		if (!(mask >> p & 1) || !provider_online(p))
			continue;
		int kind = providers[p]->kind(c, p);
		unsigned needs = 0;
		if (kind == EP_CHAT && !fconf_uses_template(c, p))
			needs |= BN_CONTINUE;
		if (kind == EP_COMPLETIONS && !strcmp(provider_name(p), "prm"))
			needs |= BN_LOGPROBS;
		if (batch_runs(target, provider_name(p), kind, needs, err, n) < 0)
			return -1;
	}
	return 0;
}

struct batch_out *batch_round_open(struct db *db, struct fetch *f, const struct fconf *c,
				   unsigned mask, const char *path, int target,
				   long max_lines, char *err, size_t n)
{
	char store[17], t[16], stem[4096];
	long last;
	if (db_begin(db) < 0 || batch_store_id(db, store) < 0 ||
	    (last = db_batch_round_last(db, t, sizeof(t), stem, sizeof(stem))) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		snprintf(err, n, "%s", db_errmsg(db));
		return NULL;
	}
	struct batch_spec spec = {target, max_lines, store, last + 1, last && !strcmp(stem, path)};
	struct batch_out *b = batch_open(path, &spec);
	for (int p = 0; p < nproviders; p++)
		if (mask >> p & 1 && provider_online(p))
			batch_provider(b, provider_name(p), fconf_model(c, p), fetch_params(f, p));
	return b;
}

struct round_ctx {
	struct db *db;
	long round;
};

static int jobs_in_round(void *ctx, const int64_t *jobs, size_t n)
{
	struct round_ctx *r = ctx;
	return db_batch_jobs_round_set(r->db, jobs, n, r->round);
}

int batch_round_done(struct db *db, struct batch_out *b, const char *path, int target)
{
	struct round_ctx r = {db, batch_round(b)};
	if (!batch_lines(b))
		return 0;
	/* the round's batch_job rows name jobs this run read from the job
	 * table, whose rows are never deleted: no probe of it per row
	 * (db_jobs_checks; half the statement's CPU) */
	int checks = db_jobs_checks(db, 0) == 0, rc = 0;
	if (db_begin(db) < 0 ||
	    db_batch_round_add(db, r.round, batch_targets[target], path, batch_lines(b)) < 0 ||
	    batch_jobs_each(b, jobs_in_round, &r) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		rc = -1;
	}
	if (checks)
		db_jobs_checks(db, 1);
	return rc;
}

long batch_round_of(struct db *db, long round, char *path, size_t pn, int *target)
{
	char t[16];
	long last = db_batch_round_last(db, t, sizeof(t), path, pn);
	if (last < 0 || last != round)
		return last < 0 ? -1 : 0;
	*target = batch_target(t);
	return *target < 0 ? 0 : round;
}

struct status_ctx {
	FILE *out;
	long round;
};

static void say_round(void *ctx, long round, const char *state, long n)
{
	struct status_ctx *s = ctx;
	if (round != s->round)
		fprintf(s->out, "%s  round %ld: ", s->round ? "\n" : "", round);
	else
		fprintf(s->out, ", ");
	fprintf(s->out, "%ld %s", n, state);
	s->round = round;
}

void batch_status(struct db *db, const char *kind, const char *params, FILE *out)
{
	struct status_ctx s = {out, 0};
	if (params && db_batch_rounds_each(db, kind, params, say_round, &s) == 0 && s.round)
		fprintf(out, "\n");
}
