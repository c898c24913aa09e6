#!/bin/sh
# stepmark import-reference: reference solutions from a file of their own,
# matched by problem text or by a solution's id; a bad record stops
# everything (named by file and line) unless --skip-bad; a record that
# matches nothing, a second reference for one problem and a problem that
# has another reference are each said with their line; --replace takes the
# file's and removes the links to the old one; then align links to it.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" --as expert >/dev/null
python3 - "$FIXTURES/processbench_gsm8k_20.json" >refs.jsonl <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
# GSM8K style: the solution's own steps up to its first error, a line each
for r in recs[:4]:
    fe = r["label"] if r["label"] >= 0 else len(r["steps"])
    print(json.dumps({"question": "  " + r["problem"] + "\n", "answer": "\n".join(s.replace("\n", " ") for s in r["steps"][:fe]) + "\n#### 1"}))
print(json.dumps({"question": "What is 1+1?", "answer": "2"}))
print(json.dumps({"question": recs[0]["problem"], "answer": "Another one.\n#### 2"}))
PY
p1=$(sql "SELECT id FROM problem ORDER BY id LIMIT 1")

# a bad record: nothing stored, the record named
cp refs.jsonl bad.jsonl
printf '{"question": "Q", "answer": 5}\n{oops\n' >>bad.jsonl
expect_rc 1 "a bad record stops it" sm import-reference bad.jsonl --problem question --reference answer
ok "the wrong type is named" has err "bad.jsonl:7: no reference text in \"answer\""
ok "the broken line is named" has err "bad.jsonl:8: invalid JSON"
ok "nothing imported" has err "2 bad records; nothing imported (--skip-bad stores the rest)"
ok "no reference stored" test "$(sql "SELECT count(*) FROM problem WHERE reference IS NOT NULL")" = 0

expect_rc 0 "by problem text" sm import-reference refs.jsonl --problem question --reference answer
ok "four given" has out "refs.jsonl: 4 problems given a reference"
ok "the second one for a problem left out" has out "1 second reference for a problem left out"
ok "one matched nothing" has out "1 record matched no problem"
ok "which line matched nothing" has err "refs.jsonl:5: no problem with the text \"What is 1+1?\""
ok "which line was a second one" has err "refs.jsonl:6: problem $p1 got another reference from line 1; the first stands"
ok "the first one stands" test "$(sql "SELECT reference NOT LIKE 'Another%' FROM problem WHERE id = $p1")" = 1

# again: unchanged; another reference is kept without --replace
expect_rc 0 "again" sm import-reference refs.jsonl --problem question --reference answer
ok "unchanged" has out "0 problems given a reference, 4 unchanged (the same reference)"
key=$(sql "SELECT ext_key FROM solution WHERE problem_id = $p1 LIMIT 1")
printf '{"id": "%s", "ref": "A new reference.\\n#### 3"}\n' "$key" >byid.jsonl
expect_rc 0 "by id, another reference" sm import-reference byid.jsonl --id id --reference ref
ok "kept" has out "1 kept (another reference there; --replace takes this file's)"
ok "the line says so" has err "byid.jsonl:1: problem $p1 has another reference; kept"

# the aligner links to it; --replace removes the links to the old one
expect_rc 0 "align" sm align
ok "links to the reference" test "$(sql "SELECT count(*) FROM alignment a JOIN solution s ON s.id = a.solution_id WHERE s.problem_id = $p1 AND a.step_idx >= 0 AND a.ref_step >= 0")" -gt 0
ok "only the four problems are aligned" test "$(sql "SELECT count(DISTINCT s.problem_id) FROM alignment a JOIN solution s ON s.id = a.solution_id")" = 4
expect_rc 0 "by id with --replace" sm import-reference byid.jsonl --id id --reference ref --replace --dataset processbench_gsm8k_20
ok "replaced" has out "1 replaced (their links to the old one removed: stepmark align links them again)"
ok "the new one is stored" test "$(sql "SELECT reference FROM problem WHERE id = $p1")" = "A new reference.
#### 3"
ok "its old links are gone" test "$(sql "SELECT count(*) FROM alignment a JOIN solution s ON s.id = a.solution_id WHERE s.problem_id = $p1")" = 0
ok "the others' stay" test "$(sql "SELECT count(DISTINCT s.problem_id) FROM alignment a JOIN solution s ON s.id = a.solution_id")" = 3
expect_rc 0 "align again" sm align
ok "aligned to the new one" test "$(sql "SELECT count(*) FROM alignment a JOIN solution s ON s.id = a.solution_id WHERE s.problem_id = $p1")" -gt 0

