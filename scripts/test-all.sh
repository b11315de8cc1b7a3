#!/usr/bin/env bash
# Every test, as CI runs it: system packages the tests need, build, typecheck, lint, then all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-packages.sh
bash scripts/build-if-stale.sh
npm run --silent typecheck
npm run --silent lint
bash scripts/run-tests.sh all
bash scripts/test-shifted-clock.sh
