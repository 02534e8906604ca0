#!/usr/bin/env bash
# Local PostgreSQL for Cordon's tests, safe to re-run: installs Debian's server if
# missing, starts the 15/main cluster, makes sure role and database exist, and
# prints the connection string (the only thing on stdout, so callers can capture it).
set -euo pipefail

PG_VERSION=15        # the version Debian 12's "postgresql" package brings
PG_CLUSTER=main
PG_PORT=5432
ROLE=cordon PASSWORD=cordon DB=cordon_test

log() { echo "postgres-dev: $*" >&2; }
# dpkg -s alone also succeeds for removed packages whose config files remain.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# initdb/psql refuse or misbehave as root, so admin work runs as the postgres user.
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

if ! installed postgresql; then
  log "installing postgresql"
  # The lock timeout lets us queue behind another apt run instead of failing.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql >&2
fi

# Containers sometimes install the package without its default cluster.
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; then
  log "creating cluster $PG_VERSION/$PG_CLUSTER"
  as_root pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER" >&2
fi

# No systemd here, so start the cluster directly; "status" exits 0 only when running.
if ! as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
  log "starting cluster $PG_VERSION/$PG_CLUSTER"
  as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2
fi

for _ in $(seq 60); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$PG_PORT" >&2

# Superuser because the tests create and drop their own databases.
# ALTER after CREATE resets the password too, in case someone changed it by hand.
as_postgres psql -p "$PG_PORT" -q -v ON_ERROR_STOP=1 >&2 <<SQL
SELECT 'CREATE ROLE $ROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE $ROLE WITH LOGIN SUPERUSER PASSWORD '$PASSWORD';
SELECT 'CREATE DATABASE $DB OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
SQL

log "ready"
echo "Host=127.0.0.1;Port=$PG_PORT;Username=$ROLE;Password=$PASSWORD;Database=$DB"
