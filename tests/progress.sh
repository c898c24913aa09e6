#!/bin/sh
# Every long command draws one progress line on a terminal (frames
# redrawn with \r, the last one kept with its totals), none when standard
# error is piped, plain lines with --progress-every, no summary with
# --quiet: import, export, audit, consensus, assign, merge, fetch, align,
# import-reference.
. "$top_srcdir/tests/lib.sh"
command -v script >/dev/null 2>&1 || { echo "no script(1)"; exit 77; }
python3 "$top_srcdir/tests/gen_big.py" --prm800k 4000 > big.jsonl
export STEPMARK_PROGRESS_MS=0 # a frame at each look at the clock: a small store

# tty CMD...: run under a pseudo-terminal, the output in tty.out; a wide
# one (script's has no size: the width is then $COLUMNS)
tty() { COLUMNS=${COLUMNS:-200} script -qfec "$*" /dev/null > tty.out 2>&1; }
# frames WHAT: at least two frames of WHAT, the last with its totals
frames() {
	n=$(tr '\r' '\n' < tty.out | grep -ac "^.\[K\[[#.]*\] $1")
	[ "$n" -ge 2 ] || { echo "  ($1: $n frames)"; cat -v tty.out | head -5; return 1; }
	tr '\r' '\n' < tty.out | grep -a "^.\[K\[[#.]*\] $1" | tail -1 | grep -aqE "$2"
}
S="$STEPMARK --db $TMP/store.db"

tty "$S import big.jsonl"
ok "import draws frames" frames "import big.jsonl" '4000 records, .* [0-9.]+ s$'
ok "import's summary after them" has tty.out "4000 solutions"
tty "$S export --format prm800k -o out.jsonl"
ok "export draws frames" frames "export to out.jsonl" '4000/4000 solutions, .* s$'
ANN=$(sqlite3 store.db "SELECT annotator FROM label GROUP BY annotator ORDER BY count(*) DESC LIMIT 1")
tty "$S audit --truth $ANN"
ok "audit draws frames" frames "audit" '4000/4000 solutions'
tty "$S consensus --policy adjudicated"
ok "consensus draws frames" frames "consensus" '4000/4000 solutions'
tty "$S assign --annotators x,y"
ok "assign draws frames" frames "assign" '4000/4000 solutions'
cp store.db other.db
tty "$S merge other.db"
ok "merge draws frames" frames "merge other.db" '4000/4000 solutions'
tty "$S fetch --calc"
ok "fetch draws frames" frames "" '4000/4000 done'
tty "$S align"
ok "align draws frames" frames "" 'done'
# a frame fits the terminal's width (a longer one would wrap, and \r
# would redraw only its last row): the bar shrinks, then the name
COLUMNS=60
tty "$S export --format prm800k -o out-narrow.jsonl"
unset COLUMNS
ok "frames at 60 columns fit in 59" sh -c \
	'tr "\r" "\n" <tty.out | grep -a "^.\[K" | sed "s/^.\[K//" | awk "length > 59 { bad = 1 } END { exit bad }"'
ok "and still say the counts" sh -c 'tr "\r" "\n" <tty.out | grep -aq "4000/4000 solutions"'
# import-reference: its two passes, by the file's bytes
sqlite3 store.db "SELECT json_object('problem', p.text, 'answer', 'Step one.\nStep two.') FROM problem p" >refs.jsonl
tty "$S import-reference refs.jsonl --problem problem --reference answer"
ok "import-reference draws frames" frames "import-reference refs.jsonl (pass 1/2: checking)" 'records, .* s$'
ok "and for its second pass" frames "import-reference refs.jsonl (pass 2/2: matching)" 'records, .* s$'
ok "its summary after them" has tty.out "given a reference"

# piped: no frame, the summaries as before; --quiet: no summary
for c in "import --dataset again big.jsonl" "export --format prm800k -o out2.jsonl" \
	 "audit --truth $ANN" "consensus --policy adjudicated" "assign --annotators z" \
	 "merge other.db" "import-reference refs.jsonl --problem problem --reference answer --replace"; do
	expect_rc 0 "$c piped" sm $c
	ok "$c piped: no frame" sh -c '! grep -q "\[K" err'
done
expect_rc 0 "import --quiet" sm import --quiet --dataset third big.jsonl
ok "import --quiet says nothing" sh -c '! [ -s out ] && ! [ -s err ]'
expect_rc 0 "export --quiet" sm export --quiet --format prm800k -o out3.jsonl
ok "export --quiet says nothing" sh -c '! [ -s out ] && ! [ -s err ]'
expect_rc 0 "consensus --quiet" sm consensus --quiet --policy adjudicated
ok "consensus --quiet says nothing" sh -c '! [ -s out ] && ! [ -s err ]'
expect_rc 0 "import-reference --quiet" sm import-reference --quiet refs.jsonl --problem problem --reference answer --replace
ok "import-reference --quiet says nothing" sh -c '! [ -s out ] && ! [ -s err ]'
# plain lines for logs
expect_rc 0 "import --progress-every 1" sm import --progress-every 1 --dataset fourth big.jsonl
ok "plain lines, no redraw" sh -c '! grep -q "\[K" err'
finish
