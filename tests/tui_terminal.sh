#!/bin/sh
# End to end in a real terminal: the real binary in tmux, keys typed,
# the screen and the store checked.
. "$top_srcdir/tests/lib.sh"
# these sessions are scripted for a cursor that stays on the rated step
# (tui_moves.sh tests the default, which moves on)
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
python3 - <<'PY'
import json
rec = {"problem": "evil \x1b]0;pwned\x07 problem", "steps": [
    "step one \x1b]0;pwned\x07 sets the title", "step two \x1b[2J clears", "三 + 四 = 七"],
    "label": 2}
open("evil.jsonl", "w").write(json.dumps(rec) + "\n")
PY
sm import --format generic --problem problem --steps steps --first-error label \
	--dataset evil evil.jsonl >/dev/null

# open the demo store, label a solution end to end, quit
start_tui a --annotator erin
ok "the queue opens" wait_for a "[queue]"
ok "the count completes" wait_for a "21 solutions"
tmx send-keys -t a Enter
ok "the solution opens" wait_for a "[solution]"
tmx send-keys -t a + j j e
ok "first error saved" wait_for a "saved: first error at step 3"
tmx send-keys -t a t
ok "note prompt" wait_for a "note on step 3:"
tmx send-keys -t a -l "wrong sum"
tmx send-keys -t a Enter
ok "note saved" wait_for a "saved: note on step 3"
tmx send-keys -t a q q
ok "quit" wait_for a "EXITED 0"
ok "labels in the store" test "$(sql "select count(*) from label where annotator='erin'")" -ge 4
ok "the first error in the store" test "$(sql "select value from label where annotator='erin' and kind='first_error'")" = 2

# reopen: everything is there
start_tui b --annotator erin
tmx kill-session -t a
ok "reopened" wait_for b "[queue]"
tmx send-keys -t b Enter
ok "the first error is back" wait_for b "FIRST ERR"
ok "the note is back" wait_for b "* wrong sum"

# mouse: a click on step 1's header selects it (xterm mouse report)
row=$(screen_of b | grep -n "^   1 " | head -1 | cut -d: -f1)
if [ -n "$row" ]; then
	tmx send-keys -t b -l "$(printf '\033[M %b%b' "\\0$(printf %o $((32 + 5)))" "\\0$(printf %o $((32 + row)))")"
	ok "a click selects step 1" wait_for b "step 1/4"
fi

# escapes in data do not reach the terminal
tmx send-keys -t b q
tmx send-keys -t b -l ":dataset evil"
tmx send-keys -t b Enter Enter
ok "escape shown as text" wait_for b 'step one \x1b]0;pwned\x07 sets the title'
ok "clear shown as text" wait_for b 'step two \x1b[2J clears'
ok "the title was not set" test "$(tmx display -p -t b '#{pane_title}')" != pwned
ok "the screen was not cleared" wait_for b "Problem  evil"

# resize: too small is a message; back to normal after
tmx resize-window -t b -x 30 -y 6
ok "too small says so" wait_for b "too small"
tmx resize-window -t b -x 100 -y 30
ok "back after resize" wait_for b "step one"
tmx send-keys -t b Q
ok "Q quits" wait_for b "EXITED 0"

# NO_COLOR: attributes only, no colour codes
TUI_ENV="NO_COLOR=1" start_tui c --annotator erin
ok "opens without colour" wait_for c "[queue]"
tmx capture-pane -e -p -t c >colors.txt
ok "no colour escapes with NO_COLOR" sh -c '! grep -Eq "\[(3[0-8]|4[0-8])(;|m)|38;5;|48;5;" colors.txt'
start_tui d --annotator erin
ok "opens with colour" wait_for d "[queue]"
tmx capture-pane -e -p -t d >colors2.txt
ok "colours without NO_COLOR" grep -Eq "38;5;|48;5;|\[3[0-9]m" colors2.txt

# a resize in the timings is a resize, with its size and time
TUI_ENV="STEPMARK_TIMINGS='$TMP/timings'" start_tui r --annotator alice
ok "the workbench opens" wait_for r "[queue]"
tmx resize-window -t r -x 90 -y 25
ok "it is laid out again" wait_for r "alice"
sleep 0.3
tmx send-keys -t r j q
ok "it quits" wait_for r "EXITED 0"
ok "the resize is logged as one, with its size" grep -q '^resize 90x25 [0-9.]*$' timings
ok "not as a key" sh -c '! grep -q "key <key" timings'

finish
