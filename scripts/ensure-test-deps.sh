#!/usr/bin/env bash
# Makes sure the programs the test suite needs are installed: redis-server
# (the Redis store, multi-instance and outage tests start their own throwaway
# server). Installs it with apt-get when missing and allowed (root or
# passwordless sudo); otherwise says what to do. Under CI a missing
# redis-server is an error, never a reason to skip tests.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "redis-server is not installed, and installing it needs root." >&2
    echo "  Debian/Ubuntu: sudo apt-get install -y redis-server    macOS: brew install redis" >&2
    echo "  The Redis tests start their own server with it; they fail without it." >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
    exit 0
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is not installed and apt-get is not available: install Redis 6.2 or later with your package manager." >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
fi

echo "installing redis-server for the tests (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq -o DPkg::Lock::Timeout=120
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 redis-server
command -v redis-server >/dev/null 2>&1 || { echo "redis-server is still missing after apt-get install" >&2; exit 1; }
