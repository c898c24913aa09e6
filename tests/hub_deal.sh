#!/bin/sh
# hub_deal.sh - the deal and the consensus policy live on the hub (issue
# 25): a lead's assign deals on the hub, once (a rerun, or a store that
# forgot, deals nothing twice); each annotator's store pulls its own deal
# and its queue shows it in order, gold kept blind; the workbench's
# background sync pulls it too; only a lead deals or sets the policy (the
# server refuses the rest); consensus on a pulled store uses the hub's
# policy, and its agreed labels, the audit and export --agreed on a store
# that only pulled equal the lead's; a deal a lead's store made before it
# was tied to a hub goes there at its first sync while the hub has none.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start
TMUX_SOCK="sm-test-$$"
trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; pg_stop; [ -n "$PGDIR" ] && rm -rf "$PGDIR"; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator bob:annotator carol:annotator adj:adjudicator aud:auditor; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
# as WHO ARGS...: stepmark on WHO's store, with WHO's hub connection
as() {
	local who=$1
	shift
	PGPASSWORD="pw-$who" sm --db "$who.db" --hub "$(hub_as "$who")" "$@"
}
# as_member NAME SQL: psql as that member; out and err kept
as_member() {
	PGPASSWORD="pw-$1" psql -X -q -At -v ON_ERROR_STOP=1 "$(hub_as "$1")" -c "$2" >out 2>err
}
refused() { ! as_member "$@"; }
# a store's deal as it travels: annotator, data set, id, place, gold
deal_of() {
	sqlite3 "$1" "SELECT a.annotator, d.name, s.ext_key, a.ord, a.gold, a.gold_fe FROM assignment a
		JOIN solution s ON s.id = a.solution_id JOIN dataset d ON d.id = s.dataset_id
		${2:+WHERE a.annotator = '$2'} ORDER BY 1, 4"
}
hub_deal() {
	pg_sql -c "SELECT a.annotator, d.name, s.ext_key, a.ord, a.gold, a.gold_fe FROM stepmark.deal a
		JOIN stepmark.solution s ON s.id = a.solution_id JOIN stepmark.dataset d ON d.id = s.dataset_id
		${1:+WHERE a.annotator = '$1'} ORDER BY 1, 4"
}

# the lead's data set: 20 ProcessBench solutions, two adjudicated (gold)
sm --db lead.db --annotator lead import "$FIXTURES/processbench_gsm8k_20.json" --dataset pb >/dev/null
first=$(sqlite3 lead.db "SELECT ext_key FROM solution ORDER BY id LIMIT 1")
second=$(sqlite3 lead.db "SELECT ext_key FROM solution ORDER BY id LIMIT 1 OFFSET 1")
sm --db lead.db --annotator lead adjudicate --id "$first" --no-error --reason "checked" >/dev/null
sm --db lead.db --annotator lead adjudicate --id "$second" --first-error 2 --reason "divides wrong" >/dev/null
as lead sync >/dev/null
for w in ann bob aud; do as $w sync --create >/dev/null; done

# ---- a lead deals on the hub ----
expect_rc 0 "the lead deals on the hub" as lead assign --annotators ann,bob --overlap 0.3 --gold 0.2 \
	--limit 10 --seed 3
ok "says what it dealt" has out "dealt 10 solutions to 2 annotators"
ok "and that it is on the hub" has out "dealt on the hub"
ndeal=$(pg_sql -c "select count(*) from stepmark.deal")
ok "the hub holds the deal" test "$ndeal" -gt 10
ok "the lead's store got it too, row for row" test "$(deal_of lead.db)" = "$(hub_deal)"
ok "gold is in it" test "$(pg_sql -c "select count(*) from stepmark.deal where gold = 1")" -gt 0
ok "pushed_by is the lead's session" test "$(pg_sql -c "select string_agg(distinct pushed_by, ',') from stepmark.deal")" = lead

# ---- dealt once ----
expect_rc 0 "the same assign again" as lead assign --annotators ann,bob --overlap 0.3 --gold 0.2 \
	--limit 10 --seed 3
ok "deals only what was left, as on a store alone" has out "dealt 8 solutions to 2 annotators"
n2=$(pg_sql -c "select count(*) from stepmark.deal")
ok "never a solution twice to one annotator (the hub's key)" test \
	"$(pg_sql -c "select count(*) from (select annotator, solution_id from stepmark.deal group by 1, 2 having count(*) > 1) x")" = 0
ok "no solution that is not gold to more than two" test \
	"$(pg_sql -c "select count(*) from (select solution_id from stepmark.deal where gold = 0 group by 1 having count(*) > 2) x")" = 0
