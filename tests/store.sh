# store.sh - schema versions, WAL, concurrent writers, kill -9 safety
. "$top_srcdir/tests/lib.sh"

expect_rc 0 "create" sm import "$FIXTURES/math_shepherd_example.json"
ok "WAL mode" test "$(sql 'pragma journal_mode')" = wal
v=$(sql 'pragma user_version')
ok "schema version recorded" test "$v" -ge 1

# a newer store is refused, and left alone
cp "$STEPMARK_DB" newer.db
sqlite3 newer.db "pragma user_version = $((v + 5))"
expect_rc 3 "newer schema refused" sm --db newer.db stats
ok "says to upgrade" has err "written by a newer stepmark"
ok "left at its version" test "$(sqlite3 newer.db 'pragma user_version')" = $((v + 5))

# an empty SQLite file (version 0) is migrated
# an SQLite file of something else: read commands refuse it, unchanged
sqlite3 old.db 'pragma user_version = 0; create table unrelated(x);'
before=$(md5sum old.db)
expect_rc 3 "stats refuses another SQLite file" sm --db old.db stats
ok "says it is not a store" has err "old.db: not a stepmark store"
expect_rc 3 "export refuses it too" sm --db old.db export --format trl
ok "left as it was" test "$(md5sum old.db)" = "$before"
ok "no stepmark tables added" test "$(sqlite3 old.db "select count(*) from sqlite_master where name = 'solution'")" = 0
ok "not switched to WAL" test "$(sqlite3 old.db 'pragma journal_mode')" = delete
# an empty SQLite file (version 0) is made a store by a command that writes
sqlite3 empty.db 'pragma user_version = 0;'
expect_rc 0 "an import migrates it" sm --db empty.db import "$FIXTURES/math_shepherd_example.json"
ok "now current" test "$(sqlite3 empty.db 'pragma user_version')" = "$v"
ok "a new store: nothing to say" sh -c '! grep -q upgrading err'
# an older store is upgraded once, and says so (a large one takes a while)
cp empty.db older.db
# (schema 13, with an agreed label: 14 keeps it as a summary flag; 15
# adds the agents of trajectories; 16 the guidelines and two label kinds;
# 17 MC's rollouts kept and the uncertain estimates' flag)
sqlite3 older.db "$(undo_25) $(undo_params) $(undo_counts) $(undo_20) DROP TRIGGER agreed_flag_insert; DROP TRIGGER agreed_flag_update;
	DROP TRIGGER agreed_flag_delete; DROP INDEX summary_agr; DROP INDEX summary_agrp;
	DROP INDEX summary_noagr; DROP INDEX summary_noagrp;
	ALTER TABLE step DROP COLUMN agent; ALTER TABLE step DROP COLUMN role;
	ALTER TABLE label DROP COLUMN agent; ALTER TABLE suggestion DROP COLUMN agent;
	ALTER TABLE agreed DROP COLUMN agent;
	DROP TABLE guidelines; ALTER TABLE label DROP COLUMN guidelines;
	DROP INDEX summary_unsure; DROP INDEX summary_unsurep;
	ALTER TABLE suggestion DROP COLUMN rollouts;
	DROP INDEX label_uid; DROP INDEX label_unsynced;
	ALTER TABLE label DROP COLUMN uid; ALTER TABLE label DROP COLUMN hub_seq;
	DROP TABLE batch_round; DROP TABLE batch_job; DROP TABLE batch_part;
	INSERT INTO agreed(solution_id, first_error, rule, policy, at) SELECT min(id), -1, 'human', 'human', 'now' FROM solution;
	INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	  SELECT min(id), 0, 'rating', -1, 'ann', 'human', 'then' FROM solution;
	PRAGMA writable_schema = ON;
	UPDATE sqlite_master SET sql = replace(sql, 'CHECK (state = ''queued'' OR state = ''leased'' OR state = ''done'' OR state = ''failed'')',
	  'CHECK (state IN (''queued'', ''leased'', ''done'', ''failed''))') WHERE name = 'job';
	PRAGMA writable_schema = OFF;
	INSERT INTO job(id, kind, solution_id, params, state, created_at, updated_at)
	  SELECT 7, 'mc', min(id), '{}', 'done', 'then', 'then' FROM solution;
	INSERT INTO suggestion(solution_id, step_idx, source, value, created_at, job_id)
	  SELECT min(id), 0, 'mc', 0.5, 'then', 7 FROM solution;
	PRAGMA user_version = 13"
expect_rc 0 "an import upgrades it" sm --db older.db import "$FIXTURES/math_shepherd_example.json"
ok "says so" has err "stepmark: upgrading $TMP/older.db from schema 13 to $v (once)..."
ok "batch rounds' tables" test "$(sqlite3 older.db "select count(*) from sqlite_master where name like 'batch\_%' escape '\\'")" = 3
ok "an agent column again" test "$(sqlite3 older.db "select count(*) from pragma_table_info('step') where name = 'agent'")" = 1
ok "the agreed solution is marked" test "$(sqlite3 older.db "select group_concat(solution_id) from summary where agreed")" = \
	"$(sqlite3 older.db "select min(id) from solution")"
