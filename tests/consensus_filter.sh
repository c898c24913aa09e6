#!/bin/sh
# The consensus filter of the Qwen PRM lessons, measured: on ProcessBench's
# gsm8k (400 solutions, its expert labels the simulated truth), the judge
# and MC of the fake server's simulated policy; a solution is kept when
# the MC first error equals the judge's. The audit prints each one's
# precision on the truth: the filter keeps fewer solutions, but more of
# them right, than either source alone.
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
python3 "$top_srcdir/tests/sim_data.py" "$SHARED_DATA/processbench/gsm8k.json" >"$TMP/sim.jsonl"
start_fake
fake_config cfg
sim_store
expect_rc 0 "judge" sm fetch --config cfg --judge --quiet
expect_rc 0 "mc" sm fetch --config cfg --mc --rollouts 8 --quiet
expect_rc 0 "consensus: the sources agreeing" sm consensus --policy "sources mc judge"
ok "some kept, some not" grep -q "^  decided  *[1-9][0-9]*" out
expect_rc 0 "the audit against the truth" sm audit --truth truth --json
grep '"kind":"filter"' out | grep '"dataset":"all"' >filter.json
grep '"kind":"source"' out | grep '"dataset":"all"' >sources.json
ok "one filter row" test "$(wc -l <filter.json)" = 1
ok "the filter's precision beats each source's" python3 - <<'PY'
import json
f = json.loads(open("filter.json").read())
prec = {"filter": f["same"] / f["judged"]}
for line in open("sources.json"):
    s = json.loads(line)
    judged = s["n_error"] + s["n_correct"] - s["none"]
    prec[s["source"]] = s["same"] / judged
print("# precision on the simulated truth: " +
      ", ".join("%s %.1f%%" % (k, 100 * v) for k, v in prec.items()) +
      "; kept %d of 400" % f["kept"])
assert prec.pop("agreed") == 1.0  # the agreed labels never overrule the truth's person
# (MC's progress and effective reward are audited as systems of their own)
assert set(prec) == {"filter", "judge/sim-judge", "mc/sim-policy", "mc/sim-policy:progress",
                     "mc/sim-policy:effective"}, prec
assert prec["filter"] > prec["judge/sim-judge"] and prec["filter"] > prec["mc/sim-policy"], prec
assert 0 < f["kept"] < 400
PY
expect_rc 0 "the audit as text" sm audit --truth truth
ok "the filters' table" has out "consensus filters: each sources rule alone"
ok "each source alone under it" grep -q "^ *mc/sim-policy  *alone  *400 " out
ok "the rules' table" grep -q "^gsm8k  *sources mc judge  *[0-9]" out
ok "agreed is a row of the metrics" grep -q "^gsm8k  *agreed " out

# the agreed labels as the truth: the people are measured against them
expect_rc 0 "truth: the agreed labels" sm audit --truth agreed
ok "says so" has out "truth: agreed (the agreed labels of stepmark consensus)"
ok "the truth annotator is a row now" grep -q "^gsm8k  *@truth " out
expect_rc 0 "the audit as CSV" sm audit --truth truth --csv
ok "rule and filter rows, 17 fields each" python3 - <<'PY'
import csv
rows = list(csv.reader(open("out")))
assert all(len(r) == len(rows[0]) for r in rows)
f = [r for r in rows if r[0] == "filter" and r[1] == "all"]
assert len(f) == 1 and f[0][2] == "sources mc judge" and int(f[0][11]) > 0 and float(f[0][12]) > 90, f
PY
finish
