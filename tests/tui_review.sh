#!/bin/sh
# The review view, driven by key scripts: two annotators who disagree
# side by side, the steps where they differ marked; an adjudication by
# picking one annotator's first error (a reason is required, Tab reuses
# the earlier ones), one at the cursor, undo; the store holds exactly what
# the screen said, and consensus takes it.
. "$top_srcdir/tests/lib.sh"
F="$FIXTURES/processbench_gsm8k_20.json"
python3 - "$F" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))
out = []
for x in rs:
    y = dict(x)
    y["label"] = -1 if x["label"] >= 0 else len(x["steps"]) - 1  # always differs
    out.append(y)
json.dump(out, open("ann2.json", "w"))
PY
sm import "$F" --dataset pb --as ann1 >/dev/null
sm import ann2.json --format processbench --dataset pb --as ann2 >/dev/null
first=$(sql "SELECT ext_key FROM solution ORDER BY id LIMIT 1")
fe1=$(sql "SELECT value FROM label l JOIN solution s ON s.id = l.solution_id WHERE s.ext_key = '$first' AND l.annotator = 'ann1' AND kind = 'first_error'")
fe2=$(sql "SELECT value FROM label l JOIN solution s ON s.id = l.solution_id WHERE s.ext_key = '$first' AND l.annotator = 'ann2' AND kind = 'first_error'")
shows() { # shows N: "step N" or "no error" for a 0-based first error
	if [ "$1" -ge 0 ]; then echo "step $(($1 + 1))"; else echo "no error"; fi
}

# V on the queue's first line; the screen; a: pick ann2's, a reason
TUI_SIZE=80x24 tui_run 'V
:save-display r1.txt
a
2
the last step repeats an error<Enter>
:save-display r2.txt' --annotator boss
ok "the review's title names both" grep -q "^Review  pb  $first   1 ann1: $(shows $fe1) · 2 ann2: $(shows $fe2)" r1.txt
ok "a column each" grep -q "^ step ann1 ann2  *step text" r1.txt
ok "differing steps marked" grep -q "^!" r1.txt
ok "not adjudicated yet" grep -q "^not adjudicated" r1.txt
ok "the screen says saved" grep -q "saved: adjudicated: $( [ "$fe2" -ge 0 ] && echo "first error at step $((fe2 + 1))" || echo "no error")" r2.txt
ok "and the line below says it" grep -q "^adjudicated: .*by boss: the last step repeats an error" r2.txt
ok "the store has it" test "$(sql "SELECT value || '|' || text || '|' || annotator FROM label WHERE kind = 'adjudication'")" = "$fe2|the last step repeats an error|boss"
ok "nobody's verdict in the queue" test "$(sql "SELECT count(*) FROM summary WHERE verdicts LIKE '%boss%'")" = 0

# no reason, no adjudication; then the cursor's step, a reason reused
TUI_SIZE=120x40 tui_run 'V
e
<Enter>
:save-display r3.txt
j
e
<Tab>
<Enter>
:save-display r4.txt' --annotator boss
ok "a reason is required" grep -q "not adjudicated: a reason is required" r3.txt
ok "the earlier reason reused" grep -q "^adjudicated: first error at step 2, by boss: the last step repeats an error" r4.txt
ok "two decisions in the store" test "$(sql "SELECT count(*) FROM label WHERE kind = 'adjudication'")" = 2
sm consensus --policy "adjudicated, human-majority 2" >/dev/null
ok "consensus takes the newest" test "$(sql "SELECT a.first_error || ' ' || a.rule || ' ' || a.agreed_by FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$first'")" = "1 adjudicated !boss"

# undo takes it back: the previous decision is in force again
tui_run 'V
U
:save-display r5.txt' --annotator boss
ok "undo says so" grep -q "saved: undo adjudicate: first error at step 2" r5.txt
sm consensus --policy "adjudicated, human-majority 2" >/dev/null
ok "consensus: the picked one again" test "$(sql "SELECT coalesce(a.first_error, 'x') FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$first'")" = "$fe2"
tui_run 'V
U
:save-display r6.txt' --annotator boss
sm consensus --policy "adjudicated, human-majority 2" >/dev/null
ok "all undone: annotators disagree" test "$(sql "SELECT a.why FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$first'")" = "annotators disagree"
# the adjudicator is not one of the solution's annotators
tui_run ":open $first
:accept boss
:save-display a1.txt" --annotator alice
ok "boss is no annotator there" grep -q "boss is not a source of this solution" a1.txt
# J and K walk the queue without leaving the review
second=$(sql "SELECT ext_key FROM solution ORDER BY id LIMIT 1 OFFSET 1")
tui_run 'V
J
:save-display j1.txt
K
:save-display j2.txt' --annotator boss
ok "J: the next solution's review" grep -q "^Review  pb  $second " j1.txt
ok "K: back" grep -q "^Review  pb  $first " j2.txt
# what the config's policy decides now reads the sources by their keys,
# source/model as the store keeps them apart
printf '{"id": "k", "problem": "P", "steps": ["a", "b", "c"], "fe": 1}\n' >k.jsonl
sm --db keys.db import k.jsonl --format generic --problem problem --steps steps --id id \
	--first-error fe --as ann1 >/dev/null
sqlite3 keys.db "INSERT INTO suggestion(solution_id, source, model, first_error, created_at)
	VALUES (1, 'mc', 'm', 1, 'then'), (1, 'prm', 'p', 1, 'then')"
printf 'consensus sources mc/m prm/p\n' >"$XDG_CONFIG_HOME/stepmark/config"
tui_run 'V
:save-display k1.txt' --annotator boss --db keys.db
ok "the policy now: both sources, by model" grep -q "the policy now: step 2 (sources mc/m prm/p)" k1.txt
finish