expect_rc 0 "a third time" as lead assign --annotators ann,bob --seed 3
ok "deals nothing" has out "dealt 0 solutions"
ok "the hub unchanged" test "$(pg_sql -c "select count(*) from stepmark.deal")" = "$n2"
# a lead's store that forgot its deal (or another lead's, new): the hub's
# deal comes first, nothing is dealt twice
sqlite3 lead.db "DELETE FROM assignment; DELETE FROM store_state WHERE key LIKE 'hub.dealt.%'"
expect_rc 0 "assign on a store that forgot the deal" as lead assign --annotators ann,bob,carol --seed 5
ok "deals nothing twice" has out "dealt 0 solutions"
ok "the hub unchanged" test "$(pg_sql -c "select count(*) from stepmark.deal")" = "$n2"
ok "the store has the hub's deal back" test "$(deal_of lead.db)" = "$(hub_deal)"
expect_rc 2 "without the hub, a store that syncs with one does not deal alone" \
	sm --db lead.db assign --annotators ann,bob
ok "says where its deal lives" has err "syncs with a hub, where its deal lives"

# ---- the annotators pull their own deal, gold blind ----
expect_rc 0 "ann syncs" as ann sync
ok "pulls her deal" has out "deal: $(pg_sql -c "select count(*) from stepmark.deal where annotator = 'ann'") assignments pulled"
ok "her rows only, in the hub's places" test "$(deal_of ann.db | cut -d'|' -f1-4)" = "$(hub_deal ann | cut -d'|' -f1-4)"
ok "none marked gold in her store" test "$(sqlite3 ann.db "select count(*) from assignment where gold or gold_fe is not null")" = 0
ok "though her deal has gold on the hub" test "$(pg_sql -c "select count(*) from stepmark.deal where annotator = 'ann' and gold = 1")" -gt 0
expect_rc 0 "ann syncs again" as ann sync
ok "nothing twice" sh -c '! grep -q "^deal:" out'
ok "still her rows once" test "$(deal_of ann.db | cut -d'|' -f1-4)" = "$(hub_deal ann | cut -d'|' -f1-4)"
expect_rc 0 "bob syncs" as bob sync
ok "his rows only" test "$(deal_of bob.db | cut -d'|' -f1-4)" = "$(hub_deal bob | cut -d'|' -f1-4)"
# her queue, as the workbench shows it: the dealt solutions in order
TUI_SIZE=120x40 tui_run ':filter assigned
:save-display q.txt' --db ann.db --annotator ann
ok "ann's assigned queue shows her deal in the order dealt" python3 - "$TMP/ann.db" <<'PY'
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
want = [k for (k,) in db.execute("SELECT s.ext_key FROM assignment a JOIN solution s ON s.id = a.solution_id WHERE a.annotator = 'ann' ORDER BY a.ord")]
shown = [m.group(1) for m in (re.search(r"\b(gsm8k-\d+)\b", l) for l in open("q.txt")) if m]
assert len(want) > 3 and shown == want[:len(shown)] and len(shown) >= min(len(want), 20), (shown, want)
assert want != sorted(want, key=lambda k: int(k.split("-")[1])), "dealt in id order: proves nothing"
PY

# ---- the server decides who deals and who sets the policy ----
sid=$(pg_sql -c "select min(id) from stepmark.solution")
deal_row() { # ANNOTATOR (each time another: no key stops it)
	echo "INSERT INTO stepmark.deal(solution_id, annotator, ord, gold, created_at) VALUES ($sid, '$1', 99, 0, 'now')"
}
policy_row="INSERT INTO stepmark.policy(rules, created_at) VALUES ('adjudicated', 'now')"
ok "an annotator cannot deal" refused ann "$(deal_row new1)"
ok "the server said why" has err "permission denied"
ok "nor after SET ROLE" refused ann "SET ROLE stepmark_annotator; $(deal_row new2)"
ok "an adjudicator cannot deal" refused adj "$(deal_row new3)"
ok "an auditor cannot deal" refused aud "$(deal_row new4)"
ok "an annotator cannot set the policy" refused ann "$policy_row"
ok "nor an auditor" refused aud "$policy_row"
ok "an annotator cannot read the deal's table" refused ann "SELECT count(*) FROM stepmark.deal"
ok "her view of it holds her rows only, gold blank" as_member ann \
	"SELECT count(*), count(*) FILTER (WHERE annotator <> 'ann'), count(gold), count(gold_fe) FROM stepmark.deal_seen"
