#!/usr/bin/env bash
# Runs node:test over the test files of a suite. Node 20 neither finds .ts files nor expands globs
# itself (it then runs 0 tests and exits 0), so the shell expands them and an empty list is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

case "${1:-all}" in
  unit) files=(src/**/*.test.ts) ;;
  integration) files=(test/*.test.ts) ;;
  all) files=(src/**/*.test.ts test/*.test.ts) ;;
  *) echo "usage: $0 [unit|integration|all]" >&2; exit 2 ;;
esac
if [ ${#files[@]} -eq 0 ]; then
  echo "no test files found for suite '${1:-all}'" >&2
  exit 1
fi
# Two files at a time (Node's default on 2 cores is one): most of a file's time is spent waiting on
# the servers, Postfix and databases it starts, each on its own random port and directory.
exec node --import tsx --test --test-concurrency="${OUTGATE_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
