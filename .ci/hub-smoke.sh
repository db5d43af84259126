#!/usr/bin/env bash
# The README's run command as a user runs it, on the build `./mvnw verify` left: ./hub starts (embedded mode, a data
# directory of its own, a free port), answers the API, stops on SIGTERM and writes its start-up archive (an AOT cache on
# JDK 25 or later, AppCDS before); started again, it loads that archive and answers again. Fails on any ERROR or JVM
# warning in either log.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "hub-smoke: $*" >&2; [ -f "$work/hub.log" ] && tail -40 "$work/hub.log" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUB_DATA_DIR=$work/data QUARKUS_HTTP_PORT=$port
rm -f target/quarkus-app/hub.aot* target/quarkus-app/hub-cds.jsa*
echo "hub-smoke: $(./hub --archive-state)"

run() { # $1 = label; starts ./hub, waits for ready, checks an authenticated API call, stops it with SIGTERM
  ./hub > "$work/hub.log" 2>&1 &
  pid=$!
  ready=""
  for _ in $(seq 1 240); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" = 200 ] && ready=1 && break
    kill -0 "$pid" 2>/dev/null || fail "$1: the hub exited before it was ready"
    sleep 0.5
  done
  [ -n "$ready" ] || fail "$1: not ready within 120 s"
  token=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tenant-admin'])" "$HUB_DATA_DIR/tokens.json")
  code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/fulfillment/v1/cluster_templates")
  [ "$code" = 200 ] && grep -q '"items"' "$work/body" || fail "$1: GET cluster_templates answered $code"
  tr '\0' ' ' < "/proc/$pid/cmdline" > "$work/cmdline"
  kill -TERM "$pid"
  for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && fail "$1: still running 120 s after SIGTERM"
  wait "$pid" || true
  pid=""
  if grep -E ' ERROR |^WARNING|\[warning\]' "$work/hub.log"; then fail "$1: errors or JVM warnings in the log"; fi
  echo "hub-smoke: $1 ok"
}

run "first start (writes the archive)"
state=$(./hub --archive-state)
[[ $state == "used "* ]] || fail "no start-up archive after the first stop: $state"
run "second start (loads it)"
grep -qE -- '-XX:(AOTCache|SharedArchiveFile)=' "$work/cmdline" || fail "the second start did not load the archive"
echo "hub-smoke: passed ($state)"
