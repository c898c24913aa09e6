#!/bin/sh
# stepmark audit --by: every figure split by the truth's error category
# (which kinds of error does each source miss?) or by the guidelines
# version a label was made under, in the table, --json and --csv; the
# figures of a small store, checked by hand.
. "$top_srcdir/tests/lib.sh"

# six solutions of three steps; the truth (with PRMBench-like categories)
# and a second annotator and a source that both say "other"'s first errors:
#   s1 truth 1 calculation, other 1 (same)    s4 truth 1 logic, other 2 (later)
#   s2 truth 2 calculation, other - (missed)  s5 truth none,    other none
#   s3 truth 0 logic,       other 0 (same)    s6 truth 1 (no category), other 1
python3 - <<'PY'
import json
T = [("s1", 1, "calculation", 1), ("s2", 2, "calculation", None), ("s3", 0, "logic", 0),
     ("s4", 1, "logic", 2), ("s5", None, None, None), ("s6", 1, None, 1)]
with open("truth.jsonl", "w") as f, open("other.jsonl", "w") as g:
    for k, fe, cat, ofe in T:
        r = {"id": k, "q": "Compute %s." % k, "steps": ["a %s" % k, "b", "c"], "fe": fe, "cat": cat}
        f.write(json.dumps(r) + "\n")
        r = dict(r, fe=ofe)
        del r["cat"]
        g.write(json.dumps(r) + "\n")
PY
map="--problem q --steps steps --first-error fe --id id --dataset pb"
sm import truth.jsonl $map --category cat --as truth >/dev/null
sm import other.jsonl $map --as ann >/dev/null
sm import other.jsonl $map --as-source model >/dev/null
# the guidelines each of ann's labels was made under (the workbench
# records them): s1-s3 g1, s4-s5 g2, s6 none
sql "update label set guidelines = case when solution_id <= 3 then 'g1' when solution_id <= 5 then 'g2' end where annotator = 'ann'"

expect_rc 0 "--by category" sm audit --truth truth --by category --quiet
ok "says what the split is" has out "split by category: the truth's at its first error (none: not said)"
ok "the column is the category" grep -q "^category  *source  *n_err" out
# row GROUP SOURCE: its n_err n_cor acc_err acc_cor F1 same early late missed
# (the first table's: "no error" read as one word)
row() { sed 's/^no error /no_error /' out | awk -v g="$1" -v s="$2" '$1 == g && $2 == s {print $3, $4, $5, $6, $7, $8, $9, $10, $11; exit}'; }
ok "calculation: s1 same, s2 missed" test "$(row calculation model)" = "2 0 50.0 - - 1 0 0 1"
ok "logic: s3 same, s4 later" test "$(row logic @ann)" = "2 0 50.0 - - 1 0 1 0"
ok "no error: s5" test "$(row no_error model)" = "0 1 - 100.0 - 1 0 0 0"
ok "an error without a category: none" test "$(row none model)" = "1 0 100.0 - - 1 0 0 0"
ok "all of them" test "$(row all model)" = "5 1 60.0 100.0 75.0 4 0 1 1"
ok "no mean over data sets of a split" sh -c '! grep -q "mean over data sets" out'
ok "agreement split too" grep -q "^logic  *first ann ~ truth  *2  *50.0  *100.0" out

expect_rc 0 "--by category --json" sm audit --truth truth --by category --json --quiet
mv out by.json
jrow() { python3 - "$1" "$2" <<'PY'
import json, sys
for line in open("by.json"):
    r = json.loads(line)
    if r.get("kind") == "source" and r.get("category") == sys.argv[1] and r["source"] == sys.argv[2]:
        print(r["n_error"], r["acc_error"], r["missed"], r["later"])
PY
}
ok "json: the category keyed" test "$(jrow calculation model)" = "2 50 1 0"
ok "json: logic" test "$(jrow logic @ann)" = "2 50 0 1"
ok "json: no dataset key in a split" sh -c '! grep -q "\"dataset\"" by.json'
expect_rc 0 "--by category --csv" sm audit --truth truth --by category --csv --quiet
ok "csv: the column named" has out "kind,category,source,"
ok "csv: a row" grep -q "^source,calculation,model,,,2,0,50," out

expect_rc 0 "--by guidelines" sm audit --truth truth --by guidelines --quiet
ok "the column is the guidelines" grep -q "^guidelines source  *n_err" out
ok "g1: s1, s3 same, s2 missed" test "$(row g1 @ann)" = "3 0 66.7 - - 2 0 0 1"
ok "g2: s4 later, s5 right" test "$(row g2 @ann)" = "1 1 0.0 100.0 0.0 1 0 1 0"
ok "no guidelines: none" test "$(row none @ann)" = "1 0 100.0 - - 1 0 0 0"
ok "a source's too, by the annotators' labels" test "$(row g1 model)" = "3 0 66.7 - - 2 0 0 1"
expect_rc 0 "--by guidelines --json" sm audit --truth truth --by guidelines --json --quiet
ok "json: guidelines keyed" grep -q '"kind":"source","guidelines":"g2","source":"@ann","truth":"truth","n_error":1,"n_correct":1' out

expect_rc 0 "--by dataset is the default" sm audit --truth truth --by dataset --quiet
ok "data sets as before" grep -q "^pb  *model  *5  *1  *60.0  *100.0  *75.0" out
expect_rc 2 "an unknown split" sm audit --truth truth --by nope
ok "names the splits" has err "--by takes dataset, category, guidelines or domain"
finish
