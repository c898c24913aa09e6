#!/bin/sh
# export --format step-pairs: Step-DPO style pairs from PRM800K's rated
# alternatives, checked against a reader written here from PRM800K's
# description (every completion rated +1 against every one rated -1 at
# the same step, the prefix the steps taken before it, a human completion
# counting as good; the walk stops at a step taken that is wrong or
# unrated); and the agreed first error paired with an alternative.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
expect_rc 0 "step pairs" sm export --format step-pairs -o pairs.jsonl
ok "counted" has err "solutions exported as step-pairs (104 pairs) to pairs.jsonl"
ok "those without a pair said" has err "gave nothing: no step has both a good and a wrong candidate"
ok "the pairs PRM800K's ratings give" python3 - "$FIXTURES/prm800k_sample.jsonl" <<'PY'
import json, sys
want = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    prefix = []
    for st in r["label"]["steps"]:
        cands = [(c["text"], c["rating"]) for c in st["completions"]]
        h = st.get("human_completion")
        if h:
            cands.append((h["text"], 1 if h.get("rating") is None else h["rating"]))
        want += [(r["question"]["problem"], "".join(p + "\n" for p in prefix), g[0], b[0])
                 for g in cands for b in cands if g[1] == 1 and b[1] == -1 and g[0] != b[0]]
        if st["chosen_completion"] is not None:
            nxt, rt = st["completions"][st["chosen_completion"]]["text"], st["completions"][st["chosen_completion"]]["rating"]
        elif h:
            nxt, rt = h["text"], 1
        else:
            break
        if rt is None or rt == -1:
            break
        prefix.append(nxt)
got = [json.loads(l) for l in open("pairs.jsonl")]
assert sorted(want) == sorted((x["prompt"], x["initial_reason_steps"], x["chosen"], x["rejected"]) for x in got)
for x in got:
    assert x["chosen_source"] and x["rejected_source"], x
PY

# ProcessBench has no alternatives: nothing to pair, said
sm --db pb.db import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
expect_rc 0 "no alternatives" sm --db pb.db export --format step-pairs
ok "no pair" test ! -s out
ok "20 solutions gave nothing" has err "20 solutions gave nothing"

# the agreed first error: an adjudicator moves the Senate solution's error
# to step 7's first alternative; the pairs follow the agreed label
id=$(sql "SELECT s.ext_key FROM solution s JOIN problem p ON p.id = s.problem_id WHERE p.text LIKE 'A Senate%'")
sm --annotator boss adjudicate --id "$id" --first-error 7 --reason "step 7 double counts" >/dev/null
sm consensus --policy adjudicated >/dev/null
expect_rc 0 "agreed pairs" sm export --format step-pairs --agreed -o agreed.jsonl
ok "the adjudicated solution's pairs, with who decided" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("agreed.jsonl")]
assert rows and all(r["agreement"]["rule"] == "adjudicated" for r in rows), rows[:1]
assert all(r["step"] == 6 for r in rows)
assert all(r["rejected_source"].startswith("step 7, the agreed label") or r["rejected_source"].startswith("alternative") for r in rows)
assert any(r["rejected_source"].startswith("step 7, the agreed label") for r in rows)
PY
# the adjudicator is not the PRM800K record's labeler
sm export --format prm800k -o p8.jsonl 2>/dev/null
ok "PRM800K's labeler stays the rater" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("p8.jsonl")]
assert rows and not any(r["labeler"] == "boss" for r in rows), [r["labeler"] for r in rows]
PY
finish
