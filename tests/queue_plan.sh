#!/bin/sh
# The queue reads a window as an index range whatever the store's size:
# every statement a session runs under each disagreement filter and under
# agreed and no-consensus, in id and in progress order, is planned as a
# SEARCH of an index (never a SCAN of the summary table or of a whole
# index), checked with EXPLAIN QUERY PLAN on the statements the workbench
# logged.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm import "$FIXTURES/processbench_gsm8k_20.json" --dataset more >/dev/null
# some solutions agreed, some not
sm consensus --policy human --dataset more >/dev/null 2>&1
ok "consensus agreed some" test "$(sql "select count(*) from agreed where rule is not null")" -gt 0
ok "the mark follows the agreed table" test "$(sql "select count(*) from summary where agreed")" = \
	"$(sql "select count(*) from agreed where rule is not null")"
keys=''
for f in disagree disagree-annotators disagree-sources disagree-human-auto agreed no-consensus \
	agreed-adjudicated agreed-people agreed-sources "agreed human"; do
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
# the same filters again within one data set
printf '%s:dataset more\n%s' "$keys" "$keys" >keys.txt
STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 STEPMARK_SQLLOG=sql.log TERM=xterm-256color \
	COLUMNS=100 LINES=30 sm --annotator ann
ok "the session ran" test -s sql.log
grep -E '^SELECT (m\.solution_id|\* FROM \(SELECT m\.solution_id|count\(\*\) FROM summary m)' sql.log |
	grep -E 'm\.flags &|m\.agreed =' | sort -u >queue.sql
ok "it ran the filters' statements" test "$(wc -l <queue.sql)" -ge 12
ok "agreed's among them" grep -q 'AND m.agreed = 1' queue.sql
ok "no-consensus's too" grep -q 'AND m.agreed = 0' queue.sql
ok "both orders" grep -q 'UNION ALL' queue.sql
ok "and within a data set" grep -q 'm.dataset_id = [0-9]* AND m.agreed = 0' queue.sql
while IFS= read -r q; do
	sqlite3 "$STEPMARK_DB" "EXPLAIN QUERY PLAN $q" >plan.txt
	if grep -q 'SCAN m\b\|SCAN m$\|SCAN m USING' plan.txt || ! grep -Eq 'SEARCH m USING (COVERING )?INDEX summary_(dis|agreed|noagreed)' plan.txt; then
		echo "  $q"
		sed 's/^/  | /' plan.txt
		echo bad >>bad.txt
	fi
done <queue.sql
ok "every filtered window is an index search" test ! -s bad.txt

# a rule's or a kind of rule's solutions: from the partial index of its
# kind (schema 25), never the whole agreed table
grep -E '^SELECT (m\.solution_id|\* FROM \(SELECT m\.solution_id|count\(\*\) FROM summary m)' sql.log |
	grep -F 'FROM agreed g' | sort -u >rules.sql
ok "the rule filters ran" test "$(grep -c "g.rule = 'adjudicated'" rules.sql)" -gt 0 -a \
	"$(grep -c "GLOB 'human\*'" rules.sql)" -gt 0 -a "$(grep -c "GLOB 'sources \*'" rules.sql)" -gt 0 -a \
	"$(grep -c "AND g.rule = 'human'" rules.sql)" -gt 0
: >bad.txt
while IFS= read -r q; do
	sqlite3 "$STEPMARK_DB" "EXPLAIN QUERY PLAN $q" >plan.txt 2>&1
	if ! grep -Eq 'INDEX agreed_(adjudicated|people|sources)' plan.txt || grep -q 'SCAN g$' plan.txt; then
		echo "  $q"
		sed 's/^/  | /' plan.txt
		echo bad >>bad.txt
	fi
done <rules.sql
ok "each reads its kind's index" test ! -s bad.txt
: >bad.txt
grep -F "AND g.rule = 'human'" rules.sql | while IFS= read -r q; do
	sqlite3 "$STEPMARK_DB" "EXPLAIN QUERY PLAN $q" | grep -q 'COVERING INDEX agreed_people' || echo bad >>bad.txt
done
ok "one rule's, from the index alone (no row read an entry)" test ! -s bad.txt
ok "consensus's count of the agreed rows reads an index, not the rows" sh -c \
	"sqlite3 '$STEPMARK_DB' 'EXPLAIN QUERY PLAN SELECT count(*) FROM agreed' | grep -q 'COVERING INDEX agreed_ids'"

# a label on an agreed solution writes its summary again: the flag stays
sol=$(sql "select solution_id from agreed where rule is not null order by solution_id limit 1")
printf ':open %s\n+\n+\n:quit\n' "$sol" >label.keys
STEPMARK_SCRIPT=label.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color sm --annotator other
ok "the label was saved" test "$(sql "select count(*) from label where annotator = 'other'")" -gt 0
ok "the summary was written again" test "$(sql "select instr(verdicts, '@other') > 0 from summary where solution_id = $sol")" = 1
ok "and keeps its agreed mark" test "$(sql "select agreed from summary where solution_id = $sol")" = 1
ok "every mark still follows the agreed table" test "$(sql "select count(*) from summary where agreed")" = \
	"$(sql "select count(*) from agreed where rule is not null")"
finish
