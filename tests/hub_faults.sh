#!/bin/sh
# hub_faults.sh - the hub away or cut mid-sync: the store keeps
# everything it had and what it took, nothing is lost or twice, and the
# next sync finishes; the stores converge to the same labels.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start

labels_of() {
	sqlite3 "$1" "SELECT l.uid, d.name, s.ext_key, l.step_idx, l.kind, l.value, l.text,
		l.annotator, l.origin, l.created_at FROM label l JOIN solution s ON s.id = l.solution_id
		JOIN dataset d ON d.id = s.dataset_id ORDER BY l.uid"
}
# n ratings by who on the store's solutions
label_many() { # STORE WHO N
	sqlite3 "$1" "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < $3)
		INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
		SELECT (SELECT min(id) FROM solution) + i % 12, 0, 'rating', i % 3 - 1, '$2', 'human',
		'2026-01-01T00:00:' || printf('%02d', i % 60) || 'Z' FROM k"
}
hub_count() { pg_sql -c "select count(*) from stepmark.label"; }
unsynced() { sqlite3 "$1" "select count(*) from label where hub_seq is null"; }

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator bob:annotator cat:annotator; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
PGPASSWORD=pw-ann sm --db ann.db --hub "$(hub_as ann)" sync --create >/dev/null

# ---- the hub away: the store keeps working, the next sync sends it ----
pg_halt
label_many ann.db ann 10
PGPASSWORD=pw-ann expect_rc 3 "a sync while the hub is down" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says it cannot reach the hub" has err "cannot reach the hub"
ok "the labels stay, unsynced" test "$(unsynced ann.db)" = 10
pg_restart
PGPASSWORD=pw-ann expect_rc 0 "the hub back: the next sync" sm --db ann.db --hub "$(hub_as ann)" sync
ok "sends them" has out "pushed: 0 solutions, 10 labels"
ok "all synced" test "$(unsynced ann.db)" = 0

# ---- the connection cut mid-push (the server ends it at the 4th row) ----
pg_sql -c "CREATE SEQUENCE public.cut_push;
	CREATE FUNCTION public.cut_push() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
	BEGIN IF nextval('public.cut_push') = 4 THEN PERFORM pg_terminate_backend(pg_backend_pid());
	PERFORM pg_sleep(1); END IF; RETURN NEW; END \$\$;
	CREATE TRIGGER cut_push AFTER INSERT ON stepmark.label FOR EACH ROW EXECUTE FUNCTION public.cut_push()"
label_many ann.db ann 8
before=$(hub_count)
PGPASSWORD=pw-ann expect_rc 3 "a push cut by the server" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says the hub failed" has err "the hub failed"
ok "and that the next sync goes on" has err "the next sync goes on from there"
ok "the hub took nothing of the cut push" test "$(hub_count)" = "$before"
ok "the store keeps all 8, unsynced" test "$(unsynced ann.db)" = 8
PGPASSWORD=pw-ann expect_rc 0 "the next sync" sm --db ann.db --hub "$(hub_as ann)" sync
ok "finishes the push" has out "pushed: 0 solutions, 8 labels"
ok "each once on the hub" test "$(hub_count)" = $((before + 8))
ok "nothing unsynced" test "$(unsynced ann.db)" = 0
pg_sql -c "DROP TRIGGER cut_push ON stepmark.label"

# ---- the connection cut mid-pull: the server ends it when bob's pull
# reads past the 31st label, in the session that asks for it ----
cut=$(pg_sql -c "select seq from stepmark.label order by seq offset 30 limit 1")
pg_sql -c "CREATE FUNCTION public.cut_pull(s bigint) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS \$\$
	BEGIN IF s > $cut AND current_setting('stepmark_test.cut', true) = 'on' THEN
	PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(1); END IF; RETURN true; END \$\$;
	GRANT EXECUTE ON FUNCTION public.cut_pull(bigint) TO bob;
	CREATE POLICY cut_pull ON stepmark.label AS RESTRICTIVE FOR SELECT TO bob USING (public.cut_pull(seq))"
PGOPTIONS="-c stepmark_test.cut=on" PGPASSWORD=pw-bob expect_rc 3 "a pull cut by the server" \
	sm --db bob.db --hub "$(hub_as bob)" sync --create --page 5
