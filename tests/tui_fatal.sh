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
finish
