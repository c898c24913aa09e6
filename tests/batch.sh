#!/bin/sh
# batch files every engine runs: --batch-for openai, vllm and ray through
# emulators of the engines (tests/emu, written from their documentation),
# round by round for bisect, with the same labels as the online path on
# the same seeds; what an engine cannot run refused before any file
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
fake_config cfg
fake_config cfg-chat "provider mc chat yes"
export STEPMARK_EMU_SERVER="$FAKE_URL" PYTHONPATH="$top_srcdir/tests/emu" PYTHONDONTWRITEBYTECODE=1
cp store.db fresh.db

# labels DB: every suggestion of the fetch providers, comparable
labels() {
	sqlite3 "$1" "SELECT g.source, g.model, g.solution_id, coalesce(g.step_idx, -1), g.k, g.n,
		g.first_error, round(g.value, 6) FROM suggestion g WHERE g.origin = 'fetch'
		ORDER BY 1, 2, 3, 4"
}
jobs_done() { sqlite3 "$1" "SELECT count(*) FROM job WHERE state = 'done'"; }
jobs_all() { sqlite3 "$1" "SELECT count(*) FROM job"; }
. "$top_srcdir/tests/emu/rounds.sh"

# ray_round STEM OUT: the man page's Ray Data script over the rows
ray_script() {
	awk '/^\.\\" recipe: ray$/ { f = 1; next } f && /^\.EX/ { g = 1; next }
	     g && /^\.EE/ { exit } g' "$top_srcdir/man/stepmark.1" | sed 's/\\-/-/g; s/\\e/\\/g'
}
ray_script >ray_job.py
ray_round() {
	files "$1" | while read -r f model; do
		rm -rf "$f.dir"
		python3 ray_job.py "$f" "$f.dir" "$model" || return 1
	done && cat "$1".*.dir/*.json >"$2"
}

# openai: judge and MC from /v1/completions, through the Batch API
cp fresh.db oa.db
cp fresh.db online.db
ok "openai: judge and mc vanilla run" rounds oa.db openai oa --judge --samples 3 --mc --rollouts 4
ok "openai: one round" test "$ROUNDS" = 2
ok "openai: every job done" test "$(jobs_done oa.db)" = "$(jobs_all oa.db)"
# (queueing and the round's record write without foreign-key probes:
# their rows name what they read)
ok "openai: no broken reference" test -z "$(sqlite3 oa.db "pragma foreign_key_check")"
ok "openai: one model per file" has oa.log "oa.chat-completions.jsonl: 20 requests for /v1/chat/completions, model sim-judge"
sm --db online.db fetch --config cfg --judge --samples 3 --mc --rollouts 4 >/dev/null 2>&1
ok "openai: the online labels" test "$(labels oa.db)" = "$(labels online.db)"
ok "openai: labels were made" test "$(labels oa.db | wc -l)" -gt 100
ok "the manifest says files, lines, target, model, template, round" python3 - <<'PY'
import json, sqlite3
m = json.load(open("oa.manifest.json"))
# 20 judge requests, 102 rollouts of the steps' prefixes, and at most one
# empty prefix (the question alone: PAV's Q_0) per MC job, where its
# rollout budget holds one more prefix
mc = sqlite3.connect("oa.db").execute("SELECT count(*) FROM job WHERE kind = 'mc'").fetchone()[0]
assert m["target"] == "openai" and m["round"] == 1 and len(m["store"]) == 16, m
assert sum(f["lines"] for f in m["files"]) == m["lines"], m
assert 20 + 102 < m["lines"] <= 20 + 102 + mc, (m["lines"], mc)
assert {f["model"] for f in m["files"]} == {"sim-judge", "sim-policy"}, m
assert all(p["template"] and p["model"] for p in m["providers"]), m
PY
ok "custom_ids name the store, round, job and request" python3 - <<'PY'
import json, re
m = json.load(open("oa.manifest.json"))
for f in m["files"]:
    for l in open(f["path"]):
        cid = json.loads(l)["custom_id"]
        assert re.fullmatch(r"sm-%s-r1-j\d+-[0-9a-f]{32}" % m["store"], cid), cid
PY

# vllm: chat only; MC continues the prefix as the last assistant message;
# shards of 40 lines, one per node
cp fresh.db vl.db
cp fresh.db online-chat.db
ok "vllm: judge and mc vanilla run" rounds vl.db vllm vl --judge --samples 3 --mc --rollouts 4 --batch-lines 40
ok "vllm: says mc goes as chat" has vl.log "mc continues each prefix as the last assistant message"
ok "vllm: no completions file" test -z "$(ls vl.completions* 2>/dev/null)"
ok "vllm: shards" test "$(files vl | wc -l)" -ge 3
ok "vllm: continuations" python3 - <<'PY'
import glob, json
for f in glob.glob("vl.chat-completions*.jsonl"):
    for l in open(f):
        b = json.loads(l)["body"]
        if b["messages"][-1]["role"] == "assistant":
            assert b["continue_final_message"] is True and b["add_generation_prompt"] is False
PY
ok "vllm: every job done" test "$(jobs_done vl.db)" = "$(jobs_all vl.db)"
sm --db online-chat.db fetch --config cfg-chat --judge --samples 3 --mc --rollouts 4 >/dev/null 2>&1
ok "vllm: the online labels" test "$(labels vl.db)" = "$(labels online-chat.db)"
# bisect in rounds: each round's results write the next round's files
cp online-chat.db vlb.db
ok "vllm: mc bisect runs in rounds" rounds vlb.db vllm vlb --mc --strategy bisect
ok "vllm: more than one round" test "$ROUNDS" -gt 3
ok "vllm: the next round is said" has vlb.log "round 1's results read: what the jobs ask next goes to round 2's files"
ok "vllm: bisect jobs all done" test "$(jobs_done vlb.db)" = "$(jobs_all vlb.db)"
sm --db online-chat.db fetch --config cfg-chat --mc --strategy bisect >/dev/null 2>&1
ok "vllm: bisect's online labels" test "$(labels vlb.db)" = "$(labels online-chat.db)"
expect_rc 0 "--status" sm --db vlb.db fetch --config cfg --mc --strategy bisect --batch-for vllm --batch-out x.jsonl --status
ok "--status shows the jobs' rounds" grep -q "^  round [0-9]*: [0-9]* done" out
# a result file of a round its jobs left is refused, saying which
expect_rc 1 "an old round's results" sm --db vlb.db fetch --config cfg --mc --strategy bisect --batch-in vlb.results
ok "the round is named" has err "refused, nothing read from it: its results answer round 1, but job"

# ray: one row per rollout with its own seed; n is not honoured
cp fresh.db ray.db
ok "ray: judge and mc vanilla run" rounds ray.db ray ray --judge --samples 3 --mc --rollouts 4
ok "ray: one row per sample" test "$(cat ray.chat-completions.jsonl | wc -l)" = 60
ok "ray: rows carry no n, seeds differ" python3 - <<'PY'
import json, collections
seeds = collections.defaultdict(set)
for l in open("ray.completions.jsonl"):
    r = json.loads(l)
    assert "n" not in r["sampling_params"] and "prompt" in r
    seeds[r["custom_id"].rsplit("-", 1)[0]].add(r["sampling_params"]["seed"])
assert all(len(s) == 4 for s in seeds.values()), seeds
PY
ok "ray: every job done" test "$(jobs_done ray.db)" = "$(jobs_all ray.db)"
ok "ray: the online labels" test "$(labels ray.db)" = "$(labels online.db)"

# bisect through OpenAI's and Ray's batches too, round by round
cp online.db oab.db
cp online.db rayb.db
ok "openai: mc bisect runs in rounds" rounds oab.db openai oab --mc --strategy bisect
ok "ray: mc bisect runs in rounds" rounds rayb.db ray rayb --mc --strategy bisect
ok "ray: more than one round" test "$ROUNDS" -gt 3
sm --db online.db fetch --config cfg --mc --strategy bisect >/dev/null 2>&1
ok "openai: bisect's online labels" test "$(labels oab.db)" = "$(labels online.db)"
ok "ray: bisect's online labels" test "$(labels rayb.db)" = "$(labels online.db)"
ok "nothing asked twice" test "$(jobs_done rayb.db)" = "$(jobs_all rayb.db)"

# a Ray request whose samples are not all back stays queued
cp fresh.db rp.db
sm --db rp.db fetch --config cfg --mc --rollouts 4 --limit 1 --batch-for ray --batch-out rp.jsonl >/dev/null 2>&1
ray_round rp rp.all
grep -v -- '-s3of4"' rp.all >rp.part
expect_rc 0 "ray rows without each request's last sample" sm --db rp.db fetch --config cfg --mc --rollouts 4 --limit 1 --batch-in rp.part
ok "the rows are kept" has out "0 responses stored in the cache, $(wc -l <rp.part) Ray rows read"
ok "the job stays queued" test "$(sqlite3 rp.db "SELECT state FROM job")" = queued
ok "its samples wait in the store" test "$(sqlite3 rp.db "SELECT count(*) FROM batch_part")" = "$(wc -l <rp.part)"

# partial results, in any order, with duplicates: what is missing stays
# queued and goes to the next round; nothing is done twice
cp fresh.db part.db
sm --db part.db fetch --config cfg --judge --batch-out part.jsonl >/dev/null 2>&1
openai_round part part.all
head -n 8 part.all >part.1
cat part.all part.all >part.2
expect_rc 0 "partial results" sm --db part.db fetch --config cfg --judge --batch-in part.1
ok "8 jobs done" test "$(jobs_done part.db)" = 8
ok "the rest stays queued" test "$(sqlite3 part.db "SELECT count(*) FROM job WHERE state = 'queued'")" = 12
ok "and goes to round 2's files" test "$(wc -l <part.r2.chat-completions.jsonl)" = 12
expect_rc 1 "round 1's rest after round 2 was written" sm --db part.db fetch --config cfg --judge --batch-in part.2
ok "refused: round 2 holds them" has err "last written in round 2"
openai_round part.r2 part.r2.all
cat part.r2.all part.r2.all >part.r2.twice
expect_rc 0 "round 2's results, twice over" sm --db part.db fetch --config cfg --judge --batch-in part.r2.twice
ok "every job done once" test "$(jobs_done part.db)" = 20
ok "one verdict per solution" test "$(sqlite3 part.db "SELECT count(*) FROM suggestion WHERE source = 'judge'")" = 20
# a body is stored as the engine wrote it (spaces and all), or rebuilt
# when its key is spelled with an escape; either one answers its job
cp fresh.db odd.db
sm --db odd.db fetch --config cfg --judge --limit 2 --batch-out odd.jsonl >/dev/null 2>&1
openai_round odd odd.all
python3 - >odd.results <<'PY'
import json
a, b = [json.loads(l) for l in open("odd.all")]
print(json.dumps(a, separators=(" , ", " :  ")))
print(json.dumps(b).replace('"body"', '"b\\u006fdy"', 1))
PY
expect_rc 0 "spaced and escaped results" sm --db odd.db fetch --config cfg --judge --limit 2 --batch-in odd.results
ok "both stored" has out "odd.results: 2 responses stored in the cache"
ok "both jobs done" test "$(jobs_done odd.db)" = 2
ok "the bodies as written" test "$(sqlite3 odd.db "SELECT count(*) FROM response_cache WHERE json_valid(CAST(body AS TEXT)) AND CAST(body AS TEXT) LIKE '%\" :  %'")" = 1

# a result file of another store is refused, saying which
cp fresh.db other.db
expect_rc 1 "another store's results" sm --db other.db fetch --config cfg --judge --batch-in part.all
ok "the stores are named" grep -q "refused, nothing read from it: its results answer store [0-9a-f]*, not this one" err
ok "nothing stored from it" test "$(sqlite3 other.db "SELECT count(*) FROM response_cache")" = 0

# what an engine cannot run is said before anything is written
cp fresh.db refuse.db
expect_rc 1 "vllm: prm over /pooling" sm --db refuse.db fetch --config cfg --prm --judge --batch-for vllm --batch-out no.jsonl
ok "says the online way" has err "fetch them online from a vLLM server of the PRM"
ok "nothing written" test -z "$(ls no.* 2>/dev/null)"
expect_rc 1 "openai: mc as a chat continuation" sm --db refuse.db fetch --config cfg-chat --mc --batch-out no.jsonl
ok "says what to do" has err "does not do: --batch-for vllm or ray"
ok "nothing written either" test -z "$(ls no.* 2>/dev/null)"
expect_rc 1 "ray: prm from logprobs" sm --db refuse.db fetch --config cfg --prm --batch-for ray --batch-out no.jsonl
ok "nothing written for ray" test -z "$(ls no.* 2>/dev/null)"
echo '{nope}' >bad.tmpl
fake_config cfg-bad "provider judge template $TMP/bad.tmpl"
expect_rc 1 "a malformed template" sm --db refuse.db fetch --config cfg-bad --judge --batch-for vllm --batch-out no.jsonl
ok "refused before writing" test -z "$(ls no.* 2>/dev/null)"
expect_rc 2 "--batch-for alone" sm --db refuse.db fetch --config cfg --judge --batch-for vllm
expect_rc 2 "an unknown engine" sm --db refuse.db fetch --config cfg --judge --batch-for sglang --batch-out no.jsonl

# a line that cannot be written mid-run (/dev/full fails the first 256 KB
# that go out, lines after lines were made) ends the run: said, no round
# recorded, every job queued as it was
if [ -c /dev/full ]; then
	python3 "$top_srcdir/bench/batch/gen.py" 1000 >many.jsonl
	sm --db full.db import many.jsonl --format generic --problem problem --steps steps \
		--gold gold --id id >/dev/null
	expect_rc 1 "a full device mid-run" sm --db full.db fetch --config cfg --mc --rollouts 4 \
		--quiet --batch-out /dev/full
	ok "says why" has err "/dev/full: write failed: No space left on device; no round recorded"
	ok "no round recorded" test "$(sqlite3 full.db "select count(*) from batch_round")" = 0
	ok "every job still queued" test \
		"$(sqlite3 full.db "select count(*) from job where state <> 'queued'")" = 0
fi

# many jobs: each leaves memory once its requests are in a file, and the
# run does not wait between leases (it took 13 ms a job, 200 MB for 10 K)
python3 - >many.jsonl <<'PY'
import json
for i in range(3000):
    print(json.dumps({"id": "m%d" % i, "problem": "What is %d + 1? [#%d]" % (i, i),
                      "steps": ["We add one to %d." % i, "That is %d." % (i + 1),
                                "The answer is %d." % (i + 1)], "gold": str(i + 1)}))
PY
sm --db many.db import many.jsonl --format generic --problem problem --steps steps --gold gold --id id >/dev/null
start=$(date +%s)
ok "3000 MC jobs to a batch file" /usr/bin/time -f %M -o many.rss "$STEPMARK" --db many.db fetch --config cfg --mc --quiet --batch-out many-req.jsonl
took=$(( $(date +%s) - start ))
ok "in a few seconds ($took s)" test "$took" -lt 15
ok "12000 requests: three prefixes and the empty one, each" test "$(wc -l <many-req.completions.jsonl)" = 12000
# (the jobs were queued with the store held alone: it is back in its log)
ok "the store in WAL again" test "$(sqlite3 many.db 'pragma journal_mode')" = wal
ok "no rollback journal left" test ! -e many.db-journal
ok "3000 jobs queued, each in the round" test \
	"$(sqlite3 many.db "select count(*) from job j join batch_job b on b.job_id = j.id where j.state = 'queued'")" = 3000
# (AddressSanitizer's shadow memory makes peak RSS meaningless)
[ -n "${SANITIZED:-}" ] ||
	ok "in bounded memory ($(cat many.rss) KB)" test "$(cat many.rss)" -lt 40000

# a stream over several windows (1024 jobs each) and files: each problem
# twice, 1300 solutions apart, the copies differing in their last step;
# every distinct request written once across windows and files, every
# job in the round once, and the results make every job done
python3 - >twins.jsonl <<'PY'
import json
for i in range(2600):
    k, copy = i % 1300, i // 1300
    print(json.dumps({"id": "t%d" % i, "problem": "What is %d + 2? [#%d]" % (k, k),
                      "steps": ["We add one to %d." % k, "Then one more.",
                                "That is %d (copy %d)." % (k + 2, copy)], "gold": str(k + 2)}))
PY
sm --db twins.db import twins.jsonl --format generic --problem problem --steps steps --gold gold --id id >/dev/null
expect_rc 0 "2600 MC jobs streamed to files of 1000 lines" sm --db twins.db fetch --config cfg --mc --quiet --batch-lines 1000 --batch-out tw.jsonl
ok "seven files" test "$(files tw | wc -l)" = 7
ok "each distinct request once, each job in its lines" python3 - <<'PY'
import collections, json
m = json.load(open("tw.manifest.json"))
hashes, jobs = collections.Counter(), set()
for f in m["files"]:
    n = 0
    for l in open(f["path"]):
        cid = json.loads(l)["custom_id"]
        job, h = cid.split("-")[3], cid.split("-")[4]
        hashes[h] += 1
        jobs.add(job)
        n += 1
    assert n == f["lines"] <= 1000, (f, n)
# 1300 problems: the empty prefix and two shared prefixes once, the last
# prefix of each copy: 4 + 1 lines a problem
assert sum(hashes.values()) == m["lines"] == 6500, m["lines"]
assert max(hashes.values()) == 1, hashes.most_common(3)
assert len(jobs) == 2600 and m["jobs"] == 2600, (len(jobs), m["jobs"])
PY
ok "every job in round 1, once" test "$(sqlite3 twins.db "SELECT count(*), count(DISTINCT job_id), min(round), max(round) FROM batch_job")" = "2600|2600|1|1"
ok "every job stays queued" test "$(sqlite3 twins.db "SELECT count(*) FROM job WHERE state = 'queued'")" = 2600
openai_round tw tw.results
expect_rc 0 "the results read back" sm --db twins.db fetch --config cfg --mc --quiet --batch-in tw.results
ok "every job done" test "$(jobs_done twins.db)" = 2600
ok "no round 2" test ! -e tw.r2.manifest.json

# a large results file (400 K answers in stepmark's first custom_id form,
# the hash alone: 55 MB) is read with the store held alone when nothing
# else has it open (a rollback journal: each answer written once), and
# still refused whole; with another connection open it is read beside it
python3 - >big.results <<'PY'
import hashlib
for i in range(400000):
    print('{"custom_id": "%s", "response": {"status_code": 200, "body": {"object": '
          '"chat.completion", "choices": []}}}' % hashlib.md5(b"%d" % i).hexdigest())
PY
cp big.results big.refused
head -n 1 part.all >>big.refused
cp fresh.db big.db
expect_rc 1 "a large file of another store's last line" sm --db big.db fetch --batch-in big.refused
ok "refused whole" test "$(sqlite3 big.db "SELECT count(*) FROM response_cache")" = 0
ok "the store in WAL again" test "$(sqlite3 big.db "PRAGMA journal_mode")" = wal
python3 -c 'import sqlite3, sys, time; c = sqlite3.connect("big.db"); c.execute("SELECT 1 FROM job").fetchall(); open("big.open", "w").close(); time.sleep(60)' &
opener=$!
while [ ! -e big.open ]; do sleep 0.1; done
expect_rc 0 "read beside another connection" sm --db big.db fetch --batch-in big.results
kill $opener
ok "every answer stored" test "$(sqlite3 big.db "SELECT count(*) FROM response_cache")" = 400000
cp fresh.db alone.db
expect_rc 0 "read with the store alone" sm --db alone.db fetch --batch-in big.results
ok "the same answers" test "$(sqlite3 alone.db "SELECT count(*), sum(length(body)) FROM response_cache")" = "$(sqlite3 big.db "SELECT count(*), sum(length(body)) FROM response_cache")"
ok "the store sound, in WAL again" test "$(sqlite3 alone.db "PRAGMA integrity_check; PRAGMA journal_mode")" = "ok
wal"
rm -f big.refused

# the answers a run reads for its jobs are marked paid in the store, not
# kept in memory: the 400 K answers read for a judge run (its one job
# fails: no server) in flat memory (it kept 32 bytes and a set entry per
# answer: 56 MB here)
cp fresh.db paid.db
printf 'endpoint judge url http://127.0.0.1:9/v1\nendpoint judge model m\nendpoint judge kind chat\nendpoint judge retries 0\n' >cfg-paid
/usr/bin/time -f %M -o paid.rss "$STEPMARK" --db paid.db fetch --config cfg-paid --judge --limit 1 \
	--batch-in big.results >out 2>err
ok "400 K answers read" has out "big.results: 400000 responses stored in the cache"
[ -n "${SANITIZED:-}" ] ||
	ok "in flat memory ($(tail -n 1 paid.rss) KB)" test "$(tail -n 1 paid.rss)" -lt 44000
ok "each marked paid until a job takes it" test "$(sqlite3 paid.db "SELECT count(DISTINCT created_at) FROM response_cache WHERE created_at LIKE '% batch-in %'")" = 1
rm -f big.results

# lines that cannot be written (a full device): nothing recorded, the
# jobs stay queued, and a file afterwards takes the whole round
if [ -c /dev/full ]; then
	cp fresh.db full.db
	expect_rc 1 "a full device" sm --db full.db fetch --config cfg --mc --quiet --batch-out /dev/full
	ok "says so" has err "/dev/full: write failed"
	ok "no round recorded" test "$(sqlite3 full.db "SELECT (SELECT count(*) FROM batch_round) + (SELECT count(*) FROM batch_job)")" = 0
	ok "the jobs stay queued" test "$(sqlite3 full.db "SELECT count(*) FROM job WHERE state <> 'queued'")" = 0
	expect_rc 0 "then a file" sm --db full.db fetch --config cfg --mc --quiet --batch-out full-req.jsonl
	ok "takes the whole round" test "$(sqlite3 full.db "SELECT count(*) FROM batch_job WHERE round = 1")" = "$(sqlite3 full.db "SELECT count(*) FROM job")"
fi

# the emulators are the engines' rules, not stepmark's: vLLM aborts the
# whole run on one malformed line and rejects /v1/completions
cp vl.chat-completions.jsonl broken.jsonl
echo '{"custom_id": "x", "method": "POST", "url": "/v1/chat/completions"}' >>broken.jsonl
ok "vllm aborts on a malformed line" sh -c '! python3 -m vllm.entrypoints.openai.run_batch -i broken.jsonl -o broken.out --model sim-judge 2>/dev/null && test ! -e broken.out'
ok "vllm rejects /v1/completions" sh -c '! python3 -m vllm.entrypoints.openai.run_batch -i oa.completions.jsonl -o c.out --model sim-policy 2>/dev/null'
finish
