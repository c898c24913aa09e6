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
ok "then the stats" has out "solutions"

finish
