#!/bin/sh
# hub_fetch.sh - stepmark fetch --hub (issue 25): workers on two stores
# pulled from one hub run the hub's jobs at the same time; each job ends
# on the hub once, with the suggestions a single local run makes; a
# worker killed holding leases loses nothing: once its leases run out
# another finishes its jobs, nothing twice; an annotator syncs them.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start
start_fake
# start_fake's trap replaced pg_start's: both
trap 'kill $FAKE_PID 2>/dev/null; pg_stop; rm -rf "$PGDIR"; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead w1:worker w2:worker ann:annotator; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
as() { # as NAME ARGS...: stepmark as that member
	local who=$1
	shift
	PGPASSWORD="pw-$who" sm --hub "$(hub_as "$who")" "$@"
}
sm --db lead.db import "$TMP/sim.jsonl" --format generic --problem problem --steps steps \
	--gold gold --id id --dataset gsm8k >/dev/null
nsol=$(sqlite3 lead.db "select count(*) from solution")
as lead --db lead.db sync >/dev/null
for w in w1 w2 ann; do as $w --db $w.db sync --create >/dev/null; done
# what one local run makes, for comparison
cp lead.db ref.db
sm --db ref.db fetch --calc --quiet >/dev/null 2>&1

# a suggestion's columns, comparable between a store and the hub
SUGCOLS="d.name, s.ext_key, coalesce(g.step_idx, -9), g.source, coalesce(g.model, ''),
	coalesce(g.origin, ''), coalesce(round(g.value * 1000000), -9), coalesce(g.first_error, -9),
	coalesce(g.k, -9), coalesce(g.n, -9), coalesce(g.rationale, ''), coalesce(g.agent, ''),
	coalesce(g.rollouts, '')"
store_sugs() { # STORE SOURCE
	sqlite3 "$1" "SELECT $SUGCOLS FROM suggestion g JOIN solution s ON s.id = g.solution_id
		JOIN dataset d ON d.id = s.dataset_id WHERE g.source = '$2' ORDER BY 1, 2, 3, 4, 11" |
		sed 's/\.0|/|/g'
}
hub_sugs() { # SOURCE
	pg_sql -F'|' -c "SELECT $SUGCOLS FROM stepmark.suggestion g
		JOIN stepmark.solution s ON s.id = g.solution_id
		JOIN stepmark.dataset d ON d.id = s.dataset_id WHERE g.source = '$1'
		ORDER BY 1, 2, 3, 4, 11"
}

# ---- who may ----
expect_rc 2 "--lease without --hub" sm --db w1.db fetch --calc --lease 5
expect_rc 2 "--hub with --batch-out" as w1 --db w1.db fetch --hub --calc --batch-out x
PGPASSWORD=pw-ann expect_rc 1 "an annotator runs no hub job" \
	sm --db ann.db --hub "$(hub_as ann)" fetch --hub --calc
ok "says who does" has err "a worker or a lead runs its jobs"
ok "and puts no job on the hub" test "$(pg_sql -c "select count(*) from stepmark.job")" = 0

# ---- two workers at once ----
(as w1 --db w1.db fetch --hub --calc >w1.out 2>w1.err; echo $? >w1.rc) &
p1=$!
(as w2 --db w2.db fetch --hub --calc >w2.out 2>w2.err; echo $? >w2.rc) &
p2=$!
wait $p1 $p2
ok "worker 1 ends well" test "$(cat w1.rc)" = 0
ok "worker 2 ends well" test "$(cat w2.rc)" = 0
ok "one job per solution on the hub" test "$(pg_sql -c "select count(*) from stepmark.job where kind = 'calc'")" = "$nsol"
ok "every one done" test "$(pg_sql -c "select count(*) from stepmark.job where state = 'done'")" = "$nsol"
ok "by one worker each: the two did them all between them" test \
	"$(($(sed -n 's/^this worker: \([0-9]*\) jobs done.*/\1/p' w1.out) + $(sed -n 's/^this worker: \([0-9]*\) jobs done.*/\1/p' w2.out)))" = "$nsol"
ok "the jobs were put once" test \
	"$(($(sed -n 's/^hub: \([0-9]*\) jobs put.*/\1/p' w1.out) + $(sed -n 's/^hub: \([0-9]*\) jobs put.*/\1/p' w2.out)))" = "$nsol"
store_sugs ref.db calc >ref.calc
hub_sugs calc >hub.calc
ok "the local run made some" test -s ref.calc
ok "the hub's suggestions equal one local run's" cmp ref.calc hub.calc
ok "nothing twice" test "$(pg_sql -c "select count(*) from (select solution_id, step_idx, source
	from stepmark.suggestion where job_id is not null group by 1, 2, 3 having count(*) > 1) x")" = 0
ok "each came with its job, by a worker" test \
	"$(pg_sql -c "select count(*) from stepmark.suggestion where source = 'calc' and (job_id is null or pushed_by not in ('w1', 'w2'))")" = 0
as w1 --db w1.db fetch --hub --calc >out 2>err
ok "a repeated run puts nothing" has out "hub: 0 jobs put ($nsol there already"
ok "and does nothing" has out "this worker: 0 jobs done"
as w1 --db w1.db sync >out 2>err
ok "a worker's sync pushes nothing again" has out "suggestions: 0 pushed"
ok "the hub still has each once" test "$(hub_sugs calc | md5sum)" = "$(md5sum <ref.calc)"