ok "so it says" test "$(cut -d'|' -f2-4 out)" = "0|0|0"
ok "an auditor reads the whole deal, gold too" as_member aud "SELECT count(*), count(gold_fe) FROM stepmark.deal_seen"
ok "so it says" test "$(cut -d'|' -f1 out)" = "$n2"
ok "a lead cannot rewrite the deal" refused lead "UPDATE stepmark.deal SET ord = 1"
ok "nor delete it" refused lead "DELETE FROM stepmark.deal"
ok "nor the policy" refused lead "DELETE FROM stepmark.policy"
ok "none of it landed" test "$(pg_sql -c "select count(*) from stepmark.deal") $(pg_sql -c "select count(*) from stepmark.policy")" = "$n2 0"
before=$(deal_of ann.db)
expect_rc 1 "stepmark assign by an annotator" as ann assign --annotators ann
ok "is refused by the server, said clearly" has err "refused the deal (only a lead deals)"
ok "nothing dealt on the hub" test "$(pg_sql -c "select count(*) from stepmark.deal")" = "$n2"
ok "nor in her store" test "$(deal_of ann.db)" = "$before"
expect_rc 1 "hub policy by an annotator" as ann hub policy "adjudicated"
ok "is refused" has err "only a lead sets the policy"

# ---- the policy ----
expect_rc 2 "a policy the parser refuses" as lead hub policy "adjudicated, no-such-rule 3"
ok "nothing set" test "$(pg_sql -c "select count(*) from stepmark.policy")" = 0
expect_rc 1 "no policy yet" as lead hub policy
ok "says so" has err "none set on the hub"
expect_rc 0 "the lead sets the policy" as lead hub policy "human-majority 2"
expect_rc 0 "and a newer one" as lead hub policy "adjudicated, human-majority 2"
ok "says so" has out "policy set: adjudicated, human-majority 2"
expect_rc 0 "hub policy shows the one in force" as aud hub policy
ok "the newest" has out "adjudicated, human-majority 2"
ok "who set it" has out "set by lead at"

# ann and bob label their queues (no error on each), sync; everyone pulls
for w in ann bob; do
	sqlite3 $w.db "INSERT INTO label(solution_id, kind, value, annotator, origin, created_at)
		SELECT solution_id, 'first_error', -1, '$w', 'human', strftime('%Y-%m-%dT%H:%M:%fZ')
		FROM assignment WHERE annotator = '$w' ORDER BY ord LIMIT 8"
	as $w sync >/dev/null
done
expect_rc 0 "the lead pulls" as lead sync
expect_rc 0 "the auditor's store pulls" as aud sync
ok "the policy came with it" has out "policy: the hub's pulled"
ok "its deal: every annotator's, gold known" test "$(deal_of aud.db)" = "$(hub_deal)"
# a deal row whose annotator is no name a store keeps (a bidi override,
# as a modified lead's client could write): left out and said
pg_sql -c "INSERT INTO stepmark.deal(solution_id, annotator, ord, created_at, pushed_by)
	SELECT min(id), E'eve\\u202Eli', 1, '2026-01-01T00:00:00.000Z', 'lead' FROM stepmark.solution"
expect_rc 0 "the auditor's store pulls a deal row with a bad name" as aud sync
ok "says it leaves it out" has out "deal: 1 assignment of the hub naming no annotator a store keeps (left out)"
ok "and does not store it" test "$(sqlite3 aud.db "select count(*) from assignment where annotator like 'eve%'")" = 0
pg_sql -c "DELETE FROM stepmark.deal WHERE annotator LIKE 'eve%'"

# ---- consensus, audit and export: the same on a store that only pulled ----
expect_rc 0 "consensus on the lead's store" sm --db lead.db consensus
ok "uses the hub's policy, and says so" has out "policy: adjudicated, human-majority 2 (the hub's, set by lead at"
expect_rc 0 "consensus on the auditor's store" sm --db aud.db consensus
ok "the hub's policy there too" has out "(the hub's, set by lead at"
agreed() {
	sqlite3 "$1" "SELECT d.name, s.ext_key, g.first_error, g.ratings, g.rule, g.why, g.agreed_by, g.policy
		FROM agreed g JOIN solution s ON s.id = g.solution_id JOIN dataset d ON d.id = s.dataset_id ORDER BY 1, 2"
}
ok "some agreed by the majority" test "$(agreed lead.db | grep -c 'human-majority')" -gt 0
ok "the agreed labels equal the lead's" test "$(agreed aud.db)" = "$(agreed lead.db)"
sm --db lead.db audit >lead.audit 2>&1
sm --db aud.db audit >aud.audit 2>&1
ok "the audit equals the lead's" cmp lead.audit aud.audit
sm --db lead.db export --format csv --agreed -o lead.csv >/dev/null 2>&1
sm --db aud.db export --format csv --agreed -o aud.csv >/dev/null 2>&1
ok "export --agreed writes something" test -s lead.csv
ok "export --agreed equals the lead's" cmp lead.csv aud.csv
expect_rc 0 "--policy overrides the hub's" sm --db aud.db consensus --policy adjudicated
ok "and says no word of the hub's" sh -c 'grep -q "policy: adjudicated$" out'
# the workbench's review view and progress read the hub's policy too
TUI_SIZE=120x40 tui_run "/$first
<Enter>
V
:save-display rv.txt" --db aud.db --annotator aud
ok "the review view decides by the hub's policy" grep -q "the policy now: no error (adjudicated)" rv.txt
expect_rc 0 "the lead sets a bar on gold" as lead hub policy "adjudicated, min-gold-accuracy 0.35"
as aud sync >/dev/null
expect_rc 0 "progress on the auditor's store" sm --db aud.db progress
ok "passes by the hub's bar" has out "passed: exact % >= 35%"

