#!/bin/sh
# bench/batch/run.sh - batch files at Math-Shepherd scale: for each size N
# (solutions of five steps, MC vanilla with 8 rollouts: 5 N requests of
# n = 8; 445 000 solutions make Math-Shepherd's 2.2 M), times
#   write: stepmark fetch --mc --batch-out, from a store of N solutions
#          (their jobs queued in the same run) to the request files, against the floor: the same
#          bytes written line by line and synced by bench/batch/floor;
#   read:  stepmark fetch --batch-in of one result per request (in
#          another order, 8 rollouts each), against the floor: the same
#          file read and every line parsed by yajl (bench/batch/floor);
# with each one's peak RSS. Prints the ratios (targets: each within 2x
# its floor, RSS <= 64 MB and flat over the sizes).
# Usage: run.sh [N...] (default 10000 40000; the target's sizes:
# 10000 100000 445000, about 6 GB of disk under bench/out/batch)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
floor=${FLOOR:-$top/bench/batch/floor}
[ -x "$floor" ] || { echo "bench/batch needs $floor: make check (or make bench/batch/floor) builds it"; exit 1; }
sizes=${*:-10000 40000}
out=${BENCH_OUT:-$top/bench/out/batch}
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8
cat >cfg <<CFG
endpoint policy url http://127.0.0.1:9/v1
endpoint policy model sim-policy
endpoint policy kind completions
CFG
calc() { awk "BEGIN {printf \"%.2f\", $1}"; }
# t COMMAND...: runs it after a sync; "seconds kilobytes" into t.out
t() {
	sync
	/usr/bin/time -f "%e %M" -o t.out "$@" >cmd.out 2>cmd.err || {
		echo "failed: $*"; cat cmd.err; exit 1; }
}
printf '%8s %9s %7s | %7s %7s %6s %7s | %7s %7s %6s %7s\n' solutions requests MB \
	write floor ratio RSS_MB read floor ratio RSS_MB
rss_min=0 rss_max=0
for n in $sizes; do
	rm -rf s.db* req.* res.jsonl floor.out
	python3 "$here/gen.py" "$n" >data.jsonl
	"$sm" --db s.db import data.jsonl --format generic --problem problem --steps steps \
		--gold gold --id id >/dev/null
	t "$sm" --db s.db fetch --config cfg --mc --rollouts 8 --quiet --batch-out req.jsonl
	read -r ws wk <t.out
	cat req.completions*.jsonl >req.all
	requests=$(wc -l <req.all)
	mb=$(calc "$(stat -c %s req.all) / 1e6")
	read -r fws _ <<EOF2
$("$floor" write req.all floor.out)
EOF2
	python3 "$here/results.py" res.jsonl req.completions*.jsonl
	t "$sm" --db s.db fetch --batch-in res.jsonl
	read -r rs rk <t.out
	read -r frs _ <<EOF2
$("$floor" read res.jsonl)
EOF2
	printf '%8d %9d %7s | %7s %7s %6s %7s | %7s %7s %6s %7s\n' "$n" "$requests" "$mb" \
		"$ws" "$fws" "$(calc "$ws / $fws")" "$(calc "$wk / 1024")" \
		"$rs" "$frs" "$(calc "$rs / $frs")" "$(calc "$rk / 1024")"
	for k in $wk $rk; do
		[ "$rss_min" = 0 ] || [ "$k" -lt "$rss_min" ] && rss_min=$k
		[ "$k" -gt "$rss_max" ] && rss_max=$k
	done
	rm -f req.all floor.out
done
echo "RSS from $(calc "$rss_min / 1024") to $(calc "$rss_max / 1024") MB over the sizes (target: <= 64, flat)"
