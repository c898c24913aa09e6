#!/bin/sh
# stepmark stats: what it counts per annotator (the solutions each one's
# labels decide, the steps they rate, the adjudications) is kept with the
# summaries as labels change, by imports, the workbench (undo too),
# adjudication and merge, and says what a walk of every label says; an
# older store is walked until the next command that writes counts it once.
. "$top_srcdir/tests/lib.sh"

# same_as_walk WHAT: stats says what it says with the sums forgotten (a
# copy whose store_state lacks 'counts': stats walks every label there)
same_as_walk() {
	sm stats >kept.out 2>kept.err
	rm -f w.db
	sql "VACUUM INTO 'w.db'"
	sqlite3 w.db "DELETE FROM store_state WHERE key = 'counts'"
	sm --db w.db stats >walk.out
	ok "$1: as the walk counts" cmp kept.out walk.out
	if ! cmp -s kept.out walk.out; then
		diff walk.out kept.out | sed 's/^/  /' | head -10
	fi
}

sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
same_as_walk "two imports"
ok "counted per annotator" has kept.out "labels by processbench_gsm8k_20: 20 solutions"
ok "kept: the sums are there" test "$(sql "SELECT count(*) FROM tally WHERE kind = 'decided'")" -gt 1

# the workbench: a solution rated, marked, a rating undone, one redone;
# then labels on one of another data set
tui_run ':open 1
+
+
-
U
U
<C-r>
q' --annotator zoe
same_as_walk "the workbench, with undo and redo"
ok "zoe counted" has kept.out "labels by zoe: 1 solution, "
tui_run ':open 30
e
c
q' --annotator zoe
same_as_walk "a first error, then no error"

# an adjudication, and a second one by the same adjudicator
id=$(sql "SELECT ext_key FROM solution WHERE dataset_id = (SELECT id FROM dataset WHERE name = 'processbench_gsm8k_20') ORDER BY id LIMIT 1")
sm --annotator boss adjudicate --id "$id" --no-error --reason "fine" >/dev/null
sm --annotator boss adjudicate --id "$id" --first-error 1 --reason "step 1" >/dev/null
same_as_walk "two adjudications"
ok "boss adjudicated one" has kept.out "labels by boss: 0 solutions, 0 steps rated, 1 adjudicated"

# a merge of another store's labels
sql "VACUUM INTO 'b.db'"
STEPMARK_DB=b.db tui_run ':open 2
-
q' --annotator yan
sm merge b.db >/dev/null
same_as_walk "a merge"
ok "yan's label came" has kept.out "labels by yan: 1 solution"

# an older store (schema 20, before the counts; 20, not the current
# version less one: a migration appended later would not undo the
# counts'): walked, until a command that writes counts it once
sql "VACUUM INTO 'old.db'"
sqlite3 old.db "$(undo_25) $(undo_params) $(undo_words) $(undo_counts) PRAGMA user_version = 20"
cp old.db old2.db
sm stats >now.out
expect_rc 0 "an import upgrades it" sm --db old.db import "$FIXTURES/processbench_gsm8k_20.json"
ok "upgraded" test "$(sqlite3 old.db 'PRAGMA user_version')" = "$(sql 'PRAGMA user_version')"
ok "not counted yet" test -z "$(sqlite3 old.db "SELECT value FROM store_state WHERE key = 'counts'")"
expect_rc 0 "stats on it walks" sm --db old.db stats
ok "the same" cmp out now.out
P="adjudicated, human-majority 2"
expect_rc 0 "consensus writes" sm --db old.db consensus --policy "$P"
ok "says it counts, once" has err "counting the labels per annotator for stepmark stats (once)..."
ok "counted" test "$(sqlite3 old.db "SELECT value FROM store_state WHERE key = 'counts'")" = complete
expect_rc 0 "stats reads the sums" sm --db old.db stats
ok "the same again" cmp out now.out
expect_rc 0 "consensus again" sm --db old.db consensus --policy "$P"
ok "counts nothing again" sh -c '! grep -q counting err'
# the workbench's first opening after the upgrade counts it too
tui_run q --db old2.db 2>err
ok "the workbench counted it" test "$(sqlite3 old2.db "SELECT value FROM store_state WHERE key = 'counts'")" = complete
expect_rc 0 "stats on it" sm --db old2.db stats
ok "the same as ever" cmp out now.out
finish
