#!/bin/sh
# stepmark fetch end to end against the fake server: every provider, the
# cache, keys, batch round trip, kill -9 and two fetches at once
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config cfg
reqs() { fake_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }

expect_rc 0 "judge and calc" sm fetch --config cfg --judge --calc
ok "20 judge verdicts" test "$(sql "SELECT count(*) FROM suggestion WHERE source='judge' AND step_idx IS NULL AND first_error BETWEEN -1 AND 20")" = 20
ok "every verdict keeps its rationale" test "$(sql "SELECT count(*) FROM suggestion WHERE source='judge' AND rationale LIKE '%boxed{%'")" = 20
ok "the summary knows the judge" test "$(sql "SELECT count(*) FROM summary WHERE verdicts LIKE '%#judge/sim-judge%'")" = 20
ok "calc checked claims" test "$(sql "SELECT count(*) FROM suggestion WHERE source='calc' AND rationale LIKE '%true%'")" -gt 10
ok "jobs done" test "$(sql "SELECT count(*) FROM job WHERE state='done'")" = 40
before=$(reqs)
expect_rc 0 "a rerun" sm fetch --config cfg --judge --calc
ok "a rerun queues nothing" has err "judge: 0 new jobs"
ok "a rerun sends nothing" test "$(reqs)" = "$before"
# forget the outcome but not the cache: nothing is paid twice
sql "DELETE FROM suggestion WHERE source='judge'; DELETE FROM job WHERE kind='judge'"
expect_rc 0 "judge again from the cache" sm fetch --config cfg --judge
ok "the cache answered" has out "0 requests sent (0 of them sent again by libcurl), 20 answered from the cache"
ok "still nothing sent" test "$(reqs)" = "$before"
ok "one verdict per solution" test "$(sql "SELECT count(*) FROM suggestion WHERE source='judge'")" = 20

expect_rc 0 "mc vanilla" sm fetch --config cfg --mc --rollouts 8
ok "k/n for every prefix" test "$(sql "SELECT count(*) FROM suggestion WHERE source='mc' AND step_idx IS NOT NULL AND n = 8 AND k BETWEEN 0 AND 8")" = 102
ok "a first error per solution" test "$(sql "SELECT count(*) FROM suggestion WHERE source='mc' AND step_idx IS NULL")" = 20
expect_rc 0 "mc bisect" sm fetch --config cfg --mc --strategy bisect
v=$(sql "SELECT sum(g.n) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params NOT LIKE '%bisect%' AND g.source='mc'")
b=$(sql "SELECT sum(g.n) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params LIKE '%bisect%' AND g.source='mc'")
ok "bisect uses fewer rollouts ($b < $v)" test "$b" -lt "$v"
ok "bisect decides every solution" test "$(sql "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params LIKE '%bisect%' AND g.step_idx IS NULL")" = 20
# chat continuation through the chat endpoint
fake_config cfg-chat "provider mc chat yes" "provider mc rollouts 2"
expect_rc 0 "mc chat continuation" sm fetch --config cfg-chat --mc --limit 3
ok "continuation rollouts" test "$(sql "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params LIKE '%\"chat\":1%' AND g.n = 2")" -gt 5
# the mc template is not used in chat mode: editing it makes no new jobs
jobs_before=$(sql "SELECT count(*) FROM job")
printf 'Q: {problem}\nA: {prefix}' >mc-edited.txt
cp cfg-chat cfg-chat2 && echo "provider mc template $PWD/mc-edited.txt" >>cfg-chat2
expect_rc 0 "mc chat with an edited template" sm fetch --config cfg-chat2 --mc --limit 3
ok "an unused template makes no new jobs" test "$(sql "SELECT count(*) FROM job")" = "$jobs_before"
sm fetch --config cfg-chat2 --template mc >/dev/null 2>tmpl-err
ok "--template says the chat template is unused" grep -q "not used" tmpl-err
grep -q continue_final_message fake.log 2>/dev/null || true

