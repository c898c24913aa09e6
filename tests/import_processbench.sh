# import_processbench.sh - ProcessBench in, ProcessBench out, no duplicates
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
PB="$SHARED_DATA/processbench/gsm8k.json"

expect_rc 0 "import the gsm8k split" sm import "$PB" --as processbench
ok "summary" has out '400 solutions (2082 steps) imported as processbench into data set "gsm8k"'
ok "400 solutions" test "$(sql 'select count(*) from solution')" = 400
ok "one first-error label each, by --as" \
	test "$(sql "select count(*) from label where kind='first_error' and annotator='processbench' and origin='gsm8k'")" = 400
ok "193 say no error" test "$(sql "select count(*) from label where kind='first_error' and value=-1")" = 193
# the final answer from the last step's \boxed{} (or ####, "The answer is")
ok "final answers extracted from the steps (none guessed)" test "$(sql 'select count(*) from solution where final_answer is not null')" = 338
ok "gsm8k-0 answers 30" test "$(sql "select final_answer from solution where ext_key = 'gsm8k-0'")" = 30
# no gold in ProcessBench: a solution marked correct gives its problem one
ok "gold answers derived from correct solutions" test "$(sql 'select count(*) from problem where gold_derived = 1 and gold_answer is not null')" -ge 150
ok "problems with no correct solution have none" test "$(sql 'select count(*) from problem where gold_answer is null')" -ge 1
ok "a derived gold grades its own solutions correct" test "$(sql "select count(*) from solution s join problem p on p.id = s.problem_id where s.correct = 1 and p.gold_derived = 1 and s.final_answer = p.gold_answer")" -ge 150

expect_rc 0 "re-import is a no-op" sm import "$PB" --as processbench
ok "says nothing to do" has out "nothing to do"
ok "still 400" test "$(sql 'select count(*) from solution')" = 400
ok "still 400 labels" test "$(sql 'select count(*) from label')" = 400

# the same records as JSON Lines: detected, and already present
python3 -c 'import json,sys; [print(json.dumps(x)) for x in json.load(open(sys.argv[1]))]' "$PB" >gsm8k.jsonl
expect_rc 0 "JSON Lines form" sm import gsm8k.jsonl --as processbench
ok "all duplicates" has out "0 solutions (0 steps) imported as processbench into data set \"gsm8k\", 400 duplicates (same id, same steps, nothing new) left as they were"
ok "still 400 after JSONL" test "$(sql 'select count(*) from solution')" = 400

expect_rc 0 "export processbench" sm export --format processbench --dataset gsm8k -o out.json
ok "export says how many" has err "400 solutions exported as processbench"
ok "same items and labels" python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a == b, "differs"
' "$PB" out.json

# the TRL form of ProcessBench: up to and including the first error
expect_rc 0 "export trl" sm export --format trl --dataset gsm8k -o out.trl.jsonl
ok "trl rows follow the labels" python3 -c '
import json, sys
src = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(src)
for s, r in zip(src, rows):
    n = len(s["steps"]) if s["label"] < 0 else s["label"] + 1
    assert r["prompt"] == s["problem"] and r["completions"] == s["steps"][:n]
    assert r["labels"] == [True] * (n - 1) + [s["label"] < 0]
' "$PB" out.trl.jsonl

# --annotator selects; an unknown one exports nothing
expect_rc 0 "export by an absent annotator" sm export --format processbench --annotator nobody -o none.json
ok "nothing exported" test "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' none.json)" = 0
ok "says why" has err "400 solutions left out: no labels"
finish
