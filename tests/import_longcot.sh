# import_longcot.sh - long reasoning and its verifiers: DeltaBench's
# sections (several errors and unuseful ones kept), ThinkPRM's
# verification chains of thought as a judge's rationale and verdicts
. "$top_srcdir/tests/lib.sh"
DB="$FIXTURES/deltabench_sample.jsonl"
TP="$FIXTURES/thinkprm_sample.jsonl"

expect_rc 0 "DeltaBench, detected" sm import "$DB" --as delta
ok "summary" has out "3 solutions (10 steps) imported as deltabench"
ok "a rating per section: errors -1, unuseful 0, the rest +1" test "$(sql "select group_concat(text, ' ') from (select l.text from label l join solution s on s.id = l.solution_id order by s.ext_key)")" = "+0-+ ++ +-++"
ok "the first error is the first erroneous section" test "$(sql "select group_concat(fe, ' ') from (select s.ext_key, (select count(*) from step t where t.solution_id = s.id) n, instr((select text from label where solution_id = s.id), '-') - 1 fe from solution s order by s.ext_key)")" = "2 -1 1"
expect_rc 0 "export deltabench" sm export --format deltabench -o back.jsonl
ok "every record back, sections and numbers as they were" python3 - "$DB" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = {r["id"]: r for r in (json.loads(l) for l in open("back.jsonl"))}
for w in want:
    g = got[w["id"]]
    for k in ("question", "answer", "sections_content", "reason_error_section_numbers"):
        assert g[k] == w[k], (w["id"], k, g[k], w[k])
    assert g["reason_unuseful_section_numbers"] == (w["reason_unuseful_section_numbers"] or []), w["id"]
PY
printf '%s\n' '{"question": "q", "sections_content": ["a", "b"], "reason_error_section_numbers": [3]}' \
	'{"question": "q", "sections_content": ["a", "b"], "reason_error_section_numbers": [0]}' \
	'{"question": "q", "sections_content": ["a"], "reason_error_section_numbers": ["one"]}' >bad.jsonl
expect_rc 1 "sections outside the chain" sm import bad.jsonl --format deltabench --dataset bad
ok "past the last" has err "bad.jsonl:1: reason_error_section_numbers: section 3 is outside the 2 sections (numbered from 1)"
ok "numbered from 1" has err "bad.jsonl:2: reason_error_section_numbers: section 0 is outside"
ok "not a number" has err 'bad.jsonl:3: field "reason_error_section_numbers" must hold integers, not string'

# the audit's section-level figures for a source against DeltaBench's labels
python3 - "$DB" >pred.jsonl <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    r["reason_error_section_numbers"] = [len(r["sections_content"])] if r["id"] != "delta-2" else []
    print(json.dumps(r))
PY
expect_rc 0 "a critic's sections as a source" sm import pred.jsonl --format deltabench --dataset deltabench_sample --as-source critic
expect_rc 0 "audit" sm audit --truth delta --json
ok "section precision and recall of the critic" python3 -c '
import json
r = [json.loads(l) for l in open("out") if json.loads(l).get("source") == "critic" and json.loads(l)["dataset"] == "deltabench_sample"][0]
# truth wrong sections: delta-1 s3, delta-3 s2; the critic says delta-1 s4, delta-3 s4
assert (r["step_precision"], r["step_recall"]) == (0, 0), r
'

# DeltaBench's own averages: per chain, the critic's sections after the
# truth's last error dropped, a chain without errors scoring 0; computed
# here from DeltaBench's evaluation script's definitions
python3 >multi.jsonl <<'PY'
import json
chains = [("m-1", 6, [2, 4], [3]), ("m-2", 3, [], []), ("m-3", 4, [1, 3], []), ("m-4", 5, [3], [1])]
for cid, n, err, unu in chains:
    print(json.dumps({"id": cid, "question": "q " + cid, "answer": "1",
        "sections_content": ["section %d of %s" % (i + 1, cid) for i in range(n)],
        "reason_error_section_numbers": err, "reason_unuseful_section_numbers": unu}))
PY
python3 - >multi_critic.jsonl <<'PY'
import json
said = {"m-1": [2, 5, 6], "m-2": [1], "m-3": [], "m-4": [1, 3]}
for l in open("multi.jsonl"):
    r = json.loads(l)
    r["reason_error_section_numbers"] = said[r["id"]]
    r["reason_unuseful_section_numbers"] = []
    print(json.dumps(r))
PY
expect_rc 0 "several errors per chain" sm import multi.jsonl --as delta --dataset multi
expect_rc 0 "a critic of them" sm import multi_critic.jsonl --format deltabench --dataset multi --as-source critic
expect_rc 0 "audit" sm audit --truth delta --json --dataset multi
ok "the macro figures equal DeltaBench's" python3 - <<'PY'
import json
truth = {json.loads(l)["id"]: json.loads(l)["reason_error_section_numbers"] for l in open("multi.jsonl")}
said = {json.loads(l)["id"]: json.loads(l)["reason_error_section_numbers"] for l in open("multi_critic.jsonl")}
P = R = F = 0.0
for k, t in truth.items():
    if not t:
        continue  # scores 0, still counted
    pred = set(x for x in said[k] if x <= max(t))
    tp, fp, fn = len(pred & set(t)), len(pred - set(t)), len(set(t) - pred)
    p = tp / (tp + fp) if tp + fp else 0
    r = tp / (tp + fn) if tp + fn else 0
    P, R, F = P + p, R + r, F + (2 * p * r / (p + r) if p + r else 0)
