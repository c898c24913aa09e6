#!/bin/sh
# disk_full.sh - a full disk is said as such ("the disk is full", not
# "disk I/O error"). The disk fills without a mount: tests/enospc.so, LD_PRELOADed,
# fails the store's writes with ENOSPC while the file disk-full exists.
. "$top_srcdir/tests/lib.sh"
SHIM="$top_builddir/tests/enospc.so"
[ -f "$SHIM" ] || { echo "skip: no $SHIM (make check builds it)"; exit 77; }
# AddressSanitizer wants its runtime first; the shim goes before it
[ -z "${SANITIZED:-}" ] || export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mkdir -p full "$XDG_CONFIG_HOME/stepmark"
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

finish
