#!/bin/sh
# Ids that repeat are never dropped silently: the same id with the same
# problem and steps is a duplicate (a no-op); with other content it is a
# conflict, named file:line, within one file or against the store. Records
# in PRMBench's shape (one idx shared by the perturbation classes of one
# original solution), written here.
. "$top_srcdir/tests/lib.sh"

cat >pb.jsonl <<'J'
{"idx": "0", "modified_question": "Compute 2+3.", "modified_process": ["2+3 = 5.", "So 5."], "error_steps": [], "reason": "", "classification": "original"}
{"idx": "0", "modified_question": "Compute 2+3.", "modified_process": ["2+3 = 6.", "So 6."], "error_steps": [1], "reason": "5, not 6", "classification": "counterfactual"}
{"idx": "0", "modified_question": "Compute 2+3.", "modified_process": ["2+3 = 5 for sure.", "So 5."], "error_steps": [1], "reason": "overconfident", "classification": "confidence"}
{"idx": "1", "modified_question": "Compute 4*4.", "modified_process": ["4*4 = 16."], "error_steps": [], "reason": "", "classification": "original"}
J
map="--format generic --problem modified_question --steps modified_process --first-error error_steps --index-base 1"

# --id idx alone: two conflicts, all or nothing
expect_rc 1 "a repeated id with other steps fails the import" sm import pb.jsonl $map --id idx
ok "the conflict names file, line and the first line" has err 'pb.jsonl:2: id "0" already used by line 1 with different steps'
ok "each conflict is named" has err 'pb.jsonl:3: id "0" already used by line 1 with different steps'
ok "nothing imported: no store made" test ! -e "$STEPMARK_DB"
sm import "$FIXTURES/math_shepherd_example.json" >/dev/null
expect_rc 1 "into an existing store, the same" sm import pb.jsonl $map --id idx
ok "nothing imported" test "$(sql "select count(*) from dataset where name = 'pb'")" = 0
ok "no problem left behind" test "$(sql 'select count(*) from problem')" = 1

# --skip-bad: the conflicts listed, the rest stored
expect_rc 0 "--skip-bad stores the rest" sm import pb.jsonl $map --id idx --skip-bad --dataset skip
ok "and lists the conflicts" has err 'pb.jsonl:2: id "0" already used by line 1'
ok "says how many it skipped" has out "2 bad records skipped"
ok "two stored" test "$(sql "select count(*) from solution s join dataset d on d.id = s.dataset_id where d.name = 'skip'")" = 2

# the key of idx and classification together: every record
expect_rc 0 "--id idx --id classification imports every record" sm import pb.jsonl $map --id idx --id classification --dataset pb
ok "four solutions" has out '4 solutions (7 steps) imported as generic into data set "pb"'
ok "keys join the fields" test "$(sql "select group_concat(ext_key, ' ') from (select ext_key from solution s join dataset d on d.id = s.dataset_id where d.name = 'pb' order by s.id)")" = \
	"0:original 0:counterfactual 0:confidence 1:original"

# an identical record again is a duplicate, said as such
sed -n 4p pb.jsonl >dup.jsonl
sed -n 4p pb.jsonl >>dup.jsonl
expect_rc 0 "a record repeated as it is" sm import dup.jsonl $map --id idx --id classification --dataset dup
ok "is one solution and one duplicate" has out '1 solution (1 steps) imported as generic into data set "dup", 1 duplicate (same id, same steps, nothing new) left as they were'

# against the store: the same id with other steps in a later file
printf '%s\n' '{"idx": "1", "modified_question": "Compute 4*4.", "modified_process": ["4*4 = 17."], "error_steps": [1], "reason": "", "classification": "original"}' >later.jsonl
expect_rc 1 "a later file reusing an id with other steps" sm import later.jsonl $map --id idx --id classification --dataset pb
ok "names the solution in the store and where it came from" has err 'later.jsonl:1: id "1:original" already used by solution 7 in the store ('
ok "with its file and line" has err 'pb.jsonl line 4) with a different problem or steps'
ok "the store keeps the first" test "$(sql "select text from step t join solution s on s.id = t.solution_id where s.ext_key = '1:original' and s.dataset_id = (select id from dataset where name = 'pb')")" = "4*4 = 16."

