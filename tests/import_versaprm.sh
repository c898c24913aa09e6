# import_versaprm.sh - VersaPRM: several chains of thought per record,
# each a solution; labels 1/0/-1 or null per step (null never 0); the
# domain kept; the same shape exported back, record by record
. "$top_srcdir/tests/lib.sh"
VP="$FIXTURES/versaprm_sample.jsonl"

expect_rc 0 "VersaPRM, detected" sm import "$VP" --as versa
ok "summary: every chain a solution" has out "12 solutions (41 steps) imported as versaprm"
ok "keys: record id ':' cot_id, or the chain's place" test "$(sql "select group_concat(ext_key, ' ') from (select ext_key from solution order by id)")" = "70:0 70:1 70:2 71:0 71:1 2301:0 2301:1 2302:0 2302:1 chem-12:0 chem-12:1 chem-12:2"
ok "one problem per record" test "$(sql "select count(*) from problem")" = 5
# the ratings as the fixture gives them, computed here from the file
python3 - "$VP" >want.txt <<'PY'
import json, sys
m = {1: "+", 0: "0", -1: "-", None: "."}
for l in open(sys.argv[1]):
    r = json.loads(l)
    for c in r["chain_of_thoughts"]:
        lab = c["labels"]
        if lab is None or all(v is None for v in lab):
            print("none")
        else:
            print("".join(m[v] for v in lab) + "." * (len(c["steps"]) - len(lab)))
PY
sql "select coalesce((select text from label l where l.solution_id = s.id and l.annotator = 'versa'), 'none') from solution s order by s.id" >got.txt
ok "the ratings: 1/0/-1 as +1/0/-1, null unrated" cmp want.txt got.txt
ok "a null is not a 0: both kinds in the store" test "$(sql "select count(*) from label where text like '%.%'"):$(sql "select count(*) from label where text like '%0%'")" = "2:2"
ok "a null list and a list of nulls: no label" test "$(sql "select count(*) from solution s where not exists (select 1 from label l where l.solution_id = s.id)")" = 2
ok "the domain kept with each solution" test "$(sql "select group_concat(d, ' ') from (select json_extract(meta, '\$.domain') d from solution order by id)")" = "law law law law law biology biology biology biology chemistry chemistry chemistry"
ok "the gold answer and the chain's correctness" test "$(sql "select p.gold_answer || s.correct from solution s join problem p on p.id = s.problem_id where s.ext_key = '2302:0'")" = "C0"

# the workbench's domain filter: one domain's solutions, or any domain's
tui_run ':filter domain biology
:save-display d1.txt
:filter domain
:save-display d2.txt
:filter domain nope
:save-display d3.txt' --annotator zed
keys() { awk '$2 == "versaprm_sample" {print $3}' "$1" | tr '\n' ' '; }
ok "domain biology: its four chains" test "$(keys d1.txt)" = "2301:0 2301:1 2302:0 2302:1 "
ok "the status line says which" grep -q "domain biology  1/4 solutions" d1.txt
ok "domain alone: every solution with one" grep -q "domain  1/12 solutions" d2.txt
ok "a domain of none" grep -q "domain nope  0 solutions" d3.txt
# f passes the domain filter by: each window of rows would read every
# solution's metadata in a store without domains
tui_run ':filter mc-uncertain
f
:save-display d4.txt'
ok "f from mc-uncertain comes back to all" grep -q "  all  1/" d4.txt

expect_rc 0 "export versaprm" sm export --format versaprm -o back.jsonl
ok "counted by record" has err "12 solutions exported as versaprm (5 records)"
ok "round trip: every record back as it came" python3 - "$VP" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open("back.jsonl")]
assert got == want, [(w, g) for w, g in zip(want, got) if w != g]
PY
expect_rc 0 "and again" sh -c "'$STEPMARK' import back.jsonl --format versaprm --as versa --dataset again && '$STEPMARK' export --format versaprm --dataset again -o again.jsonl"
ok "the second round the same" cmp back.jsonl again.jsonl

# stepmark(1)'s VersaPRM example, run as written: a PRM's labels as a
# source, the audit by domain, alice in the workbench on the law chains,
# the export
mkdir walk && cd walk || exit 1
cp "$VP" versaprm.jsonl
# the PRM: the last step of every law chain wrong, every other step right
python3 - <<'PY'
import json
with open("scored.jsonl", "w") as f:
    for l in open("versaprm.jsonl"):
        r = json.loads(l)
        law = (r.get("category") or r.get("domain")) == "law"
        for c in r["chain_of_thoughts"]:
            n = len(c["steps"])
            c["labels"] = [1] * (n - 1) + [-1] if law else [1] * n
        f.write(json.dumps(r) + "\n")
PY
man_commands "VersaPRM (a question and several" >walk.txt
ok "five commands" test "$(wc -l <walk.txt)" = 5
printf '%s\n' ':filter domain law' ':save-display law.txt' '<Enter>' 'c' 'q' ':quit' >keys.txt
export STEPMARK_DB="$TMP/walk/stepmark.db"
n=0
while read -r cmd; do
	n=$((n + 1))
	set -- $cmd
	shift
	case "$cmd" in
	"stepmark --annotator "*)
		STEPMARK_SCRIPT=keys.txt STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=100 LINES=30 \
			"$STEPMARK" "$@" >out 2>err
		rc=$? ;;
	*) "$STEPMARK" "$@" >out 2>err; rc=$? ;;
	esac
	ok "step $n runs as written: $cmd ($rc)" test "$rc" = 0
	[ "$rc" = 0 ] || sed 's/^/  | /' err | head -5
	cp out "step$n.out"
