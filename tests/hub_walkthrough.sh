#!/bin/sh
# hub_walkthrough.sh - the hub walk-through of stepmark(1)'s EXAMPLES
# ("A team on a hub"), run as written against a private PostgreSQL
# server and the fake model server: an administrator makes the hub and
# its members; the lead imports, deals and syncs; two workers run MC at
# once; alice and bob label offline (key scripts) and sync; carol
# adjudicates in a workbench that syncs by itself; dana decides and
# exports on a store of her own, and her figures equal the lead's.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
need_shared processbench/gsm8k.json
pg_start
# the first 60 of ProcessBench's gsm8k, and GSM8K's test file for them
python3 - "$SHARED_DATA/processbench/gsm8k.json" <<'PY'
import json, sys
json.dump(json.load(open(sys.argv[1]))[:60], open("gsm8k.json", "w"))
PY
python3 "$top_srcdir/tests/sim_data.py" gsm8k.json >"$TMP/sim.jsonl"
python3 - "$TMP/sim.jsonl" <<'PY'
import json, sys
with open("gsm8k_test.jsonl", "w") as f:
    for line in open(sys.argv[1]):
        x = json.loads(line)
        f.write(json.dumps({"question": x["problem"], "answer": "The steps.\n#### " + x["gold"]}) + "\n")
PY
start_fake
trap 'kill $FAKE_PID 2>/dev/null; pg_stop; rm -rf "$PGDIR"; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
mkdir -p "$XDG_CONFIG_HOME/stepmark" "$HOME"
fake_config "$XDG_CONFIG_HOME/stepmark/config"

# the server as the man page's environment names it; admin owns the
# database and may create roles; each member's password in ~/.pgpass
export PGHOST="$PGDIR" PGDATABASE=hub
pg_sql -c "CREATE ROLE admin LOGIN CREATEROLE PASSWORD 'pw-admin'; ALTER DATABASE hub OWNER TO admin;
	GRANT CREATE ON DATABASE hub TO admin" >/dev/null
: >"$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"
for m in admin lead alice bob carol dana gpu1 gpu2; do
	echo "pw-$m" >"$m.pw"
	echo "*:*:*:$m:pw-$m" >>"$HOME/.pgpass"
done
# `stepmark` as the lines say it
mkdir bin
printf '#!/bin/sh\nexec "%s" "$@"\n' "$STEPMARK" >bin/stepmark
chmod +x bin/stepmark
PATH="$TMP/bin:$PATH"

man_commands "A team on a hub" >walk.txt
ok "twenty-eight commands" test "$(wc -l <walk.txt)" = 28
cons=$(grep -n "dana.db consensus" walk.txt | cut -d: -f1)

n=0
while read -r line; do
	n=$((n + 1))
	export STEPMARK_SCRIPT="" STEPMARK_NO_DISPLAY=""
	case "$line" in
	*"--annotator "*)
		who=${line##*--annotator }
		who=${who%% *}
		db=$who.db
		if [ "$who" = carol ]; then
			want=$(sqlite3 "$db" "SELECT count(*) FROM summary WHERE flags & 4")
		else
			want=$(sqlite3 "$db" "SELECT count(*) FROM assignment WHERE annotator = '$who'")
		fi
		echo "$want" >"$who.n"
		walk_session "$who" "$want" >"$who.keys"
		export STEPMARK_SCRIPT="$TMP/$who.keys" STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=100 LINES=30
		;;
	esac
	timeout 600 sh -c "$line" >out 2>err
	rc=$?
	ok "step $n runs as written: $line ($rc)" test "$rc" = 0
	[ "$rc" = 0 ] || sed 's/^/  | /' err | head -5
	cp out "step$n.out"
	cp err "step$n.err"
done <walk.txt
unset STEPMARK_SCRIPT STEPMARK_NO_DISPLAY

hubq() { pg_sql -c "$1"; }
on() { sqlite3 "$1.db" "$2"; }
ok "seven members" test "$(hubq "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
	WHERE g.rolname LIKE 'stepmark\_%'")" = 7
ok "no password in a store" sh -c '! grep -l "pw-" *.db'
ok "no password in the output" sh -c '! grep -l "pw-" step*.out step*.err'
ok "the hub has the data set" test "$(hubq "SELECT count(*) FROM stepmark.solution")" = 60
ok "alice was dealt a share" test "$(cat alice.n)" -gt 0
ok "bob too" test "$(cat bob.n)" -gt 0
ok "MC ran on the hub, each job once" test \
	"$(hubq "SELECT count(*) FROM stepmark.job WHERE state <> 'done'")" = 0
ok "MC's suggestions on every solution" test \
	"$(hubq "SELECT count(DISTINCT solution_id) FROM stepmark.suggestion WHERE source = 'mc'")" = 60
ok "no MC job ran twice" test "$(hubq "SELECT count(*) FROM (SELECT 1 FROM stepmark.suggestion
	WHERE source = 'mc' GROUP BY solution_id, step_idx HAVING count(*) > 1) x")" = 0
for who in alice bob; do
	ok "$who labelled all hers on the hub" test "$(hubq "SELECT count(*) FROM stepmark.label
		WHERE annotator = '$who'" )" -gt 0
	ok "$who's labels are on dana's store" test \
		"$(on dana "SELECT count(*) FROM label WHERE annotator = '$who'")" = \
		"$(on $who "SELECT count(*) FROM label WHERE annotator = '$who'")"
done
ok "carol had disagreements to review" test "$(cat carol.n)" -gt 0
ok "carol's decisions reached the hub" test \
	"$(hubq "SELECT count(*) FROM stepmark.label WHERE annotator = 'carol' AND kind = 'adjudication'")" = \
	"$(cat carol.n)"
ok "consensus: some adjudicated" grep -Eq "^ +adjudicated +[1-9]" step$cons.out
ok "openrlhf: every decided solution" test "$(wc -l <prm.jsonl)" = \
	"$(on dana "SELECT count(*) FROM agreed WHERE rule IS NOT NULL")"
# the lead's store, synced, decides the same
stepmark --db lead.db --hub user=lead sync >/dev/null
stepmark --db lead.db consensus >lead.out
ok "dana's consensus used the hub's policy" grep -q "policy: adjudicated, human-majority 2, confirmed-suggestion, human (the hub's, set by lead" step$cons.out
ok "the lead's consensus says the same as dana's" cmp step$cons.out lead.out
stepmark --db lead.db export --agreed --format openrlhf -o lead.jsonl >/dev/null 2>&1
ok "and exports the same" cmp prm.jsonl lead.jsonl
finish
