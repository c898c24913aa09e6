#!/bin/sh
# The newcomer's first command: ./quickstart and the configure it runs
# print no warning, build without -Werror, and the demo's import
# summaries are said where the workbench does not wipe them.
. "$top_srcdir/tests/lib.sh"

# autoconf says nothing of the macro order (AC_USE_SYSTEM_EXTENSIONS
# before the first compile test)
if command -v autoreconf >/dev/null; then
	mkdir -p ac/m4
	cp "$top_srcdir/configure.ac" "$top_srcdir/Makefile.am" ac/
	(cd ac && autoreconf -fi) >ac.out 2>&1
	ok "autoreconf succeeds" test $? = 0
	ok "autoreconf warns of nothing" sh -c '! grep -i warning ac.out'
	grep -i warning ac.out | sed 's/^/  | /'
fi

# quickstart in a tree of its own: configure and make are stubs, the
# packages are there, stepmark is the one under test
mkdir -p qs/tests bin
cp "$top_srcdir/quickstart" qs/
ln -s "$FIXTURES" qs/tests/fixtures
ln -s "$STEPMARK" qs/stepmark
cat >qs/configure <<'SH'
#!/bin/sh
echo "$@" >configure.args
printf 'all:\n\t@:\n' >Makefile
SH
chmod +x qs/configure
printf '#!/bin/sh\nprintf "install ok installed"\n' >bin/dpkg-query
chmod +x bin/dpkg-query
PATH="$TMP/bin:$PATH"
export PATH
unset STEPMARK_DB

expect_rc 0 "quickstart in CI" env CI=true ./qs/quickstart
ok "configure was run" test -f qs/configure.args
ok "without --enable-werror" sh -c '! grep -q werror qs/configure.args'
ok "the summaries are said" has out "imported as prm800k"
ok "then the stats" has out "solutions"

# on a terminal: the summaries come after the workbench, not under it
[ -z "${STEPMARK_VALGRIND:-}" ] || finish
command -v tmux >/dev/null || finish
need_tmux
rm -f qs/demo.db
tmx new-session -d -s qs -x 80 -y 24 \
	"cd '$TMP/qs' && env -u CI LC_ALL=C.UTF-8 TERM=screen-256color HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' PATH='$PATH' ./quickstart; echo EXITED \$?; sleep 600"
ok "the workbench opens on the demo" wait_for qs "[queue]"
tmx send-keys -t qs q
ok "it exits" wait_for qs "EXITED 0"
tmx capture-pane -p -J -t qs >after.txt
ok "the summaries are on the screen after it" has after.txt "imported as prm800k"
ok "each file's" has after.txt "imported as processbench"
ok "and says what they are" has after.txt "demo.db was made from"
finish
