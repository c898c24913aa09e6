#!/bin/sh
# bench/calc: how often the offline arithmetic check cries wolf. On every
# ProcessBench split at hand (gsm8k and math in ../shared/data; the
# competition splits olympiadbench and omnimath when they are there), among
# solutions where calc names a first error, the share where the experts put
# the first error later or nowhere (target: at most 5 % on each split), and
# how many of the experts' first errors calc finds (its true finds); the
# last line says whether every split met the target. --show lists each
# false alarm's claim.
#   STEPMARK=./stepmark bench/calc/run.sh [--show]
set -eu
: "${STEPMARK:=./stepmark}"
here=$(cd "$(dirname "$0")" && pwd)
data=${SHARED_DATA:-$here/../../../shared/data}/processbench
show=${1:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stepmark-bench-calc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
found=0
for split in gsm8k math olympiadbench omnimath; do
	f=$data/$split.json
	[ -f "$f" ] || continue
	found=1
	"$STEPMARK" --db "$tmp/$split.db" import "$f" --as processbench --dataset "$split" >/dev/null
	"$STEPMARK" --db "$tmp/$split.db" fetch --calc --quiet >/dev/null 2>&1 || true
	python3 - "$tmp/$split.db" "$split" "$show" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
split, show = sys.argv[2], sys.argv[3] == "--show"
expert = dict(db.execute("SELECT solution_id, value FROM label WHERE kind = 'first_error' AND annotator = 'processbench'"))
calc = dict(db.execute("SELECT solution_id, first_error FROM suggestion WHERE source = 'calc' AND step_idx IS NULL AND first_error >= 0"))
steps_checked = db.execute("SELECT count(*) FROM suggestion WHERE source = 'calc' AND step_idx IS NOT NULL").fetchone()[0]
errors = sum(1 for v in expert.values() if v >= 0)
flagged = len(calc)
false = [s for s, k in calc.items() if expert.get(s, -1) == -1 or expert[s] > k]
exact = sum(1 for s, k in calc.items() if expert.get(s) == k)
late = flagged - len(false) - exact
rate = 100.0 * len(false) / flagged if flagged else 0.0
print("%-14s %4d solutions, %4d with an expert first error; calc checked %d steps" % (split, len(expert), errors, steps_checked))
print("%-14s calc names a first error in %d: %d false alarms (%.1f %%, target <= 5 %%), "
      "%d exact (%.1f %% of the experts' %d), %d after the true one" % (
      "", flagged, len(false), rate, exact, 100.0 * exact / errors if errors else 0, errors, late))
open(sys.argv[1] + ".met", "w").write("%s %d\n" % (split, rate <= 5.0))
if show:
    for s in sorted(false):
        k = calc[s]
        r = db.execute("SELECT rationale FROM suggestion WHERE source = 'calc' AND solution_id = ? AND step_idx = ?", (s, k)).fetchone()
        print("  solution %d step %d (experts: %s): %s" % (s, k + 1, expert.get(s), (r[0] or "").replace("\n", " | ")[:300]))
PY
done
[ "$found" = 1 ] || { echo "bench/calc: no ProcessBench split in $data"; exit 1; }
missed=$(cat "$tmp"/*.met | awk '$2 == 0 { printf " %s", $1 }')
if [ -z "$missed" ]; then
	echo "target met: at most 5 % false alarms on every split ($(cat "$tmp"/*.met | awk '{ printf "%s ", $1 }' | sed 's/ $//'))"
else
	echo "target missed on:$missed"
fi
