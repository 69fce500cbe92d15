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
#   pg_url NAME          the URL of database NAME of that cluster
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

pg_start() {
	local dir
	dir=$(mktemp -d /tmp/bootyard-pg.XXXXXX) || return 1
	chmod 755 "$dir"
	[[ $(id -u) == 0 ]] && chown postgres: "$dir"
	_pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	_pg_as mkdir -p "$dir/sock"
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
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-k $PG_DIR/sock -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null ||
		{ cat "$PG_DIR/server.log" >&2; return 1; }
}

pg_down() {
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null
}

pg_url() { # NAME
	echo "postgresql:///$1?host=$PG_SOCK&user=postgres"
}

pg_psql() { # DB psql-args...
	local db=$1; shift
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -U postgres -d "$db" "$@"
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
