#!/bin/sh
# stepmark consensus: each rule on hand-made solutions whose agreed label
# is known, the reasons nothing decided, the options (tolerance,
# threshold, min-rollouts), reruns that write only what changed, the
# config's policy, and adjudication from the command line.
. "$top_srcdir/tests/lib.sh"

# id, steps, ann1, ann2, mc, judge (first errors, 0-based; - none given)
python3 - <<'PY'
import json
sols = [
    ("maj", 4, 2, 2, 1, 3),     # two people agree: human-majority
    ("split", 4, 1, 3, 1, 1),   # people disagree: sources never overrule them
    ("conf", 4, -1, None, -1, 2),  # one person, mc agrees: confirmed
    ("src", 4, None, None, 2, 2),  # sources agree
    ("srcx", 4, None, None, 2, 3), # sources disagree
    ("few", 4, None, None, 2, None),  # one source alone
    ("lone", 5, 1, None, None, None), # one person, nothing else
    ("against", 4, 0, None, 2, 2),    # a person against agreeing sources
]
def w(name, col):
    with open(name, "w") as f:
        for s in sols:
            v = s[col]
            if v is None:
                continue
            f.write(json.dumps({"id": s[0], "problem": "P " + s[0],
                                "steps": ["s%d" % i for i in range(s[1])], "fe": v}) + "\n")
w("ann1.jsonl", 2); w("ann2.jsonl", 3); w("mc.jsonl", 4); w("judge.jsonl", 5)
with open("all.jsonl", "w") as f:
    for s in sols:
        f.write(json.dumps({"id": s[0], "problem": "P " + s[0],
                            "steps": ["s%d" % i for i in range(s[1])]}) + "\n")
PY
G="--format generic --problem problem --steps steps --id id --dataset d"
sm import all.jsonl $G >/dev/null
sm import ann1.jsonl $G --first-error fe --as ann1 >/dev/null
sm import ann2.jsonl $G --first-error fe --as ann2 >/dev/null
sm import mc.jsonl $G --first-error fe --as-source mc >/dev/null
sm import judge.jsonl $G --first-error fe --as-source judge >/dev/null
P="adjudicated, human-majority 2, confirmed-suggestion, sources mc judge"
agreed() { # agreed ID: first error|rule|why|agreed by|ratings
	sql "SELECT coalesce(a.first_error, 'none') || '|' || coalesce(a.rule, '') || '|' ||
	     coalesce(a.why, '') || '|' || coalesce(a.agreed_by, '') || '|' || coalesce(a.ratings, '')
	     FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$1'"
}
# the summaries' agreed mark (what the queue's agreed filter reads)
# follows the agreed rows: how many solutions it is wrong on
mark_wrong() {
	sql "SELECT count(*) FROM summary m WHERE m.agreed <> EXISTS (SELECT 1 FROM agreed g
	     WHERE g.solution_id = m.solution_id AND g.rule IS NOT NULL)"
}

expect_rc 2 "no policy anywhere" sm consensus
ok "says how to give one" has err "no policy: give --policy RULES, or a line in the config"
expect_rc 2 "an unknown rule" sm consensus --policy "adjudicated, majority 2"
ok "names it and the rules" has err 'unknown rule "majority" (rules: adjudicated, human-majority N'
expect_rc 2 "sources without sources" sm consensus --policy "sources"
ok "says what it needs" has err "sources needs the sources that must agree"
expect_rc 2 "an option a rule does not take" sm consensus --policy "human-majority 2 min-rollouts 4"
ok "says which" has err "human-majority takes no min-rollouts"
expect_rc 2 "a bad threshold" sm consensus --policy "sources mc prm threshold 2"
ok "says the range" has err "threshold is a number from 0 to 1"
expect_rc 2 "an empty rule" sm consensus --policy "human,, sources mc"
ok "says so" has err "an empty rule in the policy"
ok "nothing stored by a refused policy" test "$(sql 'SELECT count(*) FROM agreed')" = 0

