# rounds.sh - a batch run round by round through the engines' emulators,
# sourced by the batch tests after lib.sh (STEPMARK_EMU_SERVER and
# PYTHONPATH set): files STEM lists a round's request files and models;
# ENGINE_round STEM OUT runs them (openai, vllm); rounds DB ENGINE STEM
# ARGS... writes round 1, then reads each round's results (writing the
# next round) until no file is left, ROUNDS how many ran
files() {
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1] + ".manifest.json"))
for f in m["files"]:
    print(f["path"], f["model"])' "$1"
}
vllm_round() {
	files "$1" | while read -r f model; do
		python3 -m vllm.entrypoints.openai.run_batch -i "$f" -o "$f.out" --model "$model" || return 1
	done && cat "$1".*.out >"$2"
}
openai_round() {
	files "$1" | while read -r f model; do
		python3 "$top_srcdir/tests/emu/openai_batch.py" "$f" "$f.out" "$f.errors" || return 1
	done && cat "$1".*.out >"$2"
}
rounds() {
	local db=$1 engine=$2 stem=$3 r=1 m
	shift 3
	sm --db "$db" fetch --config cfg "$@" --batch-for "$engine" --batch-out "$stem.jsonl" \
		>"$stem.log" 2>&1 || return 1
	m=$stem
	while [ -f "$m.manifest.json" ]; do
		"${engine}_round" "$m" "$m.results" || return 1
		sm --db "$db" fetch --config cfg "$@" --batch-in "$m.results" >>"$stem.log" 2>&1 || return 1
		r=$((r + 1))
		m=$stem.r$r
	done
	ROUNDS=$r
}
