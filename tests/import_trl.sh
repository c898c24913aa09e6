# import_trl.sh - TRL stepwise: boolean labels, soft labels, round trip
. "$top_srcdir/tests/lib.sh"
T="$FIXTURES/math_shepherd_example.trl.json"

expect_rc 0 "import detects trl" sm import "$T" --as alice
ok "alice rates the five steps" test "$(sql "select text from label where annotator='alice' and kind='ratings'")" = "+----"
expect_rc 0 "export trl" sm export --format trl -o back.jsonl
ok "same record" python3 -c '
import json, sys
assert json.load(open(sys.argv[1])) == json.loads(open(sys.argv[2]).read())
' "$T" back.jsonl

printf '%s\n' '{"prompt": "2+2?", "completions": ["2+2=4", "so 4"], "labels": [0.9, 0.25]}' >soft.jsonl
expect_rc 0 "soft labels" sm import soft.jsonl
ok "as imported suggestions" test "$(sql "select group_concat(value) from suggestion where source='imported'")" = "0.9,0.25"
expect_rc 0 "export soft by threshold" sm export --format trl --dataset soft --source imported --threshold 0.5 -o soft.out
ok "thresholded" has soft.out '"labels":[true,false]'

printf '%s\n' '{"prompt": "p", "completions": ["a", "b"], "labels": [true]}' >short.jsonl
expect_rc 1 "labels shorter than completions" sm import short.jsonl
ok "says so" has err "short.jsonl:1: 1 labels for 2 completions"
printf '%s\n' '{"prompt": "p", "completions": ["a"], "labels": ["yes"]}' >str.jsonl
expect_rc 1 "a string label" sm import str.jsonl
ok "says which" has err 'str.jsonl:1: labels[0] must be a boolean or a number, not string'
finish
