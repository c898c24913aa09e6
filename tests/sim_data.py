#!/usr/bin/env python3
"""ProcessBench records -> the simulation's data set: JSON Lines of
{id, problem, steps, gold, first_error}. ProcessBench gives no gold
answer: a correct solution's own final answer is the gold; for the
others the simulation fixes one that differs from the solution's.

Usage: sim_data.py PROCESSBENCH.json [LIMIT] > sim.jsonl"""
import json
import re
import sys


def boxed(text):
    m = re.findall(r"\\boxed\{([^{}]*)\}", text)
    return m[-1].strip() if m else None


def main():
    recs = json.load(open(sys.argv[1]))
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else len(recs)
    for r in recs[:limit]:
        ans = boxed(r["steps"][-1]) or "0"
        if r["final_answer_correct"]:
            gold = ans
        else:
            try:
                gold = str(int(ans) + 7)
            except ValueError:
                gold = ans + "7"
        print(json.dumps({"id": r["id"], "problem": r["problem"], "steps": r["steps"],
                          "gold": gold, "first_error": r["label"]}))


main()
