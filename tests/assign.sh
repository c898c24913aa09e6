#!/bin/sh
# stepmark assign: every unassigned solution dealt once, a share to two
# annotators, gold items (adjudicated solutions) mixed into every queue
# and never marked on screen; a second run deals only what is left;
# --order disagreement deals first where sources disagree; the audit
# reports progress and accuracy on gold; the queue's assigned filter.
. "$top_srcdir/tests/lib.sh"

# 20 ProcessBench solutions; two sources that disagree on every third
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))
for name, shift in (("a", 0), ("b", 1)):
    with open(name + ".json", "w") as f:
        out = []
        for i, r in enumerate(rs):
            x = dict(r)
            if shift and i % 3 == 0:
                x["label"] = -1 if r["label"] >= 0 else len(r["steps"]) - 1
            out.append(x)
        json.dump(out, f)
PY
sm import "$FIXTURES/processbench_gsm8k_20.json" --dataset pb >/dev/null
sm import a.json --format processbench --dataset pb --as-source srca >/dev/null
sm import b.json --format processbench --dataset pb --as-source srcb >/dev/null

expect_rc 2 "needs annotators" sm assign
ok "says so" has err "--annotators A,B,... names who gets the solutions"
expect_rc 2 "a list that names nobody is a usage error (it divided by zero)" sm assign --annotators ,
ok "says who is needed" has err "--annotators A,B,... names who gets the solutions"
expect_rc 2 "overlap needs two" sm assign --annotators alice --overlap 0.2
ok "says so" has err "--overlap needs two annotators or more"
expect_rc 2 "a name twice" sm assign --annotators alice,alice
expect_rc 2 "gold without gold items" sm assign --annotators alice,bob --gold 0.1
ok "says where gold comes from" has err "no gold items: adjudicate some solutions"
ok "nothing dealt" test "$(sql 'SELECT count(*) FROM assignment')" = 0

# two adjudicated solutions are the gold
first=$(sql "SELECT ext_key FROM solution ORDER BY id LIMIT 1")
second=$(sql "SELECT ext_key FROM solution ORDER BY id LIMIT 1 OFFSET 1")
sm --annotator boss adjudicate --id "$first" --no-error --reason "checked twice" >/dev/null
sm --annotator boss adjudicate --id "$second" --first-error 2 --reason "step 2 divides wrong" >/dev/null

expect_rc 0 "deal 10 by disagreement" sm assign --annotators alice,bob,carol --overlap 0.3 \
	--gold 0.2 --order disagreement --limit 10
ok "says what it dealt" has out "dealt 10 solutions to 3 annotators (3 to two of them), 8 left unassigned; 2 gold items to mix in"
ok "every dealt solution has one or two annotators" test "$(sql "SELECT count(*) FROM (SELECT solution_id, count(*) n FROM assignment WHERE NOT gold GROUP BY 1) WHERE n NOT IN (1, 2)")" = 0
ok "ten solutions dealt, three of them twice" test "$(sql "SELECT count(DISTINCT solution_id) || ' ' || (count(*) - count(DISTINCT solution_id)) FROM assignment WHERE NOT gold")" = "10 3"
ok "never twice to one annotator" test "$(sql "SELECT count(*) FROM (SELECT annotator, solution_id FROM assignment GROUP BY 1, 2 HAVING count(*) > 1)")" = 0
ok "gold in every queue, with its answer" test "$(sql "SELECT group_concat(n) FROM (SELECT annotator, sum(gold AND gold_fe IS NOT NULL) n FROM assignment GROUP BY 1 ORDER BY 1)")" = "1,1,1"
ok "gold items are the adjudicated ones" test "$(sql "SELECT count(*) FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.gold AND s.ext_key NOT IN ('$first', '$second')")" = 0
ok "the disagreeing solutions came first" test "$(sql "SELECT count(*) FROM summary m WHERE m.flags & 8 AND m.solution_id NOT IN (SELECT solution_id FROM assignment)")" = 0
ok "and there were fewer than 10" test "$(sql "SELECT count(*) FROM summary WHERE flags & 8")" -lt 10
ok "each queue in order 1..n" test "$(sql "SELECT count(*) FROM (SELECT annotator, max(ord) - min(ord) + 1 - count(*) d FROM assignment GROUP BY 1) WHERE d <> 0")" = 0

# half shared between two: each gets as many (dealing strictly in turn
# gave every second copy to the same one: 20 and 10)
cp "$STEPMARK_DB" half.db
expect_rc 0 "half shared between two" sm --db half.db assign --annotators dan,erin --overlap 0.5 --limit 8
ok "each as many" test "$(sqlite3 half.db "SELECT group_concat(n) FROM (SELECT annotator, count(*) n FROM assignment WHERE annotator IN ('dan', 'erin') AND NOT gold GROUP BY 1 ORDER BY 1)")" = "6,6"

