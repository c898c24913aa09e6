#!/bin/sh
# hub_pull.sh - a big pull (issue 25, bench/hub): a page of many
# solutions pulled in little memory (each solution room for its own
# steps, not the page's), and the summaries a pull makes at its end the
# same as the store that labelled.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
python3 "$top_srcdir/tests/gen_big.py" --prm800k 1000 >big.jsonl
sm --db lead.db --annotator lead import big.jsonl >/dev/null
PGPASSWORD=pw-lead expect_rc 0 "the lead pushes 1000 solutions" sm --db lead.db --hub "$(hub_as lead)" sync
nl=$(sqlite3 lead.db "select count(*) from label")
PGPASSWORD=pw-ann expect_rc 0 "a store made from the hub" \
	/usr/bin/time -f %M -o rss "$STEPMARK" --db ann.db --hub "$(hub_as ann)" sync --create --page 500
ok "pulls them in two pages" has out "pulled: 1000 solutions, $nl labels"
# each solution had room for every step of its page before: 92 MB here
# (AddressSanitizer's shadow memory makes peak RSS meaningless)
[ -n "${SANITIZED:-}" ] ||
	ok "in little memory ($(cat rss) KB)" test "$(cat rss)" -lt 40000
summaries() {
	sqlite3 "$1" "SELECT s.ext_key, m.nsteps, m.labelled, m.flags, m.verdicts FROM summary m
		JOIN solution s ON s.id = m.solution_id ORDER BY s.ext_key"
}
summaries lead.db >lead.sum
summaries ann.db >ann.sum
ok "the same summaries as the store that labelled" cmp lead.sum ann.sum
ok "none missing" test "$(sqlite3 ann.db "select count(*) from solution where id not in (select solution_id from summary)")" = 0
finish
