#!/bin/sh
# Opening the workbench: a store that does not exist is refused unless
# --create asks for it (a mistyped --db makes nothing), and with no $USER
# nor --annotator it says whose labels these are.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null

# a mistyped --db does not open a new, empty store unless asked
printf ':quit\n' >quit.keys
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color "$STEPMARK" --db typo.db >out 2>err
ok "no store: refused (exit 3)" test $? = 3
ok "says how to make one" has err "no store at typo.db: import a data set into it"
ok "and made nothing" test ! -e typo.db
STEPMARK_SCRIPT=quit.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color "$STEPMARK" --db typo.db --create >out 2>err
ok "--create opens it empty" test $? = 0 -a -e typo.db

# no $USER, no --annotator: the workbench says whose labels these are
printf ':save-display anon.txt\n:quit\n' >anon.keys
env -u USER STEPMARK_SCRIPT=anon.keys STEPMARK_NO_DISPLAY=1 TERM=xterm-256color COLUMNS=120 LINES=10 \
	"$STEPMARK" >out 2>err
ok "labelling as anonymous, and how to change it" grep -q 'labelling as anonymous (\$USER unset): --annotator NAME' anon.txt
