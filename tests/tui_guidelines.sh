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

# a FIFO (or /dev/zero) is not read: it would hang or never end
mkfifo fifo.md
echo "set guidelines = $TMP/fifo.md" >"$CONF"
start80 p --annotator gina
ok "a FIFO is said, not read" wait_for p "guidelines: cannot read $TMP/fifo.md: not a regular file"
tmx send-keys -t p q
ok "it quits (FIFO)" wait_for p "EXITED 0"

# none set: H says how to set them
: >"$CONF"
start80 f --annotator gina
ok "the queue opens (none set)" wait_for f "20 solutions"
tmx send-keys -t f H
ok "H without guidelines says how" wait_for f "no guidelines: set guidelines = PATH in the config"
tmx send-keys -t f q
ok "it quits (none set)" wait_for f "EXITED 0"

# stepmark consensus --policy "guidelines current, ...": only the people's
# labels made under the version in force count. A store of its own:
# three solutions of four steps; amy decides two under version 1, then
# bob and cy all three under version 2; "old" came with the data.
export STEPMARK_DB="$TMP/cons.db"
python3 -c '
import json
for k in ("s1", "s2", "s3"):
    print(json.dumps({"id": k, "problem": "P " + k, "steps": ["a", "b", "c", "d"], "fe": 0}))' >cons.jsonl
G="--format generic --problem problem --steps steps --id id --dataset cons"
sm import cons.jsonl $G >/dev/null
grep '"s3"' cons.jsonl >old.jsonl
sm import old.jsonl $G --first-error fe --as old >/dev/null
# decide WHO SOL:STEP...: in the workbench, each solution's first error
# (a step from 1) or, for 0, no error
decide() {
	local who=$1 n=0
	shift
	start80 "$who" --annotator "$who"
	wait_for "$who" "3 solutions" || return 1
	for d in "$@"; do
		tmx send-keys -t "$who" -l ":open ${d%:*}"
		tmx send-keys -t "$who" Enter
		wait_for "$who" "step 1/4" || return 1
		if [ "${d#*:}" = 0 ]; then
			tmx send-keys -t "$who" c
		else
			tmx send-keys -t "$who" -l ":${d#*:}"
			tmx send-keys -t "$who" Enter e
		fi
		n=$((n + 1))
		wait_for_sql "SELECT count(DISTINCT action_id) FROM label WHERE annotator = '$who'" $n || return 1
		tmx send-keys -t "$who" q
	done
	tmx send-keys -t "$who" q
	wait_for "$who" "EXITED 0"
}
printf '# v1\n' >cons.md
echo "set guidelines = $TMP/cons.md" >"$CONF"
ok "amy decides s1 and s2 under version 1" decide amy s1:2 s2:3
printf '# v2\n' >cons.md
c2=$(sha256sum cons.md | cut -c1-64)
ok "bob decides all three under version 2" decide bob s1:2 s2:2 s3:0
ok "cy decides all three under version 2" decide cy s1:2 s2:2 s3:1
ok "amy's labels record version 1, bob's and cy's version 2" test \
	"$(sql "SELECT group_concat(DISTINCT annotator || '=' || (guidelines = '$c2')) FROM label WHERE action_id IS NOT NULL ORDER BY annotator")" = "amy=0,bob=1,cy=1"
fe() { sql "SELECT coalesce(a.first_error, '-') || ':' || coalesce(a.rule, a.why) FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$1'"; }

# every label: s1 step 2 (3 of 3), s2 step 2 (bob, cy: 2 of 3), s3
# step 1 (cy, old: 2 of 3)
expect_rc 0 "consensus over every label" sm consensus --policy "human-majority 2"
ok "all: s1 step 2" test "$(fe s1)" = "1:human-majority 2"
ok "all: s2 step 2" test "$(fe s2)" = "1:human-majority 2"
ok "all: s3 step 1" test "$(fe s3)" = "0:human-majority 2"
# version 2 only: s1 and s2 step 2 (bob and cy agree); s3 bob says no
# error, cy step 1: undecided. Left out: amy's first error at step 2 on
# s1 (a first_error label and its two filled ratings, +1 and -1: 3) and
# at step 3 on s2 (a first_error and three ratings: 4), and old's first
# error on s3 (an import: a first_error label, 1): 8 labels, on 3
# solutions
expect_rc 0 "consensus under the current guidelines" \
	sm consensus --policy "guidelines current, human-majority 2"
ok "it says what it left out" has out "guidelines current ($(echo "$c2" | cut -c1-12)): left out 8 labels made under other guidelines or none, on 3 solutions"
ok "the policy is stored as written" test "$(sql "SELECT DISTINCT policy FROM agreed")" = "guidelines current, human-majority 2"
ok "current: s1 step 2" test "$(fe s1)" = "1:human-majority 2"
ok "current: s2 step 2" test "$(fe s2)" = "1:human-majority 2"
ok "current: s3 undecided" test "$(fe s3)" = "-:annotators disagree"
# the config's consensus line takes it too
echo "consensus guidelines current, human 2" >>"$CONF"
expect_rc 0 "the config's policy with guidelines current" sm consensus
ok "human 2 under version 2: s2 step 2" test "$(fe s2)" = "1:human 2"
# the guidelines change and no label does: a rerun decides every one
# again (amy 7 labels, bob 3 + 3 + 5, cy 3 + 3 + 2, old 1: 27 left out)
printf '# v3\n' >cons.md
expect_rc 0 "a rerun under version 3" sm consensus
ok "no label of version 3: s2 undecided" test "$(fe s2)" = "-:too few labels"
ok "every label left out, all read again" has out "left out 27 labels made under other guidelines or none, on 3 solutions"
# refused: no guidelines set; a file that cannot be read; a bad word
: >"$CONF"
expect_rc 2 "guidelines current with none set" sm consensus --policy "guidelines current, human 2"
ok "says what is missing" has err "the policy says guidelines current, but no guidelines are set"
echo "set guidelines = $TMP/gone.md" >"$CONF"
expect_rc 1 "guidelines current with an unreadable file" sm consensus --policy "guidelines current, human 2"
ok "says why" has err "guidelines current: cannot read $TMP/gone.md"
expect_rc 2 "guidelines takes current only" sm consensus --policy "guidelines latest, human 2"
ok "says what it takes" has err "guidelines takes current, once (guidelines current)"

finish
