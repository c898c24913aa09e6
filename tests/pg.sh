# pg.sh - a private PostgreSQL cluster for the hub's tests, sourced after
# lib.sh: a temporary directory, a Unix socket in it and no TCP, started
# by pg_start and stopped when the test exits (never left running); as
# the unprivileged user nobody when the tests run as root (the server
# refuses root). Without the server the test is skipped (exit 77).
# Local connections need a password (scram-sha-256) but the superuser
# postgres's, so that members log in the way they would on a real hub.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGDIR=""

# runs a server program as the cluster's owner
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

pg_stop() {
	[ -n "$PGDIR" ] || return 0
	[ -f "$PGDIR/data/postmaster.pid" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
	return 0
}

# the server down for a while (a fault), then back with pg_restart
pg_halt() { pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1; }
pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
		-o "-k $PGDIR -c listen_addresses=''" start >/dev/null 2>&1
}

pg_start() {
	for p in initdb pg_ctl postgres; do
		[ -x "$PG_BIN/$p" ] || { echo "skip: no PostgreSQL server ($PG_BIN/$p): apt-get install postgresql"; exit 77; }
	done
	command -v psql >/dev/null || { echo "skip: no psql: apt-get install postgresql-client"; exit 77; }
	if [ "$(id -u)" = 0 ] && ! id nobody >/dev/null 2>&1; then
		echo "skip: run as root without a user nobody to run the server"
		exit 77
	fi
	PGDIR=$(mktemp -d /tmp/stepmark-pg.XXXXXX)
	[ "$(id -u)" = 0 ] && chown nobody "$PGDIR"
	trap 'pg_stop; [ -n "$PGDIR" ] && rm -rf "$PGDIR"; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
	pg_as "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres --auth-local=scram-sha-256 \
		--auth-host=reject -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 ||
		{ echo "initdb failed:"; cat "$PGDIR/initdb.log"; exit 99; }
	# the superuser comes in without a password, members with theirs
	pg_as sh -c "printf 'local all postgres trust\nlocal all all scram-sha-256\n' >'$PGDIR/data/pg_hba.conf'"
	pg_restart || { echo "the server did not start:"; cat "$PGDIR/log"; exit 99; }
	PGSU="host=$PGDIR user=postgres dbname=hub"
	psql -X -q "host=$PGDIR user=postgres dbname=postgres" -c 'CREATE DATABASE hub' >/dev/null ||
		exit 99
	unset PGHOST PGUSER PGDATABASE PGPASSWORD PGSERVICE PGPASSFILE
}

# psql as the superuser on the hub's database
pg_sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$PGSU" "$@"; }
# a member's connection string (its password from PGPASSWORD or ~/.pgpass)
hub_as() { echo "host=$PGDIR user=$1 dbname=hub"; }
