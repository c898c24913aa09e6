# audit_attribution.sh - who failed and when, audited: agent- and
# step-level accuracy of each attribution method against Who&When's own
# labels, equal to a computation written from the paper's definitions
. "$top_srcdir/tests/lib.sh"
need_shared who-when/Hand-Crafted/3.json
WW="$SHARED_DATA/who-when"
sim_whowhen "$WW" # the fake server's truth: each log's turn and agent
# a model right 60 % of the time: the methods differ
start_fake --judge-acc 0.6
sm import "$WW/Algorithm-Generated" >/dev/null
sm import "$WW/Hand-Crafted" >/dev/null
fake_config cfg
for m in all-at-once step-by-step binary; do
	expect_rc 0 "fetch $m" sm fetch --config cfg --attribute --method $m --quiet
done
ok "three sources, one per method" test "$(sql "select count(distinct model) from suggestion where source = 'attribute'")" = 3

expect_rc 0 "audit" sm audit --truth Algorithm-Generated,Hand-Crafted --json
cp out audit.jsonl
# the paper's figures, from the data's files and the methods' answers
ok "agent and step accuracy as the paper defines them" python3 - "$WW" "$STEPMARK_DB" <<'PY'
import glob, json, os, sqlite3, sys
ww, db = sys.argv[1], sys.argv[2]
truth = {}
for sub in ("Algorithm-Generated", "Hand-Crafted"):
    for f in glob.glob(os.path.join(ww, sub, "*.json")):
        d = json.load(open(f))
        truth[(sub, os.path.basename(f)[:-5])] = (d["mistake_agent"], d["mistake_step"])
con = sqlite3.connect(db)
pred = {}
for ds, key, model, fe, agent in con.execute(
        "select d.name, s.ext_key, g.model, g.first_error, g.agent from suggestion g "
        "join solution s on s.id = g.solution_id join dataset d on d.id = s.dataset_id "
        "where g.source = 'attribute' and g.step_idx is null order by g.id"):
    pred[(model, ds, key)] = (agent, fe)
models = sorted({m for m, _, _ in pred})
rows = [json.loads(l) for l in open("audit.jsonl")]
seen = 0
for m in models:
    for ds in ("Algorithm-Generated", "Hand-Crafted", None):
        logs = [k for k in truth if ds is None or k[0] == ds]
        # a prediction counts when it equals the truth exactly; no answer is wrong
        agent = sum(1 for k in logs if pred.get((m,) + k, (None, None))[0] == truth[k][0])
        step = sum(1 for k in logs if str(pred.get((m,) + k, (None, None))[1]) == truth[k][1])
        r = [x for x in rows if x.get("kind") == "source" and x["source"] == "attribute/" + m
             and x["dataset"] == (ds or "all")]
        assert len(r) == 1, (m, ds, len(r))
        r = r[0]
        assert r["logs"] == len(logs), (m, ds, r["logs"], len(logs))
        assert abs(r["agent_acc"] - 100.0 * agent / len(logs)) < 1e-6, (m, ds, r["agent_acc"], agent)
        assert abs(r["step_acc"] - 100.0 * step / len(logs)) < 1e-6, (m, ds, r["step_acc"], step)
        seen += 1
assert seen == 9, seen
# the methods are not all perfect, nor all wrong: the check can fail
accs = {round(r["step_acc"], 3) for r in rows if r.get("kind") == "source" and "step_acc" in r}
assert len(accs) > 2, accs
PY
expect_rc 0 "audit, as text" sm audit --truth Algorithm-Generated,Hand-Crafted
ok "a table of its own" has out "who and when: agent traces, scored as Who&When scores them (%)"
ok "a row per method" grep -q "^Hand-Crafted *attribute/sim-judge+binary *8 *8 " out
ok "says how a turn counts" has out "Who&When's script counts \"1\" right for \"12\""
finish
