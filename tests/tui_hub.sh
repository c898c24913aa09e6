#!/bin/sh
# tui_hub.sh - the workbench syncs with its hub in the background (issue
# 25), in a real terminal: another store's label appears on screen within
# seconds; the hub stopped while labelling: keys keep working, the status
# line counts the unsynced labels, and they go when it is back; quitting
# with labels unsynced says so (they stay in the store); alignment links
# and actions move too; with no hub, nothing of it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
pg_start
trap 'tmx kill-server 2>/dev/null; pg_stop; rm -rf "$PGDIR"; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

# a label by who on the store's first solution, as a workbench would
label_by() { # STORE WHO STEP VALUE
	sqlite3 "$1" "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
		SELECT min(id), $3, 'rating', $4, '$2', 'human', strftime('%Y-%m-%dT%H:%M:%fZ') FROM solution"
}
unsynced() { sqlite3 "$1" "select count(*) from label where hub_seq is null and annotator = '$2'"; }
# wait_gone PANE TEXT [SECONDS]: until the pane no longer shows TEXT
wait_gone() {
	local n=0 limit=$(( ${3:-15} * 10 ))
	while screen_of "$1" | grep -qF -- "$2"; do
		n=$((n + 1))
		if [ $n -ge $limit ]; then
			echo "  (timed out waiting for the end of: $2)"
			screen_of "$1" | sed 's/^/  | /'
			return 1
		fi
		sleep 0.1
	done
}

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator bob:annotator; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
# the server logs what ann's sessions run (which statement pushes labels)
pg_sql -c "ALTER ROLE ann SET log_statement = 'all'"
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
PGPASSWORD=pw-ann sm --db ann.db --hub "$(hub_as ann)" sync --create >/dev/null
PGPASSWORD=pw-bob sm --db bob.db --hub "$(hub_as bob)" sync --create >/dev/null

# ---- no hub: nothing of it ----
label_by ann.db ann 3 1
TUI_SIZE=120x24 tui_run ':save-display nohub.txt' --db ann.db --annotator ann
ok "without a hub the status line says nothing of one" sh -c '! grep -q "unsynced\|hub" nohub.txt'
ok "and nothing was pushed" test "$(unsynced ann.db ann)" = 1

# ---- ann's workbench with the hub of her config, every second ----
cat >>"$XDG_CONFIG_HOME/stepmark/config" <<CONF
set advance = no
set hub-interval = 1
set hub = "$(hub_as ann)"
CONF
export STEPMARK_DB="$TMP/ann.db"
TUI_ENV="PGPASSWORD=pw-ann" start_tui a --annotator ann
ok "the workbench opens" wait_for a "[queue]"
ok "the label waiting goes to the hub at once" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 0 5
tmx send-keys -t a Enter
ok "the first solution opens" wait_for a "[solution]"

# bob labels in his store and syncs: it shows on ann's screen
label_by bob.db bob 1 -1
PGPASSWORD=pw-bob sm --db bob.db --hub "$(hub_as bob)" sync >/dev/null
ok "bob's label appears on ann's screen within seconds" wait_for a "bob:-1" 6

# ---- the hub stopped while ann labels ----
pg_halt
tmx send-keys -t a +
# (not by its "saved" line: "hub offline" may take the status line first)
ok "a key is answered with the hub away" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 1 5
ok "the status line counts it" wait_for a "1 unsynced" 5
tmx send-keys -t a j -
ok "keys keep working" wait_for a "first error 2" 5
ok "the count follows" wait_for a "2 unsynced" 5
ok "both wait in the store" test "$(unsynced ann.db ann)" = 2
pg_restart
ok "the hub back: the count goes" wait_gone a "unsynced" 20
ok "the hub has them" test "$(pg_sql -c "select count(*) from stepmark.label where annotator = 'ann'")" = 3
tmx send-keys -t a j
ok "the store knows their places" test "$(unsynced ann.db ann)" = 0

# ---- a hub that does not answer (its server stopped, connections
# hang): keys never wait on it ----
pg_pid=$(head -1 "$PGDIR/data/postmaster.pid")
pg_pids="$pg_pid $(ps -o pid= --ppid "$pg_pid")" # the server and its backends
kill -STOP $pg_pids
sleep 1.5 # a round is in flight and waits
tmx send-keys -t a +
ok "a key is answered while the hub hangs" wait_for a "saved: step 3 rated +1" 5
ok "and counted" wait_for a "1 unsynced" 3
kill -CONT $pg_pids
ok "the hub answers again: it goes" wait_gone a "unsynced" 10

# ---- quitting with labels unsynced ----
pg_halt
tmx send-keys -t a j -
ok "one more label" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 1 3
ok "counted" wait_for a "1 unsynced" 5
tmx send-keys -t a q q
ok "the workbench quits as ever" wait_for a "EXITED 0" 10
ok "and says what stays unsynced" wait_for a "1 label not on the hub yet: stored, it goes at the next sync" 1
ok "it is in the store" test "$(unsynced ann.db ann)" = 1
ok "no password on the screen" sh -c "! tmux -L '$TMUX_SOCK' -f /dev/null capture-pane -p -t a | grep -q 'pw-ann'"

