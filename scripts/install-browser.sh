#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests (and its benchmark), driven by
# playwright-core: no browser download from the npm registry is possible or needed.
# A no-op when /usr/bin/chromium (or $TOTEWATCH_CHROMIUM) is there. Installs it as root with
# apt-get; otherwise says how, and the browser tests say the same when they cannot find it.
set -euo pipefail

chromium="${TOTEWATCH_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: Chromium is not installed ($chromium); the dashboard's browser tests need it:" >&2
  echo "setup:   sudo apt-get install -y chromium   (or set TOTEWATCH_CHROMIUM to a Chromium binary)" >&2
  exit 0
fi
log=$(mktemp "${TMPDIR:-/tmp}/totewatch-chromium.XXXXXX")
echo "Installing Chromium from Debian for the browser tests (about a minute)..."
if { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >"$log" 2>&1; then
  rm -f "$log"
  echo "Chromium installed."
else
  status=$?
  cat "$log" >&2
  echo "setup: installing Chromium failed (exit $status); its output is above and in $log" >&2
  exit "$status"
fi
