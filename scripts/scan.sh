#!/usr/bin/env bash
# Scans synthesized stacks with checkov (pinned, in .venv-scan), using .checkov.yaml.
# Usage: scripts/scan.sh install | scripts/scan.sh <folder with stacks> [checkov args…]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-scan"
# shellcheck source=scripts/venv-cache.sh
. "$root/scripts/venv-cache.sh"
cached_venv "$root/scripts/requirements-scan.txt" "$venv" scanner
[ "${1:-}" = install ] && exit 0
dir="${1:?usage: scripts/scan.sh <folder with stacks>}"
shift
# checkov (3.3) cannot parse a Terraform JSON file with `moved` blocks (the zone-keyed ids carry them) and would
# skip the whole stack: it scans a copy without them. They rename state entries and configure nothing.
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
cp -r "$dir/." "$copy/"
find "$copy" -name '*.tf.json' -exec "$venv/bin/python" -c 'import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    if d.pop("moved", None) is not None:
        json.dump(d, open(f, "w"))' {} +
# --skip-download: no calls to the vendor's platform; the scan uses only what the package ships.
"$venv/bin/checkov" --config-file "$root/.checkov.yaml" --skip-download -d "$copy" "$@"
