/* hub.c - the hub's side of a sync: a libpq connection, the hub's schema
 * and members, solutions and labels pushed, pages of them pulled */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "hub_schema.h"
#include "../src/util.h"

/* Every statement the hub runs but the member's own DDL (hub_member_add
 * builds it from the quoted name). Parameters are text: the server
 * reads them as its columns' types. */
enum hub_stmt {
	H_EXISTS, H_META_GET, H_META_SET, H_INIT_LOCK, H_WHO, H_ROLE_EXISTS,
	H_DATASET, H_SOL_ADD, H_SOL_HASH, H_STEP_ADD, H_LABEL_ADD, H_LABEL_SEEN,
	H_PULL_SOLS, H_PULL_STEPS, H_PULL_LABELS, H_COUNT
};

static const char *const hub_sql[H_COUNT] = {
	[H_EXISTS] = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'stepmark')",
	[H_META_GET] = "SELECT value FROM stepmark.meta WHERE key = $1",
	[H_META_SET] = "INSERT INTO stepmark.meta VALUES ($1, $2) "
		       "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[H_INIT_LOCK] = "SELECT pg_advisory_xact_lock(hashtext('stepmark.init'))",
	/* the member's group; a superuser is in every one: lead first */
	[H_WHO] = "SELECT session_user, (SELECT r.rolname FROM pg_roles r WHERE r.rolname IN "
		  "('stepmark_lead', 'stepmark_adjudicator', 'stepmark_annotator', "
		  "'stepmark_auditor') AND pg_has_role(session_user, r.oid, 'member') "
		  "ORDER BY r.rolname <> 'stepmark_lead', r.rolname LIMIT 1)",
	[H_ROLE_EXISTS] = "SELECT 1 FROM pg_roles WHERE rolname = $1",
	[H_DATASET] = "WITH ins AS (INSERT INTO stepmark.dataset(name, format) VALUES ($1, $2) "
		      "ON CONFLICT (name) DO NOTHING RETURNING id) "
		      "SELECT id FROM ins UNION ALL "
		      "SELECT id FROM stepmark.dataset WHERE name = $1 LIMIT 1",
	[H_SOL_ADD] = "INSERT INTO stepmark.solution(dataset_id, ext_key, problem_key, problem, "
		      "gold_answer, gold_derived, reference, reference_steps, generator, "
		      "final_answer, correct, finish_reason, meta, tail, steps_hash) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
		      "ON CONFLICT (dataset_id, ext_key) DO NOTHING RETURNING id",
	[H_SOL_HASH] = "SELECT steps_hash FROM stepmark.solution WHERE dataset_id = $1 "
		       "AND ext_key = $2",
	[H_STEP_ADD] = "INSERT INTO stepmark.step(solution_id, idx, text, chosen, alts, agent, "
		       "role) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	[H_LABEL_ADD] = "INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, value, text, "
			"annotator, origin, created_at, agent, guidelines) "
			"SELECT $1, s.id, $4, $5, $6, $7, $8, $9, $10, $11, $12 "
			"FROM stepmark.solution s JOIN stepmark.dataset d ON d.id = s.dataset_id "
			"WHERE d.name = $2 AND s.ext_key = $3 AND s.steps_hash = $13 "
			"ON CONFLICT (uid) DO NOTHING RETURNING seq",
	[H_LABEL_SEEN] = "SELECT (SELECT seq FROM stepmark.label WHERE uid = $1), "
			 "(SELECT s.steps_hash = $4 FROM stepmark.solution s JOIN stepmark.dataset d "
			 "ON d.id = s.dataset_id WHERE d.name = $2 AND s.ext_key = $3)",
	[H_PULL_SOLS] = "SELECT s.seq, d.name, d.format, s.ext_key, s.problem_key, s.problem, "
			"s.gold_answer, s.gold_derived, s.reference, s.reference_steps, "
			"s.generator, s.final_answer, s.correct, s.finish_reason, s.meta, s.tail, "
			"s.steps_hash FROM stepmark.solution s "
			"JOIN stepmark.dataset d ON d.id = s.dataset_id "
			"WHERE s.seq > $1 ORDER BY s.seq LIMIT $2",
	[H_PULL_STEPS] = "SELECT s.seq, st.text, st.chosen, st.alts, st.agent, st.role "
			 "FROM stepmark.step st JOIN stepmark.solution s ON s.id = st.solution_id "
			 "WHERE s.seq > $1 AND s.seq <= $2 ORDER BY s.seq, st.idx",
	[H_PULL_LABELS] = "SELECT l.seq, l.uid, d.name, s.ext_key, l.step_idx, l.kind, l.value, "
			  "l.text, l.annotator, l.origin, l.created_at, l.agent, l.guidelines, "
			  "s.steps_hash FROM stepmark.label l JOIN stepmark.solution s ON s.id = l.solution_id "
			  "JOIN stepmark.dataset d ON d.id = s.dataset_id "
			  "WHERE l.seq > $1 ORDER BY l.seq LIMIT $2",
};

