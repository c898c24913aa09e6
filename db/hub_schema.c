/* hub_schema.c - the hub's ordered migrations (PostgreSQL); the meta
 * table's 'version' counts those applied, like a store's user_version */
#include "config.h"

#include "hub_schema.h"

/*
 * Everything lives in the schema stepmark. Members are login roles in
 * one of four group roles (created once per cluster, shared by the hubs
 * of a cluster): stepmark_annotator, stepmark_adjudicator, stepmark_lead,
 * stepmark_auditor. The server enforces who may do what: every member
 * reads; only a lead writes data sets, solutions and steps, and labels
 * under any name; an annotator writes labels under its own name only
 * (never an adjudication), an adjudicator under its own name; nobody
 * updates or deletes (no grant), and pushed_by is the session's role
 * whatever the client sends.
 *
 * seq orders what the hub received: one sequence for solutions and
 * labels, taken by a trigger under a lock held to the commit, so that
 * places are handed out in commit order and a reader who saw place n
 * has seen every place before it (a pull is "everything after my
 * place").
 *
 * Version 2 (fetch workers): a fifth group role, stepmark_worker, for
 * the machines that run `stepmark fetch --hub`. Suggestions travel like
 * labels (their places in the same sequence), identified by uid, a hash
 * of their solution's data set and id and their content; a worker or a
 * lead inserts them, nobody else. The job table holds one row per job
 * (kind, params, solution) as a store's engine defines it; workers (and
 * leads) add jobs and lease them (lease_owner, lease_until: a lease that
 * ran out goes to whoever asks next), and a job's suggestions come with
 * its end, in its transaction (job_id).
 *
 * Version 3 (the response cache and alignments): response_cache holds
 * each provider response paid for once, keyed by the hash of its request (a store's
 * response_cache, with who pushed it and when it was paid and received):
 * written once, a different response under a hash there already never
 * replaces it. Workers and leads insert and read it (a fetch worker looks
 * its requests up there); other members neither (model output they do
 * not need, and it can be large). alignment holds alignment links as
 * events, like suggestions: uid a hash of the solution's data set and id
 * and the link's columns with when its set was made, a place in the
 * sequence; leads and workers insert, every member reads. Nobody updates
 * or deletes either.
 *
 * Version 4 (the deal and the policy): stepmark assign's deal (deal: a
 * solution, the annotator, its place in their queue, whether it is gold
 * and its first error) and the consensus policy (policy: a version per
 * row, the newest in force) take places in the event sequence like
 * labels, so that a pull is "after my place"; a lead inserts, nobody
 * updates or deletes. Gold stays blind: the deal's table is read by
 * leads and auditors only; every member reads the deal through the view
 * deal_seen, which shows an annotator or adjudicator only their own rows
 * and never which of them are gold (gold and gold_fe NULL), so a gold
 * item is an ordinary row of their queue, as the workbench keeps it.
 *
 * Version 5 (issue 25: actions travel): the workbench's actions, each
 * with the active time it measured, are events like labels, so that the
 * audit's and progress's active time is the same on a store that only
 * pulled. uid is a hash of the action's solution (data set and id) and
 * columns (hubact_store.c), ref_uid the uid of the action an undo or
 * redo names. A member inserts only its own (annotator = its name), a
 * lead any (as labels: a lead's store holds its team's); nobody updates
 * or deletes.
 */
