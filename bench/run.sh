#!/usr/bin/env bash
# Benchmarks of the Fulfillment Hub (issue 7): builds the hub if needed, starts PostgreSQL, runs the scenarios with a
# fresh hub each (S1 starts its hub a second time: a restart), prints a table and writes bench/results/latest.json. Stops everything it started, even on failure.
#
#   bench/run.sh [--duration 20s] [--warmup 5s] [--scenarios S1,S2,S3,S4,S5,S6]
#
# The hub is started as the README starts it (./hub: its JVM options and AppCDS archive; HUB_JAVA_OPTS replaces them).
# Environment (all optional): BENCH_HUB_JAVA_OPTS (JVM options added to ./hub's; {dir} = the scenario's folder),
# BENCH_CONCURRENCY (32), BENCH_FINDMAX_P99_MS (50), BENCH_FINDMAX_ERROR_PCT (0.5), BENCH_S3_RATE (2),
# BENCH_S5_EVENT_RATE (100), BENCH_S6_CLUSTERS (10000), BENCH_S6_HOSTS (100000), BENCH_S6_RATE (20),
# BENCH_S2_EVENT_TYPE (order.paid; order.renewed isolates the edge from the order pipeline), BENCH_SKIP_BUILD=1, BENCH_SKIP_PG=1 (PostgreSQL already up with role/database hub_bench), BENCH_PG_* (host, port,
# db, user, password). Extra hub environment: bench/hub.env.
set -euo pipefail
cd "$(dirname "$0")/.."

for a in "$@"; do
  case "$a" in
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
done

jar=target/quarkus-app/quarkus-run.jar
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]; then
    echo "[bench] building the hub (./mvnw -B -q -DskipTests package)"
    ./mvnw -B -q -DskipTests package
  fi
fi
if [ "${BENCH_SKIP_PG:-0}" != 1 ]; then
  bash bench/pg-up.sh
fi

mkdir -p bench/results/run
bench_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill "$bench_pid" 2>/dev/null || true   # its shutdown hook stops the hubs it started
    for _ in $(seq 1 30); do kill -0 "$bench_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$bench_pid" 2>/dev/null || true
  fi
  # whatever hub the orchestrator could not stop (killed with -9...): only the pids it recorded, only if still a hub
  if [ -f bench/results/run/pids ]; then
    while read -r pid; do
      [ -n "$pid" ] || continue
      if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "quarkus-run.jar"; then
        kill "$pid" 2>/dev/null || true
        sleep 2
        kill -9 "$pid" 2>/dev/null || true
      fi
    done < bench/results/run/pids
  fi
  exit $rc
}
trap cleanup EXIT INT TERM

# a common pool of two threads: the orchestrator's own JDK HttpClient (probes, S3's orders) hands every answer to the
# common pool, which on a machine of 2 CPUs or fewer would otherwise start a thread per task
java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 bench/Bench.java "$@" &
bench_pid=$!
wait "$bench_pid"
