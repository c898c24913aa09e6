#!/bin/sh
# The labels never contradict the annotator's last action, played through
# the workbench itself: random key sessions (rate, first error, no error,
# accept, finish, undo, redo, moves between steps and solutions), each
# session a restart, two annotators. Then the store is read by an
# independent checker, through the ProcessBench export, and against what
# each session's last status line said.
. "$top_srcdir/tests/lib.sh"

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
sm fetch --calc --quiet >/dev/null 2>&1 # a source to accept

SESSIONS=${PROPERTY_SESSIONS:-100}
python3 - "$SESSIONS" <<'PY'
import random, sys
rnd = random.Random(20261125)
keys = ["+", "0", "-", "x", "e", "c", "U", "^R", "j", "k", "j", "k", "g", "G",
        "J", "K", "a\n<Enter>", "Fs", "Ff", "Fg", "Fb", "q\n<Enter>"]
for s in range(int(sys.argv[1])):
    with open("keys%02d" % s, "w") as f:
        f.write("<Enter>\n")
        for _ in range(rnd.randint(40, 120)):
            f.write(rnd.choice(keys) + "\n")
        f.write(":save-display screen%02d\n" % s)
PY

n=0
while [ "$n" -lt "$SESSIONS" ]; do
	s=$(printf %02d "$n")
	who=alice
	[ $((n % 3)) = 2 ] && who=bob
	echo "$who" >who$s
	STEPMARK_SCRIPT=keys$s STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=100 LINES=30 \
		sm --annotator "$who" >/dev/null 2>>tui.err || echo "session $s exited $?" >>tui.err
	for a in alice bob; do
		sm export --format processbench --annotator "$a" -o "export-$a-$s.json" 2>/dev/null
	done
	n=$((n + 1))
done
ok "every session ended well" test ! -s tui.err

ok "the store holds no contradiction, and the exports and screens agree" python3 - "$STEPMARK_DB" "$SESSIONS" <<'PY'
import json, re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
sessions = int(sys.argv[2])

def state(annotator, sol, after_action=None):
    """The labels in force; after_action(action, r, fe, finish) is called
    at the end of each action's labels."""
    r, fe, finish = {}, None, None
    rows = list(db.execute(
        "SELECT action_id, kind, step_idx, value, text FROM label "
        "WHERE annotator = ? AND solution_id = ? ORDER BY id", (annotator, sol)))
    for i, (act, kind, step, value, text) in enumerate(rows):
        if kind == "rating":
            r[step] = value
        elif kind == "first_error":
            fe = value
        elif kind == "finish":
            finish = text
        if after_action and (i + 1 == len(rows) or rows[i + 1][0] != act):
            after_action(act, r, fe, finish)
    return r, fe, finish

def contradiction(r, fe, finish):
    minus = sorted(i for i, v in r.items() if v == -1)
    if fe is not None and fe >= 0:
        if r.get(fe) != -1:
            return "first error %d not rated -1" % fe
        if minus and minus[0] < fe:
            return "a -1 before the first error %d" % fe
    if fe == -1 and minus:
        return "no error, yet -1 at %s" % minus
    if finish == "solution" and fe != -1:
        return "finish solution with first error %s" % fe
    if finish == "found_error" and (fe is None or fe < 0):
        return "finish found_error without a first error"
    return None

bad = []
actions = db.execute("SELECT count(*) FROM action").fetchone()[0]
sols = [row[0] for row in db.execute("SELECT id FROM solution")]
keys = dict(db.execute("SELECT id, ext_key FROM solution"))
# the state after every action of every annotator on every solution
checked = 0
for a in ("alice", "bob"):
    for sol in sols:
        def check(act, r, fe, finish):
            global checked
            checked += 1
            why = contradiction(r, fe, finish)
            if why:
                bad.append((a, sol, "after action %s: %s" % (act, why)))
        state(a, sol, check)
if checked < actions // 2:
    bad.append(("-", 0, "only %d of %d actions checked" % (checked, actions)))

# every export, after every session, says the claim the store holds then:
# checked at the end for the last export of each annotator
for a in ("alice", "bob"):
    last = "export-%s-%02d.json" % (a, sessions - 1)
    exported = {rec["id"]: rec["label"] for rec in json.load(open(last))}
    for sol in sols:
        r, fe, finish = state(a, sol)
        if fe is not None and exported.get(keys[sol]) != fe:
            bad.append((a, sol, "export says %s, the claim is %s" % (exported.get(keys[sol]), fe)))

# the last status line of each session names the claim of the solution on screen
screens = 0
for s in range(sessions):
    who = open("who%02d" % s).read().strip()
    lines = open("screen%02d" % s, encoding="utf-8").read().splitlines()
    head = [l for l in lines if l.startswith(" Problem ")]
    if not head:
        continue  # the session ended in the queue
    sol = int(re.search(r"#(\d+)", head[0]).group(1))
    status = lines[-1]
    exported = {rec["id"]: rec["label"] for rec in json.load(open("export-%s-%02d.json" % (who, s)))}
    want = exported.get(keys[sol])
    m = re.search(r"mine \d+/\d+  (?:first error (\d+)|(no error)|(undecided))", status)
    if not m:
        continue  # a long message took the whole line
    screens += 1
    said = int(m.group(1)) - 1 if m.group(1) else -1 if m.group(2) else None
    if said != want:
        bad.append((who, sol, "session %d: the status line says %s, the export %s" % (s, said, want)))
print("# %d actions checked over %d sessions, %d final status lines" % (actions, sessions, screens))
if screens < sessions // 4:
    bad.append(("-", 0, "only %d status lines could be read" % screens))
for b in bad[:20]:
    print("  ", b)
sys.exit(1 if bad else 0)
PY
finish
