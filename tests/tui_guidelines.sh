#!/bin/sh
# Guidelines in view, in tmux at 80x24: the guidelines file (the
# guidelines setting) opens in the pager with H and is searchable there;
# each label made in the workbench records its version (the SHA-256 of
# the file's bytes) and the guidelines table its first use; labels made
# by commands record none; the first screen says when the guidelines
# changed since the annotator's last label, or why they cannot be read.
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
# bottom NAME: the status line
bottom() { screen_of "$1" | tail -1; }
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
CONF="$XDG_CONFIG_HOME/stepmark/config"

# version 1: a hundred lines, "arithmetic" on lines 30 and 35
python3 - <<'PY'
lines = ["# Labelling guidelines", ""] + ["Rule %d: read the step twice." % i for i in range(3, 30)]
lines += ["A step whose arithmetic is wrong is -1."] + ["Note %d." % i for i in range(31, 35)]
lines += ["Unchecked arithmetic is 0, not +1."] + ["End %d." % i for i in range(36, 101)]
open("guidelines.md", "w").write("\n".join(lines) + "\n")
PY
v1=$(sha256sum guidelines.md | cut -c1-64)
echo "set guidelines = $TMP/guidelines.md" >"$CONF"

start80 a --annotator gina
ok "the queue opens" wait_for a "20 solutions"
ok "no label yet: nothing changed" sh -c "! tmux -L $TMUX_SOCK capture-pane -p -t a | grep -q 'guidelines changed'"
tmx send-keys -t a H
ok "H opens the guidelines, their version in the status line" wait_for a "guidelines $(echo "$v1" | cut -c1-12)  line 1/100"
ok "the text shows" wait_for a "Rule 3: read the step twice."
tmx send-keys -t a / arithmetic Enter
ok "/ finds the first match" wait_for a "line 30/100"
tmx send-keys -t a n
ok "n the next" wait_for a "line 35/100"
tmx send-keys -t a N
ok "N the one before" wait_for a "line 30/100"
tmx send-keys -t a q
ok "q back to the queue" wait_for a "20 solutions"

# labels of every kind the workbench writes record version 1
tmx send-keys -t a Enter
ok "a solution opens" wait_for a "step 1/"
tmx send-keys -t a + ! t
tmx send-keys -t a -l "a note"
tmx send-keys -t a Enter
ok "the note is saved" wait_for a "saved: note on step"
tmx send-keys -t a e
ok "the first error is saved" wait_for a "saved: first error"
tmx send-keys -t a U
ok "undo is saved" wait_for a "saved: undo"
tmx send-keys -t a q q
ok "it quits" wait_for a "EXITED 0"
ok "gina made ratings, a flag, a note, a first error" test "$(sql "SELECT group_concat(kind) FROM (SELECT DISTINCT kind FROM label WHERE annotator = 'gina' ORDER BY kind)")" = "first_error,flag,note,rating"
ok "every one records version 1" test "$(sql "SELECT DISTINCT coalesce(guidelines, 'none') FROM label WHERE annotator = 'gina'")" = "$v1"
ok "the guidelines table has version 1 once, with its path" \
	test "$(sql "SELECT hash || '|' || path || '|' || (first_used LIKE '20%Z') FROM guidelines")" = "$v1|$TMP/guidelines.md|1"
ok "imported labels record none" test "$(sql "SELECT count(*) FROM label WHERE action_id IS NULL AND guidelines IS NOT NULL")" = 0
ok "there are imported labels" test "$(sql "SELECT count(*) FROM label WHERE action_id IS NULL")" -gt 0

# the same guidelines again: nothing to say
start80 b --annotator gina
ok "the queue opens again" wait_for b "20 solutions"
ok "unchanged: nothing said" sh -c "! tmux -L $TMUX_SOCK capture-pane -p -t b | grep -q 'guidelines changed'"
tmx send-keys -t b q
ok "it quits again" wait_for b "EXITED 0"

# version 2: the first screen says so, to gina, not to someone new
echo "Flag a step you cannot judge." >>guidelines.md
v2=$(sha256sum guidelines.md | cut -c1-64)
start80 c --annotator gina
ok "changed since gina's last label: said" wait_for c "the guidelines changed since your last label (H reads them)"
tmx send-keys -t c Enter
ok "a solution opens (v2)" wait_for c "step 1/"
tmx send-keys -t c j +
ok "a rating is saved (v2)" wait_for c "saved: step 2 rated +1"
tmx send-keys -t c q q
ok "it quits (v2)" wait_for c "EXITED 0"
ok "the new label records version 2" test "$(sql "SELECT guidelines FROM label WHERE annotator = 'gina' ORDER BY id DESC LIMIT 1")" = "$v2"
ok "the guidelines table has both versions" test "$(sql "SELECT count(*) FROM guidelines WHERE hash IN ('$v1', '$v2')")" = 2
start80 d --annotator hal
ok "the queue opens for hal" wait_for d "20 solutions"
ok "hal has no label: nothing said" sh -c "! tmux -L $TMUX_SOCK capture-pane -p -t d | grep -q 'guidelines changed'"
tmx send-keys -t d q
ok "hal quits" wait_for d "EXITED 0"

# unreadable: said on the first screen, labels record none, no crash
echo "set guidelines = $TMP/missing.md" >"$CONF"
start80 e --annotator gina
ok "a missing file is said" wait_for e "guidelines: cannot read $TMP/missing.md"
tmx send-keys -t e H
ok "H says it too" wait_for e "guidelines: cannot read"
tmx send-keys -t e Enter
ok "a solution opens (missing)" wait_for e "step 1/"
tmx send-keys -t e j j +
ok "a rating is saved (missing)" wait_for e "saved: step 3 rated +1"
tmx send-keys -t e q q
ok "it quits (missing)" wait_for e "EXITED 0"
ok "that label records no version" test "$(sql "SELECT coalesce(guidelines, 'none') FROM label WHERE annotator = 'gina' ORDER BY id DESC LIMIT 1")" = none

# none set: H says how to set them
: >"$CONF"
start80 f --annotator gina
ok "the queue opens (none set)" wait_for f "20 solutions"
tmx send-keys -t f H
ok "H without guidelines says how" wait_for f "no guidelines: set guidelines = PATH in the config"
tmx send-keys -t f q
ok "it quits (none set)" wait_for f "EXITED 0"

finish
