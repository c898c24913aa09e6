#!/usr/bin/env python3
"""bench/hub's check of seen.py, from the stores alone: a label pulled
into store B (its id X there) arrived after every one of B's own labels
with a smaller id was made (their created_at), so seen.py's time for it
(its created_at to when seen.py saw it) can be no shorter than that
(less the polling's slack, POLL seconds, default 0.1). And it most
likely arrived before B's next own label was made (a label is stored
as it is made, unless the store was busy): seen.py's time beyond that
is its own lateness (a poll every POLL seconds of 20 stores by one
Python process on a loaded machine). Usage: bounds.py SEEN_OUT STORE...
Prints how many of seen.py's lines it bracketed, how many fell below
the first bound (seen.py wrong: exit 1) and above the second (seen.py
late, by how much at the median), and the pairs pulled but not seen."""
import bisect
import datetime
import os
import sqlite3
import sys

poll = float(os.environ.get("POLL", "0.1")) + 0.1


def ts(at):
    return datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


seen = {}
for line in open(sys.argv[1]):
    pair, sec, uid = line.split()
    seen[(pair.split("-")[0], uid)] = float(sec)
made, rows = {}, {}
for path in sys.argv[2:]:
    name = os.path.basename(path)[:-3]
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    rows[name] = con.execute("SELECT id, uid, annotator, created_at FROM label ORDER BY id").fetchall()
    for _, uid, who, at in rows[name]:
        if who == name:
            made[uid] = ts(at)
checked = early = late = missed = 0
lateness = []
for name, rs in rows.items():
    own = [(i, ts(at)) for i, _, who, at in rs if who == name]
    ids = [i for i, _ in own]
    top = []  # the latest created_at up to each own label
    for _, t in own:
        top.append(max(t, top[-1]) if top else t)
    for i, uid, who, at in rs:
        if who == name or uid not in made:
            continue
        if (name, uid) not in seen:
            missed += 1
            continue
        k = bisect.bisect_left(ids, i)
        lo = top[k - 1] - made[uid] if k > 0 else None
        hi = own[k][1] - made[uid] if k < len(own) else None
        if lo is None or hi is None:
            continue
        checked += 1
        s = seen[(name, uid)]
        if s < lo - poll:
            early += 1
        elif s > hi + poll:
            late += 1
            lateness.append(s - hi)
lateness.sort()
print("seen.py against the stores: %d bracketed, %d too early, %d later than the store's next "
      "own label (by %.2f s at the median), %d pulled but not seen"
      % (checked, early, late, lateness[len(lateness) // 2] if lateness else 0, missed))
sys.exit(1 if early else 0)