# --split: the user's cut, kept with the reference and used by align and
# the pane; a cut that leaves nothing is a bad record
p2=$(sql "SELECT id FROM problem ORDER BY id LIMIT 1 OFFSET 1")
key2=$(sql "SELECT ext_key FROM solution WHERE problem_id = $p2 LIMIT 1")
printf '{"id": "%s", "ref": "First part; second part; third part"}\n' "$key2" >split.jsonl
expect_rc 0 "--split" sm import-reference split.jsonl --id id --reference ref --split ' *; *' --replace
ok "replaced, cut by the pattern" has out "1 replaced"
ok "the spans are kept" test "$(sql "SELECT reference_steps FROM problem WHERE id = $p2")" = "0:10,12:11,25:10"
expect_rc 0 "the same text, the same cut: unchanged" sm import-reference split.jsonl --id id --reference ref --split ' *; *'
ok "unchanged" has out "1 unchanged"
expect_rc 0 "align after --split" sm align
sol2=$(sql "SELECT id FROM solution WHERE problem_id = $p2 LIMIT 1")
ok "three reference steps, as cut" test "$(sql "SELECT count(DISTINCT ref_step) FROM alignment WHERE solution_id = $sol2 AND ref_step >= 0")" = 3
TUI_SIZE=100x30 tui_run ":open $sol2
:save-display p.txt" --annotator zoe
ok "the pane shows the user's steps, a line each" grep -q "^ First part  *skipped$" p.txt
ok "the second one on a line of its own" grep -q "^ second part  *skipped$" p.txt
printf '{"id": "%s", "ref": ";;;"}\n' "$key2" >empty.jsonl
expect_rc 1 "a cut with no step" sm import-reference empty.jsonl --id id --reference ref --split ';'
ok "is a bad record" has err "empty.jsonl:1: --split leaves no step of this reference"
expect_rc 2 "a bad pattern" sm import-reference split.jsonl --id id --reference ref --split '('
ok "names the PCRE2 error" has err "--split: missing closing parenthesis"

# nothing matched is an error; usage errors say what is needed
printf '{"question": "nope", "answer": "x"}\n' >none.jsonl
expect_rc 1 "nothing matched" sm import-reference none.jsonl --problem question --reference answer
ok "says nothing was imported" has err "none.jsonl: no record matched a problem in the store; nothing imported"
expect_rc 2 "--problem or --id" sm import-reference refs.jsonl --reference answer
ok "says which" has err "import-reference matches by --problem FIELD (the problem's text) or by --id FIELD (a solution's id), one of them"
expect_rc 1 "an unknown data set" sm import-reference refs.jsonl --problem question --reference answer --dataset nope
ok "names it" has err "no data set named \"nope\""
# gold answers: a GSM8K reference's #### line where a problem has none (or
# only one taken from a solution marked correct); --gold FIELD; another
# gold answer is kept unless --replace
cat >g.json <<'J'
[{"id": "g-1", "generator": "g", "problem": "What is 6*7?", "steps": ["6*7 = 42.", "So 42."], "final_answer_correct": false, "label": 0},
 {"id": "g-2", "generator": "g", "problem": "What is 5+5?", "steps": ["5+5 = 10.", "So 10."], "final_answer_correct": true, "label": -1}]
J
sm --db g.db import g.json --format processbench --dataset g >/dev/null
cat >gref.jsonl <<'J'
{"question": "What is 6*7?", "answer": "Six sevens: 6*7=<<6*7=42>>42.\n#### 42"}
{"question": "What is 5+5?", "answer": "Five and five: 5+5=<<5+5=10>>10.\n#### 10"}
J
expect_rc 0 "GSM8K references give gold answers" sm --db g.db import-reference gref.jsonl --problem question --reference answer
ok "said" has out "2 gold answers set"
ok "the #### answer, not derived" test "$(sqlite3 g.db "SELECT group_concat(gold_answer || ':' || gold_derived, ' ') FROM (SELECT * FROM problem ORDER BY text)")" = "10:0 42:0"
printf '%s\n' '{"question": "What is 6*7?", "answer": "It is 43.", "gold": 43}' >gold2.jsonl
expect_rc 0 "another gold from a field" sm --db g.db import-reference gold2.jsonl --problem question --reference answer --gold gold
ok "kept, said with its line" has err "gold2.jsonl:1: problem"
ok "and counted" has out "1 gold answer kept"
ok "still 42" test "$(sqlite3 g.db "SELECT gold_answer FROM problem WHERE text = 'What is 6*7?'")" = 42
expect_rc 0 "--replace takes it" sm --db g.db import-reference gold2.jsonl --problem question --reference answer --gold gold --replace
ok "now 43" test "$(sqlite3 g.db "SELECT gold_answer FROM problem WHERE text = 'What is 6*7?'")" = 43
# repeats of one reference (issue 29: 9 good records summed up as 5, no
# repeat listed): each listed with its line and counted, its gold answer
# not taken again
python3 - "$FIXTURES/processbench_gsm8k_20.json" >rep.jsonl <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
lines = [{"question": r["problem"], "answer": "Step one.\nStep two.\n#### %d" % i} for i, r in enumerate(recs[5:10])]
for l in [lines[0], lines[1], lines[0], lines[0], lines[2], lines[0], lines[3], lines[0], lines[4]]:
    print(json.dumps(l))
PY
expect_rc 0 "five repeats of one reference" sm --db rep.db import "$FIXTURES/processbench_gsm8k_20.json" --as expert
expect_rc 0 "five repeats of one reference" sm --db rep.db import-reference rep.jsonl --problem question --reference answer
ok "five given, four repeats counted" has out "rep.jsonl: 5 problems given a reference, 4 repeats of a reference an earlier line gave (counted once), 5 gold answers set (listed above)"
ok "each repeat listed with its line" test "$(grep -c 'got the same reference from line 1; counted once' err)" = 4
ok "lines 3, 4, 6 and 8" sh -c 'for n in 3 4 6 8; do grep -q "^rep.jsonl:$n: problem" err || exit 1; done'
ok "no gold answer said kept" sh -c '! grep -q "gold answer" err'
printf '%s\n' '{"question": "What is 6*7?", "answer": "It is 43."}' >nogold.jsonl
expect_rc 1 "--gold names a field a record lacks" sm --db g.db import-reference nogold.jsonl --problem question --reference answer --gold gold
ok "named with its line" has err 'nogold.jsonl:1: no gold answer in "gold"'
finish
