#!/bin/sh
# run.sh SECONDS TARGET...: each fuzz target on its seed corpus for
# SECONDS, after replaying every crash kept in tests/fuzz/crashes (its
# regression tests). Ends with one line per target: runs, coverage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=$1
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/stepmark-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
sh "$here/seeds.sh" "$work/seeds"
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	t=${name#fuzz_}
	# the kept reproducers must pass
	for c in "$here/crashes/$name"-*; do
		[ -f "$c" ] || continue
		if ! "$bin" "$c" >"$work/$name.replay" 2>&1; then
			echo "FAIL: $name crashes again on $(basename "$c")"
			tail -20 "$work/$name.replay"
			failed=1
		fi
	done
	mkdir -p "$work/corpus/$t"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$name-" "$work/corpus/$t" "$work/seeds/$t" \
		>"$work/$name.log" 2>&1; then
		echo "ok: $name $(grep -o 'stat::number_of_executed_units: [0-9]*\|#[0-9]*.*DONE.*cov: [0-9]*' "$work/$name.log" | tail -1)"
	else
		echo "FAIL: $name"
		grep -A30 "ERROR\|==.*==" "$work/$name.log" | head -40
		for a in "$work/$name"-*; do
			[ -f "$a" ] && cp "$a" "$here/crashes/" && echo "  kept $(basename "$a") in tests/fuzz/crashes"
		done
		failed=1
	fi
done
exit $failed
