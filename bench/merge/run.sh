#!/bin/sh
# bench/merge: stepmark merge of a laptop's store into the team's, at each
# size (solutions, ProcessBench-shaped; default 10000 100000): the laptop
# holds 3 labels per solution by one annotator (a rating, a first error,
# a note), the team's store none of them. Peer: the sqlite3 shell copying
# the same rows, `INSERT INTO main.label SELECT ... FROM other.label`, the
# floor a merge cannot beat (it checks nothing, matches nothing, refreshes
# no summary). Printed per size: wall time and peak RSS of both, and the
# ratio. Target: time linear in what is brought, RSS at most 64 MB at
# every size. The merged labels are checked against the peer's.
# Usage: bench/merge/run.sh [SIZE...]   (e.g. 10000 100000 445000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/merge}
[ $# -gt 0 ] || set -- 10000 100000
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8

cols="solution_id, step_idx, kind, value, text, annotator, origin, created_at"
echo "bench/merge: 3 labels per solution by one annotator, brought into a store without them"
printf '  %9s  %9s %8s  %9s %8s  %7s\n' solutions "merge s" "MB" "peer s" "MB" "ratio"
for n in "$@"; do
	python3 "$top/tests/gen_big.py" --processbench "$n" >data.jsonl
	rm -f base.db laptop.db
	"$sm" --db base.db import data.jsonl --format processbench --dataset bench --quiet
	cp base.db laptop.db
	sqlite3 laptop.db "INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
		SELECT id, 0, 'rating', 1, NULL, 'alice', 'tui', printf('2030-01-01T00:00:%02d.%06dZ', id % 60, id) FROM solution;
		INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
		SELECT id, NULL, 'first_error', -1, NULL, 'alice', 'tui', printf('2030-01-02T00:00:%02d.%06dZ', id % 60, id) FROM solution;
		INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
		SELECT id, NULL, 'note', NULL, 'looked at it twice', 'alice', 'tui', printf('2030-01-03T00:00:%02d.%06dZ', id % 60, id) FROM solution;"
	rm -f work.db peer.db
	cp base.db work.db
	cp base.db peer.db
	/usr/bin/time -f "%e %M" -o merge.t "$sm" --db work.db merge --quiet laptop.db
	/usr/bin/time -f "%e %M" -o peer.t sqlite3 peer.db "ATTACH 'laptop.db' AS other;
		INSERT INTO main.label($cols) SELECT $cols FROM other.label WHERE annotator = 'alice' ORDER BY id"
	q="SELECT $cols FROM label WHERE annotator = 'alice' ORDER BY solution_id, kind"
	sqlite3 work.db "$q" >merge.rows
	sqlite3 peer.db "$q" >peer.rows
	cmp -s merge.rows peer.rows || { echo "bench/merge: the merged labels differ from the peer's at $n" >&2; exit 1; }
	test "$(wc -l <merge.rows)" = $((3 * n))
	read -r mt mk <merge.t
	read -r pt pk <peer.t
	printf '  %9d  %9.2f %8.1f  %9.2f %8.1f  %6.1fx\n' "$n" "$mt" "$(awk "BEGIN {print $mk / 1024}")" \
		"$pt" "$(awk "BEGIN {print $pk / 1024}")" "$(awk "BEGIN {print $mt / ($pt > 0 ? $pt : 0.01)}")"
	awk "BEGIN {exit !($mk <= 64 * 1024)}" || echo "  (over 64 MB at $n)"
done
