#!/bin/sh
# A throwaway PostgreSQL + PostGIS cluster for the tests: the ledger's second backend.
# Usage: scripts/pg_cluster.sh start DIR    initdb in DIR/data, start the server on a Unix socket in
#                                           DIR (no TCP port), create database `plat` with PostGIS;
#                                           prints the connection string on stdout
#        scripts/pg_cluster.sh stop DIR     stop that server (fast shutdown) and remove DIR
#
# initdb refuses to run as root, so as root the server runs as the `postgres` system user (the
# Debian package creates it) and DIR is handed to that user. Durability is off (fsync, full page
# writes): the cluster lives for one test run. The binaries are PostgreSQL 15's own
# (/usr/lib/postgresql/15/bin, not on PATH on Debian); PLAT_PG_BINDIR names another folder.
set -eu

BINDIR=${PLAT_PG_BINDIR:-/usr/lib/postgresql/15/bin}
MARK=plat-test-cluster     # written first by start; stop removes only a folder that has it

die() {
    echo "pg_cluster: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

# Run a PostgreSQL program as the user that owns the cluster, from inside DIR (the postgres user
# may not be allowed into the caller's working directory).
as_owner() {
    if [ -n "$OWNER" ]; then
        (cd "$DIR" && runuser -u "$OWNER" -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

psql() {
    "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -U postgres "$@" >/dev/null
}

# A server that started but cannot serve the tests is not left running.
stop_and_die() {
    as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    die "$@"
}

start() {
    mkdir -p "$DIR" || die "cannot create $DIR"
    DIR=$(cd "$DIR" && pwd -P)
    [ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty: give a new or empty folder"
    : >"$DIR/$MARK"      # from here on, `stop DIR` cleans up whatever start leaves behind
    for prog in initdb pg_ctl psql; do
        [ -x "$BINDIR/$prog" ] || die "$BINDIR/$prog not found: install postgresql-15 and postgresql-client-15 (scripts/setup.sh)"
    done
    # The socket is DIR/.s.PGSQL.5432, and a Unix socket path has at most 107 bytes; DIR goes
    # unquoted into the server's configuration and the connection URI.
    [ ${#DIR} -le 80 ] || die "$DIR is too long a path for the server's Unix socket (at most 80 bytes)"
    case $DIR in
        *[!A-Za-z0-9/._-]*) die "$DIR: use a folder whose path has only letters, digits and / . _ -" ;;
    esac
    if [ -n "$OWNER" ]; then
        chown "$OWNER" "$DIR" "$DIR/$MARK"
        runuser -u "$OWNER" -- test -w "$DIR" ||
            die "user $OWNER cannot write to $DIR: choose a folder it can reach (under /tmp, for instance)"
    fi

    log="$DIR/initdb.log"
    if ! as_owner "$BINDIR/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            --no-sync >"$log" 2>&1; then
        cat "$log" >&2
        die "initdb failed in $DIR/data"
    fi
    # No TCP at all: other tests and other users of the machine never see this server.
    cat >>"$DIR/data/postgresql.auto.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
EOF
    if ! as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null 2>&1; then
        tail -n 20 "$DIR/server.log" >&2 2>/dev/null || true
        die "the server in $DIR/data did not start (log: $DIR/server.log)"
    fi
    psql -d postgres -c "CREATE DATABASE plat" || stop_and_die "cannot create database plat in $DIR"
    psql -d plat -c "CREATE EXTENSION postgis" ||
        stop_and_die "cannot create extension postgis in $DIR: is postgresql-15-postgis-3 installed (scripts/setup.sh)?"
    echo "postgresql:///plat?host=$DIR&user=postgres"
}

stop() {
    [ -d "$DIR" ] || die "$DIR: no such folder"
    DIR=$(cd "$DIR" && pwd -P)
    [ -f "$DIR/$MARK" ] || die "$DIR was not made by $0 start: not removing it"
    if [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null ||
            die "the server in $DIR/data did not stop (log: $DIR/server.log)"
    fi
    rm -rf "$DIR"
}

[ $# -eq 2 ] || usage
DIR=$2
OWNER=""
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres system user (package postgresql-15)"
    OWNER=postgres
fi
case $1 in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