expect_rc 0 "consensus" sm consensus --policy "$P"
cp out first.out
ok "counted: 8 solutions" has out "consensus on 8 solutions; policy: $P"
ok "human-majority decided one" grep -q "^    human-majority 2  *1$" out
ok "confirmed-suggestion one" grep -q "^    confirmed-suggestion  *1$" out
ok "sources one" grep -q "^    sources mc judge  *1$" out
ok "annotators disagree: one" grep -q "^    annotators disagree  *1$" out
ok "sources disagree: one" grep -q "^    sources disagree  *1$" out
ok "people and sources disagree: one" grep -q "^    people and sources disagree  *1$" out
ok "no verdict from a named source: two" grep -q "^    no verdict from a source the policy names  *2$" out
ok "too few labels: none" sh -c '! grep -q "too few labels" out'
ok "the undecided listed with their reason" has out "  d  split  annotators disagree"
ok "all stored" has out "stored: 8 changed, 0 as before"
ok "the agreed mark set on the three decided" test "$(sql "SELECT count(*) FROM summary WHERE agreed")" = 3
ok "and on no other" test "$(mark_wrong)" = 0

ok "maj: the people's first error" test "$(agreed maj)" = "2|human-majority 2||@ann1,@ann2|++-."
ok "conf: no error, with the source that agreed" test "$(agreed conf)" = "-1|confirmed-suggestion||@ann1,mc|++++"
ok "src: both sources" test "$(agreed src)" = "2|sources mc judge||mc,judge|++-."
ok "split: undecided, why" test "$(agreed split)" = "none||annotators disagree||"
ok "against: a person is not overruled" test "$(agreed against)" = "none||people and sources disagree||"
ok "lone: what is missing named" test "$(agreed lone)" = "none||no verdict from mc, judge||"
ok "few: the source missing named" test "$(agreed few)" = "none||no verdict from judge||"
ok "listed with it" has out "  d  few  no verdict from judge"

expect_rc 0 "again, nothing new" sm consensus --policy "$P"
ok "nothing rewritten" has out "stored: 0 changed, 8 as before"

# the reason looks only at what the rules name (issue 29): mc and judge
# disagree on srcx, but the rule names prm, which has no verdict there
expect_rc 0 "a rule naming a source with no verdict" sm consensus --policy "sources prm" --list
ok "srcx: no verdict from prm, not sources disagree" test "$(agreed srcx)" = "none||no verdict from prm||"
ok "none says sources disagree" sh -c '! grep -q "sources disagree" out'
ok "the mark cleared where nothing decides now" test "$(mark_wrong)" = 0

# a single person suffices under "human"; tolerance lets mc and judge
# one step apart agree on the earlier step
expect_rc 0 "another policy" sm consensus --policy "human, sources mc judge tolerance 1"
ok "lone: decided by the one person" test "$(agreed lone)" = "1|human||@ann1|+-..."
ok "srcx: within one step, the earlier" test "$(agreed srcx)" = "2|sources mc judge tolerance 1||mc,judge|++-."
ok "a new policy rewrites every row" has out "stored: 8 changed, 0 as before"
ok "the mark set again" test "$(mark_wrong)" = 0

