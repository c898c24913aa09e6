#!/bin/sh
# hub_offline.sh - stores that label for a day without the hub, then
# sync at once (issue 25, Faults): two annotators' stores syncing
# together in rounds of small pages lose nothing, take nothing twice and
# end equal table by table (labels, suggestions, summaries, the label in
# force); one annotator labelling one solution on two stores while
# offline is a conflict sync names, and the later label is in force on
# every store whatever order they synced in; consensus, audit and export
# on a store that only pulled say what they say on the lead's (the
# annotators' active time too).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start

# what a store holds, comparable between stores (no local ids)
labels_of() {
	sqlite3 "$1" "SELECT l.uid, d.name, s.ext_key, l.step_idx, l.kind, l.value, l.text,
		l.annotator, l.origin, l.created_at, l.agent, l.guidelines, l.hub_seq IS NULL
		FROM label l JOIN solution s ON s.id = l.solution_id
		JOIN dataset d ON d.id = s.dataset_id ORDER BY l.uid"
}
sugs_of() {
	sqlite3 "$1" "SELECT d.name, s.ext_key, g.step_idx, g.source, g.model, g.origin, g.value,
		g.first_error, g.k, g.n, g.rationale, g.agent, g.rollouts FROM suggestion g
		JOIN solution s ON s.id = g.solution_id JOIN dataset d ON d.id = s.dataset_id
		ORDER BY 1, 2, 3, 4, 5, 11"
}
sums_of() {
	sqlite3 "$1" "SELECT d.name, s.ext_key, m.nsteps, m.labelled, m.flags, m.verdicts
		FROM summary m JOIN solution s ON s.id = m.solution_id
		JOIN dataset d ON d.id = s.dataset_id ORDER BY 1, 2"
}
# the label in force per solution, annotator, kind and step, as the
# workbench reads it (each annotator's newest)
force_of() {
	sqlite3 "$1" "SELECT d.name, s.ext_key, l.annotator, l.kind, l.step_idx, l.value, l.text,
		l.created_at FROM label l JOIN solution s ON s.id = l.solution_id
		JOIN dataset d ON d.id = s.dataset_id WHERE l.id IN (SELECT max(id) FROM label
		GROUP BY solution_id, annotator, kind, step_idx) ORDER BY 1, 2, 3, 4, 5"
}
tables_of() { # STORE: one file per table
	labels_of "$1.db" >"$1.labels"
	sugs_of "$1.db" >"$1.sugs"
	sums_of "$1.db" >"$1.sums"
	force_of "$1.db" >"$1.force"
}
same_tables() { # A B
	for t in labels sugs sums force; do
		cmp -s "$1.$t" "$2.$t" || { echo "  $1 and $2 differ in $t:"; diff "$1.$t" "$2.$t" | head -5; return 1; }
	done
}
hub_count() { pg_sql -c "select count(*) from stepmark.label"; }
# n labels by WHO over every solution of the store, made 2 s apart from
# 09:00 + PHASE s on a day of the test (offline: no hub place), ratings
# and notes, each solution's steps in turn
label_day() { # STORE WHO PHASE N
	sqlite3 "$1" "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < $4),
		sols AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS r,
			(SELECT count(*) FROM step t WHERE t.solution_id = solution.id) AS n FROM solution),
		c AS (SELECT count(*) AS c FROM solution)
		INSERT INTO label(solution_id, step_idx, kind, value, text, annotator, origin, created_at)
		SELECT s.id, (k.i / c.c) % s.n, CASE WHEN k.i % 7 = 6 THEN 'note' ELSE 'rating' END,
		CASE WHEN k.i % 7 = 6 THEN NULL ELSE k.i % 3 - 1 END,
		CASE WHEN k.i % 7 = 6 THEN '$2 says ' || k.i ELSE NULL END, '$2', 'tui',
		strftime('%Y-%m-%dT%H:%M:%fZ', '2026-03-01 09:00:00', '+' || (2 * k.i + $3) || ' seconds')
		FROM k JOIN c JOIN sols s ON s.r = k.i % c.c"
}
# a rating by WHO of step STEP on the solution KEY, made at AT
rate_at() { # STORE WHO KEY STEP VALUE AT
	sqlite3 "$1" "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin, created_at)
		SELECT id, $4, 'rating', $5, '$2', 'tui', '$6' FROM solution WHERE ext_key = '$3'"
}
# sync STORE as WHO, exit status into STORE.rc, output into STORE.out
sync_bg() { # WHO STORE [ARGS]
	local who=$1 db=$2
	shift 2
	( PGPASSWORD=pw-$who timeout 120 "$STEPMARK" --db "$db.db" --hub "$(hub_as "$who")" sync "$@" \
		>"$db.out" 2>"$db.err"; echo $? >"$db.rc" ) &
}

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead ann:annotator bob:annotator; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
sm --db lead.db --annotator lead import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
for s in ann:ann ann:ann2 bob:bob; do
	PGPASSWORD=pw-${s%%:*} sm --db ${s#*:}.db --hub "$(hub_as ${s%%:*})" sync --create >/dev/null
done
base=$(hub_count)

# ---- two laptops offline for a day, then syncing at once ----
label_day ann.db ann 0 400
label_day bob.db bob 1 400
mkdir -p "$XDG_CONFIG_HOME/stepmark" && echo "set advance = no" >>"$XDG_CONFIG_HOME/stepmark/config"
tui_run '<Enter>
-
j
+' --db ann.db --annotator ann
tui_run '<Enter>
+
j
-' --db bob.db --annotator bob
ok "each labelled offline (400 and a workbench session)" test \
	"$(sqlite3 ann.db "select count(*) from label where hub_seq is null")" -gt 400
for r in 1 2 3; do
	sync_bg ann ann --page 7
	sync_bg bob bob --page 7
	wait
	ok "round $r: ann's sync finished" test "$(cat ann.rc)" = 0
	ok "round $r: bob's sync finished" test "$(cat bob.rc)" = 0
done
nann=$(sqlite3 ann.db "select count(*) from label where annotator = 'ann'")
nbob=$(sqlite3 bob.db "select count(*) from label where annotator = 'bob'")
ok "the hub has each label once" test "$(hub_count)" = $((base + nann + nbob))
ok "and no uid twice" test "$(pg_sql -c "select count(distinct uid) from stepmark.label")" = "$(hub_count)"
PGPASSWORD=pw-lead sm --db lead.db --hub "$(hub_as lead)" sync >/dev/null
for d in lead ann bob; do tables_of $d; done
ok "nothing unsynced anywhere" sh -c '! grep -q "|1\$" lead.labels ann.labels bob.labels'
ok "ann's store holds bob's day" test "$(sqlite3 ann.db "select count(*) from label where annotator = 'bob'")" = "$nbob"
ok "ann's store equals bob's, table by table" same_tables ann bob
ok "and the lead's" same_tables ann lead
ok "no conflict between two annotators" sh -c '! grep -q "conflict" ann.out bob.out'

# ---- one annotator, one solution, two stores, offline ----
PGPASSWORD=pw-ann sm --db ann2.db --hub "$(hub_as ann)" sync >/dev/null
# ann labels on her laptop (ann.db) and her desktop (ann2.db), neither
# synced: on x the laptop's label is the later, on y the desktop's
x=$(sqlite3 ann.db "select ext_key from solution order by id limit 1")
y=$(sqlite3 ann.db "select ext_key from solution order by id limit 1 offset 1")
rate_at ann.db ann "$x" 0 1 2030-03-02T10:05:00.000Z
rate_at ann2.db ann "$x" 0 -1 2030-03-02T10:00:00.000Z
rate_at ann.db ann "$y" 0 -1 2030-03-02T10:00:00.000Z
rate_at ann2.db ann "$y" 0 1 2030-03-02T10:05:00.000Z
PGPASSWORD=pw-ann expect_rc 0 "the desktop syncs first" sm --db ann2.db --hub "$(hub_as ann)" sync
ok "it meets no conflict yet" sh -c '! grep -q conflict out'
PGPASSWORD=pw-ann expect_rc 0 "then the laptop" sm --db ann.db --hub "$(hub_as ann)" sync
ok "names the conflict on x" has out "conflict: ann labelled prm800k $x on two stores while offline; in force: the later labels (the last made 2030-03-02T10:05:00.000Z)"
ok "and on y" has out "conflict: ann labelled prm800k $y on two stores while offline"
ok "counts them" has out "2 solutions labelled by one annotator on two stores while offline"
PGPASSWORD=pw-ann expect_rc 0 "the desktop again" sm --db ann2.db --hub "$(hub_as ann)" sync
ok "pulls the laptop's labels" has out "pulled: 0 solutions, 2 labels"
PGPASSWORD=pw-ann expect_rc 0 "the laptop again" sm --db ann.db --hub "$(hub_as ann)" sync
ok "says no conflict twice" sh -c '! grep -q conflict out'
for d in lead bob; do PGPASSWORD=pw-$d sm --db $d.db --hub "$(hub_as $d)" sync >/dev/null; done
inforce() { # STORE KEY: ann's rating of step 0 in force
	sqlite3 "$1" "SELECT value FROM label WHERE id = (SELECT max(l.id) FROM label l JOIN solution s
		ON s.id = l.solution_id WHERE s.ext_key = '$2' AND l.annotator = 'ann' AND l.kind = 'rating'
		AND l.step_idx = 0)"
}
for d in ann ann2 lead bob; do
	ok "on $d.db the laptop's later label is in force on x" test "$(inforce $d.db "$x")" = 1
	ok "on $d.db the desktop's later label is in force on y" test "$(inforce $d.db "$y")" = 1
