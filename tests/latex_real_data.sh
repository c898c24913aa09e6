#!/bin/sh
# bench/latex over the records in ../shared/data: it runs, names its peer
# when it is installed, and the rendered text keeps almost no backslash
# command (the measure of readable math): at most 1 % of lines.
. "$top_srcdir/tests/lib.sh"
need_shared prm800k/sample.jsonl
RENDER="$top_builddir/bench/latex/render" SHARED_DATA="$SHARED_DATA" \
	sh "$top_srcdir/bench/latex/run.sh" >bench.out 2>&1
ok "bench/latex runs" test $? = 0
cat bench.out
ok "it measured the texts" grep -q "^stepmark   per text: median" bench.out
ok "at most 1 % of rendered lines keep a command" python3 -c '
import re
m = re.search(r"stepmark .*lines with a command left: (\d+) of (\d+) \(([\d.]+) %", open("bench.out").read())
assert m and int(m.group(2)) > 1000 and float(m.group(3)) <= 1.0, m and m.group(0)
'
finish
