#!/bin/sh
# bench/ui: the workbench on a 100 K-solution / ~1 M-step store and on a
# 1 K-solution / ~10 K-step store, driven by a scripted session of 10 K
# keys (bench/ui/keys.py). Prints the time to the first screen, the p50
# and p99 key handling times, peak RSS, and ratios against the peer: the
# sqlite3 shell running the same statements the session ran (its SQL log),
# i.e. the storage floor. Usage: bench/ui/run.sh [RUNS] (default 3).
set -eu
runs=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/ui}
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8 TERM=xterm-256color COLUMNS=120 LINES=40 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
command -v sqlite3 >/dev/null || { echo "bench/ui needs sqlite3"; exit 1; }
python3 "$here/keys.py" 10000 >keys.txt
# the session never quits early (q in the queue would end it)
mkdir -p xdg/stepmark
printf 'bind queue q none\nbind queue Q none\nbind pager q quit\n' >xdg/stepmark/config

make_store() { # make_store NAME SOLUTIONS
	if [ ! -f "$1.db" ]; then
		python3 "$top/tests/gen_big.py" --prm800k "$2" >"$1.jsonl"
		"$sm" --db "$1.db" import "$1.jsonl" >/dev/null
		rm -f "$1.jsonl"
	fi
}
make_store small 1000
make_store big 100000

calc() { awk "BEGIN {print $1}"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { # pct P FILE: the P-th percentile of the key times
	sed -n 's/^key [^ ]* //p' "$2" | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'
}
rss_of() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

for store in small big; do
	: >"$store.first"; : >"$store.p99"; : >"$store.p50"; : >"$store.rss"
	: >"$store.peer_first"; : >"$store.peer_all"; : >"$store.keys_total"; : >"$store.peer_rss"
	for i in $(seq "$runs"); do
		# a fresh copy each run: the session labels
		cp "$store.db" run.db
		rm -f run.db-wal run.db-shm
		STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 STEPMARK_TIMINGS=timings.txt \
			STEPMARK_SQLLOG=sql.txt /usr/bin/time -v "$sm" --db run.db --annotator bench \
			2>time.txt
		sed -n 's/^first-screen //p' timings.txt >>"$store.first"
		pct 99 timings.txt >>"$store.p99"
		pct 50 timings.txt >>"$store.p50"
		sed -n 's/^key [^ ]* //p' timings.txt | awk '{s+=$1} END {print s}' >>"$store.keys_total"
		rss_of time.txt >>"$store.rss"
		# the peer: the same statements through the sqlite3 shell, on a
		# fresh copy; first the ones before the first screen
		cp "$store.db" run.db
		rm -f run.db-wal run.db-shm
		sed '/^-- first-screen$/q' sql.txt >first.sql
		s0=$(date +%s%N)
		sqlite3 run.db <first.sql >/dev/null 2>&1 || true
		s1=$(date +%s%N)
		calc "($s1 - $s0) / 1000000" >>"$store.peer_first"
		cp "$store.db" run.db
		rm -f run.db-wal run.db-shm
		sed '1,/^-- first-screen$/d' sql.txt >keys.sql
		/usr/bin/time -v sqlite3 run.db <keys.sql >/dev/null 2>peer_time.txt || true
		awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s*1000}' peer_time.txt >>"$store.peer_all"
		rss_of peer_time.txt >>"$store.peer_rss"
	done
done

nkeys=$(grep -c '^key ' timings.txt)
nsql=$(grep -c ';$' sql.txt)
echo "bench/ui: $runs runs each, $nkeys keys per session, $nsql statements per session (medians)"
for store in small big; do
	steps=$(sqlite3 "$store.db" 'select count(*) from step')
	sols=$(sqlite3 "$store.db" 'select count(*) from solution')
	f=$(median <"$store.first"); pf=$(median <"$store.peer_first")
	p99=$(median <"$store.p99"); p50=$(median <"$store.p50")
	kt=$(median <"$store.keys_total"); pa=$(median <"$store.peer_all")
	rss=$(median <"$store.rss"); prss=$(median <"$store.peer_rss")
	echo "$store store: $sols solutions, $steps steps"
	printf '  first screen      %8.2f ms   peer (sqlite3 shell, same statements) %8.2f ms   ratio %.2f (target <= 100 ms)\n' "$f" "$pf" "$(calc "$f / $pf")"
	printf '  key handling      p50 %.3f ms, p99 %.3f ms (target p99 <= 5 ms)\n' "$p50" "$p99"
	printf '  all keys          %8.1f ms   peer %8.1f ms   ratio %.2f\n' "$kt" "$pa" "$(calc "$kt / $pa")"
	printf '  peak RSS          %8.1f MB   peer %8.1f MB   ratio %.2f (target <= 48 MB)\n' "$(calc "$rss / 1024")" "$(calc "$prss / 1024")" "$(calc "$rss / $prss")"
done
sr=$(median <small.rss); br=$(median <big.rss)
printf 'RSS big/small store: %.2f (target: flat, within 1.20)\n' "$(calc "$br / $sr")"
