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
expect_rc 0 "a fetch of $n judge requests" strace -f -c -o trace "$STEPMARK" fetch --config cfg --judge --quiet
ok "every job done" test "$(sql "SELECT count(*) FROM job WHERE state = 'done'")" = $n
locks=$(calls fcntl trace)
polls=$(calls 'poll|ppoll|select|pselect6' trace)
echo "# $n requests: $locks fcntl, $polls poll calls"
ok "fewer fcntl calls than requests ($locks)" test "$locks" -lt $n
# libcurl's own check of a reused connection is about 2 per request
# (1.8 here); a poll per transfer in flight at each wake-up was 10 (main)
ok "at most 2.5 poll calls per request ($polls)" test "$polls" -le $((n * 5 / 2))
finish