expect_rc 0 "prm over /pooling" sm fetch --config cfg --prm
ok "a reward per step" test "$(sql "SELECT count(*) FROM suggestion WHERE source='prm' AND value > 0 AND value < 1")" = 102
fake_config cfg-sh "endpoint prm kind completions" "provider prm style shepherd"
expect_rc 0 "prm from + and - logprobs" sm fetch --config cfg-sh --prm --limit 2
ok "shepherd rewards" test "$(sql "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params LIKE '%shepherd%' AND value > 0 AND value < 1")" -gt 5
expect_rc 0 "export reads a provider" sm export --format processbench --source judge/sim-judge -o pb.jsonl
ok "20 exported" has err "20 solutions exported"

# the template is the user's to edit
sm fetch --config cfg --template judge >judge.tmpl
ok "the judge template has paragraphs" has judge.tmpl "{steps}"
sed 's/Read the solution/Study the solution/' judge.tmpl >judge2.tmpl
fake_config cfg-t "provider judge template $TMP/judge2.tmpl"
expect_rc 0 "an edited template makes new jobs" sm fetch --config cfg-t --judge --limit 2
ok "new jobs for the new wording" has err "judge: 2 new jobs"
echo '{nope}' >bad.tmpl
fake_config cfg-b "provider judge template $TMP/bad.tmpl"
expect_rc 1 "a bad placeholder" sm fetch --config cfg-b --judge
ok "the placeholder is named" has err 'unknown placeholder "{nope}"'

# keys: from the environment or a private file; never stored or shown
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null
start_fake --key sk-secret-4242
fake_config cfgk "endpoint judge key-env SIM_KEY"
expect_rc 1 "no key in the environment" sm fetch --config cfgk --judge --samples 2
ok "the variable is named" has err "SIM_KEY"
SIM_KEY=sk-wrong-9999 expect_rc 1 "a wrong key" sm fetch --config cfgk --judge --samples 2 --limit 2
ok "the failure is kept" has out "HTTP 401"
ok "the wrong key is not echoed" test "$(grep -c sk-wrong-9999 out err)" = "out:0
err:0"
SIM_KEY=sk-secret-4242 expect_rc 0 "the right key" sm fetch --config cfgk --judge --samples 2 --retry-failed
printf 'sk-secret-4242\n' >keyfile
chmod 644 keyfile
fake_config cfgf "endpoint judge key-file $TMP/keyfile"
expect_rc 1 "a key file others can read" sm fetch --config cfgf --judge --samples 3 --limit 1
ok "mode is named" has err "chmod 600"
chmod 600 keyfile
expect_rc 0 "a private key file" sm fetch --config cfgf --judge --samples 3 --limit 1
sqlite3 store.db .dump >dump.sql
ok "no key in the store" test "$(grep -c -e sk-secret-4242 -e sk-wrong-9999 dump.sql)" = 0
sm export --format csv --source judge/sim-judge -o x.csv
ok "no key in an export" test "$(grep -c sk-secret x.csv)" = 0

# batch round trip: write the requests, run them elsewhere, read back
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null
start_fake
fake_config cfg
before=$(reqs)
expect_rc 0 "batch out" sm fetch --config cfg --judge --samples 4 --batch-out batch.jsonl
ok "one line per request" test "$(wc -l <batch.chat-completions.jsonl)" = 20
ok "one file: chat completions only, and the manifest" test "$(ls batch.* | tr '\n' ' ')" = "batch.chat-completions.jsonl batch.manifest.json "
ok "the file is listed with its engine" has out "batch.chat-completions.jsonl: 20 requests for /v1/chat/completions, model sim-judge (the OpenAI Batch API: one batch per file)"
ok "nothing sent" test "$(reqs)" = "$before"
ok "the jobs wait in the queue" test "$(sql "SELECT count(*) FROM job WHERE params LIKE '%\"samples\":4%' AND state='queued'")" = 20
# play the batch runner, answering in reverse order, one line broken
python3 - "$FAKE_URL" <<'PY' >results.jsonl
import json, sys, urllib.request
lines = [json.loads(l) for l in open("batch.chat-completions.jsonl")]
out = []
for l in lines:
    assert l["method"] == "POST" and l["url"] == "/v1/chat/completions"
    req = urllib.request.Request(sys.argv[1] + l["url"], data=json.dumps(l["body"]).encode(),
                                 headers={"Content-Type": "application/json"})
    body = json.load(urllib.request.urlopen(req))
    out.append({"id": "batch_req_x", "custom_id": l["custom_id"],
                "response": {"status_code": 200, "request_id": "r", "body": body}, "error": None})