# a ':' inside a field cannot make two records one key
printf '%s\n' '{"a": "x:y", "b": "z", "p": "q", "s": ["one"]}' '{"a": "x", "b": "y:z", "p": "q", "s": ["two"]}' >colon.jsonl
expect_rc 0 "values with ':'" sm import colon.jsonl --problem p --steps s --id a --id b --dataset colon
ok "stay two keys" has out "2 solutions"
# ProcessBench: a solution marked correct gives its problem a gold answer;
# two marked correct that disagree are said
cat >pbd.json <<'J'
[{"id": "a", "generator": "g", "problem": "What is 2+3?", "steps": ["2+3 = 5.", "The answer is \\boxed{5}."], "final_answer_correct": true, "label": -1},
 {"id": "b", "generator": "g", "problem": "What is 2+3?", "steps": ["2+3 = 6.", "#### 6"], "final_answer_correct": true, "label": 0},
 {"id": "c", "generator": "g", "problem": "What is 2+3?", "steps": ["2+3 = 7.", "The answer is 7."], "final_answer_correct": false, "label": 0}]
J
expect_rc 0 "ProcessBench with disagreeing correct answers" sm import pbd.json --dataset pbd
ok "the gold is derived from the first correct solution" test "$(sql "select gold_answer || ':' || gold_derived from problem where text = 'What is 2+3?'")" = "5:1"
ok "the disagreement names the line and both answers" has err 'final answer "6" is marked correct, but another solution of the problem marked correct answered "5"'
ok "and is counted" has out "1 solution marked correct disagrees with the derived gold answer of its problem"
# the same answer written otherwise is no disagreement: a named left side,
# an unordered list of all the values, \sin\theta = ...
cat >pbs.json <<'J'
[{"id": "f1", "generator": "g", "problem": "Find f(x).", "steps": ["So \\boxed{x + 22}."], "final_answer_correct": true, "label": -1},
 {"id": "f2", "generator": "g", "problem": "Find f(x).", "steps": ["So \\boxed{f(x) = x + 22}."], "final_answer_correct": true, "label": -1},
 {"id": "l1", "generator": "g", "problem": "Find all values of x.", "steps": ["So \\boxed{10^{100}, 10^{0.01}}."], "final_answer_correct": true, "label": -1},
 {"id": "l2", "generator": "g", "problem": "Find all values of x.", "steps": ["So \\boxed{10^{0.01}, 10^{100}}."], "final_answer_correct": true, "label": -1},
 {"id": "s1", "generator": "g", "problem": "Find sin t.", "steps": ["So \\boxed{\\sin\\theta = \\frac{3}{5}}."], "final_answer_correct": true, "label": -1},
 {"id": "s2", "generator": "g", "problem": "Find sin t.", "steps": ["So \\boxed{\\frac{3}{5}}."], "final_answer_correct": true, "label": -1},
 {"id": "o1", "generator": "g", "problem": "Enter the ordered pair.", "steps": ["So \\boxed{1, 2}."], "final_answer_correct": true, "label": -1},
 {"id": "o2", "generator": "g", "problem": "Enter the ordered pair.", "steps": ["So \\boxed{2, 1}."], "final_answer_correct": true, "label": -1}]
J
expect_rc 0 "ProcessBench with the same answers written otherwise" sm import pbs.json --dataset pbs
ok "no warning for f(x) = x + 22" sh -c '! grep -q "f(x) = x + 22" err'
ok "nor for the list in another order" sh -c '! grep -q "10^{0.01}, 10^{100}" err'
ok "nor for \\sin\\theta = ..." sh -c '! grep -q "frac{3}{5}" err'
ok "but an ordered pair keeps its order" has err 'final answer "2, 1" is marked correct'
ok "counted once" has out "1 solution marked correct disagrees"
ok "final answers from ####, boxed and 'The answer is'" test "$(sql "select group_concat(final_answer, ' ') from (select final_answer from solution s join dataset d on d.id = s.dataset_id where d.name = 'pbd' order by s.id)")" = "5 6 7"
expect_rc 0 "stats" sm stats
ok "no data set has a problem without a solution" test "$(sql 'select count(*) from problem p where not exists (select 1 from solution s where s.problem_id = p.id)')" = 0
finish
