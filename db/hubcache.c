/* hubcache.c - the hub's response cache (written once per request hash,
 * read a batch of hashes at a time) and its alignment links (events with
 * a global id and a place, pushed and pulled like suggestions) */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubcache.h"
#include "hubi.h"
#include "../src/util.h"

enum hc_stmt { C_PUT, C_FIND, A_PUSH, A_SEEN, A_PULL, A_PUSH_MANY, HC_COUNT };

static const char *const hc_sql[HC_COUNT] = {
	/* added, or whether the response there is the same ($2 bytea) */
	[C_PUT] = "WITH ins AS (INSERT INTO stepmark.response_cache(request_hash, body, created_at) "
		  "VALUES ($1, $2, $3) ON CONFLICT (request_hash) DO NOTHING RETURNING 1) "
		  "SELECT (SELECT count(*) FROM ins), (SELECT body = $2 "
		  "FROM stepmark.response_cache WHERE request_hash = $1)",
	[C_FIND] = "SELECT request_hash, body FROM stepmark.response_cache "
		   "WHERE request_hash = ANY ($1::text[])",
	[A_PUSH] = "INSERT INTO stepmark.alignment(uid, solution_id, step_idx, ref_step, score, "
		   "source, created_at) SELECT $1, s.id, $4, $5, $6, $7, $8 "
		   "FROM stepmark.solution s JOIN stepmark.dataset d ON d.id = s.dataset_id "
		   "WHERE d.name = $2 AND s.ext_key = $3 ON CONFLICT (uid) DO NOTHING RETURNING seq",
	[A_SEEN] = "SELECT 1 FROM stepmark.alignment WHERE uid = $1",
	[A_PULL] = "SELECT a.seq, a.uid, d.name, s.ext_key, a.step_idx, a.ref_step, a.score, "
		   "a.source, a.created_at FROM stepmark.alignment a "
		   "JOIN stepmark.solution s ON s.id = a.solution_id "
		   "JOIN stepmark.dataset d ON d.id = s.dataset_id "
		   "WHERE a.seq > $1 ORDER BY a.seq LIMIT $2",
	/* the workbench's: a batch as a JSON array (hub_send_align_push): how
	 * many were added, how many have no solution on the hub */
	[A_PUSH_MANY] = "WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(i int, u text, "
			"d text, k text, s int, r int, c double precision, o text, t text)), "
			"ins AS (INSERT INTO stepmark.alignment(uid, solution_id, step_idx, ref_step, "
			"score, source, created_at) SELECT x.u, s.id, x.s, x.r, x.c, x.o, x.t FROM x "
			"JOIN stepmark.dataset d ON d.name = x.d JOIN stepmark.solution s "
			"ON s.dataset_id = d.id AND s.ext_key = x.k ORDER BY x.i "
			"ON CONFLICT (uid) DO NOTHING RETURNING 1) "
			"SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM x WHERE NOT EXISTS "
			"(SELECT 1 FROM stepmark.solution s JOIN stepmark.dataset d "
			"ON d.id = s.dataset_id WHERE d.name = x.d AND s.ext_key = x.k))",
};

/* hubi_run with the formats of each parameter and of the result (1:
 * binary): a response is bytes, whatever they are */
static PGresult *run_bin(struct hub *h, enum hc_stmt id, int n, const char *const *p,
			 const int *len, const int *fmt, int result_fmt)
{
	PGresult *r = PQexecParams(h->c, hc_sql[id], n, NULL, p, len, fmt, result_fmt);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	const char *m = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
		: PQerrorMessage(h->c);
	snprintf(h->err, sizeof(h->err), "%s", m && *m ? m : "the hub failed");
	size_t k = strlen(h->err);
	while (k && (h->err[k - 1] == '\n' || h->err[k - 1] == ' '))
		h->err[--k] = '\0';
	PQclear(r);
	return NULL;
}

int hub_cache_put(struct hub *h, const char *hash, const char *body, size_t n,
		  const char *at)
{
	const char *p[] = {hash, body, at};
	const int len[] = {0, (int)n, 0}, fmt[] = {0, 1, 0};
	PGresult *r = run_bin(h, C_PUT, 3, p, len, fmt, 0);
	if (!r)
		return -1;
	const char *added = hubi_val(r, 0, 0), *same = hubi_val(r, 0, 1);
	/* not added and not seen: another's insert, not committed when the
	 * statement began, took it */
	int rc = added && strcmp(added, "0") ? 1 : same && *same == 'f' ? 2 : 0;
	PQclear(r);
	return rc;
}

