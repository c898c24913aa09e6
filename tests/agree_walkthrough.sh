#!/bin/sh
# The agreed-labels walk-through of stepmark(1)'s EXAMPLES, run as
# written: ProcessBench's gsm8k with its labels as a source, 20 records an
# expert checked, PRM800K's sample; the judge and MC (the fake server);
# alice and bob dealt an overlap with gold mixed in, bob in a copy of the
# store; their sessions and carol's review as key scripts; merge,
# consensus, the audit, the agreed labels as OpenRLHF and step pairs.
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
need_shared prm800k/sample.jsonl
unset STEPMARK_DB # the walk-through uses ./stepmark.db
cp "$SHARED_DATA/processbench/gsm8k.json" gsm8k.json
cp "$SHARED_DATA/prm800k/sample.jsonl" prm800k.jsonl
python3 -c '
import json
json.dump(json.load(open("gsm8k.json"))[:20], open("checked.json", "w"))'

man_commands "Agree on labels as a team" >walk.txt
ok "fifteen commands" test "$(wc -l <walk.txt)" = 15

python3 "$top_srcdir/tests/sim_data.py" gsm8k.json >"$TMP/sim.jsonl"
# GSM8K's test file: each question with its answer, ending "#### gold"
python3 - "$TMP/sim.jsonl" <<'PY'
import json, sys
with open("gsm8k_test.jsonl", "w") as f:
    for line in open(sys.argv[1]):
        x = json.loads(line)
        f.write(json.dumps({"question": x["problem"], "answer": "The steps.\n#### " + x["gold"]}) + "\n")
PY
start_fake
mkdir -p "$XDG_CONFIG_HOME/stepmark"
fake_config "$XDG_CONFIG_HOME/stepmark/config"

n=0
while read -r line; do
	n=$((n + 1))
	eval "set -- $line"
	case "$line" in
	"stepmark --annotator alice")
		walk_session alice "$(sqlite3 stepmark.db "SELECT count(*) FROM assignment WHERE annotator = 'alice'")" >keys.txt ;;
	"stepmark --db bob.db --annotator bob")
		walk_session bob "$(sqlite3 bob.db "SELECT count(*) FROM assignment WHERE annotator = 'bob'")" >keys.txt ;;
	"stepmark --annotator carol")
		walk_session carol "$(sqlite3 stepmark.db "SELECT count(*) FROM summary WHERE flags & 4")" >keys.txt
		cp keys.txt carol.keys ;;
	esac
	shift
	case "$line" in
	"stepmark "*"--annotator "*)
		STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=100 LINES=30 \
			"$STEPMARK" "$@" >out 2>err
		rc=$? ;;
	stepmark*) "$STEPMARK" "$@" >out 2>err; rc=$? ;;
	*) sh -c "$line" >out 2>err; rc=$? ;;
	esac
	ok "step $n runs as written: $line ($rc)" test "$rc" = 0
	[ "$rc" = 0 ] || sed 's/^/  | /' err | head -5
	cp out "step$n.out"
	cp err "step$n.err"
done <walk.txt

sql() { sqlite3 stepmark.db "$@"; }
ok "dealt 60, an overlap, gold from the expert" grep -q "^dealt 60 solutions to 2 annotators (12 to two of them)" step6.out
ok "alice labelled all hers" test "$(sql "SELECT count(*) FROM assignment a JOIN summary m ON m.solution_id = a.solution_id WHERE a.annotator = 'alice' AND instr(m.verdicts, char(10) || '@alice' || char(9)) = 0")" = 0
ok "bob's labels came with the merge" grep -q "labels\\? by bob" step10.out
ok "bob labelled all his" test "$(sql "SELECT count(*) FROM assignment a JOIN summary m ON m.solution_id = a.solution_id WHERE a.annotator = 'bob' AND instr(m.verdicts, char(10) || '@bob' || char(9)) = 0")" = 0
ok "carol adjudicated every disagreement" test "$(sql "SELECT count(*) FROM summary m WHERE m.flags & 4 AND NOT EXISTS (SELECT 1 FROM label l WHERE l.solution_id = m.solution_id AND l.kind = 'adjudication' AND l.annotator = 'carol')")" = 0
ok "some were adjudicated" test "$(sql "SELECT count(*) FROM label WHERE kind = 'adjudication'")" -gt 0
ok "consensus: adjudicated, majority, sources, the lone person" python3 - step12.out <<'PY'
import re, sys
out = open(sys.argv[1]).read()
counts = dict((m.group(1).strip(), int(m.group(2))) for m in re.finditer(r"^    (\S.*?)\s+(\d+)$", out, re.M))
for rule in ("adjudicated", "human-majority 2", "sources mc judge", "human"):
    assert counts.get(rule, 0) > 0, (rule, counts)
PY
ok "the audit against the agreed labels" grep -q "^truth: agreed (the agreed labels of stepmark consensus)" step13.out
ok "its rules" grep -q "^agreed labels (stepmark consensus; policy: adjudicated, human-majority 2, confirmed-suggestion, sources mc judge, human)" step13.out
ok "alice's progress and gold" grep -q "^gsm8k  *alice .* [1-9][0-9]* *[1-9][0-9]* *[1-9][0-9]* " step13.out
ok "openrlhf: every decided solution" test "$(wc -l <prm.jsonl)" = "$(sql "SELECT count(*) FROM agreed WHERE rule IS NOT NULL")"
ok "step pairs from PRM800K" test -s pairs.jsonl
ok "pairs carry who agreed" python3 -c '
import json
rows = [json.loads(l) for l in open("pairs.jsonl")]
assert rows and all(r["dataset"] == "prm800k" and r["agreement"]["rule"] for r in rows)'
finish
