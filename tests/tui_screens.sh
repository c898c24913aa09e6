#!/bin/sh
# The workbench driven by key scripts, without a terminal: screens are
# compared with tests/screens/ (GENERATE=1 rewrites them), and the store
# is checked after each session.
. "$top_srcdir/tests/lib.sh"

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm import "$FIXTURES/math_shepherd_example.json" >/dev/null

# the queue and the help
tui_run ':save-display q.txt
h
:save-display help.txt' --annotator alice
same_screen queue q.txt
same_screen help help.txt

# the sessions below are scripted for a cursor that stays on the rated step
# (tui_moves.sh tests the default, which moves on)
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"

# label a solution end to end: rate, first error, a note, finish reason
tui_run '<Enter>
+
:save-display s1.txt
jj
e
:save-display s2.txt
t
Carries the 12 from step 2<Enter>
F
g
:save-display s3.txt' --annotator alice
same_screen solution-rated s1.txt
same_screen solution-first-error s2.txt
same_screen solution-note s3.txt
ok "labels carry the annotator" test "$(sql "select count(*) from label where annotator='alice' and origin='tui'")" -ge 4
ok "first error stored" test "$(sql "select value from label where annotator='alice' and kind='first_error' order by id desc limit 1")" = 2
ok "note stored" test "$(sql "select text from label where annotator='alice' and kind='note'")" = "Carries the 12 from step 2"
ok "finish reason stored" test "$(sql "select text from label where annotator='alice' and kind='finish'")" = give_up
ok "summary follows" test "$(sql "select verdicts like '%@alice	2%' from summary where solution_id=1")" = 1

# undo, then redo after a restart: the history is in the store
tui_run '<Enter>
UUUU
:save-display u1.txt' --annotator alice
has u1.txt "saved: undo"
ok "after four undos the first error is gone" test \
	"$(sql "select value is null from label where annotator='alice' and kind='first_error' order by id desc limit 1")" = 1
ok "and the rating of step 1" test \
	"$(sql "select value is null from label where annotator='alice' and kind='rating' and step_idx=0 order by id desc limit 1")" = 1
tui_run '<Enter>
^R^R
:save-display r1.txt' --annotator alice
same_screen solution-redo r1.txt
ok "redo after a restart restores the first error" test \
	"$(sql "select value from label where annotator='alice' and kind='first_error' order by id desc limit 1")" = 2
ok "history is append-only: undo and redo are actions" test \
	"$(sql "select group_concat(op, ',') from (select op from action where annotator='alice' order by id)")" = "do,do,do,do,undo,undo,undo,undo,redo,redo"
tui_run '<Enter>
^R^R^R
:save-display u2.txt' --annotator alice
has u2.txt "nothing to redo"
ok "the note is back" test "$(sql "select text from label where annotator='alice' and kind='note' order by id desc limit 1")" = "Carries the 12 from step 2"

# another annotator sees alice's labels beside the data set's
tui_run '<Enter>
:save-display b1.txt' --annotator bob
has b1.txt "alice:+1"

# next unlabelled, no error, the queue's to-do filter
tui_run 'u<Enter>
c
:save-display n1.txt
q
:filter todo
:save-display n2.txt' --annotator bob
has n1.txt "saved; but the grader says the final answer is wrong: no error?"
ok "bob decided one solution" test "$(sql "select count(*) from label where annotator='bob' and kind='first_error' and value=-1")" = 1
has n2.txt "todo"
same_screen queue-todo n2.txt

# search: a bad pattern is a message; a good one moves
tui_run '/(unclosed<Enter>
:save-display e1.txt
/flamingo<Enter>
:save-display e2.txt
<Enter>
/dance<Enter>
:save-display e3.txt' --annotator alice
has e1.txt "bad pattern"
has e2.txt "Sue lives"
has e3.txt "Judy teaches"

