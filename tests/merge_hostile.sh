#!/bin/sh
# stepmark merge distrusts the other store: a stale write-ahead log beside
# it is neither replayed nor read, a view named label (which would run our
# regexp()), a recursive view (which hung merge holding the write lock), a
# trigger, a table of other columns are refused before anything is read;
# rows out of range, of the wrong type or too large are said by row and
# left out, the rest merged; neither store is changed by a refusal.
. "$top_srcdir/tests/lib.sh"
F="$FIXTURES/processbench_gsm8k_20.json"
sm --db base.db import "$F" --dataset pb >/dev/null
cp base.db a.db
cp base.db b.db
sm --db b.db import "$F" --format processbench --dataset pb --as ann2 >/dev/null
labels() { sqlite3 a.db "SELECT count(*) FROM label"; }
before=$(labels)

# a write-ahead log beside it, from another store
cp base.db x.db
python3 - <<'PY'
import sqlite3, shutil
c = sqlite3.connect("x.db", isolation_level=None)
c.execute("PRAGMA journal_mode = WAL")
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("UPDATE step SET text = 'from another store'")
c.execute("DELETE FROM solution WHERE id > 3")
shutil.copy("x.db-wal", "b.db-wal")
c.close()
PY
sum_b=$(md5sum b.db b.db-wal)
expect_rc 1 "a log beside it" sm --db a.db merge b.db
ok "says so" has err "a log of writes not yet in it lies beside it (b.db-wal)"
ok "nothing merged" test "$(labels)" = "$before"
ok "neither the store nor the log changed" test "$(md5sum b.db b.db-wal)" = "$sum_b"
rm -f b.db-wal b.db-shm

refused() { # refused WHAT FILE: merge refuses it, unchanged, nothing merged
	local s
	s=$(md5sum "$2")
	expect_rc 1 "$1" timeout -s KILL 20 "$STEPMARK" --db a.db merge "$2"
	ok "$1: said" has err "its schema is not a stepmark store's"
	ok "$1: nothing merged" test "$(labels)" = "$before"
	ok "$1: left as it was" test "$(md5sum "$2")" = "$s"
}
# a view named label, which would run stepmark's regexp() as it is read
cp b.db v.db
sqlite3 v.db "ALTER TABLE label RENAME TO label_t;
	CREATE VIEW label AS SELECT * FROM label_t WHERE regexp('x', 'x')"
refused "a view named label" v.db
# a view that never ends
cp b.db r.db
sqlite3 r.db "ALTER TABLE label RENAME TO label_t;
	CREATE VIEW label AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
	SELECT l.* FROM label_t l, n"
refused "a recursive view" r.db
# a trigger of its own
cp b.db t.db
sqlite3 t.db "CREATE TRIGGER t AFTER INSERT ON label BEGIN DELETE FROM label; END"
refused "a trigger" t.db
# a column that is not a store's (computed as it is read)
cp b.db g.db
sqlite3 g.db "ALTER TABLE suggestion ADD COLUMN x INTEGER AS (length(rationale)) VIRTUAL"
refused "a generated column" g.db

# rows out of range, of the wrong type, too large: said by row, left out
cp b.db o.db
sqlite3 o.db "
	INSERT INTO label(id, solution_id, step_idx, kind, value, annotator, origin, created_at)
	VALUES (9001, 1, 99999, 'rating', 1, 'eve', 'tui', '2030-01-01T00:00:00Z'),
	       (9002, 1, -5, 'rating', 1, 'eve', 'tui', '2030-01-01T00:00:01Z'),
	       (9003, 1, 'abc', 'rating', 1, 'eve', 'tui', '2030-01-01T00:00:02Z'),
	       (9004, 1, NULL, 'first_error', 4e9, 'eve', 'tui', '2030-01-01T00:00:03Z'),
	       (9005, 1, 0, 'rating', 1e300, 'eve', 'tui', '2030-01-01T00:00:04Z'),
	       (9006, 1, 0, 'rating', 1, 'eve', 'tui', '2030-01-01T00:00:05Z'),
	       (9010, 1, 1, 'rating', 1, CAST('eve' || char(0) || 'il' AS TEXT), 'tui', '2030-01-01T00:00:07Z'),
	       (9011, 1, 1, 'rating', 1, 'mallory' || char(8238) || 'eve', 'tui', '2030-01-01T00:00:08Z');
	INSERT INTO label(id, solution_id, kind, text, annotator, origin, created_at)
	VALUES (9007, 1, 'note', zeroblob(0) || printf('%.*c', 200000, 'x'), 'eve', 'tui',
		'2030-01-01T00:00:06Z');
	INSERT INTO suggestion(id, solution_id, step_idx, source, value, created_at)
	VALUES (9008, 1, 0, 'prm', 1e300, '2030-01-01T00:00:00Z'),
	       (9009, 1, 0, 'prm', 0.5, '2030-01-01T00:00:00Z');"
expect_rc 1 "a store with bad rows" sm --db a.db merge o.db
ok "a step out of range" has err "label 9001: its step 99999 is outside"
ok "a negative step" has err "label 9002: its step -5 is outside"
ok "a step that is text" has err "label 9003: its step is text, not an integer"
ok "a first error of 4e9" has err "label 9004: its value 4000000000 is outside"
ok "a rating of 1e300" has err "label 9005: its value is a real number, not an integer"
ok "a note of 200 KB" has err "label 9007: its text is 200000 bytes (at most 65536)"
ok "a suggestion's value of 1e300" has err "suggestion 9008: its value 1e+300 is outside"
ok "a name that would read as eve" has err "label 9010: its annotator"
ok "a name with a right-to-left override" grep -q 'label 9011: its annotator.*\\u202e' err
ok "said how many" has err "9 rows failed the checks and were left out"
ok "the good rows came" has out "1 label by eve"
ok "the good suggestion came" has out "  1 suggestion"
ok "none of the bad is stored" test "$(sqlite3 a.db "SELECT count(*) FROM label WHERE annotator = 'eve'")" = 1
ok "the good one is" test "$(sqlite3 a.db "SELECT step_idx, value FROM label WHERE annotator = 'eve'")" = "0|1"
ok "no value of 1e300" test "$(sqlite3 a.db "SELECT count(*) FROM suggestion WHERE value > 1")" = 0
finish
