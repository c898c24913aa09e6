#!/bin/sh
# stepmark merge: two stores labelled apart, merged, equal one store
# labelled by both (labels, summaries, counts, consensus); a second merge
# brings nothing; a solution whose steps differ is a conflict; one
# annotator's labels at interleaved times in both stores are kept as this
# store has them; solutions missing here; two imports of one data set and
# a later schema's columns; every exit status: what cannot be merged (this
# store, a file that is not a store, a store at another schema) is bad
# input (1), the command line's mistakes are usage (2); time that grows
# with what is brought.
. "$top_srcdir/tests/lib.sh"
F="$FIXTURES/processbench_gsm8k_20.json"
python3 - "$F" <<'PY'
import json, sys, random
rs = json.load(open(sys.argv[1]))
r = random.Random(3)
for name in ("ann1", "ann2"):
    out = []
    for x in rs:
        y = dict(x)
        if r.random() < 0.3:
            y["label"] = r.randint(-1, len(x["steps"]) - 1)
        out.append(y)
    json.dump(out, open(name + ".json", "w"))
PY
sm --db a.db import "$F" --dataset pb >/dev/null
cp a.db b.db
cp a.db both.db
sm --db a.db import ann1.json --format processbench --dataset pb --as ann1 >/dev/null
sm --db b.db import ann2.json --format processbench --dataset pb --as ann2 >/dev/null
sm --db b.db import ann2.json --format processbench --dataset pb --as-source judge >/dev/null
sm --db both.db import ann1.json --format processbench --dataset pb --as ann1 >/dev/null
sm --db both.db import ann2.json --format processbench --dataset pb --as ann2 >/dev/null
sm --db both.db import ann2.json --format processbench --dataset pb --as-source judge >/dev/null
sm --db b.db --annotator boss adjudicate --id "$(sqlite3 b.db 'SELECT ext_key FROM solution LIMIT 1')" --no-error --reason "seen" >/dev/null

expect_rc 0 "merge b into a" sm --db a.db merge b.db
ok "says what came" has out "merged b.db: 20 solutions in both stores"
ok "ann2's labels" has out "20 labels by ann2"
ok "the adjudicator's" has out "1 label by boss"
ok "the suggestions" grep -q "^  [1-9][0-9]* suggestions" out
same_as_both() {
	for d in a both; do
		sqlite3 $d.db "SELECT s.ext_key, l.step_idx, l.kind, l.value, l.text, l.annotator, l.origin
			FROM label l JOIN solution s ON s.id = l.solution_id WHERE l.kind <> 'adjudication'
			ORDER BY 1, 2, 3, 4, 5, 6, 7" >$d.labels
		sqlite3 $d.db "SELECT s.ext_key, g.step_idx, g.source, g.model, g.value, g.first_error
			FROM suggestion g JOIN solution s ON s.id = g.solution_id ORDER BY 1, 2, 3, 4, 5, 6" >$d.sugs
		sqlite3 $d.db "SELECT solution_id, nsteps, labelled, flags, verdicts FROM summary ORDER BY 1" >$d.sum
		sqlite3 $d.db "SELECT * FROM tally WHERE name <> 'boss' ORDER BY 1, 2, 3" >$d.tally
	done
	cmp a.labels both.labels && cmp a.sugs both.sugs && cmp a.sum both.sum && cmp a.tally both.tally
}
ok "the merged store equals one labelled by both" same_as_both
sm --db a.db consensus --policy "human-majority 2, sources judge" >cons.a
sm --db both.db consensus --policy "human-majority 2, sources judge" >cons.both
ok "the same consensus" sh -c 'sqlite3 a.db "SELECT solution_id, first_error, rule, agreed_by FROM agreed ORDER BY 1" >x; sqlite3 both.db "SELECT solution_id, first_error, rule, agreed_by FROM agreed ORDER BY 1" | cmp - x'
expect_rc 0 "merge again" sm --db a.db merge b.db
ok "nothing twice" has out "no label this store lacks"
ok "no suggestion twice" has out "  0 suggestions"
ok "still equal" same_as_both

