#!/bin/sh
# bench/mc: Monte Carlo first errors on ProcessBench gsm8k with the
# simulated policy of tests/fake_oai.py (a rollout reaches the gold answer
# with p_good before the first error, p_bad from it on). vanilla (N = 8
# rollouts per prefix, Math-Shepherd's hard estimate) against bisect
# (binary search with a sequential test per prefix, OmegaPRM style).
# Prints rollouts used and first-error accuracy against the true labels.
# Usage: bench/mc/run.sh [SEEDS] (default 3; each seed is a new policy run)
set -eu
seeds=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/mc}
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
data=${PROCESSBENCH:-$top/../shared/data/processbench/gsm8k.json}
if [ ! -f "$data" ]; then
	echo "bench/mc: $data is missing: using the 20 fixture items instead (tests/fixtures)"
	data=$top/tests/fixtures/processbench_gsm8k_20.json
fi
python3 "$top/tests/sim_data.py" "$data" >sim.jsonl
n=$(wc -l <sim.jsonl)
echo "bench/mc: data $data ($n items)"
"$sm" --db store.db import sim.jsonl --format generic --problem problem --steps steps \
	--gold gold --id id --first-error first_error --as truth --dataset gsm8k >/dev/null
mkdir -p xdg/stepmark
calc() { awk "BEGIN {print $1}"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# accuracy STRATEGY: the share of solutions whose MC first error is the truth
accuracy() {
	sqlite3 store.db "SELECT avg(g.first_error = l.value) FROM suggestion g
		JOIN job j ON j.id = g.job_id JOIN label l ON l.solution_id = g.solution_id
		AND l.kind = 'first_error' AND l.annotator = 'truth'
		WHERE g.step_idx IS NULL AND j.params LIKE '%$1%'"
}
rollouts() {
	sqlite3 store.db "SELECT sum(g.n) FROM suggestion g JOIN job j ON j.id = g.job_id
		WHERE g.step_idx IS NOT NULL AND j.params LIKE '%$1%'"
}
decided() {
	sqlite3 store.db "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id
		WHERE g.step_idx IS NULL AND j.params LIKE '%$1%'"
}
: >runs.txt
s=1
while [ "$s" -le "$seeds" ]; do
	rm -f port
	python3 "$top/tests/fake_oai.py" --data sim.jsonl --port-file port --seed "$s" \
		--p-good 0.8 --p-bad 0.05 2>server.err &
	server=$!
	while [ ! -s port ]; do sleep 0.1; done
	cat >xdg/stepmark/config <<CFG
endpoint sim url http://127.0.0.1:$(cat port)/v1
endpoint sim model sim-policy
endpoint sim kind completions
endpoint sim concurrency 32
endpoint sim seed $s
provider mc rollouts 8
provider mc budget 1000
CFG
	sqlite3 store.db "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"
	"$sm" --db store.db fetch --mc --strategy vanilla --quiet >/dev/null
	"$sm" --db store.db fetch --mc --strategy bisect --quiet >/dev/null
	echo "provider mc hits 1" >>xdg/stepmark/config
	"$sm" --db store.db fetch --mc --strategy bisect --quiet >/dev/null
	kill $server
	wait $server 2>/dev/null || true
	V='"strategy":"vanilla"' B='"hits":2' H='"hits":1'
	echo "$(rollouts "$V") $(accuracy "$V") $(decided "$V") $(rollouts "$B") $(accuracy "$B") $(decided "$B") $(rollouts "$H") $(accuracy "$H")" >>runs.txt
	s=$((s + 1))
done
vr=$(cut -d' ' -f1 runs.txt | median)
va=$(cut -d' ' -f2 runs.txt | median)
vd=$(cut -d' ' -f3 runs.txt | median)
br=$(cut -d' ' -f4 runs.txt | median)
ba=$(cut -d' ' -f5 runs.txt | median)
bd=$(cut -d' ' -f6 runs.txt | median)
hr=$(cut -d' ' -f7 runs.txt | median)
ha=$(cut -d' ' -f8 runs.txt | median)
echo "bench/mc: $n ProcessBench gsm8k solutions, simulated policy p_good 0.8, p_bad 0.05, $seeds seeds (medians)"
printf '  vanilla (N = 8)        %7d rollouts  first-error accuracy %.3f  (%d decided)\n' "$vr" "$va" "$vd"
printf '  bisect (batch 2, 2 hits) %5d rollouts  first-error accuracy %.3f  (%d decided)\n' "$br" "$ba" "$bd"
printf '  bisect, 1 hit (the hard estimate) %d rollouts  accuracy %.3f  (ratio %.3f)\n' "$hr" "$ha" "$(calc "$hr / $vr")"
printf '  rollouts bisect/vanilla %.3f (target <= 0.35); accuracy bisect - vanilla %+.3f (target >= 0)\n' \
	"$(calc "$br / $vr")" "$(calc "$ba - $va")"
