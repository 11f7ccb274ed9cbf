#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, then the npm
# packages. Safe to run again: it installs only what is missing.
#   - oathtool: an independent TOTP implementation the identity tests check against
#   - chromium: the headless browser of the web form tests
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v oathtool >/dev/null 2>&1 || missing+=(oathtool)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "setup-test: please install these Debian packages first: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-test: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
