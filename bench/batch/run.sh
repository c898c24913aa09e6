#!/bin/sh
# bench/batch/run.sh - batch files at Math-Shepherd scale: for each size N
# (solutions of five steps, MC vanilla with 8 rollouts: 6 N requests of
# n = 8, the five prefixes and the empty one; 445 000 solutions make
# Math-Shepherd's 2.2 M and 445 K empty prefixes), times
#   write: stepmark fetch --mc --batch-out, from a store of N solutions
#          (their jobs queued in the same run) to the request files, against the floor: the same
#          bytes written line by line and synced by bench/batch/floor;
#   read:  stepmark fetch --batch-in of one result per request (in
#          another order, 8 rollouts each), against the floor: the same
#          file read and every line parsed by yajl (bench/batch/floor);
# with each one's peak RSS. Each is run REPS times (default 3), each
# time from the same store, the write's floor right after each write;
# the seconds are the medians, the RSS the largest. Prints the ratios
# (targets: each within 2x its floor, RSS <= 64 MB and flat over the
# sizes), and under each size the CPU seconds (user + sys, medians: the
# floors are mostly waits for the disk, which other work moves) and the
# load average.
# Usage: [REPS=N] [OLD=BINARY] run.sh [N...] (default 10000 40000 100000;
# the target's 445000 too: about 6 GB of disk under bench/out/batch).
# With OLD, another stepmark (an older build) is timed in the same reps,
# each run beside the new one, on a line of its own under each size: each
# binary on a store it imported itself (an older one may not open a newer
# schema), both given the same id for custom_ids, so that their request
# files are compared byte for byte (said) and one results file answers
# both.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
floor=${FLOOR:-$top/bench/batch/floor}
[ -x "$floor" ] || { echo "bench/batch needs $floor: make check (or make bench/batch/floor) builds it"; exit 1; }
sizes=${*:-10000 40000 100000}
reps=${REPS:-3}
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
# median of the numbers on standard input
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# t COMMAND...: runs it after a sync; "seconds kilobytes cpu-seconds"
# (user + sys) into t.out
t() {
	sync
	/usr/bin/time -f "%e %M %U %S" -o t.out "$@" >cmd.out 2>cmd.err || {
		echo "failed: $*"; cat cmd.err; exit 1; }
	read -r e m u s <t.out
	echo "$e $m $(calc "$u + $s")" >t.out
}
printf '%8s %9s %7s | %7s %7s %6s %7s | %7s %7s %6s %7s\n' solutions requests MB \
	write floor ratio RSS_MB read floor ratio RSS_MB
wmin=0 wmax=0 rmin=0 rmax=0
for n in $sizes; do
	rm -rf base.db* s.db* r.db* req.* res.jsonl floor.out obase.db* os.db* old
	python3 "$here/gen.py" "$n" >data.jsonl
	"$sm" --db base.db import data.jsonl --format generic --problem problem --steps steps \
		--gold gold --id id >/dev/null
	if [ -n "${OLD:-}" ]; then
		"$OLD" --db obase.db import data.jsonl --format generic --problem problem \
			--steps steps --gold gold --id id >/dev/null
		python3 - base.db obase.db <<'PY'
import sqlite3, sys
for p in sys.argv[1:]:
    c = sqlite3.connect(p)
    c.execute("INSERT OR IGNORE INTO store_state(key, value) VALUES ('batch_store', '5eb1a7c4d00d2b17')")
    c.commit()
