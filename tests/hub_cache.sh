#!/bin/sh
# hub_cache.sh - the hub's response cache and alignments (issue 25): a
# second fetch worker with a fresh store asks the model server nothing
# another paid for, and makes the same suggestions; a push repeated
# moves nothing twice, and a different response under a hash there is
# kept out; only workers and leads write (or read) the cache and write
# alignments, the server refusing the others; the lead's alignments
# reach an annotator's store by sync, row for row, a set made again too.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start
start_fake
# start_fake's trap replaced pg_start's: both
trap 'kill $FAKE_PID 2>/dev/null; pg_stop; rm -rf "$PGDIR"; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

sm --hub "$PGSU" hub init >/dev/null
for m in lead:lead w1:worker w2:worker ann:annotator aud:auditor; do
	echo "pw-${m%%:*}" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >/dev/null
done
as() { # as NAME ARGS...: stepmark as that member
	local who=$1
	shift
	PGPASSWORD="pw-$who" sm --hub "$(hub_as "$who")" "$@"
}
served() { fake_stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["requests"])'; }
fake_config cfg
sm --db lead.db import "$TMP/sim.jsonl" --format generic --problem problem --steps steps \
	--gold gold --id id --dataset gsm8k >/dev/null
as lead --db lead.db sync >/dev/null

# ---- two workers, fresh stores, the same requests one after the other ----
as w1 --db w1.db sync --create >/dev/null
n0=$(served)
as w1 --db w1.db fetch --hub --judge --config cfg --dataset gsm8k >out 2>err
ok "worker 1 ends well" test $? = 0
n1=$(served)
ok "worker 1 asked the server" test "$n1" -gt "$n0"
ok "and wrote what it was paid for to the hub's cache" has out "responses: 0 from the hub's cache, $((n1 - n0)) written to it"
ok "the hub's cache has each response once, by worker 1" test \
	"$(pg_sql -c "select count(*) || ' ' || string_agg(distinct pushed_by, ',') from stepmark.response_cache")" = "$((n1 - n0)) w1"
ok "as the worker's store keeps them" test "$(pg_sql -c "select md5(string_agg(request_hash || encode(body, 'hex'), ',' order by request_hash)) from stepmark.response_cache")" = \
	"$(sqlite3 w1.db "select lower(hex(group_concat(request_hash || lower(hex(body)), ','))) from (select * from response_cache order by request_hash)" | xxd -r -p | md5sum | cut -d' ' -f1)"
# the same solutions again, under another name: new jobs, the same requests
sm --db lead.db import "$TMP/sim.jsonl" --format generic --problem problem --steps steps \
	--gold gold --id id --dataset gsm8k-again >/dev/null
as lead --db lead.db sync >/dev/null
as w2 --db w2.db sync --create >/dev/null
as w2 --db w2.db fetch --hub --judge --config cfg --dataset gsm8k-again >out 2>err
ok "worker 2 ends well" test $? = 0
ok "worker 2 asked the server nothing" test "$(served)" = "$n1"
ok "it says where they came from" has out "responses: $((n1 - n0)) from the hub's cache, 0 written to it"
ok "it did its jobs" has out "this worker: 20 jobs done, 0 failed"
SUGCOLS="s.ext_key, coalesce(g.step_idx, -9), g.source, coalesce(g.model, ''),
	coalesce(round(g.value * 1000000), -9), coalesce(g.first_error, -9), coalesce(g.rationale, '')"
hub_sugs() { # DATASET
	pg_sql -F'|' -c "SELECT $SUGCOLS FROM stepmark.suggestion g
		JOIN stepmark.solution s ON s.id = g.solution_id
		JOIN stepmark.dataset d ON d.id = s.dataset_id WHERE d.name = '$1' ORDER BY 1, 2, 3, 7"
}
hub_sugs gsm8k >one
hub_sugs gsm8k-again >two
ok "worker 1 made suggestions" test "$(wc -l <one)" -ge 20
ok "worker 2 made the same" cmp one two

# ---- the cache pushed by sync, and fetch --hub using it ----
sm --db lead.db import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
# (two samples a request: other requests than the workers')
sm --db lead.db fetch --judge --samples 2 --config cfg --dataset gsm8k --quiet >/dev/null 2>&1
lead_cached=$(sqlite3 lead.db "select count(*) from response_cache")
ok "the lead paid for some itself" test "$lead_cached" -gt 0
sm --db lead.db align >/dev/null 2>&1
nal=$(sqlite3 lead.db "select count(*) from alignment")
ok "and aligned" test "$nal" -gt 0
as lead --db lead.db sync >out 2>err
ok "the lead's sync pushes its responses and alignments" has out "alignments: $nal pushed, 0 pulled; responses cached: $lead_cached pushed"
hub_counts() { pg_sql -c "select (select count(*) from stepmark.response_cache) || ' ' || (select count(*) from stepmark.alignment)"; }
before=$(hub_counts)
as lead --db lead.db sync >out 2>err
ok "a sync again pushes nothing" has out "alignments: 0 pushed, 0 pulled; responses cached: 0 pushed"
# the store forgets what it pushed: each row goes again, and the hub keeps one
sqlite3 lead.db "delete from store_state where key like 'hub.aligned.%' or key like 'hub.cache.%'"
as lead --db lead.db sync >out 2>err
ok "a push repeated in full moves nothing twice" has out "alignments: 0 pushed, 0 pulled; responses cached: 0 pushed"
ok "the hub has each once" test "$(hub_counts)" = "$before"
# a different response under a request's hash: the hub's stays
h=$(sqlite3 lead.db "select request_hash from response_cache order by rowid limit 1")
hub_body=$(pg_sql -c "select md5(body) from stepmark.response_cache where request_hash = '$h'")
sqlite3 lead.db "update response_cache set body = cast('{\"other\": 1}' as blob) where request_hash = '$h'"
sqlite3 lead.db "delete from store_state where key like 'hub.cache.%'"
as lead --db lead.db sync >out 2>err
ok "another response under a hash there is kept out" has out "1 cached response kept out"
ok "never replacing the hub's" test "$(pg_sql -c "select md5(body) from stepmark.response_cache where request_hash = '$h'")" = "$hub_body"
ok "nor added" test "$(hub_counts)" = "$before"

