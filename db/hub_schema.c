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
 */
enum { HUB_MIGRATIONS = 1 };
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
};

int hub_migration_count(void)
{
	return HUB_MIGRATIONS;
}

const char *hub_migration(int i)
{
	return migrations[i];
}
