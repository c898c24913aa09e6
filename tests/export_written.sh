#!/bin/sh
# The exports of a step an annotator wrote (w, a correction), read back by
# readers written here from the published descriptions, not from
# stepmark's code: PRM800K (../shared/FORMATS.md: the step's
# human_completion {text, rating, source, flagged}, chosen_completion null
# when it is the step taken, the trajectory through it) and Step-DPO (rows
# of prompt, initial_reason_steps, chosen, rejected: the correction chosen
# against the step it corrects); with --agreed, only where the
# correction's author is among those who agreed.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
printf '#!/bin/sh\nprintf "%%s\\n" "$FIX" >"$1"\n' >fix.sh
chmod +x fix.sh
# solution 1 (a found_error record): ann marks its last step, 7, the first
# error, as the data's labeller L1 did, and writes the right one; bob
# writes another without deciding anything
FIX='There are 4! ways for the Democrats around their block.' VISUAL="$TMP/fix.sh" \
	tui_run ':open 1
G
e
w' --annotator ann
FIX='Bob wrote this one.' VISUAL="$TMP/fix.sh" tui_run ':open 1
G
w
:open 3
w' --annotator bob
ok "three corrections stored" test "$(sql "SELECT count(*) FROM label WHERE kind = 'correction'")" = 3

# PRM800K, ann's labels: the human completion is ann's, the step chosen
sm export --format prm800k --annotator ann -o ann.jsonl 2>/dev/null
cat >prm800k_reader.py <<'PY'
import json, sys
# the trajectory as FORMATS.md describes PRM800K: per step the human
# completion's text when chosen_completion is null and there is one, else
# completions[chosen].text; a step with neither ends it
def trajectory(rec):
    out = []
    for st in rec["label"]["steps"]:
        h, c = st["human_completion"], st["chosen_completion"]
        if c is None and h is not None:
            out.append(h["text"])
        elif c is not None:
            out.append(st["completions"][c]["text"])
        else:
            break
    return out
recs = [json.loads(l) for l in open(sys.argv[1])]
r = [x for x in recs if x["question"]["problem"].startswith("A Senate committee has 5 Democrats")][0]
last = r["label"]["steps"][-1]
want = sys.argv[2]
assert last["human_completion"] == {"text": want, "rating": 1, "source": "human",
                                    "flagged": False}, last["human_completion"]
assert last["chosen_completion"] is None, last["chosen_completion"]
assert trajectory(r)[-1] == want, trajectory(r)[-1]
assert len(trajectory(r)) == len(r["label"]["steps"]) == 7
# the step it corrects is still there, rated wrong
assert any(c["rating"] == -1 and c["text"].startswith("For the Democrats, there are 5! ways to order")
           for c in last["completions"]), last["completions"]
# no other record has a human completion of stepmark's making (with
# "only": the export holds no other correction)
others = [st["human_completion"]["text"] for x in recs if x is not r for st in x["label"]["steps"]
          if st["human_completion"] and st["human_completion"].get("rating") == 1]
assert not others or sys.argv[3:] != ["only"], others
PY
ok "PRM800K: ann's step is the human completion, chosen" python3 prm800k_reader.py ann.jsonl \
	'There are 4! ways for the Democrats around their block.' only

# Step-DPO, ann's labels: the correction chosen, the step it corrects rejected
sm export --format step-pairs --annotator ann -o pairs.jsonl 2>/dev/null
cat >stepdpo_reader.py <<'PY'
import json, sys
# Step-DPO's rows: prompt (the problem), initial_reason_steps (the steps
# before, each ended by a newline), chosen (the right next step),
# rejected (the wrong one)
store = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
want = sys.argv[3]
mine = [x for x in rows if x["chosen"] == want]
assert mine, "no pair chooses the written step"
pair = [x for x in mine if x["rejected"] == store["steps"][6]]
assert len(pair) == 1, mine
x = pair[0]
assert x["prompt"] == store["problem"], x["prompt"]
assert x["initial_reason_steps"] == "".join(s + "\n" for s in store["steps"][:6]), x
assert x["chosen_source"] == "step 7, written by " + sys.argv[4], x["chosen_source"]
# every row is a pair Step-DPO can train on
for x in rows:
    assert x["chosen"] != x["rejected"] and x["prompt"] and set(x) >= {"prompt", "initial_reason_steps", "chosen", "rejected"}
PY
python3 - "$STEPMARK_DB" >sol1.json <<'PY'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(json.dumps({"problem": c.execute("SELECT p.text FROM solution s JOIN problem p ON p.id = s.problem_id WHERE s.id = 1").fetchone()[0],
                  "steps": [t for (t,) in c.execute("SELECT text FROM step WHERE solution_id = 1 ORDER BY idx")]}))
PY
ok "Step-DPO: ann's step against the step it corrects" python3 stepdpo_reader.py sol1.json pairs.jsonl \
	'There are 4! ways for the Democrats around their block.' ann

# every annotator's labels: the newest correction in force, bob's
sm export --format prm800k -o all.jsonl 2>/dev/null
ok "PRM800K: the newest correction, bob's" python3 prm800k_reader.py all.jsonl 'Bob wrote this one.'
ok "bob's on solution 3 too" grep -q "Bob wrote this one" all.jsonl

# agreed: ann and L1 agree on step 7; bob, who decided nothing, is not
# among them, so ann's correction is the one exported
sm consensus --policy "human-majority 2" >/dev/null
ok "ann among those who agreed" test "$(sql "SELECT agreed_by LIKE '%ann%' AND agreed_by NOT LIKE '%bob%' FROM agreed WHERE solution_id = 1")" = 1
sm export --agreed --format prm800k -o agreed.jsonl 2>/dev/null
ok "agreed PRM800K: ann's, not bob's newer one" python3 prm800k_reader.py agreed.jsonl \
	'There are 4! ways for the Democrats around their block.' only
sm export --agreed --format step-pairs -o agreed_pairs.jsonl 2>/dev/null
ok "agreed Step-DPO: ann's" python3 stepdpo_reader.py sol1.json agreed_pairs.jsonl \
	'There are 4! ways for the Democrats around their block.' ann
ok "agreed: bob's correction of solution 3 is not exported" sh -c '! grep -q "Bob wrote" agreed.jsonl agreed_pairs.jsonl'

# undone, it is gone from the exports
tui_run ':open 1
U' --annotator ann
sm export --format prm800k --annotator ann -o undone.jsonl 2>/dev/null
ok "undone: no human completion of ann's" sh -c '! grep -q "4! ways for the Democrats around" undone.jsonl'
finish
