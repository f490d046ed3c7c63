#!/usr/bin/env bash
# The action's first step: compile the guard from the action's own checkout (it depends on nothing at run time).
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
npm install --no-audit --no-fund --no-save --loglevel=error
npx --no-install tsc -p tsconfig.json
