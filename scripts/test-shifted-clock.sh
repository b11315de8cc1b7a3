#!/usr/bin/env bash
# Runs tests with the machine's clock moved by libfaketime, to prove no test depends on today's date:
# once a year ahead, and once from 23:58 UTC so the run crosses midnight. Every process a test starts
# (Outgate's server, its CLI, swaks) sees the moved clock; time inside Outgate still comes from the
# test's own clock (OUTGATE_TEST_NOW), which is the point.
#
# Usage: scripts/test-shifted-clock.sh [test files...]   (default: the files that deal in days)
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

command -v faketime >/dev/null || { echo "test-shifted-clock: faketime is missing (scripts/ensure-packages.sh installs it)" >&2; exit 1; }

if [ $# -gt 0 ]; then
  files=("$@")
else
  # The unit tests, but not the PostgreSQL backend's own (they run on fixed clocks and deal in no days). The
  # Redis servers the Redis tests start keep real time (test/support/redis.ts), as on another host.
  files=()
  for f in src/**/*.test.ts; do
    case "$f" in src/adapters/store/postgres/* | src/adapters/store/shared.*) ;; *) files+=("$f") ;; esac
  done
  files+=(test/policy-server.test.ts test/audit-log.test.ts test/alerts.test.ts test/alert-engine.test.ts
    test/cli.test.ts test/cli-remote.test.ts test/http-api.test.ts test/http-sending.test.ts test/postfix.test.ts)
fi

run() {
  echo "test-shifted-clock: $1"
  shift
  # -m: the multi-threaded libfaketime (Node runs threads). Spawned processes share the moved clock, except
  # the database servers a test starts for itself (they keep real time, as they would on another host).
  TZ=UTC FAKETIME_SKIP_CMDS=redis-server,redis-cli,postgres,initdb,pg_ctl faketime -m "$@" node --import tsx --test --test-concurrency="${OUTGATE_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
}

run "a year ahead" -f '+400d'
run "from 23:58 UTC into the next day" "$(date -u +%F) 23:58:00"
