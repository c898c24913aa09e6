#!/bin/sh
# bench/ui: the workbench at three sizes (SIZES, default 10 000, 100 000
# and 445 000 solutions; SHAPE prm800k, the default: about 97 K, 975 K
# and 4.3 M steps, or math-shepherd: 5 steps each), each store holding real disagreements (the data's labellers, a
# second annotator and a source who disagree on a share of solutions), driven
# by a scripted session of 10 K keys (bench/ui/keys.py). Per size: the first
# screen, key p50, p99 and max, the time spent between keys (counting,
# searching), the session's CPU (user + sys of the workbench: target
# within 1.5x of the smallest store's, issue 30), peak RSS, the growth
# from the smallest store, and the peer:
# the sqlite3 shell replaying the same statements (the start-up ones too).
# It checks that the session's actions ran (labels saved, filters that
# match rows). Usage: bench/ui/run.sh [RUNS] (default 3).
set -eu
runs=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/ui-${SHAPE:-prm800k}}
sizes=${SIZES:-10000 100000 445000}
shape=${SHAPE:-prm800k}
case $shape in
prm800k) gen=--prm800k ;;
math-shepherd) gen=--mathshepherd ;;
*) echo "bench/ui: SHAPE is prm800k or math-shepherd"; exit 1 ;;
esac
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8 TERM=xterm-256color COLUMNS=120 LINES=40 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
command -v sqlite3 >/dev/null || { echo "bench/ui needs sqlite3"; exit 1; }
python3 "$here/keys.py" 10000 >keys.txt
# the session never quits early (q in the queue would end it)
mkdir -p xdg/stepmark
printf 'bind queue q none\nbind queue Q none\nbind pager q quit\n' >xdg/stepmark/config

# make_store N: s$N.db, of the SHAPE, with a second annotator (bob) and
# a source (judge) whose first errors differ from the data's on a third
# of the solutions each; summarised and upgraded before any run
make_store() {
	db=s$1.db
	printf ':quit\n' >quit.keys
	if [ -f "$db" ]; then # made by an earlier stepmark: upgraded here, not in a run
		STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$sm" --db "$db" --annotator bench
		return 0
	fi
	python3 "$top/tests/gen_big.py" $gen "$1" >gen.jsonl
	"$sm" --db "$db.tmp" import gen.jsonl >/dev/null
	rm -f gen.jsonl
	# the first errors to vary: the data's labels, or (Math-Shepherd's,
	# kept as a source) its suggestions
	src=""
	[ "$(sqlite3 "$db.tmp" "SELECT count(*) FROM label")" = 0 ] &&
		src=$(sqlite3 "$db.tmp" "SELECT source || coalesce('/' || model, '') FROM suggestion LIMIT 1")
	"$sm" --db "$db.tmp" export --format processbench --incomplete ${src:+--source "$src"} \
		-o pb.json >/dev/null 2>&1
	python3 - pb.json <<'PY'
import json, random, sys
recs = json.load(open(sys.argv[1]))
r = random.Random(7)
for name in ("bob", "judge"):
    out = []
    for x in recs:
        x = dict(x)
        n = len(x["steps"])
        if r.random() < 0.33:  # a different first error
            x["label"] = r.choice([-1] + list(range(n))) if n else -1
        out.append(x)
    json.dump(out, open(name + ".json", "w"))
PY
	ds=$(sqlite3 "$db.tmp" "SELECT name FROM dataset LIMIT 1")
	"$sm" --db "$db.tmp" import bob.json --format processbench --dataset "$ds" --as bob >/dev/null
	"$sm" --db "$db.tmp" import judge.json --format processbench --dataset "$ds" --as-source judge >/dev/null
	rm -f pb.json bob.json judge.json
	STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$sm" --db "$db.tmp" --annotator bench
	mv "$db.tmp" "$db"
}
for n in $sizes; do make_store "$n"; done

