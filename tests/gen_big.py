#!/usr/bin/env python3
"""Large synthetic data sets made from the real sample records.

--prm800k N: N PRM800K records (JSON Lines), each a real record from
prm800k_sample.jsonl with its problem and steps varied so that every
record is distinct. --processbench N [--array]: N ProcessBench items.
--mathshepherd N: N Math-Shepherd records (JSON Lines) from the data set
card's example, the question varied the same way in input and label.
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")


def vary(text, i):
    return "%s [#%d]" % (text, i)


def prm800k(n, out):
    recs = [json.loads(l) for l in open(os.path.join(FIX, "prm800k_sample.jsonl"))]
    for i in range(n):
        r = json.loads(json.dumps(recs[i % len(recs)]))
        r["question"]["problem"] = vary(r["question"]["problem"], i // len(recs) % 997)
        r["timestamp"] = "2022-11-%02dT%02d:%02d:%02d.%06d" % (1 + i % 28, i % 24, i % 60, i // 60 % 60, i)
        for st in r["label"]["steps"]:
            for c in st["completions"] or []:
                c["text"] = vary(c["text"], i)
            if st.get("human_completion"):
                st["human_completion"]["text"] = vary(st["human_completion"]["text"], i)
        q = r["question"]
        if q.get("pre_generated_steps"):
            # as in the real data: the pre-generated steps are the texts of
            # the completions the labeler was shown first
            q["pre_generated_steps"] = [vary(t, i) for t in q["pre_generated_steps"]]
        out.write(json.dumps(r) + "\n")


def processbench(n, array, out):
    items = json.load(open(os.path.join(FIX, "processbench_gsm8k_20.json")))
    rng = random.Random(7)
    if array:
        out.write("[")
    for i in range(n):
        it = dict(items[i % len(items)])
        it["id"] = "gen-%d" % i
        it["steps"] = [vary(s, i) for s in it["steps"]]
        it["label"] = rng.choice([-1] + list(range(len(it["steps"]))))
        s = json.dumps(it)
        out.write(("," if i else "") + s if array else s + "\n")
    if array:
        out.write("]\n")


def mathshepherd(n, out):
    ex = json.load(open(os.path.join(FIX, "math_shepherd_example.json")))
    for i in range(n):
        def v(text):  # the question varied: every record distinct
            head, sep, rest = text.partition("Step 1:")
            return head.rstrip() + " [#%d] " % i + sep + rest
        r = dict(ex)
        r["input"] = v(ex["input"])
        r["label"] = v(ex["label"])
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    args = sys.argv[1:]
    out = sys.stdout
    if args[0] == "--prm800k":
        prm800k(int(args[1]), out)
    elif args[0] == "--processbench":
        processbench(int(args[1]), "--array" in args, out)
    elif args[0] == "--mathshepherd":
        mathshepherd(int(args[1]), out)
    else:
        sys.exit("usage: gen_big.py --prm800k N | --processbench N [--array] | --mathshepherd N")


if __name__ == "__main__":
    main()
