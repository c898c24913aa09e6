#!/bin/sh
# bench/mc/rollouts.sh: the store's growth from the rollouts MC keeps
# (provider mc keep 1: per prefix, the empty one too, one rollout that
# reached the gold answer and one that did not), on ProcessBench's real
# GSM8K solutions. A rollout from a prefix is taken to be as long as the
# rest of the solution after it (at least its last step), encoded as
# src/mcstat.c encodes it (cut to 2000 bytes). Prints the bytes a solution
# adds and the growth per 100 K solutions, the store vacuumed both times.
# Usage: bench/mc/rollouts.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/mc-rollouts}
data=${PROCESSBENCH:-$top/../shared/data/processbench/gsm8k.json}
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
"$sm" --db store.db import "$data" --dataset gsm8k >/dev/null 2>&1
python3 - "$data" <<'PY'
import json, os, shutil, sqlite3, sys
d = {r["id"]: r for r in json.load(open(sys.argv[1]))}
def enc(mark, ans, text):
    b = text.encode()
    if len(b) > 2000:
        h, t = 1000, len(b) - 1000
        while h > 0 and (b[h] & 0xc0) == 0x80: h -= 1
        while t < len(b) and (b[t] & 0xc0) == 0x80: t += 1
        b = b[:h] + ("\n[... %d bytes left out ...]\n" % (t - h)).encode() + b[t:]
    a = ans.encode()
    return mark.encode() + b"%d:" % len(a) + a + b"%d:" % len(b) + b
def prefixes(steps):
    for i in range(-1, len(steps)):
        yield (None if i < 0 else i), "\n\n".join(steps[i + 1:]) or steps[-1]
c = sqlite3.connect("store.db")
sols = c.execute("SELECT id, ext_key FROM solution").fetchall()
for sid, key in sols:
    for step, _ in prefixes(d[key]["steps"]):
        c.execute("INSERT INTO suggestion(solution_id, step_idx, source, model, origin, k, n, "
                  "created_at) VALUES (?, ?, 'mc', 'policy', 'fetch', 4, 8, 'now')", (sid, step))
c.commit()
c.execute("VACUUM")
s0 = os.path.getsize("store.db")
for sid, key in sols:
    for step, tail in prefixes(d[key]["steps"]):
        blob = (enc("+", "18", tail) + enc("-", "19", tail)).decode()
        c.execute("UPDATE suggestion SET rollouts = ? WHERE solution_id = ? AND step_idx IS ?",
                  (blob, sid, step))
c.commit()
c.execute("VACUUM")
s1 = os.path.getsize("store.db")
n = len(sols)
steps = sum(len(d[k]["steps"]) for _, k in sols)
print("bench/mc/rollouts: %d solutions, %.1f steps each, %d prefixes with the empty ones"
      % (n, steps / n, steps + n))
print("the store: %d bytes without rollouts kept, %d with: %.0f bytes a solution, "
      "%.2f GB per 100 K solutions" % (s0, s1, (s1 - s0) / n, (s1 - s0) / n * 1e5 / 1e9))
PY
