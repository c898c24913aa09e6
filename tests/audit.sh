#!/bin/sh
# stepmark audit on ProcessBench's real gsm8k split: a model's predictions
# imported with --as-source, a second annotator with --as, and every
# figure checked against an independent computation written here from
# the definitions (ProcessBench's evaluation; Cohen's kappa).
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
GSM="$SHARED_DATA/processbench/gsm8k.json"
expect_rc 0 "import the expert labels" sm import "$GSM" --dataset gsm8k --as expert

# a model's predictions, ProcessBench result lines ("prediction")
python3 - "$GSM" <<'PY'
import json, random, sys
rs = json.load(open(sys.argv[1]))
r = random.Random(7)
with open("pred.jsonl", "w") as f:
    for x in rs:
        n = len(x["steps"])
        x["prediction"] = x["label"] if r.random() < 0.6 else r.randint(-1, n - 1)
        f.write(json.dumps(x) + "\n")
# a second annotator who differs on some solutions
r = random.Random(11)
with open("ann2.jsonl", "w") as f:
    for x in rs:
        n = len(x["steps"])
        y = dict(x)
        if r.random() < 0.25:
            y["label"] = r.randint(-1, n - 1)
        f.write(json.dumps(y) + "\n")
PY
expect_rc 0 "predictions as a source" sm import pred.jsonl --format processbench --dataset gsm8k --as-source mypred
ok "the solutions were already there" has out "400 solutions already there (same id, same steps) given the file's labels as mypred"
expect_rc 0 "a second annotator" sm import ann2.jsonl --format processbench --dataset gsm8k --as ann2
expect_rc 0 "the same labels again" sm import ann2.jsonl --format processbench --dataset gsm8k --as ann2
ok "nothing new the second time" has out "nothing to do"
ok "no label written twice" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'ann2'")" = 400

expect_rc 0 "audit as JSON" sm audit --truth expert --json
cp out audit.jsonl
ok "ProcessBench figures as its evaluation computes them" python3 - "$GSM" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))
pred = {json.loads(l)["id"]: json.loads(l)["prediction"] for l in open("pred.jsonl")}
err = [r for r in rs if r["label"] != -1]
cor = [r for r in rs if r["label"] == -1]
acc_err = sum(pred[r["id"]] == r["label"] for r in err) / len(err) * 100
acc_cor = sum(pred[r["id"]] == -1 for r in cor) / len(cor) * 100
f1 = 2 * acc_err * acc_cor / (acc_err + acc_cor)
rows = [json.loads(l) for l in open("audit.jsonl")]
row = [x for x in rows if x["kind"] == "source" and x["source"] == "mypred" and x["dataset"] == "gsm8k"][0]
assert row["n_error"] == len(err) and row["n_correct"] == len(cor), row
for k, v in (("acc_error", acc_err), ("acc_correct", acc_cor), ("f1", f1)):
    assert abs(row[k] - v) < 1e-3, (k, row[k], v)
assert row["truth"] == "expert", row
# where the first errors fall
late = sum(pred[r["id"]] > r["label"] for r in err)
early = sum(0 <= pred[r["id"]] < r["label"] for r in err)
missed = sum(pred[r["id"]] == -1 for r in err)
fa = sum(pred[r["id"]] != -1 for r in cor)
assert (row["later"], row["earlier"], row["missed"], row["false_alarm"]) == (late, early, missed, fa), row
offsets = [0] * 7
for r in err:
    p = pred[r["id"]]
    if p >= 0:
        offsets[max(-3, min(3, p - r["label"])) + 3] += 1
assert row["offsets"] == offsets, (row["offsets"], offsets)
PY
ok "Cohen's kappa and exact agreement between the two" python3 - "$GSM" <<'PY'
import json, sys
from collections import Counter
a = {r["id"]: r["label"] for r in json.load(open(sys.argv[1]))}
b = {json.loads(l)["id"]: json.loads(l)["label"] for l in open("ann2.jsonl")}
ids = sorted(a)
n = len(ids)
po = sum(a[i] == b[i] for i in ids) / n
ca, cb = Counter(a[i] for i in ids), Counter(b[i] for i in ids)
pe = sum(ca[k] / n * cb[k] / n for k in set(ca) | set(cb))
kappa = (po - pe) / (1 - pe)
within = sum(a[i] == b[i] or (a[i] >= 0 and b[i] >= 0 and abs(a[i] - b[i]) <= 1) for i in ids) / n
rows = [json.loads(l) for l in open("audit.jsonl")]
row = [x for x in rows if x["kind"] == "agreement" and x["on"] == "first_error" and x["b"] is not None and x["dataset"] == "gsm8k"][0]
assert {row["a"], row["b"]} == {"ann2", "expert"}, row
assert row["n"] == n and abs(row["exact"] - 100 * po) < 1e-3, (row, po)
assert abs(row["kappa"] - kappa) < 1e-4, (row["kappa"], kappa)
assert abs(row["within1"] - 100 * within) < 1e-3, (row["within1"], within)
assert row["alpha"] is not None and row["ac1"] is not None, row
PY

