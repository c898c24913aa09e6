/* hubact.c - the workbench's actions on the hub (hub_schema.c, version
 * 5): pushed a batch per statement (idempotent by uid; the server's
 * policy keeps a member to its own), pulled after a place */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "hubact.h"
#include "hubi.h"
#include "../src/util.h"

enum hx_stmt { X_PUSH, X_PULL, HX_COUNT };

static const char *const hx_sql[HX_COUNT] = {
	/* a batch as a JSON array (hub_act_push): how many were added, how
	 * many have no solution on the hub */
	[X_PUSH] = "WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(i int, u text, "
		   "d text, k text, a text, o text, r text, n text, t text, m bigint)), "
		   "ins AS (INSERT INTO stepmark.action(uid, solution_id, annotator, op, ref_uid, "
		   "name, created_at, active_ms) SELECT x.u, s.id, x.a, x.o, x.r, x.n, x.t, x.m "
		   "FROM x JOIN stepmark.dataset d ON d.name = x.d JOIN stepmark.solution s "
		   "ON s.dataset_id = d.id AND s.ext_key = x.k ORDER BY x.i "
		   "ON CONFLICT (uid) DO NOTHING RETURNING 1) "
		   "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM x WHERE NOT EXISTS "
		   "(SELECT 1 FROM stepmark.solution s JOIN stepmark.dataset d "
		   "ON d.id = s.dataset_id WHERE d.name = x.d AND s.ext_key = x.k))",
	[X_PULL] = "SELECT a.seq, a.uid, d.name, s.ext_key, a.annotator, a.op, a.ref_uid, a.name, "
		   "a.created_at, a.active_ms FROM stepmark.action a "
		   "JOIN stepmark.solution s ON s.id = a.solution_id "
		   "JOIN stepmark.dataset d ON d.id = s.dataset_id "
		   "WHERE a.seq > $1 ORDER BY a.seq LIMIT $2",
};

/* the batch as the JSON array X_PUSH reads */
static void batch_json(struct buf *b, const struct hub_act *a, size_t n)
{
	static const char *const keys[HX_N] = {"u", "d", "k", "a", "o", "r", "n", "t", "m"};
	hubi_json_rows(b, keys, HX_N, a, sizeof(*a), n);
}

static void counts(const PGresult *r, long *added, long *missing)
{
	const char *a = r ? hubi_val(r, 0, 0) : NULL, *m = r ? hubi_val(r, 0, 1) : NULL;
	*added = a ? atol(a) : 0;
	*missing = m ? atol(m) : 0;
}

int hub_act_push(struct hub *h, struct buf *b, const struct hub_act *a, size_t n,
		 long *added, long *missing)
{
	*added = *missing = 0;
	if (n == 0)
		return 0;
	batch_json(b, a, n);
	const char *p[] = {b->data};
	PGresult *r = hubi_run(h, hx_sql[X_PUSH], 1, p);
	if (!r)
		return -1;
	counts(r, added, missing);
	PQclear(r);
	return 0;
}

int hub_send_act_push(struct hub *h, struct buf *b, const struct hub_act *a, size_t n)
{
	batch_json(b, a, n);
	const char *p[] = {b->data};
	return hubi_send_one(h, hx_sql[X_PUSH], 1, p);
}

int hub_take_act_push(struct hub *h, long *added, long *missing)
{
	PGresult *r = hubi_take_one(h);
	counts(r, added, missing);
	int ok = r && PQntuples(r) == 1;
	PQclear(r);
	return ok ? 0 : -1;
}

/* the page's rows from r, which it keeps */
static void page_take(struct hub_act_page *p, PGresult *r, int64_t after)
{
	memset(p, 0, sizeof(*p));
	p->hi = after;
	p->res = r;
	p->n = r ? (size_t)PQntuples(r) : 0;
	p->v = r ? xcalloc(p->n + 1, sizeof(*p->v)) : NULL; /* none on an error */
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].seq = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
		for (int c = 0; c < HX_N; c++)
			p->v[i].f[c] = hubi_val(r, (int)i, c + 1);
		p->hi = p->v[i].seq;
	}
}

int hub_act_pull(struct hub *h, int64_t after, int max, struct hub_act_page *p)
{
	char a[24], m[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	PGresult *r = hubi_run(h, hx_sql[X_PULL], 2, pp);
	page_take(p, r, after);
	return r ? 0 : -1;
}

int hub_send_act_pull(struct hub *h, int64_t after, int max)
{
	char a[24], m[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	return hubi_send_one(h, hx_sql[X_PULL], 2, pp);
}

void hub_take_act_pull(struct hub *h, int64_t after, struct hub_act_page *p)
{
	page_take(p, hubi_take_one(h), after);
}

void hub_act_page_free(struct hub_act_page *p)
{
	free(p->v);
	PQclear(p->res);
	memset(p, 0, sizeof(*p));
}
