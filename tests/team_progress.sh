#!/bin/sh
# stepmark progress: per annotator assigned, done, rate per active hour,
# accuracy on gold and who passed, agreement with the others; per data
# set what is left; labels by guidelines version; as a table (80
# columns), bars and --json. The figures of a small store, worked out by
# hand below.
. "$top_srcdir/tests/lib.sh"

sm import "$FIXTURES/processbench_gsm8k_20.json" --format processbench --dataset pb \
	--as-source pbsrc >/dev/null
# the expert decided gsm8k-0, -1 and -2 (first error at step 2 each)
python3 - "$FIXTURES/processbench_gsm8k_20.json" <<'PY'
import json, sys
rs = {r["id"]: r for r in json.load(open(sys.argv[1]))}
def rec(k, label):
    x = dict(rs[k]); x["label"] = label; return x
json.dump([rec(k, rs[k]["label"]) for k in ("gsm8k-0", "gsm8k-1", "gsm8k-2")], open("expert.json", "w"))
# G1 = gsm8k-0, G2 = gsm8k-1 (the qualification), P1 = gsm8k-3, P2 = gsm8k-4
json.dump([rec("gsm8k-0", 1), rec("gsm8k-1", 1), rec("gsm8k-3", 1)], open("alice.json", "w"))
json.dump([rec("gsm8k-0", 1), rec("gsm8k-1", 2), rec("gsm8k-3", 2), rec("gsm8k-4", -1)],
          open("bob.json", "w"))
PY
sm import expert.json --format processbench --dataset pb --as expert >/dev/null
expect_rc 0 "qualify on 2, deal 2 to both" sm assign --annotators alice,bob --qualify 2 \
	--gold-from expert --overlap 1 --limit 2 --order id
ok "both hold G1 G2 P1 P2" test "$(sql "SELECT group_concat(k, ' ') FROM (SELECT a.annotator || ':' || s.ext_key k FROM assignment a JOIN solution s ON s.id = a.solution_id ORDER BY a.annotator, a.ord)")" = "alice:gsm8k-0 alice:gsm8k-1 alice:gsm8k-3 alice:gsm8k-4 bob:gsm8k-0 bob:gsm8k-1 bob:gsm8k-3 bob:gsm8k-4"
expect_rc 0 "progress before anyone labelled" sm progress
ok "nobody has answered gold yet" has out "alice                 4      0       -    0/2     -     - not yet      -     -"

sm import alice.json --format processbench --dataset pb --as alice >/dev/null
sm import bob.json --format processbench --dataset pb --as bob >/dev/null
# active time: alice 30 minutes, bob an hour; alice's gold labels made
# under one guidelines version, the rest under none
python3 - <<'PY'
import os, sqlite3
db = sqlite3.connect(os.environ["STEPMARK_DB"])
for who, ms in (("alice", (600000, 600000, 600000)), ("bob", (1800000, 1800000))):
    for m in ms:
        db.execute("INSERT INTO action(solution_id, annotator, op, name, created_at, active_ms) "
                   "VALUES (1, ?, 'do', 'x', '2026-01-01T00:00:00Z', ?)", (who, m))
db.execute("INSERT INTO guidelines(hash, path, first_used) VALUES "
           "('aaaa1111bbbb2222cccc', '/team/guide-v1.md', '2026-01-01T00:00:00Z')")
db.execute("UPDATE label SET guidelines = 'aaaa1111bbbb2222cccc' WHERE annotator = 'alice' AND "
           "solution_id IN (SELECT id FROM solution WHERE ext_key IN ('gsm8k-0', 'gsm8k-1'))")
db.commit()
PY