ok "says the hub failed" has err "the hub failed"
ok "the connection ended" has err "terminat"
got=$(sqlite3 bob.db "select count(*) from label")
ok "the store keeps the pages it took" test "$got" -gt 0 -a "$got" -lt "$(hub_count)"
ok "each with its place" test "$(unsynced bob.db)" = 0
ok "its place is kept" test "$(sqlite3 bob.db "select value > 0 from store_state where key like 'hub.pulled.%'")" = 1
PGPASSWORD=pw-bob expect_rc 0 "the next sync" sm --db bob.db --hub "$(hub_as bob)" sync --page 5
ok "takes the rest" has out "pulled: 0 solutions, $(($(hub_count) - got)) labels"
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
for d in lead ann bob; do labels_of $d.db >$d.labels; done
ok "bob's labels equal the lead's" cmp lead.labels bob.labels
ok "and ann's" cmp lead.labels ann.labels
ok "and the hub's" test "$(wc -l <lead.labels)" = "$(hub_count)"
ok "bob's summaries equal the lead's (people's part)" test \
	"$(sqlite3 bob.db "select nsteps, labelled, flags & 5 from summary order by solution_id" | md5sum)" = \
	"$(sqlite3 lead.db "select nsteps, labelled, flags & 5 from summary order by solution_id" | md5sum)"
# ---- the hub stopped (pg_ctl stop -m immediate) mid-push: the server
# holds the push's second chunk of 1000 (a trigger sleeps at its 1500th
# row) when it stops; the first chunk, committed, stays on the hub ----
# wait_sleep: until a session of the hub sleeps in the trigger or policy
wait_sleep() {
	local n=0
	until [ "$(pg_sql -c "select count(*) from pg_stat_activity where wait_event = 'PgSleep'")" = 1 ]; do
		n=$((n + 1))
		[ $n -lt 300 ] || { echo "  (no session slept)"; return 1; }
		sleep 0.1
	done
}
pg_sql -c "CREATE SEQUENCE public.slow_push;
	CREATE FUNCTION public.slow_push() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
	BEGIN IF nextval('public.slow_push') = 1500 THEN PERFORM pg_sleep(60); END IF; RETURN NEW; END \$\$;
	CREATE TRIGGER slow_push AFTER INSERT ON stepmark.label FOR EACH ROW EXECUTE FUNCTION public.slow_push()"
label_many ann.db ann 2500
before=$(hub_count)
( PGPASSWORD=pw-ann timeout 120 "$STEPMARK" --db ann.db --hub "$(hub_as ann)" sync >stop.out 2>stop.err
  echo $? >stop.rc ) &
ok "the push reaches its second chunk" wait_sleep
pg_halt
wait
ok "the sync stopped with the hub fails (exit 3)" test "$(cat stop.rc)" = 3
ok "and says the next sync goes on" grep -q "the next sync goes on from there" stop.err
pg_restart
ok "the hub kept the committed chunk" test "$(hub_count)" = $((before + 1000))
ok "the store recorded its places" test "$(unsynced ann.db)" = 1500
pg_sql -c "DROP TRIGGER slow_push ON stepmark.label"
PGPASSWORD=pw-ann expect_rc 0 "the hub back: the next sync" sm --db ann.db --hub "$(hub_as ann)" sync
ok "pushes the rest, once" has out "pushed: 0 solutions, 1500 labels"
ok "the hub has each once" test "$(hub_count)" = $((before + 2500))
ok "no uid twice" test "$(pg_sql -c "select count(distinct uid) from stepmark.label")" = "$(hub_count)"
ok "nothing unsynced" test "$(unsynced ann.db)" = 0

# ---- the hub stopped mid-pull: cat's first pull, a page of 50 at a
# time, sleeps past the 1000th label when the server stops ----
cut=$(pg_sql -c "select seq from stepmark.label order by seq offset 1000 limit 1")
pg_sql -c "CREATE FUNCTION public.slow_pull(s bigint) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS \$\$
	BEGIN IF s > $cut AND current_setting('stepmark_test.slow', true) = 'on' THEN
	PERFORM pg_sleep(60); END IF; RETURN true; END \$\$;
	GRANT EXECUTE ON FUNCTION public.slow_pull(bigint) TO cat;
	CREATE POLICY slow_pull ON stepmark.label AS RESTRICTIVE FOR SELECT TO cat USING (public.slow_pull(seq))"
