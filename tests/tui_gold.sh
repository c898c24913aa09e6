#!/bin/sh
# Gold stays hidden: in an annotator's queue (tmux, 80x24) a gold item's
# row looks like any other row dealt to them, blind or not: no one
# else's labels, counts or verdicts until they have decided it with
# blind mode off; the same in the solution, review and audit views.
. "$top_srcdir/tests/lib.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }

# the data's labels as a source; an expert decided three solutions
sm import "$FIXTURES/processbench_gsm8k_20.json" --format processbench --dataset pb \
	--as-source pbsrc >/dev/null
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))
json.dump(rs[:3], open("expert.json", "w"))
PY
sm import expert.json --format processbench --dataset pb --as expert >/dev/null
expect_rc 0 "deal with gold from the expert" sm assign --annotators alice,bob --gold 0.2 \
	--gold-from expert --seed 3
ok "alice holds gold" test "$(sql "SELECT count(*) FROM assignment WHERE annotator = 'alice' AND gold")" -ge 2

# each queue row as a template: id, key, step counts, the verdicts'
# values and the problem's text taken out; a gold row's must be a
# plain row's
cat >rows.py <<'PY'
import os, re, sqlite3, sys
db = sqlite3.connect(os.environ["STEPMARK_DB"])
me = sys.argv[2]
gold = {k: g for k, g in db.execute(
    "SELECT s.ext_key, a.gold FROM assignment a JOIN solution s ON s.id = a.solution_id "
    "WHERE a.annotator = ?", (me,))}
probs = dict(db.execute("SELECT s.ext_key, p.text FROM solution s JOIN problem p ON p.id = s.problem_id"))
row = re.compile(r"^(..)(\d+)(\s+)(\S+)(\s+)(gsm8k-\d+)(\s+)(\d+)(\s+)(\d+)/(\d+)(\s+)(.*)$")
shapes = {0: set(), 1: set()}
for line in open(sys.argv[1]):
    m = row.match(line.rstrip("\n"))
    if not m or m.group(6) not in gold:
        continue
    key = m.group(6)
    tail = m.group(13)
    text = " ".join(probs[key].split())
    # the problem's text ends the row: cut where it starts
    at = next((i for i in range(len(tail) + 1) if text.startswith(tail[i:]) and len(tail) - i >= 5), len(tail))
    verdicts = re.sub(r":(\d+|ok|\?)", ":V", tail[:at])
    shape = "%s|%s|%s|%s" % (m.group(1), m.group(10) if m.group(10) == "0" else "n", verdicts, len(m.group(9)) > 0)
    shapes[gold[key]].add(shape)
print("gold:", sorted(shapes[1]))
print("plain:", sorted(shapes[0]))
ok = shapes[1] and shapes[0] and shapes[1] <= shapes[0]
sys.exit(0 if ok else 1)
PY

# the workbench at 80x24
tmx new-session -d -s a -x 80 -y 24 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator alice; echo EXITED \$?; sleep 600"
ok "the queue opens" wait_for a "[queue]"
tmx send-keys -t a -l ":filter assigned"
tmx send-keys -t a Enter
ok "alice's queue" wait_for a "assigned"
sleep 0.3
screen_of a >q1.txt
ok "at 80 columns" test "$(awk '{ if (length($0) > w) w = length($0) } END { print w }' q1.txt)" -le 80
ok "no expert on alice's queue" sh -c '! grep -q expert q1.txt'
ok "a gold row is a plain row (blind off)" python3 rows.py q1.txt alice

# blind: the labelled count gave gold away
tmx send-keys -t a b
ok "blind on" wait_for a "blind: suggestions hidden"
sleep 0.3
screen_of a >q2.txt
ok "a gold row is a plain row (blind)" python3 rows.py q2.txt alice
tmx send-keys -t a b b
ok "blind off again" wait_for a "blind mode off"

# the solution view of a gold item and of a plain one: the same status,
# nobody else's labels
goldkey=$(sql "SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = 'alice' AND a.gold ORDER BY a.ord LIMIT 1")
plainkey=$(sql "SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = 'alice' AND NOT a.gold ORDER BY a.ord LIMIT 1")
open_sol() { # open_sol PANE KEY: the solution KEY in the solution view
	tmx send-keys -t "$1" -l ":open $2"
	tmx send-keys -t "$1" Enter
	wait_for "$1" "[solution]" && wait_for "$1" "$2"
}
ok "open the gold item" open_sol a "$goldkey"
screen_of a >s_gold.txt
tmx send-keys -t a q
ok "open a plain item" open_sol a "$plainkey"
screen_of a >s_plain.txt
tmx send-keys -t a q
ok "no expert in the gold item's view" sh -c '! grep -q expert s_gold.txt'
status() { tail -1 "$1" | sed 's/[0-9][0-9]*/N/g; s/  */ /g'; }
ok "the same status line" test "$(status s_gold.txt)" = "$(status s_plain.txt)"
ok "which says others are hidden" grep -q "(others hidden)" s_gold.txt

# the review view of the gold item: alice's column only
ok "open the gold item again" open_sol a "$goldkey"
tmx send-keys -t a V
ok "the review" wait_for a "Review"
screen_of a >r_gold.txt
ok "no expert in the review" sh -c '! grep -q expert r_gold.txt'
tmx send-keys -t a q q

# the audit view against the expert: alice has decided none of her
# gold, so the expert's verdicts count only where it is not hers
tmx send-keys -t a -l ":set truth expert"
tmx send-keys -t a Enter A
ok "the audit" wait_for a "truth: expert"
ok "its figures" wait_for a "n_err"
screen_of a >a1.txt
tmx send-keys -t a q
visible=$(sql "SELECT count(DISTINCT solution_id) FROM label WHERE annotator = 'expert' AND solution_id NOT IN (SELECT solution_id FROM assignment WHERE annotator = 'alice')")
ok "the source measured on the $visible expert verdicts alice may see" \
	test "$(awk '$1 == "pbsrc" && !n { n = $2 + $3 } END { print n + 0 }' a1.txt)" = "$visible"

# the filters count no one else's verdicts on a hidden item either: of
# the three solutions the expert decided (agreed by "human"), alice may
# see only the one not dealt to her (no-consensus leaves the other two
# out as well: it reads a partial index)
sm consensus --policy human >/dev/null
ok "three agreed" test "$(sql "SELECT count(*) FROM agreed WHERE rule IS NOT NULL")" = 3
tmx send-keys -t a -l ":filter agreed"
tmx send-keys -t a Enter
ok "the agreed filter" wait_for a "agreed  "
sleep 1
screen_of a >f1.txt
ok "alice's agreed filter: the one she may see" grep -Eq "agreed +1/1 solution " f1.txt
tmx send-keys -t a -l ":filter assigned"
tmx send-keys -t a Enter

# alice decides the gold item with blind mode off: now she may see
ok "open the gold item to decide it" open_sol a "$goldkey"
tmx send-keys -t a c
ok "decided" wait_for a "saved"
ok "and the expert's label shows" wait_for a "expert"
tmx send-keys -t a q
ok "the queue row too" wait_for a " expert:"
tmx send-keys -t a Q
finish
