#!/usr/bin/env bash
# Scans synthesized stacks with checkov (pinned, in .venv-scan), using .checkov.yaml.
# Usage: scripts/scan.sh install | scripts/scan.sh <folder with stacks> [checkov args…]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-scan"
want="$(sed -n 's/^checkov==//p' "$root/scripts/requirements-scan.txt")"
have="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  echo "scan: installing checkov $want into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$root/scripts/requirements-scan.txt" 2> >(grep -v "is ignored: it is neither" >&2)
fi
[ "${1:-}" = install ] && exit 0
dir="${1:?usage: scripts/scan.sh <folder with stacks>}"
shift
# --skip-download: no calls to the vendor's platform; the scan uses only what the package ships.
exec "$venv/bin/checkov" --config-file "$root/.checkov.yaml" --skip-download -d "$dir" "$@"
