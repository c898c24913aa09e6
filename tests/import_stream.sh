# import_stream.sh - memory stays flat whatever the file's size
. "$top_srcdir/tests/lib.sh"
command -v /usr/bin/time >/dev/null || { echo "skip: no GNU time"; exit 77; }
[ -z "${STEPMARK_VALGRIND:-}" ] || { echo "skip: under valgrind"; exit 77; }
# AddressSanitizer's shadow memory makes peak RSS meaningless
[ -z "${SANITIZED:-}" ] || { echo "skip: sanitizer build"; exit 77; }

# one JSON array of about 115 MB on a single line, and JSON Lines of the same
python3 "$top_srcdir/tests/gen_big.py" --processbench 80000 --array >big.json
python3 "$top_srcdir/tests/gen_big.py" --processbench 80000 >big.jsonl
ok "the array is large" test "$(stat -c %s big.json)" -gt 100000000

/usr/bin/time -f %M -o rss1 "$STEPMARK" import big.json --dataset arr >out 2>err
ok "array imported" has out "80000 solutions"
/usr/bin/time -f %M -o rss2 "$STEPMARK" import big.jsonl --dataset lines >out 2>err
ok "lines imported" has out "80000 solutions"
ok "array import peak RSS under 64 MB ($(cat rss1) KB)" test "$(cat rss1)" -lt 65536
ok "lines import peak RSS under 64 MB ($(cat rss2) KB)" test "$(cat rss2)" -lt 65536
/usr/bin/time -f %M -o rss3 "$STEPMARK" export --format trl -o big.trl >out 2>err
ok "export peak RSS under 64 MB ($(cat rss3) KB)" test "$(cat rss3)" -lt 65536
ok "every solution exported" has err "160000 solutions exported"
finish
