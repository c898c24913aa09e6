#!/bin/sh
# The audit walk-through of stepmark(1)'s EXAMPLES, run as written: the
# expert labels of ProcessBench's gsm8k, a model's predictions as a
# source, the judge (against the fake server) and calc, two annotators
# labelling 30 solutions each in the workbench (key scripts), then the
# audit's tables and JSON.
. "$top_srcdir/tests/lib.sh"
need_shared processbench/gsm8k.json
cp "$SHARED_DATA/processbench/gsm8k.json" gsm8k.json

# the walk-through's commands, in order
man_commands "Audit a model's predictions" >walk.txt
ok "seven commands" test "$(wc -l <walk.txt)" = 7

# what the walk-through's reader brings: results.jsonl, an endpoint
python3 - <<'PY'
import json, random
r = random.Random(3)
with open("results.jsonl", "w") as f:
    for x in json.load(open("gsm8k.json")):
        x["prediction"] = x["label"] if r.random() < 0.7 else r.randint(-1, len(x["steps"]) - 1)
        f.write(json.dumps(x) + "\n")
PY
start_fake
mkdir -p "$XDG_CONFIG_HOME/stepmark"
fake_config "$XDG_CONFIG_HOME/stepmark/config"

# each workbench session labels 30 undecided solutions: alice marks the
# first step wrong on every fourth one, bob on every third; both say
# "no error" on the rest
keys() {
	python3 - "$1" <<'PY'
import sys
k = int(sys.argv[1])
print(":filter todo")
for i in range(30):
    print("<Enter>")
    print("e" if i % k == 0 else "c")
    print("q")
    print("j")
print(":quit")
PY
}
n=0
while read -r cmd; do
	n=$((n + 1))
	set -- $cmd
	shift
	case "$cmd" in
	"stepmark --annotator alice") keys 4 >keys.txt ;;
	"stepmark --annotator bob") keys 3 >keys.txt ;;
	esac
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

ok "the tables" grep -q "ProcessBench metrics" step6.out
ok "myprm, the judge and calc are audited" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("step7.out")]
src = {r["source"] for r in rows if r["kind"] == "source" and r["dataset"] == "gsm8k"}
assert "myprm" in src and "judge/sim-judge" in src and "calc" in src, src
assert {"@alice", "@bob"} <= src, src
PY
ok "alice and bob: 30 solutions both decided" python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("step7.out")]
# each measured on the 30 solutions labelled, not on the 370 left alone
for who in ("@alice", "@bob"):
    r = [x for x in rows if x["kind"] == "source" and x["source"] == who and x["dataset"] == "gsm8k"][0]
    assert r["n_error"] + r["n_correct"] == 30 and r["none"] == 0, r
pair = [r for r in rows if r["kind"] == "agreement" and r["on"] == "first_error" and r["dataset"] == "gsm8k"
        and {r["a"], r["b"]} == {"alice", "bob"}]
assert pair and pair[0]["n"] == 30, pair
assert pair[0]["kappa"] is not None and pair[0]["alpha"] is not None and pair[0]["ac1"] is not None, pair
ann = {r["annotator"]: r for r in rows if r["kind"] == "annotator" and r["dataset"] == "gsm8k"}
assert ann["alice"]["decided"] == 30 and ann["bob"]["decided"] == 30, ann
cov = [r for r in rows if r["kind"] == "coverage" and r["source"].startswith("judge/")]
assert cov and cov[0]["done"] == 400 and cov[0]["requests"] > 0 and cov[0]["tokens_in"] > 0, cov
PY
finish
