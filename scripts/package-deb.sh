#!/usr/bin/env bash
# Builds dist/outgate_VERSION_ARCH.deb with dpkg-deb: the built service and its production dependencies
# under /usr/lib/outgate, /usr/bin/outgate, /etc/outgate/outgate.json (a conffile), the systemd unit.
# Installing it needs no network: everything, the native SQLite module included, is in the package.
#
# Usage: [DEB_COMPRESS=gzip] scripts/package-deb.sh [--prebuilt]
#   (npm run package:deb; needs the dev dependencies.) --prebuilt packages dist/ and web/dist as they
#   are: the package test uses it, since rebuilding would pull dist/ from under tests running beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(node -p "require('./package.json').version")
arch=$(dpkg --print-architecture)
node_major=$(node -p 'process.versions.node.split(".")[0]')
# better-sqlite3 is compiled against this Node's ABI (NODE_MODULE_VERSION), so the package works with
# this major version only; the lower bound is package.json's engines (>=20.19).
node_min=$(node -p "require('./package.json').engines.node.replace(/^>=\\s*/, '')")
node_depends="nodejs (>= ${node_min}), nodejs (<< $((node_major + 1)))"

work=$(mktemp -d "${TMPDIR:-/tmp}/outgate-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
lib=$pkg/usr/lib/outgate

if [[ "${1:-}" != --prebuilt ]]; then
  echo "package-deb: building the service and the portal"
  npm run --silent build >/dev/null
fi
[[ -f dist/cli/main.js && -f web/dist/index.html ]] || { echo "package-deb: dist/ or web/dist is missing: npm run build" >&2; exit 1; }

echo "package-deb: production dependencies (npm ci --omit=dev)"
mkdir -p "$lib"
cp package.json package-lock.json "$lib/"
# --ignore-scripts: the root's prepare (a full build) needs the dev tools; the one native module is
# taken below from the tree the tests ran on.
(cd "$lib" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

# The native SQLite binding, as built for this Node by `npm ci` in the development tree.
sqlite_version=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
staged_version=$(node -p "require('$lib/node_modules/better-sqlite3/package.json').version")
if [[ "$sqlite_version" != "$staged_version" ]]; then
  echo "package-deb: node_modules has better-sqlite3 $sqlite_version, the lockfile $staged_version: run npm ci first" >&2
  exit 1
fi
install -D -m 0644 node_modules/better-sqlite3/build/Release/better_sqlite3.node \
  "$lib/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
# Its C sources and build helpers are not needed once compiled.
rm -rf "$lib/node_modules/better-sqlite3/deps" "$lib/node_modules/better-sqlite3/src"
(cd "$lib" && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()") || {
  echo "package-deb: the staged better-sqlite3 does not load on node $(node -v)" >&2
  exit 1
}

# Type declarations, source maps and READMEs are for developers; the package carries what runs.
find "$lib/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.md' \) -delete

cp -r bin "$lib/"
cp -r dist "$lib/"
find "$lib/dist" \( -name '*.deb' -o -name '*.map' \) -delete
mkdir -p "$lib/web"
cp -r web/dist "$lib/web/"

install -D -m 0755 packaging/deb/outgate "$pkg/usr/bin/outgate"
install -D -m 0640 packaging/deb/outgate.json "$pkg/etc/outgate/outgate.json"
install -D -m 0644 packaging/deb/outgate.service "$pkg/lib/systemd/system/outgate.service"
doc=$pkg/usr/share/doc/outgate
install -d "$doc"
cp README.md SECURITY.md docs/*.md "$doc/"
cp -r docs/postfix "$doc/"
printf 'Outgate\n\nLicense: MIT (package.json). Bundled node_modules carry their own licenses.\n' >"$doc/copyright"

mkdir -p "$pkg/DEBIAN"
cp packaging/deb/conffiles "$pkg/DEBIAN/"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$pkg/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@NODE_DEPENDS@/$node_depends/" \
  packaging/deb/control.in >"$pkg/DEBIAN/control"

mkdir -p dist
out=dist/outgate_${version}_${arch}.deb
# DEB_COMPRESS=gzip builds in seconds instead of half a minute (the package test uses it); xz is smaller.
dpkg-deb --root-owner-group "-Z${DEB_COMPRESS:-xz}" --build "$pkg" "$root/$out" >/dev/null
echo "package-deb: $out ($(du -h "$out" | cut -f1), ${size} KB installed; Depends: $node_depends)"
