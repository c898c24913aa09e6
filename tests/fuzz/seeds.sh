#!/bin/sh
# seeds.sh DIR: a seed corpus per fuzz target, made from the fixtures
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
fx=$top/tests/fixtures
for t in record stream grade extract calc config response latex reply align policy; do mkdir -p "$out/$t"; done
python3 - "$fx" "$out" "$top" <<'PY'
import json, os, sys
fx, out, top = sys.argv[1:4]
def put(target, name, data):
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
recs = []
for line in open(os.path.join(fx, "prm800k_sample.jsonl"), encoding="utf-8"):
    recs.append(json.loads(line))
recs += json.load(open(os.path.join(fx, "processbench_gsm8k_20.json"), encoding="utf-8"))[:8]
ms = json.load(open(os.path.join(fx, "math_shepherd_example.json"), encoding="utf-8"))
recs += ms if isinstance(ms, list) else [ms]
recs.append({"prompt": "p", "completions": ["a", "b"], "labels": [True, 0.5]})
recs.append({"id": "g", "problem": "p", "steps": ["1+1 = 2"], "gold": "2", "label": [1]})
for name in ("agent_messages.jsonl", "deltabench_sample.jsonl", "thinkprm_sample.jsonl",
             "potato_prm_sample.jsonl", "potato_attribution_sample.jsonl"):
    for line in open(os.path.join(fx, name), encoding="utf-8"):
        recs.append(json.loads(line))
# Who&When, both shapes (the agent as name, or as role)
recs.append({"question": "q", "ground_truth": "g", "is_correct": False, "level": "1",
             "history": [{"content": "c", "role": "user", "name": "A_Expert"},
                         {"content": [{"type": "text", "text": "t"}], "role": "assistant", "name": "B"}],
             "system_prompt": {"A_Expert": "s"}, "mistake_agent": "B", "mistake_step": "1",
             "mistake_reason": "r"})
recs.append({"question": "q", "ground_truth": "g", "is_corrected": False, "level": 2,
             "history": [{"content": "c", "role": "human"}, {"content": "d", "role": "Orchestrator (-> WebSurfer)"}],
             "mistake_agent": "Orchestrator", "mistake_step": "1", "mistake_reason": "r"})
for i, r in enumerate(recs):
    put("record", "r%02d" % i, json.dumps(r))
for i in range(0, len(recs), 4):
    put("stream", "s%02d" % i, "\n".join(json.dumps(r) for r in recs[i:i + 4]) + "\n")
put("stream", "array", json.dumps(recs[:3]))
for i, line in enumerate(open(os.path.join(fx, "grader_vectors.jsonl"), encoding="utf-8")):
    v = json.loads(line)
    if i < 200:
        put("grade", "g%03d" % i, "%s\n%s" % (v.get("given", ""), v.get("ground_truth", "")))
for i, r in enumerate(recs):
    steps = r.get("steps") if isinstance(r.get("steps"), list) else []
    lab = r.get("label")
    if not steps and isinstance(lab, dict):
        steps = [s["completions"][0]["text"] for s in lab.get("steps", []) if s.get("completions")]
    for j, s in enumerate(steps[:4]):
        if isinstance(s, str):
            put("extract", "e%02d_%d" % (i, j), s)
            put("calc", "c%02d_%d" % (i, j), s)
            put("latex", "l%02d_%d" % (i, j), s)
    if isinstance(r.get("question"), dict):
        put("latex", "p%02d" % i, r["question"].get("problem", ""))
        put("latex", "g%02d" % i, r["question"].get("ground_truth_solution") or "")
put("latex", "env", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} $\\sqrt[3]{x^{2}_{k}}$ \\[\\frac{a}{b}\\] $$\\mathbb{R}$$ \x1b]0;t\x07")
put("calc", "gsm", "He has 3 * 4 = <<3*4=12>>12 apples and 20% of 50 = 10.")
put("config", "default", open(os.path.join(top, "ui", "default.stepmarkrc"), encoding="utf-8").read())
for f in os.listdir(os.path.join(top, "themes")):
    put("config", f, open(os.path.join(top, "themes", f), encoding="utf-8").read())
put("config", "fetch", "endpoint e url http://127.0.0.1:1/v1\nendpoint e model m\nset fetch judge, calc\nbind queue T \":filter todo\"\nconsensus adjudicated, human-majority 2 tolerance 1, sources mc judge # team\n")
chat = {"choices": [{"index": 0, "message": {"content": "The first error is \\boxed{2}."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4}}
comp = {"choices": [{"index": 0, "text": " +", "logprobs": {"top_logprobs": [{"+": -0.1, "-": -2.3}]}, "finish_reason": "length"}]}
pool = {"data": [{"data": [[0.1, 0.9], [0.8, 0.2]]}]}
put("response", "chat", b"\x80" + json.dumps(chat).encode())
put("response", "comp", b"\x81" + json.dumps(comp).encode())
put("response", "pool", b"\x82" + json.dumps(pool).encode())
put("response", "err", b"\x80" + json.dumps({"error": {"message": "overloaded"}}).encode())
# align-judge replies: two bytes (steps, reference steps), then the text
steps = [{"step": k, "reference": [k], "verdict": v, "reason": "r"} for k, v in
         enumerate(["correct", "neutral", "incorrect"])]
put("reply", "plain", b"\x03\x03" + json.dumps(steps).encode())
put("reply", "fenced", b"\x03\x02Sure.\n```json\n" + json.dumps({"steps": steps}).encode() + b",]\n```")
put("reply", "keyed", b"\x02\x02" + json.dumps({"1": {"reference": 1, "verdict": "-"}, "2": {"verdict": 1}}).encode())
# the aligner: a reference, then solution steps, NUL between
for i, r in enumerate(recs):
    q = r.get("question") if isinstance(r.get("question"), dict) else None
    ref = q.get("ground_truth_solution") if q else None
    lab = r.get("label")
    if ref and isinstance(lab, dict):
        st = [s["completions"][0]["text"] for s in lab.get("steps", []) if s.get("completions")][:6]
        put("align", "a%02d" % i, "\0".join([ref] + st))
# a policy, then the solution: steps, then 4 bytes a label or suggestion
for i, pol in enumerate(["adjudicated, human-majority 2, confirmed-suggestion, sources mc judge",
                         "human 1 tolerance 1, sources mc prm threshold 0.6 min-rollouts 4",
                         "confirmed-suggestion judge tolerance 2, human"]):
    put("policy", "p%d" % i, pol.encode() + b"\n\x05" + bytes(range(1, 61)))
put("align", "gsm", "Tom has 3*4=<<3*4=12>>12.\nHe gives 5: 12-5=<<12-5=7>>7.\n#### 7\0" "3 * 4 = 12\0Apples are red\0" "12 - 5 = 7")
PY
