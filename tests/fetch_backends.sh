#!/bin/sh
# Backends as they really behave, played by the fake server: OpenAI's
# reasoning models (no max_tokens, no sampling), llama.cpp (no n > 1, its
# own logprobs form), vLLM's pooling task (required by current servers,
# refused by older ones) and rate limits announced in x-ratelimit headers.
. "$top_srcdir/tests/lib.sh"
start_fake
sim_store
stat_of() { fake_stats | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
fresh() { sql "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"; }

# --- OpenAI reasoning models: each refusal names the setting that fixes it
fake_control '{"mode": {"reasoning": true}}'
fake_config cfg
expect_rc 1 "a reasoning model refuses max_tokens" sm fetch --config cfg --judge --limit 2
ok "the reason names the option" has out "set endpoint judge max-tokens-field max_completion_tokens"
ok "the server's message is shown" has out "Use 'max_completion_tokens' instead"
fresh
fake_config cfg-r1 "endpoint judge max-tokens-field max_completion_tokens"
expect_rc 1 "then it refuses temperature" sm fetch --config cfg-r1 --judge --limit 2
ok "the reason names sampling" has out "set endpoint judge sampling no"
fresh
fake_config cfg-r2 "endpoint judge max-tokens-field max_completion_tokens" \
	"endpoint judge sampling no" "endpoint judge reasoning-effort low"
seen0=$(stat_of 's["seen"].get("max_tokens", 0)')
expect_rc 0 "with both options it answers" sm fetch --config cfg-r2 --judge
ok "every job done" test "$(sql "SELECT count(*) FROM job WHERE state = 'done'")" = 20
ok "no max_tokens sent" test "$(stat_of 's["seen"].get("max_tokens", 0)')" = "$seen0"
ok "reasoning_effort sent" test "$(stat_of 's["seen"].get("reasoning_effort", 0)')" -ge 20
ok "the effort is part of the params" test "$(sql "SELECT count(*) FROM job WHERE params LIKE '%\"reasoning_effort\":\"low\"%' AND params LIKE '%\"sampling\":0%'")" = 20
printf 'endpoint judge reasoning-effort extreme\n' >>cfg-r2
expect_rc 1 "a wrong effort is refused" sm fetch --config cfg-r2 --judge --status
ok "the values are listed" has err "minimal, low, medium, high"
ok "the fetch does not start" has err "cannot be used; fix it before fetching"
fake_control '{"mode": {"reasoning": false}}'

# --- llama.cpp: n > 1 is HTTP 500; single seeded requests instead
fresh
fake_control '{"mode": {"max_n": 1}}'
fake_config cfg "endpoint judge concurrency 2"
before=$(stat_of 's["requests"]')
expect_rc 0 "a server without n" sm fetch --config cfg --judge --samples 4
n=$(( $(stat_of 's["requests"]') - before ))
ok "every job done" test "$(sql "SELECT count(*) FROM job WHERE state = 'done'")" = 20
ok "each judge voted over 4 samples" test "$(sql "SELECT count(*) FROM suggestion WHERE source = 'judge' AND rationale LIKE '%=== sample 4 of 4:%'")" = 20
ok "said once" test "$(grep -c "refuses n > 1" err)" = 1
ok "the server's words are quoted" has err "Only one completion choice is allowed"
ok "80 single requests, and the first refused ones ($n)" test "$n" -ge 80 -a "$n" -le 84
ok "every request counted" test "$(sql "SELECT sum(requests) FROM job")" = "$n"
# the samples of one request get seeds seed, seed+1...: the same votes as n
fake_control '{"mode": {"max_n": 0}}'
cp store.db split.db
fresh
expect_rc 0 "the same with n" sm fetch --config cfg --judge --samples 4
ok "single requests vote as one request of n" test "$(sqlite3 split.db "SELECT group_concat(first_error) FROM (SELECT first_error FROM suggestion WHERE source = 'judge' ORDER BY solution_id)")" = "$(sql "SELECT group_concat(first_error) FROM (SELECT first_error FROM suggestion WHERE source = 'judge' ORDER BY solution_id)")"

# --- llama.cpp's logprobs for a Math-Shepherd PRM
fresh
fake_control '{"mode": {"logprobs": "llama"}}'
fake_config cfg-sh "endpoint prm kind completions" "provider prm style shepherd"
expect_rc 0 "shepherd over llama.cpp's logprobs" sm fetch --config cfg-sh --prm --limit 3
ok "a reward per step" test "$(sql "SELECT count(*) FROM suggestion g JOIN job j ON j.id = g.job_id WHERE j.state = 'done' AND g.value > 0 AND g.value < 1")" -ge 10
ok "no job failed" test "$(sql "SELECT count(*) FROM job WHERE state = 'failed'")" = 0
fake_control '{"mode": {"logprobs": "openai"}}'

# --- vLLM's pooling task
fresh
fake_control '{"mode": {"pooling_task": "require"}}'
fake_config cfg
expect_rc 0 "current vLLM: the task is sent" sm fetch --config cfg --prm --limit 3
ok "task token_classify" test "$(stat_of 's["seen"].get("task", 0)')" -ge 3
fresh
fake_control '{"mode": {"pooling_task": "reject"}}'
expect_rc 1 "an older server refuses the field" sm fetch --config cfg --prm --limit 2
ok "the reason names pooling-task none" has out "set endpoint prm pooling-task none"
fresh
fake_config cfg-old "endpoint prm pooling-task none"
expect_rc 0 "pooling-task none leaves it out" sm fetch --config cfg-old --prm --limit 2
fake_control '{"mode": {"pooling_task": null}}'

# --- rate limits: paced by x-ratelimit-*, never told 429
fresh
fake_control '{"mode": {"ratelimit": {"requests": 6, "window_ms": 400}}}'
fake_config cfg "endpoint judge concurrency 8"
expect_rc 0 "a rate-limited server" sm fetch --config cfg --judge
ok "every job done" test "$(sql "SELECT count(*) FROM job WHERE state = 'done'")" = 20
ok "paced: no 429 ($(stat_of 's["ratelimited"]'))" test "$(stat_of 's["ratelimited"]')" = 0
fake_control '{"mode": {"ratelimit": null}}'

# --- usage per job
ok "prompt and completion tokens per job" test "$(sql "SELECT count(*) FROM job WHERE tokens_in > 0 AND tokens_out > 0 AND tokens = tokens_in + tokens_out")" = 20
expect_rc 0 "status" sm fetch --config cfg --judge --status
ok "status splits the tokens" has out "prompt,"
finish
