#!/bin/sh
# hub_rls.sh - who may do what on the hub is the server's word, not the
# client's: a modified client (psql, as each member's role) cannot label
# as someone else, an annotator never adjudicates, updates or deletes,
# an auditor only reads, only a lead writes solutions, only a worker or a
# lead writes suggestions and jobs (a worker never labels), a member
# adds only its own actions (their active time); and stepmark's own
# push sends nothing the server would refuse.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator bob:annotator adj:adjudicator aud:auditor wrk:worker; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
sid=$(pg_sql -c "select min(id) from stepmark.solution")

# as_member NAME SQL: psql as that member; out and err kept
as_member() {
	PGPASSWORD="pw-$1" psql -X -q -At -v ON_ERROR_STOP=1 "$(hub_as "$1")" -c "$2" >out 2>err
}
# a label row's values, for an INSERT
row() { # ANNOTATOR KIND UID
	echo "INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, value, annotator, origin, created_at)
		VALUES ('$3', $sid, 0, '$2', 1, '$1', 'human', '2026-01-01T00:00:00Z')"
}
refused() { ! as_member "$@"; }

ok "an annotator labels under its own name" as_member ann "$(row ann rating u1)"
ok "an annotator cannot label as another" refused ann "$(row bob rating u2)"
ok "the server said why" has err "row-level security"
ok "nor as its group role, after SET ROLE" refused ann "SET ROLE stepmark_annotator; $(row stepmark_annotator rating u3)"
ok "an annotator cannot adjudicate" refused ann "$(row ann adjudication u4)"
ok "nor update a label" refused ann "UPDATE stepmark.label SET value = -1 WHERE uid = 'u1'"
ok "the server said why" has err "permission denied"
ok "nor delete one" refused ann "DELETE FROM stepmark.label WHERE uid = 'u1'"
ok "nor add a solution" refused ann "INSERT INTO stepmark.dataset(name, format) VALUES ('x', 'y')"
ok "nor change steps" refused ann "UPDATE stepmark.step SET text = 'x'"
ok "nor the hub's order" refused ann "SELECT setval('stepmark.event', 1)"
ok "pushed_by is the session's, whatever the client sends" as_member ann \
	"INSERT INTO stepmark.label(uid, solution_id, kind, annotator, origin, created_at, pushed_by, seq)
	 VALUES ('u5', $sid, 'note', 'ann', 'human', 'now', 'lead', 1)"
ok "so recorded" test "$(pg_sql -c "select pushed_by || ' ' || (seq > 1)::text from stepmark.label where uid = 'u5'")" = "ann true"
ok "an adjudicator adjudicates under its name" as_member adj "$(row adj adjudication u6)"
ok "not under another's" refused adj "$(row ann adjudication u7)"
ok "an auditor reads" as_member aud "SELECT count(*) FROM stepmark.label"
ok "every label" test "$(cat out)" = "$(pg_sql -c "select count(*) from stepmark.label")"
ok "an auditor cannot label" refused aud "$(row aud rating u8)"
ok "a lead cannot rewrite history either" refused lead "DELETE FROM stepmark.label"
ok "none of the refused rows is there" test \
	"$(pg_sql -c "select count(*) from stepmark.label where uid in ('u2', 'u3', 'u4', 'u7', 'u8')")" = 0
# suggestions and jobs: a worker's (and a lead's), nobody else's
sug() { # UID
	echo "INSERT INTO stepmark.suggestion(uid, solution_id, step_idx, source, value, created_at)
		VALUES ('$1', $sid, 0, 'judge', 0.5, '2026-01-01T00:00:00Z')"
}
ok "an annotator cannot add a suggestion" refused ann "$(sug g1)"
ok "the server said why" has err "permission denied"
ok "nor an adjudicator" refused adj "$(sug g2)"
ok "nor an auditor" refused aud "$(sug g3)"
ok "nor an annotator after SET ROLE" refused ann "SET ROLE stepmark_annotator; $(sug g4)"
ok "an annotator cannot add a job" refused ann \
	"INSERT INTO stepmark.job(kind, params, solution_id) VALUES ('judge', '{}', $sid)"
