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

finish
