#!/bin/sh
# A step's error category and its recovery (C), in a real terminal at
# 80x24: the chooser fits, the category is shown on the step's line and
# stored, undone and redone like any label; the taxonomy is the item
# kind's built-in (math, MAST for a trace) or one's own file, whose
# mistakes are named by file and line.
. "$top_srcdir/tests/lib.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm import "$FIXTURES/agent_messages.jsonl" --messages messages --id id --dataset agents >/dev/null
# start80 NAME ARGS...: the workbench in tmux at 80x24
start80() {
	local name=$1
	shift
	tmx new-session -d -s "$name" -x 80 -y 24 \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' $*; echo EXITED \$?; sleep 600"
}
# cat_of STEP: erin's category labels on solution 1's step (0-based), oldest first
cat_of() { sql "select group_concat(coalesce(text, 'NULL') || ':' || coalesce(value, 'NULL'), ' ') from (select text, value from label where annotator = 'erin' and kind = 'category' and solution_id = 1 and step_idx = $1 order by id)"; }

start80 a --annotator erin
ok "the queue opens" wait_for a "[queue]"
tmx send-keys -t a Enter
ok "the solution opens" wait_for a "[solution]"
# only on a step one rated -1: said, not refused silently
tmx send-keys -t a C
ok "an unrated step: says why" wait_for a "step 1 is not rated -1 by you: rate it - or e before naming its error"
ok "nothing stored" test -z "$(cat_of 0)"
tmx send-keys -t a j j e
ok "first error" wait_for a "saved: first error at step 3"
tmx send-keys -t a C
ok "the chooser: the math taxonomy" wait_for a "step 3: which error (math)? a key; Esc cancels"
screen_of a >chooser.txt
ok "a key per category, in columns" grep -q "^a calc  *b misread  *c missing cond  *d logic" chooser.txt
ok "all twelve fit 80x24" grep -q "^i counterfact  *j domain  *k redundant  *l other" chooser.txt
ok "the screen is 24 rows" test "$(wc -l <chooser.txt)" = 24
tmx send-keys -t a z
ok "another key: said" wait_for a "z: not a key listed"
tmx send-keys -t a a
ok "then the recovery" wait_for a "step 3 calc: did a later step recover from it? (y)es (n)o (s)kip"
tmx send-keys -t a n
ok "saved" wait_for a "saved: step 3: calculation, not recovered"
ok "shown on the step's line" wait_for a ">  3 -1 FIRST ERR [calc, unrecovered]"
ok "stored at once (before quitting)" test "$(cat_of 2)" = "calculation:0"
# Esc at the second question saves nothing
tmx send-keys -t a C b Escape
sleep 0.3
ok "Esc: nothing more" test "$(cat_of 2)" = "calculation:0"
# again: another category, recovered
tmx send-keys -t a C d y
ok "changed" wait_for a "[logic, recovered]"
tmx send-keys -t a U
ok "undo brings the first back" wait_for a "[calc, unrecovered]"
tmx send-keys -t a C-r
ok "redo the second" wait_for a "[logic, recovered]"
ok "each an appended label" test "$(cat_of 2)" = "calculation:0 logic:1 calculation:0 logic:1"
tmx send-keys -t a C -
ok "- takes it back" wait_for a "saved: step 3: category taken back"
ok "not shown any more" sh -c "! tmux -L '$TMUX_SOCK' capture-pane -p -t a | grep -qF '[logic'"
ok "a NULL text clears" test "$(cat_of 2)" = "calculation:0 logic:1 calculation:0 logic:1 NULL:NULL"
tmx send-keys -t a U
ok "undo the taking back" wait_for a "[logic, recovered]"
# the prompt's form, as key scripts and : use it
tmx send-keys -t a -l ":category misread s"
tmx send-keys -t a Enter
ok ":category KEY" wait_for a ">  3 -1 FIRST ERR [misread]"
tmx send-keys -t a -l ":category step_contradiction n"
tmx send-keys -t a Enter
ok "an alias (PRMBench's class) names its category" wait_for a "[contradiction, unrecovered]"
ok "stored by the category's key" test "$(sql "select text from label where kind = 'category' order by id desc limit 1")" = contradiction
tmx send-keys -t a -l ":category nosuch"
tmx send-keys -t a Enter
ok "an unknown key: said" wait_for a "no category nosuch in the taxonomy math"
# a trace: MAST by default
tmx send-keys -t a q -l ":dataset agents"
tmx send-keys -t a Enter
tmx send-keys -t a Enter j e C
ok "a trace: MAST" wait_for a "(mast)? a key; Esc cancels"
sleep 0.2
screen_of a >mast.txt
ok "its 14 modes" grep -q "^m no verification  *n wrong verify" mast.txt
ok "asked of the turn, as a trace counts" grep -q "^turn 1: which error (mast)? a key; Esc cancels" mast.txt
tmx send-keys -t a c y
ok "a mode saved by its number (a trace counts turns)" wait_for a "saved: turn 1: 1.3, recovered later"
ok "shown by its short name" wait_for a "[step repetition, recovered]"
tmx send-keys -t a q q
ok "quit" wait_for a "EXITED 0"

