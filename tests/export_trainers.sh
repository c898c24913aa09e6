#!/bin/sh
# The formats PRM trainers read in 2026 (FORMATS.md), each checked by a
# reader written from that description, not from stepmark's code:
# OpenRLHF (a placeholder after every step, one reward token per
# placeholder), RLHFlow (user steps answered + or -), Qwen2.5-Math-PRM
# (steps ended by <extra_0> in the chat template, hard labels). Every
# decided solution is written up to its first error; an undecided one is
# left out and counted; a step holding the format's marker is left out and
# said, never written misaligned.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" --as expert >/dev/null
# one more: a step holding OpenRLHF's placeholder
cat >marker.json <<'J'
[{"id": "m-1", "generator": "g", "problem": "What is 2+2?", "steps": ["2+2 = 4 \u043a\u0438 done", "So 4."], "final_answer_correct": true, "label": -1},
 {"id": "m-2", "generator": "g", "problem": "What is 3+3?", "steps": ["3+3 = 6 <extra_0>", "So 6."], "final_answer_correct": true, "label": -1}]
J
sm import marker.json --format processbench --dataset marker --as expert >/dev/null

for f in openrlhf rlhflow qwen-prm; do
	expect_rc 0 "export $f" sm export --format $f -o $f.jsonl
	cp err $f.err
done
ok "openrlhf: 21 written" has openrlhf.err "21 solutions exported as openrlhf (21 records)"
ok "openrlhf: the placeholder in a step is said" has openrlhf.err "1 solution left out: a step holds ки, the format's step marker"
ok "rlhflow: all 22" has rlhflow.err "22 solutions exported as rlhflow"
ok "qwen-prm: 21 written" has qwen-prm.err "21 solutions exported as qwen-prm"
ok "qwen-prm: <extra_0> in a step is said" has qwen-prm.err "1 solution left out: a step holds <extra_0>, the format's step marker"

python3 - "$FIXTURES/processbench_gsm8k_20.json" marker.json <<'PY' >reader.out 2>&1
import json, sys
# the truth: ProcessBench's label is the first error (-1: none)
# (two solutions may share a problem: the first step tells them apart)
truth = {}
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        truth[(r["problem"], r["steps"][0].strip())] = (r["steps"], r["label"])
problems = {p for p, _ in truth}
def expect(problem, first):
    steps, fe = truth[(problem, first.strip())]
    n = len(steps) if fe < 0 else fe + 1
    return steps[:n], [i != fe for i in range(n)]
bad = 0
def check(cond, what):
    global bad
    if not cond:
        bad += 1
        print("wrong:", what)

