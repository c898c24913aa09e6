#!/usr/bin/env python3
"""The peer: the same import in Python with json and sqlite3.

Reads PRM800K JSON Lines, rebuilds each trajectory as stepmark does,
and stores problems (deduplicated), solutions, steps, alternatives and
labels in one transaction with executemany. `peer.py export DB OUT`
writes the stored trajectories as TRL rows (one per solution).
"""
import json
import sqlite3
import sys

SCHEMA = """
CREATE TABLE problem(id INTEGER PRIMARY KEY, text TEXT UNIQUE, gold TEXT, reference TEXT);
CREATE TABLE solution(id INTEGER PRIMARY KEY, problem_id INTEGER, labeler TEXT, ts TEXT, finish TEXT, score REAL);
CREATE TABLE step(solution_id INTEGER, idx INTEGER, text TEXT, chosen INTEGER, PRIMARY KEY(solution_id, idx)) WITHOUT ROWID;
CREATE TABLE step_alt(solution_id INTEGER, step_idx INTEGER, alt INTEGER, text TEXT, rating INTEGER, flagged INTEGER, human INTEGER, PRIMARY KEY(solution_id, step_idx, alt)) WITHOUT ROWID;
CREATE TABLE label(id INTEGER PRIMARY KEY, solution_id INTEGER, step_idx INTEGER, value INTEGER, annotator TEXT, created_at TEXT);
CREATE INDEX label_solution ON label(solution_id);
"""


def trajectory(rec):
    steps = []
    for st in rec["label"]["steps"]:
        comps = st.get("completions") or []
        human = st.get("human_completion")
        chosen = st.get("chosen_completion")
        alts = [(c["text"], c.get("rating"), c.get("flagged"), 0) for c in comps]
        if human is not None:
            alts.append((human["text"], human.get("rating"), human.get("flagged"), 1))
        if chosen is None and human is not None:
            chosen = len(comps)
        if chosen is None:
            if rec["label"].get("finish_reason") == "found_error" and comps and comps[0].get("rating") == -1:
                steps.append((comps[0]["text"], None, -1, alts))
            break
        steps.append((alts[chosen][0], chosen, alts[chosen][1], alts))
    return steps


def do_import(path, dbpath):
    db = sqlite3.connect(dbpath)
    db.executescript(SCHEMA)
    problems = {}
    sol_rows, step_rows, alt_rows, label_rows = [], [], [], []
    sid = 0
    with db:
        for line in open(path, encoding="utf-8"):
            rec = json.loads(line)
            q = rec["question"]
            pid = problems.get(q["problem"])
            if pid is None:
                pid = db.execute("INSERT INTO problem(text, gold, reference) VALUES (?, ?, ?)",
                                 (q["problem"], q.get("ground_truth_answer"), q.get("ground_truth_solution"))).lastrowid
                problems[q["problem"]] = pid
            sid += 1
            sol_rows.append((sid, pid, rec.get("labeler"), rec.get("timestamp"),
                             rec["label"].get("finish_reason"), q.get("pre_generated_verifier_score")))
            for i, (text, chosen, rating, alts) in enumerate(trajectory(rec)):
                step_rows.append((sid, i, text, chosen))
                for a, (t, r, f, h) in enumerate(alts):
                    alt_rows.append((sid, i, a, t, r, f, h))
                if rating is not None:
                    label_rows.append((sid, i, rating, rec.get("labeler"), rec.get("timestamp")))
            if len(step_rows) > 50000:
                flush(db, sol_rows, step_rows, alt_rows, label_rows)
        flush(db, sol_rows, step_rows, alt_rows, label_rows)
    db.close()


def flush(db, sol_rows, step_rows, alt_rows, label_rows):
    db.executemany("INSERT INTO solution VALUES (?, ?, ?, ?, ?, ?)", sol_rows)
    db.executemany("INSERT INTO step VALUES (?, ?, ?, ?)", step_rows)
    db.executemany("INSERT INTO step_alt VALUES (?, ?, ?, ?, ?, ?, ?)", alt_rows)
    db.executemany("INSERT INTO label(solution_id, step_idx, value, annotator, created_at) VALUES (?, ?, ?, ?, ?)", label_rows)
    for rows in (sol_rows, step_rows, alt_rows, label_rows):
        rows.clear()


def do_export(dbpath, out):
    db = sqlite3.connect(dbpath)
    labels = {}
    with open(out, "w", encoding="utf-8") as fp:
        cur = db.execute("SELECT s.id, p.text FROM solution s JOIN problem p ON p.id = s.problem_id ORDER BY s.id")
        steps = db.execute("SELECT t.solution_id, t.text, (SELECT value FROM label l WHERE l.solution_id = t.solution_id AND l.step_idx = t.idx) FROM step t ORDER BY t.solution_id, t.idx")
        pending = next(steps, None)
        for sid, prompt in cur:
            comps, labs = [], []
            while pending is not None and pending[0] == sid:
                comps.append(pending[1])
                labs.append(pending[2] == 1)
                pending = next(steps, None)
            fp.write(json.dumps({"prompt": prompt, "completions": comps, "labels": labs}) + "\n")
    db.close()


if __name__ == "__main__":
    if sys.argv[1] == "import":
        do_import(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "export":
        do_export(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: peer.py import FILE DB | export DB OUT")
