#!/bin/sh
# The queue reads a window as an index range whatever the store's size:
# every statement a session runs under each disagreement filter, in id
# and in progress order, is planned as a SEARCH of an index (never a SCAN
# of the summary table or of a whole index), checked with EXPLAIN QUERY
# PLAN on the statements the workbench logged.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
keys=''
for f in disagree disagree-annotators disagree-sources disagree-human-auto; do
	keys="$keys:filter $f
j
G
g
o
j
G
g
o
"
done
printf '%s' "$keys" >keys.txt
STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 STEPMARK_SQLLOG=sql.log TERM=xterm-256color \
	COLUMNS=100 LINES=30 sm --annotator ann
ok "the session ran" test -s sql.log
grep -E '^SELECT (m\.solution_id|\* FROM \(SELECT m\.solution_id|count\(\*\) FROM summary m)' sql.log |
	grep 'm.flags &' | sort -u >queue.sql
ok "it ran the filters' statements" test "$(wc -l <queue.sql)" -ge 8
ok "both orders" grep -q 'UNION ALL' queue.sql
while IFS= read -r q; do
	sqlite3 "$STEPMARK_DB" "EXPLAIN QUERY PLAN $q" >plan.txt
	if grep -q 'SCAN m\b\|SCAN m$\|SCAN m USING' plan.txt || ! grep -q 'SEARCH m USING INDEX summary_dis' plan.txt; then
		echo "  $q"
		sed 's/^/  | /' plan.txt
		echo bad >>bad.txt
	fi
done <queue.sql
ok "every filtered window is an index search" test ! -s bad.txt
finish
