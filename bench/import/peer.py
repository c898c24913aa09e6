#!/usr/bin/env python3
"""The peer: the same import in Python, with json and sqlite3.

`peer.py import FILE DB` reads PRM800K JSON Lines and stores what
`stepmark import` stores, in the same tables: problems (deduplicated),
solutions with the same metadata, steps with their alternatives as JSON
where there was a choice, one ratings label and one finish label per
record, the verifier score as a suggestion. One transaction, executemany.
`peer.py export DB OUT` writes every stored trajectory as a TRL row.
"""
import json
import sqlite3
import sys

SCHEMA = """
CREATE TABLE problem(id INTEGER PRIMARY KEY, key TEXT UNIQUE, text TEXT, gold_answer TEXT, reference TEXT);
CREATE TABLE solution(id INTEGER PRIMARY KEY, problem_id INTEGER, ext_key TEXT UNIQUE,
  final_answer TEXT, finish_reason TEXT, meta TEXT, tail TEXT, source_line INTEGER);
CREATE TABLE step(solution_id INTEGER, idx INTEGER, text TEXT, chosen INTEGER, alts TEXT,
  PRIMARY KEY(solution_id, idx)) WITHOUT ROWID;
CREATE TABLE label(id INTEGER PRIMARY KEY, solution_id INTEGER, step_idx INTEGER, kind TEXT,
  value INTEGER, text TEXT, annotator TEXT, origin TEXT, created_at TEXT);
CREATE INDEX label_solution ON label(solution_id);
CREATE TABLE suggestion(id INTEGER PRIMARY KEY, solution_id INTEGER, source TEXT, model TEXT,
  value REAL, created_at TEXT);
CREATE INDEX suggestion_solution ON suggestion(solution_id);
"""
MARK = {1: "+", 0: "0", -1: "-", None: "."}


def alts_json(alts, chosen):
    if not alts or (len(alts) == 1 and chosen == 0 and alts[0].get("flagged") is None and not alts[0]["human"]):
        return None
    return json.dumps([{k: v for k, v in a.items() if v is not None and (k != "human" or v)} for a in alts])


def trajectory(rec):
    steps, tail = [], None
    for st in rec["label"]["steps"]:
        comps = st.get("completions") or []
        human = st.get("human_completion")
        chosen = st.get("chosen_completion")
        alts = [{"text": c["text"], "rating": c.get("rating"), "flagged": c.get("flagged"), "human": False} for c in comps]
        if human is not None:
            alts.append({"text": human["text"], "rating": human.get("rating"), "flagged": human.get("flagged"), "human": True})
        if chosen is None and human is not None:
            chosen = len(comps)
        if chosen is None:
            if rec["label"].get("finish_reason") == "found_error" and comps and comps[0].get("rating") == -1:
                steps.append((comps[0]["text"], None, -1, alts_json(alts, -1)))
            else:
                tail = alts_json(alts, -1)
            break
        steps.append((alts[chosen]["text"], chosen, alts[chosen]["rating"], alts_json(alts, chosen)))
    return steps, tail


def meta(rec, steps):
    q = rec["question"]
    m = {k: rec[k] for k in ("timestamp", "generation", "is_quality_control_question",
                             "is_initial_screening_question") if k in rec}
    pg = q.get("pre_generated_steps")
    if pg is not None:
        k = 0
        while k < len(pg) and k < len(steps) and pg[k] == steps[k][0]:
            k += 1
        if k:
            m["pre_generated_from_steps"] = k
            m["pre_generated_rest"] = pg[k:]
        else:
            m["pre_generated_steps"] = pg
    for k in ("pre_generated_answer",):
        if k in q:
            m[k] = q[k]
    if "total_time" in rec["label"]:
        m["total_time"] = rec["label"]["total_time"]
    return json.dumps(m, separators=(",", ":"))


