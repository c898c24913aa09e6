#!/bin/sh
# Everything PRM800K holds, on screen: z shows each step's alternatives
# (the completions not chosen) with the data's ratings, human-written and
# flagged marks; j reaches them, +, 0, - rate them (and move on), ! flags a
# step the annotator cannot judge; undo takes either back; the PRM800K
# export carries the annotator's ratings of the alternatives and the flag.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
printf 'set advance = yes\n' >"$XDG_CONFIG_HOME/stepmark/config"

# solution 11, step 2: a human-written step with five alternatives
TUI_SIZE=80x24 tui_run ':open 11
:save-display a0.txt
z
:save-display a1.txt
j
j
-
:save-display a2.txt
+
!
:save-display a3.txt
U
:save-display a4.txt' --annotator ann
has a0.txt "   2   unlabelled | human-written | 5 alternatives (z)"
has a1.txt "alternatives shown: j and k reach them, +, 0, - and x rate them"
has a1.txt "     ↳ alt 1 data  0 | me unrated"
has a1.txt "           Of course, who doesn't?"
has a2.txt "saved: alternative 1 of step 2 rated -1"
has a2.txt "     ↳ alt 1 data  0 | me -1"
has a2.txt ">    ↳ alt 2 data  0 | me unrated"
has a3.txt "human-written | FLAG: can't judge"
has a3.txt "saved: step 2 flagged: can't judge it"
ok "the step ratings stay untouched" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'ann' AND kind IN ('rating', 'first_error')")" = 0
ok "two alternatives rated" test "$(sql "SELECT group_concat(text || ':' || value) FROM (SELECT text, value FROM label WHERE annotator = 'ann' AND kind = 'alt_rating' ORDER BY id)")" = "0:-1,1:1"
has a4.txt "saved: undo flag step 2"
ok "undo took the flag back" test "$(sql "SELECT value FROM label WHERE annotator = 'ann' AND kind = 'flag' ORDER BY id DESC LIMIT 1")" = ""

# e on an alternative is refused, and says what to do
TUI_SIZE=80x24 tui_run ':open 11
z
j
j
e
:save-display a5.txt
!
:save-display a6.txt' --annotator ann
has a5.txt "the cursor is on an alternative: +, 0, - and x rate it"
ok "no first error came of it" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'ann' AND kind = 'first_error'")" = 0

# the export: the annotator's ratings of the alternatives, and the flag
sm export --format prm800k --annotator ann --incomplete -o ann.jsonl
ok "the export carries the alternatives' ratings and the flag" python3 - ann.jsonl <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
r = [x for x in recs if x["question"]["problem"].startswith("Steve says")][0]
st = r["label"]["steps"][1]
ratings = [c["rating"] for c in st["completions"]]
assert ratings[:2] == [-1, 1], ratings
assert st["human_completion"]["flagged"] is True, st["human_completion"]
PY
# a found_error record's last step is its first completion, rated -1: it
# is the step itself, not an alternative to it (solution 1, step 7)
TUI_SIZE=80x24 tui_run ':open 1
G
:save-display f0.txt
z
:save-display f1.txt
jjj
:save-display f2.txt
z
:save-display f3.txt' --annotator ann
has f0.txt ">  7   unlabelled | L1:-1 | 3 alternatives (z)"
has f1.txt "3 alternatives shown"
ok "the step is not offered as its own alternative" sh -c '! grep -q "alt 1 data -1" f2.txt'
has f2.txt ">    ↳ alt 4 data +1"
# hidden again: the steps fill the screen, the cursor's step on its row
has f3.txt ">  7   unlabelled | L1:-1 | 3 alternatives (z)"
has f3.txt "   3   unlabelled | L1:+1"
ok "no blank rows below the steps" sh -c '! sed -n "/^>  7 /,/^ answer/p" f3.txt | grep -qx ""'
ok "the steps as before z" sh -c 'sed -n "6,20p" f0.txt >a; sed -n "6,20p" f3.txt >b; cmp -s a b'

finish
