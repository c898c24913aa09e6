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
ok "no summary is missing" test "$(sql 'select count(*) from solution s where not exists (select 1 from summary m where m.solution_id = s.id)')" = 0
finish
