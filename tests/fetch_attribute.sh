# fetch_attribute.sh - who failed and when: the three attribution methods
# against the fake server, through faults, nothing twice
. "$top_srcdir/tests/lib.sh"
need_shared who-when/Hand-Crafted/3.json
WW="$SHARED_DATA/who-when"

sim_whowhen "$WW" # the fake server's truth: each log's turn and agent
start_fake --judge-acc 1
expect_rc 0 "import the logs" sm import "$WW/Algorithm-Generated"
expect_rc 0 "import the logs" sm import "$WW/Hand-Crafted"
fake_config cfg "endpoint judge retries 6"
fake_control '{"faults": [{"fault": "500", "rate": 0.3, "max_per_request": 3}], "latency_ms": 0}'

# run METHOD: every log gets its method's attribution
run() {
	expect_rc 0 "$1: fetch" sm fetch --config cfg --attribute --method "$1" --quiet
	ok "$1: every job done" test "$(sql "select count(*) from job where kind = 'attribute' and state = 'done' and params like '%\"$1\"%'")" = 32
	ok "$1: one attribution per job, nothing twice" test "$(sql "select count(*) from suggestion g join job j on j.id = g.job_id where j.params like '%\"$1\"%'")" = 32
	# a right model finds the data's own attribution, turn and agent
	ok "$1: each the data's turn and agent" test "$(sql "select count(*) from suggestion g join job j on j.id = g.job_id join label l on l.solution_id = g.solution_id and l.kind = 'first_error' where j.params like '%\"$1\"%' and g.first_error = l.value and g.agent = l.agent")" = 32
}
run all-at-once
run step-by-step
run binary
ok "faults were met" test "$(fake_stats | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["faults_served"].values()))')" -gt 0
ok "the rationale keeps each round" test "$(sql "select count(*) from suggestion g join job j on j.id = g.job_id where j.params like '%binary%' and g.rationale like '%=== turns 0 to %'")" = 32
# step by step asks turn after turn until the decisive one: log 3 of
# Hand-Crafted (turn 32) took 33 questions
ok "step by step: 33 rounds for a decisive turn 32" test "$(sql "select (length(g.rationale) - length(replace(g.rationale, '=== turn ', ''))) / 9 from suggestion g join job j on j.id = g.job_id join solution s on s.id = g.solution_id join dataset d on d.id = s.dataset_id where d.name = 'Hand-Crafted' and s.ext_key = '3' and j.params like '%step-by-step%'")" = 33
# binary search: about log2(turns) rounds
ok "binary: log 3 (93 turns) in at most 7 rounds" test "$(sql "select (length(g.rationale) - length(replace(g.rationale, '=== turns ', ''))) / 10 from suggestion g join job j on j.id = g.job_id join solution s on s.id = g.solution_id join dataset d on d.id = s.dataset_id where d.name = 'Hand-Crafted' and s.ext_key = '3' and j.params like '%binary%'")" -le 7

# with the ground truth in the prompt: another job, its answer shown
fake_control '{"faults": [], "latency_ms": 0}'
expect_rc 0 "with the ground truth" sm fetch --config cfg --attribute --ground-truth yes --dataset Hand-Crafted --limit 1 --quiet
ok "a job of its own" test "$(sql "select count(*) from job where params like '%\"ground_truth\":true%'")" = 1
ok "the prompt shows the correct answer" test "$(fake_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["seen"].get("correct_answer", 0))')" = 1

# replies that name nothing: the jobs fail and say why
fake_control '{"mode": {"attr_vague": true}, "faults": [], "latency_ms": 0}'
for m in all-at-once step-by-step binary; do
	sm fetch --config cfg --attribute --method $m --ground-truth yes --dataset Hand-Crafted --limit 2 >out 2>err
	ok "$m: vague replies fail the job" test "$(sql "select count(*) from job where state = 'failed' and params like '%\"$m\",\"ground_truth\":true%'")" -ge 1
done
status() { sm fetch --config cfg --attribute --ground-truth yes --status --method "$1"; }
expect_rc 1 "the failures, by reason (exit 1: some failed)" status all-at-once
ok "all at once: no agent named" has out "the reply named no agent"
expect_rc 1 "the failures, by reason (exit 1: some failed)" status step-by-step
ok "step by step: neither yes nor no" has out "turn 0: the reply said neither yes nor no"
expect_rc 1 "the failures, by reason (exit 1: some failed)" status binary
ok "binary: neither half" has out "the reply named neither half"
# math solutions are no traces: no job for them
expect_rc 0 "a math data set" sm import "$FIXTURES/processbench_gsm8k_20.json" --as processbench
expect_rc 0 "fetch --attribute over every data set" sm fetch --config cfg --attribute --quiet
ok "no attribute job for a math solution" test "$(sql "select count(*) from job j join solution s on s.id = j.solution_id join dataset d on d.id = s.dataset_id where d.format = 'processbench'")" = 0

# each method's built-in prompt, printed
expect_rc 0 "the binary prompt" sm fetch --config cfg --template attribute --method binary
ok "asks for a half" has out 'Is it in the upper half (turns {lo} to {mid}) or in the lower half (turns {mid_next} to {hi})?'
finish
