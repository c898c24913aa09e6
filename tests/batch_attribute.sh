#!/bin/sh
# batch_attribute.sh - who failed and when, through batch files: the
# three attribution methods over Who&When's logs, round by round through
# the OpenAI Batch API's and vLLM run_batch's emulators, end with every
# job done once and the same attributions as the online run
. "$top_srcdir/tests/lib.sh"
need_shared who-when/Hand-Crafted/3.json
WW="$SHARED_DATA/who-when"
sim_whowhen "$WW"
start_fake --judge-acc 1
export STEPMARK_EMU_SERVER="$FAKE_URL" PYTHONPATH="$top_srcdir/tests/emu" PYTHONDONTWRITEBYTECODE=1
. "$top_srcdir/tests/emu/rounds.sh"
sm import "$WW/Algorithm-Generated" >/dev/null
sm import "$WW/Hand-Crafted" >/dev/null
fake_config cfg
cp store.db fresh.db
attributions() {
	sqlite3 "$1" "SELECT g.solution_id, g.first_error, g.agent, g.model FROM suggestion g
		WHERE g.source = 'attribute' ORDER BY 1"
}
for m in all-at-once step-by-step binary; do
	for engine in openai vllm; do
		cp fresh.db $m-$engine.db
		ok "$m, $engine: runs in rounds" rounds $m-$engine.db $engine $m-$engine --attribute --method $m
		ok "$m, $engine: every job done once" test "$(sqlite3 $m-$engine.db "SELECT count(*) || ':' || sum(state = 'done') FROM job")" = 32:32
		ok "$m, $engine: one attribution per log" test "$(sqlite3 $m-$engine.db "SELECT count(*) FROM suggestion WHERE source = 'attribute'")" = 32
	done
	cp fresh.db $m-online.db
	sm --db $m-online.db fetch --config cfg --attribute --method $m --quiet >/dev/null 2>&1
	ok "$m: the online attributions" test "$(attributions $m-openai.db)" = "$(attributions $m-online.db)"
	ok "$m: vllm's too" test "$(attributions $m-vllm.db)" = "$(attributions $m-online.db)"
done
ok "all at once takes one round" sh -c "test ! -f all-at-once-openai.r3.manifest.json"
ok "step by step takes a round per turn asked: 33 for log 3's turn 32" test -f step-by-step-openai.r33.manifest.json
finish