# By hand (first errors 0-based; the gold: 1 and 1):
# alice: 4 assigned, 3 done (G1 1, G2 1, P1 1); gold 2/2, both exact (100,
#   100): passed; 3 decided in 0.5 h: 6.0/h. Pairs: G1 bob and the
#   expert (both agree), G2 the expert (agrees) and bob (2: near), P1 bob
#   (2: near): 5 pairs, 3 agree (60%), 5 near (100%).
# bob: 4 assigned, 4 done (G1 1, G2 2, P1 2, P2 none); gold 2/2, 1 exact
#   (50), 2 near (100): below 0.8, not passed; 4 decided in 1 h: 4.0/h.
#   Pairs: G1 2 agree, G2 2 near, P1 1 near: 5, 2 agree (40%), 5 near.
# expert: nothing assigned, no gold; pairs G1 2 agree, G2 alice agrees,
#   bob near: 4, 3 agree (75%), 4 near.
# pb: 20 solutions, 4 dealt (G1 G2 P1 P2), 16 undealt, 1 open (alice's
#   P2), 15 undecided (20 less G1 G2 G3 P1 P2: bob decided P2).
expect_rc 0 "progress" sm progress
ok "the table's head" has out "annotator      assigned   done  rate/h   gold exact  near  passed  agree  near"
ok "alice" has out "alice                 4      3     6.0    2/2   100   100     yes     60   100"
ok "bob" has out "bob                   4      4     4.0    2/2    50   100      no     40   100"
ok "expert" has out "expert                0      0       -      -     -     -       -     75   100"
ok "the bar" has out "passed: exact % >= 80%"
bar() { # bar NAME: its blocks, then its figures
	python3 -c 'import sys
for l in open("out", encoding="utf-8"):
    f = l.split()
    if len(f) == 4 and f[0] == sys.argv[1] and "\u2588" in f[1]:
        print(f[1].count("\u2588"), len(f[1]), f[2], f[3])' "$1"
}
ok "alice's bar, 3 of 4: 30 of 40 blocks" test "$(bar alice)" = "30 30 3/4 75%"
ok "bob's bar, full" test "$(bar bob)" = "40 40 4/4 100%"
ok "the data set" has out "pb                          20         4        16         1        15"
ok "alice under the guidelines" has out "alice          aaaa1111bbbb /team/guide-v1.md                    2        2"
ok "alice under none" has out "alice          none                                              1        1"
ok "bob under none" has out "bob            none                                              4        4"
ok "fits 80 columns" test "$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open("out", encoding="utf-8")))')" -le 80

# the bar from the option, and from the config's consensus policy
expect_rc 0 "a bar of 0.5" sm progress --min-gold-accuracy 0.5
ok "bob passes at 50%" has out "bob                   4      4     4.0    2/2    50   100     yes     40   100"
echo "consensus human-majority 2, min-gold-accuracy 0.4" >"$XDG_CONFIG_HOME/stepmark/config"
expect_rc 0 "the config's bar" sm progress
ok "says 40%" has out "passed: exact % >= 40%"
expect_rc 2 "a bar out of range" sm progress --min-gold-accuracy 2

expect_rc 0 "--json" sm progress --json --min-gold-accuracy 0.8
ok "the JSON figures" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("out")]
a = {r["annotator"]: r for r in rows if r["kind"] == "annotator"}
assert a["alice"]["assigned"] == 4 and a["alice"]["done"] == 3, a["alice"]
assert a["alice"]["gold_accuracy"] == 1 and a["alice"]["passed"] is True, a["alice"]
assert abs(a["alice"]["rate_per_hour"] - 6.0) < 1e-9 and a["alice"]["active_s"] == 1800, a["alice"]
assert (a["alice"]["pairs"], a["alice"]["agree"], a["alice"]["agree_within1"]) == (5, 3, 5), a["alice"]
assert a["bob"]["gold_accuracy"] == 0.5 and a["bob"]["gold_within1"] == 2 and a["bob"]["passed"] is False, a["bob"]
assert a["expert"]["passed"] is None and a["expert"]["gold"] == 0, a["expert"]
d = [r for r in rows if r["kind"] == "dataset"][0]
assert (d["dataset"], d["solutions"], d["dealt"], d["undealt"], d["open"], d["undecided"]) == ("pb", 20, 4, 16, 1, 15), d
g = {(r["annotator"], r["guidelines"]): r for r in rows if r["kind"] == "guidelines"}
assert g[("alice", "aaaa1111bbbb2222cccc")]["path"] == "/team/guide-v1.md", g
assert g[("alice", None)]["solutions"] == 1 and g[("bob", None)]["labels"] == 4, g
PY
finish
