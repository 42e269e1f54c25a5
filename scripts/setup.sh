#!/usr/bin/env bash
# Installs everything Totewatch needs on a machine that has only Node and npm:
# pnpm 12.4.2, the workspace dependencies (better-sqlite3 compiles from
# source when no prebuilt binary can be fetched) and the generated Prisma client.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  # corepack cannot verify signatures on some machines; npm can install pnpm.
  npm install -g pnpm@12.4.2
fi

# node-gyp under pnpm ignores ~/.npmrc's nodedir and would download Node's
# headers; point it at the headers installed with this Node when present.
node_prefix=$(node -p "require('node:path').resolve(process.execPath, '..', '..')")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

# Most of what the install prints is better-sqlite3's node-gyp build when it compiles from
# source: kept in a log, shown (with the log's path) only when the install fails.
log=$(mktemp "${TMPDIR:-/tmp}/totewatch-setup.XXXXXX")
echo "Installing dependencies (better-sqlite3 may compile from source: a few minutes)..."
if pnpm install --frozen-lockfile >"$log" 2>&1; then
  rm -f "$log"
  echo "Dependencies installed."
else
  status=$?
  cat "$log" >&2
  echo "setup: pnpm install failed (exit $status); its output is above and in $log" >&2
  exit "$status"
fi

bash scripts/install-browser.sh
