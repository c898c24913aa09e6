#!/bin/sh
# bench/hub: a team on a PostgreSQL hub (issue 25), on a private cluster
# this script starts (initdb, pg_ctl, a Unix socket in a temporary
# directory, no TCP; as the user nobody when run as root) and stops.
#  ingest  STORES stores (default 4), each of one annotator with LABELS_EACH
#          labels (default 25 000) the hub lacks, synced at once: the
#          events/s the hub takes (all labels / the wall time from the
#          first sync's start to the last's end). Target >= 5 000/s.
#  pull    a hub of SOLS PRM800K-shaped solutions (default 20 000) and
#          label events (20 annotators moving through the steps,
#          interleaved), pulled into an empty store by
#          `stepmark --db NEW --hub URL sync --create` at SMALL (default
#          100 000) and LABELS (default 1 000 000) events, against the
#          floor (bench/hub/floor: the same label rows read with COPY ...
#          TO STDOUT and inserted into a SQLite file with the store's
#          label columns and indexes; see floor.c for what it does not
#          do). The seconds are the medians of REPS runs (default 3),
#          OLD (a stepmark binary) timed beside it when given. The
#          solutions alone (SOLS, no labels) are pulled first and timed:
#          they are in every pull's seconds. Targets: <= 2x the floor,
#          peak RSS flat (at LABELS within 1.5x of SMALL's).
#  team    N (default 20) scripted workbenches, one store and annotator
#          each (bench/team/keys.py, KEYS keys PACE ms apart), syncing in
#          the background every second (hub-interval = 1), and 2
#          `stepmark fetch --hub --mc` workers against the tests' fake
#          model server: key p50, p99 and max over every session (as
#          bench/team and bench/ui time them: in the workbench, from the
#          key read to the screen written), their CPU, and from when
#          each was due (the pace: the loop's work a key met waiting
#          counts too); the sync's turns of the loop and the pages it
#          stored, wall and CPU (STEPMARK_TIMINGS' key-cpu, due, hub-turn
#          and hub-page lines; the pages' CPU per event, over all
#          pages and over each page of 20 events or more); how
#          long each label took to reach every other store (seen.py polls
#          the stores' files read-only; bounds.py checks its figures
#          against the stores' own order); labels typed = stored = on the
#          hub. Targets: propagation p99 <= 2 s, key p99 <= 5 ms.
# The load average and cores are printed beside the figures: the
# machine is shared, and 20 workbenches and a server on 2 cores are
# CPU-starved. The model server (tests/fake_oai.py) and the watcher
# (seen.py) run at nice 19: they stand for other machines and for the
# measurement, not for the system measured (a watcher slowed by it
# reports a label's propagation later, never sooner). In the team part
# the hub's server and the two fetch workers run at nice TEAM_NICE
# (default 19): they stand for the hub's machine and the workers'
# machines, which a team's laptops do not share; the workbenches keep
# priority and the server the CPU they leave. TEAM_NICE=0 runs them level
# with the workbenches, as the 2 cores are shared (the line says which).
# Usage: [PARTS="ingest pull team"] [SOLS=] [LABELS=] [SMALL=] [REPS=]
#        [STORES=] [LABELS_EACH=] [N=] [KEYS=] [PACE=] [TEAM_NICE=] [OLD=path] run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
floor=${FLOOR:-$top/bench/hub/floor}
[ -x "$floor" ] || { echo "bench/hub needs $floor: make check (or make bench/hub/floor) builds it"; exit 1; }
parts=${PARTS:-ingest pull team}
sols=${SOLS:-20000}
labels=${LABELS:-1000000}
small=${SMALL:-100000}
reps=${REPS:-3}
stores=${STORES:-4}
each=${LABELS_EACH:-25000}
n=${N:-20}
nkeys=${KEYS:-300}
pace=${PACE:-100}
team_nice=${TEAM_NICE:-19}
old=${OLD:-}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
out=${BENCH_OUT:-$top/bench/out/hub}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"
export LC_ALL=C.UTF-8 TERM=xterm-256color COLUMNS=120 LINES=40 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
unset PGHOST PGUSER PGDATABASE PGPASSWORD PGSERVICE PGPASSFILE http_proxy https_proxy
for p in initdb pg_ctl postgres; do
	[ -x "$PG_BIN/$p" ] || { echo "bench/hub needs $PG_BIN/$p: apt-get install postgresql"; exit 1; }