# a conflict: the same id with other steps
cp b.db c.db
sqlite3 c.db "UPDATE step SET text = text || ' (edited)' WHERE idx = 0 AND solution_id = (SELECT min(id) FROM solution)"
sqlite3 c.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	SELECT id, NULL, 'first_error', 0, 'carol', 'import', '2026-01-01T00:00:00Z' FROM solution"
expect_rc 0 "merge a store with an edited solution" sm --db a.db merge c.db
ok "one conflict, named" has out "1 conflict, kept as this store has them:"
ok "why" grep -q "  pb  .*  other steps$" out
ok "carol's other 19 came" has out "19 labels by carol"

# interleaved: ann1 labelled in both stores, the other store's in between
cp a.db d.db
sid=$(sqlite3 a.db "SELECT max(id) FROM solution")
sqlite3 d.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	VALUES ($sid, NULL, 'first_error', 1, 'ann1', 'tui', '2000-01-01T00:00:00Z')"
expect_rc 0 "merge interleaved labels" sm --db a.db merge d.db
ok "kept as here, said" has out "labelled by ann1 in both stores, at interleaved times"
ok "not brought" test "$(sql_a() { sqlite3 a.db "$1"; }; sql_a "SELECT count(*) FROM label WHERE created_at = '2000-01-01T00:00:00Z'")" = 0

# solutions this store lacks; refusals
sm --db e.db import "$FIXTURES/math_shepherd_example.json" --as-labels --dataset ms >/dev/null 2>&1 ||
	sm --db e.db import "$FIXTURES/math_shepherd_example.json" --dataset ms >/dev/null
expect_rc 0 "a store of another data set" sm --db a.db merge e.db
ok "its solutions are not here, said" grep -q "solutions\? of e.db not in this store (import the data set here first)" out
expect_rc 1 "this store itself" sm --db a.db merge a.db
ok "refused" has err "that is this store"
expect_rc 1 "a missing file" sm --db a.db merge nosuch.db
ok "said" has err "cannot read nosuch.db"
expect_rc 1 "a file that is not a store" sm --db a.db merge /etc/passwd
ok "said so" has err "not a stepmark store"
expect_rc 1 "a directory" sm --db a.db merge .
sqlite3 other.db "CREATE TABLE t(x)"
expect_rc 1 "an SQLite file that is not a store" sm --db a.db merge other.db
ok "said so" has err "other.db: not a stepmark store"
expect_rc 2 "no store named" sm --db a.db merge
expect_rc 2 "two stores named" sm --db a.db merge b.db c.db
expect_rc 2 "an unknown option" sm --db a.db merge --nosuch b.db
expect_rc 3 "no store here" sm --db nosuch.db merge b.db
ok "nothing made" test ! -e nosuch.db

# a store at another schema: the command named upgrades it
v=$(sqlite3 a.db "PRAGMA user_version")
cp b.db old.db
# (schema 19: before the agreed mark's column and what came after;
# 19, not v - k: a migration appended later would not undo the others)
sqlite3 old.db "$(undo_25) $(undo_params) $(undo_words) $(undo_counts) $(undo_20) PRAGMA user_version = 19"
cp a.db f.db
expect_rc 1 "an older store" sm --db f.db merge old.db
ok "says what to do" has err "old.db has schema version 19 and this stepmark reads $v: upgrade it by opening it once in the workbench (stepmark --db old.db, then q)"
tui_run "q" --db old.db
ok "that upgraded it" test "$(sqlite3 old.db "PRAGMA user_version")" = "$v"
expect_rc 0 "then it merges" sm --db f.db merge old.db
sqlite3 old.db "PRAGMA user_version = $((v + 1))"
expect_rc 1 "a newer store" sm --db f.db merge old.db
ok "says so" has err "written by a newer stepmark"

