#!/bin/sh
# hub.sh - the hub (issue 25) on a private PostgreSQL server: hub init
# and members; credentials never said.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
pg_start

# ---- init, versioned ----
expect_rc 2 "hub init without a hub is a usage error" sm hub init
ok "says how to give one" has err "give --hub URL"
expect_rc 0 "hub init" sm --hub "$PGSU" hub init
ok "says it created the schema" has out "schema created (version 1)"
ok "the version is kept" test "$(pg_sql -c "select value from stepmark.meta where key = 'version'")" = 1
expect_rc 0 "hub init again" sm --hub "$PGSU" hub init
ok "nothing to do" has out "nothing to do"
ok "the four group roles" test "$(pg_sql -c "select count(*) from pg_roles where rolname like 'stepmark\_%'")" = 4

# ---- members ----
for m in lead:lead ann:annotator bob:annotator adj:adjudicator aud:auditor; do
	echo "pw-${m%%:*}-S3cret" | sm --hub "$PGSU" hub add "${m%%:*}" --role "${m#*:}" --password-stdin >out 2>err
	ok "member ${m%%:*} added" has out "${m%%:*} added as ${m#*:}"
done
expect_rc 1 "a member added twice" sm --hub "$PGSU" hub add ann --role annotator
ok "says so" has err "already"
expect_rc 2 "an unknown role" sm --hub "$PGSU" hub add zed --role king
expect_rc 2 "a name with a control character" sm --hub "$PGSU" hub add "$(printf 'a\033b')" --role annotator
ok "ann is in the annotators' group" test \
	"$(pg_sql -c "select pg_has_role('ann', 'stepmark_annotator', 'member')")" = t
pw() { echo "pw-$1-S3cret"; }

# the workbench's :set shows the setting without its password
sm import "$FIXTURES/math_shepherd_example.json" >/dev/null
printf 'set hub = "%s password=Conf-S3cret"\n' "$(hub_as ann)" >>"$XDG_CONFIG_HOME/stepmark/config"
TUI_SIZE=160x40 tui_run ':set
:save-display set.txt' --annotator ann
ok ":set lists the hub" grep -q "hub .*host=" set.txt
ok "with its password hidden" sh -c '! grep -q "S3cret" set.txt && grep -q "password=\*\*\*" set.txt'
finish
