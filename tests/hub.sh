#!/bin/sh
# hub.sh - the hub (issue 25) on a private PostgreSQL server: hub init
# and members; a lead pushes a data set, annotators make their stores
# from the hub and label, every store converges to the same labels; a
# repeated push moves nothing; other steps under one id are a conflict,
# reported, never merged; credentials never reach a store or the output.
# Suggestions and the workbench's actions travel too, each once; a
# version-1 hub is upgraded.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start

# labels of a store as they travel, comparable between stores
labels_of() {
	sqlite3 "$1" "SELECT l.uid, d.name, s.ext_key, l.step_idx, l.kind, l.value, l.text,
		l.annotator, l.origin, l.created_at, l.agent, l.guidelines FROM label l
		JOIN solution s ON s.id = l.solution_id JOIN dataset d ON d.id = s.dataset_id
		ORDER BY l.uid"
}
# a label by who on the store's first solution, as the workbench would
label_by() { # STORE WHO STEP VALUE
	sqlite3 "$1" "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
		SELECT min(id), $3, 'rating', $4, '$2', 'human', strftime('%Y-%m-%dT%H:%M:%fZ') FROM solution"
}

# ---- init, versioned ----
expect_rc 2 "sync without a hub is a usage error" sm sync
ok "says how to give one" has err "give --hub URL"
expect_rc 0 "hub init" sm --hub "$PGSU" hub init
ok "says it created the schema" has out "schema created (version "
HUBV=$(sed -n 's/.*schema created (version \([0-9]*\)).*/\1/p' out)
ok "the version is kept" test "$(pg_sql -c "select value from stepmark.meta where key = 'version'")" = "$HUBV"
expect_rc 0 "hub init again" sm --hub "$PGSU" hub init
ok "nothing to do" has out "nothing to do"
ok "the five group roles" test "$(pg_sql -c "select count(*) from pg_roles where rolname like 'stepmark\_%'")" = 5
# a hub of version 1 (as an older stepmark made it: no jobs, no suggestions)
pg_sql -c "DROP TABLE stepmark.action; DROP VIEW stepmark.deal_seen; DROP TABLE stepmark.deal, stepmark.policy;
	DROP FUNCTION stepmark.sees_gold();
	DROP TABLE stepmark.alignment, stepmark.response_cache, stepmark.suggestion, stepmark.job; UPDATE stepmark.meta SET value = '1' WHERE key = 'version'"
expect_rc 1 "a sync with a version-1 hub" sm --db v1.db --hub "$PGSU" sync --create
ok "says a lead upgrades it" has err "at version 1 and this stepmark needs $HUBV"
expect_rc 0 "hub init upgrades a version-1 hub" sm --hub "$PGSU" hub init
ok "says so" has out "schema upgraded from version 1 to $HUBV"
ok "with the tables of version 2" test \
	"$(pg_sql -c "select count(*) from pg_tables where schemaname = 'stepmark' and tablename in ('job', 'suggestion')")" = 2
ok "version $HUBV kept" test "$(pg_sql -c "select value from stepmark.meta where key = 'version'")" = "$HUBV"

# ---- members ----
for m in lead:lead ann:annotator bob:annotator adj:adjudicator aud:auditor; do
	echo "pw-${m%%:*}-S3cret" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >out 2>err
	ok "member ${m%%:*} added" has out "${m%%:*} added as ${m#*:}"
done
expect_rc 1 "a member added twice" sm --hub "$PGSU" hub add ann --role annotator
ok "says so" has err "already"
expect_rc 2 "an unknown role" sm --hub "$PGSU" hub add zed --role king
expect_rc 2 "a name with a control character" sm --hub "$PGSU" hub add "$(printf 'a\033b')" --role annotator
ok "ann is in the annotators' group" test \
	"$(pg_sql -c "select pg_has_role('ann', 'stepmark_annotator', 'member')")" = t
pw() { echo "pw-$1-S3cret"; }

# ---- a lead pushes, annotators make their stores from the hub ----
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
PGPASSWORD=$(pw lead) expect_rc 0 "the lead's first sync" sm --db lead.db --hub "$(hub_as lead)" sync
ok "pushes the data set and its labels" has out "pushed: 12 solutions, 24 labels"
ok "every label has its place on the hub" test "$(sqlite3 lead.db "select count(*) from label where hub_seq is null")" = 0
PGPASSWORD=$(pw lead) expect_rc 0 "a repeated sync" sm --db lead.db --hub "$(hub_as lead)" sync
ok "moves nothing" has out "pushed: 0 solutions, 0 labels"
ok "and pulls nothing" has out "pulled: 0 solutions, 0 labels"
# even when the store forgot what it pushed (a crash before it recorded it)
sqlite3 lead.db "UPDATE label SET hub_seq = NULL; DELETE FROM store_state WHERE key LIKE 'hub.%'"
PGPASSWORD=$(pw lead) expect_rc 0 "a push repeated in full" sm --db lead.db --hub "$(hub_as lead)" sync
ok "moves nothing twice" has out "pushed: 0 solutions, 0 labels"
ok "the hub holds each once" test "$(pg_sql -c "select count(*) from stepmark.label")" = 24
ok "the places are back" test "$(sqlite3 lead.db "select count(*) from label where hub_seq is null")" = 0

