#!/bin/sh
# The config language: every bundled theme loads with no warning, the
# examples in stepmarkrc(5) parse, bad lines are named by file:line, and
# the man pages list every action and colour area the program has.
. "$top_srcdir/tests/lib.sh"

for theme in "$top_srcdir"/themes/*.theme; do
	expect_rc 0 "theme $(basename "$theme") loads with no warning" sm check-config "$theme"
	for area in $(sed -n '/define AREAS/,/^$/s/^	_([A-Z_]*, "\([a-z-]*\)".*/\1/p' "$top_srcdir/ui/actions.h"); do
		grep -q "^color $area " "$theme" || { echo "  $(basename "$theme") lacks $area"; failed=$((failed + 1)); }
	done
done
expect_rc 0 "the built-in defaults load with no warning" sm check-config "$top_srcdir/ui/default.stepmarkrc"

# every example block of stepmarkrc(5) is a config file that parses
awk '/^\.EX/{n++; f=sprintf("example%02d.rc", n); next} /^\.EE/{f=""; next} f{gsub(/\\e/, "\\"); gsub(/\\-/, "-"); print > f}' \
	"$top_srcdir/man/stepmarkrc.5"
ok "stepmarkrc(5) has examples" test "$(ls example*.rc 2>/dev/null | wc -l)" -ge 3
for ex in example*.rc; do
	# the installed themes are in the source tree here
	sed -i "s|/usr/local/share/stepmark/themes/|$top_srcdir/themes/|" "$ex"
	expect_rc 0 "stepmarkrc(5) $ex parses" sm check-config "$ex"
done

# bad lines: each named, the rest still applied
cat >bad.rc <<'RC'
set blind = maybe
set nonsense = 1
bind solution <Nope> rate-good
bind solution y no-such-action
color nowhere red black
color title red black blinking
frobnicate
bind solution y rate-good
RC
expect_rc 1 "bad lines are reported" sm check-config bad.rc
for n in 1 2 3 4 5 6 7; do
	ok "line $n named" has out "bad.rc:$n:"
done
ok "the good line is not" sh -c '! grep -q "bad.rc:8:" out'

# bindings to commands: quoted and unquoted both work; a command that does
# not exist, or a bad argument, is a warning naming file:line
cat >binds.rc <<'RC'
bind queue T ":filter todo"
bind queue Y :filter mine
bind queue Z ":filter nosuch"
bind queue W :frobnicate now
bind queue V ":set nosuch 1"
RC
expect_rc 1 "bad bindings are reported" sm check-config binds.rc
ok "the quoted binding is good" sh -c '! grep -q "binds.rc:1:" out'
ok "the unquoted binding is good" sh -c '! grep -q "binds.rc:2:" out'
ok "a bad argument is named" has out "binds.rc:3: bind queue Z: filter takes one of: all todo"
ok "an unknown command is named" has out 'binds.rc:4: bind queue W: no command named "frobnicate"'
ok "an unknown setting is named" has out 'binds.rc:5: bind queue V: no setting named "nosuch"'
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
head -2 binds.rc >"$XDG_CONFIG_HOME/stepmark/config"
tui_run 'T
:save-display t1.txt
Y
:save-display t2.txt' --annotator x
ok "T runs :filter todo" has t1.txt "todo"
ok "Y runs :filter mine" has t2.txt "mine"
rm "$XDG_CONFIG_HOME/stepmark/config"

# :set alone lists every setting in force, from the one table
TUI_SIZE=100x40 tui_run ':set blind all
:set
:save-display set.txt' --annotator x
sed -n '/define SETTINGS/,/^$/s/^	_([A-Z_]*, "\([a-z-]*\)".*/\1/p' "$top_srcdir/src/conf.h" >settings
ok "the table has settings" test "$(wc -l <settings)" -ge 9
for name in $(cat settings); do
	ok ":set lists $name" grep -q -- "^ *$name " set.txt
	pat="^\\.BR\\? $(echo "$name" | sed 's/-/\\\\-/g')\\( \\|\$\\)"
	ok "stepmarkrc(5) lists setting $name" grep -q -- "$pat" "$top_srcdir/man/stepmarkrc.5"
done
ok ":set shows the value in force" has set.txt "blind          all"