done
for d in lead ann ann2 bob; do tables_of $d; done
ok "the desktop's store equals the laptop's, table by table" same_tables ann2 ann
ok "and the lead's" same_tables ann2 lead
ok "and bob's" same_tables bob lead

# ---- a clock behind: ann's label on z, made after bob's reached her
# store but stamped earlier, goes before bob's on every store, hers too ----
z=$(sqlite3 ann.db "select ext_key from solution order by id limit 1 offset 2")
rate_at bob.db bob "$z" 1 1 2030-04-01T10:05:00.000Z
PGPASSWORD=pw-bob sm --db bob.db --hub "$(hub_as bob)" sync >/dev/null
PGPASSWORD=pw-ann sm --db ann.db --hub "$(hub_as ann)" sync >/dev/null
rate_at ann.db ann "$z" 1 -1 2030-04-01T10:02:00.000Z
for d in ann:ann lead:lead bob:bob; do
	PGPASSWORD=pw-${d%%:*} sm --db ${d#*:}.db --hub "$(hub_as ${d%%:*})" sync >/dev/null
done
for d in ann lead bob; do sm --db $d.db export --format csv -o $d.z.csv >/dev/null 2>&1; done
ok "the people's rating in force on z is bob's on the lead's store" \
	python3 -c "import csv, sys; sys.exit(not any(r[1] == '$z' and r[2] == '1' and r[5] == '1'
		for r in csv.reader(open('lead.z.csv'))))"
