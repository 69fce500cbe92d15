# tests/lib/pg.sh - a private PostgreSQL 15 for tests (sourced).
#
#   pg_available         0 when PostgreSQL 15's server programs are here
#   pg_require           in a test: skip without them, or fail when
#                        BOOTYARD_REQUIRE_PG is set (CI: .ci/run)
#   pg_start             initdb + start a cluster in a new directory under
#                        /tmp (owned by the postgres user: initdb refuses
#                        root), listening only on a socket in it (no TCP),
#                        fsync off (no synchronous_commit=off: a commit
#                        must survive pg_down, a process kill); sets
#                        PG_DIR, PG_SOCK and
#                        PG_URL (postgresql:///postgres?host=...&user=postgres)
#                        and stops it when the calling shell exits (or call
#                        pg_stop)
#   pg_start ssl         the same, with TLS on TCP too: a CA and a server
#                        certificate (for 127.0.0.1) made with openssl,
#                        ssl=on, listening on 127.0.0.1 on a free port
#                        (PG_PORT; the socket stays, on that port), and a
#                        second, unrelated CA; sets PG_CA and PG_WRONG_CA
#   pg_url NAME          the URL of database NAME of that cluster
#   pg_tls_url NAME CA   its TLS URL (after pg_start ssl): TCP to
#                        127.0.0.1, sslmode=verify-full, sslrootcert=CA
#   pg_createdb NAME     create database NAME (fresh: dropped first)
#   pg_down / pg_up      stop the server at once (as a crash would) / start
#                        it again on the same data
#   pg_stop              stop the cluster and remove it
: "${PG_BIN:=/usr/lib/postgresql/15/bin}"

pg_available() {
	[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] && command -v psql >/dev/null &&
		id postgres >/dev/null 2>&1
}

pg_require() {
	pg_available && return 0
	[[ -n ${BOOTYARD_REQUIRE_PG:-} ]] &&
		fail "PostgreSQL 15 is not installed (postgresql-15) and BOOTYARD_REQUIRE_PG is set"
	skip "PostgreSQL 15 not installed (postgresql-15)"
}

_pg_as() { # run as the postgres user (we may be root, or postgres already)
	if [[ $(id -u) == 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# _pg_ssl_files DIR: a CA, a server key and certificate for 127.0.0.1
# signed by it (the server's: postgres, 0600), and an unrelated CA.
_pg_ssl_files() {
	local d=$1
	command -v openssl >/dev/null || { echo "pg: no openssl" >&2; return 1; }
	(
		set -e
		cd "$d"
		for ca in ca wrong-ca; do
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
				-subj "/CN=bootyard test $ca" -keyout $ca.key -out $ca.crt
		done
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
			-keyout server.key -out server.csr
		printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -days 2 -extfile server.ext -out server.crt
		chmod 600 server.key
		chmod 644 ca.crt wrong-ca.crt server.crt
		[[ $(id -u) == 0 ]] && chown postgres: server.key server.crt
		true
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
	PG_CA=$d/ca.crt
	PG_WRONG_CA=$d/wrong-ca.crt
	PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
		return 1
	export PG_CA PG_WRONG_CA PG_PORT
}

pg_start() { # [ssl]
	local dir
	dir=$(mktemp -d /tmp/bootyard-pg.XXXXXX) || return 1
	chmod 755 "$dir"
	[[ $(id -u) == 0 ]] && chown postgres: "$dir"
	_pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	_pg_as mkdir -p "$dir/sock"
	PG_PORT=
	if [[ ${1:-} == ssl ]]; then
		_pg_ssl_files "$dir" || return 1
	fi
	PG_DIR=$dir
	pg_up || return 1
	PG_SOCK=$dir/sock
	PG_URL=$(pg_url postgres)
	export PG_DIR PG_SOCK PG_URL
	if declare -F on_exit >/dev/null; then
		on_exit pg_stop
	fi
}

pg_up() {
	local net="-c listen_addresses=''"
	[[ -n ${PG_PORT:-} ]] &&
		net="-p $PG_PORT -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$PG_DIR/server.crt -c ssl_key_file=$PG_DIR/server.key"
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-k $PG_DIR/sock $net -c fsync=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null ||
		{ cat "$PG_DIR/server.log" >&2; return 1; }
}

pg_down() {
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null
}

pg_url() { # NAME
	echo "postgresql:///$1?host=$PG_SOCK&user=postgres${PG_PORT:+&port=$PG_PORT}"
}

pg_tls_url() { # NAME CA
	echo "postgresql://postgres@127.0.0.1:$PG_PORT/$1?sslmode=verify-full&sslrootcert=$2"
}

pg_psql() { # DB psql-args...
	local db=$1; shift
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" ${PG_PORT:+-p "$PG_PORT"} -U postgres -d "$db" "$@"
}

pg_createdb() { # NAME
	pg_psql postgres -c "DROP DATABASE IF EXISTS \"$1\"" &&
		pg_psql postgres -c "CREATE DATABASE \"$1\""
}

pg_stop() {
	[[ -n ${PG_DIR:-} && -d $PG_DIR/data ]] || return 0
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
}
