/* hub.c - the hub's side of a sync: a libpq connection, the hub's schema
 * and members, solutions and labels pushed, pages of them pulled */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "hubi.h"
#include "hub_schema.h"
#include "../src/util.h"

/* Every statement the hub runs but the member's own DDL (hub_member_add
 * builds it from the quoted name). Parameters are text: the server
 * reads them as its columns' types. */
enum hub_stmt {
	H_EXISTS, H_META_GET, H_META_SET, H_INIT_LOCK, H_WHO, H_ROLE_EXISTS,
	H_DATASET, H_SOL_ADD, H_SOL_HASH, H_STEP_ADD, H_LABEL_SEEN,
	H_PULL_SOLS, H_PULL_STEPS, H_PULL_LABELS, H_ME, H_LABEL_PUSH, H_SUG_ADD, H_SUG_SEEN,
	H_PULL_SUGS, H_COUNT
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
		  "'stepmark_auditor', 'stepmark_worker') AND pg_has_role(session_user, r.oid, 'member') "
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
	/* the workbench's: who, in one statement (an error when the hub has
	 * no schema or this is not a member: its schema is not theirs to read) */
	[H_ME] = "SELECT session_user, (SELECT r.rolname FROM pg_roles r WHERE r.rolname IN "
		 "('stepmark_lead', 'stepmark_adjudicator', 'stepmark_annotator', "
		 "'stepmark_auditor', 'stepmark_worker') AND pg_has_role(session_user, r.oid, 'member') "
		 "ORDER BY r.rolname <> 'stepmark_lead', r.rolname LIMIT 1), "
		 "(SELECT value FROM stepmark.meta WHERE key = 'id'), "
		 "(SELECT value FROM stepmark.meta WHERE key = 'version')",
	/* a label in one statement (the workbench's own transaction, or one
	 * of a sync's pipelined batch): added (its place), there already (its
	 * place), or why not (its solution's steps) */
	[H_LABEL_PUSH] = "WITH ins AS (INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, "
			 "value, text, annotator, origin, created_at, agent, guidelines) "
			 "SELECT $1, s.id, $4, $5, $6, $7, $8, $9, $10, $11, $12 "
			 "FROM stepmark.solution s JOIN stepmark.dataset d ON d.id = s.dataset_id "
			 "WHERE d.name = $2 AND s.ext_key = $3 AND s.steps_hash = $13 "
			 "ON CONFLICT (uid) DO NOTHING RETURNING seq) "
			 "SELECT (SELECT seq FROM ins), "
			 "(SELECT seq FROM stepmark.label WHERE uid = $1), "
			 "(SELECT s.steps_hash = $13 FROM stepmark.solution s JOIN stepmark.dataset d "
			 "ON d.id = s.dataset_id WHERE d.name = $2 AND s.ext_key = $3)",
	/* a suggestion: not onto a solution whose job of the same kind and
	 * params the hub runs, unless it comes with that job's end ($18) */
	[H_SUG_ADD] = "INSERT INTO stepmark.suggestion(uid, solution_id, step_idx, source, model, "
		      "origin, value, first_error, k, n, rationale, agent, rollouts, created_at, "
		      "job_kind, job_params, job_id) "
		      "SELECT $1, s.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
		      "$17, $18 FROM stepmark.solution s JOIN stepmark.dataset d ON d.id = s.dataset_id "
		      "WHERE d.name = $2 AND s.ext_key = $3 AND ($18::bigint IS NOT NULL OR NOT EXISTS "
		      "(SELECT 1 FROM stepmark.job j WHERE j.solution_id = s.id AND j.kind = $16 "
		      "AND j.params = $17)) ON CONFLICT (uid) DO NOTHING RETURNING seq",
	[H_SUG_SEEN] = "SELECT 1 FROM stepmark.suggestion WHERE uid = $1",
	[H_PULL_SUGS] = "SELECT g.seq, g.uid, d.name, s.ext_key, g.step_idx, g.source, g.model, "
			"g.origin, g.value, g.first_error, g.k, g.n, g.rationale, g.agent, g.rollouts, "
			"g.created_at, g.job_kind, g.job_params FROM stepmark.suggestion g "
			"JOIN stepmark.solution s ON s.id = g.solution_id "
			"JOIN stepmark.dataset d ON d.id = s.dataset_id "
			"WHERE g.seq > $1 ORDER BY g.seq LIMIT $2",
};