expect_rc 0 "deal the rest" sm assign --annotators alice,bob,carol --seed 7
ok "the 8 left" has out "dealt 8 solutions to 3 annotators (0 to two of them), 0 left unassigned"
ok "each solution dealt: 18 + the 2 gold" test "$(sql "SELECT count(DISTINCT solution_id) FROM assignment")" = 20
ok "ord goes on after the first deal" test "$(sql "SELECT count(*) FROM (SELECT annotator, max(ord) - count(*) d FROM assignment GROUP BY 1) WHERE d <> 0")" = 0
expect_rc 0 "nothing left" sm assign --annotators alice,bob
ok "says so" has out "dealt 0 solutions"

# qualification: a new annotator gets the same first gold items at the
# head of their queue; one who holds a queue gets none unless asked
expect_rc 2 "--requalify alone" sm assign --annotators dan --requalify
nalice=$(sql "SELECT count(*) FROM assignment WHERE annotator = 'alice'")
expect_rc 0 "qualify dan and erin, not alice" sm assign --annotators alice,dan,erin --qualify 2
ok "says alice held a queue" has out "alice                held a queue already: no qualification (--requalify gives one)"
ok "says dan qualifies" has out "dan                  qualifies first: 2 gold items at the head of the queue"
ok "dan's head: the two gold items, by id" test "$(sql "SELECT group_concat(s.ext_key || ':' || a.gold_fe, ' ') FROM (SELECT * FROM assignment WHERE annotator = 'dan' ORDER BY ord) a JOIN solution s ON s.id = a.solution_id")" = "$first:-1 $second:1"
ok "erin's the same" test "$(sql "SELECT group_concat(solution_id) FROM assignment WHERE annotator = 'erin' AND gold")" = "$(sql "SELECT group_concat(solution_id) FROM assignment WHERE annotator = 'dan' AND gold")"
ok "alice got no more" test "$(sql "SELECT count(*) FROM assignment WHERE annotator = 'alice'")" = "$nalice"
expect_rc 0 "requalify carol" sm assign --annotators carol --qualify 5 --requalify
ok "all there are, next in her queue" has out "carol                qualifies first: 2 gold items at the head of the queue (all there are)"

# alice labels her queue: the gold right, everything else "no error"
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sqlite3, os, sys
db = sqlite3.connect(os.environ["STEPMARK_DB"])
mine = {k for (k,) in db.execute("SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = 'alice'")}
gold = dict(db.execute("SELECT s.ext_key, a.gold_fe FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = 'alice' AND a.gold"))
out = []
for r in json.load(open(sys.argv[1])):
    if r["id"] in mine:
        x = dict(r)
        x["label"] = gold.get(r["id"], -1)
        out.append(x)
json.dump(out, open("alice.json", "w"))
PY
sm import alice.json --format processbench --dataset pb --as alice >/dev/null
expect_rc 0 "audit" sm audit --truth alice --json
ok "alice: all her queue done, gold right" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("out") if '"kind":"annotator"' in l]
a = [r for r in rows if r["annotator"] == "alice" and r["dataset"] == "all"][0]
b = [r for r in rows if r["annotator"] == "bob" and r["dataset"] == "all"][0]
assert a["assigned"] == a["assigned_done"] > 0, a
assert a["gold"] == a["gold_done"] == a["gold_right"] == 1, a
assert b["assigned"] > 0 and b["assigned_done"] == 0 and b["gold_done"] == 0, b
PY

# the queue: alice's assignment, no word of gold
n=$(sql "SELECT count(*) FROM assignment WHERE annotator = 'alice'")
tui_run ':filter assigned
:save-display q.txt' --annotator alice
ok "the assigned filter counts alice's queue" grep -q "assigned .* 1/$n " q.txt
ok "in the order dealt, gold where it was put" python3 - <<'PY'
import sqlite3, os, re
db = sqlite3.connect(os.environ["STEPMARK_DB"])
want = [k for (k,) in db.execute("SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = 'alice' ORDER BY a.ord")]
shown = [m.group(1) for m in (re.search(r"\b(gsm8k-\d+)\b", l) for l in open("q.txt")) if m]
assert shown and shown == want[:len(shown)], (shown, want)
assert want != sorted(want, key=lambda k: int(k.split("-")[1])), "dealt in id order: the test proves nothing"
PY
ok "no gold marked" sh -c '! grep -qi gold q.txt'
# the agreed filters: by any rule, by one rule as written, none yet
sm consensus --policy "adjudicated, human-majority 2, sources srca srcb" >/dev/null
nadj=$(sql "SELECT count(*) FROM agreed WHERE rule = 'adjudicated'")
nsrc=$(sql "SELECT count(*) FROM agreed WHERE rule = 'sources srca srcb'")
nnone=$(sql "SELECT count(*) FROM agreed WHERE rule IS NULL")
tui_run ':filter agreed adjudicated
:save-display f1.txt
:filter agreed-sources
:save-display f2.txt
:filter no-consensus
:save-display f3.txt' --annotator alice
ok "decided by one rule: $nadj" grep -q "agreed adjudicated .* 1/$nadj " f1.txt
ok "decided by sources: $nsrc" grep -q "agreed-sources .* 1/$nsrc " f2.txt
ok "no consensus: $nnone" grep -q "no-consensus .* 1/$nnone " f3.txt
finish
