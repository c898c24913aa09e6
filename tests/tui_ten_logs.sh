#!/bin/sh
# tui_ten_logs.sh - a person labels ten Who&When logs in a real terminal
# at 80x24, blind: the decisive turn, the agent to blame, the reason, the
# failure mode, "no decisive error", an undo. Every status line is read
# as the person reads it, and at the end the store (through the export)
# holds exactly what those lines said.
. "$top_srcdir/tests/lib.sh"
need_tmux
need_shared who-when/Hand-Crafted/3.json
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
printf '%s\n' "set advance = no" "set blind = all" >>"$XDG_CONFIG_HOME/stepmark/config"
sm import "$SHARED_DATA/who-when/Hand-Crafted" >/dev/null
sm import "$SHARED_DATA/who-when/Algorithm-Generated" >/dev/null

tmx new-session -d -s w -x 80 -y 24 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator pat; echo EXITED \$?; sleep 600"
ok "the queue opens, blind" wait_for w "blind all"
ok "blind: no log shows the data's decisive turn" sh -c "! tmux -L '$TMUX_SOCK' capture-pane -p -t w | grep -q 'Hand-Crafted:[0-9]'"

# id_of SUBSET KEY: the solution's id
id_of() { sql "select s.id from solution s join dataset d on d.id = s.dataset_id where d.name = '$1' and s.ext_key = '$2'"; }
# open_log ID: the log on screen, at turn 0, the data's attribution hidden
open_log() {
	tmx send-keys -t w ":open $1" Enter
	wait_for w "turn 0 of 0-" || return 1
	wait_for w "(blind)" || return 1
	! screen_of w | grep -q "DECISIVE"
}
# to_turn K: the cursor down K turns from turn 0
to_turn() {
	local i=0
	while [ $i -lt "$1" ]; do
		tmx send-keys -t w j
		i=$((i + 1))
	done
	wait_for w "turn $1 of 0-"
}
# agent_at K: the agent on turn K's line as the screen shows it
agent_at() { screen_of w | sed -n "s/^> *$1 \([^ ]*\).*/\1/p" | head -1; }

: >want.jsonl
# want KEY STEP AGENT REASON CATEGORY RECOVERED: what the lines said
want() {
	python3 -c 'import json, sys
k, step, agent, reason, cat, rec = sys.argv[1:]
n = lambda v: None if v == "-" else v
print(json.dumps({"id": k, "mistake_step": step, "mistake_agent": n(agent),
	"mistake_reason": n(reason), "mistake_category": n(cat),
	"mistake_recovered": None if rec == "-" else rec == "y"}))' "$@" >>want.jsonl
}

# decide SUBSET KEY TURN BLAME REASON MODEKEY RECOVERED: a decisive error
# at TURN; BLAME another agent or -; REASON a note; MODEKEY the MAST key
decide() {
	local sub=$1 key=$2 turn=$3 blame=$4 reason=$5 mkey=$6 rec=$7 agent code
	open_log "$(id_of "$sub" "$key")" || return 1
	to_turn "$turn" || return 1
	agent=$(agent_at "$turn")
	[ -n "$agent" ] || return 1
	tmx send-keys -t w e
	wait_for w "saved: decisive error at turn $turn" || return 1
	if [ "$blame" != - ]; then
		tmx send-keys -t w B C-u "$blame" Enter
		wait_for w "saved: decisive error at turn $turn: $blame to blame" || return 1
		agent=$blame
	fi
	tmx send-keys -t w t
	wait_for w "note on turn $turn:" || return 1
	tmx send-keys -t w "$reason" Enter
	wait_for w "saved: note on turn $turn" || return 1
	tmx send-keys -t w C
	wait_for w "turn $turn: which error (mast)?" || return 1
	tmx send-keys -t w "$mkey"
	wait_for w "did a later turn recover from it?" || return 1
	tmx send-keys -t w "$rec"
	wait_for w "saved: turn $turn: " || return 1
	code=$(screen_of w | sed -n "s/.*saved: turn $turn: \([0-9.]*\), .*/\1/p" | tail -1)
	[ -n "$code" ] || return 1
	want "$key" "$turn" "$agent" "$reason" "$code" "$rec"
}
# none SUBSET KEY: the trace had no decisive error
none() {
	open_log "$(id_of "$1" "$2")" || return 1
	tmx send-keys -t w c
	wait_for w "saved: no decisive error in the trace" || return 1
	want "$2" -1 - - - -
}

ok "log HC 3: turn 5, the WebSurfer to blame" decide Hand-Crafted 3 5 WebSurfer "searched the wrong week" h n
ok "log HC 6: no decisive error" none Hand-Crafted 6
ok "log HC 26: turn 2, its own agent" decide Hand-Crafted 26 2 - "misread the endnote" a y
ok "log HC 35: turn 7" decide Hand-Crafted 35 7 - "used last year's prices" m n
ok "log HC 39: turn 4, the Orchestrator to blame" decide Hand-Crafted 39 4 Orchestrator "wrong plan" b n
ok "log AG 100: turn 3" decide Algorithm-Generated 100 3 - "wrong film" j n
ok "log AG 102: no decisive error" none Algorithm-Generated 102
ok "log AG 103: turn 0" decide Algorithm-Generated 103 0 - "the plan skipped a check" n y
ok "log AG 110: turn 2" decide Algorithm-Generated 110 2 - "took the wrong column" c n

# the tenth: decided at turn 1, moved to turn 4, then undone: turn 1 again
id=$(id_of Algorithm-Generated 111)
ok "log AG 111 opens" open_log "$id"
ok "turn 1" to_turn 1
a111=$(agent_at 1)
tmx send-keys -t w e
ok "decided at turn 1" wait_for w "saved: decisive error at turn 1"
tmx send-keys -t w j j j
ok "turn 4" wait_for w "turn 4 of 0-"
tmx send-keys -t w e
ok "moved to turn 4" wait_for w "saved: decisive error at turn 4"
tmx send-keys -t w U
ok "undone: turn 1 again" wait_for w "saved: undo decisive error at turn 4; turn 1 now -1"
ok "the status line agrees" wait_for w "decisive 1"
want 111 1 "$a111" - - -

tmx send-keys -t w q q
ok "quits cleanly" wait_for w "EXITED 0"

# the store holds what the screen said, log by log
for sub in Hand-Crafted Algorithm-Generated; do
	sm export --format who-when --dataset $sub --annotator pat -o - >>got.jsonl 2>/dev/null
done
ok "ten logs exported, each as its status lines said" python3 - <<'PY'
import json
want = {json.loads(l)["id"]: json.loads(l) for l in open("want.jsonl")}
got = {}
for l in open("got.jsonl"):
    r = json.loads(l)
    got[r["id"]] = {k: r.get(k) for k in ("id", "mistake_step", "mistake_agent",
        "mistake_reason", "mistake_category", "mistake_recovered")}
assert len(want) == 10, sorted(want)
assert sorted(got) == sorted(want), (sorted(got), sorted(want))
for k, w in want.items():
    assert got[k] == w, (k, got[k], w)
PY
TUI_SIZE=80x24 tui_run ':set blind no
:save-display seen.txt' --annotator pat
ok "not blind: the data's decisive turn is there to see" grep -q "Hand-Crafted:32" seen.txt
ok "the data's attributions untouched" test "$(sql "select count(*) from label where annotator <> 'pat' and id > (select min(id) from label where annotator = 'pat')")" = 0
finish
