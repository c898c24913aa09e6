#!/bin/sh
# The man pages as man(1) shows them at 80 columns: no words run together
# (a roff macro line gluing a sentence to its closing parenthesis), no
# control character in the source, no warning from groff.
. "$top_srcdir/tests/lib.sh"
command -v man >/dev/null || { echo "skip: no man (./quickstart --deps installs man-db)"; exit 77; }
pages=$(ls "$top_srcdir"/man/*.[1-9])
ok "there are man pages" test -n "$pages"
ok "no words run together" python3 "$top_srcdir/tests/man_render.py" $pages
for p in $pages; do
	MANWIDTH=80 man --warnings -l "$p" 2>warn >/dev/null
	ok "groff does not warn on $(basename "$p")" test ! -s warn
	sed 's/^/  | /' warn | head -5
done
finish
