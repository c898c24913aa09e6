#!/bin/sh
# Every fault the fake server can inject: the job ends as it should,
# nothing malformed is stored, nothing is stored twice.
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config cfg "endpoint judge retries 3" "endpoint prm retries 3"
reqs() { fake_stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }

# fault NAME SPEC WANT-STATE WANT-REQUESTS [PROVIDER-OPTIONS...]: a fresh
# job for solution 1 meets the fault; checks its end and the store
fault() {
	local name=$1 spec=$2 want=$3 nreq=$4
	shift 4
	sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"
	fake_control "{\"faults\": [$spec], \"latency_ms\": 0}"
	local before
	before=$(reqs)
	sm fetch --config cfg --solution 1 "$@" >out 2>err
	local rc=$? state n
	state=$(sql "SELECT state FROM job")
	n=$(($(reqs) - before))
	ok "$name: the job is $want ($state)" test "$state" = "$want"
	ok "$name: $nreq requests ($n)" test "$n" = "$nreq"
	if [ "$want" = done ]; then
		ok "$name: exit 0 ($rc)" test $rc = 0
		ok "$name: one outcome stored" test "$(sql "SELECT count(*) FROM suggestion WHERE job_id IS NOT NULL AND step_idx IS NULL")" -le 1
		ok "$name: suggestions stored" test "$(sql "SELECT count(*) FROM suggestion WHERE job_id IS NOT NULL")" -ge 1
		ok "$name: the cache holds one good response" test "$(sql "SELECT count(*) FROM response_cache WHERE json_valid(body) AND json_extract(body, '\$.error') IS NULL")" = 1
	else
		ok "$name: exit 1 ($rc)" test $rc = 1
		ok "$name: nothing stored" test "$(sql "SELECT count(*) FROM suggestion WHERE job_id IS NOT NULL")" = 0
		ok "$name: no error cached" test "$(sql "SELECT count(*) FROM response_cache WHERE json_extract(body, '\$.error') IS NOT NULL")" = 0
	fi
	ok "$name: no malformed response cached" test "$(sql "SELECT count(*) FROM response_cache WHERE NOT json_valid(body)")" = 0
}
why() { # why TEXT: the job's reason holds TEXT
	ok "reason: $1" has_reason "$1"
}
has_reason() {
	sql "SELECT last_error FROM job" >reason
	has reason "$1"
}

fault "500 twice" '{"fault": "500", "times": 2}' done 3 --judge
fault "503 twice" '{"fault": "503", "times": 2}' done 3 --judge
t0=$(date +%s.%N)
fault "429 with Retry-After: 2" '{"fault": "429", "times": 1, "retry_after": 2}' done 2 --judge
t1=$(date +%s.%N)
ok "Retry-After was honoured" python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 2 else 1)"
fault "429 with retry-after-ms" '{"fault": "429", "times": 2, "retry_after_ms": 100}' done 3 --judge
fault "quota" '{"fault": "quota", "times": 5}' failed 1 --judge
why "quota exhausted"
fault "400" '{"fault": "400", "times": 5}' failed 1 --judge
why "HTTP 400: injected 400"
fault "401" '{"fault": "401", "times": 5}' failed 1 --judge
fault "404" '{"fault": "404", "times": 5}' failed 1 --judge
fault "HTML 502" '{"fault": "html", "times": 1}' done 2 --judge
fault "connection reset" '{"fault": "reset", "times": 2}' done 3 --judge
fault "truncated body" '{"fault": "truncate", "times": 1}' done 2 --judge
fault "malformed JSON" '{"fault": "malformed", "times": 2}' done 3 --judge
fault "HTTP 200 carrying an error" '{"fault": "error200", "times": 1}' done 2 --judge
fault "500 past the retries" '{"fault": "500", "times": 20}' failed 4 --judge
why "gave up: HTTP 500"
why "4 attempts"
fault "null content with reasoning" '{"fault": "nullcontent", "times": 5}' failed 1 --judge --samples 3
why "the judge's replies had no content (only reasoning"
# an empty reply is paid for but not kept: --retry-failed asks again
ok "an empty reply is not cached" test "$(sql "SELECT count(*) FROM response_cache")" = 0
fake_control '{"faults": [], "latency_ms": 0}'
before=$(reqs)
sm fetch --config cfg --solution 1 --judge --samples 3 --retry-failed >out 2>err
ok "--retry-failed sends it again ($(($(reqs) - before)))" test $(($(reqs) - before)) = 1
ok "and the job is done" test "$(sql "SELECT state FROM job")" = done
# one kept by an older stepmark is asked again, not taken from the cache
for i in 0 1 2; do
	sql "UPDATE response_cache SET body = json_set(body, '\$.choices[$i].message.content', json('null'), '\$.choices[$i].message.reasoning_content', 'hmm', '\$.choices[$i].finish_reason', 'length')"
done
sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; UPDATE job SET state = 'failed'"
before=$(reqs)
sm fetch --config cfg --solution 1 --judge --samples 3 --retry-failed >out 2>err
ok "a cached empty reply is asked again ($(($(reqs) - before)))" test $(($(reqs) - before)) = 1
ok "and the job is done again" test "$(sql "SELECT state FROM job")" = done
# the tokens of a reply count once: one from the cache cost nothing more
fake_config cfg2 "endpoint judge retries 1" "endpoint judge max-n 1"
sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"
fake_control '{"faults": [{"fault": "500", "times": 10, "match": "\"seed\":1,"}], "latency_ms": 0}'
sm fetch --config cfg2 --solution 1 --judge --samples 2 >out 2>err
ok "a sample's 500s fail the job" test "$(sql "SELECT state FROM job")" = failed
fake_control '{"faults": [], "latency_ms": 0}'
sm fetch --config cfg2 --solution 1 --judge --samples 2 --retry-failed >out 2>err
ok "--retry-failed ends it" test "$(sql "SELECT state FROM job")" = done
ok "two replies' tokens, each once ($(sql "SELECT tokens FROM job"))" test "$(sql "SELECT tokens FROM job")" = 140
fault "one short reply is retried" '{"fault": "fewchoices", "times": 1}' done 2 --judge --samples 2
fault "short replies again and again" '{"fault": "fewchoices", "times": 5}' failed 4 --judge --samples 2
why "gave up: asked for 2 choices, got 1"
why "set endpoint judge's max-n to 1"
fault "a PRM row short" '{"fault": "rows", "times": 5}' failed 1 --prm
why "rows for"
fault "a PRM 503 then fine" '{"fault": "503", "times": 1}' done 2 --prm
# a slow reply past the endpoint's timeout is retried
fake_config cfg "endpoint judge retries 3" "endpoint judge timeout 1"
fault "slow past the timeout" '{"fault": "slow", "times": 1, "latency_ms": 3000}' done 2 --judge
why_none=$(sql "SELECT count(*) FROM job WHERE last_error IS NOT NULL")
ok "a success keeps no error" test "$why_none" = 0
# the status line of fetch says why it failed
fault "quota (report)" '{"fault": "quota", "times": 5}' failed 1 --judge
ok "the report lists the failure" has out "quota exhausted"
ok "integrity" test "$(sql 'PRAGMA integrity_check')" = ok
finish
