# tui_trace.sh - an agent trace in the workbench: who acts in each turn,
# its text verbatim, and a decisive error that names its agent
. "$top_srcdir/tests/lib.sh"
need_shared who-when/Hand-Crafted/3.json
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
sm import "$SHARED_DATA/who-when/Hand-Crafted" >/dev/null

# the queue gives the data's decisive turn as the data counts it, from 0
TUI_SIZE=80x24 tui_run ':save-display q0.txt' --annotator ann
ok "log 3's decisive turn is 32" grep -q "^  1  .* Hand-Crafted:32 " q0.txt

# log 3 at 80x24: turn 3 is the Orchestrator handing off to the WebSurfer
TUI_SIZE=80x24 tui_run '<Enter>
*
jjj
:save-display t1.txt' --annotator ann
ok "the agent and the hand-off on the turn's line" grep -q '^>  3 Orchestrator (-> WebSurfer) ' t1.txt
ok "the status line counts turns from 0, and says so" grep -q "turn 3 of 0-92 " t1.txt
ok "JSON verbatim, its indentation kept" grep -q '^         "instruction_or_question": {$' t1.txt
# LaTeX is not rendered in a trace: a $ and a backslash stay
printf '%s\n' '{"id": "sh", "question": "Run it.", "ground_truth": "2", "is_correct": false, "history": [{"content": "Run: echo $HOME \\n and \\frac{1}{2}", "role": "user", "name": "Planner"}, {"content": "exitcode: 1 (execution failed)", "role": "assistant", "name": "Computer_terminal"}], "mistake_agent": "Planner", "mistake_step": "0", "mistake_reason": "r"}' >sh.jsonl
sm import sh.jsonl --dataset shell >/dev/null
TUI_SIZE=80x24 tui_run ':open 9
:save-display t2.txt' --annotator ann
ok "shell text as it is" grep -qF 'Run: echo $HOME \n and \frac{1}{2}' t2.txt
ok "a name agent, its role beside it" grep -q '^>  0 Planner (user) ' t2.txt

# moves through a long trace, each saying which of how many
TUI_SIZE=80x24 tui_run ':open 1
>
:save-display m1.txt
>
>
:save-display m2.txt
<
<
<
:save-display m3.txt
;
:save-display m4.txt
,
:save-display m5.txt' --annotator ann
ok "first hand-off: the human to the Orchestrator" has m1.txt "hand-off 1 of "
ok "...at turn 2" grep -q "hand-off 1 of [0-9]*: turn 1, human to Orchestrator" m1.txt
ok "third hand-off" grep -q "hand-off 3 of [0-9]*: turn 5, WebSurfer to Orchestrator" m2.txt
ok "back past the first: wraps" grep -q "hand-off [0-9]* of [0-9]*: turn [0-9]*, .* (from the bottom)" m3.txt
ok "the same agent's next turn" grep -q "^[A-Za-z]*: turn [0-9]*, [0-9]* of [0-9]*" m4.txt
ok "and back" grep -q "^[A-Za-z]*: turn [0-9]*, [0-9]* of [0-9]*" m5.txt
# tool calls and outputs that failed: the shell log above
printf '%s\n' '{"id": "t", "question": "Q", "ground_truth": "2", "is_correct": false, "history": [{"content": "plan", "role": "user", "name": "Planner"}, {"content": "```sh\nls /nope\n```", "role": "assistant", "name": "Coder"}, {"content": "exitcode: 2 (execution failed)\nCode output: ls: cannot access", "role": "user", "name": "Computer_terminal"}, {"content": "exitcode: 0 (execution succeeded)", "role": "user", "name": "Computer_terminal"}, {"content": "HTTP/1.1 404 Not Found", "role": "user", "name": "Computer_terminal"}], "mistake_agent": "Coder", "mistake_step": "1", "mistake_reason": "r"}' >tools.jsonl
sm import tools.jsonl --dataset tools >/dev/null
TUI_SIZE=80x24 tui_run ':open 10
T
:save-display k1.txt
E
:save-display k2.txt
E
:save-display k3.txt
E
:save-display k4.txt' --annotator ann
ok "the code block is a tool call" grep -q "tool call 1 of 1: turn 1 by Coder" k1.txt
ok "a non-zero exit code failed" grep -q "failed output 1 of 2: turn 2 by Computer_terminal" k2.txt
ok "exit code 0 did not; an HTTP 404 did" grep -q "failed output 2 of 2: turn 4 by Computer_terminal" k3.txt
ok "then from the top" grep -q "failed output 1 of 2: turn 2 by Computer_terminal (from the top)" k4.txt
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
TUI_SIZE=80x24 tui_run ':open 11
>
:save-display k5.txt' --annotator ann
ok "a math solution has no hand-offs" has k5.txt "not an agent trace: its turns name no agents"

# the decisive error: e on a turn names that turn's agent
TUI_SIZE=80x24 tui_run ':open 1
jjjjj
e
:save-display t3.txt' --annotator ann
ok "saved" has t3.txt "saved: decisive error at turn 5"
ok "the turn's line says decisive, not first error" grep -q '^>  5 Orchestrator.* -1 DECISIVE' t3.txt
ok "the turns before it keep no rating: a decisive error says nothing of them" \
	test "$(sql "select count(*) from label where annotator = 'ann' and (kind = 'ratings' or step_idx < 5)")" = 0
