#!/bin/sh
# The arithmetic check's marks: ok only on a step it checked, the error
# on the false one with a rationale naming the computed side; and fetch
# --status alone counts its jobs.
. "$top_srcdir/tests/lib.sh"
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

# calc says ok only of a step it checked
printf '%s\n' '{"problem": "calc", "steps": ["Let us think.", "3 * 4 = 12", "So 12 + 1 = 14", "Done."], "label": 2}' >calc.jsonl
sm import calc.jsonl --problem problem --steps steps --first-error label --dataset arith >/dev/null
sm fetch --calc --dataset arith --quiet >/dev/null 2>&1
tui_run ':dataset arith
<Enter>
:save-display c1.txt' --annotator alice
ok "no calc mark on a step without a claim" sh -c '! grep "^>  *1 " c1.txt | grep -q "calc ok"'
ok "ok on the step it checked" grep -q '^  *2 .*calc ok' c1.txt
ok "the error on the false one" grep -q '^  *3 .*calc ERR' c1.txt
ok "and the rationale names the computed side" test "$(sql "select rationale from suggestion where source = 'calc' and step_idx = 2")" = '"12 + 1 = 14": false: the left side is 13'

# calc's first error is the first false claim: it says nothing of the
# step before it that it did not check ("Let us think."), which stays
# unrated in what --source calc exports; the step it checked keeps its ok
expect_rc 0 "export --source calc as csv" sm export --format csv --source calc --dataset arith -o calc.csv
tr -d '\r' <calc.csv >calc.txt
ok "the unchecked step before the first error is not made good" grep -q '^arith,[^,]*,0,Let us think\.,2,1,1,$' calc.txt
ok "the checked one keeps its ok" grep -q '^arith,[^,]*,1,3 \* 4 = 12,2,1,1,1$' calc.txt
expect_rc 0 "export --source calc as trl" sm export --format trl --source calc --dataset arith -o calc.trl
ok "a record it cannot decide is left out" has err "labels incomplete"

# fetch --status alone prints the jobs' counts
sm fetch --calc --quiet >/dev/null 2>&1
expect_rc 0 "fetch --status alone" sm fetch --status
ok "it counts the calc jobs" has out "calc: 21 done"

# fetch --status alone prints the jobs' counts
sm fetch --calc --quiet >/dev/null 2>&1
expect_rc 0 "fetch --status alone" sm fetch --status
ok "it counts the calc jobs" has out "calc: 21 done"
finish
