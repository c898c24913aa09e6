#!/bin/sh
# The workbench fetches in its own loop: the solution on screen first,
# suggestions appear without a key, keys and prompts never wait
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config "$XDG_CONFIG_HOME/stepmark/config" "set fetch judge calc"

# scripted: the loop catches up between keys, so what it fetched is shown
tui_run '<Enter>
:save-display s1
J
:save-display s2
:quit'
ok "the judge's verdict is shown" has s1 "judge"
ok "solution 1 has a verdict" test "$(sql "SELECT count(*) FROM suggestion WHERE solution_id = 1 AND source = 'judge'")" = 1
ok "solution 2 has one" test "$(sql "SELECT count(*) FROM suggestion WHERE solution_id = 2 AND source = 'judge'")" = 1
ok "no other solution was fetched" test "$(sql "SELECT count(*) FROM job")" = 4
ok "calc ran too" test "$(sql "SELECT count(*) FROM job WHERE kind = 'calc' AND state = 'done'")" = 2

# @: every provider the config serves, for the solution on screen
fake_config "$XDG_CONFIG_HOME/stepmark/config"
tui_run '<Enter>
j
j
@
k
:save-display s3
:quit'
tail -1 s3 >s3.status
# (align and align-judge link steps to a reference, which the simulation's
# problems lack: no job for them; attribute asks only of agent traces)
ok "the status line counts the new jobs (mc, prm)" has s3.status "fetch 2 done"
ok "four providers for solution 1" test "$(sql "SELECT group_concat(kind) FROM (SELECT DISTINCT kind FROM job WHERE solution_id = 1 AND state = 'done' ORDER BY kind)")" = "calc,judge,mc,prm"
ok "mc k/n on screen" grep -qE '[0-9]/8' s3

# a misconfigured endpoint: a message, not a crash
printf 'set fetch judge\nendpoint judge url http://127.0.0.1:%s/v1\nendpoint judge kind chat\n' "$FAKE_PORT" \
	>"$XDG_CONFIG_HOME/stepmark/config"
tui_run ':save-display s4
:quit'
ok "a missing model is named" has s4 "fetch: endpoint judge: no model"

# a real terminal, a slow and faulty server: keys answer at once
need_tmux
trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; kill $FAKE_PID 2>/dev/null; rm -rf "$TMP"' EXIT
sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache"
fake_config "$XDG_CONFIG_HOME/stepmark/config" "set fetch judge" "provider judge samples 3"
fake_control '{"latency_ms": 1500, "faults": [{"fault": "500", "times": 2}]}'
start_tui w --annotator ann
wait_for w "solutions"
tmx send-keys -t w Enter
wait_for w "step 1/"
t0=$(date +%s%N)
tmx send-keys -t w j
ok "a key answers while the judge is slow" wait_for w "step 2/" 2
t1=$(date +%s%N)
ok "within a second ($(( (t1 - t0) / 1000000 )) ms)" test $(( (t1 - t0) / 1000000 )) -lt 1000
# a prompt stays open while the engine works and stores
tmx send-keys -t w :
wait_for w ":"
ok "stored while the prompt was open" wait_for_sql "SELECT count(*) FROM suggestion WHERE solution_id = 1 AND source = 'judge'" 1 20
tmx send-keys -t w Escape
ok "the verdict appears without a key" wait_for w "fetch 1 done" 10
tmx send-keys -t w q q
wait_for w "EXITED 0"
ok "no lease left" test "$(sql "SELECT count(*) FROM job WHERE state = 'leased'")" = 0

# one @ at 80x24: the counts show while the engine works and leave the
# status line a few seconds after it has nothing left to do, no key needed
fake_control '{"latency_ms": 0, "faults": []}'
fake_config "$XDG_CONFIG_HOME/stepmark/config"
tmx new-session -d -s f -x 80 -y 24 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator ann; echo EXITED \$?; sleep 600"
wait_for f "solutions"
tmx send-keys -t f j Enter
wait_for f "step 1/"
tmx send-keys -t f @ j # j: its message gone, the status line's fields show
ok "@: the counts are shown" wait_for f "done, 0 running" 10
gone() {
	local n=0
	while screen_of f | tail -1 | grep -q "fetch [0-9]* done"; do
		n=$((n + 1))
		[ $n -ge 80 ] && { screen_of f | tail -1 | sed 's/^/  | /'; return 1; }
		sleep 0.1
	done
}
ok "@: and leave the status line once the engine is idle" gone
tmx send-keys -t f q q
ok "@: quit" wait_for f "EXITED 0"
finish