done
command -v psql >/dev/null && command -v sqlite3 >/dev/null ||
	{ echo "bench/hub needs psql and sqlite3"; exit 1; }

# ---- the cluster ----
pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
PGDIR=$(mktemp -d /tmp/stepmark-hubbench.XXXXXX)
FAKE_PID=""
cleanup() {
	[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null || true
	[ -f "$PGDIR/data/postmaster.pid" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PGDIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
[ "$(id -u)" = 0 ] && chown nobody "$PGDIR"
pg_as "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres --auth-local=scram-sha-256 \
	--auth-host=reject -E UTF8 --locale=C.UTF-8 >"$out/initdb.log" 2>&1
pg_as sh -c "printf 'local all postgres trust\nlocal all all scram-sha-256\n' >'$PGDIR/data/pg_hba.conf'"
pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
	-o "-k $PGDIR -c listen_addresses='' -c max_connections=100" start >/dev/null
su_of() { echo "host=$PGDIR user=postgres dbname=$1"; }
as_of() { echo "host=$PGDIR user=$1 dbname=$2"; }
psql -X -q "$(su_of postgres)" -c 'CREATE DATABASE hub' -c 'CREATE DATABASE team'
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$(su_of "$1")" -c "$2"; }

calc() { awk "BEGIN {printf \"%.2f\", $1}"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999999); if (i<1) i=1; print a[i]}'; }
met() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "NOT met"; fi; }
load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"; }
# t OUT COMMAND...: "seconds kilobytes" of COMMAND into OUT
t() {
	local o=$1
	shift
	/usr/bin/time -f "%e %M" -o "$o" "$@" >cmd.out 2>cmd.err || {
		echo "failed: $*"; cat cmd.err; exit 1; }
}

"$sm" --hub "$(su_of hub)" hub init >/dev/null
"$sm" --hub "$(su_of team)" hub init >/dev/null
members="lead:lead aud:auditor w1:worker w2:worker"
for i in $(seq "$((n > stores ? n : stores))"); do members="$members a$i:annotator"; done
for m in $members; do
	echo "pw-${m%%:*}" | "$sm" --hub "$(su_of hub)" hub add "${m%%:*}" --role "${m#*:}" \
		--password-stdin >/dev/null
done
# as NAME DB ARGS...: stepmark as that member on hub database DB
as() { local who=$1 hdb=$2; shift 2; PGPASSWORD="pw-$who" "$sm" --hub "$(as_of "$who" "$hdb")" "$@"; }

echo "bench/hub: $(load); PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
fail=0

# ---- the hub's data: SOLS solutions pushed by a lead ----
rm -f lead.db* base.db*
python3 "$top/tests/gen_big.py" --prm800k "$sols" >gen.jsonl
"$sm" --db lead.db --annotator lead import gen.jsonl >/dev/null
rm -f gen.jsonl
sqlite3 lead.db "DELETE FROM label; DELETE FROM action" # the hub's labels are the bench's
as lead hub --db lead.db sync >/dev/null

# labels FROM..TO on the hub (superuser: the trigger stamps them): 20
# annotators, each moving through the steps from its own place
hub_labels() {
	sql hub "INSERT INTO stepmark.label(uid, solution_id, step_idx, kind, value, annotator, origin,
			created_at)
		SELECT md5('bench' || g), s.solution_id, s.idx, 'rating', g % 3 - 1, 'a' || (1 + g % 20),
			'human', to_char(timestamp '2026-01-01' + g * interval '1 ms',
			'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
		FROM generate_series($1, $2) g JOIN public.steps_n s ON s.n = ((g % 20) *
			(SELECT count(*) FROM public.steps_n) / 20 + g / 20) % (SELECT count(*) FROM public.steps_n)"
}

sql hub "CREATE TABLE public.steps_n AS SELECT (row_number() OVER (ORDER BY solution_id, idx)
	- 1)::int AS n, solution_id, idx FROM stepmark.step; CREATE UNIQUE INDEX ON public.steps_n(n)"
