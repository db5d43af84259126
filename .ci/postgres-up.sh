#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 (installs it when missing) and creates a fresh role and database for the suite.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql/15/main ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -q $*"; }
as_postgres "-c \"DROP DATABASE IF EXISTS hub_ci WITH (FORCE)\""
as_postgres "-c \"DROP ROLE IF EXISTS hub_ci\""
as_postgres "-c \"CREATE ROLE hub_ci LOGIN PASSWORD 'hub_ci'\""
as_postgres "-c \"CREATE DATABASE hub_ci OWNER hub_ci\""
echo "PostgreSQL ready: database hub_ci, role hub_ci"