# a comma-decimal locale (made here when the system has its sources)
# changes no number: mc-alpha 0.25 is read, and shown, as 0.25
mkdir -p loc
if localedef -i de_DE -f UTF-8 loc/de_DE.UTF-8 >/dev/null 2>&1; then
	# glibc's setlocale keeps a block from a LOCPATH locale that
	# LeakSanitizer reports as ours: not checked for leaks there
	san=""
	[ -z "${SANITIZED:-}" ] || san="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	printf '#!/bin/sh\nexec env %s LOCPATH="%s" LC_ALL=de_DE.UTF-8 "%s" "$@"\n' "$san" "$TMP/loc" \
		"$STEPMARK" >loc/sm
	chmod +x loc/sm
	ok "the locale is a comma-decimal one" sh -c \
		'LOCPATH=loc LC_ALL=de_DE.UTF-8 locale decimal_point | grep -qx ,'
	sm_c=$STEPMARK STEPMARK=$TMP/loc/sm
	TUI_SIZE=100x40 tui_run ':set mc-alpha 0.25
:set
:save-display set-de.txt' --annotator x
	STEPMARK=$sm_c
	ok "mc-alpha 0.25 read and shown as such" grep -q -- "^ *mc-alpha *0\\.25 " set-de.txt
else
	echo "# no comma-decimal locale: localedef or the de_DE sources are missing"
fi

# the man pages know every action and colour area (the one table)
sed -n '/define ACTIONS/,/^$/s/^	_([A-Z_]*, "\([a-z-]*\)".*/\1/p' "$top_srcdir/ui/actions.h" >actions
sed -n '/define AREAS/,/^$/s/^	_([A-Z_]*, "\([a-z-]*\)".*/\1/p' "$top_srcdir/ui/actions.h" >areas
ok "the table has actions" test "$(wc -l <actions)" -ge 40
ok "the table has areas" test "$(wc -l <areas)" -ge 20
for name in $(cat actions); do
	pat="^\\.B $(echo "$name" | sed 's/-/\\\\-/g')\$"
	ok "stepmark(1) lists action $name" grep -q -- "$pat" "$top_srcdir/man/stepmark.1"
	ok "stepmarkrc(5) lists action $name" grep -q -- "$pat" "$top_srcdir/man/stepmarkrc.5"
done
# and every keymap: generic, and each view's own (the one table, ui/views.h)
sed -n '/define VIEWS/,/^$/s/^	_([A-Z_]*, \([a-z_]*\),.*/\1/p' "$top_srcdir/ui/views.h" >keymaps
ok "the table has keymaps" test "$(wc -l <keymaps)" -ge 4
for name in generic $(cat keymaps); do
	ok "stepmarkrc(5) lists keymap $name" grep -q -- "^\\.BR\\? $name\\( ,\\|\$\\)" "$top_srcdir/man/stepmarkrc.5"
done
# the queue's engine is a model: it reads the store, never the screen
ok "the queue model has no curses" sh -c "! grep -q '#include.*\\(curses\\|draw\\.h\\|tui\\.h\\)' '$top_srcdir/ui/queue_model.c' '$top_srcdir/ui/queue_model.h'"
for name in $(cat areas); do
	pat="^\\.B $(echo "$name" | sed 's/-/\\\\-/g')\$"
	ok "stepmarkrc(5) lists area $name" grep -q -- "$pat" "$top_srcdir/man/stepmarkrc.5"
done
# and every queue filter (db/queue.h's table), where the filters are told
sed -n '/define QUEUE_FILTERS/,/^$/s/^	_([A-Z_]*, "\([a-z-]*\)".*/\1/p' "$top_srcdir/db/queue.h" >filters
ok "the table has filters" test "$(wc -l <filters)" -ge 10
sed -n '/^\.IR #id )\.$/,/^\.BI ":filter agreed "/p' "$top_srcdir/man/stepmark.1" >filters1
sed -n "/^The queue's filter when the workbench opens/,/^\.TP/p" "$top_srcdir/man/stepmarkrc.5" >filters5
for name in $(cat filters); do
	# the name as an item of the list, not a word of prose or a part of
	# a longer filter's name
	man=$(printf '%s' "$name" | sed 's/-/\\\\-/g')
	ok "stepmark(1) lists filter $name" grep -qE -- "(^| )$man(,| \(|\$)" filters1
	ok "stepmarkrc(5) lists filter $name" grep -qE -- "^\.BR? $man( ,|\$)" filters5
done
# and the help screen shows every action
TUI_SIZE=120x200 tui_run 'h
:save-display help.txt
G
:save-display help2.txt' --annotator x
cat help.txt help2.txt >helpall.txt
for name in $(cat actions); do
	ok "help shows $name" grep -q -- " $name " helpall.txt
done
finish