if echo "$parts" | grep -qw pull; then
	echo "pull: $sols solutions, $(sql hub 'SELECT count(*) FROM stepmark.step') steps on the hub"
	rm -f new.db*
	t sols.t env PGPASSWORD=pw-aud "$sm" --hub "$(as_of aud hub)" --db new.db sync --create
	read -r ssec skb <sols.t
	echo "  the solutions alone: $ssec s, peak RSS $(calc "$skb / 1024") MB"
	have=0
	for size in $small $labels; do
		hub_labels "$((have + 1))" "$size"
		have=$size
		sql hub "VACUUM ANALYZE stepmark.label" >/dev/null
		: >new.times; : >old.times; : >floor.times; rk=0; ok=1
		for rep in $(seq "$reps"); do
			rm -f new.db* floor.db*
			sync
			t new.t env PGPASSWORD=pw-aud "$sm" --hub "$(as_of aud hub)" --db new.db sync --create
			read -r sec kb <new.t
			echo "$sec" >>new.times
			[ "$kb" -gt "$rk" ] && rk=$kb
			[ "$(sqlite3 new.db 'SELECT count(*) FROM label')" = "$size" ] || ok=0
			if [ -n "$old" ]; then
				rm -f new.db*
				t old.t env PGPASSWORD=pw-aud "$old" --hub "$(as_of aud hub)" --db new.db sync --create
				cut -d' ' -f1 old.t >>old.times
			fi
			sync
			"$floor" "$(su_of hub)" floor.db | cut -d' ' -f1 >>floor.times
		done
		ns=$(median <new.times) fs=$(median <floor.times)
		printf '  %8d label events: pull %6.2f s  floor %6.2f s  ratio %5.2f  peak RSS %6.1f MB%s%s\n' \
			"$size" "$ns" "$fs" "$(calc "$ns / $fs")" "$(calc "$rk / 1024")" \
			"$([ -n "$old" ] && printf '  (old %.2f s, %.2fx new)' "$(median <old.times)" "$(calc "$(median <old.times) / $ns")")" \
			"$([ $ok = 1 ] || echo '  LABELS MISSING')"
		[ $ok = 1 ] || fail=1
		eval "rss_$size=$rk"
		last_ratio=$(calc "$ns / $fs")
	done
	eval "rs=\$rss_$small; rl=\$rss_$labels"
	echo "  pull of $labels events <= 2x the floor: $last_ratio ($(met "$last_ratio <= 2")); peak RSS" \
		"$(calc "$rs / 1024") -> $(calc "$rl / 1024") MB, flat ($(met "$rl <= 1.5 * $rs")); $(load)"
	echo "  (medians of $reps runs; the pull's seconds include the solutions')"
	awk "BEGIN {exit !($last_ratio <= 2 && $rl <= 1.5 * $rs)}" || fail=1
fi

if echo "$parts" | grep -qw ingest; then
	rm -f base.db*
	as aud hub --db base.db sync --create >/dev/null
	nst=$(sqlite3 base.db 'SELECT count(*) FROM step')
	pids=""
	for i in $(seq "$stores"); do
		rm -f i$i.db*
		cp base.db i$i.db
		# each its own steps, labelled as the workbench stores them
		sqlite3 i$i.db "INSERT INTO label(solution_id, step_idx, kind, value, annotator, origin,
			created_at) SELECT solution_id, idx, 'rating', abs(random()) % 3 - 1, 'a$i', 'human',
			strftime('%Y-%m-%dT%H:%M:%fZ') FROM (SELECT solution_id, idx FROM step
			ORDER BY solution_id, idx LIMIT $each OFFSET $(( (i - 1) * nst / stores )))"
	done
	before=$(sql hub 'SELECT count(*) FROM stepmark.label')
	t0=$(date +%s.%N)
	for i in $(seq "$stores"); do
		as "a$i" hub --db i$i.db sync >ing$i.out 2>ing$i.err &
		pids="$pids $!"
	done
	bad=0
	for p in $pids; do wait "$p" || bad=$((bad + 1)); done
	t1=$(date +%s.%N)
	after=$(sql hub 'SELECT count(*) FROM stepmark.label')
	got=$((after - before))
	rate=$(calc "$got / ($t1 - $t0)")
	echo "ingest: $stores stores at once, $got of $((stores * each)) labels in $(calc "$t1 - $t0") s:" \
		"$rate events/s (target >= 5000: $(met "$rate >= 5000")); $(load)"
	[ $bad = 0 ] && [ "$got" = $((stores * each)) ] || { echo "  $bad syncs failed (ing*.err)"; fail=1; }
	awk "BEGIN {exit !($rate >= 5000)}" || fail=1
fi

