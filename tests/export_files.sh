#!/bin/sh
# Files and limits: a file size limit and a full disk are write errors
# said as such (never a silent kill, never "exported"); a killed export's
# part is reclaimed; two exports to one file do not mix; a device is
# written, never replaced; import names what is wrong with what it is given.
. "$top_srcdir/tests/lib.sh"

python3 -c '
import json
print(json.dumps({"problem": "p", "steps": ["x" * 200000, "y"], "label": -1}))' >big.jsonl
sm import big.jsonl --problem problem --steps steps --first-error label >/dev/null

# ulimit -f: SIGXFSZ is ignored, EFBIG reported, nothing left behind
expect_rc 1 "an export past the file size limit" sh -c 'ulimit -f 100; exec "$0" export --format csv -o big.csv' "$STEPMARK"
ok "says the file is too large" has err "big.csv: write failed: File too large"
ok "no output file" test ! -e big.csv
ok "no part left" test ! -e .big.csv.stepmark-part
expect_rc 1 "to standard output too" sh -c 'ulimit -f 100; exec "$0" export --format csv >big2.csv' "$STEPMARK"
ok "says so" has err "standard output: write failed: File too large"

# a full device: written, not replaced, the error said
if [ "$(id -u)" = 0 ] && mknod full c 1 7 2>/dev/null; then
	expect_rc 1 "an export to a full device" sm export --format csv -o full
	ok "says no space" has err "full: write failed: No space left on device"
	ok "the device is still a device" test -c full
fi

# a killed export's part is taken over by the next one
printf 'junk from a killed export' >.out.csv.stepmark-part
expect_rc 0 "an export over a stale part" sm export --format csv -o out.csv
ok "the part is gone" test ! -e .out.csv.stepmark-part
ok "the output is whole" test "$(head -c 7 out.csv)" = "dataset"

# another export writing the same file: refused, not mixed
python3 -c '
import fcntl, os, sys, time
fd = os.open(".out.csv.stepmark-part", os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
open("locked", "w").close()
time.sleep(3)' &
holder=$!
while [ ! -f locked ]; do sleep 0.02; done
expect_rc 1 "a second export to the same file" sm export --format csv -o out.csv
ok "says another export writes it" has err "out.csv: another export is writing it now"
ok "the first output is untouched" test "$(head -c 7 out.csv)" = "dataset"
wait $holder

# import: what is wrong with what it is given, by the names the user gave
printf '[]\n' >empty.json
expect_rc 1 "an empty array" sm import empty.json
ok "says no records" has err "empty.json: no records (an empty JSON array); nothing imported"
ok "no (null) in the message" sh -c '! grep -q "(null)" err'
mkdir adir
expect_rc 1 "a directory" sm import adir
ok "says it holds no records" has err "adir: a directory with no *.json file; nothing imported"
expect_rc 3 "a store in a missing directory" sm --db "$TMP/nodir/x.db" import big.jsonl --problem problem --steps steps
ok "names the store, not a private file" has err "nodir/x.db: cannot create the store"
ok "no private name" sh -c '! grep -q "import-" err'
finish
