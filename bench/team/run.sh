#!/bin/sh
# bench/team: several annotators on one store. N = 1, 4 and 8 (NS)
# workbenches, each its own annotator typing its own labelling script
# (bench/team/keys.py, seeded per session, KEYS keys PACE ms apart),
# on one PRM800K-shaped store of SIZE solutions (default 100 000), while
# `stepmark fetch --calc` writes suggestions through the whole session.
# Per N: key p50, p99 and max over every session's keys (the median of
# RUNS runs), and labels typed (the labelling keys each session reports
# saved: its trace's 'saved' lines) against labels stored (the store's
# actions of that annotator), checked exactly: the same action ids.
# Usage: [SIZE=N] [NS="1 4 8"] [RUNS=3] [KEYS=600] [PACE=60] bench/team/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
size=${SIZE:-100000}
ns=${NS:-1 4 8}
runs=${RUNS:-3}
nkeys=${KEYS:-600}
pace=${PACE:-60}
out=${BENCH_OUT:-$top/bench/out/team}
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8 TERM=xterm-256color COLUMNS=120 LINES=40 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
command -v sqlite3 >/dev/null || { echo "bench/team needs sqlite3"; exit 1; }
# the session never quits early (q in the queue would end it)
mkdir -p xdg/stepmark
printf 'bind queue q none\nbind queue Q none\n' >xdg/stepmark/config

db=s$size.db
printf ':quit\n' >quit.keys
if [ ! -f "$db" ]; then
	python3 "$top/tests/gen_big.py" --prm800k "$size" >gen.jsonl
	rm -f "$db.tmp"
	"$sm" --db "$db.tmp" import gen.jsonl >/dev/null
	rm -f gen.jsonl
	mv "$db.tmp" "$db"
fi
# summarised and upgraded before any run, not in one
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$sm" --db "$db" --annotator bench
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { # pct P: the P-th percentile of the numbers on standard input
	sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'
}

fail=0
echo "bench/team: $size solutions, $runs runs per N, $nkeys keys per session ${pace} ms apart, fetch --calc running; load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $ns; do
	: >"n$n.p50"; : >"n$n.p99"; : >"n$n.max"
	typed_all=0 stored_all=0 mismatch=0 fetch_done=0 bad_exit=0
	for run in $(seq "$runs"); do
		cp "$db" run.db
		rm -f run.db-wal run.db-shm tm*.txt tr*.txt e*.txt
		for i in $(seq "$n"); do python3 "$here/keys.py" "$nkeys" "$((run * 100 + i))" >k$i.txt; done
		"$sm" --db run.db fetch --calc >fetch.out 2>fetch.err &
		fetch=$!
		# the jobs queued (one transaction) before the sessions start
		w=0
		while ! grep -qs 'new jobs' fetch.err && [ $w -lt 600 ]; do sleep 0.1; w=$((w + 1)); done
		pids=""
		for i in $(seq "$n"); do
			STEPMARK_SCRIPT=k$i.txt STEPMARK_SCRIPT_PACE=$pace STEPMARK_NO_DISPLAY=1 \
				STEPMARK_TIMINGS=tm$i.txt STEPMARK_TRACE=tr$i.txt \
				"$sm" --db run.db --annotator "ann$i" 2>e$i.txt &
			pids="$pids $!"
		done
		for p in $pids; do wait "$p" || bad_exit=$((bad_exit + 1)); done
		if kill -0 "$fetch" 2>/dev/null; then
			kill -TERM "$fetch" 2>/dev/null || true
		else
			fetch_done=$((fetch_done + 1))
		fi
		wait "$fetch" || true
		cat tm*.txt | sed -n 's/^key [^ ]* //p' >keys.ms
		pct 50 <keys.ms >>"n$n.p50"
		pct 99 <keys.ms >>"n$n.p99"
		pct 100 <keys.ms >>"n$n.max"
		for i in $(seq "$n"); do
			sed -n 's/^saved action=\([0-9]*\) .*/\1/p' tr$i.txt | sort -n >typed.ids
			sqlite3 run.db "SELECT id FROM action WHERE annotator = 'ann$i' ORDER BY id" >stored.ids
			typed_all=$((typed_all + $(wc -l <typed.ids)))
			stored_all=$((stored_all + $(wc -l <stored.ids)))
			cmp -s typed.ids stored.ids || mismatch=$((mismatch + 1))
		done
	done
	p50=$(median <"n$n.p50"); p99=$(median <"n$n.p99"); mx=$(median <"n$n.max")
	printf 'N = %d  keys p50 %.3f ms  p99 %.3f ms  max %.2f ms  labels typed %d, stored %d%s\n' \
		"$n" "$p50" "$p99" "$mx" "$typed_all" "$stored_all" \
		"$([ $mismatch = 0 ] && echo ", the same" || echo ", NOT the same in $mismatch sessions")"
	[ $mismatch = 0 ] && [ "$typed_all" = "$stored_all" ] || fail=1
	[ $bad_exit = 0 ] || { echo "  $bad_exit sessions exited non-zero (e*.txt)"; fail=1; }
	[ $fetch_done = 0 ] || echo "  NOTE: the fetch ended before the sessions in $fetch_done runs"
	last_p99=$p99 last_max=$mx last_n=$n
done
echo "(targets p99 <= 5 ms, max <= 50 ms at N = 8)"
if [ "$last_n" = 8 ]; then
	awk "BEGIN {exit !($last_p99 <= 5 && $last_max <= 50)}" || { echo "N = 8: targets missed"; fail=1; }
fi
exit $fail
