#!/bin/sh
# Small defects seen on the workbench and the commands, one check each:
# search wraps, an empty filter says so, the queue keeps the rows above
# the solution one comes back from, one mark per note, columns aligned,
# the words of ratings and notes, fetch --status alone, a full disk in
# --batch-out, an uninitialised read in grade, resizes in the timings.
. "$top_srcdir/tests/lib.sh"
# these sessions are scripted for a cursor that stays on the rated step
# (tui_moves.sh tests the default, which moves on)
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

# search wraps like vim's, and says so
tui_run 'G
/Sue lives<Enter>
:save-display s1.txt' --annotator alice
ok "search wrapped to the top" has s1.txt "search hit BOTTOM, continuing at TOP"
ok "and found row 1" has s1.txt "1/20 solutions"
tui_run '<Enter>
G
/Sue lives<Enter>
:save-display s2.txt' --annotator alice
ok "from a solution's last step too" has s2.txt "search hit BOTTOM, continuing at TOP"

# a filter that matches nothing says so, with the pattern
tui_run ':grep nosuchwordanywhere
:save-display e1.txt' --annotator alice
ok "an empty grep says the filter matched nothing" has e1.txt "no solution matches: all  grep /nosuchwordanywhere/"
ok "not that the store is empty" sh -c '! grep -q "stepmark import FILE" e1.txt'
ok "the pattern is in the status line" grep -q 'grep /nosuchwordanywhere/.*alice' e1.txt

# back in the queue, the rows above the solution stay in sight
TUI_SIZE=100x12 tui_run ':open 16
q
:save-display q1.txt' --annotator alice
ok "the selected row is not at the top" sh -c '! sed -n 3p q1.txt | grep -q "^  16 "'
ok "rows above it are shown" grep -q '^  *14 ' q1.txt
ok "the selected row is 16" has q1.txt "16/20"
tui_run '<Enter>
JJJJJJJJJJJ
q
:save-display q2.txt' --annotator alice
ok "after J x11 and q, row 1 is still shown" grep -q '^  *1 ' q2.txt
ok "and row 12 is selected" has q2.txt "12/20"

# the words of a rating of 0 and of a deleted note
tui_run '<Enter>
0
:save-display w1.txt
t
a note<Enter>
t
^U<Enter>
:save-display w2.txt' --annotator bob
ok "rating 0 says rated 0" has w1.txt "saved: step 1 rated 0"
ok "deleting a note says deleted" has w2.txt "saved: note on step 1 deleted"

# a long note wraps with one mark; every step's columns line up
TUI_SIZE=60x40 tui_run '<Enter>
jj
e
:note one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
:save-display n1.txt' --annotator carol
ok "one mark for one note" test "$(grep -c '^ *\* ' n1.txt)" = 1
ok "the note wrapped" test "$(grep -c 'sixteen\|one two' n1.txt)" = 2
ok "every step row's | in one column" python3 -c '
import re
cols = {line.index("|") for line in open("n1.txt") if re.match(r"^[> ] +\d+ ", line) and "|" in line}
assert len(cols) == 1, cols'

# calc says ok only of a step it checked
printf '%s\n' '{"problem": "calc", "steps": ["Let us think.", "3 * 4 = 12", "So 12 + 1 = 14", "Done."], "label": 2}' >calc.jsonl
sm import calc.jsonl --problem problem --steps steps --first-error label --dataset arith >/dev/null
sm fetch --calc --dataset arith --quiet >/dev/null 2>&1
tui_run ':dataset arith
<Enter>
:save-display c1.txt' --annotator alice
ok "no calc mark on a step without a claim" sh -c '! grep "^>  *1 " c1.txt | grep -q "calc ok"'
ok "ok on the step it checked" grep -q '^  *2 .*calc ok' c1.txt
ok "the error on the false one" grep -q '^  *3 .*calc ERR' c1.txt
ok "and the rationale names the computed side" test "$(sql "select rationale from suggestion where source = 'calc' and step_idx = 2")" = '"12 + 1 = 14": false: the left side is 13'

# fetch --status alone prints the jobs' counts
sm fetch --calc --quiet >/dev/null 2>&1
expect_rc 0 "fetch --status alone" sm fetch --status
ok "it counts the calc jobs" has out "calc: 21 done"

# a full disk under --batch-out is an error, not "written"
start_fake
fake_config "$XDG_CONFIG_HOME/stepmark/config"
expect_rc 1 "--batch-out /dev/full fails" sm fetch --judge --limit 3 --batch-out /dev/full
ok "says the write failed" has err "/dev/full: write failed"
ok "does not say written" sh -c '! grep -q "requests written" out'
ok "no file made beside the device" test ! -e /dev/full.chat-completions.jsonl

# \infty graded against inf reads no uninitialised byte
if command -v valgrind >/dev/null && [ -z "${SANITIZED:-}" ]; then
	expect_rc 0 "grade \\infty inf under valgrind" \
		env STEPMARK_NO_JIT=1 valgrind -q --error-exitcode=99 "$STEPMARK" grade '\infty' inf
fi
expect_rc 1 "-inf is not inf" sm grade -- '-\infty' inf

# a resize in the timings is a resize, with its size and time
if command -v tmux >/dev/null; then
	TMUX_SOCK="sm-test-$$"
	trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; kill $FAKE_PID 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
	TUI_ENV="STEPMARK_TIMINGS='$TMP/timings'" start_tui r --annotator alice
	ok "the workbench opens" wait_for r "[queue]"
	tmx resize-window -t r -x 90 -y 25
	ok "it is laid out again" wait_for r "alice"
	sleep 0.3
	tmx send-keys -t r j q
	ok "it quits" wait_for r "EXITED 0"
	ok "the resize is logged as one, with its size" grep -q '^resize 90x25 [0-9.]*$' timings
	ok "not as a key" sh -c '! grep -q "key <key" timings'
fi
# a mistyped --db does not open a new, empty store unless asked
printf ':quit\n' >quit.keys
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color "$STEPMARK" --db typo.db >out 2>err
ok "no store: refused (exit 3)" test $? = 3
ok "says how to make one" has err "no store at typo.db: import a data set into it"
ok "and made nothing" test ! -e typo.db
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color "$STEPMARK" --db typo.db --create >out 2>err
ok "--create opens it empty" test $? = 0 -a -e typo.db

# no $USER, no --annotator: the workbench says whose labels these are
printf ':save-display anon.txt\n:quit\n' >anon.keys
env -u USER STEPMARK_SCRIPT=anon.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=120 LINES=10 \
	"$STEPMARK" >out 2>err
ok "labelling as anonymous, and how to change it" grep -q 'labelling as anonymous (\$USER is not set): --annotator NAME' anon.txt
finish
