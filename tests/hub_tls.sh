#!/bin/sh
# hub_tls.sh - the hub over TLS, the way the man page says to reach it:
# a server with a certificate from a private CA on loopback TCP,
# sslmode=verify-full with that CA syncs; a certificate from another CA,
# a host name the certificate does not name, and a connection without
# TLS are each refused, saying why, with nothing written to the store and
# no password in any message.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg.sh"
command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }
pg_start

# a CA, and the server's certificate for localhost (no IP address in it)
ca() { # NAME: NAME.key, NAME.crt, a self-signed CA
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1 test CA" \
		-keyout "$1.key" -out "$1.crt" >/dev/null 2>&1
}
ca hubca && ca rogue || { echo "openssl could not make a CA"; exit 99; }
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key \
	-out server.csr >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:localhost\n' >san.ext &&
	openssl x509 -req -in server.csr -CA hubca.crt -CAkey hubca.key -CAcreateserial \
		-days 2 -extfile san.ext -out server.crt >/dev/null 2>&1 ||
	{ echo "openssl could not sign the server's certificate"; exit 99; }
cp server.crt server.key "$PGDIR/"
chmod 600 "$PGDIR/server.key"
[ "$(id -u)" = 0 ] && chown nobody "$PGDIR/server.crt" "$PGDIR/server.key"

# the server again, on a free loopback port, TLS only for TCP
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_as sh -c "printf 'local all postgres trust\nlocal all all scram-sha-256\nhostssl hub all 127.0.0.1/32 scram-sha-256\nhostnossl all all 127.0.0.1/32 reject\n' >'$PGDIR/data/pg_hba.conf'"
pg_halt
pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-k $PGDIR -c listen_addresses=127.0.0.1 -p $PORT -c ssl=on -c ssl_cert_file=$PGDIR/server.crt -c ssl_key_file=$PGDIR/server.key" start >/dev/null 2>&1 ||
	{ echo "the server did not start with TLS:"; cat "$PGDIR/log"; exit 99; }
PGSU="host=$PGDIR port=$PORT user=postgres dbname=hub"

expect_rc 0 "hub init" sm --hub "$PGSU" hub init
echo "pw-lead-S3cret" | sm --hub "$PGSU" hub add lead --role lead --password-stdin >/dev/null
sm --db lead.db --annotator lead import "$FIXTURES/prm800k_sample.jsonl" >/dev/null
export PGPASSWORD=pw-lead-S3cret
tls="host=localhost port=$PORT user=lead dbname=hub sslmode=verify-full"

# nothing new may reach the store from a refused sync
before=$(sqlite3 lead.db "select count(*) || ':' || coalesce(max(hub_seq), 0) from label")
refused() { # WHY URL
	expect_rc 3 "$1: refused" sm --db lead.db --hub "$2" sync
	ok "$1: the store untouched" test "$(sqlite3 lead.db "select count(*) || ':' || coalesce(max(hub_seq), 0) from label")" = "$before"
	ok "$1: no password said" sh -c "! grep -q S3cret out err"
}
refused "another CA" "$tls sslrootcert=rogue.crt"
ok "says the certificate did not verify" has err "certificate verify failed"
refused "a host the certificate does not name" "host=127.0.0.1 port=$PORT user=lead dbname=hub sslmode=verify-full sslrootcert=hubca.crt"
ok "says the name does not match" grep -q 'does not match host name "127.0.0.1"' err
refused "no TLS" "host=localhost port=$PORT user=lead dbname=hub sslmode=disable"
ok "says the server refused it" has err "no encryption"

expect_rc 0 "verify-full with the hub's CA: synced" sm --db lead.db --hub "$tls sslrootcert=hubca.crt" sync
ok "pushed" has out "pushed: 12 solutions, 24 labels"
ok "no password said" sh -c "! grep -q S3cret out err"
ok "the hub has them" test "$(pg_sql -c "select count(*) from stepmark.label")" = 24
ok "the connection string is not in the store" test "$(sqlite3 lead.db "select count(*) from store_state where value like '%sslrootcert%' or value like '%S3cret%'")" = 0
finish
