#!/bin/sh
# bench/fetch: 10 K judge requests at concurrency 64 against the fake
# server (tests/fake_oai.py) answering after 100 ms. The ideal is
# 64 / 0.1 s = 640 requests/s. Peer: curl --parallel --parallel-max 64
# sending the same 10 K requests (the bodies stepmark writes with
# --batch-out). Then the same fetch inside the workbench while a script
# presses a key every 20 ms: the p99 key handling time.
# Usage: [OLD=BINARY] bench/fetch/run.sh [RUNS] [REQUESTS] (default 3 and
# 10000); with OLD, another stepmark (an older build) fetches the same
# jobs in the same runs too, on a store it imported itself (an older
# build cannot open a newer store).
set -eu
runs=${1:-3}
n=${2:-10000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sm=${STEPMARK:-$top/stepmark}
out=${BENCH_OUT:-$top/bench/out/fetch}
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export LC_ALL=C.UTF-8 TERM=xterm-256color COLUMNS=120 LINES=40 HOME="$out" XDG_CONFIG_HOME="$out/xdg"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
command -v curl >/dev/null || { echo "bench/fetch needs curl"; exit 1; }

python3 "$top/tests/gen_big.py" --processbench "$n" >data.jsonl
"$sm" --db store.db import data.jsonl --format processbench --dataset bench >/dev/null
# an older build cannot open a newer store: OLD fetches on one it made
[ -z "${OLD:-}" ] || "$OLD" --db old.db import data.jsonl --format processbench --dataset bench >/dev/null
python3 "$top/tests/sim_data.py" "$top/tests/fixtures/processbench_gsm8k_20.json" >sim.jsonl
python3 "$top/tests/fake_oai.py" --data sim.jsonl --port-file port --latency-ms 100 2>server.err &
server=$!
trap 'kill $server 2>/dev/null' EXIT
while [ ! -s port ]; do sleep 0.1; done
url="http://127.0.0.1:$(cat port)/v1"
mkdir -p xdg/stepmark
cat >xdg/stepmark/config <<CFG
endpoint sim url $url
endpoint sim model sim-judge
endpoint sim kind chat
endpoint sim concurrency 64
endpoint sim max-tokens 512
set fetch judge
CFG

reset() { # [STORE]
	sqlite3 "${1:-store.db}" "DELETE FROM suggestion WHERE job_id IS NOT NULL; DELETE FROM job; DELETE FROM response_cache;"
}
# the requests, written and not sent; then curl's config for them
"$sm" --db store.db fetch --judge --quiet --batch-out batch.jsonl >/dev/null
mv batch.chat-completions.jsonl batch.jsonl
python3 - "$url" <<'PY'
import json, os, sys
os.makedirs("bodies", exist_ok=True)
with open("curl.cfg", "w") as cfg:
    for i, line in enumerate(open("batch.jsonl")):
        r = json.loads(line)
        with open("bodies/%d.json" % i, "w") as f:
            json.dump(r["body"], f, separators=(",", ":"))
        cfg.write('%surl = "%s/chat/completions"\ndata-binary = "@bodies/%d.json"\n'
                  'header = "Content-Type: application/json"\noutput = "/dev/null"\n'
                  % ("next\n" if i else "", sys.argv[1], i))
PY
test "$(wc -l <batch.jsonl)" = "$n" || { echo "bench/fetch: expected $n requests"; exit 1; }

calc() { awk "BEGIN {print $1}"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: >sm.times
: >curl.times
: >old.times
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*average: //'; }
load0=$(load)
i=0
while [ $i -lt "$runs" ]; do
	reset
	/usr/bin/time -f "%e %U %S" -o t.sm "$sm" --db store.db fetch --judge --quiet >sm.out
	done_n=$(sqlite3 store.db "SELECT count(*) FROM job WHERE state = 'done'")
	[ "$done_n" = "$n" ] || { echo "bench/fetch: only $done_n of $n jobs done"; cat sm.out; exit 1; }
	cat t.sm >>sm.times
	if [ -n "${OLD:-}" ]; then
		reset old.db
		/usr/bin/time -f "%e %U %S" -o t.old "$OLD" --db old.db fetch --judge --quiet >old.out
		cat t.old >>old.times
	fi
	/usr/bin/time -f "%e %U %S" -o t.curl curl -s --no-progress-meter --parallel --parallel-max 64 -K curl.cfg
	cat t.curl >>curl.times
	i=$((i + 1))
done
load1=$(load)
smw=$(cut -d' ' -f1 sm.times | median)
cw=$(cut -d' ' -f1 curl.times | median)
smcpu=$(awk '{print $2 + $3}' sm.times | median)
ccpu=$(awk '{print $2 + $3}' curl.times | median)
rate=$(calc "$n / $smw")

# inside the workbench: the same jobs, keys every 20 ms meanwhile
reset
"$sm" --db store.db fetch --judge --quiet --batch-out queued.jsonl >/dev/null
# as many keys as 20 ms apart fit in the ideal fetch time: all of them
# are pressed while the engine works
python3 - "$(( n / 16 ))" >keys.txt <<'PY'
import random, sys
r = random.Random(3)
print("<Enter>")
for i in range(int(sys.argv[1])):
    print(r.choice("jjjjkkkJKJ") if i % 50 else ":save-display screen.txt")
print(":quit")
PY
t0=$(date +%s.%N)
STEPMARK_SCRIPT=keys.txt STEPMARK_SCRIPT_PACE=20 STEPMARK_NO_DISPLAY=1 STEPMARK_TIMINGS=timings.txt \
	"$sm" --db store.db --annotator bench
t1=$(date +%s.%N)
tui_done=$(sqlite3 store.db "SELECT count(*) FROM job WHERE state = 'done'")
pct() { sed -n 's/^key [^ ]* //p' timings.txt | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'; }
keys=$(grep -c '^key ' timings.txt)

echo "bench/fetch: $n judge requests, concurrency 64, server latency 100 ms, $runs runs (medians)"
echo "  load average (1, 5, 15 min) before the runs $load0, after $load1 (CPU figures need a quiet machine)"
printf '  stepmark fetch   %8.2f s  %7.1f requests/s = %.1f %% of the ideal 640 (target >= 95)\n' "$smw" "$rate" "$(calc "$rate / 640 * 100")"
printf '  curl --parallel  %8.2f s  (peer, same requests)\n' "$cw"
printf '  wall time ratio stepmark/curl %.3f (target <= 1.1)\n' "$(calc "$smw / $cw")"
printf '  CPU per request  stepmark %.1f us, curl %.1f us, ratio %.2f (target <= 1)\n' \
	"$(calc "$smcpu / $n * 1e6")" "$(calc "$ccpu / $n * 1e6")" "$(calc "$smcpu / $ccpu")"
echo "  each run, stepmark/curl: wall $(paste -d' ' sm.times curl.times | awk '{printf "%.3f ", $1 / $4}')cpu $(paste -d' ' sm.times curl.times | awk '{printf "%.2f ", ($2 + $3) / ($5 + $6)}')"
if [ -n "${OLD:-}" ]; then
	ow=$(cut -d' ' -f1 old.times | median)
	ocpu=$(awk '{print $2 + $3}' old.times | median)
	printf '  OLD %s: %.2f s = %.1f %% of the ideal, wall/curl %.3f, CPU per request %.1f us (%.2f of curl)\n' \
		"$OLD" "$ow" "$(calc "$n / $ow / 640 * 100")" "$(calc "$ow / $cw")" \
		"$(calc "$ocpu / $n * 1e6")" "$(calc "$ocpu / $ccpu")"
fi
printf '  in the workbench: %d keys every 20 ms over %.1f s; %d of %d jobs done by the end\n' \
	"$keys" "$(calc "$t1 - $t0")" "$tui_done" "$n"
printf '  key handling p50 %.3f ms, p99 %.3f ms, max %.3f ms (target p99 <= 16 ms)\n' \
	"$(pct 50)" "$(pct 99)" "$(pct 100)"