ok "a worker adds a suggestion" as_member wrk "$(sug g5)"
ok "stamped with its name" test "$(pg_sql -c "select pushed_by from stepmark.suggestion where uid = 'g5'")" = wrk
ok "a worker adds a job" as_member wrk "INSERT INTO stepmark.job(kind, params, solution_id) VALUES ('judge', '{}', $sid)"
ok "and leases it" as_member wrk "UPDATE stepmark.job SET state = 'leased', lease_owner = 'w' WHERE kind = 'judge'"
ok "but cannot change what a job is" refused wrk "UPDATE stepmark.job SET solution_id = $sid + 1"
ok "nor delete a suggestion" refused wrk "DELETE FROM stepmark.suggestion"
ok "nor label" refused wrk "$(row wrk rating u9)"
ok "nor add a solution" refused wrk "INSERT INTO stepmark.dataset(name, format) VALUES ('x', 'y')"
ok "a lead adds a suggestion" as_member lead "$(sug g6)"
ok "the refused suggestions are not there" test \
	"$(pg_sql -c "select count(*) from stepmark.suggestion where uid in ('g1', 'g2', 'g3', 'g4')")" = 0
# actions (the workbench's active time): each member's own, a lead's any
act() { # ANNOTATOR UID
	echo "INSERT INTO stepmark.action(uid, solution_id, annotator, op, name, created_at, active_ms)
		VALUES ('$2', $sid, '$1', 'do', 'rate step 1 +1', '2026-01-01T00:00:00Z', 5000)"
}
ok "an annotator adds her own action" as_member ann "$(act ann x1)"
ok "not another's" refused ann "$(act bob x2)"
ok "the server said why" has err "row-level security"
ok "nor changes her active time" refused ann "UPDATE stepmark.action SET active_ms = 9999999"
ok "nor deletes it" refused ann "DELETE FROM stepmark.action"
ok "an adjudicator adds its own" as_member adj "$(act adj x3)"
ok "not another's" refused adj "$(act ann x4)"
ok "an auditor none" refused aud "$(act aud x5)"
ok "a worker none" refused wrk "$(act wrk x6)"
ok "a lead any (its store's team)" as_member lead "$(act bob x7)"
ok "the refused actions are not there" test \
	"$(pg_sql -c "select count(*) from stepmark.action where uid in ('x2', 'x4', 'x5', 'x6')")" = 0

# stepmark's push sends only what the member's role may write: the
# store's labels by others, or an annotator's adjudication, stay in it
PGPASSWORD=pw-ann sm --db ann.db --hub "$(hub_as ann)" sync --create >/dev/null
sqlite3 ann.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	SELECT min(id), 1, 'rating', 1, 'bob', 'human', 'then' FROM solution;
	INSERT INTO label(solution_id, kind, value, text, annotator, origin, created_at)
	SELECT min(id), 'adjudication', -1, 'r', 'ann', 'human', 'then' FROM solution;
	INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
	SELECT min(id), 1, 'rating', -1, 'ann', 'human', 'then' FROM solution"
PGPASSWORD=pw-ann expect_rc 0 "an annotator's sync" sm --db ann.db --hub "$(hub_as ann)" sync
ok "pushes her rating only" has out "pushed: 0 solutions, 1 label"
ok "the rest stays in the store" has out "2 labels of this store not on the hub"
PGPASSWORD=pw-aud expect_rc 0 "an auditor's store from the hub" sm --db aud.db --hub "$(hub_as aud)" sync --create
ok "reads everything" test "$(sqlite3 aud.db "select count(*) from label")" = \
	"$(pg_sql -c "select count(*) from stepmark.label")"
# someone who is no member
pg_sql -c "CREATE ROLE eve LOGIN PASSWORD 'pw-eve'"
PGPASSWORD=pw-eve expect_rc 1 "a role that is no member" sm --db aud.db --hub "$(hub_as eve)" sync
ok "is told so" has err "eve is not a member of the hub"
PGPASSWORD=pw-eve expect_rc 3 "and cannot add members" sm --hub "$(hub_as eve)" hub add mallory --role lead
ok "the server refused" has err "permission denied"
finish
