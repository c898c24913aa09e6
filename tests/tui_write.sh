#!/bin/sh
# w writes the right step (issue 28) in a real terminal at 80x24: in
# $VISUAL, run through the shell on a temporary file (0600, removed after)
# with the terminal given back and taken again (nothing the editor drew is
# left, a resize while it runs is followed); in the inline editor where
# neither VISUAL nor EDITOR is set. Stored as the annotator's correction
# rated +1, shown under the step, undone and redone; a second w edits it;
# an unchanged or empty result saves nothing and says so.
. "$top_srcdir/tests/lib.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null

# the editor: draws on the terminal as a full-screen editor does, waits
# while $TMP/hold is there, then writes the right step, take N (with
# $TMP/keep it leaves the file as it was, with $TMP/empty it empties it)
cat >edit.sh <<EOF
#!/bin/sh
printf '\033[2J\033[HEDITOR GARBAGE\n'
echo "\$1" >"$TMP/path"
stat -c %a "\$1" >"$TMP/mode"
cp "\$1" "$TMP/seen"
if [ -f "$TMP/hold" ]; then
	: >"$TMP/holding"
	while [ -f "$TMP/hold" ]; do sleep 0.05; done
fi
n=\$(( \$(cat "$TMP/takes" 2>/dev/null || echo 0) + 1 ))
echo \$n >"$TMP/takes"
if [ -f "$TMP/empty" ]; then : >"\$1"
elif [ ! -f "$TMP/keep" ]; then printf 'The right step, take %d: 2 + 2 = 4.\n' \$n >"\$1"; fi
EOF
chmod +x edit.sh
run_in_tmux() { # NAME ENV...: the workbench at 80x24 as annotator ann
	local name=$1
	shift
	tmx new-session -d -s "$name" -x 80 -y 24 \
		"env $* LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator ann; echo EXITED \$?; sleep 600"
}
wait_for_file() {
	local n=0
	while [ ! -e "$1" ]; do
		n=$((n + 1))
		[ $n -ge 150 ] && { echo "  (timed out waiting for $1)"; return 1; }
		sleep 0.1
	done
}
fixes() { sql "SELECT group_concat(coalesce(text, '-'), '|') FROM (SELECT text FROM label WHERE annotator = 'ann' AND kind = 'correction' ORDER BY id)"; }

run_in_tmux w "VISUAL='$TMP/edit.sh' EDITOR=false"
ok "the queue opens" wait_for w "[queue]"
tmx send-keys -t w : "open 1" Enter
ok "solution 1" wait_for w "#1"
tmx send-keys -t w G e
ok "its last step is the first error" wait_for w "saved: first error at step 7"
tmx send-keys -t w w
ok "the round trip saves" wait_for w "saved: step 7: your step written"
screen_of w >r1.txt
ok "the editor began with the step" has seen "For the Democrats, there are 5! ways to order them"
ok "its file was 0600" test "$(cat mode)" = 600
ok "and is removed" test ! -e "$(cat path)"
ok "nothing the editor drew is left" sh -c '! grep -q GARBAGE r1.txt'
ok "the title is drawn again" sh -c 'head -1 r1.txt | grep -q "stepmark  store.db  \[solution\]"'
ok "the status line is the last row" sh -c 'sed -n 24p r1.txt | grep -q "saved: step 7"'
ok "under the step, marked as yours" has r1.txt "↳ written by you +1  (w edits it, U takes it back)"
ok "the step written" has r1.txt "The right step, take 1: 2 + 2 = 4."
ok "stored: a correction of step 7, +1" test "$(sql "SELECT step_idx, value, text FROM label WHERE annotator = 'ann' AND kind = 'correction'")" = "6|1|The right step, take 1: 2 + 2 = 4."
ok "the ratings untouched" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'ann' AND kind = 'rating' AND step_idx = 6 AND value <> -1")" = 0