# changed labels for the same annotator: appended, the newest counts
python3 - <<'PY'
import json
with open("ann2b.jsonl", "w") as f:
    for i, l in enumerate(open("ann2.jsonl")):
        x = json.loads(l)
        if i < 10:
            x["label"] = -1 if x["label"] != -1 else 0
        f.write(json.dumps(x) + "\n")
PY
expect_rc 0 "changed labels for ann2" sm import ann2b.jsonl --format processbench --dataset gsm8k --as ann2
ok "only the changed solutions gained labels" has out "10 solutions already there"
ok "the history keeps both" test "$(sql "SELECT count(*) FROM label WHERE annotator = 'ann2'")" = 410

# the tables a person reads
expect_rc 0 "audit as tables" sm audit --truth expert
ok "the ProcessBench table" has out "ProcessBench metrics"
ok "the F1 bars" has out "█"
ok "the offset histogram" has out "first-error offsets on erroneous solutions"
ok "agreement" has out "ann2 ~ expert"
expect_rc 0 "--ascii" sm audit --truth expert --ascii
ok "no block characters" sh -c '! grep -q "█" out'
expect_rc 0 "--csv" sm audit --truth expert --csv
ok "the csv header" has out "kind,dataset,source,a,b,n_error,n_correct,acc_error,acc_correct,f1"
expect_rc 0 "--source selects" sm audit --truth expert --json --source mypred
ok "only mypred's rows" test "$(grep -c '"kind":"source"' out)" = "$(grep -c '"source":"mypred"' out)"

# a PRM's per-step scores (generic --step-values): the threshold sweep
python3 - "$GSM" <<'PY'
import json, random, sys
r = random.Random(5)
with open("scores.jsonl", "w") as f:
    for x in json.load(open(sys.argv[1])):
        fe = x["label"]
        sc = [round(min(1, max(0, (0.8 if fe < 0 or i < fe else 0.25) + r.uniform(-0.3, 0.3))), 3)
              for i in range(len(x["steps"]))]
        f.write(json.dumps({"id": x["id"], "problem": x["problem"], "steps": x["steps"], "scores": sc}) + "\n")
PY
expect_rc 2 "--step-values needs --as-source" sm import scores.jsonl --id id --problem problem --steps steps --step-values scores --dataset gsm8k
ok "says so" has err "--step-values needs --as-source"
expect_rc 0 "a PRM's scores as a source" sm import scores.jsonl --id id --problem problem --steps steps --step-values scores --dataset gsm8k --as-source myscores
ok "given to the solutions already there" has out "400 solutions already there"
expect_rc 0 "audit with the sweep" sm audit --truth expert --json --source myscores
ok "the sweep as ProcessBench's F1 at each threshold" python3 - "$GSM" <<'PY'
import json, sys
rs = {x["id"]: x["label"] for x in json.load(open(sys.argv[1]))}
sc = {json.loads(l)["id"]: json.loads(l)["scores"] for l in open("scores.jsonl")}
row = [json.loads(l) for l in open("out") if '"dataset":"gsm8k"' in l and '"kind":"source"' in l][0]
assert row["source"] == "myscores" and "sweep" in row, row
best = (0, None)
for t, f1 in row["sweep"]:
    ok_e = ok_c = n_e = n_c = 0
    for i, label in rs.items():
        fe = next((k for k, v in enumerate(sc[i]) if v < t), -1)
        if label >= 0:
            n_e += 1; ok_e += fe == label
        else:
            n_c += 1; ok_c += fe == -1
    ae, ac = 100 * ok_e / n_e, 100 * ok_c / n_c
    want = 2 * ae * ac / (ae + ac) if ae + ac else 0
    assert abs(f1 - want) < 1e-6, (t, f1, want)
    if want > best[0] + 1e-12:
        best = (want, t)
assert abs(row["best_threshold"] - best[1]) < 1e-9 and abs(row["best_f1"] - best[0]) < 1e-6, (row["best_threshold"], best)
PY
printf '{"id": "x", "problem": "p", "steps": ["a", "b"], "scores": [0.5]}\n' >short.jsonl
expect_rc 1 "a list of another length" sm import short.jsonl --id id --problem problem --steps steps --step-values scores --dataset short --as-source s
ok "names file and line" has err 'short.jsonl:1: field "scores" has 1 values for 2 steps'

