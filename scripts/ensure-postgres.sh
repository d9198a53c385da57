#!/bin/sh
# Makes sure the local PostgreSQL (Debian cluster "main") is running for the PostgreSQL tests.
# Never fails: without PostgreSQL the tests skip and say why. Exits 0 in every case; prints what it found.
#
# CI on a machine that has PostgreSQL should also set POSTHORN_TEST_POSTGRES=required, so that a server that
# does not come up fails the tests instead of skipping them.

HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}

ready() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT"
}

if ready; then
  echo "ensure-postgres: PostgreSQL is accepting connections on $HOST:$PORT"
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
  echo "ensure-postgres: PostgreSQL is not installed here; the PostgreSQL tests will be skipped"
  exit 0
fi

for version in $(ls /etc/postgresql 2>/dev/null); do
  [ -d "/etc/postgresql/$version/main" ] || continue
  echo "ensure-postgres: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 | sed 's/^/ensure-postgres:   /'
done

# Wait up to 30 s for the server to accept connections.
i=0
while [ $i -lt 30 ]; do
  if ready; then
    echo "ensure-postgres: PostgreSQL is accepting connections on $HOST:$PORT"
    exit 0
  fi
  i=$((i + 1))
  sleep 1
done

echo "ensure-postgres: PostgreSQL did not come up on $HOST:$PORT; the PostgreSQL tests will be skipped"
exit 0
