#!/bin/sh
# The workbench at 80x24, the size most terminals open at, in tmux: the
# queue's columns keep what differs, the hint bar keeps its way out, a
# status message is never cut short of its point, the help wraps under
# its descriptions; and no status message in ui/ is wider than 80.
. "$top_srcdir/tests/lib.sh"

# every status message fits 80 columns (tests/status_width.py says how
# each is measured)
ok "no status message is wider than 80 columns" \
	python3 "$top_srcdir/tests/status_width.py" 80 "$top_srcdir"/ui/*.c

need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
# start80 NAME COLSxLINES ARGS...: the workbench in tmux at that size
start80() {
	local name=$1 size=$2
	shift 2
	tmx new-session -d -s "$name" -x "${size%x*}" -y "${size#*x}" \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' $*; echo EXITED \$?; sleep 600"
}
# rows NAME FIRST LAST: those rows of the screen (1 is the top)
rows() { screen_of "$1" | sed -n "$2,$3p"; }
# row_has NAME ROW TEXT: that row shows TEXT
row_has() { rows "$1" "$2" "$2" | grep -qF -- "$3"; }

# OlympiadBench's keys: the same long start, the number at the end
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, r in enumerate(d):
    r["id"] = "olympiadbench-%d" % (180 + i)
json.dump(d, open("olympiad.json", "w"))
PY
sm import olympiad.json --dataset olympiadbench >/dev/null

start80 q 80x24 --annotator erin
ok "the queue opens" wait_for q "20 solutions"
rows q 2 22 >queue.txt
ok "each row's key keeps its number" test "$(grep -oE -- '-1(8[0-9]|9[0-9]) ' queue.txt | sort -u | wc -l)" = 20
ok "no key is cut to the same start" sh -c '! grep -q "olympiadbenc " queue.txt'
head -1 queue.txt >header.txt
ok "the header's last column title is whole" \
	grep -Eq "first error(: me, sources, others| \(who:step\))?\$" header.txt
ok "the hint bar keeps q quit" row_has q 23 "q quit"

tmx send-keys -t q Enter
ok "the solution opens" wait_for q "[solution]"
ok "its hint bar keeps q queue" row_has q 23 "q queue"
tmx send-keys -t q b b
ok "blind all says so" wait_for q "until you decide"
rows q 23 24 | tr '\n' ' ' | tr -s ' ' >blind.txt
ok "the whole blind message is on the screen" \
	has blind.txt "blind: suggestions, others' labels and the verdict hidden until you decide"
tmx send-keys -t q b q
# a long message takes the hint bar's row rather than lose its end
long=$(printf 'set%.0s ' $(seq 1 30))
tmx send-keys -t q -l ":dataset $long"
tmx send-keys -t q Enter
ok "a message of two rows" wait_for q "no data set named"
rows q 23 24 | tr '\n' ' ' >long.txt
ok "shows the long name whole" has long.txt "no data set named $long"
ok "and is not cut" sh -c '! grep -q ">" long.txt'

# the help: a description that wraps goes on under itself
tmx send-keys -t q h
ok "the help opens" wait_for q "[pager]"
screen_of q >help.txt
ok "a long description wraps under its column" \
	sh -c "grep -A1 'help  *Show the keys and the actions they' help.txt | tail -1 | grep -Eq '^ {30,}run\$'"
tmx send-keys -t q Q
ok "Q quits" wait_for q "EXITED 0"

# at 120 columns the header has its whole title
start80 w 120x40 --annotator erin
ok "the queue opens at 120" wait_for w "20 solutions"
ok "with the whole title" row_has w 2 "first error: me, sources, others"
ok "and every key whole" test "$(rows w 3 22 | grep -c 'olympiadbench-1[89][0-9] ')" = 20
tmx send-keys -t w Q

# keys typed behind another writer: the status says what the README says
n=$(sed -n 's/.*it lets go ("\([0-9]*\) actions waiting").*/\1/p' "$top_srcdir/README.md")
ok "the README quotes the queued keys' count" test -n "$n"
n=${n:-3}
hold_lock 10
start80 l 80x24 --annotator erin
ok "opens behind the lock" wait_for l "[queue]"
tmx send-keys -t l Enter
ok "the solution opens" wait_for l "[solution]"
i=0
while [ $i -lt "$n" ]; do tmx send-keys -t l +; i=$((i + 1)); done
ok "the status says what the README quotes" wait_for l "$n actions waiting"
tmx send-keys -t l q q
ok "quitting says it waits, and how not to" wait_for l "quitting once saved (quit again to drop them)"
wait $holder
ok "and quits once saved" wait_for l "EXITED 0"
finish
