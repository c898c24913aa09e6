#!/usr/bin/env python3
"""The peer of bench/audit: the figures stepmark audit prints, computed
with sqlite3 and plain Python over the same store, against one annotator:
for each source and other annotator, per data set and for all,
ProcessBench's accuracies and F1, where the first errors fall, and step
precision/recall/F1 of "this step is wrong"; between annotators, per data
set, Cohen's kappa, Krippendorff's alpha and Gwet's AC1 of each pair and
alpha and AC1 over everyone. Ratings in force follow stepmark's rule: the
newest label of each step, a first error marking the steps before it
good and itself wrong."""
import json
import sqlite3
import sys
from collections import Counter, defaultdict

db = sqlite3.connect(sys.argv[1])
truth_name = sys.argv[2]
dsname = dict(db.execute("SELECT id, name FROM dataset"))
sols = {sid: (dsname[d], n) for sid, d, n in db.execute("SELECT solution_id, dataset_id, nsteps FROM summary")}

labels = defaultdict(lambda: defaultdict(list))  # who -> sol -> [(kind, step, value)]
for sol, step, kind, value, who in db.execute(
        "SELECT solution_id, coalesce(step_idx, -1), kind, value, annotator FROM label "
        "WHERE kind IN ('rating', 'first_error') ORDER BY id"):
    labels[who][sol].append((kind, step, value))
sugs = defaultdict(lambda: defaultdict(list))
for sol, step, key, value, fe, k, n in db.execute(
        "SELECT solution_id, coalesce(step_idx, -1), source || coalesce('/' || model, ''), value, "
        "first_error, k, n FROM suggestion ORDER BY id"):
    sugs[key][sol].append((step, value, fe, k, n))


def resolve_labels(rows, n):
    r = [None] * n
    fe = None
    for kind, step, value in rows:
        if kind == "rating" and 0 <= step < n:
            r[step] = value
        elif kind == "first_error":
            fe = value
    return finish(r, fe, n)


def resolve_sugs(rows, n, threshold=0.5):
    r = [None] * n
    fe = None
    for step, value, f, k, cnt in rows:
        if 0 <= step < n:
            r[step] = (1 if k > 0 else -1) if cnt else (None if value is None else (1 if value >= threshold else -1))
        elif step < 0 and f is not None:
            fe = f
    if fe is not None:
        for i in range(n):
            if fe < 0 or i <= fe:
                r[i] = -1 if i == fe else 1
    return finish(r, fe, n)


def finish(r, fe, n):
    if fe is not None:
        for i in range(n):
            if r[i] is None:
                if fe < 0 or i < fe:
                    r[i] = 1
                elif i == fe:
                    r[i] = -1
    for i in range(n):
        if r[i] == -1:
            return i, r
        if r[i] is None:
            return -2, r
    return (-1 if n else -2), r


verdict = {}  # name -> sol -> (fe, ratings)
for who, by in labels.items():
    verdict["@" + who] = {s: resolve_labels(rows, sols[s][1]) for s, rows in by.items() if s in sols}
for key, by in sugs.items():
    verdict[key] = {s: resolve_sugs(rows, sols[s][1]) for s, rows in by.items() if s in sols}
truth = verdict["@" + truth_name]

for name in sorted(verdict):
    if name == "@" + truth_name:
        continue
    pred = verdict[name]
    for d in sorted(set(v[0] for v in sols.values())) + [None]:
        c = Counter()
        for sol, (t, tr) in truth.items():
            if t < -1 or (d and sols[sol][0] != d):
                continue
            if sol not in pred:
                continue  # never labelled by this system: coverage, not error
            p, pr = pred[sol]
            if t >= 0:
                c["n_error"] += 1
                c["ok_error"] += p == t
                c["earlier"] += 0 <= p < t
                c["later"] += p > t
                c["missed"] += p == -1
            else:
                c["n_correct"] += 1
                c["ok_correct"] += p == -1
                c["false_alarm"] += p >= 0
            for i, tv in enumerate(tr):
                if tv is None:
                    continue
                tw, pw = tv == -1, pr[i] == -1
                c["tp"] += tw and pw
                c["fp"] += (not tw) and pw
                c["fn"] += tw and not pw
        if not c["n_error"] and not c["n_correct"]:
            continue
        ae = 100 * c["ok_error"] / c["n_error"] if c["n_error"] else 0
        ac = 100 * c["ok_correct"] / c["n_correct"] if c["n_correct"] else 0
        f1 = 2 * ae * ac / (ae + ac) if ae + ac else 0
        prec = 100 * c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0
        rec = 100 * c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0
        sf1 = 2 * prec * rec / (prec + rec) if prec + rec else 0
        print(json.dumps({"kind": "source", "dataset": d or "all", "source": name, "n_error": c["n_error"],
                          "n_correct": c["n_correct"], "acc_error": ae, "acc_correct": ac, "f1": f1,
                          "earlier": c["earlier"], "later": c["later"], "missed": c["missed"],
                          "false_alarm": c["false_alarm"], "step_f1": sf1}))


def alpha(units):
    nc, dis, n = Counter(), 0.0, 0
    for u in units:
        m = len(u)
        if m < 2:
            continue
        c = Counter(u)
        dis += (m * m - sum(x * x for x in c.values())) / (m - 1)
        n += m
        nc.update(c)
    de = n * n - sum(x * x for x in nc.values())
    return None if n < 2 or de <= 0 else 1 - (n - 1) * dis / de


def ac1(units):
    pi, pa, rated, paired = Counter(), 0.0, 0, 0
    for u in units:
        m = len(u)
        if not m:
            continue
        rated += 1
        c = Counter(u)
        for k, v in c.items():
            pi[k] += v / m
        if m < 2:
            continue
        paired += 1
        pa += sum(v * (v - 1) for v in c.values()) / (m * (m - 1))
    if not paired:
        return None
    pa /= paired
    used = sum(1 for v in pi.values() if v > 0)
    pe = sum((v / rated) * (1 - v / rated) for v in pi.values())
    pe = pe / (used - 1) if used > 1 else 0
    return None if pe >= 1 else (pa - pe) / (1 - pe)


anns = sorted(labels)
for d in sorted(set(v[0] for v in sols.values())):
    fe = {a: {s: verdict["@" + a][s][0] for s in verdict["@" + a] if sols[s][0] == d and verdict["@" + a][s][0] >= -1}
          for a in anns}
    for i in range(len(anns)):
        for j in range(i + 1, len(anns)):
            a, b = fe[anns[i]], fe[anns[j]]
            both = [s for s in a if s in b]
            n = len(both)
            if not n:
                continue
            po = sum(a[s] == b[s] for s in both) / n
            ca, cb = Counter(a[s] for s in both), Counter(b[s] for s in both)
            pe = sum(ca[k] / n * cb[k] / n for k in set(ca) | set(cb))
            units = [(a[s], b[s]) for s in both]
            print(json.dumps({"kind": "agreement", "dataset": d, "a": anns[i], "b": anns[j],
                              "kappa": (po - pe) / (1 - pe) if pe < 1 else None,
                              "alpha": alpha(units), "ac1": ac1(units)}))
    everyone = [[fe[a][s] for a in anns if s in fe[a]] for s in sorted(sid for sid in sols if sols[sid][0] == d)]
    print(json.dumps({"kind": "agreement", "dataset": d, "a": "everyone", "b": None, "kappa": None,
                      "alpha": alpha(everyone), "ac1": ac1(everyone)}))
