#!/bin/sh
# The audit view: the sources and annotators against the truth at 80 and
# 120 columns, and Enter on a row opening the queue on exactly the
# solutions behind a count (screens in tests/screens/, GENERATE=1
# rewrites them).
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" --dataset pb --as expert >/dev/null
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
rs = json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
with open("pred.jsonl", "w") as f, open("other.jsonl", "w") as g:
    for i, r in enumerate(rs):
        p = dict(r)
        # wrong on every third solution: no error where there is one, or
        # one step late
        p["prediction"] = r["label"] if i % 3 else (-1 if r["label"] >= 0 else 0)
        f.write(json.dumps(p) + "\n")
        o = dict(r)
        if i in (1, 5):
            o["label"] = -1 if r["label"] >= 0 else 0
        g.write(json.dumps(o) + "\n")
PY
sm import pred.jsonl --format processbench --dataset pb --as-source myprm >/dev/null
sm import other.jsonl --format processbench --dataset pb --as bob >/dev/null

TUI_SIZE=80x24 tui_run 'A
:save-display a80.txt
j
<Enter>
m
:save-display picked.txt
f
:save-display unpicked.txt' --annotator expert
same_screen audit-80 a80.txt
same_screen audit-picked picked.txt
ok "the pick is exactly the missed ones" test "$(grep -c '^[ !>] *[0-9]' picked.txt)" = "$(python3 -c '
import json
n = 0
for i, l in enumerate(open("pred.jsonl")):
    r = json.loads(l)
    n += r["label"] >= 0 and r["prediction"] == -1
print(n)')"
ok "f shows every solution again" test "$(grep -c '^[ !>] *[0-9]' unpicked.txt)" = 20

# picking takes no lock on the store: it works while another writer holds it
hold_lock 5
TUI_SIZE=80x24 tui_run 'A
j
<Enter>
m
:save-display held.txt' --annotator expert
ok "picked while another writer holds the store" test "$(grep -c '^[ !>] *[0-9]' held.txt)" = 4
ok "no error said" sh -c '! grep -q "cannot pick" held.txt'
wait $holder

TUI_SIZE=120x40 tui_run 'A
:save-display a120.txt
G
<Enter>
:save-display pair.txt' --annotator expert
same_screen audit-120 a120.txt
ok "a pair's disagreements" test "$(grep -c '^[ !>] *[0-9]' pair.txt)" = 2
ok "the queue says what it shows" grep -q "picked: bob and expert name different first errors (2)" pair.txt

# whose labels are the truth: a setting
TUI_SIZE=100x24 tui_run ':set truth bob
A
:save-display truth.txt' --annotator expert
ok "the truth setting" grep -q "truth: bob" truth.txt
ok "expert measured against bob" grep -q "@expert" truth.txt
TUI_SIZE=100x24 tui_run 'A
:save-display none.txt' --annotator carol
ok "no labels by the truth: said" grep -q 'no labels by "carol"' none.txt
ok "and how to choose another" grep -q ":set truth NAME" none.txt
# anchoring: carol decides blind (step 1 is the first error), sees myprm
# say "no error", and goes with it
export STEPMARK_SCRIPT_PACE=150 # keys 150 ms apart: active time to measure
TUI_SIZE=100x24 tui_run ':set blind yes
<Enter>
e
c
:quit' --annotator carol
unset STEPMARK_SCRIPT_PACE
expect_rc 0 "the audit after" sm audit --truth expert --json
ok "decided blind, changed, toward the source" python3 -c '
import json
rows = [json.loads(l) for l in open("out")]
c = [r for r in rows if r["kind"] == "annotator" and r["annotator"] == "carol" and r["dataset"] == "all"][0]
assert (c["blind"], c["changed"], c["toward_source"]) == (1, 1, 1), c
e = [r for r in rows if r["kind"] == "annotator" and r["annotator"] == "expert" and r["dataset"] == "all"][0]
assert (e["blind"], e["changed"]) == (0, 0), e
# the keys came 150 ms apart: e and c were saved after 0.3 s or more
assert c["timed"] == 1 and 0.25 <= c["active_median_s"] < 30, c
assert e["timed"] == 0 and e["active_median_s"] is None, e
'
expect_rc 0 "the table says it" sm audit --truth expert
ok "the anchoring columns" has out "changed   toward"
finish
