# import_malformed.sh - bad input: a clear error, and nothing half-stored
. "$top_srcdir/tests/lib.sh"
rec() { printf '{"id": "%s", "problem": "p", "steps": ["a", "b"], "label": %s}\n' "$1" "$2"; }
count() { sql "select count(*) from solution"; }

{ rec a 0; rec b -1; echo '{"id": "c", "problem": "p", "steps": ["a"], "label": '; rec d 1; } >broken.jsonl
expect_rc 1 "a broken line stores nothing" sm import broken.jsonl --format processbench
ok "file:line: reason" has err "broken.jsonl:3: incomplete JSON record"
ok "says nothing imported" has err "1 bad record; nothing imported"
ok "no store made by a failed first import" test ! -e "$STEPMARK_DB"
ok "no temporary file left" test -z "$(ls "$TMP" | grep import-)"

expect_rc 0 "--skip-bad keeps the rest" sm import broken.jsonl --format processbench --skip-bad
ok "lists the skipped line" has err "broken.jsonl:3:"
ok "three stored" test "$(count)" = 3
ok "summary counts the skipped" has out "1 bad record skipped"
expect_rc 0 "re-import with --skip-bad is a no-op" sm import broken.jsonl --format processbench --skip-bad
ok "no duplicates" test "$(count)" = 3
# into an existing store, a bad file stores nothing either
expect_rc 1 "a broken file into an existing store" sm import broken.jsonl --format processbench --dataset other
ok "existing store untouched" test "$(count)" = 3
ok "no import recorded" test "$(sql "select count(*) from import i join dataset d on d.id=i.dataset_id where d.name='other'")" = 0

{ rec e 0; rec f 7; rec g '"x"'; printf '{"id": "h", "problem": 5, "steps": ["a"], "label": 0}\n'; printf '[1, 2]\n'; } >types.jsonl
expect_rc 1 "wrong field types" sm import types.jsonl --format processbench
ok "label out of range" has err "types.jsonl:2: label 7 is outside the 2 steps (-1 .. 1)"
ok "label not an integer" has err 'types.jsonl:3: field "label" must be an integer, not string'
ok "problem not a string" has err 'types.jsonl:4: field "problem" must be a string, not number'
ok "record not an object" has err 'types.jsonl:5: the record is a array, not an object'

printf '{"id": "u", "problem": "bad \xff\xfe", "steps": ["a"], "label": 0}\n' >utf8.jsonl
expect_rc 1 "invalid UTF-8" sm import utf8.jsonl --format processbench
ok "says where" has err "utf8.jsonl:1: invalid JSON"

printf '\xef\xbb\xbf' >bom.jsonl; rec bom1 0 | sed 's/$/\r/' >>bom.jsonl; rec bom2 -1 | sed 's/$/\r/' >>bom.jsonl
expect_rc 0 "BOM and CRLF" sm import bom.jsonl --dataset bom
ok "both stored" test "$(sql "select count(*) from solution s join dataset d on d.id=s.dataset_id where d.name='bom'")" = 2
ok "no CR kept in text" test "$(sql "select count(*) from step where text like '%'||char(13)||'%'")" = 0

: >empty.jsonl
expect_rc 1 "empty file" sm import empty.jsonl
ok "says empty" has err "empty.jsonl: empty file, no records"
printf '\n\n  \n' >blank.jsonl
expect_rc 1 "blank file" sm import blank.jsonl
expect_rc 1 "missing file" sm import nosuch.jsonl
ok "says so" has err "nosuch.jsonl: No such file or directory"

# a 10 MB line: stored intact
python3 -c '
import json
print(json.dumps({"id": "big", "problem": "p", "steps": ["x" * (10 << 20), "y"], "label": -1}))' >huge.jsonl
expect_rc 0 "a 10 MB line" sm import huge.jsonl
ok "stored whole" test "$(sql "select length(text) from step t join solution s on s.id=t.solution_id where s.ext_key='big' and idx=0")" = 10485760

# unknown and ambiguous formats say what was considered
echo '{"foo": 1}' >unknown.jsonl
expect_rc 1 "unknown format" sm import unknown.jsonl
ok "lists every format" has err "prm800k: no \"question\" object"
ok "lists processbench" has err 'processbench: no "problem" field'
ok "lists trl" has err 'trl: no "prompt" field'
ok "says how to force" has err "Use --format NAME"
echo '{"problem": "p", "steps": ["a"], "label": 0, "prompt": "p", "completions": ["a"], "labels": [true]}' >amb.jsonl
expect_rc 1 "ambiguous format" sm import amb.jsonl
ok "names both" has err "ambiguous: the first record fits processbench trl"
expect_rc 0 "forced" sm import amb.jsonl --format trl
echo 'not json at all' >junk.txt
expect_rc 1 "not JSON" sm import junk.txt
ok "says not JSON" has err "junk.txt: not JSON or JSON Lines"

# a JSON array cut short: nothing stored, even with --skip-bad
python3 -c '
import json
print(json.dumps([{"id": "t%d" % i, "problem": "p", "steps": ["a"], "label": 0} for i in range(3)], indent=1)[:-30])' >cut.json
expect_rc 1 "a truncated array" sm import cut.json --skip-bad --dataset cut
ok "says it cannot go past" has err "cannot read past a syntax error inside a JSON array; nothing imported"
ok "nothing of it stored" test "$(sql "select count(*) from dataset where name='cut'")" = 0
ok "integrity" test "$(sql 'pragma integrity_check')" = ok