# a label changes one solution: only its row is written
sm import ann2.jsonl $G --first-error fe --as ann2 >/dev/null
printf '{"id": "lone", "problem": "P lone", "steps": ["s0","s1","s2","s3","s4"], "fe": 1}\n' >more.jsonl
sm import more.jsonl $G --first-error fe --as ann2 >/dev/null
expect_rc 0 "consensus after a new label" sm consensus --policy "$P"
expect_rc 0 "and after nothing" sm consensus --policy "$P"
sm consensus --policy "human, sources mc judge tolerance 1" >/dev/null
sm import more.jsonl $G --first-error fe --as ann3 >/dev/null
expect_rc 0 "one more person on lone" sm consensus --policy "human, sources mc judge tolerance 1"
ok "only lone's row rewritten" has out "stored: 1 changed, 7 as before"
ok "lone: now three people" test "$(agreed lone)" = "1|human||@ann1,@ann2,@ann3|+-..."
# a rerun under the same policy reads only the solutions with new labels
# or suggestions; its figures and rows are a full run's
ok "only lone read again" has out "read again: 1 solution with labels or suggestions new since the last run (--full reads every one)"
grep -v "^read again" out >inc.out
sql "SELECT * FROM agreed ORDER BY solution_id" >inc.rows
expect_rc 0 "--full decides every solution again" sm consensus --policy "human, sources mc judge tolerance 1" --full
ok "and says nothing of reading again" sh -c '! grep -q "read again" out'
ok "the same figures as the rerun" sh -c 'sed "s/^stored: .*/stored:/" out >f1; sed "s/^stored: .*/stored:/" inc.out >f2; cmp f1 f2'
ok "the same rows as the rerun" test "$(sql "SELECT * FROM agreed ORDER BY solution_id")" = "$(cat inc.rows)"
# a new solution is read; one data set's run is no mark for the next
# run over every data set; a solution that lost its summary makes the
# next run a full one
printf '{"id": "late", "problem": "P late", "steps": ["s0","s1"], "fe": 0}\n' >late.jsonl
sm import late.jsonl $G --first-error fe --as ann1 >/dev/null
expect_rc 0 "after an import" sm consensus --policy "human, sources mc judge tolerance 1"
ok "the new solution read" has out "read again: 1 solution with"
ok "and decided" test "$(agreed late)" = "0|human||@ann1|-."
ok "counted with the rest" has out "consensus on 9 solutions"
expect_rc 0 "one data set" sm consensus --policy "human, sources mc judge tolerance 1" --dataset d
expect_rc 0 "then every one" sm consensus --policy "human, sources mc judge tolerance 1"
ok "reads every solution" sh -c '! grep -q "read again" out'
sql "DELETE FROM summary WHERE solution_id = (SELECT id FROM solution WHERE ext_key = 'late')"
expect_rc 0 "a summary gone" sm consensus --policy "human, sources mc judge tolerance 1"
ok "reads every solution again" sh -c '! grep -q "read again" out'
sql "DELETE FROM agreed WHERE solution_id = (SELECT id FROM solution WHERE ext_key = 'maj')"
expect_rc 0 "an agreed row deleted by hand" sm consensus --policy "human, sources mc judge tolerance 1"
ok "reads every solution" sh -c '! grep -q "read again" out'
ok "and writes the row again" test "$(agreed maj)" = "2|human||@ann1,@ann2|++-."
# rows deleted by hand leave the mark until the next run, which mends it
sql "DELETE FROM agreed"
sql "UPDATE summary SET agreed = 1 - agreed WHERE solution_id % 2"
expect_rc 0 "every row deleted by hand" sm consensus --policy "human, sources mc judge tolerance 1"
ok "every mark mended" test "$(mark_wrong)" = 0
# twenty rows at once (sixteen to a statement, then one by one): each
# solution's row its own, its first error its one person's
sm --db many.db import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
expect_rc 0 "twenty solutions" sm --db many.db consensus --policy human
ok "twenty rows stored" has out "stored: 20 changed, 0 as before"
ok "each the label of its solution" test "$(sqlite3 many.db "SELECT count(*) FROM agreed a JOIN label l
	ON l.solution_id = a.solution_id AND l.kind = 'first_error' AND l.value IS a.first_error
	WHERE a.rule = 'human'")" = 20
