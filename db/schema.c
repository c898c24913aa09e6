/* schema.c - ordered migrations; PRAGMA user_version counts those applied */
#include "config.h"

#include <stddef.h>
#include "schema.h"

static const char *const migrations[] = {
	/* 1: the foundation */
	"CREATE TABLE dataset ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  format TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE import ("
	"  id INTEGER PRIMARY KEY,"
	"  dataset_id INTEGER NOT NULL REFERENCES dataset(id),"
	"  path TEXT NOT NULL,"
	"  content_hash TEXT NOT NULL,"
	"  options TEXT NOT NULL,"
	"  records INTEGER, skipped INTEGER, duplicates INTEGER,"
	"  started_at TEXT NOT NULL, finished_at TEXT,"
	"  UNIQUE (dataset_id, content_hash, options));"
	"CREATE TABLE problem ("
	"  id INTEGER PRIMARY KEY,"
	"  dataset_id INTEGER NOT NULL REFERENCES dataset(id),"
	"  key INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  gold_answer TEXT,"
	"  reference TEXT,"
	"  UNIQUE (dataset_id, key));"
	"CREATE TABLE solution ("
	"  id INTEGER PRIMARY KEY,"
	"  dataset_id INTEGER NOT NULL REFERENCES dataset(id),"
	"  problem_id INTEGER NOT NULL REFERENCES problem(id),"
	"  ext_key TEXT NOT NULL,"
	"  generator TEXT,"
	"  final_answer TEXT,"
	"  correct INTEGER CHECK (correct IN (0, 1)),"
	"  finish_reason TEXT,"
	"  meta TEXT,"
	"  tail TEXT," /* candidates after the last step, none taken */
	"  import_id INTEGER REFERENCES import(id),"
	"  source_line INTEGER,"
	"  UNIQUE (dataset_id, ext_key));"
	"CREATE INDEX solution_problem ON solution(problem_id);"
	"CREATE TABLE step ("
	"  solution_id INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	/* PRM800K: the candidates offered at this step, when there was a
	 * choice, as a JSON list of {text, rating, flagged, human}; chosen
	 * indexes it */
	"  chosen INTEGER,"
	"  alts TEXT,"
	"  PRIMARY KEY (solution_id, idx)) WITHOUT ROWID;"
	/* append-only: the newest row for (solution, step, kind, annotator)
	 * is the label in force; a NULL value clears. kind 'ratings' rates
	 * every step at once: text has one mark per step, + 0 - or . */
	"CREATE TABLE label ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('rating', 'first_error', 'finish', 'note', 'ratings')),"
	"  value INTEGER,"
	"  text TEXT,"
	"  annotator TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);"
	"CREATE INDEX label_solution ON label(solution_id);"
	"CREATE TABLE suggestion ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER,"
	"  source TEXT NOT NULL,"
	"  model TEXT,"
	"  origin TEXT,"
	"  value REAL,"
	"  first_error INTEGER,"
	"  k INTEGER, n INTEGER,"
	"  rationale TEXT,"
	"  request_hash TEXT,"
	"  created_at TEXT NOT NULL);"
	"CREATE INDEX suggestion_solution ON suggestion(solution_id);"
	"CREATE TABLE alignment ("
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER NOT NULL,"
	"  ref_step INTEGER NOT NULL,"
	"  score REAL,"
	"  source TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  PRIMARY KEY (solution_id, step_idx, ref_step, source));"
	"CREATE TABLE job ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  solution_id INTEGER REFERENCES solution(id),"
	"  params TEXT,"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued', 'leased', 'done', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  lease_owner TEXT,"
	"  lease_until REAL,"
	"  request_hash TEXT,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE INDEX job_state ON job(state, id);"
	"CREATE TABLE response_cache ("
	"  request_hash TEXT PRIMARY KEY,"
	"  body BLOB NOT NULL,"
	"  created_at TEXT NOT NULL);",
	/* 2: the workbench. An action groups the labels one key wrote; undo
	 * and redo are actions too, whose labels restore or repeat those of
	 * the action they name (ref), so the history stays append-only. The
	 * summary row of a solution is rewritten with each of its changes;
	 * it is what the queue lists and filters. verdicts holds one line
	 * per annotator and per source: a tab, then the first error (-1
	 * none, -2 undecided), each line led by a newline. */
	"CREATE TABLE action ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  annotator TEXT NOT NULL,"
	"  op TEXT NOT NULL CHECK (op IN ('do', 'undo', 'redo')),"
	"  ref INTEGER REFERENCES action(id),"
	"  name TEXT NOT NULL,"
	"  created_at TEXT NOT NULL);"
	"CREATE INDEX action_solution ON action(solution_id, annotator);"
	"ALTER TABLE label ADD COLUMN action_id INTEGER REFERENCES action(id);"
	"CREATE INDEX label_action ON label(action_id) WHERE action_id IS NOT NULL;"
	"CREATE INDEX label_annotator ON label(annotator, solution_id);"
	"CREATE TABLE summary ("
	"  solution_id INTEGER PRIMARY KEY REFERENCES solution(id),"
	"  dataset_id INTEGER NOT NULL,"
	"  nsteps INTEGER NOT NULL,"
	"  labelled INTEGER NOT NULL,"
	"  flags INTEGER NOT NULL,"
	"  verdicts TEXT NOT NULL);"
	"CREATE INDEX summary_progress ON summary(labelled * 1000 / max(nsteps, 1), solution_id);",
	/* 3: background suggestions. A job is one provider run over one
	 * solution; params is the canonical JSON of what it asks (model,
	 * samples, strategy...), so the same request is never queued twice.
	 * A suggestion written by a job names it, and a job writes each
	 * step's row once. */
	"ALTER TABLE job ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE job ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE job ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;"
	"CREATE UNIQUE INDEX job_key ON job(kind, params, solution_id);"
	"CREATE INDEX job_todo ON job(kind, params, state, solution_id);"
	"CREATE INDEX job_solution ON job(solution_id);"
	"CREATE INDEX job_lease ON job(lease_owner) WHERE lease_owner IS NOT NULL;"
	"ALTER TABLE suggestion ADD COLUMN job_id INTEGER REFERENCES job(id);"
	"CREATE UNIQUE INDEX suggestion_job ON suggestion(job_id, coalesce(step_idx, -1))"
	"  WHERE job_id IS NOT NULL;",
	/* 4: a gold answer taken from a solution the data marks correct
	 * (ProcessBench has no gold answer of its own) says so. */
	"ALTER TABLE problem ADD COLUMN gold_derived INTEGER NOT NULL DEFAULT 0;",
	/* 5: what each job cost, as the servers' usage reports it: prompt
	 * and completion tokens (tokens stays their sum). */
	"ALTER TABLE job ADD COLUMN tokens_in INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE job ADD COLUMN tokens_out INTEGER NOT NULL DEFAULT 0;",
	/* 6: the annotator's active time on the solution since the previous
	 * action (the workbench's; NULL when not measured) */
	"ALTER TABLE action ADD COLUMN active_ms INTEGER;",
	/* 7: every annotator once, with a short stable alias for names that
	 * are UUIDs or hashes (PRM800K's labellers): L1, L2... in the order
	 * of their first label. Kept by every label written. */
	"CREATE TABLE annotator ("
	"  name TEXT PRIMARY KEY,"
	"  first_label INTEGER,"
	"  alias TEXT UNIQUE,"
	"  auto INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"INSERT INTO annotator(name, first_label)"
	"  SELECT annotator, min(id) FROM label GROUP BY annotator;"
	"UPDATE annotator SET auto = 1, alias = 'L' || ("
	"  SELECT count(*) FROM annotator b WHERE b.first_label <= annotator.first_label"
	"  AND length(b.name) >= 20 AND b.name NOT GLOB '*[^0-9a-fA-F-]*')"
	"  WHERE length(name) >= 20 AND name NOT GLOB '*[^0-9a-fA-F-]*';",
	/* 8: labels of two more kinds: an alternative's rating (text: its
	 * index) and the flag "can't judge this step". SQLite changes a
	 * CHECK by rebuilding the table. The check is a chain of comparisons:
	 * an IN list built an ephemeral table for every row inserted. */
	"CREATE TABLE label_new ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind = 'rating' OR kind = 'first_error' OR kind = 'finish' OR"
	"           kind = 'note' OR kind = 'ratings' OR kind = 'alt_rating' OR kind = 'flag'),"
	"  value INTEGER,"
	"  text TEXT,"
	"  annotator TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  action_id INTEGER REFERENCES action(id));"
	"INSERT INTO label_new(id, solution_id, step_idx, kind, value, text, annotator, origin,"
	"  created_at, action_id)"
	"  SELECT id, solution_id, step_idx, kind, value, text, annotator, origin, created_at,"
	"  action_id FROM label;"
	"DROP TABLE label;"
	"ALTER TABLE label_new RENAME TO label;"
	"CREATE INDEX label_solution ON label(solution_id);"
	"CREATE INDEX label_action ON label(action_id) WHERE action_id IS NOT NULL;"
	"CREATE INDEX label_annotator ON label(annotator, solution_id);",
	/* 9: the queue's disagreement filters read a range of an index of
	 * their own rows, in either order, whatever the store's size (the
	 * flags are SF_DIS_ANN 4, SF_DIS_SRC 8, SF_DIS_HA 16, any 28; the
	 * queue's WHERE repeats these terms word for word) */
	"CREATE INDEX summary_dis4 ON summary(solution_id) WHERE flags & 4;"
	"CREATE INDEX summary_dis8 ON summary(solution_id) WHERE flags & 8;"
	"CREATE INDEX summary_dis16 ON summary(solution_id) WHERE flags & 16;"
	"CREATE INDEX summary_dis28 ON summary(solution_id) WHERE flags & 28;"
	"CREATE INDEX summary_dis4p ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE flags & 4;"
	"CREATE INDEX summary_dis8p ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE flags & 8;"
	"CREATE INDEX summary_dis16p ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE flags & 16;"
	"CREATE INDEX summary_dis28p ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE flags & 28;",
	/* 10: facts about the store kept as they change, so that opening it
	 * counts nothing: 'summaries' = 'complete' while every solution has
	 * its summary row (no row: not known, counted once) */
	"CREATE TABLE store_state (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"INSERT INTO store_state SELECT 'summaries', 'complete'"
	"  WHERE (SELECT count(*) FROM solution) = (SELECT count(*) FROM summary);",
	/* 11: labels per annotator and suggestions per source, per data set,
	 * kept by every transaction that writes them: stepmark stats reads
	 * these rows, not the label and suggestion tables */
	"CREATE TABLE tally ("
	"  kind TEXT NOT NULL,"
	"  dataset_id INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, dataset_id, name)"
	") WITHOUT ROWID;"
	"INSERT INTO tally SELECT 'label', s.dataset_id, l.annotator, count(*)"
	"  FROM label l JOIN solution s ON s.id = l.solution_id GROUP BY 2, 3;"
	"INSERT INTO tally SELECT 'suggestion', s.dataset_id,"
	"  g.source || coalesce('/' || g.model, ''), count(*)"
	"  FROM suggestion g JOIN solution s ON s.id = g.solution_id GROUP BY 2, 3;"
	"CREATE INDEX summary_counts ON summary(dataset_id, nsteps, labelled);",
	/* 12: a reference's steps when a pattern of the user's cut it
	 * ("off:len,..."); NULL: the default cut (reference.c) */
	"ALTER TABLE problem ADD COLUMN reference_steps TEXT;",
	/* 13: agreed labels. An adjudicator's decision is a label of its
	 * own kind (value: the first error, text: the reason). agreed holds
	 * each solution's label as the consensus policy decided it: the
	 * first error (-1 none; NULL when no rule decided, why says why),
	 * the ratings when the deciding labels rate steps (a mark per step,
	 * + 0 - or .), the rule, who and what agreed ("@ann,mc/model"), the
	 * policy's text. assignment deals solutions to annotators: ord is
	 * the place in that annotator's queue, gold an item with a known
	 * answer mixed in (never shown as such), gold_fe that answer. */
	"CREATE TABLE label_new ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind = 'rating' OR kind = 'first_error' OR kind = 'finish' OR"
	"           kind = 'note' OR kind = 'ratings' OR kind = 'alt_rating' OR kind = 'flag' OR"
	"           kind = 'adjudication'),"
	"  value INTEGER,"
	"  text TEXT,"
	"  annotator TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  action_id INTEGER REFERENCES action(id));"
	"INSERT INTO label_new SELECT * FROM label;"
	"DROP TABLE label;"
	"ALTER TABLE label_new RENAME TO label;"
	"CREATE INDEX label_solution ON label(solution_id);"
	"CREATE INDEX label_action ON label(action_id) WHERE action_id IS NOT NULL;"
	"CREATE INDEX label_annotator ON label(annotator, solution_id);"
	"CREATE INDEX label_adjudication ON label(id) WHERE kind = 'adjudication';"
	"CREATE TABLE agreed ("
	"  solution_id INTEGER PRIMARY KEY REFERENCES solution(id),"
	"  first_error INTEGER,"
	"  ratings TEXT,"
	"  rule TEXT,"
	"  why TEXT,"
	"  agreed_by TEXT,"
	"  policy TEXT NOT NULL,"
	"  at TEXT NOT NULL);"
	"CREATE INDEX agreed_rule ON agreed(rule, solution_id);"
	"CREATE TABLE assignment ("
	"  annotator TEXT NOT NULL,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  ord INTEGER NOT NULL,"
	"  gold INTEGER NOT NULL DEFAULT 0,"
	"  gold_fe INTEGER,"
	"  created_at TEXT NOT NULL,"
	"  PRIMARY KEY (annotator, solution_id)) WITHOUT ROWID;"
	"CREATE INDEX assignment_order ON assignment(annotator, ord);"
	"CREATE INDEX assignment_solution ON assignment(solution_id);",
	/* 14: the queue's agreed and no-consensus filters read an index range
	 * like the disagreement filters (they probed the agreed table row by
	 * row: 36 ms a window at 445 K solutions when nothing matched). The
	 * summary's flag SF_AGREED (32) says the solution has an agreed
	 * label; the triggers keep it as consensus writes the agreed table,
	 * and a summary written again keeps it (db/items.c's S_SUM_PUT) */
	"UPDATE summary SET flags = flags | 32 WHERE solution_id IN"
	"  (SELECT solution_id FROM agreed WHERE rule IS NOT NULL);"
	"CREATE TRIGGER agreed_flag_insert AFTER INSERT ON agreed BEGIN"
	"  UPDATE summary SET flags = (flags & ~32) | (CASE WHEN new.rule IS NULL THEN 0 ELSE 32 END)"
	"  WHERE solution_id = new.solution_id; END;"
	"CREATE TRIGGER agreed_flag_update AFTER UPDATE ON agreed BEGIN"
	"  UPDATE summary SET flags = (flags & ~32) | (CASE WHEN new.rule IS NULL THEN 0 ELSE 32 END)"
	"  WHERE solution_id = new.solution_id; END;"
	"CREATE TRIGGER agreed_flag_delete AFTER DELETE ON agreed BEGIN"
	"  UPDATE summary SET flags = flags & ~32 WHERE solution_id = old.solution_id; END;"
	"CREATE INDEX summary_agr ON summary(solution_id) WHERE flags & 32;"
	"CREATE INDEX summary_agrp ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE flags & 32;"
	"CREATE INDEX summary_noagr ON summary(solution_id) WHERE NOT (flags & 32);"
	"CREATE INDEX summary_noagrp ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE NOT (flags & 32);",
	/* 15: agent trajectories. A step may be an agent's turn: agent is
	 * who acted (Who&When's name, or its role up to " ("), role the data's
	 * role text as given ("Orchestrator (-> WebSurfer)", "assistant").
	 * A first-error label or suggestion may name the agent responsible
	 * for it (a trace's decisive error: step, agent, and the reason in
	 * the label's text, the suggestion's rationale), and an agreed
	 * label the agent its deciders agreed on. Adding a column rewrites
	 * no row. */
	"ALTER TABLE step ADD COLUMN agent TEXT;"
	"ALTER TABLE step ADD COLUMN role TEXT;"
	"ALTER TABLE label ADD COLUMN agent TEXT;"
	"ALTER TABLE suggestion ADD COLUMN agent TEXT;"
	"ALTER TABLE agreed ADD COLUMN agent TEXT;",
	/* 16: what expert annotators record. A label's kind may be
	 * 'correction' (the right step written by the annotator: text is
	 * the step, value its author's rating, +1) or 'category' (the
	 * error's kind from a taxonomy: text the category's key, value 1
	 * when a later step recovered from it, 0 when none did, NULL
	 * unsaid; a NULL text clears). guidelines is the content hash of
	 * the guidelines in force when the label was made (NULL: none
	 * set); the guidelines table keeps each version seen, with the
	 * path it was read from and when it was first used. The label
	 * table is rebuilt because its CHECK names the kinds. */
	"CREATE TABLE label_new ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('rating', 'first_error', 'finish', 'note', 'ratings',"
	"                    'alt_rating', 'flag', 'adjudication', 'correction',"
	"                    'category')),"
	"  value INTEGER,"
	"  text TEXT,"
	"  annotator TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  action_id INTEGER REFERENCES action(id),"
	"  agent TEXT,"
	"  guidelines TEXT);"
	"INSERT INTO label_new (id, solution_id, step_idx, kind, value, text,"
	"  annotator, origin, created_at, action_id, agent)"
	"  SELECT id, solution_id, step_idx, kind, value, text, annotator,"
	"  origin, created_at, action_id, agent FROM label;"
	"DROP TABLE label;"
	"ALTER TABLE label_new RENAME TO label;"
	"CREATE INDEX label_solution ON label(solution_id);"
	"CREATE INDEX label_action ON label(action_id) WHERE action_id IS NOT NULL;"
	"CREATE INDEX label_annotator ON label(annotator, solution_id);"
	"CREATE INDEX label_adjudication ON label(id) WHERE kind = 'adjudication';"
	"CREATE TABLE guidelines ("
	"  hash TEXT PRIMARY KEY,"
	"  path TEXT,"
	"  first_used TEXT NOT NULL) WITHOUT ROWID;",
	/* 17: what Monte Carlo says, made readable (issue 26). A suggestion
	 * of MC keeps a few finished rollouts of its prefix (rollouts: each
	 * a mark, + reached the gold answer or -, its final answer and its
	 * text, as src/mcstat.h encodes them; NULL none). The summary's flag
	 * SF_MC_UNSURE (128) says a step's MC estimate in force is too
	 * uncertain to act on: fewer than 4 rollouts, or a 95 % Wilson
	 * interval wider than 0.5 (src/mcstat.c's rule, squared here: SQLite
	 * may lack sqrt); summary_compute keeps it from now on, and the
	 * queue's mc-uncertain filter reads an index range of its own. */
	"ALTER TABLE suggestion ADD COLUMN rollouts TEXT;"
	"UPDATE summary SET flags = flags | 128 WHERE solution_id IN ("
	"  SELECT g.solution_id FROM suggestion g WHERE g.source = 'mc' AND g.step_idx >= 0"
	"  AND g.n > 0 AND g.id = (SELECT max(h.id) FROM suggestion h WHERE"
	"  h.solution_id = g.solution_id AND h.source = 'mc' AND h.model IS g.model"
	"  AND h.step_idx = g.step_idx AND h.n > 0) AND (g.n < 4 OR"
	"  3.841458820694124 * ((g.k * 1.0 / g.n) * (1 - g.k * 1.0 / g.n) / g.n"
	"  + 3.841458820694124 / (4.0 * g.n * g.n)) >"
	"  0.0625 * (1 + 3.841458820694124 / g.n) * (1 + 3.841458820694124 / g.n)));"
	"CREATE INDEX summary_unsure ON summary(solution_id) WHERE flags & 128;"
	"CREATE INDEX summary_unsurep ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE flags & 128;",
	/* 18: the hub (stepmark sync). Every label gets a global identity
	 * when it is made (uid: 128 random bits, the column's default, so
	 * every writer fills it; existing labels get theirs here), so a
	 * push can be repeated and two stores never take each other's
	 * labels for their own; hub_seq is the hub's place for the label
	 * once the hub has it (pushed and acknowledged, or pulled), NULL
	 * while it is not there yet: what the next push sends. The label
	 * table is rebuilt for the default. */
	"CREATE TABLE label_new ("
	"  id INTEGER PRIMARY KEY,"
	"  solution_id INTEGER NOT NULL REFERENCES solution(id),"
	"  step_idx INTEGER,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('rating', 'first_error', 'finish', 'note', 'ratings',"
	"                    'alt_rating', 'flag', 'adjudication', 'correction',"
	"                    'category')),"
	"  value INTEGER,"
	"  text TEXT,"
	"  annotator TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  action_id INTEGER REFERENCES action(id),"
	"  agent TEXT,"
	"  guidelines TEXT,"
	"  uid TEXT NOT NULL DEFAULT (lower(hex(randomblob(16)))),"
	"  hub_seq INTEGER);"
	"INSERT INTO label_new (id, solution_id, step_idx, kind, value, text,"
	"  annotator, origin, created_at, action_id, agent, guidelines)"
	"  SELECT id, solution_id, step_idx, kind, value, text, annotator,"
	"  origin, created_at, action_id, agent, guidelines FROM label;"
	"DROP TABLE label;"
	"ALTER TABLE label_new RENAME TO label;"
	"CREATE INDEX label_solution ON label(solution_id);"
	"CREATE INDEX label_action ON label(action_id) WHERE action_id IS NOT NULL;"
	"CREATE INDEX label_annotator ON label(annotator, solution_id);"
	"CREATE INDEX label_adjudication ON label(id) WHERE kind = 'adjudication';"
	"CREATE UNIQUE INDEX label_uid ON label(uid);"
	"CREATE INDEX label_unsynced ON label(id) WHERE hub_seq IS NULL;",
	/* 19: rounds of batch files (fetch --batch-out): each run that
	 * writes request files is a round, with the engine it targets and
	 * the files' stem; batch_job is the round a job's requests were last
	 * written in (a result file of another round is refused);
	 * batch_part keeps the single-sample rows of a Ray Data result
	 * (one row per rollout) until every sample of their request is
	 * back. The store's own id for custom_ids is store_state's
	 * 'batch_store'. */
	"CREATE TABLE batch_round ("
	"  round INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"
	"  stem TEXT NOT NULL,"
	"  lines INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE batch_job ("
	"  job_id INTEGER PRIMARY KEY REFERENCES job(id),"
	"  round INTEGER NOT NULL);"
	"CREATE TABLE batch_part ("
	"  request_hash TEXT NOT NULL,"
	"  sample INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  finish TEXT NOT NULL,"
	"  tokens_in INTEGER NOT NULL,"
	"  tokens_out INTEGER NOT NULL,"
	"  PRIMARY KEY (request_hash, sample)) WITHOUT ROWID;",
	/* 20: the agreed mark in a column of its own (issue 30). Schema
	 * 14's triggers moved SF_AGREED in summary.flags row by row as
	 * consensus wrote the agreed table, and every move touched the
	 * twelve partial indexes on flags (a first run over 100 K: 2.33 s
	 * of CPU with them, 0.74 s without). summary.agreed is 1 where the solution's agreed row has a
	 * rule; consensus writes it (only where it changes, a window of
	 * solutions at a time) in the transaction that writes the agreed
	 * rows, a summary written again keeps it (db/items.c's S_SUM_PUT),
	 * and the queue's agreed and no-consensus filters read a range of
	 * its two plain indexes. Flag 32 is free again. */
	"DROP TRIGGER agreed_flag_insert;"
	"DROP TRIGGER agreed_flag_update;"
	"DROP TRIGGER agreed_flag_delete;"
	"DROP INDEX summary_agr;"
	"DROP INDEX summary_agrp;"
	"DROP INDEX summary_noagr;"
	"DROP INDEX summary_noagrp;"
	"ALTER TABLE summary ADD COLUMN agreed INTEGER NOT NULL DEFAULT 0;"
	"UPDATE summary SET agreed = 1, flags = flags & ~32 WHERE flags & 32;"
	"CREATE INDEX summary_agreed ON summary(agreed, solution_id);"
	"CREATE INDEX summary_agreedp ON summary(agreed, labelled * 1000 / max(nsteps, 1),"
	"  solution_id);",
	/* (issue 30, stats) what stepmark stats counts per annotator, kept
	 * as labels change instead of walking every label (3.3 s of CPU at
	 * 445 K solutions): summary.counts holds a solution's line per
	 * annotator whose labels rate, mark a first error or adjudicate
	 * (src/summary.h, summary_counts; NULL: not counted yet), written
	 * with the summary, and the tally rows of kinds decider, decided,
	 * rated and adjudicated their sums per data set, changed by the
	 * difference in the transaction that rewrites a summary. A store
	 * with summaries is counted once by the next command that calls
	 * summary_backfill (the workbench's opening too: 'summaries' is
	 * forgotten for it); store_state 'counts' = 'complete' says the sums
	 * hold, and stats walks the labels until then. */
	"ALTER TABLE summary ADD COLUMN counts TEXT;"
	"DELETE FROM store_state WHERE key = 'summaries' AND EXISTS (SELECT 1 FROM summary);"
	"INSERT INTO store_state SELECT 'counts', 'complete' WHERE NOT EXISTS"
	"  (SELECT 1 FROM summary);",
	/* (issue 26) the job table's CHECK on state as four comparisons.
	 * SQLite codes `state IN ('queued', ...)` in a CHECK as a temporary
	 * table built and emptied for every row written: 98 M of the 263 M
	 * instructions that queueing 10 K MC jobs cost (callgrind, fetch
	 * --batch-out), the same rows allowed. The table is rebuilt (SQLite's
	 * twelve steps: store.c runs migrations with foreign keys off, and
	 * suggestion and batch_job still name job), ids and rows as they
	 * were; its indexes as before. */
	"CREATE TABLE job_new ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  solution_id INTEGER REFERENCES solution(id),"
	"  params TEXT,"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state = 'queued' OR state = 'leased' OR state = 'done' OR state = 'failed'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  lease_owner TEXT,"
	"  lease_until REAL,"
	"  request_hash TEXT,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  requests INTEGER NOT NULL DEFAULT 0,"
	"  cached INTEGER NOT NULL DEFAULT 0,"
	"  tokens INTEGER NOT NULL DEFAULT 0,"
	"  tokens_in INTEGER NOT NULL DEFAULT 0,"
	"  tokens_out INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO job_new(id, kind, solution_id, params, state, attempts, last_error,"
	"  lease_owner, lease_until, request_hash, created_at, updated_at, requests, cached,"
	"  tokens, tokens_in, tokens_out)"
	"  SELECT id, kind, solution_id, params, state, attempts, last_error, lease_owner,"
	"  lease_until, request_hash, created_at, updated_at, requests, cached, tokens,"
	"  tokens_in, tokens_out FROM job ORDER BY id;"
	"DROP TABLE job;"
	"ALTER TABLE job_new RENAME TO job;"
	"CREATE INDEX job_state ON job(state, id);"
	"CREATE UNIQUE INDEX job_key ON job(kind, params, solution_id);"
	"CREATE INDEX job_todo ON job(kind, params, state, solution_id);"
	"CREATE INDEX job_solution ON job(solution_id);"
	"CREATE INDEX job_lease ON job(lease_owner) WHERE lease_owner IS NOT NULL;",
	/* issue 30: the store's words (db/words.c), so that a search for a
	 * word no problem or step holds says so without reading every text
	 * (0.85 s of CPU a pattern on a 445 K Math-Shepherd store). words()
	 * reads a text's words into the table; import and sync add theirs
	 * (IF NOT EXISTS: a store a test made look older keeps it). */
	"CREATE TABLE IF NOT EXISTS word (w TEXT PRIMARY KEY) WITHOUT ROWID;"
	"SELECT count(words(text)) FROM problem;"
	"SELECT count(words(text)) FROM step;",
	/* (issue 26) a job's params by id in the job table's keys. job_key
	 * and job_todo held the params' canonical JSON (some 175 bytes of
	 * the same text in every row of a run): 4.5 of the 7.5 MB that
	 * queueing 10 K MC jobs wrote, and every key compared the text
	 * anew. job_params holds each params once; job.pid names its row
	 * (set by the statement that writes the job, from job_params in
	 * the same transaction: never a dangling id, so no foreign key to
	 * probe per row; no params row is ever deleted). The row keeps its
	 * params, which its readers (audit, merge, the hub, exports) read
	 * as before. job_state (state, id), which only the reclaim of
	 * expired leases reads, becomes job_leased, of the leased jobs
	 * alone: a job queued, done or failed is in no such index. The table
	 * is rebuilt, ids and rows as they were, by name: a store faked
	 * older that has pid already is rebuilt the same. */
	"CREATE TABLE IF NOT EXISTS job_params ("
	"  id INTEGER PRIMARY KEY,"
	"  params TEXT NOT NULL UNIQUE);"
	"INSERT OR IGNORE INTO job_params(params) SELECT params FROM job"
	"  WHERE params IS NOT NULL ORDER BY id;"
	"CREATE TABLE job_new ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  solution_id INTEGER REFERENCES solution(id),"
	"  params TEXT,"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state = 'queued' OR state = 'leased' OR state = 'done' OR state = 'failed'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  lease_owner TEXT,"
	"  lease_until REAL,"
	"  request_hash TEXT,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  requests INTEGER NOT NULL DEFAULT 0,"
	"  cached INTEGER NOT NULL DEFAULT 0,"
	"  tokens INTEGER NOT NULL DEFAULT 0,"
	"  tokens_in INTEGER NOT NULL DEFAULT 0,"
	"  tokens_out INTEGER NOT NULL DEFAULT 0,"
	"  pid INTEGER);"
	"INSERT INTO job_new(id, kind, solution_id, params, state, attempts, last_error,"
	"  lease_owner, lease_until, request_hash, created_at, updated_at, requests, cached,"
	"  tokens, tokens_in, tokens_out, pid)"
	"  SELECT j.id, j.kind, j.solution_id, j.params, j.state, j.attempts, j.last_error,"
	"  j.lease_owner, j.lease_until, j.request_hash, j.created_at, j.updated_at, j.requests,"
	"  j.cached, j.tokens, j.tokens_in, j.tokens_out, p.id FROM job j"
	"  LEFT JOIN job_params p ON p.params = j.params ORDER BY j.id;"
	"DROP TABLE job;"
	"ALTER TABLE job_new RENAME TO job;"
	"CREATE INDEX job_leased ON job(lease_until) WHERE state = 'leased';"
	"CREATE UNIQUE INDEX job_key ON job(kind, pid, solution_id);"
	"CREATE INDEX job_todo ON job(kind, pid, state, solution_id);"
	"CREATE INDEX job_solution ON job(solution_id);"
	"CREATE INDEX job_lease ON job(lease_owner) WHERE lease_owner IS NOT NULL;",
	/* (issue 30) the agreed mark's and the agreed rules' indexes, cheaper
	 * to keep as consensus decides. A first run over 100 K solutions
	 * moved 80 K entries in each of schema 20's (agreed, solution_id)
	 * and (agreed, progress, solution_id), keys compared field by field
	 * from the root each time (1.89 G instructions of its writer's 3.05
	 * G), and put each row in agreed_rule by its rule's text (0.61 G).
	 * Partial indexes hold each side of the mark in id and in progress
	 * order (1.47 G), and the rules' index becomes one partial index of
	 * solution ids per kind of rule, which the queue's rule filters name
	 * (0.36 G): an entry's key is the solution's id, compared as one
	 * integer, then its rule, which a filter on one rule reads from the
	 * index (the rule is never compared: ids are unique). */
	"DROP INDEX summary_agreed;"
	"DROP INDEX summary_agreedp;"
	"CREATE INDEX summary_agreed ON summary(solution_id) WHERE agreed = 1;"
	"CREATE INDEX summary_agreedp ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE agreed = 1;"
	"CREATE INDEX summary_noagreed ON summary(solution_id) WHERE agreed = 0;"
	"CREATE INDEX summary_noagreedp ON summary(labelled * 1000 / max(nsteps, 1), solution_id)"
	"  WHERE agreed = 0;"
	"DROP INDEX agreed_rule;"
	"CREATE INDEX agreed_adjudicated ON agreed(solution_id, rule) WHERE rule = 'adjudicated';"
	"CREATE INDEX agreed_people ON agreed(solution_id, rule)"
	"  WHERE rule GLOB 'human*' OR rule GLOB 'confirmed-suggestion*';"
	"CREATE INDEX agreed_sources ON agreed(solution_id, rule) WHERE rule GLOB 'sources *';"
	"CREATE INDEX agreed_undecided ON agreed(solution_id) WHERE rule IS NULL;"
	/* what each run counts of the agreed rows (db/agree.c's run mark),
	 * read from the smallest index of them all, no longer the rules' */
	"CREATE INDEX agreed_ids ON agreed(solution_id);",
};

int schema_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *schema_migration(int i)
{
	return migrations[i];
}