def do_import(path, dbpath):
    db = sqlite3.connect(dbpath)
    db.execute("PRAGMA journal_mode=WAL")
    # into a store that holds data too: the tables are there already
    db.executescript(SCHEMA.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ")
                     .replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS "))
    problems = {}
    sols, steps, labels, sugs = [], [], [], []
    sid = db.execute("SELECT coalesce(max(id), 0) FROM solution").fetchone()[0]
    with db:
        for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
            rec = json.loads(line)
            q = rec["question"]
            key = (q["problem"], q.get("ground_truth_answer"))
            pid = problems.get(key)
            if pid is None:
                pid = db.execute("INSERT INTO problem(key, text, gold_answer, reference) VALUES (?, ?, ?, ?)",
                                 (str(hash(key)), q["problem"], q.get("ground_truth_answer"),
                                  q.get("ground_truth_solution"))).lastrowid
                problems[key] = pid
            traj, tail = trajectory(rec)
            sid += 1
            who, ts = rec.get("labeler"), rec.get("timestamp")
            sols.append((sid, pid, "%s|%s|%s" % (who, ts, q["problem"][:40]), q.get("pre_generated_answer"),
                         rec["label"].get("finish_reason"), meta(rec, traj), tail, lineno))
            for i, (text, chosen, rating, alts) in enumerate(traj):
                steps.append((sid, i, text, chosen, alts))
            if traj:
                labels.append((sid, None, "ratings", None, "".join(MARK[t[2]] for t in traj), who, "prm800k", ts))
            labels.append((sid, None, "finish", 0, rec["label"].get("finish_reason"), who, "prm800k", ts))
            if q.get("pre_generated_verifier_score") is not None:
                sugs.append((sid, "prm", "prm800k-verifier", q["pre_generated_verifier_score"], ts))
            if len(steps) > 50000:
                flush(db, sols, steps, labels, sugs)
        flush(db, sols, steps, labels, sugs)
    db.close()


def flush(db, sols, steps, labels, sugs):
    db.executemany("INSERT INTO solution VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sols)
    db.executemany("INSERT INTO step VALUES (?, ?, ?, ?, ?)", steps)
    db.executemany("INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", labels)
    db.executemany("INSERT INTO suggestion(solution_id, source, model, value, created_at) VALUES (?, ?, ?, ?, ?)", sugs)
    for rows in (sols, steps, labels, sugs):
        rows.clear()


def rows_of(prompt, steps, marks, tail):
    """The public PRM800K to TRL rule over the stored trajectory."""
    out, prefix, labels = [], [], []
    stopped = False
    for i, (text, chosen, alts) in enumerate(steps):
        alts = json.loads(alts) if alts else []
        for a, alt in enumerate(alts):
            if a != chosen:
                out.append({"prompt": prompt, "completions": prefix + [alt["text"]],
                            "labels": labels + [alt.get("rating") == 1]})
        if chosen is None:
            stopped = True
            break
        prefix = prefix + [text]
        labels = labels + [marks[i:i + 1] == "+"]
    if not stopped and tail:
        for alt in json.loads(tail):
            out.append({"prompt": prompt, "completions": prefix + [alt["text"]],
                        "labels": labels + [alt.get("rating") == 1]})
    if prefix:
        out.append({"prompt": prompt, "completions": prefix, "labels": labels})
    return out


def do_export(dbpath, out):
    """TRL rows by the public PRM800K rule, as `stepmark export --format trl`."""
    db = sqlite3.connect(dbpath)
    with open(out, "w", encoding="utf-8") as fp:
        sols = db.execute("SELECT s.id, p.text, s.tail, (SELECT text FROM label l WHERE l.solution_id = s.id "
                          "AND l.kind = 'ratings') FROM solution s JOIN problem p ON p.id = s.problem_id ORDER BY s.id")
        steps = db.execute("SELECT solution_id, text, chosen, alts FROM step ORDER BY solution_id, idx")
        pending = next(steps, None)
        for sid, prompt, tail, marks in sols:
            mine = []
            while pending is not None and pending[0] == sid:
                mine.append(pending[1:])
                pending = next(steps, None)
            for row in rows_of(prompt, mine, marks or "", tail):
                fp.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n")
    db.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "import":
        do_import(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "export":
        do_export(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: peer.py import FILE DB | export DB OUT")
