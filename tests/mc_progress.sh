#!/bin/sh
# mc_progress.sh - what MC says, made readable: the empty prefix, progress
# and the effective reward (PAV) against an independent computation from
# FORMATS.md's definitions, the csv columns, the soft labels, the audit,
# the uncertain estimates and their queue filter, the rollouts kept
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config cfg
expect_rc 0 "mc vanilla" sm fetch --config cfg --mc --rollouts 8
ok "the empty prefix estimated on every solution" \
	test "$(sql "SELECT count(*) FROM suggestion WHERE source='mc' AND step_idx IS NULL AND n = 8")" = 20

# the figures, computed here from the stored k/n as FORMATS.md defines
# them (Progress: q = k/n, Q = 1 - (1 - q)^K, progress = Q_k - Q_{k-1}
# with Q_{-1} of the empty prefix, effective = q + alpha * progress)
cat >pav.py <<'PY'
import csv, json, sqlite3, sys

def figures(db, K, alpha):
    c = sqlite3.connect(db)
    out = {}
    for sol, key, nsteps in c.execute("SELECT s.id, s.ext_key, (SELECT count(*) FROM step t "
                                      "WHERE t.solution_id = s.id) FROM solution s"):
        rows = c.execute("SELECT coalesce(step_idx, -1), k, n, job_id FROM suggestion WHERE "
                         "solution_id = ? AND source = 'mc' AND n > 0 ORDER BY id", (sol,)).fetchall()
        est = {}
        for step, k, n, job in rows:
            est[step] = (k, n, job)
        if -1 not in est or len({j for _, _, j in est.values()}) != 1:
            out[key] = {}
            continue
        Q = lambda k, n: 1 - (1 - k / n) ** K
        prev = Q(*est[-1][:2])
        f = {}
        for i in range(nsteps):
            if i not in est:
                prev = None
                continue
            k, n, _ = est[i]
            q = k / n
            if prev is not None:
                f[i] = (Q(k, n) - prev, q + alpha * (Q(k, n) - prev))
            prev = Q(k, n)
        out[key] = f
    return out

def close(a, b):
    return abs(a - b) <= 1e-5 * max(1, abs(b))

what, db, K, alpha, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
fig = figures(db, K, alpha)
checked = 0
if what == "csv":
    rows = list(csv.reader(open(path, newline="")))
    head, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    c = sqlite3.connect(db)
    for r in body:
        key, step = r[col["solution"]], int(r[col["step"]])
        sol = c.execute("SELECT id FROM solution WHERE ext_key = ?", (key,)).fetchone()[0]
        kn = c.execute("SELECT k, n FROM suggestion WHERE solution_id = ? AND source = 'mc' AND "
                       "step_idx = ? AND n > 0 ORDER BY id DESC LIMIT 1", (sol, step)).fetchone()
        k0 = c.execute("SELECT k, n FROM suggestion WHERE solution_id = ? AND source = 'mc' AND "
                       "step_idx IS NULL AND n > 0 ORDER BY id DESC LIMIT 1", (sol,)).fetchone()
        assert (r[col["mc_k"]], r[col["mc_n"]]) == ((str(kn[0]), str(kn[1])) if kn else ("", "")), r
        assert (r[col["mc_k0"]], r[col["mc_n0"]]) == ((str(k0[0]), str(k0[1])) if k0 else ("", "")), r
        want = fig[key].get(step)
        got = r[col["mc_progress"]]
        assert (got == "") == (want is None), (key, step, got, want)
        if want is not None:
            assert close(float(got), want[0]), (key, step, got, want)
            checked += 1
else:  # openrlhf --soft=mc:progress or mc:effective, in solution order
    c = sqlite3.connect(db)
    keys = [k for (k,) in c.execute("SELECT ext_key FROM solution ORDER BY id")]
    idx = 0 if what == "progress" else 1
    for key, line in zip(keys, open(path)):
        labels = json.loads(line)["label"]
        for i, v in enumerate(labels):
            want = fig[key].get(i)
            if want is not None:
                assert close(v, want[idx]), (key, i, v, want)
                checked += 1
assert checked >= 20, checked
print(checked)
PY
expect_rc 0 "export csv" sm export --format csv -o mc.csv
ok "csv: mc_k, mc_n, mc_progress, mc_k0, mc_n0 equal the independent figures (K 4)" \
	python3 pav.py csv "$STEPMARK_DB" 4 0.5 mc.csv
expect_rc 0 "soft progress" sm export --format openrlhf --soft=mc:progress -o p.jsonl
ok "soft labels: progress equals the independent figures" \
	python3 pav.py progress "$STEPMARK_DB" 4 0.5 p.jsonl
expect_rc 0 "soft effective reward" sm export --format openrlhf --soft=mc:effective -o e.jsonl
ok "soft labels: the effective reward equals them (alpha 0.5)" \
	python3 pav.py effective "$STEPMARK_DB" 4 0.5 e.jsonl
# the K and alpha in force: the config's settings
printf 'set mc-k 2\nset mc-alpha 3\n' >k2.rc
expect_rc 0 "csv under mc-k 2" sm --config k2.rc export --format csv -o k2.csv
ok "csv: progress under K 2" python3 pav.py csv "$STEPMARK_DB" 2 3 k2.csv
expect_rc 0 "effective under mc-alpha 3" sm --config k2.rc export --format openrlhf \
	--soft=mc:effective -o e3.jsonl
ok "soft labels: the effective reward under K 2, alpha 3" \
	python3 pav.py effective "$STEPMARK_DB" 2 3 e3.jsonl
