#!/bin/sh
# Deep input never overflows the stack: nested parentheses, \sqrt{, \frac{,
# runs of signs and powers at depths 10, 1 000 and 1 000 000, through every
# entry point that grades or checks: grade, grade --jsonl, import (the
# final answer against the gold), and fetch --calc (the arithmetic check).
. "$top_srcdir/tests/lib.sh"

python3 - <<'PY'
import json
def shapes(d):
    return {
        "paren": "(" * d + "5" + ")" * d,
        "sqrt": "\\sqrt{" * d + "25" + "}" * d,
        "bare-sqrt": "\\sqrt" * d + " 25",
        "frac": "\\frac{" * d + "5}{1}" + "}{1}" * 0,
        "signs": "-" * d + "5",
        "powers": "^".join(["1"] * d),
    }
with open("grade.jsonl", "w") as g, open("import.jsonl", "w") as imp:
    for d in (10, 1000, 1000000):
        for name, text in shapes(d).items():
            g.write(json.dumps({"given": "5", "ground_truth": text, "shape": name, "depth": d}) + "\n")
            g.write(json.dumps({"given": text, "ground_truth": "5", "shape": name, "depth": d}) + "\n")
            imp.write(json.dumps({"problem": "%s %d" % (name, d), "steps": [text + " = 5", "The answer is " + text],
                                  "gold": text, "label": -1}) + "\n")
PY

expect_rc 0 "grade --jsonl at every depth" sm grade --jsonl grade.jsonl
ok "a verdict for every line" test "$(grep -c '"stepmark": ' out)" = "$(wc -l <grade.jsonl)"
for d in 10 1000; do
	expect_rc 1 "grade at depth $d" sm grade "$(python3 -c "print('(' * $d + '5' + ')' * $d)")" 6
done
expect_rc 1 "grade at depth 1000 says why" sm grade "$(python3 -c "print('(' * 1000 + '5' + ')' * 1000)")" 5
ok "too deeply nested" has err "too deeply nested to grade"
expect_rc 0 "grade at depth 10 still grades" sm grade "$(python3 -c "print('(' * 10 + '5' + ')' * 10)")" "$(python3 -c "print('(' * 10 + '5' + ')' * 10)")"

expect_rc 0 "import at every depth" sm import import.jsonl --problem problem --steps steps --gold gold --first-error label
ok "18 solutions" has out "18 solutions"
ok "too deep is unknown, never wrong" test "$(sql "select count(*) from solution s join problem p on p.id = s.problem_id where p.text like '% 1000000' and s.correct = 0")" = 0
ok "unknown where it cannot be graded" test "$(sql "select count(*) from solution s join problem p on p.id = s.problem_id where p.text like 'paren 1000000' and s.correct is null")" = 1
expect_rc 0 "fetch --calc at every depth" sm fetch --calc --quiet
ok "every calc job done" test "$(sql "select count(*) from job where kind = 'calc' and state = 'done'")" = 18
ok "no deep claim was read as an error" test "$(sql "select count(*) from suggestion s join solution o on o.id = s.solution_id join problem p on p.id = o.problem_id where s.source = 'calc' and s.first_error >= 0 and p.text like '% 1000000'")" = 0
finish