# two imports of one data set, each store its own: the importer's labels
# are the same labels whoever imported them, and the people's come across
sm --db x.db import "$F" --dataset pb >/dev/null
sm --db y.db import "$F" --dataset pb >/dev/null
sid=$(sqlite3 y.db "SELECT min(id) FROM solution")
sqlite3 y.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	VALUES ($sid, 0, 'rating', -1, 'alice', 'tui', '2030-01-01T00:00:00Z')"
sqlite3 x.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	VALUES ($sid, 0, 'rating', 1, 'bob', 'tui', '2030-01-01T00:00:00Z')"
cp x.db x0.db
n=$(sqlite3 x.db "SELECT count(*) FROM label")
expect_rc 0 "the newer import into the older" sm --db x.db merge y.db
ok "the importer's labels not doubled" test "$(sqlite3 x.db "SELECT count(*) FROM label")" = $((n + 1))
ok "alice's came" has out "1 label by alice"
ok "no conflict" sh -c '! grep -q conflict out'
expect_rc 0 "the older import into the newer" sm --db y.db merge x0.db
ok "no conflict either way" sh -c '! grep -q conflict out'
ok "bob's came" has out "1 label by bob"
ok "nothing doubled" test "$(sqlite3 y.db "SELECT count(*) FROM label")" = $((n + 1))

# what a later schema added comes too: a first error's agent
cp a.db g.db
cp b.db h.db
sqlite3 h.db "INSERT INTO label(solution_id, kind, value, text, annotator, origin, created_at, agent)
	VALUES ($sid, 'first_error', 1, 'why', 'zed', 'cli', '2030-01-01T00:00:00Z', 'WebSurfer')"
expect_rc 0 "a label with an agent" sm --db g.db merge h.db
ok "its agent came" test "$(sqlite3 g.db "SELECT agent FROM label WHERE annotator = 'zed'")" = WebSurfer
# and the guidelines' version a label was made under, with the version's
# row (the earliest first use of either store; a version the other
# store's table lacks gets a row from its label)
sqlite3 h.db "INSERT INTO label(solution_id, kind, value, annotator, origin, created_at, guidelines)
	VALUES ($sid, 'first_error', 2, 'gil', 'tui', '2030-01-02T00:00:00Z', 'v1hash'),
	($sid, 'first_error', 1, 'gil', 'tui', '2030-01-03T00:00:00Z', 'v2hash');
	INSERT INTO guidelines VALUES ('v1hash', '/team/g.md', '2030-01-02T00:00:00Z')"
sqlite3 g.db "INSERT INTO guidelines VALUES ('v1hash', NULL, '2030-01-05T00:00:00Z')"
expect_rc 0 "labels with a guidelines version" sm --db g.db merge h.db
ok "their versions came" test "$(sqlite3 g.db "SELECT group_concat(guidelines) FROM label WHERE annotator = 'gil'")" = "v1hash,v2hash"
ok "the versions' rows: earliest use, the path known" test "$(sqlite3 g.db "SELECT group_concat(hash || '|' || coalesce(path, '-') || '|' || first_used, ' ') FROM guidelines")" = "v1hash|/team/g.md|2030-01-02T00:00:00Z v2hash|-|2030-01-03T00:00:00Z"

# a step's error category with its recovery (schema 16); a value or
# key a category cannot have is refused
sqlite3 h.db "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
	VALUES ($sid, 1, 'category', 1, 'calculation', 'zed', 'tui', '2030-01-02T00:00:00Z'),
	       ($sid, 0, 'category', NULL, NULL, 'zed', 'tui', '2030-01-02T00:00:01Z')"
expect_rc 0 "category labels" sm --db g.db merge h.db
ok "the category and its recovery came" test "$(sqlite3 g.db "SELECT group_concat(step_idx || ':' || coalesce(text, '-') || ':' || coalesce(value, '-'), ' ') FROM label WHERE kind = 'category'")" = "1:calculation:1 0:-:-"
cp h.db i.db
sqlite3 i.db "UPDATE label SET value = 2 WHERE kind = 'category' AND value = 1"
expect_rc 1 "a recovery of 2" sm --db g.db merge i.db
ok "refused, and why" has err "its value 2 is outside 0..1"

