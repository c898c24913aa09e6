# tui_trace.sh - an agent trace in the workbench: who acts in each turn,
# its text verbatim, and a decisive error that names its agent
. "$top_srcdir/tests/lib.sh"
need_shared who-when/Hand-Crafted/3.json
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
sm import "$SHARED_DATA/who-when/Hand-Crafted" >/dev/null

# log 3 at 80x24: turn 4 is the Orchestrator handing off to the WebSurfer
TUI_SIZE=80x24 tui_run '<Enter>
jjj
:save-display t1.txt' --annotator ann
ok "the agent and the hand-off on the turn's line" grep -q '^>  4 Orchestrator (-> WebSurfer) ' t1.txt
ok "JSON verbatim, its indentation kept" grep -q '^         "instruction_or_question": {$' t1.txt
# LaTeX is not rendered in a trace: a $ and a backslash stay
printf '%s\n' '{"id": "sh", "question": "Run it.", "ground_truth": "2", "is_correct": false, "history": [{"content": "Run: echo $HOME \\n and \\frac{1}{2}", "role": "user", "name": "Planner"}, {"content": "exitcode: 1 (execution failed)", "role": "assistant", "name": "Computer_terminal"}], "mistake_agent": "Planner", "mistake_step": "0", "mistake_reason": "r"}' >sh.jsonl
sm import sh.jsonl --dataset shell >/dev/null
TUI_SIZE=80x24 tui_run ':open 9
:save-display t2.txt' --annotator ann
ok "shell text as it is" grep -qF 'Run: echo $HOME \n and \frac{1}{2}' t2.txt
ok "a name agent, its role beside it" grep -q '^>  1 Planner (user) ' t2.txt

# the decisive error: e on a turn names that turn's agent
TUI_SIZE=80x24 tui_run ':open 1
jjjjj
e
:save-display t3.txt' --annotator ann
ok "saved" has t3.txt "saved: first error at step 6"
ok "the label names the turn's agent" test "$(sql "select value || '|' || agent from label where annotator = 'ann' and kind = 'first_error'")" = "5|Orchestrator"
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
finish
