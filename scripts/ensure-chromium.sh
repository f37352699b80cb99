#!/bin/sh
# The browser suites run in Debian's Chromium (never a downloaded browser build). Installs it when
# it is missing and we are root (a fresh machine, CI); otherwise says how.
set -eu
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium from Debian for the browser suites"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser suites need Chromium at $chromium: run 'sudo apt-get install -y chromium', or set CHROMIUM_PATH." >&2
exit 1