ok "K 2 changes the figures" sh -c '! cmp -s mc.csv k2.csv'

# audited like any per-step value: systems of their own, with a sweep
expect_rc 0 "audit" sm audit --truth truth
ok "the audit measures progress" has out "mc/sim-policy:progress"
ok "and the effective reward" has out "mc/sim-policy:effective"
ok "with a threshold sweep" sh -c 'grep -A8 "threshold sweep" out | grep -q "mc/sim-policy:effective"'

# differences only where every prefix used the same run: a second run
# with other settings re-estimates the first two prefixes only
expect_rc 0 "mc again, 4 rollouts, two prefixes" sm fetch --config cfg --mc --rollouts 4 --budget 8
expect_rc 0 "export csv after it" sm export --format csv -o mixed.csv
ok "no progress where the prefixes come from two runs" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
col = {h: i for i, h in enumerate(rows[0])}
assert all(r[col["mc_progress"]] == "" for r in rows[1:]), "progress across runs"
assert any(r[col["mc_n"]] == "4" for r in rows[1:])
' mixed.csv
expect_rc 0 "soft progress after it" sm export --format openrlhf --soft=mc:progress -o mixed.jsonl
ok "every step written hard: no progress to give" has err "no value from mc:progress: written as 1 or 0"

# the uncertain estimates: fewer than 4 rollouts or a Wilson interval
# wider than 0.5 (computed here), the summary's flag and the queue filter
cat >unsure.py <<'PY'
import math, sqlite3, sys
z = 1.959963984540054
def unsure(k, n):
    if n < 4:
        return True
    p = k / n
    d = 1 + z * z / n
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return 2 * h > 0.5
c = sqlite3.connect(sys.argv[1])
want = set()
for sol, step, model in c.execute("SELECT DISTINCT solution_id, step_idx, model FROM suggestion "
                                  "WHERE source = 'mc' AND step_idx IS NOT NULL AND n > 0"):
    k, n = c.execute("SELECT k, n FROM suggestion WHERE solution_id = ? AND step_idx = ? AND "
                     "source = 'mc' AND model IS ? AND n > 0 ORDER BY id DESC LIMIT 1",
                     (sol, step, model)).fetchone()
    if unsure(k, n):
        want.add(sol)
got = {s for (s,) in c.execute("SELECT solution_id FROM summary WHERE flags & 128")}
assert want == got, (sorted(want), sorted(got))
assert 0 < len(want) < 20, len(want)
print(len(want))
PY
ok "the flag marks exactly the solutions with an uncertain step" python3 unsure.py "$STEPMARK_DB"
nu=$(python3 unsure.py "$STEPMARK_DB")
TUI_SIZE=120x30 tui_run ':filter mc-uncertain
:save-display f.txt
q' --annotator x
ok "the queue's mc-uncertain filter lists them ($nu)" grep -q "mc-uncertain .* [0-9]*/$nu " f.txt
# a store of the schema before (16: undo 17, MC's, 18, the labels'
# global ids, 19, the batch rounds, 20, the agreed mark's column, and
# what came after: the migration flags what it holds
# (16, not the current version less k: a migration appended later
# would not undo the others')
cp store.db old.db
sqlite3 old.db "$(undo_25) $(undo_params) $(undo_words) $(undo_counts) $(undo_20) DROP INDEX summary_unsure; DROP INDEX summary_unsurep;
	ALTER TABLE suggestion DROP COLUMN rollouts; UPDATE summary SET flags = flags & ~128;
	DROP INDEX label_uid; DROP INDEX label_unsynced;
	ALTER TABLE label DROP COLUMN uid; ALTER TABLE label DROP COLUMN hub_seq;
	DROP TABLE batch_round; DROP TABLE batch_job; DROP TABLE batch_part;
	PRAGMA user_version = 16"
tui_run "q" --db old.db
ok "the migration flags them too" python3 unsure.py old.db

# the rollouts kept: by default one that reached the gold answer and one
# that did not, with their final answers
cat >kept.py <<'PY'
import sqlite3, sys
def kept(s):
    """mcstat.h's encoding: a mark, then "LEN:BYTES" twice, again and again"""
    out, i = [], 0
    while i < len(s):
        mark, i = s[i], i + 1
        fields = []
        for _ in range(2):
            j = s.index(":", i)
            n = int(s[i:j])
            fields.append(s[j + 1:j + 1 + n])
            i = j + 1 + n
        out.append((mark, fields[0], fields[1]))
    return out
c = sqlite3.connect(sys.argv[1])
good = bad = 0
for (r,) in c.execute("SELECT rollouts FROM suggestion WHERE source = 'mc' AND rollouts IS NOT NULL"):
    ks = kept(r)
    marks = [m for m, _, _ in ks]
    assert marks.count("+") <= 1 and marks.count("-") <= 1, ks
    for m, answer, text in ks:
        assert text.endswith("\\boxed{%s}." % answer), (answer, text)
    good += "+" in marks
    bad += "-" in marks
assert good > 10 and bad > 10, (good, bad)
PY
ok "one that reached the gold answer and one that did not, with their answers" \
	python3 kept.py "$STEPMARK_DB"
fake_config cfg0 "provider mc keep 0"
sql "DELETE FROM suggestion WHERE source='mc'; DELETE FROM job WHERE kind='mc'"
expect_rc 0 "mc keeping none" sm fetch --config cfg0 --mc --rollouts 8
ok "keep 0 keeps none" test "$(sql "SELECT count(*) FROM suggestion WHERE rollouts IS NOT NULL")" = 0
finish
