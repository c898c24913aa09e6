#!/bin/sh
# Permissions (issue 29): a config others can write (or another user
# owns) could point an endpoint at anyone's server and collect the API
# key: it is warned about and no key is sent for its endpoints (nor for
# those of a file it sources); a store anyone can write is warned about.
. "$top_srcdir/tests/lib.sh"
sm import "$FIXTURES/processbench_gsm8k_20.json" >/dev/null
printf 'endpoint e url http://127.0.0.1:9/v1\nendpoint e model m\nendpoint e key-env PMKEY\nendpoint e retries 0\n' >cfg
export PMKEY=sekrit-key-0123
chmod 644 cfg
expect_rc 0 "check-config: a config of yours" sm check-config cfg
ok "no warning" has out "1 file: no warnings"

chmod 666 cfg
expect_rc 1 "check-config: a config anyone can write" sm check-config cfg
ok "warned, with the mode" has out "cfg: others can write this config (mode 0666): anyone could point an endpoint at their own server"
chmod 664 cfg
expect_rc 1 "group-writable too" sm check-config cfg
ok "warned" has out "(mode 0664)"
chmod 666 cfg
expect_rc 1 "fetch with that config" sm fetch --config cfg --judge --limit 1
ok "the warning" has err "cfg: others can write this config (mode 0666)"
ok "the key refused" has err "stepmark: endpoint e: set in cfg, which others can write or own: its API key is not sent"
ok "no job ran" test "$(sql "SELECT count(*) FROM job WHERE state IN ('done', 'failed')")" = 0
ok "the key said nowhere" sh -c '! grep -q sekrit out err'
expect_rc 0 "an offline provider still runs" sm fetch --config cfg --calc --quiet

# a safe config sourcing one anyone can write, and the other way round
chmod 644 cfg
printf 'source cfg\n' >outer
chmod 666 cfg
expect_rc 1 "an endpoint from a sourced file anyone can write" sm fetch --config outer --judge --limit 1
ok "refused" has err "endpoint e: set in"
chmod 644 cfg
chmod 666 outer
expect_rc 1 "a file sourced by a config anyone can write" sm fetch --config outer --judge --limit 1
ok "refused too" has err "endpoint e: set in"
chmod 644 outer
expect_rc 1 "both yours: the key goes (to a closed port)" sm fetch --config outer --judge --limit 1
ok "no permission message" sh -c '! grep -q "others can write" err'
ok "the request was tried" has out "Couldn't connect"

# another user's config (needs root to give it away)
if [ "$(id -u)" = 0 ]; then
	cp cfg theirs
	chown 65534 theirs
	expect_rc 1 "another user's config" sm fetch --config theirs --judge --limit 1
	ok "warned" has err "this config belongs to another user (uid 65534)"
	ok "the key refused" has err "endpoint e: set in theirs, which others can write or own"
fi

# a store anyone can write
chmod 666 store.db
expect_rc 0 "stats on a store anyone can write" sm stats
ok "warned" has err "stepmark: warning: anyone can write the store $STEPMARK_DB (mode 0666)"
expect_rc 0 "audit too" sm audit --truth processbench_gsm8k_20
ok "warned" has err "anyone can write the store"
chmod 664 store.db
expect_rc 0 "group-writable: a team's store" sm stats
ok "no warning" sh -c '! [ -s err ]'
finish