PGPASSWORD=$(pw ann) expect_rc 3 "a missing store without --create" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says how" has err "give --create"
ok "makes no file" test ! -e ann.db
PGPASSWORD=$(pw ann) expect_rc 0 "ann's store from the hub" sm --db ann.db --hub "$(hub_as ann)" sync --create
ok "pulls everything" has out "pulled: 12 solutions, 24 labels"
PGPASSWORD=$(pw bob) expect_rc 0 "bob's store, a page of 5 at a time" \
	sm --db bob.db --hub "$(hub_as bob)" --create sync --page 5
ok "pulls everything" has out "pulled: 12 solutions, 24 labels"
ok "the same solutions and steps" sh -c 'for d in lead ann bob; do
	sqlite3 $d.db "select s.ext_key, p.text, st.idx, st.text, st.alts from solution s
		join problem p on p.id = s.problem_id join step st on st.solution_id = s.id
		order by 1, 3" | md5sum; done | uniq | wc -l | grep -qx 1'
ok "the same summaries" sh -c 'for d in lead ann bob; do
	sqlite3 $d.db "select nsteps, labelled, flags, verdicts from summary order by solution_id" | md5sum
	done | uniq | wc -l | grep -qx 1'

# ---- suggestions: a lead's travel, each once ----
sugs_of() {
	sqlite3 "$1" "SELECT d.name, s.ext_key, g.step_idx, g.source, g.model, g.origin, g.value,
		g.first_error, g.k, g.n, g.rationale, g.agent, g.rollouts FROM suggestion g
		JOIN solution s ON s.id = g.solution_id JOIN dataset d ON d.id = s.dataset_id
		ORDER BY 1, 2, 3, 4, 5, 11"
}
ok "the imported suggestions came with the first sync" test \
	"$(sqlite3 ann.db "select count(*) from suggestion")" = "$(sqlite3 lead.db "select count(*) from suggestion")"
sm --db lead.db fetch --calc >/dev/null 2>&1
nsug=$(sqlite3 lead.db "select count(*) from suggestion")
PGPASSWORD=$(pw lead) expect_rc 0 "the lead syncs its calc suggestions" sm --db lead.db --hub "$(hub_as lead)" sync
ok "pushes the new ones" has out "suggestions: 2 pushed, 0 pulled"
ok "the hub has each once" test "$(pg_sql -c "select count(*) from stepmark.suggestion")" = "$nsug"
sqlite3 lead.db "DELETE FROM store_state WHERE key LIKE 'hub.sugs.%'"
PGPASSWORD=$(pw lead) expect_rc 0 "a push of suggestions repeated in full" sm --db lead.db --hub "$(hub_as lead)" sync
ok "moves nothing" has out "suggestions: 0 pushed, 0 pulled"
ok "the hub still has each once" test "$(pg_sql -c "select count(*) from stepmark.suggestion")" = "$nsug"
PGPASSWORD=$(pw ann) expect_rc 0 "ann pulls them" sm --db ann.db --hub "$(hub_as ann)" sync
ok "the calc ones" has out "suggestions: 0 pushed, 2 pulled"
PGPASSWORD=$(pw ann) expect_rc 0 "ann again" sm --db ann.db --hub "$(hub_as ann)" sync
ok "nothing twice" has out "suggestions: 0 pushed, 0 pulled"
sugs_of lead.db >lead.sugs
sugs_of ann.db >ann.sugs
ok "ann's suggestions equal the lead's" cmp lead.sugs ann.sugs
ok "and show in her summaries" test \
	"$(sqlite3 ann.db "select verdicts from summary order by solution_id" | md5sum)" = \
	"$(sqlite3 lead.db "select verdicts from summary order by solution_id" | md5sum)"

