#!/bin/sh
# A store that cannot be written: stats and export work, the workbench
# opens it read-only and says so, browsing and search work, labelling keys
# say why nothing is saved, nothing is written behind curses' back, and
# the exit status says an action was not saved. Root can write any file,
# so as root the reader runs as nobody.
. "$top_srcdir/tests/lib.sh"

if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }
	as_reader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	chmod 755 "$TMP"
	# the build may sit where nobody can reach it: the reader runs a copy
	cp "$STEPMARK" "$TMP/stepmark-reader"
	chmod 755 "$TMP/stepmark-reader"
	STEPMARK=$TMP/stepmark-reader
else
	as_reader() { "$@"; }
fi

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
mkdir ro rw
chmod 777 rw
cp "$STEPMARK_DB" ro/store.db
chmod 444 ro/store.db
chmod 555 ro
labels=$(sqlite3 ro/store.db 'select count(*) from label')
sum=$(md5sum <ro/store.db)

as_reader "$STEPMARK" --db ro/store.db stats >rw/stats 2>rw/stats.err
ok "stats reads a read-only store in a read-only directory" has rw/stats "processbench_gsm8k_20"
as_reader "$STEPMARK" --db ro/store.db export --format processbench -o rw/pb.json 2>rw/export.err
ok "export too" test -s rw/pb.json

# the workbench, read-only
printf '%s\n' ':save-display rw/w0.txt' '<Enter>' ':save-display rw/w1.txt' '+' ':save-display rw/w2.txt' \
	'/flamingos' '<Enter>' ':save-display rw/w3.txt' 'e' 'c' 'q' >rw/keys
chmod 644 rw/keys
as_reader env STEPMARK_SCRIPT=rw/keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color \
	COLUMNS=100 LINES=24 HOME="$TMP/rw" XDG_CONFIG_HOME="$TMP/rw" \
	"$STEPMARK" --db ro/store.db --annotator alice >rw/tui.out 2>rw/tui.err
rc=$?
ok "the status line says read-only" has rw/w0.txt "read-only: labels cannot be saved"
ok "and keeps saying it" has rw/w1.txt "read-only"
ok "a labelling key says why nothing is saved" has rw/w2.txt "read-only: labels cannot be saved"
ok "nothing says saved" sh -c '! grep -q "saved:" rw/w2.txt rw/w3.txt'
ok "search works" has rw/w3.txt "flamingos"
ok "the exit status says actions were not saved" test "$rc" = 1
ok "stderr says it after the screen" has rw/tui.err "3 actions could not be saved: the store is read-only"
ok "nothing else reached the terminal" test "$(wc -l <rw/tui.err)" = 1
ok "the store is unchanged" test "$(md5sum <ro/store.db)" = "$sum"
ok "no label added" test "$(sqlite3 ro/store.db 'select count(*) from label')" = "$labels"

# commands that only read refuse a missing store and create nothing
expect_rc 3 "export from a mistyped --db" sm --db nosuch.db export --format trl -o x.jsonl
ok "says no such store" has err "nosuch.db: no such store"
ok "creates no store" test ! -e nosuch.db
ok "writes no file" test ! -e x.jsonl
expect_rc 2 "export of an unknown data set" sm export --format trl --dataset nosuch
ok "names it" has err 'no data set named "nosuch"'
chmod 755 ro
finish
