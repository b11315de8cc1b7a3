#!/usr/bin/env bash
# Installs the Debian packages the integration tests need (Postfix harness, Chromium for the portal), only if any is missing (idempotent).
#
# Usage (as root): scripts/ensure-packages.sh [--check]
#   --check   only report missing packages; exit 1 if any is missing, install nothing.
set -euo pipefail

PACKAGES=(
  postfix            # the real MTA the harness runs privately
  swaks              # SMTP client with AUTH, used to read exact server replies
  miltertest         # the OpenDKIM project's milter test driver (Lua scripts): protocol edge cases of the milter
  rspamd             # outbound spam verdicts (rspamd.url): a throwaway instance per test, no system service
  sasl2-bin          # saslpasswd2: creates the Cyrus sasldb behind SMTP AUTH
  libsasl2-modules   # PLAIN and LOGIN mechanisms
  libsasl2-modules-db # the sasldb auxprop plugin
  postfwd            # reference policy servers for comparisons and benchmarks
  policyd-rate-limit
  perl               # swaks is a Perl script
  chromium           # the browser the portal tests drive (playwright-core never downloads one)
  fonts-liberation   # text metrics for the portal's screenshots
  postgresql         # throwaway PostgreSQL instances for the scale-out backend's tests (initdb on a random port)
  redis-server       # throwaway Redis instances (and a 3-shard cluster) for the counters' tests
  faketime           # moves the clock for scripts/test-shifted-clock.sh (no test may depend on the date)
  systemd            # systemd-analyze verify for the package's unit (test/package.test.ts)
  adduser            # the package's postinst/postrm create and remove the outgate user
)

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ensure-packages: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "ensure-packages: missing: ${missing[*]}"
[[ "${1:-}" == "--check" ]] && exit 1

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-packages: must run as root to install" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# "No configuration": no /etc/postfix/main.cf, so no system Postfix competes with the private test instances.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

# Keep maintainer scripts from starting daemons: postfwd's default port is 127.0.0.1:10040, the same
# port Outgate uses, and a system service there would silently answer the tests' policy queries.
POLICY_RC=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY_RC ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
  chmod 755 "$POLICY_RC"
  trap 'rm -f "$POLICY_RC"' EXIT
fi

apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

for pkg in "${missing[@]}"; do
  installed "$pkg" || { echo "ensure-packages: $pkg still not installed" >&2; exit 1; }
done
echo "ensure-packages: installed ${missing[*]}"