# OpenRLHF: input = the problem, then each step followed by the
# placeholder; label = one reward token per placeholder, + the positive
for line in open("openrlhf.jsonl"):
    r = json.loads(line)
    text, labels = r["input"], r["label"]
    problem = next(p for p in problems if text.startswith(p))
    first = text[len(problem):].split("\u043a\u0438")[0]
    steps, good = expect(problem, first)
    check(text.count("\u043a\u0438") == len(labels), "openrlhf: placeholders and labels line up")
    check(labels == ["+" if g else "-" for g in good], "openrlhf labels of " + problem[:30])
    pieces = text[len(problem):].split("\u043a\u0438")
    check([p.strip() for p in pieces[:-1]] == [s.strip() for s in steps], "openrlhf steps")
    check(pieces[-1] == "", "openrlhf ends with a placeholder")
    # truncation-safe: cutting the text anywhere keeps a prefix of labels
    cut = text[: len(text) // 2]
    check(cut.count("\u043a\u0438") <= len(labels), "openrlhf truncated")

# RLHFlow: user/assistant turns, the first user turn holds the problem
for line in open("rlhflow.jsonl"):
    conv = json.loads(line)["conversations"]
    check(all(t["role"] == ("user" if i % 2 == 0 else "assistant") for i, t in enumerate(conv)), "rlhflow roles")
    first = conv[0]["content"]
    problem = next(p for p in problems if first.startswith(p))
    users = [conv[i]["content"] for i in range(0, len(conv), 2)]
    users[0] = users[0][len(problem):].strip()
    steps, good = expect(problem, users[0])
    check(users == steps, "rlhflow steps of " + problem[:30])
    check([conv[i]["content"] for i in range(1, len(conv), 2)] == ["+" if g else "-" for g in good], "rlhflow labels")

# Qwen2.5-Math-PRM: the chat template, steps each ended by <extra_0>
for line in open("qwen-prm.jsonl"):
    r = json.loads(line)
    text, labels = r["text"], r["labels"]
    check(text.startswith("<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\n"), "qwen system and user")
    user = text.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
    body = text.split("<|im_start|>assistant\n", 1)[1]
    steps, good = expect(user, body.split("<extra_0>")[0])
    check(body.endswith("<extra_0><|im_end|><|endoftext|>"), "qwen trailing <extra_0>")
    parts = body.split("<extra_0>")[:-1]
    check(parts == steps, "qwen steps of " + user[:30])
    check(labels == [1 if g else 0 for g in good], "qwen labels")
print("reader:", bad, "wrong")
PY
ok "an independent reader finds every record right" grep -q "^reader: 0 wrong$" reader.out
cat reader.out | grep wrong: | head -5

# an undecided solution is left out and counted
sqlite3 "$STEPMARK_DB" "DELETE FROM label WHERE solution_id = 1"
expect_rc 0 "export with one solution unlabelled" sm export --format rlhflow -o r2.jsonl
ok "21 written" has err "21 solutions exported as rlhflow"
ok "the unlabelled one said" has err "1 solution left out: no labels"
# OpenRLHF's options: another placeholder and reward tokens; soft labels
# from an MC source's estimates (k/n), hard where a step has none
expect_rc 0 "openrlhf, its options" sm export --format openrlhf --placeholder "<step>" --reward-tokens "good bad" -o opts.jsonl
ok "the marker m-1 held is fine now (the undecided one still out)" has err "21 solutions exported as openrlhf"
ok "no marker said" sh -c '! grep -q "a step holds" err'
sid=$(sql "SELECT min(solution_id) FROM label")
now=2026-01-01T00:00:00Z
sql "INSERT INTO suggestion(solution_id, step_idx, source, model, k, n, created_at) VALUES ($sid, 0, 'mc', 'p', 3, 4, '$now')"
expect_rc 0 "openrlhf --soft" sm export --format openrlhf --soft -o soft.jsonl
ok "steps without an estimate are counted" grep -q "steps\? had no value from mc: written as 1 or 0" err
ok "placeholders and labels line up, tokens and floats as asked" python3 - "$sid" <<'PY'
import json, sqlite3, os, sys
opts = [json.loads(l) for l in open("opts.jsonl")]
soft = [json.loads(l) for l in open("soft.jsonl")]
hard = [json.loads(l) for l in open("openrlhf.jsonl")]
for r in opts:
    assert r["input"].count("<step>") == len(r["label"]) and r["input"].endswith("<step>"), r
    assert set(r["label"]) <= {"good", "bad"}, r
for r in soft:
    assert r["input"].count("\u043a\u0438") == len(r["label"]), r
    assert all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in r["label"]), r
# the solution with an estimate: its first step is 0.75, the rest as the hard labels
db = sqlite3.connect(os.environ["STEPMARK_DB"])
problem = db.execute("SELECT p.text FROM solution s JOIN problem p ON p.id = s.problem_id WHERE s.id = ?", (int(sys.argv[1]),)).fetchone()[0]
first = [r for r in soft if r["input"].startswith(problem + " ")][0]
h = [r for r in hard if r["input"].startswith(problem + " ")][0]
assert first["label"][0] == 0.75, first
assert first["label"][1:] == [1 if t == "+" else 0 for t in h["label"][1:]], (first, h)
assert sum(1 for r in soft if 0 < min(r["label"] + [1]) < 1 or 0.75 in r["label"]) == 1
PY
expect_rc 2 "--soft is for openrlhf" sm export --format trl --soft
ok "says so" has err "--placeholder, --reward-tokens and --soft are for --format openrlhf"
expect_rc 2 "one reward token" sm export --format openrlhf --reward-tokens "+"
ok "says how" has err "--reward-tokens is two different tokens"
finish
