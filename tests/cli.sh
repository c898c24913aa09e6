# cli.sh - the command line: help, usage errors, where the store is
. "$top_srcdir/tests/lib.sh"

expect_rc 0 "--help" sm --help
ok "help names the commands" has out "import FILE"
ok "help names export formats" has out "--format NAME           prm800k, processbench, math-shepherd, trl, csv"
expect_rc 0 "--version" sm --version
ok "version" has out "stepmark"
expect_rc 2 "unknown command" sm frobnicate
ok "unknown command message" has err 'unknown command "frobnicate"'
expect_rc 2 "import without a file" sm import
expect_rc 2 "export without a format" sm export
sm --help >help0.txt
ok "export names the formats, those --help lists for it" python3 - <<'PY'
import re
err = open("err").read()
m = re.search(r"--format NAME is required \(([a-z0-9, -]+)\)", err)
assert m, err
named = m.group(1).split(", ")
help = open("help0.txt").read().split("\n  export ", 1)[1]
block = re.search(r"--format NAME +(.*?)\n(?!                            )", help, re.S).group(1)
listed = [w.strip(",") for w in block.split()]
assert named == listed, (named, listed)
assert {"prm800k", "processbench", "trl", "csv", "openrlhf", "step-pairs"} <= set(named), named
PY
expect_rc 2 "bad --index-base" sm import --index-base 2 x.json
expect_rc 2 "an empty data set name" sm import --dataset "" x.json
ok "says it needs a name" has err "--dataset needs a name"
expect_rc 2 "an empty data set name for export" sm export --format trl --dataset ""
expect_rc 2 "an empty data set name for fetch" sm fetch --calc --dataset ""

# an unknown option says so in the program's name, with the hint
expect_rc 2 "an unknown option" sm --bogus
ok "names it, not the program's path" has err "stepmark: --bogus is not an option"
ok "and the hint" has err "Try 'stepmark --help'."
ok "no path of the program" sh -c '! grep -q "/stepmark:" err'
expect_rc 2 "--db without its value" sm --db
ok "says it needs one" has err "stepmark: --db needs a value"

# only import (and the workbench's --create) make a store: a mistyped
# --db is refused by every other command, and nothing is created
for c in "merge /etc/passwd" "assign --annotators a" "adjudicate --id x --no-error --reason r" \
	 "fetch --calc" "align" "import-reference r.jsonl --problem p --reference r" \
	 "consensus --policy adjudicated"; do
	expect_rc 3 "$c on a store that is not there" sm --db typo.db $c
	ok "$c says there is none" has err "no store at typo.db: import a data set into it"
	ok "$c made none" test ! -e typo.db
done

# the store: --db, else $STEPMARK_DB, else ./stepmark.db
expect_rc 3 "stats on a missing store" sm stats
ok "says there is no store" has err "no such store"
ok "and creates none" test ! -e "$TMP/store.db"
sm import "$FIXTURES/math_shepherd_example.json" >/dev/null 2>&1
ok "STEPMARK_DB is used" test -f "$TMP/store.db"
expect_rc 0 "--db wins" sm --db other.db import "$FIXTURES/math_shepherd_example.json"
ok "--db created" test -f other.db
(unset STEPMARK_DB; cd "$TMP" && mkdir d && cd d &&
	"$STEPMARK" import "$FIXTURES/math_shepherd_example.json" >/dev/null 2>&1)
ok "default ./stepmark.db" test -f "$TMP/d/stepmark.db"
expect_rc 0 "--db after the command" sm import --db third.db "$FIXTURES/math_shepherd_example.json"
ok "import went to --db" test "$(sqlite3 third.db 'select count(*) from solution')" = 1
expect_rc 2 "no command and no terminal: a usage error" sm </dev/null
ok "it says the workbench needs a terminal" has err "needs a terminal"
expect_rc 3 "unopenable store" sm --db /nonexistent/dir/x.db stats
ok "store error names the path" has err "/nonexistent/dir/x.db"

sm --help >help.txt
ok "--help fits 80 columns" python3 -c '
import sys
long = [l for l in open("help.txt", encoding="utf-8").read().splitlines() if len(l) > 80]
assert not long, long'

# every command of the table: --help lists it, stepmark(1) has its section
sed -n 's/^_([a-z_]*, "\([a-z-]*\)".*/\1/p' "$top_srcdir/src/commands.def" >commands
ok "the table has commands" test "$(wc -l <commands)" -ge 15
for name in $(cat commands); do
	ok "--help lists $name" grep -q "^  $name\( \|\$\)" help.txt
	pat="^\\.SS $(echo "$name" | sed 's/-/\\\\-/g')\\( \\|\$\\)"
	ok "stepmark(1) has a section for $name" grep -q -- "$pat" "$top_srcdir/man/stepmark.1"
done
# every provider and format of the tables: the SYNOPSIS and a paragraph
sed -n 's/^      --\([a-z-]*\) .*/\1/p' help.txt >providers
ok "--help lists the providers" test "$(wc -l <providers)" -ge 6
in_synopsis() { # the man text is in stepmark(1)'s SYNOPSIS
	sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$top_srcdir/man/stepmark.1" | grep -qF -- "$1"
}
for name in $(cat providers); do
	man=$(echo "$name" | sed 's/-/\\-/g')
	ok "stepmark(1)'s SYNOPSIS has --$name" in_synopsis ".RB [ \\-\\-$man ]"
	ok "stepmark(1) describes --$name" grep -qxF -- ".B \\-\\-$man" "$top_srcdir/man/stepmark.1"
done
sm export 2>formats.err
sed -n 's/.*is required (\(.*\))$/\1/p' formats.err | tr -d ',' | tr ' ' '\n' >formats
ok "export names its formats" test "$(wc -l <formats)" -ge 9
for name in $(cat formats); do
	man=$(echo "$name" | sed 's/-/\\-/g')
	ok "stepmark(1) describes format $name" grep -qxF -- ".B $man" "$top_srcdir/man/stepmark.1"
done
expect_rc 0 "help" sm help
ok "help is --help" cmp out help.txt
finish
