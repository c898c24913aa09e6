#!/bin/sh
# bench/compare: this build against another stepmark (the previous main),
# the same work on the same store, alternating runs, medians and the
# ratio new/old. For a change that claims to leave speed alone (or to
# improve it): the peer is the program before the change, measured in the
# same run on the same machine.
#
#   OLD=/path/to/old/stepmark bench/compare/run.sh [RUNS] [N]
#
# RUNS (default 5) alternating runs of each binary; N (default 100 000)
# PRM800K-shaped solutions (tests/gen_big.py), with a second annotator
# (bob) and a source (judge) that disagree with the data on a third of
# them. Work timed: import into a new store and into one that holds data,
# stats, export (trl), audit --json, consensus (first run and rerun),
# fetch --calc on N/10 solutions, and a 2 000-key workbench session
# (bench/ui's keys: key p50, p99, max and the session's wall time).
# Peak RSS of each is printed beside its time. The stores are made once,
# by OLD (so that both read them; NEW upgrades its own copy before the
# runs), and copied fresh for every run that writes.
set -eu
runs=${1:-5}
n=${2:-100000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
new=${NEW:-$top/stepmark}
old=${OLD:?OLD=path to the stepmark to compare against}
out=${BENCH_OUT:-$top/bench/out/compare}
mkdir -p "$out/xdg/stepmark"
cd "$out"
export LC_ALL=C.UTF-8 TERM=xterm-256color COLUMNS=120 LINES=40 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
printf 'bind queue q none\nbind queue Q none\nbind pager q quit\n' >xdg/stepmark/config
for b in "$old" "$new"; do
	[ -x "$b" ] || { echo "bench/compare: $b is not a program"; exit 1; }
done

# the data: N records, and N/10 more for the import into a store with data
python3 "$top/tests/gen_big.py" --prm800k "$n" >data.jsonl
python3 "$top/tests/gen_big.py" --prm800k $((n / 10)) | sed 's/\[#/[more #/' >more.jsonl
rm -f base.db base.db-wal base.db-shm
"$old" --db base.db import data.jsonl >/dev/null
ds=$(sqlite3 base.db "SELECT name FROM dataset LIMIT 1")
"$old" --db base.db export --format processbench --incomplete -o pb.json >/dev/null 2>&1
python3 - pb.json <<'PY'
import json, random, sys
recs = json.load(open(sys.argv[1]))
r = random.Random(7)
for name in ("bob", "judge"):
    out = []
    for x in recs:
        x = dict(x)
        n = len(x["steps"])
        if r.random() < 0.33:
            x["label"] = r.choice([-1] + list(range(n))) if n else -1
        out.append(x)
    json.dump(out, open(name + ".json", "w"))
PY
"$old" --db base.db import bob.json --format processbench --dataset "$ds" --as bob >/dev/null
"$old" --db base.db import judge.json --format processbench --dataset "$ds" --as-source judge >/dev/null
rm -f pb.json bob.json judge.json
printf ':quit\n' >quit.keys
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$old" --db base.db --annotator bench
# each its own copy: the stores are made by OLD (NEW reads an older
# schema, not the other way round), and NEW's copy upgraded once, before
# anything is timed
cp base.db base.old.db
cp base.db base.new.db
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$new" --db base.new.db --annotator bench
python3 "$here/../ui/keys.py" 2000 >keys.txt

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
fresh() { rm -f run.db run.db-wal run.db-shm; cp "base.$v.db" run.db; sync; }
# timed NAME BIN CMD...: wall ms and peak RSS KB of CMD, appended to NAME's files
timed() {
	name=$1
	shift
	s0=$(date +%s%N)
	/usr/bin/time -f '%M' -o t.txt "$@" >/dev/null 2>err.txt ||
		{ echo "bench/compare: $name failed:"; cat err.txt; exit 1; }
	s1=$(date +%s%N)
	echo $(( (s1 - s0) / 1000 )) | awk '{printf "%.1f\n", $1 / 1000}' >>"$name.ms"
	cat t.txt >>"$name.kb"
}
pct() { sed -n 's/^key [^ ]* //p' "$2" | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'; }

works="import_new import_more stats export audit consensus consensus_again calc session"
for w in $works; do for v in old new; do : >"$w.$v.ms"; : >"$w.$v.kb"; done; done
for v in old new; do for k in p50 p99 max; do : >"keys.$v.$k"; done; done

one_run() { # one_run old|new BIN
	v=$1 b=$2
	rm -f imp.db imp.db-wal imp.db-shm
	timed "import_new.$v" "$b" --db imp.db import data.jsonl
	fresh
	timed "import_more.$v" "$b" --db run.db import more.jsonl
	timed "stats.$v" "$b" --db "base.$v.db" stats
	timed "export.$v" "$b" --db "base.$v.db" export --format trl -o export.jsonl
	timed "audit.$v" "$b" --db "base.$v.db" audit --truth bob --json
	fresh
	timed "consensus.$v" "$b" --db run.db consensus --policy "human-majority 2, sources judge"
	timed "consensus_again.$v" "$b" --db run.db consensus --policy "human-majority 2, sources judge"
	fresh
	timed "calc.$v" "$b" --db run.db fetch --calc --limit $((n / 10)) --quiet
	fresh
	rm -f timings.txt
	timed "session.$v" env STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 \
		STEPMARK_TIMINGS=timings.txt "$b" --db run.db --annotator bench
	pct 50 timings.txt >>"keys.$v.p50"
	pct 99 timings.txt >>"keys.$v.p99"
	pct 100 timings.txt >>"keys.$v.max"
}
i=0
while [ "$i" -lt "$runs" ]; do
	# alternate which goes first, so neither always meets a cold cache
	if [ $((i % 2)) = 0 ]; then one_run old "$old"; one_run new "$new"; else one_run new "$new"; one_run old "$old"; fi
	i=$((i + 1))
done

echo "bench/compare: $runs runs each, N = $n (medians; ratio new/old; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-18s %10s %10s %7s %10s %10s %7s\n' work "old ms" "new ms" ratio "old KB" "new KB" ratio
for w in $works; do
	om=$(median <"$w.old.ms") nm=$(median <"$w.new.ms")
	ok=$(median <"$w.old.kb") nk=$(median <"$w.new.kb")
	printf '%-18s %10.0f %10.0f %7.2f %10.0f %10.0f %7.2f\n' "$w" "$om" "$nm" \
		"$(awk "BEGIN {print $nm / $om}")" "$ok" "$nk" "$(awk "BEGIN {print $nk / $ok}")"
done
for k in p50 p99 max; do
	o=$(median <"keys.old.$k") nw=$(median <"keys.new.$k")
	printf '%-18s %10.2f %10.2f %7.2f\n' "key $k (ms)" "$o" "$nw" "$(awk "BEGIN {print $nw / $o}")"
done