# labels written out of solution order, each read with its solution
# however the walk reads them: two runs of ids (the even solutions', then
# the odd ones'), then an id a solution, the last solution first
again() { # again WHO ORDER: the importer's labels again, as WHO, in that order
	sqlite3 many.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin,
	created_at) SELECT solution_id, step_idx, kind, value, '$1', 'test', 'then' FROM label
	WHERE annotator = 'processbench_gsm8k_20' ORDER BY $2"
}
again half "solution_id % 2, solution_id"
expect_rc 0 "labels in two runs" sm --db many.db consensus --policy "human-majority 2"
ok "each solution's two people" test "$(sqlite3 many.db "SELECT count(*) FROM agreed
	WHERE rule = 'human-majority 2' AND agreed_by = '@processbench_gsm8k_20,@half'")" = 20
again rev "solution_id DESC"
expect_rc 0 "labels a run each" sm --db many.db consensus --policy "human-majority 3"
ok "each solution's three people" test "$(sqlite3 many.db "SELECT count(*) FROM agreed
	WHERE rule = 'human-majority 3' AND agreed_by = '@processbench_gsm8k_20,@half,@rev'")" = 20

# thresholds and rollouts: a PRM's values and an MC's k/n (as a fetch
# would store them)
sid=$(sql "SELECT id FROM solution WHERE ext_key = 'few'")
now="2026-01-01T00:00:00Z"
sql "INSERT INTO suggestion(solution_id, step_idx, source, model, value, created_at) VALUES
     ($sid, 0, 'prm', 'p', 0.9, '$now'), ($sid, 1, 'prm', 'p', 0.6, '$now'),
     ($sid, 2, 'prm', 'p', 0.3, '$now'), ($sid, 3, 'prm', 'p', 0.2, '$now')"
expect_rc 0 "prm at 0.5 agrees with mc" sm consensus --policy "sources mc prm"
ok "few: mc and prm/p at step 3" test "$(agreed few)" = "2|sources mc prm||mc,prm/p|++-."
expect_rc 0 "prm at 0.7 does not" sm consensus --policy "sources mc prm threshold 0.7"
ok "few: sources disagree" test "$(agreed few)" = "none||sources disagree||"
sql "INSERT INTO suggestion(solution_id, step_idx, source, model, k, n, created_at) VALUES
     ($sid, 0, 'mc', 'm', 3, 4, '$now'), ($sid, 1, 'mc', 'm', 2, 4, '$now'),
     ($sid, 2, 'mc', 'm', 0, 4, '$now')"
expect_rc 0 "mc/m with 4 rollouts counts" sm consensus --policy "sources mc/m prm"
ok "few: decided with mc/m" test "$(agreed few)" = "2|sources mc/m prm||mc/m,prm/p|++-."
expect_rc 0 "but not from 8" sm consensus --policy "sources mc/m prm min-rollouts 8"
ok "few: too few rollouts is too few labels" test "$(agreed few)" = "none||too few labels||"

# the config's policy
mkdir -p "$XDG_CONFIG_HOME/stepmark"
printf 'consensus %s  # the team'"'"'s\n' "$P" >"$XDG_CONFIG_HOME/stepmark/config"
expect_rc 0 "the config's policy" sm consensus
ok "used" has out "policy: $P"
printf 'consensus adjudicated, human-majorty 2\n' >"$XDG_CONFIG_HOME/stepmark/config"
expect_rc 2 "a bad policy in the config" sm consensus
ok "named with its line" has err "config:1: consensus: unknown rule \"human-majorty\""
rm "$XDG_CONFIG_HOME/stepmark/config"