# the exports with a place for it: ProcessBench's record and Who&When's
# log carry the first error's category and recovery
expect_rc 0 "export processbench" sm export --format processbench --annotator erin --dataset processbench_gsm8k_20
ok "the first error's category" has out '"label":2,"category":"contradiction","recovered":false}'
expect_rc 0 "export who-when" sm export --format who-when --annotator erin --dataset agents
ok "the decisive error's MAST mode" has out '"mistake_step":"1","mistake_reason":null,"mistake_category":"1.3","mistake_recovered":true}'

# one's own taxonomy: the setting
cat >mine.tax <<'T'
# two kinds of slip
arith | arithmetic | A sum done wrong | slips
units | units      | A unit lost or mixed up
alias unit_error = units
T
echo "set taxonomy = $TMP/mine.tax" >>"$XDG_CONFIG_HOME/stepmark/config"
start80 b --annotator erin
ok "reopened" wait_for b "[queue]"
tmx send-keys -t b Enter j j
ok "the category is back" wait_for b "[contradiction, unrecovered]"
tmx send-keys -t b C
ok "one's own taxonomy" wait_for b "step 3: which error (mine.tax)? a key, - takes yours back; Esc cancels"
ok "its categories" wait_for b "a arithmetic"
tmx send-keys -t b b s
ok "saved from it" wait_for b ">  3 -1 FIRST ERR [units]"
ok "its key stored" test "$(sql "select text || ':' || coalesce(value, 'NULL') from label where kind = 'category' and solution_id = 1 order by id desc limit 1")" = "units:NULL"
tmx send-keys -t b q q
ok "quit" wait_for b "EXITED 0"

# a bad file: named by file and line
printf '%s\n' 'arith | arithmetic | A sum done wrong' 'units | units' >bad.tax
sed -i "s|mine.tax|bad.tax|" "$XDG_CONFIG_HOME/stepmark/config"
start80 c --annotator erin
ok "reopened" wait_for c "[queue]"
tmx send-keys -t c Enter j j C
ok "the file and line said" wait_for c "taxonomy: $TMP/bad.tax:2: a category is KEY | SHORT NAME"
tmx send-keys -t c q q
ok "quit" wait_for c "EXITED 0"
printf '%s\n' 'a|b|c' 'a|d|e' >twice.tax
printf '%s\n' 'x | way too long a short name | d' >long.tax
printf '%s\n' 'alias z = nowhere' 'x | y | z' >alias.tax
printf '%s\n' 'x y | y | z' >key.tax
sed -i "s|bad.tax|twice.tax|" "$XDG_CONFIG_HOME/stepmark/config"
start80 d --annotator erin
tmx send-keys -t d Enter j j C
ok "a key twice" wait_for d "twice.tax:2: the key a is there twice"
tmx send-keys -t d q q
for f in long alias key; do
	sed -i "s|[a-z]*\.tax|$f.tax|" "$XDG_CONFIG_HOME/stepmark/config"
	start80 "e$f" --annotator erin
	tmx send-keys -t "e$f" Enter j j C
	case $f in
	long) ok "a short name too long" wait_for "e$f" "long.tax:1: the short name of x must be" ;;
	alias) ok "an alias of nothing" wait_for "e$f" "alias.tax:1: alias z: no category nowhere" ;;
	key) ok "a key with a blank" wait_for "e$f" "key.tax:1: the key \"x y\" is not" ;;
	esac
	tmx send-keys -t "e$f" q q
done
finish
