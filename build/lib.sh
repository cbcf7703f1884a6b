# shellcheck shell=bash
# Shell helpers shared by build/test and build/bench (source it, don't run it).

# A TCP port on 127.0.0.1 that nothing listens on right now.
mto_free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1)
            or die "no free port: $!\n";
        print $s->sockport, "\n";'
}

# A private PostgreSQL: initdb in DIR (created; its parent must be traversable
# by user postgres when run as root), listening on a free port on 127.0.0.1
# only, with an empty database "mto".  Sets MTO_PG_PORT, MTO_PG_BIN,
# MTO_PG_DATA, MTO_PG_LOG and MTO_PG_PARAMS (apr_dbd_pgsql parameters).  WHO prefixes
# messages.  Exits on failure; mto_pg_stop stops it (also half-started).
MTO_PG_DATA=
MTO_PG_AS=()
mto_pg_start() {
    local dir=$1 who=$2 v
    MTO_PG_BIN=
    for v in 15 $(ls /usr/lib/postgresql 2>/dev/null | sort -rn); do
        if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then MTO_PG_BIN=/usr/lib/postgresql/$v/bin; break; fi
    done
    [ -n "$MTO_PG_BIN" ] || { echo "$who: PostgreSQL server binaries not found (package postgresql)" >&2; exit 1; }

    MTO_PG_DATA=$dir/data
    local sock=$dir/sock
    mkdir -p "$MTO_PG_DATA" "$sock"
    if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses root.
        MTO_PG_AS=(runuser -u postgres --)
        chown postgres: "$dir" "$MTO_PG_DATA" "$sock"
    fi
    MTO_PG_PORT=$(mto_free_port)
    "${MTO_PG_AS[@]}" "$MTO_PG_BIN/initdb" -D "$MTO_PG_DATA" -U postgres --auth=trust \
        --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; echo "$who: initdb failed" >&2; exit 1; }
    # In postgresql.conf rather than on pg_ctl's command line, so that a plain
    # `pg_ctl start` (t/db_outage.t restarts it) brings back the same server.
    printf "%s\n" "listen_addresses = '127.0.0.1'" "port = $MTO_PG_PORT" \
        "unix_socket_directories = '$sock'" "fsync = off" >>"$MTO_PG_DATA/postgresql.conf"
    MTO_PG_LOG=$dir/postgres.log
    "${MTO_PG_AS[@]}" "$MTO_PG_BIN/pg_ctl" start -D "$MTO_PG_DATA" -w -t 60 -l "$MTO_PG_LOG" >/dev/null \
        || { cat "$MTO_PG_LOG" >&2; echo "$who: PostgreSQL did not start" >&2; exit 1; }
    psql -X -q -h 127.0.0.1 -p "$MTO_PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE mto' \
        || { echo "$who: CREATE DATABASE failed" >&2; exit 1; }
    MTO_PG_PARAMS="host=127.0.0.1 port=$MTO_PG_PORT user=postgres dbname=mto"
    echo "$who: PostgreSQL $("$MTO_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$MTO_PG_PORT" >&2
}

# Stops the PostgreSQL of mto_pg_start, if it runs (by its postmaster PID
# when pg_ctl cannot).
mto_pg_stop() {
    if [ -n "$MTO_PG_DATA" ] && [ -f "$MTO_PG_DATA/postmaster.pid" ]; then
        "${MTO_PG_AS[@]}" "$MTO_PG_BIN/pg_ctl" stop -D "$MTO_PG_DATA" -m fast -w -t 30 >/dev/null 2>&1 \
            || kill "$(head -n 1 "$MTO_PG_DATA/postmaster.pid")" 2>/dev/null
    fi
    MTO_PG_DATA=
    return 0
}

# A private MariaDB: mariadb-install-db in DIR/data (DIR created; its parent
# must be traversable by user mysql when run as root), mariadbd listening on
# a free port on 127.0.0.1 only and on DIR/sock, with an empty database
# "mto" and a user "mto" (password "mto-test") that owns it.  Sets
# MTO_MY_PORT, MTO_MY_DATA, MTO_MY_SOCK, MTO_MY_LOG, MTO_MY_PIDFILE, MTO_MY_CTL
# and MTO_MY_PARAMS (apr_dbd_mysql parameters).  WHO prefixes messages.  Exits
# on failure; mto_mysql_stop stops it (also half-started).
MTO_MY_PIDFILE=
mto_mysql_start() {
    local dir=$1 who=$2 as=() i
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] \
        || { echo "$who: mariadbd not found (package mariadb-server)" >&2; exit 1; }
    MTO_MY_DATA=$dir/data
    MTO_MY_SOCK=$dir/sock
    MTO_MY_LOG=$dir/mariadb.log
    mkdir -p "$MTO_MY_DATA"
    if [ "$(id -u)" -eq 0 ]; then
        as=(--user=mysql)
        chown mysql: "$dir" "$MTO_MY_DATA"
    fi
    # root@localhost without a password (unix_socket would need root's uid).
    mariadb-install-db --no-defaults --datadir="$MTO_MY_DATA" "${as[@]}" --skip-test-db \
        --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log" >&2; echo "$who: mariadb-install-db failed" >&2; exit 1; }
    MTO_MY_PORT=$(mto_free_port)
    MTO_MY_PIDFILE=$dir/mariadb.pid
    # DIR/ctl start|stop: the same server started again, or stopped by its
    # PID (t/db_outage.t restarts it through MTO_MY_CTL).  mariadbd starts
    # from a subshell, so that it is no job of the caller's (whose `wait`
    # would wait for it), and without the caller's output pipes.
    MTO_MY_CTL=$dir/ctl
    cat >"$MTO_MY_CTL" <<EOF