# ---- two annotators label, both ways, and converge ----
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
tui_run '<Enter>
-' --db ann.db --annotator ann
ok "ann rated a step in the workbench" test "$(sqlite3 ann.db "select count(*) from label where annotator = 'ann'")" = 1
label_by bob.db bob 1 1
label_by bob.db bob 2 -1
PGPASSWORD=$(pw ann) expect_rc 0 "ann syncs" sm --db ann.db --hub "$(hub_as ann)" sync
ok "pushes her label" has out "pushed: 0 solutions, 1 label"
ok "and the workbench's action" has out "actions: 1 pushed, 0 pulled"
PGPASSWORD=$(pw bob) expect_rc 0 "bob syncs" sm --db bob.db --hub "$(hub_as bob)" sync
ok "pushes his two, pulls hers" sh -c 'grep -qx "pushed: 0 solutions, 2 labels" out && grep -qx "pulled: 0 solutions, 1 label" out'
ok "and her action" has out "actions: 0 pushed, 1 pulled"
acts_of() {
	sqlite3 "$1" "SELECT d.name, s.ext_key, a.annotator, a.op, a.ref IS NULL, a.name, a.created_at,
		a.active_ms FROM action a JOIN solution s ON s.id = a.solution_id
		JOIN dataset d ON d.id = s.dataset_id ORDER BY 7, 6"
}
ok "bob's store holds it as ann's made it" test "$(acts_of bob.db)" = "$(acts_of ann.db)"
# a push repeated in full, and actions the member may not push
sqlite3 ann.db "DELETE FROM store_state WHERE key LIKE 'hub.acts%';
	INSERT INTO action(solution_id, annotator, op, name, created_at, active_ms)
	SELECT min(id), 'carol', 'do', 'rate step 1 +1', '2026-01-01T00:00:00.000Z', 4000 FROM solution"
PGPASSWORD=$(pw ann) expect_rc 0 "ann's push of actions repeated in full" sm --db ann.db --hub "$(hub_as ann)" sync
ok "moves nothing twice, nor carol's" has out "actions: 0 pushed, 0 pulled"
ok "her mark passes carol's action (not read again at every round)" test \
	"$(sqlite3 ann.db "select value from store_state where key like 'hub.acts/ann.%'")" = \
	"$(sqlite3 ann.db "select max(id) from action")"
ok "the hub holds ann's once" test "$(pg_sql -c "select count(*) from stepmark.action")" = 1
ok "with its active time as her store has it" test \
	"$(pg_sql -c "select annotator, active_ms from stepmark.action")" = \
	"$(sqlite3 ann.db "select annotator, active_ms from action where annotator = 'ann'")"
# ann's second store pulls her action; its undo is not that store's
PGPASSWORD=$(pw ann) sm --db ann2.db --hub "$(hub_as ann)" sync --create >/dev/null
ok "ann's second store pulls her action" test "$(acts_of ann2.db)" = "$(acts_of bob.db)"
tui_run '<Enter>
U
:save-display undo.txt' --db ann2.db --annotator ann
ok "whose undo there has nothing to undo" grep -q "nothing to undo" undo.txt
ok "and writes nothing" test "$(sqlite3 ann2.db "select count(*) from action")" = 1
for d in ann lead; do
	PGPASSWORD=$(pw $d) expect_rc 0 "$d syncs again" sm --db $d.db --hub "$(hub_as $d)" sync
done
for d in lead ann bob; do labels_of $d.db >$d.labels; done
ok "27 labels in each" test "$(wc -l <lead.labels)" = 27
ok "bob's store equals the lead's, table for table" cmp lead.labels bob.labels
ok "ann's too" cmp lead.labels ann.labels
ok "the hub's equal them" test "$(pg_sql -c "select uid from stepmark.label order by uid" | md5sum)" = \
	"$(cut -d'|' -f1 lead.labels | md5sum)"
ok "stats count them (the tallies)" sh -c '"$STEPMARK" --db lead.db stats | grep -q "bob"'
ok "the lead's summaries show the new verdicts" test \
	"$(sqlite3 lead.db "select count(*) from summary where verdicts like '%@bob%'")" = 1
ok "pushed_by is the server's session user" test \
	"$(pg_sql -c "select pushed_by from stepmark.label where annotator = 'bob' group by 1")" = bob
# an annotator's store pushes only its own labels (the hub would refuse the rest)
label_by ann.db carol 0 1
PGPASSWORD=$(pw ann) expect_rc 0 "ann's store with a label by carol" sm --db ann.db --hub "$(hub_as ann)" sync
ok "pushes none of carol's" has out "pushed: 0 solutions, 0 labels"
ok "says one stays" has out "1 label of this store not on the hub"

# a hub label whose annotator is no name a store keeps (a bidi override,
# as a modified lead's client could push): left out and said, as merge
# does; the store never holds it
sol0=$(pg_sql -c "select min(id) from stepmark.solution")
pg_sql -c "INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, value, annotator, origin,
	created_at, pushed_by) VALUES ('bad-name-1', $sol0, 0, 'rating', 1, E'eve\\u202Eli', 'human',
	'2026-01-01T00:00:00.000Z', 'lead')"