const char *const hub_role_names[] = {"none", "annotator", "adjudicator", "lead", "auditor"};

struct hub {
	PGconn *c;
	char err[600];
};

static void set_err(struct hub *h, const char *msg)
{
	snprintf(h->err, sizeof(h->err), "%s", msg && *msg ? msg : "the hub failed");
	size_t n = strlen(h->err);
	while (n && (h->err[n - 1] == '\n' || h->err[n - 1] == ' '))
		h->err[--n] = '\0';
}

/* Runs statement id with n parameters; the result when it has the status
 * wanted (PGRES_COMMAND_OK or PGRES_TUPLES_OK), else NULL with the
 * server's message kept. */
static PGresult *run(struct hub *h, enum hub_stmt id, int n, const char *const *params)
{
	PGresult *r = PQexecParams(h->c, hub_sql[id], n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	set_err(h, r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(h->c));
	PQclear(r);
	return NULL;
}

static int exec_plain(struct hub *h, const char *sql)
{
	PGresult *r = PQexec(h->c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		set_err(h, r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
			: PQerrorMessage(h->c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* row 0's column i, NULL when SQL NULL or no row */
static const char *val(const PGresult *r, int row, int i)
{
	return row < PQntuples(r) && !PQgetisnull(r, row, i) ? PQgetvalue(r, row, i) : NULL;
}

static void notice_quiet(void *arg, const PGresult *r)
{
	(void)arg;
	(void)r;
}

struct hub *hub_connect(const char *conninfo, char *err, size_t errlen)
{
	/* the string's own settings come after (and override) these */
	const char *keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
			      NULL};
	const char *vals[] = {"10", "stepmark", conninfo && *conninfo ? conninfo : NULL, "UTF8",
			      NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		struct hub tmp = {0};
		set_err(&tmp, PQerrorMessage(c));
		snprintf(err, errlen, "%s", tmp.err);
		PQfinish(c);
		return NULL;
	}
	/* the server's NOTICEs (IF NOT EXISTS...) are not ours to print */
	PQsetNoticeReceiver(c, notice_quiet, NULL);
	struct hub *h = xcalloc(1, sizeof(*h));
	h->c = c;
	return h;
}

void hub_close(struct hub *h)
{
	if (!h)
		return;
	PQfinish(h->c);
	free(h);
}

const char *hub_errmsg(const struct hub *h)
{
	return h->err;
}

int hub_schema_current(void)
{
	return hub_migration_count();
}

/* 1 when the hub's schema is there, 0 not (never initialized), -1 */
static int schema_there(struct hub *h)
{
	PGresult *r = run(h, H_EXISTS, 0, NULL);
	if (!r)
		return -1;
	const char *t = val(r, 0, 0);
	int there = t && *t == 't';
	PQclear(r);
	return there;
}

/* the hub's schema version: 0 none, -1 on error */
static int version(struct hub *h)
{
	int there = schema_there(h);
	if (there <= 0)
		return there;
	PGresult *r;
	const char *p[] = {"version"};
	if (!(r = run(h, H_META_GET, 1, p)))
		return -1;
	int v = val(r, 0, 0) ? atoi(val(r, 0, 0)) : 0;
	PQclear(r);
	return v;
}

int hub_init(struct hub *h, int *from, int *to)
{
	*from = *to = 0;
	if (exec_plain(h, "BEGIN") < 0)
		return -1;
	PGresult *r = run(h, H_INIT_LOCK, 0, NULL);
	PQclear(r);
	int v = r ? version(h) : -1;
	int want = hub_migration_count();
	*from = *to = v;
	if (v < 0 || v > want) {
		hub_rollback(h);
		return v < 0 ? -1 : -2;
	}
	for (int i = v; i < want; i++) {
		char n[16];
		snprintf(n, sizeof(n), "%d", i + 1);
		const char *p[] = {"version", n};
		if (exec_plain(h, hub_migration(i)) < 0 || !(r = run(h, H_META_SET, 2, p))) {
			hub_rollback(h);
			return -1;
		}
		PQclear(r);
	}
	if (exec_plain(h, "COMMIT") < 0)
		return -1;
	*to = want;
	return 0;
}

int hub_whoami(struct hub *h, struct hub_me *me)
{
	memset(me, 0, sizeof(*me));
	int there = schema_there(h);
	if (there <= 0)
		return there;
	PGresult *r;
	if (!(r = run(h, H_WHO, 0, NULL)))
		return -1;
	snprintf(me->user, sizeof(me->user), "%s", val(r, 0, 0) ? val(r, 0, 0) : "");
	const char *g = val(r, 0, 1);
	me->role = HUB_NONE;
	for (int i = HUB_ANNOTATOR; g && i <= HUB_AUDITOR; i++)
		if (!strcmp(g + strlen("stepmark_"), hub_role_names[i]))
			me->role = (enum hub_role)i;
	PQclear(r);
	me->version = -1; /* a hub there, which only members read */
	if (me->role == HUB_NONE)
		return 0;
	if ((me->version = version(h)) < 0)
		return -1;
	const char *p[] = {"id"};
	if (!(r = run(h, H_META_GET, 1, p)))
		return -1;
	snprintf(me->id, sizeof(me->id), "%s", val(r, 0, 0) ? val(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

/* DDL on a quoted name: CREATE ROLE takes no parameters */
static int ddl(struct hub *h, const char *fmt, const char *a, const char *b)
{
	struct buf q = {0};
	buf_printf(&q, fmt, a, b);
	int rc = exec_plain(h, q.data);
	buf_free(&q);
	return rc;
}

int hub_member_add(struct hub *h, const char *name, enum hub_role role,
		   const char *password)
{
	const char *p[] = {name};
	PGresult *r = run(h, H_ROLE_EXISTS, 1, p);
	if (!r)
		return -1;
	int there = PQntuples(r) > 0;
	PQclear(r);
	if (there)
		return 1;
	char group[64];
	snprintf(group, sizeof(group), "stepmark_%s", hub_role_names[role]);
	char *qn = PQescapeIdentifier(h->c, name, strlen(name));
	char *qg = PQescapeIdentifier(h->c, group, strlen(group));
	int rc = -1;
	if (qn && qg && exec_plain(h, "BEGIN") == 0) {
		rc = ddl(h, "CREATE ROLE %s LOGIN IN ROLE %s", qn, qg);
		if (rc == 0 && password) {
			/* the server gets the SCRAM verifier, never the password */
			char *enc = PQencryptPasswordConn(h->c, password, name, NULL);
			char *lit = enc ? PQescapeLiteral(h->c, enc, strlen(enc)) : NULL;
			rc = lit ? ddl(h, "ALTER ROLE %s PASSWORD %s", qn, lit) : -1;
			if (!lit)
				set_err(h, PQerrorMessage(h->c));
			PQfreemem(lit);
			PQfreemem(enc);
		}
		if (rc == 0)
			rc = exec_plain(h, "COMMIT");
		else
			hub_rollback(h);
	} else if (!qn || !qg) {
		set_err(h, PQerrorMessage(h->c));
	}
	PQfreemem(qn);
	PQfreemem(qg);
	return rc;
}

int hub_begin(struct hub *h)
{
	return exec_plain(h, "BEGIN");
}

int hub_commit(struct hub *h)
{
	return exec_plain(h, "COMMIT");
}

void hub_rollback(struct hub *h)
{
	PGresult *r = PQexec(h->c, "ROLLBACK");
	PQclear(r);
}

/* the steps of the solution just added as id */
static int push_steps(struct hub *h, const char *id, const struct hub_sol *s)
{
	for (size_t i = 0; i < s->nsteps; i++) {
		char idx[24];
		snprintf(idx, sizeof(idx), "%zu", i);
		const char *const *f = s->steps[i].f;
		const char *p[] = {id, idx, f[HT_TEXT], f[HT_CHOSEN], f[HT_ALTS], f[HT_AGENT],
				   f[HT_ROLE]};
		PGresult *r = run(h, H_STEP_ADD, 7, p);
		if (!r)
			return -1;
		PQclear(r);
	}
	return 0;
}

int hub_push_solution(struct hub *h, const struct hub_sol *s)
{
	const char *const *f = s->f;
	const char *dp[] = {f[HS_DATASET], f[HS_FORMAT]};
	PGresult *r = run(h, H_DATASET, 2, dp);
	if (!r)
		return -1;
	char ds[24];
	snprintf(ds, sizeof(ds), "%s", val(r, 0, 0) ? val(r, 0, 0) : "0");
	PQclear(r);
	const char *p[] = {ds, f[HS_KEY], f[HS_PROBLEM_KEY], f[HS_PROBLEM], f[HS_GOLD],
			   f[HS_GOLD_DERIVED], f[HS_REFERENCE], f[HS_REFERENCE_STEPS],
			   f[HS_GENERATOR], f[HS_FINAL], f[HS_CORRECT], f[HS_FINISH], f[HS_META],
			   f[HS_TAIL], f[HS_HASH]};
	if (!(r = run(h, H_SOL_ADD, 15, p)))
		return -1;
	if (PQntuples(r) == 1) {
		int rc = push_steps(h, val(r, 0, 0), s);
		PQclear(r);
		return rc < 0 ? -1 : 1;
	}
	PQclear(r);
	const char *kp[] = {ds, f[HS_KEY]};
	if (!(r = run(h, H_SOL_HASH, 2, kp)))
		return -1;
	int same = val(r, 0, 0) && !strcmp(val(r, 0, 0), f[HS_HASH]);
	PQclear(r);
	return same ? 0 : 2;
}

int hub_push_label(struct hub *h, const struct hub_label *l, int64_t *seq)
{
	*seq = 0;
	const char *const *f = l->f;
	const char *p[] = {f[HL_UID], f[HL_DATASET], f[HL_KEY], f[HL_STEP], f[HL_KIND],
			   f[HL_VALUE], f[HL_TEXT], f[HL_ANNOTATOR], f[HL_ORIGIN], f[HL_AT],
			   f[HL_AGENT], f[HL_GUIDELINES], l->sol_hash};
	PGresult *r = run(h, H_LABEL_ADD, 13, p);
	if (!r)
		return -1;
	if (PQntuples(r) == 1) {
		*seq = strtoll(val(r, 0, 0), NULL, 10);
		PQclear(r);
		return 1;
	}
	PQclear(r);
	const char *sp[] = {f[HL_UID], f[HL_DATASET], f[HL_KEY], l->sol_hash};
	if (!(r = run(h, H_LABEL_SEEN, 4, sp)))
		return -1;
	const char *same = val(r, 0, 1);
	int rc = !same ? 2 : *same == 't' ? 2 : 3;
	if (val(r, 0, 0)) {
		*seq = strtoll(val(r, 0, 0), NULL, 10);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static int64_t seq_at(const PGresult *r, int row)
{
	return strtoll(PQgetvalue(r, row, 0), NULL, 10);
}

/* the page's rows as structs: solutions with their steps, labels */
static void page_fill(struct hub_page *p, PGresult *sols, PGresult *steps, PGresult *labels)
{
	p->sols = xcalloc(p->nsols + 1, sizeof(*p->sols));
	p->sol_seqs = xcalloc(p->nsols + 1, sizeof(*p->sol_seqs));
	int nst = PQntuples(steps), k = 0;
	for (size_t i = 0; i < p->nsols; i++) {
		struct hub_sol *s = &p->sols[i];
		p->sol_seqs[i] = seq_at(sols, (int)i);
		for (int c = 0; c < HS_N; c++)
			s->f[c] = val(sols, (int)i, c + 1);
		s->steps = xcalloc((size_t)nst + 1, sizeof(*s->steps));
		for (; k < nst && seq_at(steps, k) == p->sol_seqs[i]; k++) {
			struct hub_step *st = &s->steps[s->nsteps++];
			for (int c = 0; c < HT_N; c++)
				st->f[c] = val(steps, k, c + 1);
		}
	}
	p->labels = xcalloc(p->nlabels + 1, sizeof(*p->labels));
	for (size_t i = 0; i < p->nlabels; i++) {
		p->labels[i].seq = seq_at(labels, (int)i);
		for (int c = 0; c < HL_N; c++)
			p->labels[i].f[c] = val(labels, (int)i, c + 1);
		p->labels[i].sol_hash = val(labels, (int)i, HL_N + 1);
	}
}

/* how many of r's rows (ordered by place) are at or before hi */
static size_t upto(const PGresult *r, int64_t hi)
{
	int n = PQntuples(r);
	while (n > 0 && seq_at(r, n - 1) > hi)
		n--;
	return (size_t)n;
}

int hub_pull_page(struct hub *h, int64_t after, int max, struct hub_page *p)
{
	memset(p, 0, sizeof(*p));
	p->hi = after;
	/* one snapshot: places are handed out in commit order, so it holds
	 * every place up to the last it shows */
	if (exec_plain(h, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0)
		return -1;
	char a[24], m[24], hi[24];
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(m, sizeof(m), "%d", max);
	const char *pp[] = {a, m};
	PGresult *sols = run(h, H_PULL_SOLS, 2, pp);
	PGresult *labels = sols ? run(h, H_PULL_LABELS, 2, pp) : NULL;
	if (!labels) {
		PQclear(sols);
		hub_rollback(h);
		return -1;
	}
	int ns = PQntuples(sols), nl = PQntuples(labels);
	/* a full page ends where it ends; else the snapshot holds the rest */
	int64_t end = INT64_MAX, last = after;
	if (ns == max)
		end = seq_at(sols, ns - 1);
	if (nl == max && seq_at(labels, nl - 1) < end)
		end = seq_at(labels, nl - 1);
	if (end == INT64_MAX) {
		if (ns && seq_at(sols, ns - 1) > last)
			last = seq_at(sols, ns - 1);
		if (nl && seq_at(labels, nl - 1) > last)
			last = seq_at(labels, nl - 1);
		end = last;
	}
	p->hi = end;
	p->nsols = upto(sols, end);
	p->nlabels = upto(labels, end);
	snprintf(hi, sizeof(hi), "%lld", (long long)end);
	const char *sp[] = {a, hi};
	PGresult *steps = run(h, H_PULL_STEPS, 2, sp);
	if (!steps || exec_plain(h, "COMMIT") < 0) {
		PQclear(sols);
		PQclear(labels);
		PQclear(steps);
		hub_rollback(h);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	page_fill(p, sols, steps, labels);
	p->res[0] = sols;
	p->res[1] = steps;
	p->res[2] = labels;
	return 0;
}

void hub_page_free(struct hub_page *p)
{
	for (size_t i = 0; p->sols && i < p->nsols; i++)
		free(p->sols[i].steps);
	free(p->sols);
	free(p->sol_seqs);
	free(p->labels);
	for (int i = 0; i < 3; i++)
		PQclear(p->res[i]);
	memset(p, 0, sizeof(*p));
}
