#!/bin/sh
# tui_hub_busy.sh - the workbench labels while a big pull from its hub
# comes in (issue 25): every key takes effect and is saved, the labels
# typed meanwhile go to the hub between two pages, the pull is stored a
# page at a time, each page no longer than a key may wait (a slower one
# makes the next smaller), and quitting mid-pull pushes what was typed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
pg_start

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator bob:annotator; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
PGPASSWORD=pw-ann sm --db ann.db --hub "$(hub_as ann)" sync --create >/dev/null
# bob's 100 000 labels on the hub, over the steps (the superuser's insert:
# the hub's trigger places them), for ann's workbench to pull
pg_sql -c "INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, value, annotator,
		origin, created_at)
	SELECT md5('busy' || g), s.solution_id, s.idx, 'rating', g % 3 - 1, 'bob', 'human',
		'2026-01-01T00:00:00.000Z'
	FROM generate_series(1, 100000) g
	JOIN (SELECT solution_id, idx, row_number() OVER (ORDER BY solution_id, idx) - 1 AS n,
		count(*) OVER () AS c FROM stepmark.step) s ON s.n = g % s.c" >/dev/null

# ann labels the first solution, a key every 30 ms, while it comes in:
# steps 1 and 2 rated by turns, each key a new value; then moves only
{
	echo '<Enter>'
	for i in $(seq 10); do printf '%s\n' + j - k - j + k; done
	for i in $(seq 50); do printf '%s\n' j k; done # 3 s more
	echo + # and the last label: the end comes while it waits
} >keys
cat >>"$XDG_CONFIG_HOME/stepmark/config" <<CONF
set advance = no
set hub-interval = 1
CONF
PGPASSWORD=pw-ann STEPMARK_SCRIPT=keys STEPMARK_SCRIPT_PACE=30 STEPMARK_NO_DISPLAY=1 \
	STEPMARK_TRACE=trace STEPMARK_TIMINGS=timings STEPMARK_SQLLOG=sql TERM=xterm-256color \
	COLUMNS=100 LINES=24 sm --db ann.db --hub "$(hub_as ann)" --annotator ann >out 2>err &
wb=$! started_at=$(date +%s.%N)
# when the hub has all 40 of ann's labels: how much of the pull was in
bobs_then="" had_at=""
while kill -0 "$wb" 2>/dev/null; do
	if [ "$(pg_sql -c "select count(*) from stepmark.label where annotator = 'ann'")" -ge 40 ]; then
		had_at=$(date +%s.%N)
		bobs_then=$(sqlite3 -cmd '.timeout 2000' ann.db \
			"select count(*) from label where annotator = 'bob'")
		break
	fi
	sleep 0.1
done
wait "$wb"
rc=$? ended_at=$(date +%s.%N)
ok "the session ends well" test $rc = 0
saved=$(grep -c '^saved action=' trace)
ok "every labelling key is saved (41 of them)" test "$saved" = 41
ok "each one in the store" test "$(sqlite3 ann.db "select count(*) from action where annotator = 'ann'")" = 41
bobs=$(sqlite3 ann.db "select count(*) from label where annotator = 'bob'")
ok "the pull was under way (bob's labels came in: $bobs)" test "$bobs" -gt 0
ok "and not over when the session ended" test "$bobs" -lt 100000
ok "the labels typed went to the hub between two pages of the pull (bob's then: ${bobs_then:-none})" \
	test -n "$bobs_then" -a "${bobs_then:-0}" -lt 100000
ok "while the keys went on, not at the quit" \
	awk "BEGIN { exit !(${had_at:-0} > 0 && $ended_at - ${had_at:-0} > 2) }"
ok "quitting mid-pull pushes every label typed" test \
	"$(pg_sql -c "select count(*) from stepmark.label where annotator = 'ann'")" = \
	"$(sqlite3 ann.db "select count(*) from label where annotator = 'ann'")"
ok "nothing said left unsynced" sh -c '! grep -q "not on the hub" err'
# the quit pulls no more than the page in flight: the workbench's turns
# time each page they store (timings' hub-page lines), the quit's do not,
# so what the store holds beyond their sum came in at the quit
during=$(awk '$1 == "hub-page" { n += $2 } END { print n + 0 }' timings)
ok "the quit pulled little more ($bobs of bob's labels, $during events in the session's pages)" \
	test "$((bobs - during))" -le 1000
ok "the store knows their places" test \
	"$(sqlite3 ann.db "select count(*) from label where annotator = 'ann' and hub_seq is null")" = 0
# hub-page EVENTS ASKED MS NEXT: a page that took longer than 3 ms asks
# for fewer next time (down to 20)
ok "the pull came a page at a time" test "$(grep -c '^hub-page ' timings)" -gt 2
ok "a page slower than a key may wait makes the next smaller" awk '
	$1 == "hub-page" && $4 > 3 && $3 > 20 && $5 >= $3 { print "slow page: " $0; bad = 1 }
	END { exit bad }' timings
# the screen shows what came in at most 4 times a second while pages
# come in (the views read the store again: the labels' new solutions)
reloads=$(grep -c '^SELECT solution_id FROM label WHERE id >' sql)
ok "the views read the store again at all" test "$reloads" -gt 0
ok "the views read the store again $reloads times in $(awk "BEGIN {printf \"%.1f\", $ended_at - $started_at}") s, not at each of $(grep -c '^hub-page ' timings) pages" \
	awk "BEGIN { exit !($reloads <= 5 * ($ended_at - $started_at) + 5) }"
finish
