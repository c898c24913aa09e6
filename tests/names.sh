#!/bin/sh
# Annotators' and sources' names (issue 29): checked where they enter
# (--annotator, import's --as, --as-source and a record's labeler,
# assign --annotators), and shown inert by every command that prints
# one, even a name an older store already holds: a right-to-left
# override (U+202E) never reaches the terminal raw.
. "$top_srcdir/tests/lib.sh"
FIX="$top_srcdir/tests/fixtures"
RLO=$(printf '\342\200\256')
expect_rc 0 "a store" sm import "$FIX/processbench_gsm8k_20.json" --as processbench --dataset gsm8k --as alice

# where a name enters
expect_rc 2 "--annotator with U+202E" sm --annotator "bob${RLO}yrrol" stats
ok "refused, the override shown as text" has err '--annotator "bob\u202eyrrol" holds an invisible or bidi format character'
ok "nothing raw on the terminal" sh -c "! grep -q '$RLO' err"
expect_rc 2 "--as with a control character" sm import "$FIX/processbench_gsm8k_20.json" --as processbench --as "$(printf 'eve\033[2Jx')"
ok "refused" has err '--as "eve\x1b[2Jx" holds a control character'
expect_rc 2 "--as-source with U+202E" sm import "$FIX/processbench_gsm8k_20.json" --as processbench --as-source "m${RLO}x"
expect_rc 2 "assign --annotators with U+202E" sm assign --annotators "alice,bob${RLO}x"
ok "refused" has err 'assign: --annotators: "bob\u202ex" holds'
ok "nothing dealt" test "$(sql 'SELECT count(*) FROM assignment')" = 0
python3 - "$FIX/prm800k_sample.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
r["labeler"] = "bob\u202emallory"
open("evil.jsonl", "w").write(json.dumps(r) + "\n")
PY
expect_rc 1 "a labeler with U+202E" sm import evil.jsonl --format prm800k
ok "a bad record, file and line" has err 'evil.jsonl:1: the annotator "bob\u202emallory" holds an invisible or bidi format character'
ok "not stored" test "$(sql "SELECT count(*) FROM label WHERE annotator LIKE 'bob%'")" = 0

# a name a store already holds (an older stepmark let it in, in a store
# whose stats' counts are not kept yet): inert
sql "UPDATE label SET annotator = 'eve' || char(8238) || 'yrrol' WHERE annotator = 'alice';
	UPDATE summary SET counts = NULL; DELETE FROM store_state WHERE key = 'counts'"
expect_rc 0 "stats" sm stats
ok "stats shows it inert" has out 'labels by eve\u202eyrrol'
expect_rc 0 "audit" sm audit --truth "eve${RLO}yrrol"
ok "audit shows it inert" has out 'truth: eve\u202eyrrol'
expect_rc 0 "consensus" sm consensus --policy "human-majority 1" --list
for f in out err; do
	ok "no raw U+202E anywhere ($f)" sh -c "! grep -q '$RLO' $f"
done
# consensus counted the store for stats: the name is inert that way too
ok "the counts are kept" test "$(sql "SELECT value FROM store_state WHERE key = 'counts'")" = complete
expect_rc 0 "stats from the counts" sm stats
ok "shows it inert" has out 'labels by eve\u202eyrrol'
ok "no raw U+202E in it" sh -c "! grep -q '$RLO' out"
finish
