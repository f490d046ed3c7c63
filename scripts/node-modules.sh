#!/usr/bin/env bash
# The project's node_modules: `npm ci` once per user per lockfile (its content and the Node.js that runs it,
# hashed), kept in the user's fixed-egress cache; a checkout gets a hard-linked copy of it (seconds, no space
# taken twice; npm ci replaces files, it never writes into them). A changed lockfile installs anew.
# The workspace packages are relative links, so the copy points at its own checkout's constructs/ and guard/.
# Usage: scripts/node-modules.sh [project dir]   (make's install stamp runs it)
set -euo pipefail
project="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/fixed-egress/node-modules"
key="$( { cat "$project/package-lock.json"; node --version; } | sha256sum | cut -c1-16)"
dir="$cache/$key"
if [ ! -f "$dir/.complete" ]; then
  (cd "$project" && npm ci --no-audit --no-fund --loglevel=error)
  mkdir -p "$cache"
  aside="$(mktemp -d "$cache/.install-XXXXXX")"
  cp -al "$project/node_modules" "$aside/node_modules"
  touch "$aside/.complete"
  mv -T "$aside" "$dir" 2>/dev/null || rm -rf "$aside" # another install put it in place first
  exit 0
fi
echo "node_modules: from the cache ($dir)" >&2
rm -rf "$project/node_modules"
cp -al "$dir/node_modules" "$project/node_modules"