# a fresh worker runs the lead's judge jobs through the hub: all from the cache
as w2 --db w3.db sync --create >/dev/null
n2=$(served)
as w2 --db w3.db fetch --hub --judge --samples 2 --config cfg --dataset gsm8k >out 2>err
ok "a worker runs the jobs the lead ran alone" test $? = 0
ok "all of them" has out "this worker: 20 jobs done, 0 failed"
ok "asking the server nothing" test "$(served)" = "$n2"

# ---- who may ----
as_member() { # NAME SQL
	PGPASSWORD="pw-$1" psql -X -q -At -v ON_ERROR_STOP=1 "$(hub_as "$1")" -c "$2" >out 2>err
}
refused() { ! as_member "$@"; }
sid=$(pg_sql -c "select min(id) from stepmark.solution")
cache_row() { echo "INSERT INTO stepmark.response_cache(request_hash, body, created_at) VALUES ('$1', 'x', 'now')"; }
align_row() { echo "INSERT INTO stepmark.alignment(uid, solution_id, step_idx, ref_step, source, created_at) VALUES ('$1', $sid, 0, 0, 'align', 'now')"; }
ok "an annotator cannot write the cache" refused ann "$(cache_row r1)"
ok "the server said why" has err "permission denied"
ok "nor read it" refused ann "SELECT count(*) FROM stepmark.response_cache"
ok "an auditor cannot write the cache" refused aud "$(cache_row r2)"
ok "an annotator cannot add an alignment" refused ann "$(align_row a1)"
ok "the server said why" has err "permission denied"
ok "an auditor cannot either" refused aud "$(align_row a2)"
ok "but reads them" as_member aud "SELECT count(*) FROM stepmark.alignment"
ok "a worker writes the cache" as_member w1 "$(cache_row r3)"
ok "under its own name only" refused w1 "INSERT INTO stepmark.response_cache(request_hash, body, created_at, pushed_by) VALUES ('r4', 'x', 'now', 'lead')"
ok "the server said why" has err "row-level security"
ok "a worker adds an alignment" as_member w1 "$(align_row a3)"
ok "nobody replaces a response" refused lead "UPDATE stepmark.response_cache SET body = 'y'"
ok "nor deletes one" refused lead "DELETE FROM stepmark.response_cache"
ok "nor an alignment" refused lead "DELETE FROM stepmark.alignment"
ok "none of the refused rows is there" test "$(pg_sql -c "select (select count(*) from stepmark.response_cache
	where request_hash in ('r1', 'r2', 'r4')) + (select count(*) from stepmark.alignment where uid in ('a1', 'a2'))")" = 0
pg_sql -c "DELETE FROM stepmark.alignment WHERE uid = 'a3'" # not a real link

# ---- the lead's alignments on an annotator's store ----
ALCOLS="d.name, s.ext_key, a.step_idx, a.ref_step, coalesce(a.score, -9), a.source, a.created_at"
aligns() { # STORE
	sqlite3 "$1" "SELECT $ALCOLS FROM alignment a JOIN solution s ON s.id = a.solution_id
		JOIN dataset d ON d.id = s.dataset_id ORDER BY 1, 2, 3, 4, 6"
}
as ann --db ann.db sync --create >out 2>err
ok "the annotator's sync pulls them" has out "alignments: 0 pushed, $nal pulled"
aligns lead.db >lead.al
aligns ann.db >ann.al
ok "row for row" cmp lead.al ann.al
as ann --db ann.db sync >out 2>err
ok "a sync again pulls nothing" has out "alignments: 0 pushed, 0 pulled"
# aligned again with a higher bar: a new set replaces the old everywhere
sm --db lead.db align --min-score 90 >/dev/null 2>&1
aligns lead.db >lead2.al
ok "the lead's links changed" test "$(md5sum <lead.al)" != "$(md5sum <lead2.al)"
as lead --db lead.db sync >/dev/null
as ann --db ann.db sync >/dev/null
ok "the new set replaced the old on the annotator's store, row for row" cmp lead2.al "$(aligns ann.db >ann2.al; echo ann2.al)"
finish
