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
# CSV injection (issue 29): a cell a spreadsheet would run as a formula
# gets a quote before it, as OWASP advises; --csv-raw keeps every byte
python3 - <<'PY'
import json
steps = ["=HYPERLINK(\"http://evil/\", \"x\")", "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd", "a = b"]
open("formula.jsonl", "w").write(json.dumps({"id": "=1+1", "problem": "p", "steps": steps, "fe": 1}) + "\n")
PY
sm import formula.jsonl --problem problem --steps steps --id id --first-error fe --dataset "@ds" --as "=cmd" >/dev/null
expect_rc 0 "export csv of formulas" sm export --format csv --dataset @ds -o f.csv
ok "each formula cell neutralised, the rest as it was" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
assert head[6] == "label:=cmd", head        # starts with "l": safe as it is
want = ["\x27=HYPERLINK(\"http://evil/\", \"x\")", "\x27+1+2", "\x27-3+4", "\x27@SUM(A1)", "\x27\tcmd", "\x27\rcmd", "a = b"]
assert [b[3] for b in body] == want, [b[3] for b in body]
assert {b[0] for b in body} == {"\x27@ds"} and {b[1] for b in body} == {"\x27=1+1"}, body[0]
assert body[1][6] == "-1" and body[0][6] == "1", body[:2]   # numbers stay numbers
' f.csv
ok "quoted" grep -q "^\"'@ds\",\"'=1+1\",0,\"'=HYPERLINK" f.csv
expect_rc 0 "--csv-raw" sm export --format csv --csv-raw --dataset @ds -o raw.csv
ok "every byte as it is" python3 -c '
import csv, sys
body = list(csv.reader(open(sys.argv[1], newline="")))[1:]
assert [b[3] for b in body][:4] == ["=HYPERLINK(\"http://evil/\", \"x\")", "+1+2", "-3+4", "@SUM(A1)"], body
assert body[0][0] == "@ds" and body[0][1] == "=1+1", body[0]
' raw.csv
expect_rc 2 "--csv-raw for another format" sm export --format trl --csv-raw
ok "says it is for csv" has err "--csv-raw is for --format csv"
sm import formula.jsonl --problem problem --steps steps --id id --first-error fe --dataset "@ds" --as-source "+src" >/dev/null
expect_rc 0 "audit --csv" sm audit --truth "=cmd" --csv
ok "audit's name cells neutralised" grep -q "^source,\"'@ds\",\"'+src\"," out
expect_rc 0 "audit --csv-raw" sm audit --truth "=cmd" --csv-raw
ok "exact" grep -q "^source,@ds,+src," out
expect_rc 2 "export to a bad format" sm export --format xml
expect_rc 1 "export into a missing directory" sm export --format csv -o /nonexistent/x.csv
ok "no partial file left" test ! -e /nonexistent/x.csv
finish
