#!/bin/sh
# Qualification then consensus: assign --qualify gives each new
# annotator the same gold items first; alice labels her queue in the
# workbench (tmux, 80x24), bob and carol by import; the consensus
# policy's min-gold-accuracy leaves out the labels of those below the
# bar or with no gold answered yet. The figures were worked out by hand
# (below).
. "$top_srcdir/tests/lib.sh"
need_tmux
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }

sm import "$FIXTURES/processbench_gsm8k_20.json" --format processbench --dataset pb \
	--as-source pbsrc >/dev/null
# the expert decided the first four solutions (ProcessBench's labels)
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))
json.dump(rs[:4], open("expert.json", "w"))
PY
sm import expert.json --format processbench --dataset pb --as expert >/dev/null
expect_rc 0 "qualify alice, bob and carol on 3 gold items, 2 solutions to both" \
	sm assign --annotators alice,bob,carol --qualify 3 --gold-from expert --overlap 1 \
	--limit 2 --order id
ok "each qualifies first" test "$(grep -c "qualifies first: 3 gold items at the head of the queue" out)" = 3

# G1..G3: the gold (the expert's first three); P1, P2: dealt to alice and
# one other (--overlap 1, in id order: P1 to alice and bob, P2 to bob
# and carol... whoever: the test reads who holds them)
key() { sql "SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = '$1' ORDER BY a.ord LIMIT 1 OFFSET $2"; }
fe() { sql "SELECT l.value FROM label l JOIN solution s ON s.id = l.solution_id WHERE s.ext_key = '$1' AND l.annotator = 'expert' AND l.kind = 'first_error'"; }
ok "the gold is at the head of every queue, the same" test "$(sql "SELECT count(DISTINCT g) FROM (SELECT annotator, group_concat(solution_id) g FROM (SELECT * FROM assignment WHERE ord <= 3 AND gold ORDER BY annotator, ord) GROUP BY annotator)")" = 1
G1=$(key alice 0) G2=$(key alice 1) G3=$(key alice 2)
P1=$(sql "SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE NOT a.gold ORDER BY s.id LIMIT 1")
P2=$(sql "SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE NOT a.gold ORDER BY s.id DESC LIMIT 1")
ok "two plain solutions" test -n "$P1" -a -n "$P2" -a "$P1" != "$P2"

# alice, in the workbench: the gold right, P1 first error at step 2, P2
# no error
tmx new-session -d -s a -x 80 -y 24 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator alice; echo EXITED \$?; sleep 600"
ok "the queue opens" wait_for a "[queue]"
decide() { # decide KEY FE: opens KEY, marks FE (-1: no error), back to the queue
	tmx send-keys -t a -l ":open $1"
	tmx send-keys -t a Enter
	wait_for a "$1" || return 1
	wait_for a "[solution]" || return 1
	if [ "$2" = -1 ]; then
		tmx send-keys -t a c
	else
		local i=0
		while [ $i -lt "$2" ]; do tmx send-keys -t a j; i=$((i + 1)); done
		tmx send-keys -t a e
	fi
	wait_for a "saved" || return 1
	tmx send-keys -t a q
	wait_for a "[queue]"
}
for g in "$G1" "$G2" "$G3"; do
	ok "alice decides $g as the expert did" decide "$g" "$(fe "$g")"
done
ok "alice decides $P1" decide "$P1" 1
ok "alice decides $P2" decide "$P2" -1
tmx send-keys -t a q
ok "quit" wait_for a "EXITED 0"
ok "alice: all three gold right" test "$(sql "SELECT count(*) FROM assignment a JOIN label l ON l.solution_id = a.solution_id AND l.annotator = 'alice' AND l.kind = 'first_error' WHERE a.annotator = 'alice' AND a.gold AND l.value = a.gold_fe")" = 3

# bob: one gold item right (G1), two wrong; P1 as alice, P2 at step 3.
# carol: no gold answered; P2 no error, as alice.
python3 - "$FIXTURES/processbench_gsm8k_20.json" "$G1" "$G2" "$G3" "$P1" "$P2" <<'PY'
import json, sys
rs = {r["id"]: r for r in json.load(open(sys.argv[1]))}
g1, g2, g3, p1, p2 = sys.argv[2:]
def rec(k, label):
    x = dict(rs[k]); x["label"] = label; return x
def wrong(k):  # a first error other than the right one, within the steps
    r = rs[k]; n = len(r["steps"])
    return 0 if r["label"] != 0 else n - 1
json.dump([rec(g1, rs[g1]["label"]), rec(g2, wrong(g2)), rec(g3, wrong(g3)),
           rec(p1, 1), rec(p2, 2)], open("bob.json", "w"))