const char *const hub_role_names[] = {"none", "annotator", "adjudicator", "lead", "auditor",
				      "worker"};

static void set_err(struct hub *h, const char *msg)
{
	snprintf(h->err, sizeof(h->err), "%s", msg && *msg ? msg : "the hub failed");
	size_t n = strlen(h->err);
	while (n && (h->err[n - 1] == '\n' || h->err[n - 1] == ' '))
		h->err[--n] = '\0';
}

/* r when it succeeded; else NULL, r cleared and the reason kept */
static PGresult *result_ok(struct hub *h, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	set_err(h, r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(h->c));
	PQclear(r);
	return NULL;
}

PGresult *hubi_run(struct hub *h, const char *sql, int n, const char *const *params)
{
	return result_ok(h, PQexecParams(h->c, sql, n, NULL, params, NULL, NULL, 0));
}

/* Runs statement id with n parameters, as hubi_run. */
static PGresult *run(struct hub *h, enum hub_stmt id, int n, const char *const *params)
{
	return hubi_run(h, hub_sql[id], n, params);
}

/* Statement id with n parameters prepared on the connection as name:
 * 0, or -1 with the server's reason kept */
static int prepare(struct hub *h, const char *name, enum hub_stmt id, int n)
{
	PGresult *r = PQprepare(h->c, name, hub_sql[id], n, NULL);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		set_err(h, r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
			: PQerrorMessage(h->c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* The same for a statement a pull runs at every page: prepared on the
 * connection the first time (parsed and planned once, not per page) */
static PGresult *run_prepared(struct hub *h, enum hub_stmt id, int n,
			      const char *const *params)
{
	char name[32];
	snprintf(name, sizeof(name), "stepmark_%d", (int)id);
	if (!(h->prepared & (1u << id))) {
		if (prepare(h, name, id, n) < 0)
			return NULL;
		h->prepared |= 1u << id;
	}
	return result_ok(h, PQexecPrepared(h->c, name, n, params, NULL, NULL, 0));
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

void hubi_json_rows(struct buf *b, const char *const *keys, int nk, const void *rows,
		    size_t stride, size_t n)
{
	buf_reset(b);
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		const char *const *f = (const char *const *)((const char *)rows + i * stride);
		buf_printf(b, "%s{\"i\":%zu", i ? "," : "", i);
		for (int c = 0; c < nk; c++) {
			buf_printf(b, ",\"%s\":", keys[c]);
			if (f[c])
				buf_json_str(b, f[c], strlen(f[c]));
			else
				buf_puts(b, "null");
		}
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

const char *hubi_val(const PGresult *r, int row, int i)
{
	return row < PQntuples(r) && !PQgetisnull(r, row, i) ? PQgetvalue(r, row, i) : NULL;
}

static const char *val(const PGresult *r, int row, int i)
{
	return hubi_val(r, row, i);
}

static void notice_quiet(void *arg, const PGresult *r)
{
	(void)arg;
	(void)r;
}

/* The hub of a connection libpq made (ok: as far as it has got), or NULL
 * with libpq's reason (never the connection string) in err. */
static struct hub *hub_of(PGconn *c, int ok, char *err, size_t errlen)
{
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!ok) {
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

struct hub *hub_connect(const char *conninfo, char *err, size_t errlen)
{
	/* the string's own settings come after (and override) these */
	const char *keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
			      NULL};
	const char *vals[] = {"10", "stepmark", conninfo && *conninfo ? conninfo : NULL, "UTF8",
			      NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	return hub_of(c, c && PQstatus(c) == CONNECTION_OK, err, errlen);
}

static void op_clear(struct hub *h);

void hub_close(struct hub *h)
{
	if (!h)
		return;
	op_clear(h);
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
	for (int i = HUB_ANNOTATOR; g && i < HUB_ROLES; i++)
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

/* the parameters of H_LABEL_PUSH for l */
static void label_params(const struct hub_label *l, const char *p[13])
{
	const char *const *f = l->f;
	const char *v[] = {f[HL_UID], f[HL_DATASET], f[HL_KEY], f[HL_STEP], f[HL_KIND],
			   f[HL_VALUE], f[HL_TEXT], f[HL_ANNOTATOR], f[HL_ORIGIN], f[HL_AT],
			   f[HL_AGENT], f[HL_GUIDELINES], l->sol_hash};
	memcpy(p, v, sizeof(v));
}

/* H_LABEL_PUSH's row as hub_push_labels' rc and seq; 4: neither added nor
 * seen though its steps are the hub's (a push of the same uid committed
 * while it waited: its statement's snapshot is older), to ask again */
static int label_pushed(const PGresult *r, int64_t *seq)
{
	const char *added = val(r, 0, 0), *there = val(r, 0, 1), *same = val(r, 0, 2);
	const char *s = added ? added : there;
	*seq = s ? strtoll(s, NULL, 10) : 0;
	return added ? 1 : there ? 0 : !same ? 2 : *same == 't' ? 4 : 3;
}

/* a label asked again in a statement of its own (label_pushed's 4) */
static int label_seen(struct hub *h, const struct hub_label *l, int *rc, int64_t *seq)
{
	const char *const *f = l->f;
	const char *sp[] = {f[HL_UID], f[HL_DATASET], f[HL_KEY], l->sol_hash};
	PGresult *r = run(h, H_LABEL_SEEN, 4, sp);
	if (!r)
		return -1;
	const char *same = val(r, 0, 1);
	*rc = !same ? 2 : *same == 't' ? 2 : 3;
	*seq = 0;
	if (val(r, 0, 0)) {
		*seq = strtoll(val(r, 0, 0), NULL, 10);
		*rc = 0;
	}
	PQclear(r);
	return 0;
}

/* the pipeline's results read up to its sync: each label's rc and seq
 * until the first error (kept in h->err); -1 then, or when the
 * connection failed */
static int pipeline_read(struct hub *h, size_t sent, int *rc, int64_t *seq)
{
	int failed = 0;
	size_t i = 0; /* the label whose results are read */
	for (;;) {
		PGresult *r = PQgetResult(h->c);
		if (!r) { /* its results are over: the next label's */
			if (PQstatus(h->c) == CONNECTION_BAD || ++i > sent)
				break;
			continue;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (st == PGRES_TUPLES_OK && i < sent && PQntuples(r) == 1 && !failed)
			rc[i] = label_pushed(r, &seq[i]);
		else if (st != PGRES_PIPELINE_ABORTED && st != PGRES_TUPLES_OK && !failed) {
			set_err(h, *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
				: PQerrorMessage(h->c));
			failed = 1;
		}
		PQclear(r);
	}
	if (!failed && PQstatus(h->c) == CONNECTION_BAD) {
		set_err(h, PQerrorMessage(h->c));
		failed = 1;
	}
	return failed ? -1 : 0;
}

#define LABEL_PUSH_NAME "stepmark_label_push"

int hub_push_labels(struct hub *h, const struct hub_label *l, size_t n, int *rc, int64_t *seq)
{
	for (size_t i = 0; i < n; i++) {
		rc[i] = -1;
		seq[i] = 0;
	}
	if (n == 0)
		return 0;
	/* prepared once per connection: planned once, not per label (a
	 * session's prepared statement outlives the transaction) */
	if (!h->label_prepared) {
		if (prepare(h, LABEL_PUSH_NAME, H_LABEL_PUSH, 13) < 0)
			return -1;
		h->label_prepared = 1;
	}
	if (!PQenterPipelineMode(h->c)) {
		set_err(h, PQerrorMessage(h->c));
		return -1;
	}
	size_t sent = 0;
	int failed;
	for (; sent < n; sent++) {
		const char *p[13];
		label_params(&l[sent], p);
		if (!PQsendQueryPrepared(h->c, LABEL_PUSH_NAME, 13, p, NULL, NULL, 0))
			break;
	}
	if (sent < n)
		set_err(h, PQerrorMessage(h->c));
	if (!PQpipelineSync(h->c)) { /* the connection is gone: nothing to read */
		if (sent == n)
			set_err(h, PQerrorMessage(h->c));
		return -1;
	}
	/* what was sent is read (the first error kept) */
	failed = pipeline_read(h, sent, rc, seq) < 0 || sent < n;
	if (!PQexitPipelineMode(h->c) && !failed) {
		set_err(h, PQerrorMessage(h->c));
		failed = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (rc[i] != 4)
			continue;
		if (failed)
			rc[i] = 2; /* as the workbench's push reads it */
		else if (label_seen(h, &l[i], &rc[i], &seq[i]) < 0) {
			rc[i] = -1;
			failed = 1;
		}
	}
	return failed ? -1 : 0;
}

int hub_push_sug(struct hub *h, const struct hub_sug *g, int64_t job)
{
	const char *const *f = g->f;
	char jid[24];
	snprintf(jid, sizeof(jid), "%lld", (long long)job);
	const char *p[] = {f[HG_UID], f[HG_DATASET], f[HG_KEY], f[HG_STEP], f[HG_SOURCE],
			   f[HG_MODEL], f[HG_ORIGIN], f[HG_VALUE], f[HG_FE], f[HG_K], f[HG_N],
			   f[HG_RATIONALE], f[HG_AGENT], f[HG_ROLLOUTS], f[HG_AT], f[HG_JOB_KIND],
			   f[HG_JOB_PARAMS], job ? jid : NULL};
	PGresult *r = run(h, H_SUG_ADD, 18, p);
	if (!r)
		return -1;
	int added = PQntuples(r) == 1;
	PQclear(r);
	if (added)
		return 1;
	const char *up[] = {f[HG_UID]};
	if (!(r = run(h, H_SUG_SEEN, 1, up)))
		return -1;
	int there = PQntuples(r) == 1;
	PQclear(r);
	return there ? 0 : 2;
}

static int64_t seq_at(const PGresult *r, int row)
{
	return strtoll(PQgetvalue(r, row, 0), NULL, 10);
}

/* the page's rows as structs: solutions with their steps, labels,
 * suggestions */
static void page_fill(struct hub_page *p, PGresult *sols, PGresult *steps, PGresult *labels,
		      PGresult *sugs)
{
	p->sols = xcalloc(p->nsols + 1, sizeof(*p->sols));
	p->sol_seqs = xcalloc(p->nsols + 1, sizeof(*p->sol_seqs));
	int nst = PQntuples(steps), k = 0;
	for (size_t i = 0; i < p->nsols; i++) {
		struct hub_sol *s = &p->sols[i];
		p->sol_seqs[i] = seq_at(sols, (int)i);
		for (int c = 0; c < HS_N; c++)
			s->f[c] = val(sols, (int)i, c + 1);
		int n = 0; /* its steps, which come next in steps' order */
		while (k + n < nst && seq_at(steps, k + n) == p->sol_seqs[i])
			n++;
		s->steps = xcalloc((size_t)n + 1, sizeof(*s->steps));
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
	p->sugs = xcalloc(p->nsugs + 1, sizeof(*p->sugs));
	for (size_t i = 0; i < p->nsugs; i++) {
		p->sugs[i].seq = seq_at(sugs, (int)i);
		for (int c = 0; c < HG_COUNT; c++)
			p->sugs[i].f[c] = val(sugs, (int)i, c + 1);
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

/* where a page ends: a full page where its first list ends, else the
 * snapshot holds the rest (after: nothing new) */
static int64_t page_end(const PGresult *const lists[3], int64_t after, int max)
{
	int64_t end = INT64_MAX, last = after;
	for (int i = 0; i < 3; i++) {
		int n = PQntuples(lists[i]);
		if (n == max && seq_at(lists[i], n - 1) < end)
			end = seq_at(lists[i], n - 1);
		if (n && seq_at(lists[i], n - 1) > last)
			last = seq_at(lists[i], n - 1);
	}
	return end != INT64_MAX ? end : last;
}

/* the page up to end from the four results, which it keeps */
static void page_take(struct hub_page *p, int64_t end, PGresult *sols, PGresult *steps,
		      PGresult *labels, PGresult *sugs)
{
	memset(p, 0, sizeof(*p));
	p->hi = end;
	p->nsols = upto(sols, end);
	p->nlabels = upto(labels, end);
	p->nsugs = upto(sugs, end);
	page_fill(p, sols, steps, labels, sugs);
	p->res[0] = sols;
	p->res[1] = steps;
	p->res[2] = labels;
	p->res[3] = sugs;
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
	PGresult *sols = run_prepared(h, H_PULL_SOLS, 2, pp);
	PGresult *labels = sols ? run_prepared(h, H_PULL_LABELS, 2, pp) : NULL;
	PGresult *sugs = labels ? run_prepared(h, H_PULL_SUGS, 2, pp) : NULL;
	if (!sugs) {
		PQclear(sols);
		PQclear(labels);
		hub_rollback(h);
		return -1;
	}
	const PGresult *lists[3] = {sols, labels, sugs};
	int64_t end = page_end(lists, after, max);
	snprintf(hi, sizeof(hi), "%lld", (long long)end);
	const char *sp[] = {a, hi};
	PGresult *steps = run_prepared(h, H_PULL_STEPS, 2, sp);
	if (!steps || exec_plain(h, "COMMIT") < 0) {
		PQclear(sols);
		PQclear(labels);
		PQclear(sugs);
		PQclear(steps);
		hub_rollback(h);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	page_take(p, end, sols, steps, labels, sugs);
	return 0;
}

void hub_page_free(struct hub_page *p)
{
	for (size_t i = 0; p->sols && i < p->nsols; i++)
		free(p->sols[i].steps);
	free(p->sols);
	free(p->sol_seqs);
	free(p->labels);
	free(p->sugs);
	for (int i = 0; i < 4; i++)
		PQclear(p->res[i]);
	memset(p, 0, sizeof(*p));
}

/* ---- the workbench's connection: the same statements, never blocking ---- */

struct hub *hub_start(const char *conninfo, char *err, size_t errlen)
{
	const char *keys[] = {"application_name", "dbname", "client_encoding", NULL};
	const char *vals[] = {"stepmark", conninfo && *conninfo ? conninfo : NULL, "UTF8", NULL};
	PGconn *c = PQconnectStartParams(keys, vals, 1);
	struct hub *h = hub_of(c, c && PQstatus(c) != CONNECTION_BAD, err, errlen);
	if (!h)
		return NULL;
	h->connecting = 1;
	h->want_write = 1; /* libpq's first step writes */
	return h;
}

int hub_socket(const struct hub *h, int *write)
{
	*write = h->want_write;
	return PQsocket(h->c);
}

static void op_clear(struct hub *h)
{
	for (int i = 0; i < 4; i++) {
		PQclear(h->res[i]);
		h->res[i] = NULL;
	}
	free(h->push_rc);
	free(h->push_seq);
	h->push_rc = NULL;
	h->push_seq = NULL;
	h->op = OP_NONE;
}

/* sends what is written; -1 when the connection failed */
static int flush(struct hub *h)
{
	int f = PQflush(h->c);
	h->want_write = f == 1;
	if (f < 0)
		set_err(h, PQerrorMessage(h->c));
	return f < 0 ? -1 : 0;
}

static int send_stmt(struct hub *h, enum hub_stmt id, int n, const char *const *params)
{
	if (!PQsendQueryParams(h->c, hub_sql[id], n, NULL, params, NULL, NULL, 0)) {
		set_err(h, PQerrorMessage(h->c));
		return -1;
	}
	return flush(h);
}

static int send_plain(struct hub *h, const char *sql)
{
	if (!PQsendQuery(h->c, sql)) {
		set_err(h, PQerrorMessage(h->c));
		return -1;
	}
	return flush(h);
}

/* the statement of the operation's stage sent: 1, 0 when it has no more, -1 */
static int op_send(struct hub *h)
{
	char a[24], m[24], hi[24];
	snprintf(a, sizeof(a), "%lld", (long long)h->after);
	snprintf(m, sizeof(m), "%d", h->max);
	snprintf(hi, sizeof(hi), "%lld", (long long)h->end);
	const char *pp[] = {a, m}, *sp[] = {a, hi};
	switch (h->op) {
	case OP_WHO:
		return h->stage == 0 ? (send_stmt(h, H_ME, 0, NULL) < 0 ? -1 : 1) : 0;
	case OP_ONE:
		if (h->stage != 0)
			return 0;
		if (!PQsendQueryParams(h->c, h->one_sql, h->one_n, NULL, h->one_params, NULL, NULL,
				       0)) {
			set_err(h, PQerrorMessage(h->c));
			return -1;
		}
		return flush(h) < 0 ? -1 : 1;
	case OP_PUSH: {
		/* the statement hub_push_labels prepares, once per connection:
		 * prepared first when it is not yet, then one label a stage */
		int ok;
		if (h->push_prepares && h->stage == 0) {
			ok = PQsendPrepare(h->c, LABEL_PUSH_NAME, hub_sql[H_LABEL_PUSH], 13, NULL);
		} else {
			size_t i = (size_t)(h->stage - h->push_prepares);
			if (i >= h->npush)
				return 0;
			const char *p[13];
			label_params(&h->push[i], p);
			ok = PQsendQueryPrepared(h->c, LABEL_PUSH_NAME, 13, p, NULL, NULL, 0);
		}
		if (!ok) {
			set_err(h, PQerrorMessage(h->c));
			return -1;
		}
		return flush(h) < 0 ? -1 : 1;
	}
	case OP_PULL:
		switch (h->stage) {
		case 0: return send_plain(h, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0 ? -1 : 1;
		case 1: return send_stmt(h, H_PULL_SOLS, 2, pp) < 0 ? -1 : 1;
		case 2: return send_stmt(h, H_PULL_LABELS, 2, pp) < 0 ? -1 : 1;
		case 3: return send_stmt(h, H_PULL_SUGS, 2, pp) < 0 ? -1 : 1;
		case 4: {
			const PGresult *lists[3] = {h->res[0], h->res[1], h->res[2]};
			h->end = page_end(lists, h->after, h->max);
			snprintf(hi, sizeof(hi), "%lld", (long long)h->end);
			return send_stmt(h, H_PULL_STEPS, 2, sp) < 0 ? -1 : 1;
		}
		case 5: return send_plain(h, "COMMIT") < 0 ? -1 : 1;
		default: return 0;
		}
	case OP_NONE: break;
	}
	return 0;
}

/* a result of the statement in flight, kept or read */
static void op_result(struct hub *h, PGresult *r)
{
	if ((h->op == OP_WHO || h->op == OP_ONE) && h->stage == 0 && !h->res[0]) {
		h->res[0] = r;
		return;
	}
	if (h->op == OP_PULL && h->stage >= 1 && h->stage <= 4 && !h->res[h->stage - 1]) {
		h->res[h->stage - 1] = r; /* solutions, labels, suggestions, steps */
		return;
	}
	if (h->op == OP_PUSH && h->stage < h->push_prepares) {
		h->label_prepared = 1; /* its prepare went well */
	} else if (h->op == OP_PUSH && (size_t)(h->stage - h->push_prepares) < h->npush &&
		   PQntuples(r) == 1) {
		const char *added = val(r, 0, 0), *there = val(r, 0, 1), *same = val(r, 0, 2);
		int rc = !same || *same == 't' ? 2 : 3;
		const char *seq = added ? added : there;
		size_t i = (size_t)(h->stage - h->push_prepares);
		h->push_rc[i] = added ? 1 : there ? 0 : rc;
		h->push_seq[i] = seq ? strtoll(seq, NULL, 10) : 0;
	}
	PQclear(r);
}

/* an operation begun: its first statement sent */
static int op_begin(struct hub *h, enum hub_op op)
{
	if (h->connecting || h->op != OP_NONE) {
		set_err(h, "the hub's connection is busy");
		return -1;
	}
	h->op = op;
	h->stage = 0;
	h->failed = 0;
	if (op_send(h) < 0) {
		op_clear(h);
		return -1;
	}
	return 0;
}

int hub_send_whoami(struct hub *h)
{
	return op_begin(h, OP_WHO);
}

int hubi_send_one(struct hub *h, const char *sql, int n, const char *const *params)
{
	h->one_sql = sql;
	h->one_n = n;
	h->one_params = params;
	int rc = op_begin(h, OP_ONE);
	h->one_params = NULL;
	return rc;
}

PGresult *hubi_take_one(struct hub *h)
{
	PGresult *r = h->res[0];
	h->res[0] = NULL;
	op_clear(h);
	return r;
}

int hub_send_push(struct hub *h, const struct hub_label *l, size_t n)
{
	h->push = l;
	h->npush = n;
	h->push_prepares = !h->label_prepared;
	h->push_rc = xcalloc(n + 1, sizeof(*h->push_rc));
	h->push_seq = xcalloc(n + 1, sizeof(*h->push_seq));
	if (n == 0) {
		h->op = OP_PUSH; /* nothing to send: done at the next step */
		h->stage = 0;
		return 0;
	}
	return op_begin(h, OP_PUSH);
}

int hub_send_pull(struct hub *h, int64_t after, int max)
{
	h->after = h->end = after;
	h->max = max;
	return op_begin(h, OP_PULL);
}

/* the connection made: HUB_DONE, HUB_BUSY, HUB_FAILED */
static int connect_step(struct hub *h)
{
	PostgresPollingStatusType r = PQconnectPoll(h->c);
	h->want_write = r == PGRES_POLLING_WRITING;
	if (r == PGRES_POLLING_FAILED) {
		set_err(h, PQerrorMessage(h->c));
		return HUB_FAILED;
	}
	if (r != PGRES_POLLING_OK)
		return HUB_BUSY;
	h->connecting = 0;
	if (PQsetnonblocking(h->c, 1) != 0) {
		set_err(h, PQerrorMessage(h->c));
		return HUB_FAILED;
	}
	return HUB_DONE;
}

int hub_step(struct hub *h)
{
	if (h->connecting)
		return connect_step(h);
	if (h->op == OP_NONE || (h->op == OP_PUSH && h->npush == 0))
		return HUB_DONE;
	if (flush(h) < 0)
		return HUB_FAILED;
	if (h->want_write)
		return HUB_BUSY;
	if (!PQconsumeInput(h->c)) {
		set_err(h, PQerrorMessage(h->c));
		return HUB_FAILED;
	}
	while (!PQisBusy(h->c)) {
		PGresult *r = PQgetResult(h->c);
		if (r) {
			ExecStatusType st = PQresultStatus(r);
			if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
				op_result(h, r);
				continue;
			}
			if (!h->failed)
				set_err(h, *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
					: PQerrorMessage(h->c));
			h->failed = 1;
			PQclear(r);
			continue;
		}
		/* the statement is over: the next, or the operation's end */
		if (h->failed)
			return HUB_FAILED;
		h->stage++;
		int more = op_send(h);
		if (more < 0)
			return HUB_FAILED;
		return more ? HUB_BUSY : HUB_DONE;
	}
	return HUB_BUSY;
}

void hub_take_me(struct hub *h, struct hub_me *me)
{
	memset(me, 0, sizeof(*me));
	PGresult *r = h->res[0];
	if (r && PQntuples(r) == 1) {
		snprintf(me->user, sizeof(me->user), "%s", val(r, 0, 0) ? val(r, 0, 0) : "");
		const char *g = val(r, 0, 1);
		for (int i = HUB_ANNOTATOR; g && i < HUB_ROLES; i++)
			if (!strcmp(g + strlen("stepmark_"), hub_role_names[i]))
				me->role = (enum hub_role)i;
		snprintf(me->id, sizeof(me->id), "%s", val(r, 0, 2) ? val(r, 0, 2) : "");
		me->version = val(r, 0, 3) ? atoi(val(r, 0, 3)) : 0;
	}
	op_clear(h);
}

void hub_take_push(struct hub *h, int *rc, int64_t *seq)
{
	for (size_t i = 0; i < h->npush; i++) {
		rc[i] = h->push_rc[i];
		seq[i] = h->push_seq[i];
	}
	h->npush = 0;
	op_clear(h);
}

void hub_take_pull(struct hub *h, struct hub_page *p)
{
	page_take(p, h->end, h->res[0], h->res[3], h->res[1], h->res[2]);
	h->res[0] = h->res[1] = h->res[2] = h->res[3] = NULL;
	op_clear(h);
}