ok "the label names the turn's agent" test "$(sql "select value || '|' || agent from label where annotator = 'ann' and kind = 'first_error'")" = "5|Orchestrator"
# another agent to blame for it: B, a name (Tab completes), undone by U
TUI_SIZE=80x24 tui_run ':open 1
jjjjj
B
^UWebSurfer<Enter>
:save-display b1.txt' --annotator ann
ok "blamed on the WebSurfer" has b1.txt "saved: decisive error at turn 5: WebSurfer to blame"
ok "the label says so" test "$(sql "select value || '|' || agent from label where annotator = 'ann' and kind = 'first_error' order by id desc limit 1")" = "5|WebSurfer"
TUI_SIZE=80x24 tui_run ':open 1
B
^UNobody<Enter>
:save-display b2.txt' --annotator ann
ok "an agent the trace lacks" has b2.txt "no agent of this trace is called Nobody"
TUI_SIZE=80x24 tui_run ':open 1
U' --annotator ann
ok "undone: the turn's agent again" test "$(sql "select value || '|' || agent from label where annotator = 'ann' and kind = 'first_error' order by id desc limit 1")" = "5|Orchestrator"
TUI_SIZE=80x24 tui_run ':open 1
^R' --annotator ann
ok "redone: the WebSurfer again" test "$(sql "select value || '|' || agent from label where annotator = 'ann' and kind = 'first_error' order by id desc limit 1")" = "5|WebSurfer"
TUI_SIZE=80x24 tui_run ':open 1
U' --annotator ann

# the person's note on that turn is the reason the export gives
TUI_SIZE=80x24 tui_run ':open 1
jjjjj
:note the search went to the wrong page' --annotator ann
expect_rc 0 "export the person's attribution" sm export --format who-when --dataset Hand-Crafted --annotator ann -o ann.jsonl
ok "turn, agent and reason" python3 -c '
import json
r = [json.loads(l) for l in open("ann.jsonl")][0]
assert (r["id"], r["mistake_step"], r["mistake_agent"], r["mistake_reason"]) == ("3", "5", "Orchestrator", "the search went to the wrong page"), r
'
TUI_SIZE=80x24 tui_run ':open 1
U
U' --annotator ann
ok "undone: the label in force has no decisive turn" test "$(sql "select coalesce(value, 'none') || '|' || coalesce(agent, '') from label where annotator = 'ann' and kind = 'first_error' order by id desc limit 1")" = "none|"

# golden screens: a Hand-Crafted and an Algorithm-Generated log at 80x24
# and 120x40, on a turn that hands off
sm import "$SHARED_DATA/who-when/Algorithm-Generated" >/dev/null
ag=$(sql "select s.id from solution s join dataset d on d.id = s.dataset_id where d.name = 'Algorithm-Generated' and s.ext_key = '100'")
for size in 80x24 120x40; do
	TUI_SIZE=$size tui_run ":open 1
jjj
:save-display hc-$size.txt" --annotator viewer
	same_screen "trace-hc-${size%x*}" "hc-$size.txt"
	TUI_SIZE=$size tui_run ":open $ag
jj
:save-display ag-$size.txt" --annotator viewer
	same_screen "trace-ag-${size%x*}" "ag-$size.txt"
done

# the task, the ground truth and each agent's system prompt in the pager;
# the ground truth hidden when the setting says so
TUI_SIZE=80x24 tui_run ":open $ag
p
:save-display p1.txt
q
:set ground-truth no
p
:save-display p2.txt
q
:save-display p3.txt" --annotator viewer
ok "the pager has the task" has p1.txt "== Task"
ok "and the ground truth" grep -q "^ *Glass Onion: A Knives Out Mystery" p1.txt
ok "and the system prompts, by agent" has p1.txt "--- Movie_Expert"
ok "hidden: not in the pager" sh -c '! grep -q "Glass Onion" p2.txt && grep -q "(hidden: set ground-truth yes)" p2.txt'
ok "hidden: not on the bottom line" sh -c '! grep -q "Glass Onion" p3.txt && grep -q "ground truth hidden (set ground-truth)" p3.txt'

# long turns fold to their first lines; O unfolds the one at the cursor,
# * every one
TUI_SIZE=80x40 tui_run ':open 1
j
:save-display f1.txt
O
:save-display f2.txt
O
*
:save-display f3.txt' --annotator viewer
ok "turn 1 folded, saying how much is left out" grep -q "^       \.\.\. [0-9]* more lines (O unfolds the turn, \* all)$" f1.txt
ok "O shows it whole" sh -c '! grep -q "more lines (O unfolds" f2.txt || [ "$(grep -n "more lines (O unfolds" f2.txt | head -1 | cut -d: -f1)" -gt "$(grep -n "more lines (O unfolds" f1.txt | head -1 | cut -d: -f1)" ]'
ok "O again and * : every turn whole" sh -c '! grep -q "more lines (O unfolds" f3.txt'
ok "* says so" has f3.txt "every turn shown whole"
finish