int hub_cache_find(struct hub *h, const char *const *hashes, size_t n,
		   int (*fn)(void *ctx, const char *hash, const char *body, size_t len),
		   void *ctx)
{
	struct buf arr = {0};
	int rc = 0;
	for (size_t at = 0; at < n && rc == 0; at += 1000) {
		buf_reset(&arr);
		buf_putc(&arr, '{');
		for (size_t i = at; i < n && i < at + 1000; i++) {
			if (i > at)
				buf_putc(&arr, ',');
			/* a hash is hex: nothing in it to quote */
			buf_putc(&arr, '"');
			for (const char *c = hashes[i]; *c; c++)
				if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))
					buf_putc(&arr, *c);
			buf_putc(&arr, '"');
		}
		buf_putc(&arr, '}');
		const char *p[] = {arr.data};
		/* the result in binary: the bodies as they were put */
		PGresult *r = run_bin(h, C_FIND, 1, p, NULL, NULL, 1);
		if (!r) {
			rc = -1;
			break;
		}
		for (int i = 0; i < PQntuples(r) && rc == 0; i++)
			rc = fn(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
				(size_t)PQgetlength(r, i, 1));
		PQclear(r);
	}
	buf_free(&arr);
	return rc;
}

int hub_align_push(struct hub *h, const struct hub_align *a)
{
	const char *const *f = a->f;
	const char *p[] = {f[HA_UID], f[HA_DATASET], f[HA_KEY], f[HA_STEP], f[HA_REF],
			   f[HA_SCORE], f[HA_SOURCE], f[HA_AT]};
	PGresult *r = hubi_run(h, hc_sql[A_PUSH], 8, p);
	if (!r)
		return -1;
	int added = PQntuples(r) == 1;
	PQclear(r);
	if (added)
		return 1;
	if (!(r = hubi_run(h, hc_sql[A_SEEN], 1, p)))
		return -1;
	int there = PQntuples(r) == 1;
	PQclear(r);
	return there ? 0 : 2;
}

/* the page's rows from r (NULL: none), which it keeps */
static void align_page_take(struct hub_align_page *p, PGresult *r, int64_t after)
{
	memset(p, 0, sizeof(*p));
	p->hi = after;
	p->n = r ? (size_t)PQntuples(r) : 0;
	p->v = r ? xcalloc(p->n + 1, sizeof(*p->v)) : NULL; /* none on an error */
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].seq = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
		for (int c = 0; c < HA_N; c++)
			p->v[i].f[c] = hubi_val(r, (int)i, c + 1);
		p->hi = p->v[i].seq;
	}
	p->res = r;
}

int hub_align_pull(struct hub *h, int64_t after, int max, struct hub_align_page *p)
{
	char a[24], m[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	PGresult *r = hubi_run(h, hc_sql[A_PULL], 2, pp);
	align_page_take(p, r, after);
	return r ? 0 : -1;
}

int hub_send_align_pull(struct hub *h, int64_t after, int max)
{
	char a[24], m[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	return hubi_send_one(h, hc_sql[A_PULL], 2, pp);
}

void hub_take_align_pull(struct hub *h, int64_t after, struct hub_align_page *p)
{
	align_page_take(p, hubi_take_one(h), after);
}

int hub_send_align_push(struct hub *h, struct buf *b, const struct hub_align *a, size_t n)
{
	static const char *const keys[HA_N] = {"u", "d", "k", "s", "r", "c", "o", "t"};
	hubi_json_rows(b, keys, HA_N, a, sizeof(*a), n);
	const char *p[] = {b->data};
	return hubi_send_one(h, hc_sql[A_PUSH_MANY], 1, p);
}

int hub_take_align_push(struct hub *h, long *added, long *missing)
{
	PGresult *r = hubi_take_one(h);
	const char *a = r ? hubi_val(r, 0, 0) : NULL, *m = r ? hubi_val(r, 0, 1) : NULL;
	*added = a ? atol(a) : 0;
	*missing = m ? atol(m) : 0;
	int ok = r && PQntuples(r) == 1;
	PQclear(r);
	return ok ? 0 : -1;
}

void hub_align_page_free(struct hub_align_page *p)
{
	free(p->v);
	PQclear(p->res);
	memset(p, 0, sizeof(*p));
}