# adjudication from the command line
expect_rc 2 "adjudicate needs a reason" sm adjudicate --id split --pick ann2
ok "says so" has err "--reason TEXT is required"
expect_rc 2 "one decision at a time" sm adjudicate --id split --pick ann2 --no-error --reason r
expect_rc 2 "a step the solution lacks" sm adjudicate --id split --first-error 9 --reason r
ok "says so" has err "the solution has no step 9"
expect_rc 2 "an unknown id" sm adjudicate --id nosuch --no-error --reason r
ok "says so" has err 'no solution with id "nosuch"'
expect_rc 2 "pick someone who did not decide" sm adjudicate --id split --pick nobody --reason r
ok "says so" has err "nobody has not decided this solution's first error"
expect_rc 0 "adjudicate split: take ann2's" sm --annotator boss adjudicate --id split --pick ann2 --reason "step 2 only restates"
ok "says what it stored" has out "adjudicated: first error at step 4 (split, by boss)"
ok "one label, with its reason" test "$(sql "SELECT value || '|' || text || '|' || annotator FROM label WHERE kind = 'adjudication'")" = "3|step 2 only restates|boss"
expect_rc 0 "consensus" sm consensus --policy "$P"
ok "split: adjudicated, ann2's ratings" test "$(agreed split)" = "3|adjudicated||!boss|+++-"
ok "the adjudicator is nobody's annotator verdict" test "$(sql "SELECT count(*) FROM summary WHERE verdicts LIKE '%boss%'")" = 0
expect_rc 0 "the audit still runs" sm audit --truth ann1
ok "boss is not in it as an annotator" sh -c '! grep -q boss out'

# export of the agreed labels
expect_rc 2 "--agreed with --source" sm export --format trl --agreed --source mc
ok "refused" has err "--agreed or --source, not both"
expect_rc 0 "export --agreed as ProcessBench" sm export --format processbench --agreed -o agreed.json
ok "the undecided left out, said" has err "left out: no agreed label (stepmark consensus decides them"
ok "no stale warning right after consensus" sh -c '! grep -q "out of date" err'
ok "labels and provenance as agreed" python3 - <<'PY'
import json, sqlite3, os
rows = json.load(open("agreed.json"))
db = sqlite3.connect(os.environ["STEPMARK_DB"])
want = dict(db.execute("SELECT s.ext_key, a.first_error FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE a.rule IS NOT NULL"))
got = {r["id"]: r["label"] for r in rows}
assert got == want, (got, want)
by = {r["id"]: r["agreement"] for r in rows}
assert by["split"] == {"rule": "adjudicated", "agreed_by": ["!boss"], "policy": "adjudicated, human-majority 2, confirmed-suggestion, sources mc judge"}, by["split"]
assert by["maj"]["agreed_by"] == ["@ann1", "@ann2"]
PY
expect_rc 0 "export --agreed as OpenRLHF" sm export --format openrlhf --agreed
ok "split: ann2's first error, step 4" grep -q '^{"input":"P split s0 ки\\ns1 ки\\ns2 ки\\ns3 ки","label":\["+","+","+","-"\]}$' out
expect_rc 0 "CSV has the rule and who agreed" sm export --format csv --agreed
tr -d '\r' <out >agreed.csv
ok "header" grep -q ',agreed_rule,agreed_by$' agreed.csv
ok "a row (agreed_by starts with @: quoted after a ', as CSV cells a spreadsheet would run)" grep -q "^d,maj,0,s0,2,1,1,1,.*,human-majority 2,\"'@ann1,@ann2\"\$" agreed.csv
sm import more.jsonl $G --first-error fe --as ann4 >/dev/null
expect_rc 0 "after a new label" sm export --format trl --agreed
ok "export says the agreed labels may be stale" has err "came after stepmark consensus last ran"
# a store where consensus never ran has no agreed labels: said, nothing
# written, exit 1 (it said "came after" and wrote an empty file, exit 0)
sm --db fresh.db import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
expect_rc 1 "export --agreed before any consensus" sm --db fresh.db export --format trl --agreed -o none.jsonl
ok "says consensus has not run" has err "stepmark consensus has not run on this store"
ok "not that labels came after it" sh -c '! grep -q "came after" err'
ok "and writes nothing" test ! -e none.jsonl

