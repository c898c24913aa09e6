#!/bin/sh
# Prompts are a mode of the one loop: Backspace in any empty prompt closes
# it, a resize lays it out again, the loop goes on while it is open (a
# label waiting for the store is saved), history (Up) and Tab completion,
# one-key menus.
. "$top_srcdir/tests/lib.sh"

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm import "$FIXTURES/math_shepherd_example.json" >/dev/null

# Backspace in every empty prompt: the prompt closes, the workbench lives
tui_run '/<Backspace>
?<Backspace>
<Colon><Backspace>
<Enter>
t<Backspace>
t^U<Backspace><Backspace>
:save-display b1.txt
q
:open 21
a^U<Backspace>
:save-display b2.txt' --annotator alice
ok "still on the solution" has b1.txt "[solution]"
ok "no note was written" test "$(sql "select count(*) from label where kind='note'")" = 0
ok "accept's prompt closes too" has b2.txt "[solution]"

# a resize while a prompt is open: laid out again, and still answers
tui_run '<Colon>
fil
:resize 60 20
:save-display r1.txt
:resize 30 6
:save-display r2.txt
:resize 100 24
ter todo<Enter>
:save-display r3.txt' --annotator alice
ok "the prompt survives a resize" test "$(tail -n 1 r1.txt)" = ":fil"
ok "the screen is 60 wide" test "$(wc -L <r1.txt)" -le 60
ok "too small says so" has r2.txt "too small"
ok "the prompt answers after growing" has r3.txt "todo"

# the loop goes on under a prompt: a label waiting for the store is saved
hold_lock 1
STEPMARK_SCRIPT_PACE=400 STEPMARK_TRACE=trace tui_run '<Enter>
+
/
f
l
a
m
i
n
:save-display w1.txt
<Enter>' --annotator bob
wait $holder
ok "saved while the prompt was open" has w1.txt " 1 +1 "
ok "the prompt was still open" test "$(tail -n 1 w1.txt)" = "/flamin"

# history: Up brings back the last command, across sessions
tui_run '<Colon>filter todo<Enter>
:filter all' --annotator alice
ok "the history is kept" has "$HOME/.local/state/stepmark/history" "filter todo"
tui_run '<Colon><Up><Enter>
:save-display h1.txt' --annotator alice
ok "Up runs it again" has h1.txt "todo"

# Tab completes commands and their words
tui_run '<Colon>fil<Tab> disagree-s<Tab><Enter>
:save-display c1.txt
<Colon>da<Tab> math<Tab><Enter>
:save-display c2.txt' --annotator alice
ok "filter completed" has c1.txt "disagree-sources"
ok "data set completed" has c2.txt "math-shepherd"
tui_run '<Colon>set annotator bo<Tab><Enter>
:save-display c3.txt' --annotator zed
ok "annotator completed, and in force" grep -q " bob$" c3.txt

# one-key menus take one key; another key is named, Esc cancels
tui_run '<Enter>
F
x
:save-display m1.txt
<Esc>
F
b
:save-display m2.txt' --annotator carol
ok "a wrong key is named" has m1.txt "x is not one of sfgb"
ok "one key answers" has m2.txt "saved: finish reason bad_problem"
finish
