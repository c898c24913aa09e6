#!/bin/sh
# The offline aligner on real records: PRM800K's ground-truth solutions and
# an MR-GSM8K record (a line per reference step, its #### answer apart).
# Links, extra and skipped steps are stored with source align; a run again
# changes nothing, a new threshold replaces them; a solution without a
# reference gets none and fails nothing; the workbench's reference pane
# follows the cursor, tags the links and the skipped steps, S goes to the
# next skipped one, and a step with no counterpart says extra.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
cat >mr.jsonl <<'J'
{"uuid": "mr-1", "question": "Tom has 3 bags of 4 apples. He gives away 5. How many are left?", "ground_truth_solution": "Tom has 3*4=<<3*4=12>>12 apples.\nAfter giving away 5 he has 12-5=<<12-5=7>>7 apples.\n#### 7", "ground_truth_answer": 7, "model_output_steps": ["Step 1: 3 bags of 4 apples is 3 * 4 = 12 apples.", "Step 2: Apples are red.", "Step 3: 12 - 5 = 7 apples are left."], "model_output_solution_first_error_step": null}
{"uuid": "mr-2", "question": "Ann reads 10 pages a day for 3 days and then 4 more. How many pages?", "ground_truth_solution": "In 3 days she reads 10*3=<<10*3=30>>30 pages.\nThen she reads 4 more: 30+4=<<30+4=34>>34.\n#### 34", "ground_truth_answer": 34, "model_output_steps": ["Step 1: She reads 10 pages for 3 days: 10 * 3 = 30 pages.", "Step 2: The answer is 34."], "model_output_solution_first_error_step": null}
J
sm import --format generic --dataset mr --id uuid --problem question --steps model_output_steps --reference ground_truth_solution --gold ground_truth_answer --first-error model_output_solution_first_error_step --index-base 1 mr.jsonl >/dev/null

expect_rc 0 "stepmark align" sm align
ok "a job for each solution with a reference, none for the 23 without" has err "align: 11 new jobs"
ok "none failed" has out "align: 11 done, 0 failed"
ok "offline: no network figures" sh -c '! grep -q "requests\|libcurl\|tokens" out'
ok "this run's jobs and time" grep -q "^this run: 11 jobs done, 0 failed, [0-9.]* s$" out
ok "how many have no reference is said" has out "align: 11 solutions linked to their reference; 23 without a reference to link to, no job queued for them (stepmark import-reference gives them one)"
ok "no job without a reference" test "$(sql "SELECT count(*) FROM job j JOIN solution s ON s.id = j.solution_id JOIN problem p ON p.id = s.problem_id WHERE coalesce(p.reference, '') = ''")" = 0
with_ref=$(sql "SELECT count(*) FROM solution s JOIN problem p ON p.id = s.problem_id WHERE p.reference IS NOT NULL AND p.reference <> ''")
ok "every solution with a reference is aligned ($with_ref)" test "$(sql "SELECT count(DISTINCT solution_id) FROM alignment WHERE source = 'align'")" = "$with_ref"
ok "no reference, no rows" test "$(sql "SELECT count(*) FROM alignment a JOIN solution s ON s.id = a.solution_id JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'processbench_gsm8k_20'")" = 0

# MR-GSM8K: a model step restating a reference line links to it; the
# step with no counterpart is extra; the #### line is no step
mr1=$(sql "SELECT id FROM solution WHERE ext_key = 'mr-1'")
ok "mr-1: 1 -> 1, 2 extra, 3 -> 2, nothing skipped" test "$(sql "SELECT group_concat(step_idx || '>' || ref_step, ' ') FROM (SELECT * FROM alignment WHERE solution_id = $mr1 ORDER BY step_idx >= 0 AND ref_step < 0, step_idx, ref_step)")" = "0>0 2>1 1>-1"
ok "links have scores, extra steps none" test "$(sql "SELECT count(*) FROM alignment WHERE solution_id = $mr1 AND ((ref_step >= 0) = (score IS NULL))")" = 0
mr2=$(sql "SELECT id FROM solution WHERE ext_key = 'mr-2'")
ok "mr-2: 1 -> 1, the bare answer is extra, the last line skipped" test "$(sql "SELECT group_concat(step_idx || '>' || ref_step, ' ') FROM (SELECT * FROM alignment WHERE solution_id = $mr2 ORDER BY step_idx < 0, step_idx, ref_step)")" = "0>0 1>-1 -1>1"

# PRM800K: the model restates "5! ways" of the reference's third sentence
ok "PRM800K: 5! ways linked" test "$(sql "SELECT count(*) FROM alignment a JOIN step s ON s.solution_id = a.solution_id AND s.idx = a.step_idx WHERE a.ref_step = 2 AND s.text LIKE 'For the Democrats, there are 5! ways%' AND a.score > 0.5")" -ge 1