# --where: the queue's disagreement filters
expect_rc 0 "--where disagree-annotators" sm audit --truth expert --where disagree-annotators --json
ok "only the solutions the annotators disagree on" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("out")]
pair = [r for r in rows if r["kind"] == "agreement" and r["on"] == "first_error" and r["b"] and r["dataset"] == "gsm8k"][0]
assert pair["exact"] == 0 and pair["n"] > 0, pair
PY
expect_rc 2 "an unknown filter" sm audit --truth expert --where nope
ok "lists the filters" has err "--where is all, disagree"

# degenerate: no erroneous solutions, one annotator, a source with nothing
python3 - "$GSM" <<'PY'
import json, sys
with open("good.jsonl", "w") as f:
    for r in json.load(open(sys.argv[1])):
        if r["label"] == -1:
            f.write(json.dumps(r) + "\n")
PY
sm import good.jsonl --format processbench --dataset allgood --as solo >/dev/null
expect_rc 0 "a data set with no error" sm audit --truth solo --dataset allgood --json
ok "n_error 0: acc_error and F1 undefined (null), not 0" python3 -c '
import json
rows = [json.loads(l) for l in open("out")]
src = [r for r in rows if r["kind"] == "source"]
assert not src or all(r["n_error"] == 0 and r["acc_error"] is None and r["f1"] is None for r in src), src
assert not [r for r in rows if r["kind"] == "agreement"], rows
'

# every solution of the truth erroneous (issue 29: "acc_cor 0.0 F1 0.0"):
# ProcessBench's F1 is undefined there, "-", null, left out of the means
python3 - "$GSM" <<'PY'
import json, sys
with open("bad.jsonl", "w") as f, open("badpred.jsonl", "w") as g:
    for i, r in enumerate([x for x in json.load(open(sys.argv[1])) if x["label"] != -1][:200]):
        f.write(json.dumps(r) + "\n")
        r["prediction"] = r["label"] if i % 4 else -1
        g.write(json.dumps(r) + "\n")
PY
sm import bad.jsonl --format processbench --dataset allbad --as solo >/dev/null
sm import badpred.jsonl --format processbench --dataset allbad --as-source badpred >/dev/null
expect_rc 0 "a truth with no correct solution, as JSON" sm audit --truth solo --dataset allbad --json --source badpred
ok "acc_correct and F1 null, acc_error 75" python3 -c '
import json
src = [json.loads(l) for l in open("out") if "\"kind\":\"source\"" in l]
assert src and all(r["n_correct"] == 0 and r["acc_correct"] is None and r["f1"] is None and r["acc_error"] == 75 for r in src), src
'
expect_rc 0 "the same as tables" sm audit --truth solo --dataset allbad --source badpred
ok "F1 shown as -" grep -Eq '^allbad +badpred +[0-9]+ +0 +75\.0 +- +- ' out
ok "says why once" test "$(grep -c 'F1 is undefined' out)" = 1
ok "left out of the mean, no bar" grep -Eq '^badpred +- +\(1 data set left out: F1 undefined\)$' out
ok "no 0.0 F1 anywhere" sh -c '! grep -E "^allbad +badpred .* 0\.0 +[0-9]+ " out'
expect_rc 0 "--csv" sm audit --truth solo --dataset allbad --source badpred --csv
ok "empty F1 cell" grep -q '^source,allbad,badpred,,,[0-9]*,0,75,,,' out
expect_rc 1 "an unknown truth" sm audit --truth nobody
ok "names it" has err 'no labels by "nobody"'
expect_rc 2 "no truth" sm audit
ok "says what --truth is" has err "audit needs --truth"
expect_rc 1 "an unknown data set" sm audit --truth expert --dataset nope
ok "names it" has err 'no data set named "nope"'
# more solutions than a window of the walk (4 096): the agreed labels and
# the assignments, read a window at a time beside it, count in every one
export STEPMARK_DB="$TMP/wide.db"
python3 "$top_srcdir/tests/gen_big.py" --processbench 9000 >wide.jsonl
sm import wide.jsonl --format processbench --dataset wide --as expert >/dev/null
sm consensus --policy "human 1" --quiet >/dev/null
sm assign --annotators zed,yan >/dev/null
expect_rc 0 "an audit of 9000" sm audit --truth expert --json
ok "the agreed labels of every window judged" \
	grep -q '"kind":"source","dataset":"all","source":"agreed",.*"n_error":[0-9]*,"n_correct":[0-9]*,.*"same":9000,' out
asg=$(python3 -c 'import json, sys
print(sum(r["assigned"] for r in map(json.loads, open(sys.argv[1])) if r["kind"] == "annotator" and r["dataset"] == "all"))' out)
ok "every assignment counted" test "$asg" = "$(sql 'SELECT count(*) FROM assignment')" -a "$asg" -gt 4096
finish