n = len(truth)
want = (100 * P / n, 100 * R / n, 100 * F / n)
row = [json.loads(l) for l in open("out") if json.loads(l).get("source") == "critic" and json.loads(l)["dataset"] == "multi"][0]
got = (row["step_precision_macro"], row["step_recall_macro"], row["step_f1_macro"])
assert all(abs(a - b) < 1e-6 for a, b in zip(got, want)), (got, want)
assert want != (row["step_precision"], row["step_recall"], row["step_f1"]), "macro equals micro: the test says nothing"
PY
expect_rc 0 "audit, text" sm audit --truth delta --dataset multi
ok "the table says what it averages" has out "steps per solution, averaged as DeltaBench scores"

# ThinkPRM: the ground truth as labels, the verifier as a judge
expect_rc 0 "ThinkPRM, detected" sm import "$TP" --as truth
ok "summary" has out "2 solutions (6 steps) imported as thinkprm"
ok "the ground truth as ratings" test "$(sql "select group_concat(text, ' ') from (select l.text from label l join solution s on s.id = l.solution_id join dataset d on d.id = s.dataset_id where d.name = 'thinkprm_sample' order by s.id)")" = "+++ +--"
ok "a verdict per step" test "$(sql "select group_concat(value, ' ') from (select g.value from suggestion g join solution s on s.id = g.solution_id join dataset d on d.id = s.dataset_id where d.name = 'thinkprm_sample' and g.step_idx is not null order by g.id)")" = "1.0 1.0 1.0 1.0 0.0 0.0"
ok "its first error and its text" test "$(sql "select group_concat(first_error || ':' || (rationale like '%boxed{incorrect}%'), ' ') from (select g.* from suggestion g join solution s on s.id = g.solution_id join dataset d on d.id = s.dataset_id where d.name = 'thinkprm_sample' and g.step_idx is null order by g.id)")" = "-1:0 1:1"
expect_rc 0 "audit the verifier" sm audit --truth truth --json
ok "it finds the error and the correct solution" python3 -c '
import json
r = [json.loads(l) for l in open("out") if json.loads(l).get("source") == "thinkprm" and json.loads(l)["dataset"] == "thinkprm_sample"][0]
assert (r["acc_error"], r["acc_correct"]) == (100, 100), r
'
expect_rc 0 "export thinkprm" sm export --format thinkprm --dataset thinkprm_sample -o tp_back.jsonl
ok "the records back: steps, ground truth and the verifier's text" python3 - "$TP" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open("tp_back.jsonl")]
assert len(got) == len(want), (len(got), len(want))
for w, g in zip(want, got):
    for k in ("problem", "prefix_steps", "gt_step_labels", "cot"):
        assert g[k] == w[k], (k, g[k], w[k])
PY
STEPMARK_DB="$TMP/tp2.db" sm import tp_back.jsonl --as truth >/dev/null
STEPMARK_DB="$TMP/tp2.db" expect_rc 0 "exported again from a store of the export" sm export --format thinkprm -o tp_again.jsonl
ok "the same bytes" cmp tp_back.jsonl tp_again.jsonl
ok "from that store: its two solutions, the truth's labels, the verifier's" test "$(sqlite3 "$TMP/tp2.db" "select (select count(*) from solution) || ':' || (select count(distinct solution_id) from label where annotator = 'truth') || ':' || (select count(*) from suggestion where source = 'thinkprm' and step_idx is null)")" = 2:2:2
expect_rc 0 "--as-source: the verifier alone" sm import "$TP" --dataset vonly --as-source v2
ok "no labels, the verdicts as v2's" test "$(sql "select (select count(*) from label l join solution s on s.id = l.solution_id join dataset d on d.id = s.dataset_id where d.name = 'vonly') || ':' || (select count(*) from suggestion where source = 'v2')")" = "0:8"

# stepmark(1)'s examples as written: DeltaBench with a critic, ThinkPRM
mkdir ex && cd ex
cp "$DB" deltabench.jsonl
cp ../pred.jsonl critic.jsonl
cp "$TP" thinkprm.jsonl
export STEPMARK_DB="$PWD/ex.db"
man_commands "DeltaBench's long chains of thought (each section" >delta.txt
man_commands "ThinkPRM's verification chains of thought: the ground" >think.txt
ok "three and two commands" test "$(wc -l <delta.txt)-$(wc -l <think.txt)" = 3-2
# each command as written (stepmark dropped), its output kept as outN
n=0
run_examples() {
	while read -r cmd; do
		n=$((n + 1))
		set -- $cmd
		shift
		expect_rc 0 "example: $cmd" sm "$@"
		cp out out$n
	done <"$1"
}
run_examples delta.txt
ok "the critic's macro figures" grep -q '"source":"critic".*"step_f1_macro"' out3
run_examples think.txt
ok "the verifier audited" grep -q "thinkprm" out5
finish