# accepting a source's suggestions, blind mode
tui_run ':open 21
:save-display m1.txt
a
<Enter>
:save-display m2.txt' --annotator carol
has m1.txt "mc/math-shepherd"
has m2.txt "saved: accepted mc/math-shepherd"
ok "accepted labels are carol's" test "$(sql "select value from label where annotator='carol' and kind='first_error'")" = 1
printf 'set blind = yes\n' >"$XDG_CONFIG_HOME/stepmark/config"
tui_run ':open 21
:save-display bl1.txt
e
:save-display bl2.txt' --annotator dave
ok "blind: the suggestion is hidden" sh -c '! grep -q "mc/math-shepherd" bl1.txt'
has bl1.txt "suggestions hidden"
has bl2.txt "mc/math-shepherd"
ok "blind labels are marked" test "$(sql "select count(*) from label where annotator='dave' and origin='tui-blind'")" -ge 1
# the queue shows no source's first error on a solution dave has not decided
tui_run ':filter all
:save-display bl3.txt' --annotator erin
ok "blind: the queue hides sources' first errors" sh -c '! grep -q "mc/math-shepherd:2" bl3.txt'
ok "blind: and other people's are still shown" has bl3.txt "processbench_gsm8k_20:"
tui_run ':open 21
q
:save-display bl4.txt' --annotator dave
ok "blind: once decided, the queue shows them" has bl4.txt "mc/math-shepherd:2"
printf 'set blind = all\n' >"$XDG_CONFIG_HOME/stepmark/config"
tui_run ':save-display ba1.txt
<Enter>
:save-display ba2.txt
c
:save-display ba3.txt' --annotator frank
ok "blind all: no one else's first error in the queue" sh -c '! grep -q "processbench_gsm8k_20:" ba1.txt'
ok "blind all: no other annotator on the steps" sh -c '! grep -q "processbench_gsm8k_20:" ba2.txt'
ok "blind all: no verdict on the answer" sh -c '! grep -q "final answer" ba2.txt'
ok "blind all: the status line says blind" has ba2.txt "blind all"
ok "blind all: deciding shows them" has ba3.txt "processbench_gsm8k_20:+1"
rm "$XDG_CONFIG_HOME/stepmark/config"

# a bad config line is a warning naming file:line, and the program runs
printf 'set blind = yes\nbind solution y rate-good\nbind nowhere x quit\ncolor title purple black\n' \
	>"$XDG_CONFIG_HOME/stepmark/config"
tui_run ':save-display w1.txt
h
:save-display w2.txt' --annotator alice 2>werr
has werr "config:3: no keymap named \"nowhere\""
has werr "config:4: not a colour: \"purple\""
has w1.txt "2 config warnings"
has w2.txt "y"
rm "$XDG_CONFIG_HOME/stepmark/config"

# untrusted text: escapes are shown, inert; wide and combining characters
# keep the columns; a 100 KB step is drawn
python3 - <<'PY'
import json
steps = ["Title attack \x1b]0;pwned\x07 and clear \x1b[2J done",
         "宽字符的步骤：三加四等于七 then e\u0301 combining",
         "x" * 100000]
rec = {"problem": "中文问题 with \x9b C1 and \x7f DEL", "steps": steps, "label": 1}
open("evil.jsonl", "w").write(json.dumps(rec) + "\n")
PY
sm import --format generic --problem problem --steps steps --first-error label \
	--dataset evil evil.jsonl >/dev/null
tui_run ':dataset evil
:save-display x1.txt
<Enter>
:save-display x2.txt' --annotator alice
has x1.txt '中文问题 with \x9b C1 and \x7f DEL'
has x2.txt 'Title attack \x1b]0;pwned\x07 and clear \x1b[2J done'
has x2.txt "$(printf '宽字符的步骤：三加四等于七 then e\314\201 combining')"
ok "no escape byte reaches the screen" sh -c '! grep -q "$(printf "\033")" x2.txt'
ok "every line fits the screen" python3 -c '
import sys, unicodedata
for line in open("x2.txt", encoding="utf-8"):
    w = sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
            for c in line.rstrip("\n"))
    assert w <= 100, (w, line)'
same_screen solution-escapes x2.txt

# too small a terminal gets a message, not garbage; then it recovers
tui_run ':resize 30 6
:save-display small.txt
:resize 100 24
:save-display big.txt' --annotator alice
has small.txt "too small"
has big.txt "data set"

finish
