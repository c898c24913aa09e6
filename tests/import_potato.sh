# import_potato.sh - Potato's PRM labels and failure attributions: labels
# alone onto solutions already in the store, 0 (neutral) and null
# (unrated) kept apart, out and back; the man page's examples as written
. "$top_srcdir/tests/lib.sh"
FX="$top_srcdir/tests/fixtures"

# run_example TEXT: each command of the man page's example after TEXT
run_example() {
	man_commands "$1" >example.txt
	[ -s example.txt ] || { echo "  no example after: $1"; return 1; }
	while read -r line; do
		# shellcheck disable=SC2086
		sm ${line#stepmark } </dev/null >>example.out 2>>example.err ||
			{ echo "  failed: $line"; sed 's/^/  | /' example.err; return 1; }
	done <example.txt
}

# rewards PATH: each record's "instance_id annotator mode r0,r1,..." (a
# step not listed is null), sorted
rewards() {
	python3 - "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    got = {s["index"]: s.get("reward") for s in r["steps"]}
    n = max(got) + 1 if got else 0
    out.append("%s %s %s %s" % (r["instance_id"], r["annotator"], r["mode"],
               ",".join("null" if got.get(i) is None else str(got[i]) for i in range(n))))
print("\n".join(sorted(out)))
PY
}

cp "$FX/processbench_gsm8k_20.json" gsm8k.json
cp "$FX/potato_prm_sample.jsonl" potato_prm.jsonl
ok "the man page's potato-prm example, as written" run_example "Labels made in Potato on solutions"
ok "says the labels went to solutions there" has example.out \
	'potato_prm.jsonl: 5 records of labels for solutions of data set "gsm8k" imported as potato-prm'
ratings="select s.ext_key || ' ' || annotator || ' ' || text from label l join solution s on s.id = l.solution_id where kind = 'ratings' and annotator in ('alice', 'bob') order by s.ext_key, annotator"
ok "0 and null apart in the store" test "$(sql "$ratings" | tr '\n' '|')" = \
	"gsm8k-0 alice +-0.|gsm8k-0 bob 0---|gsm8k-200 bob +0+..+++|gsm8k-202 alice ++|gsm8k-3 alice ++-.|"
ok "mode first_error: the first -1 is the first error, or none" \
	test "$(sql "select group_concat(s.ext_key || ':' || value, ' ') from label l join solution s on s.id = l.solution_id where kind = 'first_error' and annotator = 'alice'")" = "gsm8k-3:2 gsm8k-202:-1"
ok "no solution added" test "$(sql 'select count(*) from solution')" = 20
ok "alice's labels back in Potato's shape" test "$(rewards alice.jsonl | tr '\n' '|')" = \
	"gsm8k-0 alice per_step 1,-1,0,null|gsm8k-202 alice first_error 1,1|gsm8k-3 alice first_error 1,1,-1,null|"
expect_rc 0 "the same labels again" sm import potato_prm.jsonl --dataset gsm8k
ok "add nothing" has out "nothing to do"

# out and back into a fresh store with the same solutions
expect_rc 0 "export every annotator's, incomplete ones too" \
	sm export --format potato-prm --dataset gsm8k --annotator alice --annotator bob --incomplete -o a.jsonl
ok "the fixture's rewards, every step listed" test "$(rewards a.jsonl)" = "$(rewards potato_prm.jsonl)"
export STEPMARK_DB="$TMP/back.db"
expect_rc 0 "the same solutions" sm import gsm8k.json --as expert
expect_rc 0 "the labels" sm import a.jsonl --dataset gsm8k
ok "the same ratings, 0 and null apart" test "$(sql "$ratings")" = "$(sqlite3 "$TMP/store.db" "$ratings")"
expect_rc 0 "export again" \
	sm export --format potato-prm --dataset gsm8k --annotator alice --annotator bob --incomplete -o b.jsonl
ok "the same file" cmp a.jsonl b.jsonl
expect_rc 0 "without --incomplete" sm export --format potato-prm --dataset gsm8k --annotator bob
ok "a solution whose labels leave a step unrated is left out" has err "1 solution left out: labels incomplete"
expect_rc 0 "the first-error labels of a data set" sm export --format potato-prm --dataset gsm8k --annotator expert
ok "ProcessBench's: steps after the error null" has out \
	'{"instance_id":"gsm8k-3","annotator":"expert","mode":"first_error","steps":[{"index":0,"reward":1},{"index":1,"reward":1},{"index":2,"reward":-1},{"index":3,"reward":null}]}'

# whose labels: the record's annotator; --as for a record without one
printf '%s\n' '{"instance_id": "gsm8k-1", "mode": "per_step", "steps": [{"index": 0, "reward": 0}]}' \
	'{"instance_id": "gsm8k-2", "annotator": "carol", "steps": [{"index": 1, "reward": -1}]}' >mixed.jsonl
expect_rc 0 "--as names the annotator of a record without one" sm import mixed.jsonl --dataset gsm8k --as dora
ok "dora's and carol's" test "$(sql "select group_concat(annotator || ':' || text, ' ') from (select annotator, text from label where kind = 'ratings' and annotator in ('carol', 'dora') order by annotator)")" = "carol:.- dora:0"

# bad records name their file and line; nothing is stored
labels="select count(*) from label"
before=$(sql "$labels")
printf '%s\n' '{"instance_id": "gsm8k-1", "annotator": "eve", "steps": [{"index": 0, "reward": 1}]}' \
	'{"instance_id": "gsm8k-999", "annotator": "eve", "steps": [{"index": 0, "reward": 1}]}' >bad.jsonl
expect_rc 1 "an instance the data set lacks" sm import bad.jsonl --dataset gsm8k
ok "is named, with its file and line" has err \
	'bad.jsonl:2: instance_id "gsm8k-999" names no solution of data set "gsm8k"'
printf '%s\n' '{"instance_id": "gsm8k-2", "annotator": "eve", "steps": [{"index": 4, "reward": 1}]}' >bad.jsonl
expect_rc 1 "a step the solution lacks" sm import bad.jsonl --dataset gsm8k
ok "says how many it has" has err 'bad.jsonl:1: instance_id "gsm8k-2": its labels need 5 steps, the solution has 4'
printf '%s\n' '{"instance_id": "gsm8k-2", "annotator": "eve", "steps": [{"index": 0, "reward": 1}]}' \
	'{"instance_id": "gsm8k-2", "annotator": "eve", "steps": [{"index": 0, "reward": 0.5}]}' \
	'{"instance_id": "gsm8k-2", "annotator": "eve", "steps": [{"index": 0, "reward": 1}, {"index": 0, "reward": -1}]}' \
	'{"instance_id": "gsm8k-2", "annotator": "eve", "steps": [{"index": -1, "reward": 1}]}' >bad.jsonl
expect_rc 1 "rewards that are not 1, 0, -1 or null" sm import bad.jsonl --dataset gsm8k --format potato-prm
ok "a reward of 0.5" has err 'bad.jsonl:2: steps[0].reward must be 1, 0, -1 or null, not 0.5'
ok "a step twice" has err 'bad.jsonl:3: steps[1]: step 0 is listed twice'
ok "a negative index" has err 'bad.jsonl:4: steps[0].index must be an integer from 0 to 99999'
ok "nothing stored" test "$(sql "$labels")" = "$before"
expect_rc 1 "without --dataset" sm import potato_prm.jsonl
ok "says what it needs" has err "--format potato-prm needs --dataset NAME"

# Potato's failure attributions of real Who&When logs
WW=${SHARED_DATA:-}/who-when
if [ ! -f "$WW/Hand-Crafted/6.json" ]; then
	echo "skip: no $WW (Who&When part)"
	finish
fi
export STEPMARK_DB="$TMP/ww.db"
cp -r "$WW/Hand-Crafted" .
cp "$FX/potato_attribution_sample.jsonl" potato_attribution.jsonl
ok "the man page's potato-attribution example, as written" run_example "Potato's attributions of Who&When logs"
att="select s.ext_key || ' ' || l.annotator || ' ' || l.value || ' ' || coalesce(l.agent, '-') from label l join solution s on s.id = l.solution_id where kind = 'first_error' order by s.ext_key, l.annotator"
ok "stored as the data's attributions are" test "$(sql "$att" | grep -E ' (carol|dave) ' | tr '\n' '|')" = \
	"45 carol 20 Orchestrator|52 carol -1 -|6 carol 4 WebSurfer|6 dave 5 Orchestrator|"
ok "the reason is the label's text" test "$(sql "select text from label where annotator = 'dave'")" = \
	"The Orchestrator accepts the price without checking it."
ok "12 attributions written" test "$(wc -l <who.jsonl)" = 12
ok "the data's, exactly" python3 -c '
import json, glob, os, sys
got = {r["instance_id"]: r for r in map(json.loads, open("who.jsonl")) if r["annotator"] == "Hand-Crafted"}
for f in glob.glob("Hand-Crafted/*.json"):
    d, k = json.load(open(f)), os.path.basename(f)[:-5]
    want = (d["mistake_agent"], int(d["mistake_step"]), d["mistake_reason"])
    assert (got[k]["responsible_agent"], got[k]["decisive_step"], got[k]["reason"]) == want, k
assert len(got) == 8
'
ok "no decisive error: null step, null agent" has who.jsonl \
	'{"instance_id":"52","annotator":"carol","responsible_agent":null,"decisive_step":null,"reason":null}'
export STEPMARK_DB="$TMP/ww_back.db"
expect_rc 0 "the logs, their labels under another name" sm import Hand-Crafted --as data
expect_rc 0 "the attributions" sm import who.jsonl --dataset Hand-Crafted
ok "the same attributions" test "$(sql "$att" | grep -v ' data ')" = "$(sqlite3 "$TMP/ww.db" "$att")"
expect_rc 0 "export them again" sm export --format potato-attribution --dataset Hand-Crafted \
	--annotator Hand-Crafted --annotator carol --annotator dave -o who2.jsonl
ok "the same file" cmp who.jsonl who2.jsonl
expect_rc 0 "a trace's attributions as potato-prm" sm export --format potato-prm --annotator carol -o carol.jsonl
ok "no decisive error survives as a first_error record with no step rated" test \
	"$(rewards carol.jsonl | grep '^52 ')" = "52 carol first_error null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null"
export STEPMARK_DB="$TMP/ww_prm.db"
expect_rc 0 "the logs" sm import Hand-Crafted --as data
expect_rc 0 "carol's as PRM labels" sm import carol.jsonl --dataset Hand-Crafted
fes="select s.ext_key || ':' || l.value from label l join solution s on s.id = l.solution_id where kind = 'first_error' and annotator = 'carol' order by s.ext_key"
ok "decide the same decisive errors (not the agents: the shape has none)" test "$(sql "$fes")" = "$(sqlite3 "$TMP/ww.db" "$fes")"
expect_rc 0 "a predictor's attributions (--as-source)" sm import potato_attribution.jsonl --dataset Hand-Crafted --as-source pot
ok "suggestions with agent and reason, and a no-error one" test \
	"$(sql "select count(*) || ' ' || sum(first_error = -1) || ' ' || count(agent) from suggestion where source = 'pot' and step_idx is null")" = "4 1 3"
printf '%s\n' '{"instance_id": "6", "annotator": "eve", "responsible_agent": "WebSurfer", "decisive_step": "x4", "reason": null}' \
	'{"instance_id": "6", "annotator": "eve", "responsible_agent": "WebSurfer", "decisive_step": null}' \
	'{"instance_id": "6", "annotator": "eve", "responsible_agent": "WebSurfer", "decisive_step": 8}' >bad.jsonl
expect_rc 1 "malformed attributions" sm import bad.jsonl --dataset Hand-Crafted
ok "a step that is not a number" has err 'bad.jsonl:1: decisive_step "x4" is not an integer'
ok "an agent without a step" has err 'bad.jsonl:2: responsible_agent "WebSurfer" without a decisive_step'
ok "a step outside the log" has err 'bad.jsonl:3: instance_id "6": its labels need 9 steps, the solution has 8'
finish
