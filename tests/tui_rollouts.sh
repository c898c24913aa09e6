#!/bin/sh
# tui_rollouts.sh - the rollouts MC kept, under each step (M), and MC's
# figures in the detail (r), driven in tmux at 80x24 and 120x40 against
# golden screens; k/n with its Wilson interval, uncertain estimates and
# the first pit on the step line; untrusted rollout text shown inert
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config cfg
expect_rc 0 "mc vanilla" sm fetch --config cfg --mc --rollouts 8
kill "$FAKE_PID"
need_tmux

# tui SIZE NAME: the workbench at COLSxLINES in a tmux session NAME
tui() {
	tmx new-session -d -s "$2" -x "${1%x*}" -y "${1#*x}" \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator ann; echo EXITED \$?; sleep 600"
	wait_for "$2" "[queue]" >/dev/null
	tmx send-keys -t "$2" ':open 1' Enter
	wait_for "$2" "[solution]" >/dev/null
}

tui 80x24 a
ok "80x24: k/n with its 95 % Wilson interval" wait_for a "mc/sim-policy 6/8 41-93% unsure"
ok "80x24: the first pit on its step" wait_for a "0/8 0-32% Δ-1.00 FIRST PIT"
tmx send-keys -t a M
ok "80x24: M shows the rollouts kept" wait_for a "rollout (mc/sim-policy): answered 38"
screen_of a >r80.txt
same_screen rollouts-80 r80.txt
tmx send-keys -t a j
wait_for a "step 2/4" >/dev/null
screen_of a >r80j.txt
same_screen rollouts-80-step2 r80j.txt
tmx send-keys -t a r
ok "80x24: r shows MC's figures" wait_for a "prefix         k/n     q  95 % CI"
screen_of a >d80.txt
same_screen rollouts-80-detail d80.txt
tmx send-keys -t a q M
ok "80x24: M again hides them" wait_for a "rollouts hidden"
# b before a ends: the last session's end stops the tmux server, and a
# session started as it stops died with it (seen under ASan in CI)
tui 120x40 b
tmx kill-session -t a
tmx send-keys -t b M
ok "120x40: M shows the rollouts kept" wait_for b "rollout (mc/sim-policy): reached the gold answer 37"
screen_of b >r120.txt
same_screen rollouts-120 r120.txt
tmx send-keys -t b r
ok "120x40: r shows MC's figures" wait_for b "from the question alone"
screen_of b >d120.txt
same_screen rollouts-120-detail d120.txt
tmx kill-session -t b

# blind: no rollouts before the solution is decided
printf 'set blind yes\n' >"$XDG_CONFIG_HOME/stepmark/config"
TUI_SIZE=80x24 tui_run ':open 1
M
:save-display bl.txt' --annotator blinded
ok "blind: M refuses" has bl.txt "blind mode: decide the solution"
ok "blind: no rollout shown" sh -c '! grep -q "rollout (" bl.txt'
rm "$XDG_CONFIG_HOME/stepmark/config"

# a rollout's text is model output: shown inert
sid=$(sql "SELECT solution_id FROM suggestion WHERE source='mc' AND step_idx = 0 ORDER BY solution_id LIMIT 1")
sql "UPDATE suggestion SET rollouts = '-2:99' || '23:' || char(27) || ']0;pwned' || char(7) || 'evil text' ||
	char(27) || '[2J' WHERE solution_id = $sid AND step_idx = 0 AND source = 'mc'"
TUI_SIZE=80x24 tui_run ":open $sid
M
:save-display ev.txt" --annotator ann
ok "the escape is shown, not run" has ev.txt "pwned"
ok "no raw escape reaches the screen" sh -c "! grep -q \"$(printf '\033')\" ev.txt"
ok "its head says what it answered" has ev.txt "answered 99"
finish
