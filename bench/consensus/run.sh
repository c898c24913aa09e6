#!/bin/sh
# bench/consensus: stepmark consensus over N ProcessBench-shaped solutions
# (default 100 000) with 3 sources (judge, prm, mc, each a first error per
# solution) and 2 annotators who each labelled 60 % of them, under
#   adjudicated, human-majority 2, confirmed-suggestion, sources mc judge
# Peer: the same policy in Python over the same store (bench/consensus/
# peer.py); the decisions are compared. Targets (issue 30): first run at
# most 0.5 s and at least 2x the peer, a rerun with nothing new at most
# 0.2 s, peak RSS at most 64 MB and flat from 10 K to 445 K (printed at
# the end for stores of SIZES solutions, default 10 000, 100 000 and
# 445 000, one first run and one rerun each). Then
# `export --agreed --format openrlhf` of that store against the TRL export
# of its labels (target: at least as fast).
# Usage: bench/consensus/run.sh [RUNS] [N] (default 3 and 100000).
set -eu
runs=${1:-3}
n=${2:-100000}
sizes=${SIZES:-10000 100000 445000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/consensus}
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8
policy="adjudicated, human-majority 2, confirmed-suggestion, sources mc judge"

# make_store N: store-N.db, N solutions, 3 sources and 2 annotators
make_store() {
	db=store-$1.db
	[ -f "$db" ] && return 0
	python3 "$top/tests/gen_big.py" --processbench "$1" >data.jsonl
	python3 - <<-'PY'
	import json, random
	r = random.Random(5)
	files = {k: open(k + ".jsonl", "w") for k in ("expert", "ann2", "judge", "prm", "mc")}
	acc = {"expert": 0.95, "ann2": 0.8, "judge": 0.6, "prm": 0.5, "mc": 0.7}
	for line in open("data.jsonl"):
	    x = json.loads(line)
	    n = len(x["steps"])
	    for k, f in files.items():
	        if k in ("expert", "ann2") and r.random() >= 0.6:
	            continue
	        y = dict(x)
	        v = x["label"] if r.random() < acc[k] else r.randint(-1, n - 1)
	        y["label" if k in ("expert", "ann2") else "prediction"] = v
	        f.write(json.dumps(y) + "\n")
	PY
	for s in mc judge prm; do
		"$sm" --db "$db" import $s.jsonl --format processbench --dataset bench --as-source $s >/dev/null
	done
	for a in expert ann2; do
		"$sm" --db "$db" import $a.jsonl --format processbench --dataset bench --as $a >/dev/null
	done
	rm -f data.jsonl expert.jsonl ann2.jsonl judge.jsonl prm.jsonl mc.jsonl
}
make_store "$n"
ln -sf "store-$n.db" store.db

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: >first.times
: >again.times
: >first.rss
: >again.rss
: >peer.times
: >openrlhf.times
: >trl.times
i=0
while [ $i -lt "$runs" ]; do
	sqlite3 store.db "DELETE FROM agreed; UPDATE summary SET agreed = 0 WHERE agreed; DELETE FROM store_state WHERE key IN ('consensus', 'consensus_run')"
	# the store's pages the import and the reset left to the kernel
	# written out first: the first run's checkpoint syncs the file, and
	# would wait for them too
	sync
	/usr/bin/time -f "%e %M" -o t "$sm" --db store.db consensus --policy "$policy" >first.out
	cut -d' ' -f1 t >>first.times
	cut -d' ' -f2 t >>first.rss
	/usr/bin/time -f "%e %M" -o t "$sm" --db store.db consensus --policy "$policy" >again.out
	cut -d' ' -f1 t >>again.times
	cut -d' ' -f2 t >>again.rss
	/usr/bin/time -f "%e" -o t python3 "$here/peer.py" store.db >peer.tsv
	cat t >>peer.times
	/usr/bin/time -f "%e" -o t "$sm" --db store.db export --agreed --format openrlhf -o agreed.jsonl 2>/dev/null
	cat t >>openrlhf.times
	/usr/bin/time -f "%e" -o t "$sm" --db store.db export --format trl -o trl.jsonl 2>/dev/null
	cat t >>trl.times
	i=$((i + 1))
done
grep -q "stored: 0 changed" again.out
sqlite3 -separator '	' store.db "SELECT solution_id, coalesce(first_error, 'none'), coalesce(rule, '') FROM agreed ORDER BY 1" >sm.tsv
cmp sm.tsv peer.tsv
c1=$(median <first.times)
c2=$(median <again.times)
pw=$(median <peer.times)
ow=$(median <openrlhf.times)
tw=$(median <trl.times)
echo "bench/consensus: $n solutions, 3 sources, 2 annotators (60 % each), $runs runs (medians); the peer's decisions are the same"
sed -n '2,12p' first.out | sed 's/^/  /'
printf '  stepmark consensus, first run (writes every row)  %6.2f s  (target <= 0.5 s)\n' "$c1"
printf '  stepmark consensus, again (nothing changed)       %6.2f s  (target <= 0.2 s)\n' "$c2"
printf '  peak RSS, first run / again                       %6.1f / %.1f MB  (target <= 64 MB)\n' \
	"$(median <first.rss | awk '{print $1 / 1024}')" "$(median <again.rss | awk '{print $1 / 1024}')"
printf '  python peer (decides, writes nothing)             %6.2f s\n' "$pw"
printf '  speed-up over the peer, first run                 %6.1fx (target >= 2x)\n' "$(awk "BEGIN {print $pw / $c1}")"
printf '  export --agreed --format openrlhf                 %6.2f s  (%s rows)\n' "$ow" "$(wc -l <agreed.jsonl)"
printf '  export --format trl (the labels in force)         %6.2f s  (%s rows)\n' "$tw" "$(wc -l <trl.jsonl)"
printf '  openrlhf / trl                                    %6.2f (target <= 1)\n' "$(awk "BEGIN {print $ow / $tw}")"

# peak RSS at each size: one first run and one rerun each
echo "  peak RSS of stepmark consensus (one run per size): first run / again"
small=""
big=0
for m in $sizes; do
	make_store "$m"
	sqlite3 "store-$m.db" "DELETE FROM agreed; UPDATE summary SET agreed = 0 WHERE agreed; DELETE FROM store_state WHERE key IN ('consensus', 'consensus_run')"
	/usr/bin/time -f "%M" -o t1.rss "$sm" --db "store-$m.db" consensus --policy "$policy" >/dev/null
	/usr/bin/time -f "%M" -o t2.rss "$sm" --db "store-$m.db" consensus --policy "$policy" >/dev/null
	r1=$(awk '{print $1 / 1024}' t1.rss)
	r2=$(awk '{print $1 / 1024}' t2.rss)
	top_m=$(awk "BEGIN {print ($r1 > $r2) ? $r1 : $r2}")
	[ -n "$small" ] || small=$top_m
	big=$(awk "BEGIN {print ($top_m > $big) ? $top_m : $big}")
	printf '    %7s solutions  %6.1f / %.1f MB\n' "$m" "$r1" "$r2"
done
printf '  peak RSS, largest %.1f MB, %.2fx the smallest  (target <= 64 MB and flat)\n' \
	"$big" "$(awk "BEGIN {print $big / $small}")"