if echo "$parts" | grep -qw team; then
	for i in $(seq "$n"); do
		echo "pw-a$i" | "$sm" --hub "$(su_of team)" hub add "a$i" --role annotator \
			--password-stdin >/dev/null 2>&1 || true
	done
	# the fake model server, and its data set for the workers
	python3 "$top/tests/sim_data.py" "$top/tests/fixtures/processbench_gsm8k_20.json" >sim.jsonl
	rm -f fake.port
	nice -n 19 python3 "$top/tests/fake_oai.py" --data sim.jsonl --port-file fake.port --latency-ms 20 \
		--log fake.log 2>fake.err &
	FAKE_PID=$!
	w=0
	while [ ! -s fake.port ] && [ $w -lt 100 ]; do sleep 0.1; w=$((w + 1)); done
	url="http://127.0.0.1:$(cat fake.port)/v1"
	printf 'endpoint policy url %s\nendpoint policy model sim-policy\nendpoint policy kind completions\nendpoint policy for mc\n' \
		"$url" >cfg
	mkdir -p xdg/stepmark
	printf 'bind queue q none\nbind queue Q none\nset hub-interval = 1\n' >xdg/stepmark/config
	rm -f tlead.db* a[0-9]*.db* w[12].db*
	python3 "$top/tests/gen_big.py" --prm800k "${TEAM_SOLS:-2000}" >gen.jsonl
	"$sm" --db tlead.db --annotator lead import gen.jsonl >/dev/null
	"$sm" --db tlead.db import sim.jsonl --format generic --problem problem --steps steps \
		--gold gold --id id --dataset gsm8k >/dev/null
	sqlite3 tlead.db "DELETE FROM label; DELETE FROM action"
	as lead team --db tlead.db sync >/dev/null
	as a1 team --db a1.db sync --create >/dev/null
	printf ':quit\n' >quit.keys
	STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 "$sm" --db a1.db --annotator a1 2>/dev/null
	sqlite3 a1.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	stores_list=""
	rm -f tm*.txt tr*.txt e*.txt # a larger N's, run before, are not this one's
	for i in $(seq "$n"); do
		[ "$i" = 1 ] || { rm -f a$i.db*; cp a1.db a$i.db; }
		python3 "$here/../team/keys.py" "$nkeys" "$i" >k$i.txt
		stores_list="$stores_list $out/a$i.db"
		rm -f tm$i.txt tr$i.txt
	done
	for w in w1 w2; do rm -f $w.db*; as $w team --db $w.db sync --create >/dev/null; done
	rm -f stop
	# shellcheck disable=SC2086
	nice -n 19 python3 "$here/seen.py" stop seen.out $stores_list >seen.sum &
	seen=$!
	# the server's processes, and the backends it forks from now on
	pm=$(head -1 "$PGDIR/data/postmaster.pid")
	# shellcheck disable=SC2046
	renice -n "$team_nice" -p "$pm" $(pgrep -P "$pm") >/dev/null
	for w in w1 w2; do
		PGPASSWORD="pw-$w" nice -n "$team_nice" "$sm" --hub "$(as_of "$w" team)" --db $w.db \
			fetch --hub --mc --rollouts 8 --config cfg \
			>$w.out 2>$w.err &
		eval "pid_$w=\$!"
	done
	pids=""
	l0=$(cut -d' ' -f1 /proc/loadavg)
	for i in $(seq "$n"); do
		PGPASSWORD="pw-a$i" STEPMARK_SCRIPT=k$i.txt STEPMARK_SCRIPT_PACE=$pace \
			STEPMARK_NO_DISPLAY=1 STEPMARK_TIMINGS=tm$i.txt STEPMARK_TRACE=tr$i.txt \
			"$sm" --db a$i.db --hub "$(as_of "a$i" team)" --annotator "a$i" 2>e$i.txt &
		pids="$pids $!"
	done
	bad=0
	for p in $pids; do wait "$p" || bad=$((bad + 1)); done
	l1=$(cut -d' ' -f1 /proc/loadavg)
	touch stop
	wait "$seen" || true
	workers=0
	for w in w1 w2; do
		eval "p=\$pid_$w"
		if kill -0 "$p" 2>/dev/null; then kill -TERM "$p" 2>/dev/null || true; else workers=$((workers + 1)); fi
		wait "$p" || true
	done
	cat tm*.txt | sed -n 's/^key [^ ]* //p' >keys.ms
	cat tm*.txt | sed -n 's/^due [^ ]* //p' >due.ms
	cat tm*.txt | sed -n 's/^key-cpu [^ ]* //p' >keys.cpu
	cat tm*.txt | awk '$1 == "hub-turn" {print $2 > "turn.ms"; print $3 > "turn.cpu"}'
	touch turn.ms turn.cpu
	cat tm*.txt | awk '$1 == "hub-page" {print $2 > "page.n"; print $4 > "page.ms"
		if ($2 >= 20) print 1000 * $4 / $2 > "page.us"}'
	touch page.n page.ms page.us
	typed=0 stored=0 onhub=0 mism=0
	for i in $(seq "$n"); do
		sed -n 's/^saved action=\([0-9]*\) .*/\1/p' tr$i.txt | sort -n >typed.ids
		sqlite3 a$i.db "SELECT id FROM action WHERE annotator = 'a$i' ORDER BY id" >stored.ids
		typed=$((typed + $(wc -l <typed.ids)))
		stored=$((stored + $(wc -l <stored.ids)))
		cmp -s typed.ids stored.ids || mism=$((mism + 1))
		mine=$(sqlite3 a$i.db "SELECT count(*) FROM label WHERE annotator = 'a$i'")
		hub=$(sql team "SELECT count(*) FROM stepmark.label WHERE annotator = 'a$i'")
		onhub=$((onhub + hub))
		[ "$mine" = "$hub" ] || mism=$((mism + 1))
	done
	lab=$(sqlite3 a1.db "SELECT count(*) FROM label ")
	cut -d' ' -f2 seen.out >prop.s
	p50=$(pct 50 <keys.ms) p99=$(pct 99 <keys.ms) mx=$(pct 100 <keys.ms)
	q50=$(pct 50 <prop.s) q99=$(pct 99 <prop.s) qmx=$(pct 100 <prop.s)
	echo "team: $n workbenches ($nkeys keys ${pace} ms apart, hub-interval 1 s) and 2 fetch --hub --mc workers" \
		"($([ $workers = 2 ] && echo 'both ended before the sessions' || echo 'running throughout'));" \
		"the server and the workers at nice $team_nice;" \
		"load $l0 -> $l1, $(nproc) cores"
	echo "  keys: p50 $p50 ms  p99 $p99 ms (target <= 5: $(met "$p99 <= 5"))  max $mx ms"
	echo "  their CPU: p50 $(pct 50 <keys.cpu) ms  p99 $(pct 99 <keys.cpu) ms  max $(pct 100 <keys.cpu) ms;" \
		"from when each was due (the pace): p50 $(pct 50 <due.ms) ms  p99 $(pct 99 <due.ms) ms" \
		" max $(pct 100 <due.ms) ms"
	echo "  the sync's turns of the loop (what a key typed then waits): $(wc -l <turn.ms), p99" \
		"$(pct 99 <turn.ms) ms  max $(pct 100 <turn.ms) ms, CPU p99 $(pct 99 <turn.cpu) ms  max" \
		"$(pct 100 <turn.cpu) ms; pages stored $(wc -l <page.n), events p50 $(pct 50 <page.n)" \
		"max $(pct 100 <page.n), CPU ms p99 $(pct 99 <page.ms) max $(pct 100 <page.ms)"
	echo "  pulled pages' CPU per event: $(awk '$1 == "hub-page" {e += $2; c += $4} END {
		printf "%.1f", e ? 1000 * c / e : 0}' tm*.txt) us overall (all pages' CPU / their events)," \
		"pages of 20 events or more: p50 $(pct 50 <page.us) us  p99 $(pct 99 <page.us) us" \
		"(target <= 50 us)"
	echo "  propagation to each other store: p50 $q50 s  p99 $q99 s (target <= 2: $(met "$q99 <= 2"))" \
		"max $qmx s; $(cat seen.sum)"
	# shellcheck disable=SC2086
	echo "  $(python3 "$here/bounds.py" seen.out $stores_list || true)"
	echo "  labels typed (actions) $typed, stored $stored$([ $mism = 0 ] && echo ', the same' ||
		echo ", NOT the same in $mism checks"); labels on the hub $onhub; in store a1 $lab"
	[ $bad = 0 ] || { echo "  $bad sessions exited non-zero (e*.txt)"; fail=1; }
	[ $mism = 0 ] || fail=1
	awk "BEGIN {exit !($p99 <= 5 && $q99 <= 2)}" || fail=1
fi
exit $fail
