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

# A page's summaries read only what came since the page before on the
# same solution (a sync's pages, a workbench's rounds): labels of two
# annotators a page each, then one made before them (the labels after it
# move) and more after, pulled a page at a time, give the summaries and
# stats of a store that pulled them all at once.
sol=$(pg_sql -c "SELECT min(id) FROM stepmark.solution")
hub_label() { # hub_label N ANNOTATOR KIND STEP VALUE SECOND
	pg_sql -c "INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, value, annotator,
		origin, created_at) VALUES ('pull-$1', $sol, $4, '$3', $5, '$2', 'human',
		'2031-01-01T00:00:$6.000Z')"
}
hub_label 1 x2 rating 0 1 10
hub_label 2 x2 rating 1 1 11
hub_label 3 x3 rating 0 -1 12
hub_label 4 x3 first_error NULL 1 13
PGPASSWORD=pw-ann expect_rc 0 "four labels, a page each" sm --db ann.db --hub "$(hub_as ann)" sync --page 1
hub_label 5 x2 rating 0 -1 05
hub_label 6 x3 rating 2 1 20
hub_label 7 x4 rating 0 0 21
hub_label 8 x2 rating 1 -1 22
PGPASSWORD=pw-ann expect_rc 0 "one made before them, then more" sm --db ann.db --hub "$(hub_as ann)" sync --page 1
PGPASSWORD=pw-ann expect_rc 0 "a store that pulls them at once" \
	sm --db once.db --hub "$(hub_as ann)" sync --create --page 100000
summaries ann.db >ann.sum
summaries once.db >once.sum
ok "a page at a time: the summaries of all at once" cmp ann.sum once.sum
ok "... labelled by x2, x3 and x4" grep -q "@x4" ann.sum
sm --db ann.db stats >ann.stats
sm --db once.db stats >once.stats
ok "... and their stats" cmp ann.stats once.stats
finish
