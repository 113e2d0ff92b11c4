# Shared helpers for the CareSync scripts. Source it; do not run it.

log() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) for: $*" >&2; return 1; fi
}

APT_UPDATED=0
# Installs Debian packages that are missing; runs apt-get update once, only when needed.
apt_ensure() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What the server links and builds with (both README commands need these).
ensure_build_deps() {
  command -v swift >/dev/null || { echo "swift toolchain not found on PATH" >&2; return 1; }
  apt_ensure libsqlite3-dev ca-certificates libvips-tools libxml2 qrencode
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

PGBIN=""
find_pgbin() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]
}

# Starts a throwaway PostgreSQL cluster as the postgres user on a free loopback port.
# Sets PG_DIR, PG_PORT and PG_URL; stop it with pg_stop.
pg_start() {
  find_pgbin || { apt_ensure postgresql; find_pgbin; }
  id postgres >/dev/null 2>&1 || as_root useradd --system --home /var/lib/postgresql postgres
  PG_DIR=$(mktemp -d /tmp/caresync-pg.XXXXXX)
  PG_PORT=$(free_port)
  as_root chown postgres:postgres "$PG_DIR"
  as_root runuser -u postgres -- "$PGBIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  as_root runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
  as_root runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE caresync_test" >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/caresync_test?sslmode=disable"
  log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PG_PORT"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  as_root runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
