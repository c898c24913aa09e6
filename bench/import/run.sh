#!/bin/sh
# bench/import/run.sh - stepmark import/export against the Python peer.
#
# Makes a PRM800K-scale file (100 K solutions, about 1 M steps, 700 MB)
# from the real sample records, then times, in the same run and
# alternating, stepmark and bench/import/peer.py (json + sqlite3, one
# transaction, executemany, the same tables and content), each into a
# new store and into one that holds data. And the floors: reading the
# file, parsing it with yajl alone (bench/import/parse), a minimal C
# program inserting the very rows stepmark stored into the same schema
# with the same pragmas, a bound INSERT per row (bench/import/floor): in
# the order an importer meets them, record by record (the target's
# floor), and table by table, an order no importer reading a file once
# can have; and SQLite copying them without binding (the sqlite3 shell's
# INSERT ... SELECT). Each timed command starts after a sync, so none
# pays for the writeback of the one before. Prints medians and ratios,
# and each run's ratio to the insert floor. Usage: [OLD=BINARY] run.sh
# [RUNS] (default 3); with OLD, another stepmark (an older build) imports
# into a new store in the same runs too. Needs about 4 GB of disk under
# bench/out/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
parse=${PARSE:-$top/bench/import/parse}
floor=${FLOOR:-$top/bench/import/floor}
for p in "$parse" "$floor"; do
	[ -x "$p" ] || { echo "bench/import needs $p: make check (or make ${p#$top/}) builds it"; exit 1; }
done
runs=${1:-3}
out=$top/bench/out
mkdir -p "$out"
cd "$out"

data=prm800k_100k.jsonl
if [ ! -f $data ]; then
	echo "making $data from tests/fixtures/prm800k_sample.jsonl ..."
	python3 "$top/tests/gen_big.py" --prm800k 100000 >$data.tmp && mv $data.tmp $data
fi
small=prm800k_10k.jsonl
[ -f $small ] || head -n 10000 $data >$small
# the records a store holds already: other problems than the file's
seed=prm800k_seed.jsonl
[ -f $seed ] || python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    r["question"]["problem"] = "[seed] " + r["question"]["problem"]
    print(json.dumps(r))' $small >$seed
lines=$(wc -l <$data)
bytes=$(stat -c %s $data)
echo "file: $data, $lines solutions, $((bytes / 1000000)) MB"

t() { # t NAME COMMAND...: appends "seconds kilobytes" to NAME.times
	name=$1
	shift
	sync
	/usr/bin/time -f "%e %M" -o time.out "$@" >/dev/null 2>cmd.err || {
		echo "failed: $*"; cat cmd.err; exit 1; }
	cat time.out >>"$name.times"
}