# ---- a worker killed -9 holding leases ----
fake_config cfg
fake_control '{"faults": [], "latency_ms": 1500}'
cp lead.db ref2.db
# (stepmark itself in the background, not a shell around it)
PGPASSWORD=pw-w1 "$STEPMARK" --hub "$(hub_as w1)" --db w1.db fetch --hub --judge --config cfg \
	--lease 3 >k.out 2>k.err &
wpid=$!
n=0
while [ "$(pg_sql -c "select count(*) from stepmark.job where kind = 'judge' and state = 'leased'")" = 0 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill -9 $wpid
wait $wpid 2>/dev/null
held=$(pg_sql -c "select count(*) from stepmark.job where kind = 'judge' and state = 'leased'")
ok "the killed worker held leases" test "$held" -gt 0
ok "and ended none" test "$(pg_sql -c "select count(*) from stepmark.job where kind = 'judge' and state = 'done'")" = 0
fake_control '{"faults": [], "latency_ms": 0}'
as w2 --db w2.db fetch --hub --judge --config cfg --lease 3 >out 2>err
ok "another worker ends well" test $? = 0
ok "after the leases ran out, it did every job" has out "this worker: $nsol jobs done, 0 failed"
ok "every judge job done on the hub" test \
	"$(pg_sql -c "select count(*) from stepmark.job where kind = 'judge' and state = 'done' and done_by = 'w2'")" = "$nsol"
ok "those the killed worker held were leased twice" test \
	"$(pg_sql -c "select count(*) from stepmark.job where kind = 'judge' and attempts = 2")" = "$held"
ok "nothing twice" test "$(pg_sql -c "select count(*) from (select job_id, step_idx
	from stepmark.suggestion where job_id is not null group by 1, 2 having count(*) > 1) x")" = 0
ok "every job's suggestions there" test \
	"$(pg_sql -c "select count(distinct job_id) from stepmark.suggestion where source = 'judge'")" = "$nsol"
sm --db ref2.db fetch --judge --config cfg --quiet >/dev/null 2>&1
store_sugs ref2.db judge >ref.judge
ok "equal to one local run's" test "$(hub_sugs judge | md5sum)" = "$(md5sum <ref.judge)"
# the killed worker comes back: its store's judge suggestions stay its own
as w1 --db w1.db sync >out 2>err
ok "its sync adds nothing to the hub's jobs" test \
	"$(pg_sql -c "select count(*) from stepmark.suggestion where source = 'judge' and job_id is null")" = 0

# ---- two judge workers at once, the server failing now and then ----
fake_control '{"faults": [{"fault": "500", "rate": 0.3, "max_per_request": 1},
	{"fault": "reset", "rate": 0.1, "max_per_request": 1}], "latency_ms": 30}'
(PGPASSWORD=pw-w1 "$STEPMARK" --hub "$(hub_as w1)" --db w1.db fetch --hub --judge --samples 3 \
	--config cfg --lease 5 >w1.out 2>w1.err; echo $? >w1.rc) &
p1=$!
(PGPASSWORD=pw-w2 "$STEPMARK" --hub "$(hub_as w2)" --db w2.db fetch --hub --judge --samples 3 \
	--config cfg --lease 5 >w2.out 2>w2.err; echo $? >w2.rc) &
p2=$!
wait $p1 $p2
ok "faults: worker 1 ends well" test "$(cat w1.rc)" = 0
ok "faults: worker 2 ends well" test "$(cat w2.rc)" = 0
ok "faults: the server failed some requests" test "$(fake_stats | python3 -c 'import json, sys
print(sum(json.load(sys.stdin)["faults_served"].values()))')" -gt 0
ok "faults: every job done once" test "$(pg_sql -c "select count(*) from stepmark.job
	where kind = 'judge' and params like '%\"samples\":3%' and state = 'done'")" = "$nsol"
ok "faults: nothing twice" test "$(pg_sql -c "select count(*) from (select job_id, step_idx
	from stepmark.suggestion where job_id is not null group by 1, 2 having count(*) > 1) x")" = 0
fake_control '{"faults": [], "latency_ms": 0}'
cp lead.db ref3.db
sm --db ref3.db fetch --judge --samples 3 --config cfg --quiet >/dev/null 2>&1
hub3() {
	pg_sql -F'|' -c "SELECT $SUGCOLS FROM stepmark.suggestion g
		JOIN stepmark.solution s ON s.id = g.solution_id
		JOIN stepmark.dataset d ON d.id = s.dataset_id JOIN stepmark.job j ON j.id = g.job_id
		WHERE j.params LIKE '%\"samples\":3%' ORDER BY 1, 2, 3, 4, 11"
}
ok "faults: equal to one local run's without faults" test "$(hub3 | md5sum)" = "$(store_sugs ref3.db judge | md5sum)"

# ---- an annotator syncs and has them ----
PGPASSWORD=pw-ann expect_rc 0 "the annotator syncs" sm --db ann.db --hub "$(hub_as ann)" sync
store_sugs ann.db calc >ann.calc
ok "she has the calc suggestions" cmp ref.calc ann.calc
ok "and the judge's (line for line)" test "$(store_sugs ann.db judge | sort | md5sum)" = \
	"$( (cat ref.judge; store_sugs ref3.db judge) | sort | md5sum)"
ok "in her summaries" test "$(sqlite3 ann.db "select count(*) from summary where verdicts like '%judge%'")" -gt 0
finish
