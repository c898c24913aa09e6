#!/bin/sh
# The arithmetic check does not cry wolf: bench/calc on ProcessBench's
# gsm8k split (expert labels): among solutions where calc names a first
# error, at most 5 % where the experts put it later or nowhere.
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
STEPMARK="$STEPMARK" SHARED_DATA="$SHARED_DATA" sh "$top_srcdir/bench/calc/run.sh" >bench.out 2>&1
ok "bench/calc runs" test $? = 0
cat bench.out
ok "it measured gsm8k" has bench.out "gsm8k"
ok "at most 5 % false alarms" python3 -c '
import re, sys
m = re.search(r"(\d+) false alarms \(([\d.]+) %", open("bench.out").read())
assert m and float(m.group(2)) <= 5.0, m and m.group(0)
'
ok "and it still finds first errors" python3 -c '
import re
m = re.search(r"(\d+) exact", open("bench.out").read())
assert m and int(m.group(1)) >= 10, m and m.group(0)
'
finish