# ---- own labels go at once, whatever the interval ----
pg_restart
echo "set hub-interval = 3600" >>"$XDG_CONFIG_HOME/stepmark/config"
TUI_ENV="PGPASSWORD=pw-ann" start_tui b --annotator ann
ok "the workbench opens again" wait_for b "[queue]"
ok "what the last one left goes at the start" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 0 5
tmx send-keys -t b Enter
ok "the solution opens" wait_for b "[solution]"
tmx send-keys -t b j j j j -
ok "a label" wait_for b "saved: step 5 rated -1" 3
ok "goes to the hub within a second or two, not at the interval" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 0 5
ok "the hub has it" test "$(pg_sql -c "select count(*) from stepmark.label where annotator = 'ann' and step_idx = 4")" = 1
ok "every label of ann's store is on the hub once" test \
	"$(pg_sql -c "select count(*) || ' ' || count(distinct uid) from stepmark.label where annotator = 'ann'")" = \
	"$(sql "select count(*) || ' ' || count(*) from label where annotator = 'ann'")"
ok "the workbench pushed them with the prepared statement" grep -q "execute stepmark_label_push:" "$PGDIR/log"
ok "never a label push of its own planned each time" sh -c \
	"! grep -q 'execute <unnamed>: WITH ins AS (INSERT INTO stepmark.label' '$PGDIR/log'"

# ---- ann on two stores while offline: the workbench says so once ----
PGPASSWORD=pw-ann sm --db ann2.db --hub "$(hub_as ann)" sync --create >/dev/null
pg_halt
tmx send-keys -t b +
ok "a label with the hub away" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 1 5
label_by ann2.db ann 2 -1
# the workbench held still while the other store syncs first
wb=$(pgrep -P "$(tmx list-panes -t b -F '#{pane_pid}')" -f stepmark | head -1)
kill -STOP "$wb"
pg_restart
PGPASSWORD=pw-ann sm --db ann2.db --hub "$(hub_as ann)" sync >out
ok "the other store's label goes first" has out "pushed: 0 solutions, 1 label"
kill -CONT "$wb"
ok "the round that meets it says so" wait_for b "hub: 1 solution labelled on two stores offline: the later labels hold" 20
ok "its own label went too" wait_for_sql \
	"select count(*) from label where annotator = 'ann' and hub_seq is null" 0 5

# ---- alignment links and actions move in the background too: the
# lead's workbench pushes the links the lead made, ann's pulls them;
# ann's actions (with their active time) reach the lead's store ----
tmx send-keys -t b q q
ok "ann's workbench quits" wait_for b "EXITED 0" 10
# wait_until WANT SECONDS COMMAND...: until the command prints WANT
wait_until() {
	local want=$1 n=0 limit=$(( $2 * 10 ))
	shift 2
	while [ "$("$@")" != "$want" ]; do
		n=$((n + 1))
		[ $n -ge $limit ] && { echo "  (timed out: $* gives $("$@"), want $want)"; return 1; }
		sleep 0.1
	done
}
echo "set hub-interval = 1" >>"$XDG_CONFIG_HOME/stepmark/config"
sm --db lead.db align >/dev/null 2>&1
nal=$(sqlite3 lead.db "select count(*) from alignment")
ok "the lead aligned" test "$nal" -gt 0
STEPMARK_DB="$TMP/lead.db"
TUI_ENV="PGPASSWORD=pw-lead" start_tui c --annotator lead "--hub '$(hub_as lead)'"
STEPMARK_DB="$TMP/ann.db"
ok "the lead's workbench opens" wait_for c "[queue]"
ok "and pushes the links to the hub" wait_until "$nal" 10 pg_sql -c "select count(*) from stepmark.alignment"
TUI_ENV="PGPASSWORD=pw-ann" start_tui d --annotator ann
ok "ann's workbench opens" wait_for d "[queue]"
ok "and pulls them" wait_for_sql "select count(*) from alignment" "$nal" 10
nact=$(sql "select count(*) from action where annotator = 'ann'")
ok "ann's actions" test "$nact" -gt 0
ok "go to the hub" wait_until "$nact" 10 pg_sql -c "select count(*) from stepmark.action where annotator = 'ann'"
ok "and reach the lead's store" wait_until "$nact" 10 \
	sqlite3 lead.db "select count(*) from action where annotator = 'ann'"
tmx send-keys -t c q q
tmx send-keys -t d q q
ok "the lead's quits as ever" wait_for c "EXITED 0" 10
ok "and ann's" wait_for d "EXITED 0" 10

# ---- the hub's reason, as much of it as the width leaves room for ----
TUI_COLS=120 TUI_LINES=40 TUI_ENV="PGPASSWORD=wrong" start_tui e --annotator ann
ok "at 120 columns the whole reason" wait_for e \
	'hub offline: password authentication failed for user "ann"' 10
TUI_COLS=80 TUI_LINES=24 TUI_ENV="PGPASSWORD=wrong" start_tui f --annotator ann
ok "at 80 its first 30 columns, cut at a word" wait_for f 'hub offline: password authentication...' 10
ok "beside the status line's fields" sh -c "tmux -L '$TMUX_SOCK' -f /dev/null capture-pane -p -t f | tail -1 | grep -q 'authentication\.\.\..* ann'"
tmx send-keys -t e q q
tmx send-keys -t f q q
ok "both quit as ever" wait_for f "EXITED 0" 10
finish