# escape sequences in data never reach the terminal raw
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
r["label"]["finish_reason"] = "\u001b]0;pwned\u0007\u001b[2J"
print(json.dumps(r))
r = json.loads(open(sys.argv[1]).readline())
r["labeler"] = "evil\u001b[31m"
print(json.dumps(r))' "$FIXTURES/prm800k_sample.jsonl" >esc.jsonl
expect_rc 1 "escape sequences in a bad record" sm import esc.jsonl --dataset esc
ok "shown inert" has err 'unknown finish_reason "\x1b]0;pwned\x07\x1b[2J"'
ok "no raw ESC on stderr" test "$(tr -cd '\033' <err | wc -c)" = 0
sed -n 2p esc.jsonl >esc2.jsonl
expect_rc 1 "an annotator with an escape is a bad record" sm import esc2.jsonl --dataset esc2
ok "named inert" has err 'esc2.jsonl:1: the annotator "evil\x1b[31m" holds a control character'
# one an older stepmark stored is still shown inert
sed 's/"labeler": "[^"]*"/"labeler": "evil"/' esc2.jsonl >esc3.jsonl
sm import esc3.jsonl --dataset esc2 >/dev/null
sql "UPDATE label SET annotator = 'evil' || char(27) || '[31m' WHERE annotator = 'evil';
	UPDATE summary SET counts = NULL; DELETE FROM store_state WHERE key = 'counts'"
expect_rc 0 "stats" sm stats
ok "stats shows it inert" has out 'labels by evil\x1b[31m'
ok "no raw ESC from the walk" test "$(tr -cd '\033' <out | wc -c)" = 0
# and once the store's counts are kept (a merge counts a store not yet counted)
sm --db empty.db --create import esc3.jsonl --dataset other >/dev/null 2>&1
sm merge empty.db >/dev/null 2>&1
ok "the counts are kept" test "$(sql "SELECT value FROM store_state WHERE key = 'counts'")" = complete
expect_rc 0 "stats from the counts" sm stats
ok "shows it inert too" has out 'labels by evil\x1b[31m'
ok "no raw ESC on stdout" test "$(tr -cd '\033' <out | wc -c)" = 0
# text the store must not lose or misread: each record refused, named by line
printf '%s\n' '{"problem": "Sue\u0000 lost 537 characters", "steps": ["a"], "label": 0}' \
	'{"problem": "p", "steps": ["a"], "label": 0, "label": -1}' \
	'{"problem": "sur\ud800x", "steps": ["a"], "label": 0}' \
	'{"problem": "pair \ud83d\ude00 and \\ud800 as text", "steps": ["a"], "label": 0}' >text.jsonl
printf '{"problem": "raw \355\240\200 surrogate", "steps": ["a"], "label": 0}\n{"problem": "over\300\257long", "steps": ["a"], "label": 0}\n' >>text.jsonl
expect_rc 1 "text that cannot be kept whole" sm import text.jsonl --problem problem --steps steps --first-error label --dataset text
ok "a NUL is refused, not cut" has err 'text.jsonl:1: a NUL character (\u0000) in a string'
ok "a key twice is refused" has err 'text.jsonl:2: the key "label" appears twice in one object'
ok "an unpaired surrogate escape is refused" has err 'text.jsonl:3: an unpaired surrogate escape (\ud800)'
ok "a pair and an escaped backslash are fine" sh -c '! grep -q "text.jsonl:4:" err'
ok "an encoded surrogate is refused" has err 'text.jsonl:5: invalid UTF-8 in a string'
ok "an overlong form is refused" has err 'text.jsonl:6: invalid UTF-8 in a string'
expect_rc 0 "--skip-bad keeps the good one" sm import text.jsonl --problem problem --steps steps --first-error label --dataset text --skip-bad
ok "whole, as written" test "$(sql "select text from problem where text like 'pair%'")" = "$(printf 'pair \360\237\230\200 and \\ud800 as text')"
# TRL soft labels outside what the format means
printf '%s\n' '{"prompt":"p","completions":["a"],"labels":[1e999]}' '{"prompt":"p","completions":["a"],"labels":[2]}' \
	'{"prompt":"p","completions":["a"],"labels":[-5]}' '{"prompt":"p","completions":["a"],"labels":[0.25]}' >soft.jsonl
expect_rc 1 "soft labels outside 0..1" sm import soft.jsonl --dataset soft
for n in 1 2 3; do
	ok "soft label line $n refused" has err "soft.jsonl:$n: labels[0] is"
done
ok "0.25 is fine" sh -c '! grep -q "soft.jsonl:4:" err'
# PRM800K candidates: each bad one named by its place
python3 -c '
import json, sys
def rec(change):
    r = json.loads(open(sys.argv[1]).readline())
    change(r["label"]["steps"])
    print(json.dumps(r))
rec(lambda s: s[1]["completions"][0].update(rating=5))
rec(lambda s: s[0]["completions"].__setitem__(0, 3))
rec(lambda s: s[0].update(human_completion={"rating": 1}))
rec(lambda s: s[2].update(human_completion={"text": "h", "rating": "x"}))' "$FIXTURES/prm800k_sample.jsonl" >cand.jsonl
expect_rc 1 "bad PRM800K candidates" sm import cand.jsonl --format prm800k --dataset cand
ok "a rating out of range" has err "cand.jsonl:1: label.steps[1].completions[0]: rating must be -1, 0, 1 or null"
ok "a candidate not an object" has err "cand.jsonl:2: label.steps[0].completions[0] must be an object, not number"
ok "a human completion without text" has err 'cand.jsonl:3: label.steps[0].human_completion has no "text" string'
ok "a human completion's rating" has err "cand.jsonl:4: label.steps[2].human_completion: rating must be -1, 0, 1 or null"
finish