# ---- a deal a lead's store made alone, before it was tied to a hub:
# its first sync writes it on a hub that has none; on a hub with a deal
# it stays in the store ----
psql -X -q "host=$PGDIR user=postgres dbname=postgres" -c 'CREATE DATABASE hub2' >/dev/null
hub2() { echo "host=$PGDIR user=$1 dbname=hub2"; }
pg_sql2() { psql -X -q -At -v ON_ERROR_STOP=1 "$(hub2 postgres)" "$@"; }
sm --hub "$(hub2 postgres)" hub init >/dev/null
hub2_deal() {
	pg_sql2 -c "SELECT a.annotator, d.name, s.ext_key, a.ord, a.gold, a.gold_fe FROM stepmark.deal a
		JOIN stepmark.solution s ON s.id = a.solution_id JOIN stepmark.dataset d ON d.id = s.dataset_id
		ORDER BY 1, 4"
}
sm --db solo.db --annotator lead import "$FIXTURES/processbench_gsm8k_20.json" --dataset pb >/dev/null
sm --db solo.db --annotator lead adjudicate --id "$first" --no-error --reason "checked" >/dev/null
expect_rc 0 "a lead's store deals alone" sm --db solo.db assign --annotators ann,bob --overlap 0.3 \
	--gold 0.2 --limit 6 --seed 3
nsolo=$(deal_of solo.db | wc -l)
PGPASSWORD=pw-lead expect_rc 0 "then syncs with a hub, a first time" sm --db solo.db --hub "$(hub2 lead)" sync
ok "its deal goes to the hub" has out "deal: $nsolo assignments this store dealt before it was tied to the hub written on the hub"
ok "row for row, each place kept" test "$(hub2_deal)" = "$(deal_of solo.db)"
PGPASSWORD=pw-lead expect_rc 0 "a sync again" sm --db solo.db --hub "$(hub2 lead)" sync
ok "writes nothing again" sh -c '! grep -q "written on the hub" out'
ok "the hub holds it once" test "$(pg_sql2 -c "select count(*) from stepmark.deal")" = "$nsolo"
PGPASSWORD=pw-ann sm --db ann-h2.db --hub "$(hub2 ann)" sync --create >/dev/null
ok "ann's store pulls her rows of it" test "$(deal_of ann-h2.db | cut -d'|' -f1-4)" = \
	"$(deal_of solo.db ann | cut -d'|' -f1-4)"
sm --db solo2.db --annotator lead import "$FIXTURES/processbench_gsm8k_20.json" --dataset pb >/dev/null
sm --db solo2.db assign --annotators carol --limit 3 >/dev/null
PGPASSWORD=pw-lead expect_rc 0 "another lead's store with a deal of its own" \
	sm --db solo2.db --hub "$(hub2 lead)" sync
ok "leaves the hub's deal as it is (dealt once)" test "$(pg_sql2 -c "select count(*) from stepmark.deal")" = "$nsolo"
ok "and says nothing of writing it" sh -c '! grep -q "written on the hub" out'

# ---- the workbench's background sync pulls a deal ----
if command -v tmux >/dev/null; then
	as carol sync --create >/dev/null
	cat >>"$XDG_CONFIG_HOME/stepmark/config" <<CONF
set hub-interval = 1
set hub = "$(hub_as carol)"
CONF
	export STEPMARK_DB="$TMP/carol.db"
	TUI_ENV="PGPASSWORD=pw-carol" start_tui c --annotator carol
	ok "carol's workbench opens" wait_for c "[queue]"
	sqlite3 lead.db "INSERT INTO label(solution_id, kind, value, annotator, origin, created_at)
		SELECT max(id), 'adjudication', -1, 'lead', 'human', 'now' FROM solution"
	as lead sync >/dev/null
	sm --db lead.db --annotator lead import "$FIXTURES/processbench_gsm8k_20.json" --dataset pb2 >/dev/null
	expect_rc 0 "the lead deals the new data set to carol" as lead assign --annotators carol --dataset pb2 --limit 5
	ok "carol's store has her deal within seconds, in the background" wait_for_sql \
		"select count(*) from assignment where annotator = 'carol'" 5 10
	tmx send-keys -t c ':filter assigned' Enter
	ok "her assigned queue shows it" wait_for c "1/5" 5
	tmx send-keys -t c q
fi
finish
