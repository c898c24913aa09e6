#!/bin/sh
# bench/audit: a full audit of a store of N ProcessBench-shaped solutions
# (default 100 000) with 2 annotators and 3 sources (predictions imported
# with --as-source). Peer: the same figures (ProcessBench's accuracies and
# F1 per source and data set, the first-error offsets, Cohen's kappa of
# the pair) computed by a Python script over the same store (sqlite3 and
# plain Python: bench/audit/peer.py, the step-level figures, alpha and AC1
# included). Target: at most 1 s, and at least
# 10x faster than the peer. Both outputs are compared. Then the audit's
# peak RSS on such stores at three sizes (SIZES, default 10 000, 100 000
# and 445 000 solutions; issue 30): target at most 64 MB and flat.
# Usage: bench/audit/run.sh [RUNS] [N] (default 3 and 100000).
set -eu
runs=${1:-3}
n=${2:-100000}
sizes=${SIZES:-10000 100000 445000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/audit}
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8

# make_store N: store-N.db, N solutions, 2 annotators and 3 sources
make_store() {
	db=store-$1.db
	[ -f "$db" ] && return 0
	python3 "$top/tests/gen_big.py" --processbench "$1" >data.jsonl
	python3 - <<-'PY'
	import json, random
	r = random.Random(5)
	files = {k: open(k + ".jsonl", "w") for k in ("ann2", "judge", "prm", "mc")}
	acc = {"ann2": 0.8, "judge": 0.6, "prm": 0.5, "mc": 0.4}
	for line in open("data.jsonl"):
	    x = json.loads(line)
	    n = len(x["steps"])
	    for k, f in files.items():
	        y = dict(x)
	        v = x["label"] if r.random() < acc[k] else r.randint(-1, n - 1)
	        if k == "ann2":
	            y["label"] = v
	        else:
	            y["prediction"] = v
	        f.write(json.dumps(y) + "\n")
	PY
	"$sm" --db "$db" import data.jsonl --format processbench --dataset bench --as expert >/dev/null
	"$sm" --db "$db" import ann2.jsonl --format processbench --dataset bench --as ann2 >/dev/null
	for s in judge prm mc; do
		"$sm" --db "$db" import $s.jsonl --format processbench --dataset bench --as-source $s >/dev/null
	done
	rm -f data.jsonl ann2.jsonl judge.jsonl prm.jsonl mc.jsonl
}
make_store "$n"
ln -sf "store-$n.db" store.db

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: >sm.times
: >peer.times
i=0
while [ $i -lt "$runs" ]; do
	/usr/bin/time -f "%e" -o t.sm "$sm" --db store.db audit --truth expert --json >sm.jsonl
	cat t.sm >>sm.times
	/usr/bin/time -f "%e" -o t.peer python3 "$here/peer.py" store.db expert >peer.jsonl
	cat t.peer >>peer.times
	i=$((i + 1))
done
python3 - <<'PY'
import json
sm = {(r["source"], r["dataset"]): r for r in map(json.loads, open("sm.jsonl")) if r["kind"] == "source"}
for p in map(json.loads, open("peer.jsonl")):
    if p["kind"] == "source":
        s = sm[(p["source"], p["dataset"])]
        for k in ("n_error", "n_correct", "acc_error", "acc_correct", "f1", "earlier", "later", "missed", "false_alarm", "step_f1"):
            assert abs(s[k] - p[k]) < 1e-6, (p["source"], k, s[k], p[k])
    else:
        a = [r for r in map(json.loads, open("sm.jsonl")) if r["kind"] == "agreement" and r["on"] == "first_error"
             and r["dataset"] == p["dataset"] and r["a"] == p["a"] and r["b"] == p["b"]][0]
        for k in ("kappa", "alpha", "ac1"):
            assert (a[k] is None) == (p[k] is None) and (a[k] is None or abs(a[k] - p[k]) < 1e-6), (k, a, p)
PY
smw=$(median <sm.times)
pw=$(median <peer.times)
steps=$(sqlite3 store.db "SELECT sum(nsteps) FROM summary")
echo "bench/audit: $n solutions ($steps steps), 2 annotators, 3 sources, $runs runs (medians); the figures agree"
printf '  stepmark audit   %7.2f s  (target <= 1 s)\n' "$smw"
printf '  python peer      %7.2f s\n' "$pw"
printf '  speed-up         %7.1fx (target >= 10x)\n' "$(awk "BEGIN {print $pw / $smw}")"

# peak RSS at each size: one run each
echo "  peak RSS of stepmark audit (one run per size):"
small=""
big=0
for m in $sizes; do
	make_store "$m"
	/usr/bin/time -f "%M" -o t.rss "$sm" --db "store-$m.db" audit --truth expert --json >/dev/null
	rss=$(awk '{print $1 / 1024}' t.rss)
	[ -n "$small" ] || small=$rss
	big=$(awk "BEGIN {print ($rss > $big) ? $rss : $big}")
	printf '    %7s solutions  %6.1f MB\n' "$m" "$rss"
done
printf '  peak RSS, largest %.1f MB, %.2fx the smallest  (target <= 64 MB and flat)\n' \
	"$big" "$(awk "BEGIN {print $big / $small}")"