# again: the same jobs run again (offline, the links are replaced); a new
# threshold is a new run that replaces them too
rows=$(sql "SELECT count(*) FROM alignment")
expect_rc 0 "align again" sm align
ok "no new jobs, the done ones again" has err "align: 0 new jobs, 11 done ones run again"
ok "the same rows" test "$(sql "SELECT count(*) FROM alignment")" = "$rows"
expect_rc 0 "align with --min-score 90" sm align --min-score 90
ok "a new run" has err "align: 11 new jobs"
ok "fewer links" test "$(sql "SELECT count(*) FROM alignment WHERE step_idx >= 0 AND ref_step >= 0")" -lt "$(echo "$rows")"
ok "one set of rows per solution and source" test "$(sql "SELECT count(*) FROM (SELECT solution_id, step_idx, ref_step FROM alignment GROUP BY 1, 2, 3 HAVING count(*) > 1)")" = 0
expect_rc 2 "min-score out of range" sm align --min-score 101
ok "says the range" has err "provider align: min-score is 0 to 100 (percent)"
expect_rc 0 "back to the default" sm align
ok "the default's links are back" test "$(sql "SELECT count(*) FROM alignment")" = "$rows"
# --quiet: no summary unless something failed (issue 29)
expect_rc 0 "align --quiet" sm align --quiet
ok "align --quiet says nothing" sh -c '! [ -s out ] && ! [ -s err ]'
cp store.db calc.db
expect_rc 0 "fetch --calc --quiet" sm --db calc.db fetch --calc --quiet
ok "fetch --quiet says nothing" sh -c '! [ -s out ] && ! [ -s err ]'

# the workbench: the pane below the steps at 80x24, following the cursor
TUI_SIZE=80x24 tui_run ":open $mr1
:save-display a1.txt
j
:save-display a2.txt
j
:save-display a3.txt" --annotator zoe
has a1.txt " Reference  1 = ref 1"
has a1.txt "Tom has 3*4=12 apples."
ok "the link's score and source tag the step" grep -q "Tom has 3\*4=12 apples\. .* [01]\.[0-9][0-9] align" a1.txt
ok "the annotation is left out" sh -c '! grep -q "<<" a1.txt'
has a1.txt "answer: 7"
has a2.txt " Reference  2: extra"
has a2.txt "| extra (align)"
has a3.txt " Reference  3 = ref 2"
TUI_SIZE=80x24 tui_run ":open $mr2
S
:save-display b.txt" --annotator zoe
has b.txt " Reference  1 = ref 1  1 skipped (S)"
has b.txt "reference step 2 of 2: skipped, no step restates it"
ok "the skipped step is tagged" grep -q "Then she reads 4 more: 30+4=34\. .* skipped" b.txt
# 120 columns: beside the steps
TUI_SIZE=120x40 tui_run ":open $mr1
:save-display w.txt" --annotator zoe
ok "the pane beside the steps, the divider as on screen" grep -q "unlabelled | mr:+1 .* │ Reference  1 = ref 1" w.txt
# S goes on from the skipped step it showed and wraps, also where the
# pane cannot put that step at its top (a short reference)
cat >mr3.jsonl <<'J'
{"uuid": "mr-3", "question": "Bo buys 2 packs of 3 pens, then 4 more pens. How many pens?", "ground_truth_solution": "Bo buys 2*3=<<2*3=6>>6 pens in packs.\nThe shop is open on Sundays.\nThen he has 6+4=<<6+4=10>>10 pens.\nThe shop closes at nine.\n#### 10", "ground_truth_answer": 10, "model_output_steps": ["Step 1: Bo buys 2 * 3 = 6 pens in packs.", "Step 2: Then he has 6 + 4 = 10 pens."], "model_output_solution_first_error_step": null}
J
sm import --format generic --dataset mr3 --id uuid --problem question --steps model_output_steps --reference ground_truth_solution --gold ground_truth_answer --first-error model_output_solution_first_error_step --index-base 1 mr3.jsonl >/dev/null
sm align >/dev/null 2>&1
mr3=$(sql "SELECT id FROM solution WHERE ext_key = 'mr-3'")
ok "mr-3: reference steps 2 and 4 skipped" test "$(sql "SELECT group_concat(ref_step) FROM (SELECT ref_step FROM alignment WHERE solution_id = $mr3 AND step_idx < 0 ORDER BY ref_step)")" = "1,3"
TUI_SIZE=80x24 tui_run ":open $mr3
S
:save-display k1.txt
S
:save-display k2.txt
S
:save-display k3.txt
:open $mr2
S
S
:save-display k4.txt" --annotator zoe
has k1.txt "reference step 2 of 4: skipped, no step restates it"
has k2.txt "reference step 4 of 4: skipped, no step restates it"
has k3.txt "reference step 2 of 4: skipped, no step restates it (from the top)"
has k4.txt "reference step 2 of 2: skipped, no step restates it (the only one)"
finish
