#!/bin/sh
# Every fatal path gives the terminal back: after a crash (SIGSEGV,
# SIGABRT) the terminal is in its normal mode again (canonical input,
# echo), and the exit status is non-zero.
. "$top_srcdir/tests/lib.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

for sig in SEGV ABRT; do
	rm -f pid modes
	tmx new-session -d -s "$sig" -x 100 -y 30 \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' sh -c 'echo \$\$ >pid; exec \"$STEPMARK\" --db \"$STEPMARK_DB\"'; echo EXITED \$?; stty -a >modes; sleep 600"
	ok "$sig: the workbench opens" wait_for "$sig" "[queue]"
	tmx send-keys -t "$sig" Enter
	ok "$sig: a solution" wait_for "$sig" "[solution]"
	kill -"$sig" "$(cat pid)"
	ok "$sig: it ended" wait_for "$sig" "EXITED" 10
	while [ ! -s modes ]; do sleep 0.05; done
	ok "$sig: non-zero exit" sh -c "! tmux -L '$TMUX_SOCK' capture-pane -p -t '$sig' | grep -q 'EXITED 0'"
	ok "$sig: canonical input again" sh -c "tr ' ;' '\n\n' <modes | grep -qx icanon"
	ok "$sig: echo again" sh -c "tr ' ;' '\n\n' <modes | grep -qx echo"
	ok "$sig: said what happened" wait_for "$sig" "fatal signal; the terminal is restored" 2
done

# Ctrl-C (and SIGTERM) at 80x24: the workbench quits in order, says what
# happened and what was kept, gives the terminal back, exits 130 (1 only
# when an action was not saved)
for how in C-c TERM; do
	rm -f pid modes
	tmx new-session -d -s "s$how" -x 80 -y 24 \
		"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' sh -c 'echo \$\$ >pid; exec \"$STEPMARK\" --db \"$STEPMARK_DB\" --annotator cc'; echo EXITED \$?; stty -a >modes; sleep 600"
	ok "$how: the workbench opens" wait_for "s$how" "[queue]"
	tmx send-keys -t "s$how" Enter
	ok "$how: a solution" wait_for "s$how" "[solution]"
	[ "$how" = C-c ] || tmx send-keys -t "s$how" j # the next step this time
	tmx send-keys -t "s$how" +
	ok "$how: a rating saved" wait_for "s$how" "saved:"
	if [ "$how" = C-c ]; then tmx send-keys -t "s$how" C-c; else kill -TERM "$(cat pid)"; fi
	ok "$how: exit 130" wait_for "s$how" "EXITED 130" 10
	what=$([ "$how" = C-c ] && echo Ctrl-C || echo SIGTERM)
	ok "$how: says what happened and what was kept" wait_for "s$how" "stepmark: stopped by $what; every action was saved as it was made" 2
	while [ ! -s modes ]; do sleep 0.05; done
	ok "$how: canonical input again" sh -c "tr ' ;' '\n\n' <modes | grep -qx icanon"
	ok "$how: echo again" sh -c "tr ' ;' '\n\n' <modes | grep -qx echo"
done
# an action waiting for another writer's lock is not saved: said, exit 1
tmx new-session -d -s lock -x 80 -y 24 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator cc; echo EXITED \$?; sleep 600"
ok "lock: the workbench opens" wait_for lock "[queue]"
tmx send-keys -t lock Enter jj
ok "lock: step 3" wait_for lock "step 3/"
hold_lock 8
tmx send-keys -t lock +
ok "lock: the rating waits" wait_for lock "1 action waiting"
tmx send-keys -t lock C-c
ok "lock: exit 1" wait_for lock "EXITED 1" 10
ok "lock: says it was not saved" wait_for lock "stepmark: stopped by Ctrl-C; the actions below were not saved" 2
kill $holder 2>/dev/null
ok "the ratings are in the store" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'cc' AND kind = 'rating'")" = 2
finish
