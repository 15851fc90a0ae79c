#!/usr/bin/env bash
# Print a SQLAlchemy URL of a PostgreSQL server the tests may use, starting one if needed:
# 1. $DOLBOM_TEST_POSTGRES_URL when it answers; 2. the machine's server on 127.0.0.1:5432
# (started with pg_ctlcluster when installed but stopped); 3. a private cluster under
# .pgdata/ on port 54329, made with initdb (as the postgres user when running as root).
set -euo pipefail
say() { echo "$*" >&2; }
answers() { pg_isready -q -h "$1" -p "$2" 2>/dev/null; }

if [[ -n "${DOLBOM_TEST_POSTGRES_URL:-}" ]]; then echo "$DOLBOM_TEST_POSTGRES_URL"; exit 0; fi
if ! command -v pg_isready >/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  say "installing PostgreSQL (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2; }
fi
if answers 127.0.0.1 5432; then echo "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"; exit 0; fi
if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]] && [[ $(id -u) == 0 ]]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 20); do answers 127.0.0.1 5432 && break; sleep 0.5; done
  if answers 127.0.0.1 5432; then echo "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"; exit 0; fi
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n "$bindir" ]] || { say "no PostgreSQL found; install the postgresql package"; exit 1; }
data="$PWD/.pgdata"; port=54329
run_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ ! -f "$data/PG_VERSION" ]]; then
  mkdir -p "$data"; [[ $(id -u) == 0 ]] && chown postgres "$data"
  run_pg "$bindir/initdb" -D "$data" -A trust -U postgres >&2
fi
if ! answers 127.0.0.1 $port; then
  run_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