#!/bin/sh
# Written by build/lib.sh (mto_mysql_start): $dir/ctl start|stop
case \$1 in
start)
    (/usr/sbin/mariadbd --no-defaults --datadir="$MTO_MY_DATA" ${as[*]} \\
        --bind-address=127.0.0.1 --port="$MTO_MY_PORT" --socket="$MTO_MY_SOCK" \\
        --pid-file="$MTO_MY_PIDFILE" --log-error="$MTO_MY_LOG" --skip-log-bin \\
        --innodb-flush-log-at-trx-commit=0 --max-connections=500 </dev/null >/dev/null 2>&1 &)
    for i in \$(seq 1 150); do
        mariadb-admin --no-defaults -S "$MTO_MY_SOCK" -u root ping >/dev/null 2>&1 && exit 0
        sleep 0.2
    done
    exit 1 ;;
stop)
    pid=\$(cat "$MTO_MY_PIDFILE" 2>/dev/null) || exit 0
    kill "\$pid" 2>/dev/null || exit 0
    for i in \$(seq 1 150); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.2; done
    exit 1 ;;
esac
exit 2
EOF
    chmod 755 "$MTO_MY_CTL"
    "$MTO_MY_CTL" start || { cat "$MTO_MY_LOG" >&2; echo "$who: MariaDB did not start" >&2; exit 1; }
    mariadb --no-defaults -S "$MTO_MY_SOCK" -u root -e "CREATE DATABASE mto;
        CREATE USER 'mto'@'127.0.0.1' IDENTIFIED BY 'mto-test';
        GRANT ALL ON mto.* TO 'mto'@'127.0.0.1';" \
        || { echo "$who: creating the database failed" >&2; exit 1; }
    MTO_MY_PARAMS="host=127.0.0.1 port=$MTO_MY_PORT user=mto pass=mto-test dbname=mto"
    echo "$who: MariaDB $(mariadb --no-defaults -S "$MTO_MY_SOCK" -u root -N -e 'SELECT VERSION()') on 127.0.0.1:$MTO_MY_PORT" >&2
}

# Stops the MariaDB of mto_mysql_start, if it runs, by its PID.
mto_mysql_stop() {
    if [ -n "$MTO_MY_PIDFILE" ]; then
        "$MTO_MY_CTL" stop || true
    fi
    MTO_MY_PIDFILE=
    return 0
}

# mto_sync_sources DEST: the sources as git sees them (tracked, or untracked
# and not ignored, edits included) copied into DEST with their times, so
# that make there rebuilds what changed; files gone from the tree go from
# the copy too.  (build/tsan's copy; build/test keeps its own for now.)
mto_sync_sources() {
    local dest=$1 list=$1/.mto-sources f files=()
    while IFS= read -r -d '' f; do
        if [ -e "$f" ] || [ -L "$f" ]; then files+=("$f"); fi
    done < <(git ls-files -z --cached --others --exclude-standard)
    [ "${#files[@]}" -gt 0 ] || { echo "mto_sync_sources: git lists no source files" >&2; exit 1; }
    mkdir -p "$dest"
    if [ -f "$list" ]; then
        comm -z -23 <(sort -z "$list") <(printf '%s\0' "${files[@]}" | sort -z) \
            | (cd "$dest" && xargs -0 -r rm -f --)
    fi
    printf '%s\0' "${files[@]}" | tar --null -T - -cf - | tar -xf - -C "$dest"
    printf '%s\0' "${files[@]}" >"$list"
}

# mto_httpd_start HTTPD CONF PORT ERRLOG WHO: `HTTPD -f CONF -DFOREGROUND`
# in the background (checked with -t first), waited for until it listens on
# 127.0.0.1:PORT.  Sets MTO_HTTPD_PID; exits on failure, with the end of
# ERRLOG.  mto_httpd_stop stops it by that PID.  (build/soak; build/bench has
# its own copy for now.)
MTO_HTTPD_PID=
mto_httpd_start() {
    local httpd=$1 conf=$2 port=$3 errlog=$4 who=$5
    "$httpd" -t -f "$conf" >/dev/null 2>"$conf.test.log" \
        || { cat "$conf.test.log" >&2; echo "$who: httpd -t failed" >&2; exit 1; }
    "$httpd" -f "$conf" -DFOREGROUND &
    MTO_HTTPD_PID=$!
    for _ in $(seq 1 50); do
        if ! kill -0 "$MTO_HTTPD_PID" 2>/dev/null; then
            tail -n 20 "$errlog" >&2
            echo "$who: httpd exited at start" >&2
            exit 1
        fi
        perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new("127.0.0.1:$ARGV[0]")' "$port" && return 0
        sleep 0.2
    done
    echo "$who: httpd did not listen on 127.0.0.1:$port within 10 s" >&2
    exit 1
}

mto_httpd_stop() {
    [ -n "$MTO_HTTPD_PID" ] || return 0
    if kill -0 "$MTO_HTTPD_PID" 2>/dev/null; then
        kill -TERM "$MTO_HTTPD_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$MTO_HTTPD_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$MTO_HTTPD_PID" 2>/dev/null || true
    fi
    wait "$MTO_HTTPD_PID" 2>/dev/null || true
    MTO_HTTPD_PID=
    return 0
}