rm -f ./*.times
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	rm -f s.db* p.db* e.db* o.db*
	t sm_import "$sm" --db s.db import $data
	if [ -n "${OLD:-}" ]; then
		t old_import "$OLD" --db o.db import $data
		rm -f o.db*
	fi
	t peer_import python3 "$here/peer.py" import $data p.db
	t sm_export "$sm" --db s.db export --format trl -o s.trl
	t peer_export python3 "$here/peer.py" export p.db p.trl
	# into a store that already holds data: the WAL path, both
	"$sm" --db e.db import $seed >/dev/null
	t sm_import_existing "$sm" --db e.db import $data
	rm -f pe.db*
	python3 "$here/peer.py" import $seed pe.db >/dev/null
	t peer_import_existing python3 "$here/peer.py" import $data pe.db
	rm -f s10.db*
	t sm_import_10k "$sm" --db s10.db import $small
	# the floors
	t floor_read cat $data
	t floor_parse "$parse" $data
	rm -f fl.db*
	t floor_c "$floor" s.db fl.db
	rm -f fl.db*
	t floor_rec "$floor" --by-record s.db fl.db
	rm -f f.db*
	sqlite3 s.db "SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'" >schema.sql
	# the same schema: the same page size too
	sqlite3 f.db "PRAGMA page_size = $(sqlite3 s.db 'PRAGMA page_size'); PRAGMA journal_mode = WAL;" >/dev/null
	sqlite3 f.db <schema.sql
	tables=$(sqlite3 s.db "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	{
		echo "ATTACH 's.db' AS src; BEGIN;"
		for tb in $tables; do echo "INSERT INTO main.\"$tb\" SELECT * FROM src.\"$tb\";"; done
		echo "COMMIT;"
	} >floor.sql
	t floor_insert sqlite3 f.db <floor.sql
	echo "run $i done"
done

median() { # median FILE COLUMN
	cut -d' ' -f"$2" "$1" | sort -n | awk '{v[NR] = $1} END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

si=$(median sm_import.times 1); pi=$(median peer_import.times 1)
se=$(median sm_export.times 1); pe=$(median peer_export.times 1)
sx=$(median sm_import_existing.times 1); px=$(median peer_import_existing.times 1)
fr=$(median floor_read.times 1); fp=$(median floor_parse.times 1); fi=$(median floor_insert.times 1)
fc=$(median floor_c.times 1); fcr=$(median floor_rec.times 1)
rs=$(median sm_import.times 2); rx=$(median sm_import_existing.times 2)
r10=$(median sm_import_10k.times 2); re=$(median sm_export.times 2)
rp=$(median peer_import.times 2)
echo
echo "medians of $runs runs (seconds; peak RSS in KB)"
printf "%-34s %8s s %8s KB\n" "stepmark import, new store" "$si" "$rs"
printf "%-34s %8s s %8s KB\n" "stepmark import, existing store" "$sx" "$rx"
printf "%-34s %8s s %8s KB\n" "peer import (python json+sqlite3)" "$pi" "$rp"
printf "%-34s %8s s %8s KB\n" "stepmark export trl" "$se" "$re"
printf "%-34s %8s s\n" "peer export trl" "$pe"
printf "%-34s %8s KB\n" "stepmark import of 10 K solutions" "$r10"
printf "%-34s %8s s\n" "peer import, existing store" "$px"
printf "%-34s %8s s\n" "floor: reading the file" "$fr"
printf "%-34s %8s s\n" "floor: parsing it with yajl alone" "$fp"
printf "%-34s %8s s\n" "floor: C inserts, record by record" "$fcr"
printf "%-34s %8s s\n" "floor: C inserts, table by table" "$fc"
printf "%-34s %8s s\n" "floor: SQLite copying them" "$fi"
echo
echo "import speed-up vs peer, new store:      $(ratio "$pi" "$si")x   (target >= 2.5)"
echo "import speed-up vs peer, existing store: $(ratio "$px" "$sx")x   (target >= 2)"
echo "new store vs the insert floor (C, by record): $(ratio "$si" "$fcr")x   (target <= 1.1)"
echo "  each run: $(paste -d' ' sm_import.times floor_rec.times | awk '{printf "%.2fx ", $1 / $3}')"
if [ -n "${OLD:-}" ]; then
	so=$(median old_import.times 1)
	echo "OLD ($OLD), new store: $so s, $(ratio "$so" "$fcr")x the floor; this build $(ratio "$so" "$si")x faster"
	echo "  each run: $(paste -d' ' old_import.times floor_rec.times | awk '{printf "%.2fx ", $1 / $3}')"
fi
echo "new store vs the insert floor (C, by table):  $(ratio "$si" "$fc")x"
echo "new store vs SQLite copying the rows:     $(ratio "$si" "$fi")x"
echo "new store vs the floors' sum (parse + insert by record): $(ratio "$si" "$(awk -v a="$fp" -v b="$fcr" 'BEGIN {print a + b}')")x"
echo "export speed-up vs peer export:          $(ratio "$pe" "$se")x   (target >= 1)"
echo "export vs peer import time:              $(ratio "$pi" "$se")x"
echo "peak RSS import: ${rs} KB (target <= 65536); 10 K -> 100 K solutions: $(ratio "$rs" "$r10")x"

# LARGE=N (say 445000): one import of N solutions into a new store, and
# its growth from 100 K: time per solution, and RSS
if [ -n "${LARGE:-}" ]; then
	big=prm800k_$LARGE.jsonl
	if [ ! -f "$big" ]; then
		echo "making $big ..."
		python3 "$top/tests/gen_big.py" --prm800k "$LARGE" >$big.tmp && mv $big.tmp $big
	fi
	rm -f big.db*
	t sm_import_big "$sm" --db big.db import $big
	rm -f fl.db*
	t floor_big "$floor" --by-record big.db fl.db
	rm -f big.db* fl.db*
	sb=$(cut -d' ' -f1 sm_import_big.times); rb=$(cut -d' ' -f2 sm_import_big.times)
	fb=$(cut -d' ' -f1 floor_big.times)
	echo
	echo "$LARGE solutions, one run: import ${sb} s, ${rb} KB; the insert floor (by record) ${fb} s: $(ratio "$sb" "$fb")x"
	echo "growth from 100 K, time per solution: stepmark $(awk -v a="$sb" -v b="$si" -v n="$LARGE" 'BEGIN { printf "%.2f", (a / n) / (b / 100000) }')x, floor $(awk -v a="$fb" -v b="$fcr" -v n="$LARGE" 'BEGIN { printf "%.2f", (a / n) / (b / 100000) }')x; RSS $(ratio "$rb" "$rs")x"
fi
