#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 before the test suite runs. Start one that is
# installed but down; otherwise fail, saying how to start it. Never fall back to SQLite.
set -uo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

postgres_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null || \
  (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

wait_for() {  # wait_for NAME CHECK
  for _ in $(seq 1 30); do "$2" && return 0; sleep 1; done
  return 1
}

if ! postgres_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is down; starting it."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if ! wait_for postgres postgres_up; then
    echo "PostgreSQL is not running on $PGHOST:$PGPORT and could not be started." >&2
    echo "Start it (e.g. 'pg_ctlcluster <version> main start' or 'docker compose up -d postgres')," >&2
    echo "or point DATABASE_URL at a running server. The tests never fall back to SQLite." >&2
    exit 1
  fi
fi

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is down; starting it."
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  if ! wait_for redis redis_up; then
    echo "Redis is not running on 127.0.0.1:$REDIS_PORT and could not be started." >&2
    echo "Start it with 'redis-server --daemonize yes' (or 'docker compose up -d redis')." >&2
    exit 1
  fi
fi
echo "PostgreSQL and Redis are up."