ok "flag 32 is free again" test "$(sqlite3 older.db "select count(*) from summary where flags & 32")" = 0
ok "no trigger on the agreed table" test "$(sqlite3 older.db "select count(*) from sqlite_master where type = 'trigger'")" = 0
ok "its label survives the label table's rebuild" test \
	"$(sqlite3 older.db "select step_idx, kind, value, annotator, guidelines is null from label")" = "0|rating|-1|ann|1"
# (issue 26: the job table's CHECK without a temporary table per row,
# the table rebuilt under the suggestions that name its jobs)
ok "its job and the suggestion that names it survive the job table's rebuild" test \
	"$(sqlite3 older.db "select j.id, j.state, g.value from job j join suggestion g on g.job_id = j.id")" = "7|done|0.5"
ok "no broken reference" test -z "$(sqlite3 older.db "pragma foreign_key_check")"
ok "queueing a job builds no temporary table per row" test \
	"$(sqlite3 older.db "explain insert into job(kind, solution_id, params, created_at, updated_at) values ('k', 1, 'p', 'a', 'b')" | grep -c OpenEphemeral)" = 0
ok "a state the table does not know is still refused" sh -c \
	"! sqlite3 older.db \"update job set state = 'bogus' where id = 7\" 2>/dev/null"
# (issue 26: the job table's keys hold the params' id, not their text)
ok "its job's params by id" test \
	"$(sqlite3 older.db "select p.params from job j join job_params p on p.id = j.pid where j.id = 7")" = "{}"
ok "the job keys hold no params text" test \
	"$(sqlite3 older.db "select count(*) from pragma_index_info('job_key') where name = 'params'") $(sqlite3 older.db "select count(*) from pragma_index_info('job_todo') where name = 'params'")" = "0 0"
ok "only leased jobs in the expiry's index" test \
	"$(sqlite3 older.db "select count(*) from sqlite_master where name = 'job_state'")$(sqlite3 older.db "explain query plan update job set state = 'queued' where state = 'leased' and lease_until < 1" | grep -c job_leased)" = 01
ok "the same job is not queued twice" test "$(sqlite3 older.db "insert or ignore into job(kind,
	solution_id, params, pid, created_at, updated_at) select 'mc', solution_id, params, pid, 'a', 'b'
	from job where id = 7; select changes()")" = 0
# (17: every label has a global id, its own, and none is on a hub yet)
ok "its label has a global id" test \
	"$(sqlite3 older.db "select count(*) from label where length(uid) = 32 and hub_seq is null")" = 1
sm --db older.db import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
ok "new labels get their own" test \
	"$(sqlite3 older.db "select count(distinct uid) = count(*) and count(*) > 1 from label")" = 1
expect_rc 0 "the next one" sm --db older.db import "$FIXTURES/math_shepherd_example.json"
ok "says nothing" sh -c '! grep -q upgrading err'
# a file that is not SQLite
echo "hello" >notdb.db
expect_rc 3 "not a database" sm --db notdb.db stats
ok "says so" has err "notdb.db"

# readers never wait for a writer, however long it holds the lock
sm import "$FIXTURES/processbench_gsm8k_20.json" --dataset held >/dev/null
hold_lock 30
expect_rc 0 "stats behind a held write lock" sm stats
ok "stats counts the store" has out "held"
expect_rc 0 "export behind a held write lock" sm export --format processbench -o held.json
ok "exported" test -s held.json
kill $holder
wait $holder 2>/dev/null

# a write waits for another writer, says so, and goes on when it is free
hold_lock 2.5
expect_rc 0 "an import waits for the lock" sm import "$FIXTURES/math_shepherd_example.json"
ok "and says so" has err "waiting for another writer"
wait $holder

# two imports at once into one store: both land, nothing locked out
python3 "$top_srcdir/tests/gen_big.py" --processbench 3000 >a.jsonl
sed 's/gen-/other-/' a.jsonl >b.jsonl
"$STEPMARK" import a.jsonl --dataset a >a.out 2>a.err &
pa=$!
"$STEPMARK" import b.jsonl --dataset b >b.out 2>b.err &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
ok "first concurrent import" test "$ra" = 0
ok "second concurrent import" test "$rb" = 0
ok "6000 solutions" test "$(sql "select count(*) from solution where dataset_id in (select id from dataset where name in ('a', 'b'))")" = 6000
ok "no lock errors" test ! -s a.err -a ! -s b.err

