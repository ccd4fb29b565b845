#!/usr/bin/env bash
# Makes sure the programs the test suite needs are installed:
#   redis-server  the Redis store, multi-instance and outage tests start their
#                 own throwaway server with it;
#   chromium      the browser tests drive Debian's Chromium with playwright-core.
# Installs what is missing with apt-get when allowed (root or passwordless
# sudo); otherwise says what to do. Under CI a missing program is an error,
# never a reason to skip tests.
set -euo pipefail

declare -A PACKAGE_FOR=([redis-server]=redis-server [chromium]=chromium)
missing=()
for program in redis-server chromium; do
  command -v "$program" >/dev/null 2>&1 || missing+=("${PACKAGE_FOR[$program]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

fail_or_warn() {
  echo "$1" >&2
  echo "  Debian/Ubuntu: sudo apt-get install -y ${missing[*]}" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
}

SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    fail_or_warn "Missing for the tests: ${missing[*]}; installing needs root."
  fi
fi
command -v apt-get >/dev/null 2>&1 || fail_or_warn "Missing for the tests: ${missing[*]}; apt-get is not available, install them with your package manager."

echo "installing for the tests (apt-get): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq -o DPkg::Lock::Timeout=300
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"
for program in redis-server chromium; do
  command -v "$program" >/dev/null 2>&1 || { echo "$program is still missing after apt-get install" >&2; exit 1; }
done
