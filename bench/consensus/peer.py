#!/usr/bin/env python3
"""bench/consensus's peer: the policy
    adjudicated, human-majority 2, confirmed-suggestion, sources mc judge
over a store whose people give first-error labels and whose sources give
a first error per solution (the bench's shape), in plain Python reading
the same store with sqlite3. Prints "solution<TAB>first error<TAB>rule"
per solution (first error "none" when no rule decides).

Usage: peer.py STORE"""
import sqlite3
import sys


def main():
    db = sqlite3.connect(sys.argv[1])
    people = {}  # solution -> {annotator: fe}
    adj = {}
    for sol, kind, value, who in db.execute(
            "SELECT solution_id, kind, value, annotator FROM label "
            "WHERE kind IN ('first_error', 'adjudication') ORDER BY id"):
        if kind == "adjudication":
            adj[sol] = value
        else:
            people.setdefault(sol, {})[who] = value
    src = {}  # solution -> {source: fe}
    for sol, source, fe in db.execute(
            "SELECT solution_id, source || coalesce('/' || model, ''), first_error "
            "FROM suggestion WHERE step_idx IS NULL AND first_error IS NOT NULL ORDER BY id"):
        src.setdefault(sol, {})[source] = fe
    out = []
    for (sol,) in db.execute("SELECT solution_id FROM summary ORDER BY solution_id"):
        p = [v for v in people.get(sol, {}).values() if v is not None]
        s = src.get(sol, {})
        fe, rule = None, None
        if adj.get(sol) is not None:
            fe, rule = adj[sol], "adjudicated"
        if rule is None and p:
            best = max(set(p), key=lambda v: (p.count(v), -v))
            n = p.count(best)
            if n >= 2 and 2 * n > len(p):
                fe, rule = best, "human-majority 2"
        if rule is None and p and len(set(p)) == 1 and p[0] in s.values():
            fe, rule = p[0], "confirmed-suggestion"
        if rule is None:
            mc = [v for k, v in s.items() if k == "mc" or k.startswith("mc/")]
            jd = [v for k, v in s.items() if k == "judge" or k.startswith("judge/")]
            vals = set(mc + jd)
            if mc and jd and len(vals) == 1 and all(v in vals for v in p):
                fe, rule = vals.pop(), "sources mc judge"
        out.append("%d\t%s\t%s" % (sol, "none" if fe is None else fe, rule or ""))
    sys.stdout.write("\n".join(out) + "\n")


main()
