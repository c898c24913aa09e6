#!/bin/sh
# The arithmetic check does not cry wolf: bench/calc on ProcessBench's
# gsm8k and math splits (expert labels): among solutions where calc names
# a first error, at most 5 % where the experts put it later or nowhere.
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
STEPMARK="$STEPMARK" SHARED_DATA="$SHARED_DATA" sh "$top_srcdir/bench/calc/run.sh" >bench.out 2>&1
ok "bench/calc runs" test $? = 0
cat bench.out
ok "it measured gsm8k" has bench.out "gsm8k"
ok "at most 5 % false alarms on gsm8k" python3 -c '
import re, sys
m = re.search(r"(\d+) false alarms \(([\d.]+) %", open("bench.out").read())
assert m and float(m.group(2)) <= 5.0, m and m.group(0)
'
ok "and it still finds first errors" python3 -c '
import re
m = re.search(r"(\d+) exact", open("bench.out").read())
assert m and int(m.group(1)) >= 10, m and m.group(0)
'
# competition-level text (issue 27): the MATH split, when it is there
if [ -f "$SHARED_DATA/processbench/math.json" ]; then
	ok "it measured math" has bench.out "math "
	ok "at most 5 % false alarms on every split" python3 -c '
import re
v = re.findall(r"^(\S*) +calc names a first error in \d+: \d+ false alarms \(([\d.]+) %.*?(\d+) exact", open("bench.out").read(), re.M)
assert len(v) >= 2 and all(float(r) <= 5.0 for _, r, _ in v), v
assert all(int(x) >= 10 for _, _, x in v), v
'
	ok "and says the target is met" has bench.out "target met"
fi
finish