for o in reversed(out):
    print(json.dumps(o))
print('{"custom_id": "0123", "response": null, "error": {"code": "x", "message": "failed"}}')
PY
before=$(reqs)
expect_rc 0 "batch in" sm fetch --config cfg --judge --samples 4 --batch-in results.jsonl
ok "20 stored" has out "20 responses stored"
ok "the bad line is named" has err "results.jsonl:21:"
ok "nothing sent after batch in" test "$(reqs)" = "$before"
ok "batch jobs done" test "$(sql "SELECT count(*) FROM job WHERE params LIKE '%\"samples\":4%' AND state='done'")" = 20
ok "the batch's tokens counted once each" test "$(sql "SELECT sum(tokens) FROM job WHERE params LIKE '%\"samples\":4%'")" = $((20 * (50 + 20 * 4)))

# the same request for two solutions is one line in a batch file, and its
# one result serves both
sm --db twice.db import "$FIXTURES/processbench_gsm8k_20.json" --dataset a >/dev/null
sm --db twice.db import "$FIXTURES/processbench_gsm8k_20.json" --dataset b >/dev/null
expect_rc 0 "batch out of identical requests" sm --db twice.db fetch --config cfg --judge --batch-out twice.jsonl
ok "one line per distinct request" test "$(wc -l <twice.chat-completions.jsonl)" = 20
ok "every custom_id once" test "$(python3 -c 'import json; ids = [json.loads(l)["custom_id"] for l in open("twice.chat-completions.jsonl")]; print(len(ids) - len(set(ids)))')" = 0
ok "the summary counts lines, for 40 jobs" has out "20 requests written for 40 jobs"
# several endpoints' requests: one file per URL, split at --batch-lines
# (exit 1: the MC jobs of solutions without a gold answer fail)
expect_rc 1 "batch out of judge and mc" sm --db twice.db fetch --config cfg --judge --mc \
	--rollouts 2 --dataset a --batch-out mix.jsonl --batch-lines 30
ok "files per URL, split" python3 - <<'PY'
import glob, json, re, sys
files = sorted(f for f in glob.glob("mix.*") if not f.endswith(".manifest.json"))
want = {"chat-completions": "/v1/chat/completions", "completions": "/v1/completions"}
ids, total, parts = set(), 0, 0
out = open("out").read()
for f in files:
    m = re.fullmatch(r"mix\.([a-z-]+)(?:\.(\d+))?\.jsonl", f)
    assert m and m.group(1) in want, f
    parts += m.group(2) is not None
    lines = [json.loads(l) for l in open(f)]
    assert 0 < len(lines) <= 30, (f, len(lines))
    assert all(l["url"] == want[m.group(1)] for l in lines), f
    for l in lines:
        assert l["custom_id"] not in ids
        ids.add(l["custom_id"])
    total += len(lines)
    assert "%s: %d requests for %s, model " % (f, len(lines), want[m.group(1)]) in out, (f, out)
