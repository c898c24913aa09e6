#!/bin/sh
# The house rules of src/ ui/ db/ hold (HACKING; make check-style runs the
# same): each rule of tests/style.py, and a check that each rule fails on
# a tree that breaks it.
. "$top_srcdir/tests/lib.sh"

for rule in purpose sql structs functions layers includes; do
	ok "rule $rule holds" python3 "$top_srcdir/tests/style.py" "$top_srcdir" "$rule"
done

# a copy of the tree with one break per rule: each is caught
caught() { # caught RULE PATTERN: the rule, over bad/, says PATTERN
	python3 "$top_srcdir/tests/style.py" bad "$1" | grep -q "$2"
}
mkdir -p bad
cp -r "$top_srcdir/src" "$top_srcdir/ui" "$top_srcdir/db" bad/
printf '#include "config.h"\nint nothing_at_all(void);\n' >bad/src/nopurpose.c
ok "a file without its purpose line is caught" caught purpose "src/nopurpose.c:1"
printf '/* leak.c - SQL where it may not be */\n#include <sqlite3.h>\n' >bad/src/leak.c
ok "sqlite3 outside db/ is caught" caught sql "src/leak.c:2"
printf '/* twice.c - a tag again */\nstruct db_job { int x; };\n' >bad/ui/twice.c
ok "a struct tag defined twice is caught" caught structs "twice.c:2"
{
	printf '/* long.c - a function too long */\nint long_one(void)\n{\n'
	i=0; while [ $i -lt 160 ]; do printf '\t(void)0;\n'; i=$((i + 1)); done
	printf '\treturn 0;\n}\n'
} >bad/db/long.c
ok "a function over 150 lines is caught" caught functions "long_one() is 164 lines"
printf '/* up.c - db/ reaching up */\n#include "../ui/tui.h"\n' >bad/db/up.c
printf '/* core.c - the core reaching the workbench */\n#include "../ui/tui.h"\n' >bad/src/core.c
ok "db/ including ui/ is caught" caught layers "db/up.c:2"
ok "src/ including ui/ is caught" caught layers "src/core.c:2"
printf '/* begin.c - a transaction outside db/ */\nconst char *q = "BEGIN IMMEDIATE";\n' >bad/ui/begin.c
ok "a statement outside db/ that is not a SELECT is caught" caught sql "ui/begin.c:2"
printf '/* words.c - prose, not SQL */\n/* sqlite3 is named in a comment */\nconst char *w = "Delete the note?";\n' >bad/ui/words.c
ok "prose and comments are not SQL" eval '! caught sql "ui/words.c"'
printf '/* sideways.c - db/ reaching up without ../ */\n#include "fetch.h"\n' >bad/db/sideways.c
ok "db/ including src/ beyond the foundation by -I is caught" caught layers "db/sideways.c:2"
printf '/* inside.c - db/ private header outside db/ */\n#include "../db/dbi.h"\n' >bad/ui/inside.c
ok "db/'s own header outside db/ is caught" caught layers "ui/inside.c:2"
{
	printf '/* brace.c - a long function whose brace ends its header */\nint brace_one(void) {\n'
	i=0; while [ $i -lt 160 ]; do printf '\t(void)0;\n'; i=$((i + 1)); done
	printf '\treturn 0;\n}\n'
} >bad/src/brace.c
ok "a long function with its brace on the header line is caught" caught functions "brace_one() is"
{
	printf '/* big.c - a file too long */\n'
	i=0; while [ $i -lt 1510 ]; do printf 'int big_%d;\n' $i; i=$((i + 1)); done
} >bad/src/big.c
ok "a file over 1 500 lines is caught" caught functions "src/big.c:1: 1511 lines"
printf '/* unused.c - an include it needs not */\n#include "config.h"\n#include "latex.h"\nint unused_one(void);\n' >bad/src/unused.c
ok "an include of which nothing is used is caught" caught includes "src/unused.c:3"
finish
