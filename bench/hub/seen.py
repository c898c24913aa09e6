#!/usr/bin/env python3
"""bench/hub's watcher: when each label reaches each other store.
Usage: seen.py STOP_FILE OUT STORE...
Polls every store's SQLite file read-only (every POLL seconds, default
0.1) for the labels added since its last look, and writes one line per
label seen in a store other than its annotator's ("store-annotator
seconds uid": when it was seen minus its created_at, the time the
workbench stored it). A store's annotator is its file's name (a7.db: a7). Stops
GRACE seconds (default 10) after STOP_FILE appears, or when every label
is everywhere."""
import datetime
import os
import sqlite3
import sys
import time

stop, out, stores = sys.argv[1], sys.argv[2], sys.argv[3:]
poll = float(os.environ.get("POLL", "0.1"))
grace = float(os.environ.get("GRACE", "10"))
names = [os.path.basename(s)[:-3] for s in stores]
cons = [None] * len(stores)
last = [0] * len(stores)
made = {}     # uid -> (annotator, created)
seen = {}     # (uid, store index) -> seconds
pending = 0


def created(at):
    return datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


stop_at = None
with open(out, "w") as f:
    while True:
        for i, path in enumerate(stores):
            try:
                if cons[i] is None:
                    cons[i] = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=0.05)
                rows = cons[i].execute(
                    "SELECT id, uid, annotator, created_at FROM label WHERE id > ? ORDER BY id", (last[i],)).fetchall()
            except sqlite3.Error:
                continue  # busy: the next look
            now = time.time()
            for rid, uid, who, at in rows:
                last[i] = rid
                if who == names[i]:
                    made.setdefault(uid, (who, created(at)))
                    continue
                if (uid, i) not in seen:
                    try:
                        t = created(at)
                    except ValueError:
                        continue
                    seen[(uid, i)] = now - t
                    f.write("%s-%s %.3f %s\n" % (names[i], who, now - t, uid))
        if stop_at is None and os.path.exists(stop):
            stop_at = time.time()
        want = len(made) * (len(stores) - 1)
        if stop_at is not None and (time.time() - stop_at > grace or len(seen) >= want):
            break
        time.sleep(poll)
    print("labels %d, pairs %d, seen %d" % (len(made), len(made) * (len(stores) - 1), len(seen)))
