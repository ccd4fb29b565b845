#!/usr/bin/env bash
# Installs the independent SAML implementations the interop suite (test/interop/) runs against, from Debian's
# packages, when any of them is missing: Shibboleth SP 3 (apache2 + mod_shib), SimpleSAMLphp 1.19 with the PHP
# extensions it needs, pysaml2 and xmlsec1. Needs root (or passwordless sudo) and the Debian package mirror.
# Nothing is started or configured here: the suite configures every peer under a temporary folder itself.
set -euo pipefail

PKGS=(
  apache2 libapache2-mod-shib shibboleth-sp-utils libapache2-mod-php
  # php-xml is not pulled in by simplesamlphp (--no-install-recommends): without it every page fails
  simplesamlphp php-cli php-xml php-mbstring php-curl php-intl
  xmlsec1 python3-pysaml2
  openssl
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "interop peers: all Debian packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "interop peers: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo -n)
fi
echo "interop peers: installing ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)
if ! { "${SUDO[@]}" apt-get update -q -o DPkg::Lock::Timeout=120 &&
       "${SUDO[@]}" apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "interop peers: apt-get failed" >&2
  exit 1
fi
echo "interop peers: installed in $(( $(date +%s) - started )) s"