done <walk.txt
ok "the audit says its split" grep -q "^split by domain" step3.out
ok "a row per domain" test "$(awk '$2 == "myprm" {print $1}' step3.out | head -4 | tr '\n' ' ')" = "biology chemistry law all "
ok "alice saw the law chains" test "$(grep -c "versaprm  *[0-9]*:[0-9]" law.txt)" = 5
ok "and decided the first" test "$(sql "select distinct s.ext_key from label l join solution s on s.id = l.solution_id where l.annotator = 'alice'")" = "70:0"
ok "the export: a record per question" test "$(wc -l <labelled.jsonl)" = 5

# the audit's figures by domain against those computed here from the file:
# ProcessBench's match (the source's first error equals the truth's), over
# the chains whose labels decide the first error
expect_rc 0 "audit --by domain --json" sm audit --truth versa --by domain --json
ok "the figures of each domain" python3 - "$VP" <<'PY'
import json, sys
def fe(labels, n):
    if labels is None:
        return None
    labels = labels + [None] * (n - len(labels))
    for i, v in enumerate(labels):
        if v is None:
            return None  # unrated before any error: undecided
        if v == -1:
            return i
    return -1
want = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    dom = r.get("domain") or r.get("category")
    for c in r["chain_of_thoughts"]:
        n = len(c["steps"])
        t = fe(c["labels"], n)
        if t is None:
            continue
        p = n - 1 if dom == "law" else -1
        for g in (dom, "all"):
            w = want.setdefault(g, [0, 0, 0, 0])
            k = 0 if t >= 0 else 2
            w[k] += 1
            w[k + 1] += p == t
got = {}
for l in open("out"):
    x = json.loads(l)
    if x.get("kind") == "source" and x["source"] == "myprm":
        got[x["domain"] or "all"] = x
assert set(got) == set(want), (got.keys(), want)
for g, (ne, me, nc, mc) in want.items():
    x = got[g]
    acc = lambda m, n: None if n == 0 else round(100 * m / n, 1)
    assert (x["n_error"], x["n_correct"]) == (ne, nc), (g, x, want[g])
    assert (x["acc_error"], x["acc_correct"]) == (acc(me, ne), acc(mc, nc)), (g, x, want[g])
PY
cd "$TMP" || exit 1
export STEPMARK_DB="$TMP/store.db"

# more chains in a record than the importer's ring has slots (16): each
# its own solution, the record's tree kept until the last is stored
python3 - <<'PY'
import json
with open("many.jsonl", "w") as f:
    for q in range(3):
        f.write(json.dumps({"id": "q%d" % q, "question": "Question %d?" % q, "domain": "law",
            "chain_of_thoughts": [{"steps": ["s%d of chain %d" % (i, c) for i in range(3)],
                                   "labels": [[1, None, -1], [0, 0, 1], None][c % 3]}
                                  for c in range(40)]}) + "\n")
PY
expect_rc 0 "40 chains a record" sm import many.jsonl --as versa
ok "120 solutions" has out "120 solutions (360 steps) imported"
expect_rc 0 "exported" sm export --format versaprm --dataset many -o many.back
ok "back as they came" python3 -c '
import json
assert [json.loads(l) for l in open("many.jsonl")] == [json.loads(l) for l in open("many.back")]'

# a bad chain makes its record bad, named by file and line, none stored
printf '%s\n' '{"id": "a", "question": "q", "chain_of_thoughts": [{"steps": ["x", "y"], "labels": [1, 2]}]}' \
	'{"id": "b", "question": "q", "chain_of_thoughts": [{"steps": ["x"], "labels": [1]}, {"steps": ["x"], "labels": [1, 1]}]}' \
	'{"id": "c", "question": "q", "chain_of_thoughts": []}' \
	'{"id": "d", "question": "q", "chain_of_thoughts": [{"steps": ["x"], "labels": null}, "s"]}' \
	'{"id": "e", "question": "q2", "chain_of_thoughts": [{"steps": ["x"], "labels": [0]}, {"steps": ["y"], "labels": [null]}]}' >bad.jsonl
expect_rc 1 "bad records" sm import bad.jsonl --format versaprm --dataset bad
ok "a label out of range" has err 'bad.jsonl:1: chain_of_thoughts[0]: labels[1] must be 1, 0, -1 or null, not 2'
ok "more labels than steps" has err "bad.jsonl:2: chain_of_thoughts[1]: 2 labels for 1 step"
ok "no chain" has err 'bad.jsonl:3: "chain_of_thoughts" is empty'
ok "a chain not an object" has err "bad.jsonl:4: chain_of_thoughts[1] is a string, not an object"
expect_rc 0 "--skip-bad keeps the good record whole" sm import bad.jsonl --format versaprm --dataset bad --skip-bad
ok "both chains of it, no chain of a bad one" test "$(sql "select group_concat(ext_key, ' ') from (select s.ext_key from solution s join dataset d on d.id = s.dataset_id where d.name = 'bad' order by s.id)")" = "e:0 e:1"
finish
