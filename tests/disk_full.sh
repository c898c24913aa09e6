#!/bin/sh
# disk_full.sh - a full disk is said as such ("the disk is full", not
# "disk I/O error"), and labels typed while it lasts are kept, retried
# and saved once there is room, as behind a held lock; given up, each is
# named. The disk fills without a mount: tests/enospc.so, LD_PRELOADed,
# fails the store's writes with ENOSPC while the file disk-full exists.
. "$top_srcdir/tests/lib.sh"
SHIM="$top_builddir/tests/enospc.so"
[ -f "$SHIM" ] || { echo "skip: no $SHIM (make check builds it)"; exit 77; }
# AddressSanitizer wants its runtime first; the shim goes before it
[ -z "${SANITIZED:-}" ] || export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mkdir -p full "$XDG_CONFIG_HOME/stepmark"
echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
export ENOSPC_MATCH="$TMP/full/" ENOSPC_TRIGGER="$TMP/disk-full"
D="$TMP/full/store.db"
SM_FULL="env LD_PRELOAD=$SHIM $STEPMARK --db $D"
# the workbench on a key script, with the shim
export STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=100 LINES=24
sm --db "$D" import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

# the mechanism must work here: else skip, never pass
touch disk-full
if env LD_PRELOAD="$SHIM" "$STEPMARK" --db "$TMP/full/probe.db" import \
	"$FIXTURES/processbench_gsm8k_20.json" >/dev/null 2>&1; then
	echo "skip: the LD_PRELOAD shim does not reach stepmark's writes here"
	exit 77
fi
rm -f full/probe.db*

# a closed store on a full disk: SQLite cannot make its -shm file
expect_rc 3 "stats on a full disk" $SM_FULL stats
ok "stats says the disk is full" has err "the disk is full"
ok "not a disk I/O error" sh -c '! grep -q "disk I/O error" err'
expect_rc 3 "export on a full disk" $SM_FULL export --format csv -o "$TMP/out.csv"
ok "export says the disk is full" has err "the disk is full"
printf 'q\n' >keys0
STEPMARK_SCRIPT=keys0 $SM_FULL >out 2>err
ok "the workbench does not start (3)" test $? = 3
ok "and says the disk is full" has err "the disk is full"
rm disk-full

# wait_file FILE: until it exists (10 s at most)
wait_file() {
	n=0
	while [ ! -s "$1" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	[ -s "$1" ]
}
# the workbench running on keys written as the test goes (a FIFO)
start_fifo() {
	rm -f keys.fifo
	mkfifo keys.fifo
	STEPMARK_SCRIPT=keys.fifo STEPMARK_TRACE=$1.trace $SM_FULL --annotator $1 >$1.out 2>$1.err &
	pid=$!
	exec 3>keys.fifo
}
actions() { sqlite3 "$D" "SELECT group_concat(solution_id || ':' || name, ',') FROM (SELECT * FROM action WHERE annotator = '$1' ORDER BY id)"; }

# the disk fills after the first label: the next two wait, in order, and
# are saved once there is room
start_fifo alice
printf '<Enter>\n+\n:save-display a0.txt\n' >&3
ok "the first label is saved" wait_file a0.txt
touch disk-full
printf 'j\n-\nj\n0\n:save-display a1.txt\n' >&3
ok "the screen is shown" wait_file a1.txt
ok "it says the disk is full" has a1.txt "the disk is full"
ok "and that two actions wait" has a1.txt "2 actions waiting"
ok "only the first is in the store" test "$(actions alice)" = "1:rate step 1 +1"
sleep 1.5 # retried while the disk stays full: still waiting, not dropped
printf ':save-display a2.txt\n' >&3
ok "still waiting after retries" wait_file a2.txt
ok "still two" has a2.txt "2 actions waiting"
ok "and still only one in the store" test "$(actions alice)" = "1:rate step 1 +1"
rm disk-full
exec 3>&- # the end of the script: the workbench saves what waits, then ends
wait $pid
ok "the workbench exits 0 once they are saved ($?)" test $? = 0
ok "all three saved, in the order typed" test "$(actions alice)" = \
	"1:rate step 1 +1,1:rate step 2 -1,1:rate step 3 0"
ok "nothing said of unsaved actions" sh -c '! grep -q "not saved" alice.err'

# quitting twice while the disk is full: given up, each one named
start_fifo carol
printf ':save-display c0.txt\n' >&3
ok "the workbench is up" wait_file c0.txt
touch disk-full
printf '<Enter>\n-\nq\nq\nq\n' >&3
exec 3>&-
wait $pid
ok "an action given up makes the exit status 1 ($?)" test $? = 1
ok "the count says why" has carol.err "1 action was not saved: the disk was full"
ok "and names it" has carol.err "not saved (the disk was full): rate-bad on step 1 of solution 1"
rm disk-full
ok "carol has no label" test "$(sqlite3 "$D" "SELECT count(*) FROM label WHERE annotator = 'carol'")" = 0
ok "integrity" test "$(sqlite3 "$D" 'PRAGMA integrity_check')" = ok
finish
