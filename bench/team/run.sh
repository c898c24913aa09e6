#!/bin/sh
# bench/team: several annotators on one store. N = 1, 4 and 8 (NS)
# workbenches, each its own annotator typing its own labelling script
# (bench/team/keys.py, seeded per session, KEYS keys PACE ms apart),
# on one PRM800K-shaped store of SIZE solutions (default 100 000), while
# a fetch writes suggestions through the whole session: `fetch --calc`
# over every solution, and once that is done (on a quiet machine it
# ends before the sessions) `fetch --judge` against a loopback server
# (tests/fake_oai.py, 100 ms per reply, 16 at once; at nice 19, since it
# stands for a model server on another machine) until the sessions
# end. Each run says when the calc ended and how many judge jobs were
# stored while the sessions typed; a run whose fetch stopped before the
# sessions ended fails the bench.
# Per N: key p50, p99 and max over every session's keys (the median of
# RUNS runs), and labels typed (the labelling keys each session reports
# saved: its trace's 'saved' lines) against labels stored (the store's
# actions of that annotator), checked exactly: the same action ids.
# With OLD=BINARY, another stepmark (an older build) runs the same
# sessions in the same runs, on a store it imported itself (an older
# build cannot open a newer store).
# Usage: [SIZE=N] [NS="1 4 8"] [RUNS=3] [KEYS=600] [PACE=60] [OLD=BINARY]
#        bench/team/run.sh
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
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
command -v sqlite3 >/dev/null || { echo "bench/team needs sqlite3"; exit 1; }

python3 "$top/tests/sim_data.py" "$top/tests/fixtures/processbench_gsm8k_20.json" >sim.jsonl
rm -f port
nice -n 19 python3 "$top/tests/fake_oai.py" --data sim.jsonl --port-file port --latency-ms 100 2>server.err &
server=$!
trap 'kill $server 2>/dev/null' EXIT
w=0
while [ ! -s port ] && [ $w -lt 100 ]; do sleep 0.1; w=$((w + 1)); done
[ -s port ] || { echo "bench/team: the loopback server did not start (server.err)"; exit 1; }
# the session never quits early (q in the queue would end it)
mkdir -p xdg/stepmark
printf 'bind queue q none\nbind queue Q none\n' >xdg/stepmark/config
# the judge's endpoint for the bench's fetch only: in the sessions' own
# config, the workbenches would fetch the judge for what they show
cat >judge.cfg <<CFG
endpoint sim url http://127.0.0.1:$(cat port)/v1
endpoint sim model sim-judge
endpoint sim kind chat
endpoint sim concurrency 16
endpoint sim max-tokens 512
CFG
printf ':quit\n' >quit.keys

# store BIN NAME: NAME made by BIN once (kept between runs of the bench)
store() {
	if [ ! -f "$2" ]; then
		[ -f gen$size.jsonl ] || python3 "$top/tests/gen_big.py" --prm800k "$size" >gen$size.jsonl
		rm -f "$2.tmp"
		"$1" --db "$2.tmp" import gen$size.jsonl >/dev/null
		mv "$2.tmp" "$2"
	fi
	# summarised and upgraded before any run, not in one
	STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$1" --db "$2" --annotator bench
	sqlite3 "$2" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
}
store "$sm" s$size.db
[ -z "${OLD:-}" ] || store "$OLD" old$size.db
rm -f gen$size.jsonl

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { # pct P: the P-th percentile of the numbers on standard input
	sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'
}
now() { date +%s.%N; }
# sqlite3 that waits for a writer's lock rather than fail
sq() { sqlite3 -cmd '.timeout 10000' "$@"; }

# writer BIN: the fetch of the whole session (its own process group)
writer() {
	start=$(now)
	"$1" --db run.db fetch --calc >fetch.out 2>fetch.err || true
	echo "calc $(awk "BEGIN {printf \"%.1f\", $(now) - $start}")" >writer.log
	exec "$1" --db run.db fetch --config judge.cfg --judge --quiet >>fetch.out 2>>fetch.err
}

