# import_mathshepherd.sh - Math-Shepherd: tags, MC suggestions or labels
. "$top_srcdir/tests/lib.sh"
MS="$FIXTURES/math_shepherd_example.json"

expect_rc 0 "import detects math-shepherd" sm import "$MS"
ok "five steps" has out '1 solution (5 steps) imported as math-shepherd'
ok "MC suggestions, hard estimates" test "$(sql "select group_concat(value) from (select value from suggestion where source='mc' and model='math-shepherd' order by step_idx)")" = "1.0,0.0,0.0,0.0,0.0"
ok "no labels by default" test "$(sql 'select count(*) from label')" = 0
ok "question split from the steps" test "$(sql "select count(*) from problem where text like '%the waiter ate?' and text not like '%Step%'")" = 1
ok "step text without its tag" test "$(sql "select text from step where idx=4")" = "Step 5: The waiter ate 52 slices of the pizza. The answer is: 52"
ok "final answer extracted" test "$(sql "select final_answer from solution")" = 52

expect_rc 0 "export by the mc source" sm export --format math-shepherd --source mc -o back.jsonl
ok "input and label reproduced" python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.loads(open(sys.argv[2]).read())
assert a["input"] == b["input"] and a["label"] == b["label"] and a["task"] == b["task"]
' "$MS" back.jsonl
expect_rc 0 "export by labels: none" sm export --format math-shepherd -o none.jsonl
ok "says to use --source" has err "no labels (try --source mc"

# --labels: the same marks as labels of --as
expect_rc 0 "import as labels" sm import "$MS" --labels --as shepherd --dataset ms-labels
ok "one label rating five steps" test "$(sql "select text from label where annotator='shepherd' and kind='ratings'")" = "+----"
expect_rc 0 "export labels" sm export --format math-shepherd --dataset ms-labels -o lab.jsonl
ok "same label text" python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.loads(open(sys.argv[2]).read())
assert a["label"] == b["label"]
' "$MS" lab.jsonl

# a stray tag before "Step 1:" is reported, and the export gives it back
python3 - "$MS" >stray.jsonl <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
q, rest = r["input"].split(" Step 1:", 1)
lq, lrest = r["label"].split(" Step 1:", 1)
r["input"] = q + " ки Step 1:" + rest
r["label"] = lq + " + Step 1:" + lrest
print(json.dumps(r, ensure_ascii=False))
PY
expect_rc 0 "stray tag" sm import stray.jsonl --dataset stray
ok "stray tag reported with its line" has err "stray.jsonl:1: warning: 1 stray step tag before \"Step 1:\""
ok "still five steps" test "$(sql "select count(*) from step t join solution s on s.id=t.solution_id join dataset d on d.id=s.dataset_id where d.name='stray'")" = 5
expect_rc 0 "export stray" sm export --format math-shepherd --source mc --dataset stray -o stray.out
ok "stray input and label reproduced" python3 -c '
import json, sys
a = json.loads(open(sys.argv[1]).read()); b = json.loads(open(sys.argv[2]).read())
assert a["input"] == b["input"] and a["label"] == b["label"]
' stray.jsonl stray.out

# label that does not match input; a mark that is not + or -
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
bad1 = dict(r, label=r["label"].replace("pizza", "pie", 1))
bad2 = dict(r, label=r["label"].replace("13. +", "13. ?", 1))
print(json.dumps(bad1)); print(json.dumps(bad2))
' "$MS" >bad.jsonl
expect_rc 1 "mismatched label" sm import bad.jsonl --format math-shepherd --dataset bad
ok "line 1 named" has err "bad.jsonl:1: \"label\" is not \"input\" with each step tag replaced"
ok "line 2 named" has err "bad.jsonl:2: step tag 1 is labelled '?'"
ok "nothing stored" test "$(sql "select count(*) from dataset where name='bad'")" = 0
finish
