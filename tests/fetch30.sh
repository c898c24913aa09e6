#!/bin/sh
# fetch's system calls per request at concurrency 64 (issue 30): the
# store's read locks taken once per lease, not twice per job; the
# transfers' sockets waited on together, not polled one by one
. "$top_srcdir/tests/lib.sh"
command -v strace >/dev/null || { echo "# no strace"; exit 77; }
strace -f -c -o /dev/null true 2>/dev/null || { echo "# strace cannot trace here"; exit 77; }
start_fake --latency-ms 50
n=300
python3 "$top_srcdir/tests/gen_big.py" --processbench $n >big.jsonl
sm import big.jsonl --format processbench --dataset big >/dev/null
fake_config cfg "endpoint judge concurrency 64"
# calls PATTERN FILE: the calls strace -c counted of the syscalls matching
calls() { awk -v p="$1" '$NF ~ "^(" p ")$" && $4 ~ /^[0-9]+$/ {n += $4} END {print n + 0}' "$2"; }
# LeakSanitizer cannot work under ptrace: leaks are the other tests' to find
san=
[ -z "${SANITIZED:-}" ] || san="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
expect_rc 0 "a fetch of $n judge requests" env $san strace -f -c -o trace "$STEPMARK" fetch --config cfg --judge --quiet
ok "every job done" test "$(sql "SELECT count(*) FROM job WHERE state = 'done'")" = $n
locks=$(calls fcntl trace)
polls=$(calls 'poll|ppoll|select|pselect6' trace)
echo "# $n requests: $locks fcntl, $polls poll calls"
ok "fewer fcntl calls than requests ($locks)" test "$locks" -lt $n
# libcurl's own check of a reused connection is about 2 per request
# (1.8 here); a poll per transfer in flight at each wake-up was 10 (main)
ok "at most 2.5 poll calls per request ($polls)" test "$polls" -le $((n * 5 / 2))

# a reply the cache has answers its job as the job starts, even while
# the endpoint has no room: the cache filled for the last 10 of 20
# solutions, then a fetch against a slow server whose first request
# (sent alone until a reply tells the rate limit) holds the endpoint
sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache"
sim_store
fake_config cfg2 "endpoint judge concurrency 8"
fake_control '{"latency_ms": 0}'
for id in $(sql "SELECT s.id FROM solution s JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'gsm8k' ORDER BY s.id LIMIT 10 OFFSET 10"); do
	sm fetch --config cfg2 --judge --dataset gsm8k --solution "$id" --quiet >/dev/null 2>&1
done
ok "10 replies cached" test "$(sql "SELECT count(*) FROM response_cache")" = 10
sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job"
fake_control '{"latency_ms": 4000}'
"$STEPMARK" fetch --config cfg2 --judge --dataset gsm8k --quiet >slow.out 2>slow.err &
slow=$!
ok "the cached jobs done before the first reply" \
	wait_for_sql "SELECT count(*) FROM job WHERE state = 'done'" 6 2
kill -INT $slow
wait $slow
fake_control '{"latency_ms": 0}'
finish
