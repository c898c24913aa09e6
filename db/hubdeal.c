/* hubdeal.c - the deal and the consensus policy on the hub: a lead's
 * rows written in one transaction under a lock, pulled after a place
 * through the view that keeps gold blind (hub_schema.c, version 3) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "hubi.h"
#include "hubdeal.h"
#include "../src/util.h"

enum hd_stmt { D_LOCK, D_TOP, D_ADD, D_SOL_THERE, D_POLICY_SET, D_POLICY_GET, D_PULL, D_COUNT };

static const char *const hd_sql[D_COUNT] = {
	[D_LOCK] = "SELECT pg_advisory_xact_lock(hashtext('stepmark.deal'))",
	[D_TOP] = "SELECT coalesce(max(seq), 0) FROM stepmark.deal",
	[D_ADD] = "INSERT INTO stepmark.deal(solution_id, annotator, ord, gold, gold_fe, "
		  "created_at) SELECT s.id, $4, $5, $6, $7, $8 FROM stepmark.solution s "
		  "JOIN stepmark.dataset d ON d.id = s.dataset_id "
		  "WHERE d.name = $1 AND s.ext_key = $2 AND s.steps_hash = $3 "
		  "ON CONFLICT (annotator, solution_id) DO NOTHING RETURNING seq",
	[D_SOL_THERE] = "SELECT 1 FROM stepmark.solution s JOIN stepmark.dataset d "
			"ON d.id = s.dataset_id WHERE d.name = $1 AND s.ext_key = $2 "
			"AND s.steps_hash = $3",
	[D_POLICY_SET] = "INSERT INTO stepmark.policy(rules, created_at) VALUES ($1, $2)",
	[D_POLICY_GET] = "SELECT rules, pushed_by, created_at FROM stepmark.policy "
			 "ORDER BY seq DESC LIMIT 1",
	/* the deal as this member may see it (deal_seen) and the policy's
	 * versions, by place */
	[D_PULL] = "SELECT seq, 'deal', dataset, ext_key, annotator, ord::text, gold::text, "
		   "gold_fe::text, created_at, pushed_by, NULL FROM stepmark.deal_seen "
		   "WHERE seq > $1 UNION ALL "
		   "SELECT seq, 'policy', NULL, NULL, NULL, NULL, NULL, NULL, created_at, "
		   "pushed_by, rules FROM stepmark.policy WHERE seq > $1 "
		   "ORDER BY 1 LIMIT $2",
};

static PGresult *run(struct hub *h, enum hd_stmt id, int n, const char *const *p)
{
	return hubi_run(h, hd_sql[id], n, p);
}

int hub_deal_begin(struct hub *h, int64_t *top)
{
	*top = 0;
	if (hub_begin(h) < 0)
		return -1;
	PGresult *r;
	if (!(r = run(h, D_LOCK, 0, NULL)))
		goto fail;
	PQclear(r);
	if (!(r = run(h, D_TOP, 0, NULL)))
		goto fail;
	*top = strtoll(hubi_val(r, 0, 0) ? hubi_val(r, 0, 0) : "0", NULL, 10);
	PQclear(r);
	return 0;
fail:
	hub_rollback(h);
	return -1;
}

int hub_deal_add(struct hub *h, const char *dataset, const char *key, const char *hash,
		 const char *annotator, int64_t ord, int gold_fe, const char *at)
{
	char o[24], fe[16];
	snprintf(o, sizeof(o), "%lld", (long long)ord);
	snprintf(fe, sizeof(fe), "%d", gold_fe);
	const char *p[] = {dataset, key, hash, annotator, o, gold_fe >= -1 ? "1" : "0",
			   gold_fe >= -1 ? fe : NULL, at};
	PGresult *r = run(h, D_ADD, 8, p);
	if (!r)
		return -1;
	int added = PQntuples(r) == 1;
	PQclear(r);
	if (added)
		return 1;
	if (!(r = run(h, D_SOL_THERE, 3, p)))
		return -1;
	int there = PQntuples(r) == 1;
	PQclear(r);
	return there ? 0 : 2;
}

int hub_deal_top(struct hub *h, int64_t *top)
{
	PGresult *r = run(h, D_TOP, 0, NULL);
	*top = r && hubi_val(r, 0, 0) ? strtoll(hubi_val(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return r ? 0 : -1;
}

int hub_policy_set(struct hub *h, const char *rules, const char *at)
{
	const char *p[] = {rules, at};
	PGresult *r = run(h, D_POLICY_SET, 2, p);
	PQclear(r);
	return r ? 0 : -1;
}

int hub_policy_get(struct hub *h, char *rules, size_t nr, char *by, size_t nb, char *at,
		   size_t na)
{
	PGresult *r = run(h, D_POLICY_GET, 0, NULL);
	if (!r)
		return -1;
	int there = PQntuples(r) == 1;
	if (there) {
		snprintf(rules, nr, "%s", hubi_val(r, 0, 0));
		snprintf(by, nb, "%s", hubi_val(r, 0, 1));
		snprintf(at, na, "%s", hubi_val(r, 0, 2));
	}
	PQclear(r);
	return there;
}

/* the page's rows from r, which it keeps */
static void page_take(struct hub_deal_page *p, PGresult *r)
{
	memset(p, 0, sizeof(*p));
	p->res = r;
	p->n = r ? (size_t)PQntuples(r) : 0;
	p->rows = xcalloc(p->n + 1, sizeof(*p->rows));
	for (size_t i = 0; i < p->n; i++) {
		p->rows[i].seq = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
		for (int c = 0; c < HD_N; c++)
			p->rows[i].f[c] = hubi_val(r, (int)i, c + 1);
	}
}

int hub_deal_pull(struct hub *h, int64_t after, int max, struct hub_deal_page *p)
{
	char a[24], m[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	PGresult *r = run(h, D_PULL, 2, pp);
	memset(p, 0, sizeof(*p));
	if (!r)
		return -1;
	page_take(p, r);
	return 0;
}

int hub_send_deal_pull(struct hub *h, int64_t after, int max)
{
	char a[24], m[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	return hubi_send_one(h, hd_sql[D_PULL], 2, pp);
}

void hub_take_deal_pull(struct hub *h, struct hub_deal_page *p)
{
	page_take(p, hubi_take_one(h));
}

void hub_deal_page_free(struct hub_deal_page *p)
{
	free(p->rows);
	PQclear(p->res);
	memset(p, 0, sizeof(*p));
}
