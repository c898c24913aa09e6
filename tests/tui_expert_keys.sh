#!/bin/sh
# Safer keys for experts, in tmux at 80x24: a vim count in the solution
# view moves and rates nothing (10j: no rating key starts a count), and
# confirm = decisions asks y/n before a first error or "no error" is
# saved (n and Esc save nothing, and say so).
. "$top_srcdir/tests/lib.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
# start80 NAME ARGS...: the workbench in tmux at 80x24
start80() {
	local name=$1
	shift
	tmx new-session -d -s "$name" -x 80 -y 24 \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' $*; echo EXITED \$?; sleep 600"
}
labels() { sql "SELECT count(*) FROM label WHERE annotator = '$1'"; }

# one solution of 14 steps
python3 -c '
import json
print(json.dumps({"id": "long", "problem": "Count to fourteen.",
                  "steps": ["Step number %d." % (i + 1) for i in range(14)], "gold": "14"}))' >long.jsonl
sm import long.jsonl --format generic --problem problem --steps steps --gold gold --id id \
	--dataset counts >/dev/null

# 10j: ten steps down, nothing saved
start80 c --annotator vi
ok "the queue opens" wait_for c "1 solution"
tmx send-keys -t c Enter
ok "the solution opens" wait_for c "Step number 1."
tmx send-keys -t c 1 0 j
ok "10j: the cursor on step 11" wait_for c "step 11/14"
ok "10j saved no label" test "$(labels vi)" = 0
tmx send-keys -t c 0
ok "0 alone still rates 0" wait_for c "saved: step 11 rated 0"
ok "one label, step 11's" test "$(sql "SELECT step_idx || ':' || value FROM label WHERE annotator = 'vi'")" = "10:0"
tmx send-keys -t c q q
ok "it quits" wait_for c "EXITED 0"

# confirm = decisions: e and c ask y/n; n and Esc save nothing and say so
echo "set confirm = decisions" >"$XDG_CONFIG_HOME/stepmark/config"
start80 d --annotator careful
ok "the queue opens (confirming)" wait_for d "1 solution"
tmx send-keys -t d Enter
ok "the solution opens (confirming)" wait_for d "Step number 1."
tmx send-keys -t d j j e
ok "e asks first" wait_for d "save step 3 as the first error? (y/n)"
ok "nothing saved while it asks" test "$(labels careful)" = 0
tmx send-keys -t d n
ok "n says nothing was saved" wait_for d "nothing saved: first error at step 3 not confirmed"
ok "n saved nothing" test "$(labels careful)" = 0
tmx send-keys -t d c
ok "c asks first" wait_for d 'save "no error" for this solution? (y/n)'
tmx send-keys -t d Escape
ok "Esc says nothing was saved" wait_for d 'nothing saved: "no error" not confirmed'
ok "Esc saved nothing" test "$(labels careful)" = 0
tmx send-keys -t d e y
ok "y saves the first error" wait_for d "saved: first error at step 3"
ok "the first error is step 3" test "$(sql "SELECT value FROM label WHERE annotator = 'careful' AND kind = 'first_error'")" = 2
tmx send-keys -t d c y
ok "y saves no error" wait_for d "saved: no error"
ok "no error replaced it" test "$(sql "SELECT value FROM label WHERE annotator = 'careful' AND kind = 'first_error' ORDER BY id DESC LIMIT 1")" = -1
tmx send-keys -t d + 
ok "a rating is saved at once" wait_for d "saved: step 3 rated +1"
tmx send-keys -t d q q
ok "it quits (confirming)" wait_for d "EXITED 0"

finish