# a step an annotator wrote (w) comes like any label, its withdrawal too
cp a.db k.db
cp b.db l.db
sqlite3 l.db "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
	VALUES ($sid, 1, 'correction', 1, 'The right step.', 'wes', 'tui', '2030-01-04T00:00:00Z'),
	       ($sid, 1, 'correction', NULL, NULL, 'wes', 'tui', '2030-01-04T00:00:01Z'),
	       ($sid, 1, 'correction', 1, 'Again.', 'wes', 'tui', '2030-01-04T00:00:02Z')"
expect_rc 0 "written steps" sm --db k.db merge l.db
ok "they came, in order" test "$(sqlite3 k.db "SELECT group_concat(coalesce(text, '-'), '|') FROM (SELECT text FROM label WHERE annotator = 'wes' AND kind = 'correction' ORDER BY id)")" = "The right step.|-|Again."

# an MC run merged: each suggestion's rollouts and the job that wrote it
# come too (progress is figured only where every prefix came of one job),
# so the merged store's progress, soft labels and kept rollouts are the
# run's own; merged again, nothing comes twice
start_fake
sim_store
fake_config cfg
cp store.db mc-here.db
expect_rc 0 "an MC run" sm fetch --config cfg --mc --rollouts 8 --quiet
expect_rc 0 "merged into a store without it" sm --db mc-here.db merge store.db
mc_rows() {
	sqlite3 "$1" "SELECT s.ext_key, coalesce(g.step_idx, -1), g.k, g.n, g.rollouts, j.kind,
		j.params, j.state FROM suggestion g JOIN solution s ON s.id = g.solution_id
		LEFT JOIN job j ON j.id = g.job_id WHERE g.source = 'mc' ORDER BY 1, 2"
}
ok "the run kept rollouts" test "$(sqlite3 store.db "SELECT count(*) FROM suggestion WHERE rollouts IS NOT NULL")" -gt 0
mc_rows store.db >mc.run
mc_rows mc-here.db >mc.merged
ok "the same rows, rollouts and jobs" cmp mc.run mc.merged
sm --db store.db export --format openrlhf --soft=mc:progress -o p.run.jsonl
sm --db mc-here.db export --format openrlhf --soft=mc:progress -o p.merged.jsonl
ok "progress figured" grep -q '[0-9]\.[0-9]' p.run.jsonl
ok "the same soft progress" cmp p.run.jsonl p.merged.jsonl
sm --db store.db export --format csv -o c.run.csv
sm --db mc-here.db export --format csv -o c.merged.csv
ok "the same csv (mc_k, mc_n, mc_progress)" cmp c.run.csv c.merged.csv
expect_rc 0 "merged again" sm --db mc-here.db merge store.db
ok "no suggestion twice" has out "  0 suggestions"
mc_rows mc-here.db >mc.again
ok "nor a job" sh -c 'cmp mc.run mc.again && [ "$(sqlite3 mc-here.db "SELECT count(*) FROM job")" = "$(sqlite3 store.db "SELECT count(*) FROM job")" ]'

# time grows with what is brought: one annotator's 3 labels on each of
# 2 000 solutions (the plan that joined each label brought with every
# label of its annotator here took 18 s and 1.7 GB)
python3 "$top_srcdir/tests/gen_big.py" --processbench 2000 >big.jsonl
sm --db big.db import big.jsonl --format processbench --dataset big --quiet
cp big.db lap.db
sqlite3 lap.db "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
	SELECT id, 0, 'rating', 1, NULL, 'alice', 'tui', printf('2030-01-01T%09d', id) FROM solution
	UNION ALL SELECT id, NULL, 'first_error', -1, NULL, 'alice', 'tui', printf('2030-01-02T%09d', id) FROM solution
	UNION ALL SELECT id, NULL, 'note', NULL, 'seen', 'alice', 'tui', printf('2030-01-03T%09d', id) FROM solution"
expect_rc 0 "2 000 solutions' labels, in seconds" timeout 15 "$STEPMARK" --db big.db merge --quiet lap.db
ok "every one came" test "$(sqlite3 big.db "SELECT count(*) FROM label WHERE annotator = 'alice'")" = 6000
finish