# agent traces: a decisive error is a turn and an agent; both must agree
export STEPMARK_DB="$TMP/traces.db"
trace() { # trace ID STEP AGENT: a three-turn log by Planner, Coder, Checker
	printf '{"id": "%s", "question": "Q%s", "ground_truth": "1", "is_correct": false, "history": [{"content": "plan %s", "role": "user", "name": "Planner"}, {"content": "code", "role": "assistant", "name": "Coder"}, {"content": "check", "role": "assistant", "name": "Checker"}], "mistake_step": "%s", "mistake_agent": "%s", "mistake_reason": "because %s"}\n' "$1" "$1" "$1" "$2" "$3" "$3"
}
{ trace a 1 Coder; trace b 1 Coder; trace c 0 Planner; } >ann1.jsonl
{ trace a 1 Coder; trace b 1 Checker; trace c 2 Checker; } >ann2.jsonl
{ trace a 1 Coder; trace b 1 Coder; trace c 1 Coder; } >ann3.jsonl
sm import ann1.jsonl --dataset logs --as ann1 >/dev/null
sm import ann2.jsonl --dataset logs --as ann2 >/dev/null
expect_rc 0 "two annotators on traces" sm consensus --policy "human 2"
ok "the same turn and agent: agreed" test "$(sqlite3 traces.db "select g.first_error || '|' || g.agent from agreed g join solution s on s.id = g.solution_id where s.ext_key = 'a'")" = "1|Coder"
ok "the same turn, another agent: not agreed" test "$(sqlite3 traces.db "select coalesce(g.rule, 'none') || '|' || g.why from agreed g join solution s on s.id = g.solution_id where s.ext_key = 'b'")" = "none|annotators disagree"
expect_rc 0 "export the agreed attributions" sm export --format who-when --agreed -o agreed.jsonl
ok "one log, its agent and a decider's reason" python3 -c '
import json
rows = [json.loads(l) for l in open("agreed.jsonl")]
assert [(r["id"], r["mistake_step"], r["mistake_agent"], r["mistake_reason"]) for r in rows] == [("a", "1", "Coder", "because Coder")], rows
'
sm import ann3.jsonl --dataset logs --as ann3 >/dev/null
expect_rc 0 "a third annotator, majority" sm consensus --policy "human-majority 2"
ok "two of three on turn and agent" test "$(sqlite3 traces.db "select g.first_error || '|' || g.agent || '|' || g.agreed_by from agreed g join solution s on s.id = g.solution_id where s.ext_key = 'b'")" = "1|Coder|@ann1,@ann3"
ok "no two agree on c" test "$(sqlite3 traces.db "select coalesce(g.rule, 'none') from agreed g join solution s on s.id = g.solution_id where s.ext_key = 'c'")" = none
# agreement between people on traces: the agent blamed, and Cohen's kappa
# computed here from its definition
expect_rc 0 "audit of the traces" sm audit --truth ann3 --json
ok "agreement on the agent blamed" python3 -c '
import json
from collections import Counter
rows = [json.loads(l) for l in open("out")]
r = [x for x in rows if x.get("kind") == "agreement" and x["on"] == "agent" and x["a"] == "ann1" and x["b"] == "ann2" and x["dataset"] == "logs"]
assert len(r) == 1, rows
r = r[0]
a, b = ["Coder", "Coder", "Planner"], ["Coder", "Checker", "Checker"]
po = sum(x == y for x, y in zip(a, b)) / 3
ca, cb = Counter(a), Counter(b)
pe = sum(ca[k] * cb[k] for k in set(a) | set(b)) / 9
assert r["n"] == 3 and abs(r["exact"] - 100 * po) < 1e-6, r
assert abs(r["kappa"] - (po - pe) / (1 - pe)) < 1e-6, (r["kappa"], (po - pe) / (1 - pe))
assert r["within1"] is None, r
'
expect_rc 0 "audit as text" sm audit --truth ann3
ok "a row on the agent" grep -q "^logs  *agent ann1 ~ ann2  *3 *33.3 " out
finish
