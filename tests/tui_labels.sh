#!/bin/sh
# What labelling says and how the step rows are laid out: the words of a
# rating of 0 and of a deleted note; a long note wraps under one mark;
# every step's columns line up.
. "$top_srcdir/tests/lib.sh"
# these sessions are scripted for a cursor that stays on the rated step
# (tui_moves.sh tests the default, which moves on)
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

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
finish
