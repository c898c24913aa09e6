#!/bin/sh
# import_stop.sh - Ctrl-C (or SIGTERM) during an import: it stops soon,
# says what was kept (nothing: an import is all or nothing), leaves no
# private file and exits 130; a second signal ends it at once, its
# unfinished store removed first.
. "$top_srcdir/tests/lib.sh"

# starts an import in the background (pid in $pid) and waits until it
# has begun: its private file is there, or (into a store) a moment
bg_import() {
	"$STEPMARK" "$@" >out 2>err &
	pid=$!
	n=0
	while [ $n -lt 100 ] && ! ls "$TMP"/*.import-* >/dev/null 2>&1 && [ -z "${INTO:-}" ]; do
		sleep 0.02
		n=$((n + 1))
	done
	sleep 0.2
}

# records the reader refuses one by one (the storer sees none of them):
# Ctrl-C still stops the reading at once, not at the end of the file
python3 -c 'import sys; sys.stdout.write("{\"question\": 1}\n" * 6000000)' >bad.jsonl
bg_import --db new.db import --format prm800k bad.jsonl
kill -INT $pid
wait $pid
rc=$?
ok "Ctrl-C among bad records exits 130 ($rc)" test $rc = 130
ok "it says it stopped and kept nothing" has err "stepmark: stopped: nothing of bad.jsonl stored, no store made"
ok "before the end of the file" sh -c '! grep -q "6000000 bad records" err'
ok "no store made" test ! -e new.db
ok "no private file left" sh -c '! ls new.db.import-* 2>/dev/null'
# as a person does when nothing seems to happen: Ctrl-C, then again
bg_import --db new.db import --format prm800k bad.jsonl
kill -INT $pid
sleep 0.2
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
ok "Ctrl-C twice exits 130 ($rc)" test $rc = 130
ok "said what was kept" grep -q "stepmark: stopped.*nothing" err
ok "no private file left after two" sh -c '! ls new.db.import-* 2>/dev/null'

python3 "$top_srcdir/tests/gen_big.py" --processbench 30000 >big.jsonl
# the first import, into a store of its own
bg_import --db new.db import big.jsonl
kill -INT $pid
wait $pid
rc=$?
ok "Ctrl-C during a first import exits 130 ($rc)" test $rc = 130
ok "and says nothing was kept" has err "stopped: nothing of big.jsonl stored, no store made"
ok "no store" test ! -e new.db
ok "no private file" sh -c '! ls new.db.import-* 2>/dev/null'

# a second signal before the first is acted on: gone at once, but its
# private file goes first and it says so
bg_import --db new.db import big.jsonl
kill -TERM $pid
kill -INT $pid
wait $pid
rc=$?
ok "a second signal ends it (status $rc: 128 + the signal)" test $rc = 130 -o $rc = 143
ok "saying so" has err "stepmark: stopped at once: nothing kept"
ok "no private file after a second signal" sh -c '! ls new.db.import-* 2>/dev/null'
ok "and no store" test ! -e new.db

# into a store that has data: nothing of the file is stored
sm --db old.db import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
INTO=1 bg_import --db old.db import big.jsonl
kill -INT $pid
wait $pid
rc=$?
ok "Ctrl-C into a store exits 130 ($rc)" test $rc = 130
ok "says nothing of the file is stored" has err "stopped: nothing of big.jsonl stored"
ok "the store is as it was" test "$(sqlite3 old.db 'SELECT count(*) FROM solution')" = 20
ok "integrity" test "$(sqlite3 old.db 'PRAGMA integrity_check')" = ok
finish