tmx send-keys -t w U
ok "undo takes it back" wait_for w "saved: undo write step 7"
ok "not shown" sh -c "! tmux -L $TMUX_SOCK capture-pane -p -t w | grep -q 'written by you'"
tmx send-keys -t w C-r
ok "redo brings it again" wait_for w "saved: redo write step 7"
ok "shown again" wait_for w "The right step, take 1: 2 + 2 = 4."
ok "the history" test "$(fixes)" = "The right step, take 1: 2 + 2 = 4.|-|The right step, take 1: 2 + 2 = 4."

# a second w edits the step written; the terminal resized meanwhile
: >hold
tmx send-keys -t w w
ok "the editor runs" wait_for_file holding
tmx resize-window -t w -x 100 -y 30
sleep 0.3
rm hold
ok "saved in place of the last" wait_for w "in place of your last"
screen_of w >r2.txt
ok "it began with the step written" has seen "The right step, take 1: 2 + 2 = 4."
ok "the new size: the status line on row 30" sh -c 'sed -n 30p r2.txt | grep -q "saved: step 7"'
ok "the title on row 1" sh -c 'head -1 r2.txt | grep -q "\[solution\]"'
ok "nothing of the editor" sh -c '! grep -q GARBAGE r2.txt'
ok "take 2 shown" has r2.txt "The right step, take 2: 2 + 2 = 4."
ok "take 1 no more" sh -c '! grep -q "take 1" r2.txt'

# unchanged, then empty: nothing saved, and said
: >keep
tmx send-keys -t w w
ok "unchanged says so" wait_for w "step 7: unchanged: nothing saved"
rm keep
: >empty
tmx send-keys -t w w
ok "empty says so" wait_for w "step 7: the step written is empty: nothing saved"
rm empty
ok "nothing more stored" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'ann' AND kind = 'correction'")" = 4
tmx send-keys -t w q q
ok "quits" wait_for w "EXITED 0"

# no editor set: the inline editor, every key said on the screen
run_in_tmux i "-u VISUAL -u EDITOR"
ok "the queue opens" wait_for i "[queue]"
tmx send-keys -t i : "open 1" Enter
ok "solution 1" wait_for i "#1"
tmx send-keys -t i j w
ok "the inline editor" wait_for i "Enter: new line   ^D: save   Esc: cancel"
ok "prefilled with the step" wait_for i "I wonder how many ways I can arrange"
tmx send-keys -t i C-u
tmx send-keys -t i -l "First line"
tmx send-keys -t i Enter
tmx send-keys -t i -l "second ½ line"
ok "typed" wait_for i "second ½ line"
tmx send-keys -t i C-d
ok "saved" wait_for i "saved: step 2: your step written"
screen_of i >r3.txt
ok "shown under step 2" sh -c 'grep -A2 "written by you" r3.txt | grep -q "First line" && grep -A2 "written by you" r3.txt | grep -q "second ½ line"'
ok "the editor is gone" sh -c '! grep -q "Esc: cancel" r3.txt'
ok "stored with its new line" test "$(sql "SELECT text FROM label WHERE annotator = 'ann' AND kind = 'correction' AND step_idx = 1")" = "$(printf 'First line\nsecond ½ line')"
tmx send-keys -t i w
ok "the editor again, with the step written" wait_for i "second ½ line"
tmx send-keys -t i Escape
ok "Esc cancels" wait_for i "step 2 not written: nothing saved"
tmx send-keys -t i q q
ok "quits" wait_for i "EXITED 0"

# text in a written step is shown inert (a key script, no terminal)
printf '#!/bin/sh\nprintf "evil \\033[2J step\\n" >"$1"\n' >evil.sh
chmod +x evil.sh
VISUAL="$TMP/evil.sh" TUI_SIZE=80x24 tui_run ':open 2
w
:save-display e1.txt' --annotator eve
has e1.txt 'evil \x1b[2J step'
# a written step is no verdict: the queue's summary names no eve
ok "the queue's verdicts leave eve out" sh -c "! sqlite3 '$STEPMARK_DB' 'SELECT verdicts FROM summary WHERE solution_id = 2' | grep -q eve"
finish
