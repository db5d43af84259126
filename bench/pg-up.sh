#!/usr/bin/env bash
# The benchmarks' PostgreSQL: the machine's PostgreSQL 15 (as .ci/postgres-up.sh starts it), with its own fresh role
# and database hub_bench/hub_bench so a benchmark never touches the CI database. Installs pgbench when missing.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql/15/main ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
if ! command -v pgbench >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >/dev/null || true
fi
# started with no descriptor but stdin/out/err: a server that outlives this script must not keep a lock its caller
# held (`flock /work/bench.lock bench/run.sh` once left PostgreSQL holding the benchmarks' lock for good)
(
  for fd in /proc/$BASHPID/fd/*; do
    n=${fd##*/}
    if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null || true; fi
  done
  pg_ctlcluster 15 main start 2>/dev/null
) || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p 5432
as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -q $*"; }
as_postgres "-c \"DROP DATABASE IF EXISTS hub_bench WITH (FORCE)\""
# the role is kept when it exists: a database made by hand for a bench run (BENCH_PG_DB) may belong to it, and
# DROP ROLE would then fail and leave no hub_bench database behind
as_postgres "-c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hub_bench') THEN CREATE ROLE hub_bench; END IF; END\\\$\\\$\""
as_postgres "-c \"ALTER ROLE hub_bench LOGIN PASSWORD 'hub_bench'\""
as_postgres "-c \"CREATE DATABASE hub_bench OWNER hub_bench\""
echo "PostgreSQL ready: database hub_bench, role hub_bench"