# one BIN DB N RUN PREFIX: one run of N sessions; figures to PREFIX.*
one() {
	bin=$1 db=$2 n=$3 run=$4 px=$5
	cp "$db" run.db
	rm -f run.db-wal run.db-shm tm*.txt tr*.txt e*.txt writer.log
	for i in $(seq "$n"); do python3 "$here/keys.py" "$nkeys" "$((run * 100 + i))" >k$i.txt; done
	(writer "$bin") &
	fetch=$!
	# the calc's jobs queued (one transaction) before the sessions start
	w=0
	while ! grep -qs 'new jobs' fetch.err && [ $w -lt 600 ]; do sleep 0.1; w=$((w + 1)); done
	pids=""
	for i in $(seq "$n"); do
		STEPMARK_SCRIPT=k$i.txt STEPMARK_SCRIPT_PACE=$pace STEPMARK_NO_DISPLAY=1 \
			STEPMARK_TIMINGS=tm$i.txt STEPMARK_TRACE=tr$i.txt \
			"$bin" --db run.db --annotator "ann$i" 2>e$i.txt &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || bad_exit=$((bad_exit + 1)); done
	kids=""
	judged=$(sq run.db "SELECT count(*) FROM job WHERE kind = 'judge' AND state = 'done'" || echo 0)
	if kill -0 "$fetch" 2>/dev/null; then
		kids=$(pgrep -P "$fetch" || true)
		kill -TERM "$fetch" $kids 2>/dev/null || true
	else
		fetch_done=$((fetch_done + 1))
	fi
	wait "$fetch" 2>/dev/null || true
	# the fetch stores what it finished before it ends: read after it
	for k in $kids; do
		while kill -0 "$k" 2>/dev/null; do sleep 0.05; done
	done
	calc=$(sed -n 's/^calc //p' writer.log 2>/dev/null || true)
	if [ -n "$calc" ]; then calc="calc ended after $calc s"; else calc="calc still writing at the end"; fi
	echo "  $px run $run: $calc (sessions $((nkeys * pace / 1000)) s);" \
		"judge jobs stored by the sessions' end: $judged"
	cat tm*.txt | sed -n 's/^key [^ ]* //p' >keys.ms
	pct 50 <keys.ms >>"$px.p50"
	pct 99 <keys.ms >>"$px.p99"
	pct 100 <keys.ms >>"$px.max"
	for i in $(seq "$n"); do
		sed -n 's/^saved action=\([0-9]*\) .*/\1/p' tr$i.txt | sort -n >typed.ids
		sq run.db "SELECT id FROM action WHERE annotator = 'ann$i' ORDER BY id" >stored.ids
		typed_all=$((typed_all + $(wc -l <typed.ids)))
		stored_all=$((stored_all + $(wc -l <stored.ids)))
		cmp -s typed.ids stored.ids || mismatch=$((mismatch + 1))
	done
}

# report N PREFIX LABEL: the medians of PREFIX's runs
report() {
	p50=$(median <"$2.p50"); p99=$(median <"$2.p99"); mx=$(median <"$2.max")
	printf '%sN = %d  keys p50 %.3f ms  p99 %.3f ms  max %.2f ms  labels typed %d, stored %d%s\n' \
		"$3" "$1" "$p50" "$p99" "$mx" "$typed_all" "$stored_all" \
		"$([ $mismatch = 0 ] && echo ", the same" || echo ", NOT the same in $mismatch sessions")"
}

fail=0
echo "bench/team: $size solutions, $runs runs per N, $nkeys keys per session ${pace} ms apart, a fetch writing throughout; load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $ns; do
	: >"n$n.p50"; : >"n$n.p99"; : >"n$n.max"
	: >"o$n.p50"; : >"o$n.p99"; : >"o$n.max"
	otyped=0 ostored=0 omismatch=0
	typed_all=0 stored_all=0 mismatch=0 fetch_done=0 bad_exit=0
	for run in $(seq "$runs"); do
		one "$sm" s$size.db "$n" "$run" n$n
		if [ -n "${OLD:-}" ]; then
			t=$typed_all s=$stored_all m=$mismatch
			typed_all=$otyped stored_all=$ostored mismatch=$omismatch
			one "$OLD" old$size.db "$n" "$run" o$n
			otyped=$typed_all ostored=$stored_all omismatch=$mismatch
			typed_all=$t stored_all=$s mismatch=$m
		fi
	done
	report "$n" n$n ""
	last_p99=$p99 last_max=$mx last_n=$n
	[ $mismatch = 0 ] && [ "$typed_all" = "$stored_all" ] || fail=1
	if [ -n "${OLD:-}" ]; then
		typed_all=$otyped stored_all=$ostored mismatch=$omismatch
		report "$n" o$n "OLD "
	fi
	[ $bad_exit = 0 ] || { echo "  $bad_exit sessions exited non-zero (e*.txt)"; fail=1; }
	[ $fetch_done = 0 ] || { echo "  the fetch ended before the sessions in $fetch_done runs (fetch.err)"; fail=1; }
done
echo "(targets p99 <= 5 ms, max <= 50 ms at N = 8)"
if [ "$last_n" = 8 ]; then
	awk "BEGIN {exit !($last_p99 <= 5 && $last_max <= 50)}" || { echo "N = 8: targets missed"; fail=1; }
fi
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit $fail
