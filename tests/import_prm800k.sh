# import_prm800k.sh - PRM800K: trajectories, alternatives, labelers, TRL
. "$top_srcdir/tests/lib.sh"
P8="$FIXTURES/prm800k_sample.jsonl"

expect_rc 0 "import detects prm800k" sm import "$P8"
ok "summary" has out '12 solutions (117 steps) imported as prm800k into data set "prm800k"'
ok "labels keep the record's labeler" \
	test "$(sql "select count(distinct annotator) from label")" = 11
ok "labels keep the record's time" \
	test "$(sql "select count(*) from label where created_at like '2022-%' or created_at like '2023-%'")" = "$(sql 'select count(*) from label')"
ok "finish reasons" test "$(sql "select group_concat(finish_reason || ':' || n) from (select finish_reason, count(*) n from solution group by 1 order by 1)")" = "found_error:9,give_up:1,solution:2"
ok "verifier scores as prm suggestions" \
	test "$(sql "select count(*) from suggestion where source='prm' and model='prm800k-verifier' and step_idx is null")" = 9
ok "gold answer and reference kept" \
	test "$(sql "select count(*) from problem where gold_answer is not null and reference is not null")" -ge 1
# the labeler's ratings: one mark per step; found_error ends on its -1
ok "one ratings label per record" test "$(sql "select count(*) from label where kind='ratings'")" = 12
ok "found_error ends on its first error" test "$(sql "
select count(*) from solution s join label l on l.solution_id = s.id and l.kind = 'ratings'
 where s.finish_reason = 'found_error' and substr(l.text, -1) = '-' and length(l.text) =
 (select count(*) from step t where t.solution_id = s.id)")" = 9
# the trajectory takes the human completion where none was chosen
ok "human completions in the trajectory" test "$(sql "
select count(*) from step where alts is not null and json_extract(alts, '\$[' || chosen || '].human') = 1")" -ge 5
ok "null ratings are no labels" test "$(sql "select count(*) from label where kind='ratings' and text like '%.%'")" -ge 1
ok "alternatives kept" test "$(sql "select sum(json_array_length(alts)) from step")" -ge 40

expect_rc 0 "export prm800k" sm export --format prm800k -o back.jsonl
ok "records come back unchanged" python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert a == b, [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
' "$P8" back.jsonl

# TRL by the public conversion, computed independently (tests/prm800k_trl.py,
# written from the description in FORMATS.md), row for row
expect_rc 0 "export trl" sm export --format trl -o train.jsonl
python3 "$top_srcdir/tests/prm800k_trl.py" "$P8" >want.jsonl
ok "trl rows equal the public PRM800K conversion" python3 -c '
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
bad = [i for i, (w, g) in enumerate(zip(want, got)) if w != g]
assert len(got) == len(want) and not bad, (len(got), len(want), bad[:5])
' want.jsonl train.jsonl
ok "human completions are labelled true" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
human = sum(1 for r in recs for s in r["label"]["steps"]
            if s["chosen_completion"] is None and s["human_completion"] is not None)
assert human >= 5, human
' "$P8"
if [ -f "$SHARED_DATA/prm800k/sample.jsonl" ]; then
	sm --db shared.db import "$SHARED_DATA/prm800k/sample.jsonl" >/dev/null 2>&1
	sm --db shared.db export --format trl -o shared.jsonl 2>/dev/null
	python3 "$top_srcdir/tests/prm800k_trl.py" "$SHARED_DATA/prm800k/sample.jsonl" >shared.want
	ok "the shared records convert the same" python3 -c '
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
assert want == got and len(want) > 12, len(got)
' shared.want shared.jsonl
fi

# a relabel by a person shows in the export
sid=$(sql "select id from solution where finish_reason='solution' limit 1")
sql "insert into label(solution_id, step_idx, kind, value, annotator, origin, created_at) values ($sid, 0, 'rating', -1, 'alice', 'tui', '2026-01-01T00:00:00Z')"
expect_rc 0 "export after a relabel" sm export --format trl -o relabelled.jsonl
ok "the newest label wins" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert any(r["labels"][0] is False and len(r["labels"]) > 3 for r in rows)
' relabelled.jsonl
finish
