#!/usr/bin/env python3
"""The public PRM800K -> TRL stepwise conversion, written here from its
description in ../shared/FORMATS.md, independently of stepmark's C code:

- walk the steps; stop at a step with no completions, no human completion
  and no chosen completion;
- every completion of the step whose index is not chosen_completion becomes
  its own row: prefix + that completion, its label rating == 1 (0 and null
  are false);
- the prefix then grows by the chosen completion (label rating == 1) or,
  when chosen_completion is null and a human completion exists, by the
  human completion, labelled true; with neither, stop;
- finally the whole prefix is one row.

Usage: prm800k_trl.py PRM800K.jsonl > rows.jsonl
"""
import json
import sys


def convert(rec):
    prompt = rec["question"]["problem"]
    rows, prefix, labels = [], [], []
    for step in rec["label"]["steps"]:
        comps = step.get("completions") or []
        human = step.get("human_completion")
        chosen = step.get("chosen_completion")
        if not comps and human is None and chosen is None:
            break
        for i, c in enumerate(comps):
            if i != chosen:
                rows.append({"prompt": prompt, "completions": prefix + [c["text"]],
                             "labels": labels + [c.get("rating") == 1]})
        if chosen is not None:
            prefix = prefix + [comps[chosen]["text"]]
            labels = labels + [comps[chosen].get("rating") == 1]
        elif human is not None:
            text = human["text"] if isinstance(human, dict) else human
            prefix = prefix + [text]
            labels = labels + [True]
        else:
            break
    rows.append({"prompt": prompt, "completions": prefix, "labels": labels})
    return rows


def main():
    for line in open(sys.argv[1], encoding="utf-8"):
        if line.strip():
            for row in convert(json.loads(line)):
                print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
