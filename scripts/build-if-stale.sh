#!/usr/bin/env bash
# Builds unless the build is newer than every input: `npm ci` already built (the prepare script), and
# building twice costs CI a minute or more. A change to any source, config or the lock file rebuilds.
# It is the prepare script too: the first `npx outgate` in a clone links the checkout into npm's npx
# cache and runs prepare there, which rebuilt everything (~30 s, and a cache left broken if interrupted).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp
inputs=(src web/src web/public web/index.html web/vite.config.ts web/tsconfig.json tsconfig.json tsconfig.build.json package.json package-lock.json)
if [[ -f $stamp && -d web/dist && -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
  echo "build: up to date (dist/.build-stamp is newer than every source)"
else
  npm run --silent build
fi