PY
	fi
	: >w.times; : >f.times; : >r.times; : >g.times; : >ow.times; : >or.times
	: >wc.times; : >rc.times; : >owc.times; : >orc.times
	wk=0; rk=0; owk=0; ork=0
	for rep in $(seq "$reps"); do
		if [ -n "${OLD:-}" ]; then
			rm -rf os.db* old
			mkdir old
			cp obase.db os.db
			t "$OLD" --db os.db fetch --config cfg --mc --rollouts 8 --quiet --batch-out old/req.jsonl
			read -r sec kb cpu <t.out
			echo "$sec" >>ow.times
			echo "$cpu" >>owc.times
			if [ "$kb" -gt "$owk" ]; then owk=$kb; fi
		fi
		rm -f s.db* req.*
		cp base.db s.db
		t "$sm" --db s.db fetch --config cfg --mc --rollouts 8 --quiet --batch-out req.jsonl
		read -r sec kb cpu <t.out
		echo "$sec" >>w.times
		echo "$cpu" >>wc.times
		if [ "$kb" -gt "$wk" ]; then wk=$kb; fi
		# the floor right after, in the same moment of the machine
		cat req.completions*.jsonl >req.all
		rm -f floor.out
		sync
		"$floor" write req.all floor.out | cut -d' ' -f1 >>f.times
	done
	same=
	if [ -n "${OLD:-}" ]; then
		same="the same bytes as old's"
		for f in req.completions*.jsonl req.manifest.json; do
			cmp -s "$f" "old/$f" || same="NOT the same bytes as old's ($f)"
		done
	fi
	requests=$(wc -l <req.all)
	mb=$(calc "$(stat -c %s req.all) / 1e6")
	python3 "$here/results.py" res.jsonl req.completions*.jsonl
	for rep in $(seq "$reps"); do
		if [ -n "${OLD:-}" ]; then
			rm -f r.db*
			cp os.db r.db
			t "$OLD" --db r.db fetch --batch-in res.jsonl
			read -r sec kb cpu <t.out
			echo "$sec" >>or.times
			echo "$cpu" >>orc.times
			if [ "$kb" -gt "$ork" ]; then ork=$kb; fi
		fi
		rm -f r.db*
		cp s.db r.db
		t "$sm" --db r.db fetch --batch-in res.jsonl
		read -r sec kb cpu <t.out
		echo "$sec" >>r.times
		echo "$cpu" >>rc.times
		if [ "$kb" -gt "$rk" ]; then rk=$kb; fi
		"$floor" read res.jsonl | cut -d' ' -f1 >>g.times
	done
	ws=$(median <w.times) fws=$(median <f.times) rs=$(median <r.times) frs=$(median <g.times)
	printf '%8d %9d %7s | %7s %7s %6s %7s | %7s %7s %6s %7s\n' "$n" "$requests" "$mb" \
		"$ws" "$fws" "$(calc "$ws / $fws")" "$(calc "$wk / 1024")" \
		"$rs" "$frs" "$(calc "$rs / $frs")" "$(calc "$rk / 1024")"
	if [ -n "${OLD:-}" ]; then
		ows=$(median <ow.times) ors=$(median <or.times)
		printf '%8s %9s %7s | %7s %7s %6s %7s | %7s %7s %6s %7s\n' old "" "" \
			"$ows" "$fws" "$(calc "$ows / $fws")" "$(calc "$owk / 1024")" \
			"$ors" "$frs" "$(calc "$ors / $frs")" "$(calc "$ork / 1024")"
		echo "         (request files: $same)"
	fi
	# the CPU (user + sys, medians), which the machine's load moves less
	# than the seconds: the floors are mostly waits for the disk
	cpu="cpu s: write $(median <wc.times), read $(median <rc.times)"
	if [ -n "${OLD:-}" ]; then
		cpu="$cpu; old: write $(median <owc.times), read $(median <orc.times);"
		cpu="$cpu new/old: write $(calc "$(median <wc.times) / $(median <owc.times)"),"
		cpu="$cpu read $(calc "$(median <rc.times) / $(median <orc.times)")"
	fi
	echo "         ($cpu; load $(cut -d' ' -f1-3 /proc/loadavg))"
	if [ "$wmin" = 0 ] || [ "$wk" -lt "$wmin" ]; then wmin=$wk; fi
	if [ "$rmin" = 0 ] || [ "$rk" -lt "$rmin" ]; then rmin=$rk; fi
	if [ "$wk" -gt "$wmax" ]; then wmax=$wk; fi
	if [ "$rk" -gt "$rmax" ]; then rmax=$rk; fi
	rm -rf req.all floor.out r.db* base.db obase.db* os.db* old
done
echo "peak RSS over the sizes: write $(calc "$wmin / 1024") to $(calc "$wmax / 1024") MB," \
	"read $(calc "$rmin / 1024") to $(calc "$rmax / 1024") MB (target: <= 64, flat);" \
	"seconds: medians of $reps runs"
