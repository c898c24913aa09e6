#!/bin/sh
# The fault matrix: every provider (judge with samples, MC vanilla and
# bisect, the pooling PRM) against a server that fails 30 % of requests
# with every kind of fault, each request at most twice, so a correct
# retrying client always finishes: every job ends done, none hangs (each
# run under a time limit), no suggestion is stored twice, and the requests
# stay within the retries' bound.
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config cfg "endpoint judge retries 3" "endpoint prm retries 3" "endpoint policy retries 3" \
	"endpoint judge concurrency 4" "endpoint policy concurrency 4" "endpoint prm concurrency 4"
reqs() { fake_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }

faults='{"fault": "503", "rate": 0.1, "max_per_request": 2},
 {"fault": "nullcontent", "rate": 0.05, "max_per_request": 1},
 {"fault": "malformed", "rate": 0.05, "max_per_request": 1},
 {"fault": "fewchoices", "rate": 0.05, "max_per_request": 1},
 {"fault": "reset", "rate": 0.05, "max_per_request": 1},
 {"fault": "error200", "rate": 0.05, "max_per_request": 1}'

# matrix NAME OPTIONS...: all solutions, faults on, then the checks. A
# judge whose every sample comes back without content has answered (a
# failed job, as fetch_faults.sh checks): that fault is left out for it.
matrix() {
	local name=$1 spec=$faults
	shift
	case $name in judge*) spec=$(printf '%s' "$faults" | grep -v nullcontent) ;; esac
	sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"
	fake_control "{\"faults\": [$spec], \"latency_ms\": 0}"
	local before
	before=$(reqs)
	timeout 240 "$STEPMARK" fetch --config cfg --quiet "$@" >out 2>err
	local rc=$?
	local n=$(($(reqs) - before))
	ok "$name: finished in time, exit 0 ($rc)" test "$rc" = 0
	[ "$rc" = 0 ] || sed "s/^/  $name: /" out err | tail -12
	ok "$name: every job done" test "$(sql "SELECT count(*) FROM job WHERE state != 'done'")" = 0
	ok "$name: a job per solution" test "$(sql "SELECT count(*) FROM job")" = 20
	ok "$name: nothing stored twice" test "$(sql "SELECT count(*) FROM (SELECT job_id, coalesce(step_idx, -1) k, count(*) c FROM suggestion WHERE job_id IS NOT NULL GROUP BY 1, 2 HAVING c > 1)")" = 0
	ok "$name: the requests within the retries' bound ($n)" \
		test "$n" -le $(( $(sql "SELECT sum(requests) FROM job") * 4 ))
	# libcurl sends a request again when a reused connection was reset:
	# every request the server saw is counted
	ok "$name: every request counted ($n sent)" test "$n" = "$(sql "SELECT sum(requests) FROM job")"
	echo "# $name: $n requests for $(sql "SELECT sum(requests) FROM job") counted by the jobs"
}

matrix "judge, 3 samples" --judge --samples 3
matrix "mc vanilla" --mc --strategy vanilla --rollouts 4
matrix "mc bisect" --mc --strategy bisect --rollouts 4
matrix "prm pooling" --prm
# jobs that fail for good while their other requests wait in the queue:
# those are dropped (the queue stays whole), and the run ends
fake_config cfg2 "endpoint policy concurrency 1" "endpoint policy retries 1"
sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"
fake_control '{"faults": [{"fault": "400", "rate": 0.15, "max_per_request": 5}, {"fault": "503", "rate": 0.2, "max_per_request": 1}], "latency_ms": 0}'
timeout 120 "$STEPMARK" fetch --config cfg2 --quiet --mc --strategy vanilla --rollouts 4 >out 2>err
rc=$?
ok "failing jobs: the run ends (not a hang: $rc)" test "$rc" != 124
ok "failing jobs: some failed" test "$(sql "SELECT count(*) FROM job WHERE state = 'failed'")" -gt 0
ok "failing jobs: none left queued or leased" test "$(sql "SELECT count(*) FROM job WHERE state IN ('queued', 'leased')")" = 0
ok "failing jobs: a failed job stored nothing" test "$(sql "SELECT count(*) FROM suggestion s JOIN job j ON j.id = s.job_id WHERE j.state = 'failed'")" = 0

ok "every fault kind was served" python3 -c '
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/stats"))
served = s.get("faults_served", {})
missing = [k for k in ("503", "nullcontent", "malformed", "reset", "error200") if not served.get(k)]
assert not missing, (missing, served)
' "$FAKE_URL"
finish
