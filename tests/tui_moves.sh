#!/bin/sh
# Moving in few keys: a rating moves on to the next step, counts (5j,
# 20G, :3), m to the steps someone names as the first error, :open by a
# solution's own id, and the warning when "no error" meets a wrong answer.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
row() { tail -1 "$1" | grep -o "[0-9]*/[0-9]* solutions*"; }

tui_run '5
j
:save-display q1.txt
2
0
G
:save-display q2.txt
:3
:save-display q3.txt' --annotator zed
ok "5j: five rows down, the position shown" test "$(row q1.txt)" = "6/20 solutions"
ok "20G: row 20" test "$(row q2.txt)" = "20/20 solutions"
ok ":3: row 3" test "$(row q3.txt)" = "3/20 solutions"

tui_run ':open gsm8k-3
:save-display s1.txt
+
+
-
:save-display s2.txt
:1
m
:save-display s3.txt
:9
:save-display s4.txt' --annotator zed
ok ":open takes the solution's own id" grep -q "gsm8k-3  #4" s1.txt
ok "three keys rate three steps" test "$(sql "SELECT group_concat(step_idx || ':' || value) FROM (SELECT step_idx, value FROM label WHERE annotator = 'zed' AND kind = 'rating' ORDER BY step_idx)")" = "0:1,1:1,2:-1"
ok "the cursor moved on after each" grep -q "^>  4 " s2.txt
ok "m: to the first error you and another annotator named" grep -q "step 3: the first error for you, processbench_gsm8k_20" s3.txt
ok "a step that is not there" grep -q "no step 9: this solution has 4" s4.txt

# the position counts the filter's rows, not the solutions' numbers
tui_run ':filter mine
:save-display f1.txt
j
:save-display f2.txt' --annotator zed
ok "first of zed's" test "$(row f1.txt)" = "1/1 solution"
tui_run ':dataset processbench_gsm8k_20
:open gsm8k-9
q
:save-display f3.txt
k
:save-display f4.txt' --annotator zed
ok "the position of a solution opened by id" test "$(row f3.txt)" = "10/20 solutions"
ok "and one up" test "$(row f4.txt)" = "9/20 solutions"

# undo takes the cursor to what it took back, and says what
tui_run ':open gsm8k-7
+
j
j
U
:save-display s8.txt' --annotator bea
ok "undo says what it took back" grep -q "undo rate step 1" s8.txt
ok "and the cursor is on that step" grep -q "^>  1 " s8.txt

# a note by someone else says whose it is; yours does not
tui_run ':open gsm8k-9
:note the 12 is carried from step 1' --annotator bea
tui_run ':open gsm8k-9
:save-display s9.txt' --annotator amy
ok "another's note names its author" grep -q "\* bea: the 12 is carried from step 1" s9.txt
tui_run ':open gsm8k-9
:save-display s10.txt' --annotator bea
ok "your own note is just the note" grep -q "\* the 12 is carried from step 1" s10.txt

# the setting turns the move off
tui_run ':set advance no
:open gsm8k-5
+
:save-display s5.txt' --annotator amy
ok "advance no: the cursor stays" grep -q "^>  1 " s5.txt

# "no error" on a solution whose final answer the grader says is wrong
tui_run ':open gsm8k-0
c
:save-display s6.txt' --annotator amy
ok "warned, and saved" grep -q "saved; but the grader says the final answer is wrong: no error?" s6.txt
ok "the label is in the store" test "$(sql "SELECT value FROM label WHERE annotator = 'amy' AND kind = 'first_error' AND solution_id = 1")" = -1
# blind all hides the answer's verdict until you decide: c does not say it
TUI_SIZE=80x24 tui_run 'bb
:open gsm8k-0
c
:save-display s6b.txt' --annotator bo
ok "blind all: no verdict in the message" sh -c '! grep -q "grader says" s6b.txt'
ok "blind all: saved" grep -q "saved: no error" s6b.txt
ok "blind all: the label is in the store" test "$(sql "SELECT value FROM label WHERE annotator = 'bo' AND kind = 'first_error' AND solution_id = 1")" = -1
tui_run ':open nope-77
:save-display s7.txt' --annotator amy
ok "an unknown id is said" grep -q "no solution nope-77 (a number, or a solution's own id)" s7.txt

# back in the queue, the rows above the solution stay in sight (a store
# nobody labelled: no marks before the ids)
export STEPMARK_DB="$TMP/queue.db"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
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

# J from a solution :open took outside the queue's filter says so (the
# PRM800K records come after the GSM8K ones: none of the filter is after)
export STEPMARK_DB="$TMP/two.db"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
TUI_SIZE=80x24 tui_run ':dataset processbench_gsm8k_20
:open 25
J
:save-display o1.txt
K
:save-display o2.txt' --annotator alice
ok "J says the solution is outside the filter" grep -q "^#25 is outside the queue's filter: no other solution after it" o1.txt
ok "K goes to the filter's last" has o2.txt "#20  by"

finish
