#!/bin/sh
# bench/align/run.sh - the offline aligner over 100 K PRM800K-shaped
# solutions (about 1 M steps, 75 % of them with a ground-truth solution),
# against bench/align/peer.py: the same algorithm in Python, reading the
# same store and writing its links to a table of its own. Alternating, in
# the same run; prints medians, the ratio (target: at least 10x), links
# per second, and whether the two found the same links; then, on the
# MR-GSM8K sample (SHARED_DATA, default ../shared/data), how many steps
# computing one reference step's value are linked to it (bench/align/mrgsm8k.py).
#   run.sh [RUNS] (default 3); SOLUTIONS=N for another size
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
runs=${1:-3}
n=${SOLUTIONS:-100000}
out=$top/bench/out
mkdir -p "$out"
cd "$out"
# the file bench/import makes, at its size
data=prm800k_$n.jsonl
[ "$n" = 100000 ] && data=prm800k_100k.jsonl
if [ ! -f "$data" ]; then
	echo "making $data from tests/fixtures/prm800k_sample.jsonl ..."
	python3 "$top/tests/gen_big.py" --prm800k "$n" >"$data.tmp" && mv "$data.tmp" "$data"
fi
db=align_$n.db
if [ ! -f "$db" ]; then
	"$sm" --db "$db.tmp" import "$data" >/dev/null
	mv "$db.tmp" "$db"
fi
with_ref=$(sqlite3 "$db" "SELECT count(*) FROM solution s JOIN problem p ON p.id = s.problem_id WHERE p.reference <> ''")
echo "store: $n solutions, $with_ref with a reference; $(sqlite3 "$db" "SELECT count(*) FROM step") steps"
rm -f sm.times peer.times
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	/usr/bin/time -f "%e %M" -o t.out "$sm" --db "$db" align --quiet >/dev/null 2>align.err ||
		{ cat align.err; exit 1; }
	cat t.out >>sm.times
	/usr/bin/time -f "%e %M" -o t.out python3 "$here/peer.py" "$db" >peer.out
	cat t.out >>peer.times
	echo "run $i: stepmark $(cut -d' ' -f1 <sm.times | tail -1) s, peer $(cut -d' ' -f1 <peer.times | tail -1) s"
done
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{v[NR] = $1} END {
	if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sm_s=$(median sm.times 1); peer_s=$(median peer.times 1); rss=$(median sm.times 2)
links=$(sqlite3 "$db" "SELECT count(*) FROM alignment WHERE source = 'align' AND step_idx >= 0 AND ref_step >= 0")
# the same links? rows of one that the other lacks (scores to 1e-9)
sqlite3 "$db" "CREATE INDEX IF NOT EXISTS peer_alignment_key ON peer_alignment(solution_id, step_idx, ref_step)"
diff=$(sqlite3 "$db" "SELECT
	(SELECT count(*) FROM alignment a WHERE source = 'align' AND NOT EXISTS (SELECT 1 FROM peer_alignment p
	   WHERE p.solution_id = a.solution_id AND p.step_idx = a.step_idx AND p.ref_step = a.ref_step
	   AND (p.score IS NULL) = (a.score IS NULL) AND abs(coalesce(p.score, 0) - coalesce(a.score, 0)) < 1e-9))
	+ (SELECT count(*) FROM peer_alignment p WHERE NOT EXISTS (SELECT 1 FROM alignment a
	   WHERE a.source = 'align' AND a.solution_id = p.solution_id AND a.step_idx = p.step_idx
	   AND a.ref_step = p.ref_step))")
echo
echo "medians of $runs runs"
printf "%-44s %8s s  (peak RSS %s KB)\n" "stepmark align (jobs, links stored)" "$sm_s" "$rss"
printf "%-44s %8s s\n" "peer: the same algorithm in Python" "$peer_s"
echo "links: $links; rows that differ between the two: $diff"
rows=$(sqlite3 "$db" "SELECT count(*) FROM alignment WHERE source = 'align'")
awk -v a="$peer_s" -v b="$sm_s" -v l="$links" -v r="$rows" -v s="$with_ref" 'BEGIN {
	printf "stepmark is %.1fx faster than the peer (target >= 10); %.0f links, %.0f rows (links, extra and skipped steps), %.0f solutions per second\n", a / b, l / b, r / b, s / b }'
# what the links mean: MR-GSM8K's steps that compute one reference
# step's value, linked to it (issue 27), on the real records
mr=${SHARED_DATA:-$top/../shared/data}/mr-gsm8k/sample.jsonl
if [ -f "$mr" ]; then
	rm -f mr.db
	"$sm" --db mr.db import "$mr" --format generic --id uuid --problem question \
		--steps model_output_steps --gold ground_truth_answer --reference ground_truth_solution \
		--first-error model_output_solution_first_error_step --index-base 1 >/dev/null 2>&1
	"$sm" --db mr.db align --quiet
	python3 "$here/mrgsm8k.py" mr.db
else
	echo "MR-GSM8K: $mr not found (SHARED_DATA=DIR names the data): no figure"
fi
