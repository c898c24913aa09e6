#!/bin/sh
# kill -9 at random moments of scripted sessions (60 kills): every label
# the screen reported saved (STEPMARK_TRACE is written right after the
# status line says "saved") is in the store, and the store is intact.
. "$top_srcdir/tests/lib.sh"
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }

sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
# a long session: open a solution, label its steps every way, move on
python3 - <<'PY'
import random
r = random.Random(7)
lines = []
for s in range(400):
    lines.append("<Enter>")
    for k in range(12):
        lines.append(r.choice(["+", "0", "-", "x", "e", "c", "U", "^R", "j", "k", "j"]))
    lines.append("q")
    lines.append("j")
open("keys.txt", "w").write("\n".join(lines) + "\n")
PY
kills=0
i=0
while [ $i -lt 60 ]; do
	i=$((i + 1))
	STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 STEPMARK_TRACE=trace.txt \
		TERM=xterm-256color COLUMNS=100 LINES=24 \
		"$STEPMARK" --annotator "k$i" &
	pid=$!
	# between 20 and 400 ms into the session
	sleep "0.$(printf '%03d' $(( (i * 7919) % 380 + 20 )))"
	if kill -9 $pid 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait $pid 2>/dev/null
done
echo "# $kills kills, $(wc -l <trace.txt) actions reported saved"
ok "at least 50 sessions were killed" test $kills -ge 50
ok "some actions were saved" test "$(wc -l <trace.txt)" -ge 100
ok "integrity_check" test "$(sql 'pragma integrity_check')" = ok
# every reported action is in the store, with its labels
sed -n 's/^saved action=\([0-9]*\) solution=\([0-9]*\) .*/\1 \2/p' trace.txt >reported
sql "select a.id || ' ' || a.solution_id from action a where exists (select 1 from label l where l.action_id = a.id)" | sort >stored
sort reported >reported.s
ok "every action reported saved is stored" sh -c '[ -z "$(comm -23 reported.s stored)" ]'
comm -23 reported.s stored | head -5

# again while another writer takes the lock again and again: actions wait
# in the queue when the kill comes; those never reported saved may be
# lost, those reported saved never are
python3 -c '
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
end = time.time() + 30
while time.time() < end and not os.path.exists("stop"):
    c.execute("BEGIN IMMEDIATE")
    time.sleep(0.15)
    c.execute("COMMIT")
    time.sleep(0.1)' "$STEPMARK_DB" &
locker=$!
: >trace2.txt
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	STEPMARK_SCRIPT=keys.txt STEPMARK_SCRIPT_PACE=5 STEPMARK_NO_DISPLAY=1 STEPMARK_TRACE=trace2.txt \
		TERM=xterm-256color COLUMNS=100 LINES=24 \
		"$STEPMARK" --annotator "w$i" &
	pid=$!
	sleep "0.$(printf '%03d' $(( (i * 7919) % 500 + 300 )))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
done
touch stop
wait $locker
echo "# $(wc -l <trace2.txt) actions reported saved behind a busy lock"
ok "actions were saved behind the busy lock" test "$(wc -l <trace2.txt)" -ge 20
sed -n 's/^saved action=\([0-9]*\) solution=\([0-9]*\) .*/\1 \2/p' trace2.txt | sort >reported2.s
sql "select a.id || ' ' || a.solution_id from action a where exists (select 1 from label l where l.action_id = a.id)" | sort >stored2
ok "every action reported saved behind the lock is stored" sh -c '[ -z "$(comm -23 reported2.s stored2)" ]'
ok "integrity_check after" test "$(sql 'pragma integrity_check')" = ok
ok "no summary is missing" test "$(sql 'select count(*) from solution s where not exists (select 1 from summary m where m.solution_id = s.id)')" = 0
finish