assert {re.match(r"mix\.([a-z-]+)", f).group(1) for f in files} == set(want), files
assert parts >= 1, files
assert "%d requests written" % total in out, out
PY
# the same requests sent: each distinct body once, its reply shared
rm -f twice.db*
sm --db twice.db import "$FIXTURES/processbench_gsm8k_20.json" --dataset a >/dev/null
sm --db twice.db import "$FIXTURES/processbench_gsm8k_20.json" --dataset b >/dev/null
fake_control '{"latency_ms": 150}'
fake_config cfg-wide "endpoint judge concurrency 32"
before=$(reqs)
expect_rc 0 "identical requests in flight" sm --db twice.db fetch --config cfg-wide --judge --samples 2
fake_control '{"latency_ms": 0}'
ok "each distinct request sent once ($(($(reqs) - before)))" test "$(($(reqs) - before))" = 20
ok "40 jobs done" test "$(sqlite3 twice.db "SELECT count(*) FROM job WHERE state = 'done'")" = 40
ok "both copies got the same verdicts" test "$(sqlite3 twice.db "SELECT count(*) FROM suggestion a JOIN solution sa ON sa.id = a.solution_id JOIN solution sb ON sb.ext_key = sa.ext_key AND sb.id != sa.id JOIN suggestion b ON b.solution_id = sb.id AND b.source = a.source AND coalesce(b.step_idx, -1) = coalesce(a.step_idx, -1) WHERE a.source = 'judge' AND a.first_error IS NOT b.first_error")" = 0
ok "the requests are booked once" test "$(sqlite3 twice.db "SELECT sum(requests) FROM job")" = 20

# status
expect_rc 0 "status" sm fetch --config cfg --judge --status
ok "status counts" has out "judge: 20 done, 0 failed"

# kill -9 in the middle, then resume: nothing lost, nothing twice
fake_control '{"latency_ms": 400}'
fake_config cfg5 "provider judge samples 5" "endpoint judge concurrency 4"
"$STEPMARK" fetch --config cfg5 --judge --quiet >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 $pid
wait $pid 2>/dev/null
ok "the kill left leased jobs" test "$(sql "SELECT count(*) FROM job WHERE params LIKE '%\"samples\":5%' AND state='done'")" -lt 20
fake_control '{"latency_ms": 0}'
expect_rc 0 "resume after kill -9" sm fetch --config cfg5 --judge
ok "all done after resume" test "$(sql "SELECT count(*) FROM job WHERE params LIKE '%\"samples\":5%' AND state='done'")" = 20
ok "one verdict each" test "$(sql "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params LIKE '%\"samples\":5%'")" = 20

# two fetches at once on one store: every job once
fake_control '{"latency_ms": 50}'
fake_config cfg6 "provider judge samples 6" "endpoint judge concurrency 2"
before=$(reqs)
"$STEPMARK" fetch --config cfg6 --judge --quiet >a.out 2>&1 &
p1=$!
"$STEPMARK" fetch --config cfg6 --judge --quiet >b.out 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
ok "both fetches succeed ($r1 $r2)" test "$r1$r2" = 00
n=$(($(reqs) - before))
ok "20 jobs, 20 requests ($n)" test "$n" = 20
ok "one verdict each (two fetches)" test "$(sql "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.params LIKE '%\"samples\":6%'")" = 20

# Ctrl-C stops cleanly: leases given back
fake_control '{"latency_ms": 2000}'
fake_config cfg7 "provider judge samples 7"
"$STEPMARK" fetch --config cfg7 --judge >c.out 2>c.err &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
ok "Ctrl-C exits 130 ($rc)" test $rc = 130
ok "Ctrl-C says how to go on" has c.err "went back to the queue"
ok "no lease left" test "$(sql "SELECT count(*) FROM job WHERE state='leased'")" = 0
ok "integrity" test "$(sql 'PRAGMA integrity_check')" = ok

