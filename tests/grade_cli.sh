# grade_cli.sh - stepmark grade: one pair, and --jsonl over the vectors
. "$top_srcdir/tests/lib.sh"

expect_rc 0 "0.5 = 1/2" sm grade 0.5 '\frac{1}{2}'
ok "prints true" has out "true"
expect_rc 1 "7200 != 28800" sm grade 7200 28800
ok "prints false" has out "false"
expect_rc 0 "a dash-led answer after --" sm grade -- -1/3 '-\frac{1}{3}'
expect_rc 2 "three arguments" sm grade 1 2 3
expect_rc 0 "extract" sm grade --extract 'We get \boxed{\frac{3}{4}}.'
ok "extracted" has out '\frac{3}{4}'

# every vector: the verdict equals PRM800K's grade_answer, the line is kept
expect_rc 0 "grade --jsonl" sm grade --jsonl "$FIXTURES/grader_vectors.jsonl"
ok "one line out per vector" test "$(wc -l <out)" = 35
ok "verdicts agree" python3 -c '
import json, sys
for i, (a, b) in enumerate(zip(open(sys.argv[1]), open(sys.argv[2])), 1):
    x, y = json.loads(a), json.loads(b)
    assert y.pop("stepmark") == x["grade_answer"], (i, x)
    assert x == y, i
' "$FIXTURES/grader_vectors.jsonl" out

printf '{"given": "1"}\nnot json\n{"given": "2", "ground_truth": "2"}\n' >bad.jsonl
expect_rc 1 "bad lines are reported" sm grade --jsonl bad.jsonl
ok "missing field named" has err 'bad.jsonl:1: no "ground_truth" field'
ok "invalid JSON named" has err "bad.jsonl:2: invalid JSON"
ok "good line still graded" has out '"stepmark": true'

printf '%s\n' '{"given": "1", "ground_truth": "1", "ground_truth": "2"}' '{"given": "a\u0000b", "ground_truth": "a"}' >dk.jsonl
expect_rc 1 "grade --jsonl refuses a key twice and a NUL" sm grade --jsonl dk.jsonl
ok "names the key" has err 'dk.jsonl:1: the key "ground_truth" appears twice'
ok "names the NUL" has err 'dk.jsonl:2: a NUL character'
expect_rc 0 "extract GSM8K's ####" sm grade --extract 'Step 4: #### 2.8'
ok "finds 2.8" test "$(cat out)" = 2.8
# \infty graded against inf reads no uninitialised byte
if command -v valgrind >/dev/null && [ -z "${SANITIZED:-}" ]; then
	expect_rc 0 "grade \\infty inf under valgrind" \
		env STEPMARK_NO_JIT=1 valgrind -q --error-exitcode=99 "$STEPMARK" grade '\infty' inf
fi
expect_rc 1 "-inf is not inf" sm grade -- '-\infty' inf

# --lenient: the same answer written otherwise (issue 27); the default
# stays PRM800K's
expect_rc 1 "PRM800K: f(x) = x + 22 is not x + 22" sm grade 'f(x) = x + 22' 'x + 22'
expect_rc 0 "--lenient: a named left side" sm grade --lenient 'f(x) = x + 22' 'x + 22'
ok "prints true" has out "true"
expect_rc 0 "--lenient: \\sin\\theta = ..." sm grade --lenient '\sin\theta = \frac{3}{5}' '\frac35'
expect_rc 1 "PRM800K: a list in another order" sm grade '10^{100}, 10^{0.01}' '10^{0.01}, 10^{100}'
expect_rc 0 "--lenient: an unordered list" sm grade --lenient '10^{100}, 10^{0.01}' '10^{0.01}, 10^{100}'
expect_rc 1 "--lenient: unless the problem asks for an order" \
	sm grade --lenient --problem 'Enter the ordered pair (a, b).' '1, 2' '2, 1'
expect_rc 2 "--problem alone" sm grade --problem 'x' 1 1
printf '%s\n' '{"given": "1, 2", "ground_truth": "2, 1", "problem": "Find all x."}' \
	'{"given": "1, 2", "ground_truth": "2, 1", "problem": "In increasing order."}' >len.jsonl
expect_rc 0 "--lenient --jsonl" sm grade --lenient --jsonl len.jsonl
ok "reads each line's problem" test "$(grep -c '"stepmark": true' out):$(grep -c '"stepmark": false' out)" = 1:1

finish