calc() { awk "BEGIN {print $1}"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { # pct P FILE: the P-th percentile of the key times
	sed -n 's/^key [^ ]* //p' "$2" | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'
}
rss_of() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
cpu_of() { awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {print s}' "$1"; }
wall_ms() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s*1000}' "$1"; }

for n in $sizes; do
	for f in first p50 p99 max keys idle cpu rss peer_first peer_all peer_rss saved; do : >"s$n.$f"; done
	for i in $(seq "$runs"); do
		# a fresh copy each run: the session labels; written out first,
		# or the copy's writeback is what the first screen measures
		cp "s$n.db" run.db
		# the last run's logs gone first: truncating a 1 GB SQL log at
		# start-up took 50 to 210 ms of the first screen
		rm -f run.db-wal run.db-shm sql.txt trace.txt timings.txt
		sync
		STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 STEPMARK_TIMINGS=timings.txt \
			STEPMARK_TRACE=trace.txt STEPMARK_SQLLOG=sql.txt \
			/usr/bin/time -v "$sm" --db run.db --annotator bench 2>time.txt
		sed -n 's/^first-screen //p' timings.txt >>"s$n.first"
		pct 50 timings.txt >>"s$n.p50"
		pct 99 timings.txt >>"s$n.p99"
		pct 100 timings.txt >>"s$n.max"
		keys_ms=$(sed -n 's/^key [^ ]* //p' timings.txt | awk '{s+=$1} END {print s}')
		echo "$keys_ms" >>"s$n.keys"
		# between keys: the session's wall time less the keys and the start
		first=$(sed -n 's/^first-screen //p' timings.txt)
		calc "$(wall_ms time.txt) - $keys_ms - $first" >>"s$n.idle"
		rss_of time.txt >>"s$n.rss"
		cpu_of time.txt >>"s$n.cpu"
		grep -c '^saved ' trace.txt >>"s$n.saved" || echo 0 >>"s$n.saved"
		rm -f trace.txt
		# the peer: the same statements through the sqlite3 shell, on a
		# fresh copy; first the ones before the first screen
		cp "s$n.db" run.db
		rm -f run.db-wal run.db-shm
		sed '/^-- first-screen$/q' sql.txt >first.sql
		s0=$(date +%s%N)
		sqlite3 run.db <first.sql >/dev/null 2>&1 || true
		s1=$(date +%s%N)
		calc "($s1 - $s0) / 1000000" >>"s$n.peer_first"
		cp "s$n.db" run.db
		rm -f run.db-wal run.db-shm
		/usr/bin/time -v sqlite3 run.db <sql.txt >/dev/null 2>peer_time.txt || true
		wall_ms peer_time.txt >>"s$n.peer_all"
		rss_of peer_time.txt >>"s$n.peer_rss"
	done
done

nkeys=$(grep -c '^key ' timings.txt)
nsql=$(grep -c ';$' sql.txt)
echo "bench/ui: $runs runs each, $nkeys keys per session, $nsql statements per session (medians)"
first_size=""
for n in $sizes; do
	steps=$(sqlite3 "s$n.db" 'select count(*) from step')
	dis=$(sqlite3 "s$n.db" 'select count(*) from summary where flags & 28')
	f=$(median <"s$n.first"); pf=$(median <"s$n.peer_first")
	p50=$(median <"s$n.p50"); p99=$(median <"s$n.p99"); mx=$(median <"s$n.max")
	kt=$(median <"s$n.keys"); idle=$(median <"s$n.idle")
	pa=$(median <"s$n.peer_all"); rss=$(median <"s$n.rss"); prss=$(median <"s$n.peer_rss")
	saved=$(median <"s$n.saved")
	cpu=$(median <"s$n.cpu")
	echo "$n solutions, $steps steps, $dis with a disagreement; the session saved $saved labelling actions"
	printf '  first screen   %8.2f ms   peer %8.2f ms   (target <= 10 ms)\n' "$f" "$pf"
	printf '  keys           p50 %.3f ms  p99 %.3f ms  max %.2f ms   (targets p99 <= 5 ms, max <= 50 ms)\n' "$p50" "$p99" "$mx"
	printf '  all keys       %8.1f ms   between keys %8.1f ms   peer (every statement) %8.1f ms\n' "$kt" "$idle" "$pa"
	printf '  session CPU    %8.2f s    (user + sys of the workbench)\n' "$cpu"
	printf '  peak RSS       %8.1f MB   peer %8.1f MB   (target <= 24 MB)\n' "$(calc "$rss / 1024")" "$(calc "$prss / 1024")"
	if [ -z "$first_size" ]; then
		first_size=$n; b_p99=$p99; b_f=$f; b_rss=$rss; b_cpu=$cpu
	else
		printf '  growth from %s: p99 %.2fx, first screen %.2fx, RSS %.2fx   (target <= 1.2x)\n' \
			"$first_size" "$(calc "$p99 / $b_p99")" "$(calc "$f / $b_f")" "$(calc "$rss / $b_rss")"
		printf '  session CPU growth from %s: %.2fx   (target <= 1.5x)\n' "$first_size" "$(calc "$cpu / $b_cpu")"
	fi
	[ "$saved" -gt 0 ] || echo "  NOTE: the session saved no label: the key script did not do what it says"
	[ "$dis" -gt 0 ] || echo "  NOTE: no disagreement in the store: the filters match nothing"
done