# Ctrl-C keeps the books: each request counted as it was sent, answered
# or not, and the tokens of each reply that came, though its job went back
# to the queue. Nine single samples a job, the last one slow: once the
# slow ones fill the four slots nothing more is sent; then Ctrl-C.
slow() { fake_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["faults_served"].get("slow", 0))'; }
fake_config cfg9 "provider judge samples 9" "endpoint judge max-n 1" "endpoint judge concurrency 4"
fake_control '{"faults": [{"fault": "slow", "times": 1000, "match": "\"seed\":8,", "latency_ms": 20000}], "latency_ms": 0}'
before=$(reqs)
slow0=$(slow)
"$STEPMARK" fetch --config cfg9 --judge >c9.out 2>c9.err &
pid=$!
n=0 last=-1
while [ "$(reqs)" != "$last" ] && [ $n -lt 60 ]; do last=$(reqs); sleep 0.5; n=$((n + 1)); done
kill -INT $pid
wait $pid
rc=$?
sent=$(($(reqs) - before))
came=$((sent - ($(slow) - slow0)))
ok "Ctrl-C with requests in flight exits 130 ($rc)" test $rc = 130
B="params LIKE '%\"samples\":9%'"
ok "every request sent is counted ($sent sent, $(sql "SELECT sum(requests) FROM job WHERE $B") counted)" \
	test "$(sql "SELECT sum(requests) FROM job WHERE $B")" = "$sent"
ok "and the tokens of the $came replies that came ($(sql "SELECT sum(tokens) FROM job WHERE $B"))" \
	test "$(sql "SELECT sum(tokens) FROM job WHERE $B")" = $((came * 70))
ok "the jobs went back to the queue" test "$(sql "SELECT count(*) FROM job WHERE $B AND state = 'leased'")" = 0
fake_control '{"faults": [], "latency_ms": 0}'

# --dataset and --limit choose what runs, not only what is queued: jobs
# queued earlier for another data set wait
fake_config "$XDG_CONFIG_HOME/stepmark/config"
sm --db sel.db import "$FIXTURES/processbench_gsm8k_20.json" --dataset one >/dev/null
sm --db sel.db import "$FIXTURES/math_shepherd_example.json" --dataset two >/dev/null
sm --db sel.db fetch --judge --batch-out sel.jsonl --quiet >/dev/null 2>&1
ok "21 judge jobs wait" test "$(sqlite3 sel.db "SELECT count(*) FROM job WHERE state = 'queued'")" = 21
sm --db sel.db fetch --judge --dataset two --quiet >/dev/null 2>&1
ok "--dataset two ran its one job" test "$(sqlite3 sel.db "SELECT count(*) FROM job j JOIN solution s ON s.id = j.solution_id JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'two' AND j.state = 'done'")" = 1
ok "and left data set one's waiting" test "$(sqlite3 sel.db "SELECT count(*) FROM job WHERE state = 'queued'")" = 20
sm --db sel.db fetch --judge --dataset one --limit 5 --quiet >/dev/null 2>&1
ok "--limit 5 ran five" test "$(sqlite3 sel.db "SELECT count(*) FROM job WHERE state = 'done'")" = 6

# MC on plain ProcessBench: the gold answers derived from solutions marked
# correct are enough where there is one; elsewhere the job says why
fake_config "$XDG_CONFIG_HOME/stepmark/config"
sm --db pb.db import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm --db pb.db fetch --mc --quiet >pb.out 2>pb.err
ok "MC ran on the problems with a derived gold" test "$(sqlite3 pb.db "SELECT count(*) FROM job WHERE kind='mc' AND state='done'")" = \
	"$(sqlite3 pb.db "SELECT count(*) FROM solution s JOIN problem p ON p.id = s.problem_id WHERE p.gold_answer IS NOT NULL")"
ok "and stored estimates" test "$(sqlite3 pb.db "SELECT count(*) FROM suggestion WHERE source='mc'")" -gt 0
ok "the others say why" has pb.out "ProcessBench has one only where a solution is marked correct"

# a full disk under --batch-out is an error, not "written" (a store whose
# cache answers nothing)
sm --db full.db import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
expect_rc 1 "--batch-out /dev/full fails" sm --db full.db fetch --config cfg --judge --limit 3 --batch-out /dev/full
ok "says the write failed" has err "/dev/full: write failed"
ok "does not say written" sh -c '! grep -q "requests written" out'
ok "no file made beside the device" test ! -e /dev/full.chat-completions.jsonl

finish
