/* hubjobs.c - the hub's jobs: put once per job, leased with an owner and
 * an expiry (SELECT ... FOR UPDATE SKIP LOCKED), renewed, ended in the
 * transaction that writes their suggestions, given back */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubi.h"
#include "hubjobs.h"
#include "../src/util.h"

enum hj_stmt {
	J_ADD, J_SOL_THERE, J_LEASE, J_RENEW, J_FINISH, J_RELEASE, J_COUNT, J_COUNT_STMTS
};

/* Times are the server's (clock_timestamp): workers' clocks may differ. */
static const char *const hj_sql[J_COUNT_STMTS] = {
	[J_ADD] = "INSERT INTO stepmark.job(kind, params, solution_id) SELECT $1, $2, s.id "
		  "FROM stepmark.solution s JOIN stepmark.dataset d ON d.id = s.dataset_id "
		  "WHERE d.name = $3 AND s.ext_key = $4 "
		  "ON CONFLICT (kind, params, solution_id) DO NOTHING RETURNING id",
	[J_SOL_THERE] = "SELECT 1 FROM stepmark.solution s JOIN stepmark.dataset d "
			"ON d.id = s.dataset_id WHERE d.name = $1 AND s.ext_key = $2",
	[J_LEASE] = "UPDATE stepmark.job j SET state = 'leased', lease_owner = $3, "
		    "lease_until = clock_timestamp() + make_interval(secs => $4::float8), "
		    "attempts = j.attempts + 1 "
		    "FROM stepmark.solution s, stepmark.dataset d "
		    "WHERE j.id IN (SELECT id FROM stepmark.job WHERE kind = $1 AND params = $2 "
		    "AND (state = 'queued' OR (state = 'leased' AND lease_until < clock_timestamp())) "
		    "ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED) "
		    "AND s.id = j.solution_id AND d.id = s.dataset_id "
		    "RETURNING j.id, j.attempts, d.name, s.ext_key, s.steps_hash",
	[J_RENEW] = "UPDATE stepmark.job SET lease_until = clock_timestamp() + "
		    "make_interval(secs => $2::float8) WHERE lease_owner = $1 AND state = 'leased'",
	[J_FINISH] = "UPDATE stepmark.job SET state = $3, last_error = $4, "
		     "requests = requests + $5, cached = cached + $6, tokens_in = tokens_in + $7, "
		     "tokens_out = tokens_out + $8, lease_owner = NULL, lease_until = NULL, "
		     "done_by = session_user WHERE id = $1 AND lease_owner = $2 AND state = 'leased' "
		     "RETURNING id",
	[J_RELEASE] = "UPDATE stepmark.job SET state = 'queued', lease_owner = NULL, "
		      "lease_until = NULL WHERE lease_owner = $1 AND state = 'leased'",
	[J_COUNT] = "SELECT count(*) FILTER (WHERE state = 'queued'), "
		    "count(*) FILTER (WHERE state = 'leased' AND lease_until >= clock_timestamp()), "
		    "count(*) FILTER (WHERE state = 'leased' AND lease_until < clock_timestamp()), "
		    "count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed') "
		    "FROM stepmark.job WHERE kind = $1 AND params = $2",
};

static PGresult *run(struct hub *h, enum hj_stmt id, int n, const char *const *p)
{
	return hubi_run(h, hj_sql[id], n, p);
}

int hub_job_add(struct hub *h, const char *kind, const char *params, const char *dataset,
		const char *key)
{
	const char *p[] = {kind, params, dataset, key};
	PGresult *r = run(h, J_ADD, 4, p);
	if (!r)
		return -1;
	int added = PQntuples(r) == 1;
	PQclear(r);
	if (added)
		return 1;
	if (!(r = run(h, J_SOL_THERE, 2, p + 2)))
		return -1;
	int there = PQntuples(r) == 1;
	PQclear(r);
	return there ? 0 : 2;
}

int hub_jobs_lease(struct hub *h, const char *kind, const char *params, const char *owner,
		   double lease_s, int max, struct hub_job **out)
{
	char secs[32], m[16];
	snprintf(secs, sizeof(secs), "%.3f", lease_s);
	snprintf(m, sizeof(m), "%d", max);
	const char *p[] = {kind, params, owner, secs, m};
	*out = NULL;
	PGresult *r = run(h, J_LEASE, 5, p);
	if (!r)
		return -1;
	int n = PQntuples(r);
	struct hub_job *j = xcalloc((size_t)n + 1, sizeof(*j));
	for (int i = 0; i < n; i++) {
		j[i].id = strtoll(hubi_val(r, i, 0), NULL, 10);
		j[i].attempts = atoi(hubi_val(r, i, 1));
		j[i].dataset = xstrdup(hubi_val(r, i, 2));
		j[i].key = xstrdup(hubi_val(r, i, 3));
		j[i].hash = xstrdup(hubi_val(r, i, 4));
	}
	PQclear(r);
	*out = j;
	return n;
}

void hub_jobs_free(struct hub_job *j, int n)
{
	for (int i = 0; j && i < n; i++) {
		free(j[i].dataset);
		free(j[i].key);
		free(j[i].hash);
	}
	free(j);
}

int hub_jobs_renew(struct hub *h, const char *owner, double lease_s)
{
	char secs[32];
	snprintf(secs, sizeof(secs), "%.3f", lease_s);
	const char *p[] = {owner, secs};
	PGresult *r = run(h, J_RENEW, 2, p);
	PQclear(r);
	return r ? 0 : -1;
}

int hub_job_finish(struct hub *h, int64_t id, const char *owner, int failed,
		   const char *error, const int64_t costs[4])
{
	char v[5][24];
	snprintf(v[0], sizeof(v[0]), "%lld", (long long)id);
	for (int i = 0; i < 4; i++)
		snprintf(v[i + 1], sizeof(v[i + 1]), "%lld", (long long)costs[i]);
	const char *p[] = {v[0], owner, failed ? "failed" : "done", error, v[1], v[2], v[3], v[4]};
	PGresult *r = run(h, J_FINISH, 8, p);
	if (!r)
		return -1;
	int mine = PQntuples(r) == 1;
	PQclear(r);
	return mine;
}

int hub_jobs_release(struct hub *h, const char *owner)
{
	const char *p[] = {owner};
	PGresult *r = run(h, J_RELEASE, 1, p);
	PQclear(r);
	return r ? 0 : -1;
}

int hub_jobs_count(struct hub *h, const char *kind, const char *params,
		   struct hub_job_counts *c)
{
	memset(c, 0, sizeof(*c));
	const char *p[] = {kind, params};
	PGresult *r = run(h, J_COUNT, 2, p);
	if (!r)
		return -1;
	long *v[] = {&c->queued, &c->leased, &c->expired, &c->done, &c->failed};
	for (int i = 0; i < 5; i++)
		*v[i] = hubi_val(r, 0, i) ? atol(hubi_val(r, 0, i)) : 0;
	PQclear(r);
	return 0;
}