json.dump([rec(p2, -1)], open("carol.json", "w"))
PY
sm import bob.json --format processbench --dataset pb --as bob >/dev/null
sm import carol.json --format processbench --dataset pb --as carol >/dev/null

# By hand. Without the bar: G1..G3 decided (alice and the expert agree:
# 2 of 2 or 2 of 3), P1 (alice and bob), P2 (alice and carol, 2 of 3):
# 5 decided. With min-gold-accuracy 0.6: bob (1 of 3 right, 33%) and
# carol (none answered) are left out, on G1..G3, P1 and P2 (5
# solutions); G1..G3 stay decided by alice and the expert (the expert was
# dealt no gold: not measured), P1 and P2 have alice alone: 3 decided.
expect_rc 0 "consensus without the bar" sm consensus --policy "human-majority 2"
ok "5 decided" has out "    human-majority 2                    5"
expect_rc 0 "consensus with min-gold-accuracy 0.6" \
	sm consensus --policy "human-majority 2, min-gold-accuracy 0.6"
ok "3 decided" has out "    human-majority 2                    3"
ok "says how many it left out" has out "min-gold-accuracy 0.6: the labels of 2 annotators left out, on 5 solutions:"
ok "bob below the bar" has out "  bob                  1 of 3 right on gold (33%)"
ok "carol with no gold answered" has out "  carol                no gold answered yet (3 dealt)"
ok "the agreed rows record the policy" test "$(sql "SELECT DISTINCT policy FROM agreed")" = "human-majority 2, min-gold-accuracy 0.6"
ok "P1 undecided now" test "$(sql "SELECT a.rule IS NULL FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$P1'")" = 1
ok "G1 decided by alice and the expert" test "$(sql "SELECT a.agreed_by FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$G1'")" = "@expert,@alice"
# a bar everyone clears
expect_rc 0 "min-gold-accuracy 0.3" sm consensus --policy "human-majority 2, min-gold-accuracy 0.3"
ok "only carol left out" has out "min-gold-accuracy 0.3: the labels of 1 annotator left out, on 1 solution:"
ok "P2 undecided: alice and bob differ, carol left out" test "$(sql "SELECT a.rule IS NULL FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$P2'")" = 1
# the audit view shows who passed, against the config policy's bar: bob
# 1 of 3 exact (33%), all 3 within one step (his wrong ones say step 1,
# the gold step 2)
echo "consensus human-majority 2, min-gold-accuracy 0.3" >"$XDG_CONFIG_HOME/stepmark/config"
tmx new-session -d -s b -x 80 -y 24 \
	"env LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$STEPMARK' --db '$STEPMARK_DB' --annotator lead; echo EXITED \$?; sleep 600"
ok "the lead's queue" wait_for b "[queue]"
tmx send-keys -t b -l ":set truth expert"
tmx send-keys -t b Enter A
ok "the audit" wait_for b "n_err"

ok "who passed" wait_for b "who passed on gold: exact % at least 30% (the policy's min-gold-accuracy)"
ok "alice passed" wait_for b "alice                   3        3      100      100      yes"
ok "bob passed this bar" wait_for b "bob                     3        3       33      100      yes"
ok "carol not yet" wait_for b "carol                   3        0        -        -  not yet"
tmx send-keys -t b q Q

# carol then answers her gold right: she passes, and her label on P2
# (which her gold labels did not touch) counts; a rerun must read every
# solution, not only those with new labels
python3 - "$FIXTURES/processbench_gsm8k_20.json" "$G1" "$G2" "$G3" <<'PY'
import json, sys
rs = {r["id"]: r for r in json.load(open(sys.argv[1]))}
json.dump([dict(rs[k]) for k in sys.argv[2:]], open("carol_gold.json", "w"))
PY
sm import carol_gold.json --format processbench --dataset pb --as carol >/dev/null
expect_rc 0 "carol passes: consensus again" sm consensus --policy "human-majority 2, min-gold-accuracy 0.3"
ok "nobody left out" has out "min-gold-accuracy 0.3: the labels of 0 annotators left out"
ok "every solution read again" sh -c '! grep -q "read again" out'
ok "P2 decided by alice and carol" test "$(sql "SELECT a.agreed_by FROM agreed a JOIN solution s ON s.id = a.solution_id WHERE s.ext_key = '$P2'")" = "@alice,@carol"

expect_rc 2 "a bar out of range" sm consensus --policy "human-majority 2, min-gold-accuracy 80"
ok "says so" has err "min-gold-accuracy is a share from 0 to 1"
expect_rc 2 "an option alone is no policy" sm consensus --policy "min-gold-accuracy 0.5"
ok "says so" has err "a policy needs a rule"
finish
