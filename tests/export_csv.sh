# export_csv.sh - one row per step, every label and suggestion beside it
. "$top_srcdir/tests/lib.sh"

sm import "$FIXTURES/processbench_gsm8k_20.json" --as processbench --dataset pb >/dev/null
sm import "$FIXTURES/math_shepherd_example.json" >/dev/null
sid=$(sql "select s.id from solution s where s.ext_key='gsm8k-200'")
sql "insert into label(solution_id, step_idx, kind, value, annotator, origin, created_at) values ($sid, 0, 'rating', 0, 'bob, \"the\" reviewer', 'tui', '2026-01-01T00:00:00Z')"
sql "insert into suggestion(solution_id, step_idx, source, model, k, n, created_at) values ($sid, 0, 'mc', 'policy', 3, 8, '2026-01-01T00:00:00Z')"

expect_rc 0 "export csv" sm export --format csv -o all.csv
ok "parses as CSV with one row per step" python3 -c '
import csv, sys, sqlite3
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
db = sqlite3.connect(sys.argv[2])
assert len(body) == db.execute("select count(*) from step").fetchone()[0], len(body)
assert head[:6] == ["dataset", "solution", "step", "text", "first_error", "rating"], head
assert "label:processbench" in head and "label:bob, \"the\" reviewer" in head, head
assert "suggestion:mc/policy" in head and "suggestion:mc/math-shepherd" in head, head
r = {h: v for h, v in zip(head, next(b for b in body if b[1] == "gsm8k-200" and b[2] == "0"))}
assert r["label:bob, \"the\" reviewer"] == "0", r
assert r["suggestion:mc/policy"] == "3/8", r
assert r["rating"] == "0", r          # the newest label in force
texts = {b[3] for b in body}
assert any("\n" in t or "," in t for t in texts)
' all.csv "$STEPMARK_DB"
expect_rc 0 "export csv of one annotator" sm export --format csv --annotator processbench -o one.csv
ok "only that annotator's column" python3 -c '
import csv, sys
head = next(csv.reader(open(sys.argv[1], newline="")))
assert [h for h in head if h.startswith("label:")] == ["label:processbench"], head
' one.csv
expect_rc 2 "export to a bad format" sm export --format xml
expect_rc 1 "export into a missing directory" sm export --format csv -o /nonexistent/x.csv
ok "no partial file left" test ! -e /nonexistent/x.csv
finish