ok "ann's store exports what the lead's does" cmp lead.z.csv ann.z.csv
ok "and bob's" cmp lead.z.csv bob.z.csv

# ---- notes, flags and adjudications travel like every label ----
tui_run '<Enter>
!
t
ann notes this<Enter>' --db ann.db --annotator ann
sm --db lead.db --annotator lead adjudicate --dataset prm800k --id "$x" --no-error \
	--reason "checked twice" >/dev/null
for r in 1 2; do
	for d in ann:ann lead:lead bob:bob; do
		PGPASSWORD=pw-${d%%:*} sm --db ${d#*:}.db --hub "$(hub_as ${d%%:*})" sync >/dev/null
	done
done
kinds() { sqlite3 "$1" "select annotator, kind, coalesce(text, '') from label
	where kind in ('note', 'flag', 'adjudication') and annotator in ('ann', 'lead')
	and (kind <> 'note' or text = 'ann notes this') order by 1, 2"; }
ok "bob's store has ann's flag and note and the lead's adjudication" test \
	"$(kinds bob.db | cut -d'|' -f1,2 | sort -u | tr '\n' ' ')" = "ann|flag ann|note lead|adjudication "
ok "as they were made" test "$(kinds bob.db)" = "$(kinds ann.db)"

# ---- consensus, audit and export on a store that only pulled ----
for d in lead bob; do
	sm --db $d.db consensus --policy human >$d.consensus 2>&1
	sm --db $d.db audit --truth ann >$d.audit 2>&1
	sm --db $d.db export --format trl --agreed -o $d.trl >/dev/null 2>&1
	sm --db $d.db export --format csv -o $d.csv >/dev/null 2>&1
	sm --db $d.db stats >$d.stats 2>&1
done
ok "consensus says the same on bob's store as on the lead's" cmp lead.consensus bob.consensus
ok "and decides something" test -s lead.consensus
# stats reads counts kept with the summaries a pull writes
ok "stats says the same" cmp lead.stats bob.stats
ok "and counts bob's labels" grep -q "bob" lead.stats
# the word table a search asks first came with the texts a pull wrote
words() { sqlite3 "$1" "SELECT group_concat(w, ' ') FROM (SELECT w FROM word ORDER BY w)"; }
ok "bob's store has the lead's words" test "$(words bob.db)" = "$(words lead.db)"
ok "and some" test -n "$(words bob.db)"
# the annotators' active time too: the workbench's actions, which hold
# it, travel like labels
ok "audit --truth ann says the same" cmp lead.audit bob.audit
ok "with the workbench's active time" test "$(sqlite3 bob.db "select count(*) from action
	where annotator = 'ann' and active_ms > 0")" -gt 0
ok "and measures bob" grep -q "@bob" lead.audit
ok "export --agreed writes the same" cmp lead.trl bob.trl
ok "export of the labels writes the same" cmp lead.csv bob.csv
ok "with ann's and bob's labels" sh -c 'grep -q "label:ann," lead.csv && grep -q "label:bob," lead.csv'
finish