enum { HUB_MIGRATIONS = 5 };
static const char *const migrations[HUB_MIGRATIONS] = {
	/* 1: the foundation */
	"CREATE SCHEMA stepmark;"
	"CREATE TABLE stepmark.meta (key text PRIMARY KEY, value text NOT NULL);"
	"INSERT INTO stepmark.meta VALUES ('id', gen_random_uuid()::text);"
	"CREATE SEQUENCE stepmark.event;"
	"CREATE FUNCTION stepmark.stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = pg_catalog, stepmark AS $$ BEGIN"
	"  PERFORM pg_advisory_xact_lock(hashtext('stepmark.event'));"
	"  NEW.seq := nextval('stepmark.event'); NEW.pushed_by := session_user;"
	"  RETURN NEW; END $$;"
	"CREATE TABLE stepmark.dataset ("
	"  id bigserial PRIMARY KEY,"
	"  name text NOT NULL UNIQUE,"
	"  format text NOT NULL);"
	"CREATE TABLE stepmark.solution ("
	"  id bigserial PRIMARY KEY,"
	"  dataset_id bigint NOT NULL REFERENCES stepmark.dataset(id),"
	"  ext_key text NOT NULL,"
	"  problem_key bigint NOT NULL,"
	"  problem text NOT NULL,"
	"  gold_answer text,"
	"  gold_derived int NOT NULL DEFAULT 0,"
	"  reference text,"
	"  reference_steps text,"
	"  generator text,"
	"  final_answer text,"
	"  correct int,"
	"  finish_reason text,"
	"  meta text,"
	"  tail text,"
	"  steps_hash text NOT NULL,"
	"  seq bigint NOT NULL UNIQUE,"
	"  pushed_by text NOT NULL,"
	"  UNIQUE (dataset_id, ext_key));"
	"CREATE TABLE stepmark.step ("
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  idx int NOT NULL,"
	"  text text NOT NULL,"
	"  chosen int,"
	"  alts text,"
	"  agent text,"
	"  role text,"
	"  PRIMARY KEY (solution_id, idx));"
	"CREATE TABLE stepmark.label ("
	"  seq bigint PRIMARY KEY,"
	"  uid text NOT NULL UNIQUE,"
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  step_idx int,"
	"  kind text NOT NULL,"
	"  value int,"
	"  text text,"
	"  annotator text NOT NULL,"
	"  origin text NOT NULL,"
	"  created_at text NOT NULL,"
	"  agent text,"
	"  guidelines text,"
	"  pushed_by text NOT NULL);"
	"CREATE TRIGGER solution_stamp BEFORE INSERT ON stepmark.solution"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	"CREATE TRIGGER label_stamp BEFORE INSERT ON stepmark.label"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	"DO $$ DECLARE r text; BEGIN"
	"  FOREACH r IN ARRAY ARRAY['stepmark_annotator', 'stepmark_adjudicator',"
	"    'stepmark_lead', 'stepmark_auditor'] LOOP"
	"    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN"
	"      EXECUTE format('CREATE ROLE %I NOLOGIN', r); END IF;"
	"  END LOOP; END $$;"
	"REVOKE ALL ON ALL TABLES IN SCHEMA stepmark FROM PUBLIC;"
	"GRANT USAGE ON SCHEMA stepmark TO stepmark_annotator, stepmark_adjudicator,"
	"  stepmark_lead, stepmark_auditor;"
	"GRANT SELECT ON ALL TABLES IN SCHEMA stepmark TO stepmark_annotator,"
	"  stepmark_adjudicator, stepmark_lead, stepmark_auditor;"
	"GRANT INSERT ON stepmark.dataset, stepmark.solution, stepmark.step TO stepmark_lead;"
	"GRANT USAGE ON ALL SEQUENCES IN SCHEMA stepmark TO stepmark_lead;"
	"GRANT INSERT ON stepmark.label TO stepmark_annotator, stepmark_adjudicator,"
	"  stepmark_lead;"
	"ALTER TABLE stepmark.label ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY label_read ON stepmark.label FOR SELECT USING (true);"
	"CREATE POLICY label_annotator ON stepmark.label FOR INSERT TO stepmark_annotator"
	"  WITH CHECK (annotator = session_user AND kind <> 'adjudication');"
	"CREATE POLICY label_adjudicator ON stepmark.label FOR INSERT TO stepmark_adjudicator"
	"  WITH CHECK (annotator = session_user);"
	"CREATE POLICY label_lead ON stepmark.label FOR INSERT TO stepmark_lead"
	"  WITH CHECK (true);",
	/* 2: fetch workers, their jobs, and suggestions */
	"DO $$ BEGIN"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stepmark_worker') THEN"
	"    CREATE ROLE stepmark_worker NOLOGIN; END IF; END $$;"
	"CREATE TABLE stepmark.job ("
	"  id bigserial PRIMARY KEY,"
	"  kind text NOT NULL,"
	"  params text NOT NULL,"
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  state text NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued', 'leased', 'done', 'failed')),"
	"  attempts int NOT NULL DEFAULT 0,"
	"  lease_owner text,"
	"  lease_until timestamptz,"
	"  last_error text,"
	"  requests bigint NOT NULL DEFAULT 0,"
	"  cached bigint NOT NULL DEFAULT 0,"
	"  tokens_in bigint NOT NULL DEFAULT 0,"
	"  tokens_out bigint NOT NULL DEFAULT 0,"
	"  done_by text,"
	"  UNIQUE (kind, params, solution_id));"
	"CREATE INDEX job_todo ON stepmark.job(kind, params, state, id);"
	"CREATE TABLE stepmark.suggestion ("
	"  seq bigint PRIMARY KEY,"
	"  uid text NOT NULL UNIQUE,"
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  step_idx int,"
	"  source text NOT NULL,"
	"  model text,"
	"  origin text,"
	"  value double precision,"
	"  first_error int,"
	"  k int,"
	"  n int,"
	"  rationale text,"
	"  agent text,"
	"  rollouts text,"
	"  created_at text NOT NULL,"
	"  job_kind text,"
	"  job_params text,"
	"  job_id bigint REFERENCES stepmark.job(id),"
	"  pushed_by text NOT NULL);"
	"CREATE TRIGGER suggestion_stamp BEFORE INSERT ON stepmark.suggestion"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	"REVOKE ALL ON stepmark.job, stepmark.suggestion FROM PUBLIC;"
	"GRANT USAGE ON SCHEMA stepmark TO stepmark_worker;"
	"GRANT SELECT ON ALL TABLES IN SCHEMA stepmark TO stepmark_annotator,"
	"  stepmark_adjudicator, stepmark_lead, stepmark_auditor, stepmark_worker;"
	"GRANT INSERT ON stepmark.suggestion TO stepmark_worker, stepmark_lead;"
	"GRANT INSERT, UPDATE ON stepmark.job TO stepmark_worker, stepmark_lead;"
	"GRANT USAGE ON SEQUENCE stepmark.job_id_seq TO stepmark_worker, stepmark_lead;"
	/* a worker's suggestion is its own: pushed_by is stamped, and only a
	 * lead or worker inserts (the grant); a job row changes its state
	 * and lease only, never its identity */
	"ALTER TABLE stepmark.suggestion ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY suggestion_read ON stepmark.suggestion FOR SELECT USING (true);"
	"CREATE POLICY suggestion_write ON stepmark.suggestion FOR INSERT"
	"  TO stepmark_worker, stepmark_lead WITH CHECK (true);"
	"REVOKE UPDATE ON stepmark.job FROM stepmark_worker, stepmark_lead;"
	"GRANT UPDATE (state, attempts, lease_owner, lease_until, last_error, requests, cached,"
	"  tokens_in, tokens_out, done_by) ON stepmark.job TO stepmark_worker, stepmark_lead;",
	/* 3: the response cache and alignments */
	"CREATE TABLE stepmark.response_cache ("
	"  request_hash text PRIMARY KEY,"
	"  body bytea NOT NULL,"
	"  created_at text NOT NULL,"
	"  pushed_by text NOT NULL DEFAULT session_user,"
	"  pushed_at timestamptz NOT NULL DEFAULT clock_timestamp());"
	"CREATE TABLE stepmark.alignment ("
	"  seq bigint PRIMARY KEY,"
	"  uid text NOT NULL UNIQUE,"
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  step_idx int NOT NULL,"
	"  ref_step int NOT NULL,"
	"  score double precision,"
	"  source text NOT NULL,"
	"  created_at text NOT NULL,"
	"  pushed_by text NOT NULL);"
	"CREATE TRIGGER alignment_stamp BEFORE INSERT ON stepmark.alignment"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	"REVOKE ALL ON stepmark.response_cache, stepmark.alignment FROM PUBLIC;"
	"GRANT SELECT, INSERT ON stepmark.response_cache TO stepmark_worker, stepmark_lead;"
	"GRANT SELECT ON stepmark.alignment TO stepmark_annotator, stepmark_adjudicator,"
	"  stepmark_lead, stepmark_auditor, stepmark_worker;"
	"GRANT INSERT ON stepmark.alignment TO stepmark_worker, stepmark_lead;"
	"ALTER TABLE stepmark.response_cache ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY cache_read ON stepmark.response_cache FOR SELECT"
	"  TO stepmark_worker, stepmark_lead USING (true);"
	"CREATE POLICY cache_write ON stepmark.response_cache FOR INSERT"
	"  TO stepmark_worker, stepmark_lead WITH CHECK (pushed_by = session_user);"
	"ALTER TABLE stepmark.alignment ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY alignment_read ON stepmark.alignment FOR SELECT USING (true);"
	"CREATE POLICY alignment_write ON stepmark.alignment FOR INSERT"
	"  TO stepmark_worker, stepmark_lead WITH CHECK (true);",
	/* 4: the deal and the consensus policy, dealt and set by leads */
	"CREATE TABLE stepmark.deal ("
	"  seq bigint PRIMARY KEY,"
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  annotator text NOT NULL,"
	"  ord bigint NOT NULL,"
	"  gold int NOT NULL DEFAULT 0 CHECK (gold IN (0, 1)),"
	"  gold_fe int,"
	"  created_at text NOT NULL,"
	"  pushed_by text NOT NULL,"
	"  UNIQUE (annotator, solution_id));"
	"CREATE TABLE stepmark.policy ("
	"  seq bigint PRIMARY KEY,"
	"  rules text NOT NULL,"
	"  created_at text NOT NULL,"
	"  pushed_by text NOT NULL);"
	"CREATE TRIGGER deal_stamp BEFORE INSERT ON stepmark.deal"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	"CREATE TRIGGER policy_stamp BEFORE INSERT ON stepmark.policy"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	/* who sees which items are gold: a lead, an auditor (a superuser is
	 * in every group) */
	"CREATE FUNCTION stepmark.sees_gold() RETURNS boolean LANGUAGE sql STABLE"
	"  SET search_path = pg_catalog AS $$"
	"  SELECT pg_has_role(session_user, 'stepmark_lead', 'member')"
	"    OR pg_has_role(session_user, 'stepmark_auditor', 'member') $$;"
	"CREATE VIEW stepmark.deal_seen WITH (security_barrier) AS"
	"  SELECT d.seq, ds.name AS dataset, s.ext_key, d.annotator, d.ord,"
	"    CASE WHEN stepmark.sees_gold() THEN d.gold END AS gold,"
	"    CASE WHEN stepmark.sees_gold() THEN d.gold_fe END AS gold_fe,"
	"    d.created_at, d.pushed_by"
	"  FROM stepmark.deal d JOIN stepmark.solution s ON s.id = d.solution_id"
	"  JOIN stepmark.dataset ds ON ds.id = s.dataset_id"
	"  WHERE d.annotator = session_user OR stepmark.sees_gold();"
	"REVOKE ALL ON stepmark.deal, stepmark.policy, stepmark.deal_seen FROM PUBLIC;"
	"GRANT SELECT ON stepmark.deal TO stepmark_lead, stepmark_auditor;"
	"GRANT SELECT ON stepmark.policy, stepmark.deal_seen TO stepmark_annotator,"
	"  stepmark_adjudicator, stepmark_lead, stepmark_auditor, stepmark_worker;"
	"GRANT INSERT ON stepmark.deal, stepmark.policy TO stepmark_lead;"
	/* rows too: were the table granted more widely, an annotator still
	 * reads no row of it (the view is theirs) and only a lead inserts */
	"ALTER TABLE stepmark.deal ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY deal_read ON stepmark.deal FOR SELECT TO stepmark_lead, stepmark_auditor"
	"  USING (true);"
	"CREATE POLICY deal_lead ON stepmark.deal FOR INSERT TO stepmark_lead WITH CHECK (true);"
	"ALTER TABLE stepmark.policy ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY policy_read ON stepmark.policy FOR SELECT USING (true);"
	"CREATE POLICY policy_lead ON stepmark.policy FOR INSERT TO stepmark_lead"
	"  WITH CHECK (true);",
	/* 5 (issue 25): the workbench's actions and their active time, events
	 * like labels, each member's own */
	"CREATE TABLE stepmark.action ("
	"  seq bigint PRIMARY KEY,"
	"  uid text NOT NULL UNIQUE,"
	"  solution_id bigint NOT NULL REFERENCES stepmark.solution(id),"
	"  annotator text NOT NULL,"
	"  op text NOT NULL CHECK (op IN ('do', 'undo', 'redo')),"
	"  ref_uid text,"
	"  name text NOT NULL,"
	"  created_at text NOT NULL,"
	"  active_ms bigint,"
	"  pushed_by text NOT NULL);"
	"CREATE TRIGGER action_stamp BEFORE INSERT ON stepmark.action"
	"  FOR EACH ROW EXECUTE FUNCTION stepmark.stamp();"
	"REVOKE ALL ON stepmark.action FROM PUBLIC;"
	"GRANT SELECT ON stepmark.action TO stepmark_annotator, stepmark_adjudicator,"
	"  stepmark_lead, stepmark_auditor, stepmark_worker;"
	"GRANT INSERT ON stepmark.action TO stepmark_annotator, stepmark_adjudicator,"
	"  stepmark_lead;"
	"ALTER TABLE stepmark.action ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY action_read ON stepmark.action FOR SELECT USING (true);"
	"CREATE POLICY action_member ON stepmark.action FOR INSERT"
	"  TO stepmark_annotator, stepmark_adjudicator WITH CHECK (annotator = session_user);"
	"CREATE POLICY action_lead ON stepmark.action FOR INSERT TO stepmark_lead"
	"  WITH CHECK (true);",
};

int hub_migration_count(void)
{
	return HUB_MIGRATIONS;
}

const char *hub_migration(int i)
{
	return migrations[i];
}