# a first pull builds its store in a private file, linked into place
# when it ends: killed, it leaves none, and the next --create removes it
( PGOPTIONS="-c stepmark_test.slow=on" PGPASSWORD=pw-cat exec "$STEPMARK" --db dog.db \
	--hub "$(hub_as cat)" sync --create --page 50 >dog.out 2>dog.err ) &
dog=$!
ok "a first pull killed as it reads" wait_sleep
kill -9 $dog
wait $dog 2>/dev/null || true
ok "leaves no store" test ! -e dog.db
ok "but its private file" test -e dog.db.sync-$dog
pg_sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'" >/dev/null
( PGOPTIONS="-c stepmark_test.slow=on" PGPASSWORD=pw-cat timeout 120 "$STEPMARK" --db cat.db \
	--hub "$(hub_as cat)" sync --create --page 50 >stop.out 2>stop.err; echo $? >stop.rc ) &
ok "the pull reaches the 1000th label" wait_sleep
ok "its store is not in place while it is made" test ! -e cat.db
pg_halt
wait
ok "the pull stopped with the hub fails (exit 3)" test "$(cat stop.rc)" = 3
got=$(sqlite3 cat.db "select count(*) from label")
ok "the store keeps the pages it took (1000 labels)" test "$got" = 1000
pg_restart
pg_sql -c "DROP POLICY slow_pull ON stepmark.label"
PGPASSWORD=pw-cat expect_rc 0 "the hub back: the next sync" sm --db cat.db --hub "$(hub_as cat)" sync --page 50
ok "takes the rest, once" has out "pulled: 0 solutions, $(($(hub_count) - got)) labels"
ok "the store made is a WAL store" test "$(sqlite3 cat.db 'PRAGMA journal_mode')" = wal
PGPASSWORD=pw-cat expect_rc 0 "the killed first pull made again" \
	sm --db dog.db --hub "$(hub_as cat)" sync --create
ok "its private file gone" test ! -e dog.db.sync-$dog
ok "holding the hub's labels" test "$(sqlite3 dog.db "select count(*) from label")" = "$(hub_count)"
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
labels_of lead.db >lead.labels
labels_of cat.db >cat.labels
ok "cat's labels equal the lead's" cmp lead.labels cat.labels

# ---- twenty stores syncing at once, three times: each with labels of
# its own and the hub's, all converge and the hub has each label once ----
for i in $(seq 1 20); do
	echo "pw-m$i" | sm --hub "$PGSU" hub add "m$i" --role annotator --password-stdin >/dev/null
	cp cat.db m$i.db
	label_many m$i.db "m$i" $((5 + i))
done
before=$(hub_count)
for r in 1 2 3; do
	for i in $(seq 1 20); do
		[ $r = 1 ] || label_many m$i.db "m$i" 2
		( PGPASSWORD=pw-m$i timeout 120 "$STEPMARK" --db m$i.db --hub "$(hub_as m$i)" sync --page 40 \
			>m$i.out 2>m$i.err; echo $? >m$i.rc ) &
	done
	wait
	ok "round $r: every sync finished" test "$(cat m*.rc | sort -u)" = 0
done
for i in $(seq 1 20); do PGPASSWORD=pw-m$i sm --db m$i.db --hub "$(hub_as m$i)" sync >/dev/null; done
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
ok "the hub has each store's labels once" test "$(hub_count)" = $((before + 20 * (5 + 4) + 210))
ok "no uid twice" test "$(pg_sql -c "select count(distinct uid) from stepmark.label")" = "$(hub_count)"
labels_of lead.db >lead.labels
ok "the lead's store holds them all" test "$(wc -l <lead.labels)" = "$(hub_count)"
for i in $(seq 1 20); do labels_of m$i.db >m$i.labels; done
ok "each of the twenty equals the lead's" sh -c 'for i in $(seq 1 20); do cmp -s lead.labels m$i.labels || exit 1; done'
sums() { sqlite3 "$1" "select nsteps, labelled, flags, verdicts from summary order by solution_id" | md5sum; }
want=$(sums lead.db) same=1
for i in $(seq 1 20); do [ "$(sums m$i.db)" = "$want" ] || same=0; done
ok "and their summaries equal the lead's" test $same = 1
finish
