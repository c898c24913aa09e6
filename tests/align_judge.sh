#!/bin/sh
# The reference-guided judge (SPARE) against the fake server: one request
# per solution with a reference, links stored as alignments of source
# align-judge, verdicts as suggestions whose first incorrect step is the
# first error (right as often as the fake's accuracy makes it); every
# lenient form of reply is read, a reply with no JSON fails its job with
# the reason, a step left out is named; the audit has it as a source; the
# workbench shows its links beside the offline aligner's, and blind mode
# hides its links and verdicts but not the aligner's.
. "$top_srcdir/tests/lib.sh"
need_tmux
start_fake --judge-acc 1.0
# the simulation's records with a reference: the steps before the first
# error (all of them when there is none), each a paragraph
python3 - "$TMP/sim.jsonl" >simref.jsonl <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    fe = r["first_error"] if r["first_error"] is not None and r["first_error"] >= 0 else len(r["steps"])
    r["reference"] = "\n\n".join(r["steps"][:fe]) or "No step is right."
    print(json.dumps(r))
PY
sm import simref.jsonl --format generic --problem problem --steps steps --gold gold --id id \
	--first-error first_error --reference reference --as truth --dataset gsm8k >/dev/null
fake_config "$XDG_CONFIG_HOME/stepmark/config"
n=$(sql "SELECT count(*) FROM solution")

expect_rc 0 "fetch --align-judge" sm fetch --align-judge
ok "one job per solution, all done" has out "align-judge: $n done, 0 failed"
ok "one request each" test "$(grep -c chat/completions "$TMP/fake.log")" = "$n"
sm fetch --template align-judge >tmpl.txt
ok "the prompt holds the reference in steps" grep -q '{reference_steps}' tmpl.txt
ok "verdicts for every step" test "$(sql "SELECT count(*) FROM suggestion WHERE source = 'align-judge' AND step_idx IS NOT NULL")" = "$(sql "SELECT count(*) FROM step")"
ok "a first error for every solution" test "$(sql "SELECT count(*) FROM suggestion WHERE source = 'align-judge' AND step_idx IS NULL AND first_error >= -1")" = "$n"
# at accuracy 1 its first errors are the truth's
ok "its first errors are the truth's" test "$(sql "SELECT count(*) FROM suggestion g JOIN label l ON l.solution_id = g.solution_id AND l.kind = 'first_error' AND l.annotator = 'truth' WHERE g.source = 'align-judge' AND g.step_idx IS NULL AND g.first_error = l.value")" = "$n"
ok "links stored as align-judge, without scores" test "$(sql "SELECT count(*) FROM alignment WHERE source = 'align-judge' AND step_idx >= 0 AND ref_step >= 0 AND score IS NULL")" -gt 0
ok "step i restates reference step i" test "$(sql "SELECT count(*) FROM alignment WHERE source = 'align-judge' AND step_idx >= 0 AND ref_step >= 0 AND step_idx <> ref_step")" = 0
ok "steps after the reference ends are extra" test "$(sql "SELECT count(*) FROM alignment WHERE source = 'align-judge' AND ref_step = -1")" -gt 0

# the audit has it as a source
expect_rc 0 "audit" sm audit --truth truth --json
ok "align-judge is a source in the audit" grep -q '"kind":"source","dataset":"gsm8k","source":"align-judge/sim-judge",.*"f1":100,' out

# stepmark(1)'s example, run as written, in a store of its own: the
# references from a file of GSM8K-style answers, align, the judge, audit
man_commands "Reference solutions for GSM8K problems" |
	sed 's/^stepmark /"$STEPMARK" --db example.db /' >example.sh
ok "the example has its four commands" test "$(wc -l <example.sh)" = 4
python3 - simref.jsonl >gsm8k_test.jsonl <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(json.dumps({"question": r["problem"], "answer": r["reference"].replace("\n\n", "\n") + "\n#### " + r["gold"]}))
PY
"$STEPMARK" --db example.db import simref.jsonl --format generic --problem problem --steps steps \
	--gold gold --id id --first-error first_error --as expert --dataset gsm8k >/dev/null
expect_rc 0 "stepmark(1)'s example, as written" sh -e example.sh
ok "references given" has out "gsm8k_test.jsonl: $n problems given a reference"
ok "aligned, line by line" test "$(sqlite3 example.db "SELECT count(*) FROM alignment WHERE source = 'align' AND step_idx >= 0 AND ref_step >= 0")" -gt 0
ok "judged" has out "align-judge: $n done, 0 failed"
ok "audited" has out "align-judge/sim-judge"

# every form a model may answer in, in a store of its own
STEPMARK_DB=$TMP/styles.db sm import simref.jsonl --format generic --problem problem --steps steps \
	--gold gold --id id --first-error first_error --reference reference --as truth --dataset gsm8k >/dev/null
fake_control '{"mode": {"aj_styles": ["fenced", "trailing", "object", "keyed", "from1", "missing", "prose", "plain"]}}'
fake_config "$XDG_CONFIG_HOME/stepmark/config" "endpoint judge retries 0"
expect_rc 1 "fetch with every form of reply" env STEPMARK_DB=$TMP/styles.db "$STEPMARK" fetch --align-judge
nfail=$(sqlite3 "$TMP/styles.db" "SELECT count(*) FROM job WHERE state = 'failed'")
ok "only the replies with no JSON fail ($nfail)" test "$nfail" -ge 1 -a "$nfail" -lt "$n"
ok "their reason is said" test "$(sqlite3 "$TMP/styles.db" "SELECT count(*) FROM job WHERE state = 'failed' AND last_error LIKE '%the reply holds no JSON list of steps%'")" = "$nfail"
ok "the others are read whole: step i to reference step i" test "$(sqlite3 "$TMP/styles.db" "SELECT count(*) FROM alignment WHERE source = 'align-judge' AND step_idx >= 0 AND ref_step >= 0 AND step_idx <> ref_step")" = 0
ok "a step left out is named" test "$(sqlite3 "$TMP/styles.db" "SELECT count(*) FROM suggestion WHERE source = 'align-judge' AND step_idx IS NULL AND rationale LIKE 'the reply left out step %'")" -ge 1
ok "numbered from 1, read from 0" test "$(sqlite3 "$TMP/styles.db" "SELECT count(*) FROM suggestion WHERE source = 'align-judge' AND step_idx = 0")" = $((n - nfail))

# the workbench: its links beside the aligner's; blind mode hides its own
expect_rc 0 "align" sm align
sol=$(sql "SELECT solution_id FROM alignment WHERE source = 'align-judge' AND step_idx = 0 AND ref_step = 0 LIMIT 1")
TUI_SIZE=120x40 tui_run ":open $sol
:save-display j.txt" --annotator zoe
has j.txt " Reference  1 = ref 1"
ok "its verdicts beside the steps" grep -q "align-judge/sim-judge ok" j.txt
ok "the model's link is tagged with its source" grep -q " align-judge$" j.txt
printf 'set blind = yes\n' >>"$XDG_CONFIG_HOME/stepmark/config"
TUI_SIZE=120x40 tui_run ":open $sol
:save-display b.txt" --annotator zoe
ok "blind: no align-judge link, no verdict" sh -c '! grep -q "align-judge" b.txt'
ok "blind: the aligner's stay" grep -q "[01]\.[0-9][0-9] align$" b.txt
finish