# kill -9 in the middle of imports: all or nothing, never corrupt
python3 "$top_srcdir/tests/gen_big.py" --processbench 20000 >k.jsonl
for i in 1 2 3 4 5; do
	"$STEPMARK" import k.jsonl --dataset "k$i" >/dev/null 2>&1 &
	p=$!
	sleep "0.$((i * 7))"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	n=$(sql "select count(*) from solution s join dataset d on d.id=s.dataset_id where d.name='k$i'")
	ok "kill $i: all or nothing ($n)" test "$n" = 0 -o "$n" = 20000
	ok "kill $i: integrity" test "$(sql 'pragma integrity_check')" = ok
done
# kill -9 during the first import, which builds a new store privately:
# either no store at all, or the whole import
for i in 1 2 3; do
	rm -f fresh.db fresh.db-wal fresh.db-shm
	"$STEPMARK" --db fresh.db import k.jsonl >/dev/null 2>&1 &
	p=$!
	sleep "0.$((i * 3))"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	if [ -e fresh.db ]; then
		ok "fresh kill $i: complete" test "$(sqlite3 fresh.db 'select count(*) from solution')" = 20000
		ok "fresh kill $i: integrity" test "$(sqlite3 fresh.db 'pragma integrity_check')" = ok
		ok "fresh kill $i: WAL" test "$(sqlite3 fresh.db 'pragma journal_mode')" = wal
	else
		ok "fresh kill $i: no half store" test ! -e fresh.db
	fi
done
expect_rc 0 "a later import" sm --db fresh.db import "$FIXTURES/math_shepherd_example.json"
ok "files of killed imports are removed" test -z "$(ls | grep 'fresh.db.import-')"
expect_rc 0 "the killed import completes on a rerun" sm import k.jsonl --dataset k1
ok "then complete" test "$(sql "select count(*) from solution s join dataset d on d.id=s.dataset_id where d.name='k1'")" = 20000

# the store says when every solution has its summary: opening it counts
# nothing; summaries lost are found once, made, and recorded again
ok "an import leaves the store complete" test "$(sql "select value from store_state where key = 'summaries'")" = complete
printf ':quit\n' >quit.keys
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 STEPMARK_SQLLOG=open.sql TERM=xterm sm --annotator a
ok "opening counts no solution" sh -c '! grep -q "count(\*) FROM solution" open.sql'
sql "delete from summary where solution_id in (select id from solution limit 5); delete from store_state"
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 TERM=xterm sm --annotator a 2>open.err
ok "the lost summaries are said" has open.err "summarising 5 solutions for the queue (once)"
ok "and made" test "$(sql "select (select count(*) from solution) - (select count(*) from summary)")" = 0
ok "and recorded" test "$(sql "select value from store_state where key = 'summaries'")" = complete

# stats reads the kept tallies: they follow imports, labels and fetches,
# and a rolled-back transaction adds nothing
tally_ok() { # the tally table says what the label and suggestion tables hold
	test "$(sql "select group_concat(x) from (select kind || ':' || dataset_id || ':' || name || ':' || n as x from tally where kind in ('label', 'suggestion') and n > 0 order by 1)")" = \
	     "$(sql "select group_concat(x) from (select x from (select 'label:' || s.dataset_id || ':' || l.annotator || ':' || count(*) as x from label l join solution s on s.id = l.solution_id group by s.dataset_id, l.annotator union all select 'suggestion:' || s.dataset_id || ':' || g.source || coalesce('/' || g.model, '') || ':' || count(*) from suggestion g join solution s on s.id = g.solution_id group by s.dataset_id, g.source, g.model) order by 1)")"
}
ok "tallies after the imports" tally_ok
printf ':open 1\n+\n+\ne\nU\n:quit\n' >label.keys
STEPMARK_SCRIPT=label.keys STEPMARK_NO_DISPLAY=1 TERM=xterm sm --annotator tallyman
ok "tallies after labelling" tally_ok
expect_rc 0 "stats" sm stats
ok "stats counts the labels" grep -q "labels by tallyman: [1-9]" out
sm import "$FIXTURES/processbench_gsm8k_20.json" --as-source pbsrc --dataset processbench_gsm8k_20 >/dev/null 2>&1
ok "tallies after imported suggestions" tally_ok

# a first import builds its store without foreign key checks (each parent
# is made before its children): the store it leaves must pass them
for f in math_shepherd_example.json prm800k_sample.jsonl processbench_gsm8k_20.json; do
	rm -f fk.db
	sm --db fk.db import "$FIXTURES/$f" >/dev/null 2>&1
	sm --db fk.db import "$FIXTURES/processbench_gsm8k_20.json" --as-source pb --dataset fk2 >/dev/null 2>&1
	ok "$f: the new store's references hold" test -z "$(sqlite3 fk.db 'pragma foreign_key_check')"
	ok "$f: and it has rows" test "$(sqlite3 fk.db 'select count(*) from solution')" -gt 0
done
finish
