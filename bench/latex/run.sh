#!/bin/sh
# bench/latex: LaTeX rendered as the workbench shows it, over every text in
# ../shared/data (PRM800K problems, steps, alternatives and references;
# ProcessBench problems and steps; Math-Shepherd). Prints per-text
# rendering time (median and p99 of each text's median of 9 runs) and the
# share of rendered lines that still hold a backslash command, for
# stepmark and for the peer, pylatexenc's latex2text (Debian
# python3-pylatexenc), on the same texts in the same run.
#
# With LIBTEXPRINTF_SRC, a checkout of libtexprintf (utftex's library, the
# closest peer: 2D math in monospace text; not a Debian package, so
# fetched, e.g. git clone https://github.com/bartp5/libtexprintf), it also
# builds that library here with cc (nothing from the network) and times
# both on the same math spans of the texts ($…$, \(…\), \[…\], $$…$$):
# per span, median of 9 runs, and how many spans each lays out on more
# than one line.
#   RENDER=./bench/latex/render [LIBTEXPRINTF_SRC=DIR] bench/latex/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${RENDER:=./bench/latex/render}"
data=${SHARED_DATA:-$here/../../../shared/data}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stepmark-bench-latex.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 - "$data" "$tmp/texts" <<'PY'
import glob, json, os, sys
data, out = sys.argv[1:3]
texts = []
def add(t):
    if isinstance(t, str) and t:
        texts.append(t.replace("\0", ""))
for f in glob.glob(os.path.join(data, "prm800k", "*.jsonl")):
    for line in open(f, encoding="utf-8"):
        r = json.loads(line)
        q = r.get("question", {})
        add(q.get("problem")); add(q.get("ground_truth_solution")); add(q.get("ground_truth_answer"))
        for s in r.get("label", {}).get("steps", []):
            for c in s.get("completions") or []:
                add(c.get("text"))
for f in glob.glob(os.path.join(data, "processbench", "*.json")):
    for r in json.load(open(f, encoding="utf-8")):
        add(r.get("problem")); [add(s) for s in r.get("steps", [])]
for f in glob.glob(os.path.join(data, "math-shepherd", "*.json")):
    rs = json.load(open(f, encoding="utf-8"))
    for r in rs if isinstance(rs, list) else [rs]:
        for v in r.values():
            add(v)
open(out, "wb").write("\0".join(texts).encode())
print("%d texts from %s" % (len(texts), data))
PY
"$RENDER" "$tmp/times" 9 <"$tmp/texts" >"$tmp/rendered"
peer_py=python3
[ -x /usr/bin/python3 ] && peer_py=/usr/bin/python3
"$peer_py" - "$tmp/texts" "$tmp/peer_times" "$tmp/peer_rendered" 2>"$tmp/peer.err" <<'PY' || echo "peer: pylatexenc not installed (apt-get install python3-pylatexenc)" >"$tmp/peer_missing"
import sys, time
from pylatexenc.latex2text import LatexNodes2Text
texts = open(sys.argv[1], "rb").read().decode().split("\0")
conv = LatexNodes2Text()
times, outs = [], []
for t in texts:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter_ns()
        o = conv.latex_to_text(t)
        runs.append(time.perf_counter_ns() - t0)
    runs.sort()
    times.append(runs[1])
    outs.append(o)
open(sys.argv[2], "w").write("\n".join(str(x) for x in times) + "\n")
open(sys.argv[3], "wb").write("\0".join(outs).encode())
PY
python3 - "$tmp" <<'PY'
import os, re, statistics, sys
tmp = sys.argv[1]
cmd = re.compile(r"\\[A-Za-z]+")
def report(name, times_f, out_f):
    times = [float(x) for x in open(os.path.join(tmp, times_f)) if x.strip()]
    texts = open(os.path.join(tmp, out_f), "rb").read().decode("utf-8", "replace").split("\0")
    lines = [l for t in texts for l in t.split("\n") if l.strip()]
    left = sum(1 for l in lines if cmd.search(l))
    times.sort()
    med = statistics.median(times) / 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] / 1000
    print("%-10s per text: median %.1f us, p99 %.1f us; lines with a command left: %d of %d (%.2f %%)"
          % (name, med, p99, left, len(lines), 100.0 * left / len(lines) if lines else 0))
    return med
ours = report("stepmark", "times", "rendered")
if os.path.exists(os.path.join(tmp, "peer_missing")):
    print(open(os.path.join(tmp, "peer_missing")).read().strip())
else:
    peer = report("pylatexenc", "peer_times", "peer_rendered")
    print("ratio: stepmark renders a text %.0fx faster than pylatexenc (medians)" % (peer / ours))
PY
[ -n "${LIBTEXPRINTF_SRC:-}" ] || {
	echo "utftex: LIBTEXPRINTF_SRC not set (a libtexprintf checkout), not measured"
	exit 0
}
python3 - "$tmp/texts" "$tmp/spans" <<'PY'
import re, sys
texts = open(sys.argv[1], "rb").read().decode().split("\0")
span = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|\$([^$\s](?:[^$]*?[^$\s])?)\$(?!\d)", re.S)
spans = [next(g for g in m.groups() if g is not None) for t in texts for m in span.finditer(t)]
spans = [s.strip() for s in spans if s.strip()]
open(sys.argv[2], "wb").write("\0".join(spans).encode())
PY
mkdir "$tmp/ltp" && cp -R "$LIBTEXPRINTF_SRC/src/." "$tmp/ltp/"
(cd "$tmp/ltp" && sh gen_errorflags.sh boxes.c drawbox.c lexer.c parser.c >/dev/null &&
	: >config.h && ${CC:-cc} -O2 -w -I. -o "$tmp/peer_utftex" "$here/peer_utftex.c" \
	boxes.c drawbox.c texprintf.c parser.c lexer.c error.c stringutils.c -lm) ||
	{ echo "utftex: libtexprintf did not build from $LIBTEXPRINTF_SRC"; exit 0; }
"$RENDER" "$tmp/span_times" 9 math <"$tmp/spans" >"$tmp/span_rendered"
"$tmp/peer_utftex" "$tmp/peer_span_times" 9 <"$tmp/spans" >"$tmp/peer_span_rendered" 2>/dev/null
python3 - "$tmp" <<'PY'
import os, statistics, sys
tmp = sys.argv[1]
def report(name, times_f, out_f):
    times = sorted(float(x) for x in open(os.path.join(tmp, times_f)) if x.strip())
    outs = open(os.path.join(tmp, out_f), "rb").read().decode("utf-8", "replace").split("\0")
    tall = sum(1 for o in outs if "\n" in o.strip("\n"))
    med = statistics.median(times) / 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] / 1000
    print("%-10s per math span: median %.2f us, p99 %.1f us; %d of %d spans on more than one line"
          % (name, med, p99, tall, len(times)))
    return med
ours = report("stepmark", "span_times", "span_rendered")
peer = report("utftex", "peer_span_times", "peer_span_rendered")
print("ratio: stepmark renders a math span %.1fx faster than libtexprintf (medians)" % (peer / ours))
PY