pg_sql -c "INSERT INTO stepmark.action(uid, solution_id, annotator, op, name, created_at, pushed_by)
	VALUES ('bad-name-2', $sol0, E'eve\\u202Eli', 'do', 'rate', '2026-01-01T00:00:00.000Z', 'lead')"
PGPASSWORD=$(pw ann) expect_rc 0 "ann syncs past a label with a bad name" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says the hub has a label it does not take" has out "1 label of the hub this store does not take (left out)"
ok "and does not store it" test "$(sqlite3 ann.db "select count(*) from label where annotator like 'eve%'")" = 0
ok "nor names it an annotator" test "$(sqlite3 ann.db "select count(*) from annotator where name like 'eve%'")" = 0
ok "an action under that name: said" has out "1 action of the hub this store does not take (left out)"
ok "and not stored" test "$(sqlite3 ann.db "select count(*) from action where annotator like 'eve%'")" = 0
pg_sql -c "DELETE FROM stepmark.label WHERE uid = 'bad-name-1'; DELETE FROM stepmark.action WHERE uid = 'bad-name-2'"

# ---- a conflict: other steps under one id ----
# (a lead's store made from the hub, one solution's first step edited)
PGPASSWORD=$(pw lead) sm --db other.db --hub "$(hub_as lead)" sync --create >/dev/null
sqlite3 other.db "UPDATE step SET text = text || ' (edited)' WHERE idx = 0 AND solution_id = (SELECT min(id) FROM solution)"
label_by other.db lead 0 1
key=$(sqlite3 other.db "select ext_key from solution where id = (select min(id) from solution)")
PGPASSWORD=$(pw lead) expect_rc 0 "a store with other steps under one id" sm --db other.db --hub "$(hub_as lead)" sync
ok "reports the conflict" has out "conflict: prm800k $key: the hub has other steps"
ok "the label on it is not moved" has out "1 label on solutions in conflict not moved"
ok "the hub keeps its steps" test "$(pg_sql -c "select count(*) from stepmark.step where text like '%(edited)'")" = 0
ok "the store keeps its own" test "$(sqlite3 other.db "select count(*) from step where text like '%(edited)'")" = 1
ok "the label stays in the store, unpushed" test \
	"$(sqlite3 other.db "select count(*) from label where hub_seq is null")" = 1
label_by bob.db bob 0 1
PGPASSWORD=$(pw bob) sm --db bob.db --hub "$(hub_as bob)" sync >/dev/null
PGPASSWORD=$(pw lead) expect_rc 0 "the conflicting store syncs again" sm --db other.db --hub "$(hub_as lead)" sync
ok "bob's new label on that id is not pulled onto other steps" has out "pulled: 0 solutions, 0 labels"
ok "but counted (with its own, unpushed)" has out "2 labels on solutions in conflict not moved"

# ---- credentials: never in a store, never said ----
for d in lead ann bob; do
	ok "no password in $d's store" sh -c "! grep -aq 'S3cret' $d.db* && ! grep -aq 'host=' $d.db*"
done
PGPASSWORD=wrong-S3cret expect_rc 3 "a wrong password" sm --db ann.db --hub "$(hub_as ann)" sync
ok "is refused by the server" has err "password authentication failed"
ok "and not said back" sh -c '! grep -q "S3cret" out err'
expect_rc 3 "a password in the URL, wrong" sm --db ann.db --hub "$(hub_as ann) password=Url-S3cret" sync
ok "is not said back either" sh -c '! grep -q "S3cret" out err'
printf '*:*:*:ann:%s\n' "$(pw ann)" >"$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"
expect_rc 0 "the password from ~/.pgpass" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says nothing of it" sh -c '! grep -q "S3cret" out err'
printf 'set hub = "%s"\n' "$(hub_as ann)" >>"$XDG_CONFIG_HOME/stepmark/config"
expect_rc 0 "the hub from the config" sm --db ann.db sync
ok "syncs" has out "pushed: 0 solutions, 0 labels"
rm -f "$HOME/.pgpass"
# the workbench's :set shows the setting without its password
printf 'set hub = "%s password=Conf-S3cret"\n' "$(hub_as ann)" >>"$XDG_CONFIG_HOME/stepmark/config"
TUI_SIZE=160x40 tui_run ':set
:save-display set.txt' --db ann.db --annotator ann
ok ":set lists the hub" grep -q "hub .*host=" set.txt
ok "with its password hidden" sh -c '! grep -q "S3cret" set.txt && grep -q "password=\*\*\*" set.txt'
# another hub is refused
sqlite3 ann.db "UPDATE store_state SET value = 'another' WHERE key = 'hub'"
PGPASSWORD=$(pw ann) expect_rc 1 "a store of another hub" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says so" has err "syncs with another hub"
finish
