#!/usr/bin/env bash
# The tests' shared providers: one AWS provider process per stack folder, which every Terraform command in that
# folder attaches to (TF_REATTACH_PROVIDERS, the way terraform-plugin-testing runs a provider under test) instead
# of starting the 700 MB provider two or three times per command. Prints the TF_REATTACH_PROVIDERS value for the
# folder, starting its provider when it has none running.
#
# scripts/tf-env.sh calls it when FIXED_EGRESS_SHARED_PROVIDERS names a folder (the registry: one slot per stack
# folder with the provider's pid, its reattach value and its log); scripts/jest-cpu-environment.js sets it for the
# suites that ask for it, and stops their providers when the suite ends. A provider also stops by itself within
# 2 s once its slot is removed or the process named by FIXED_EGRESS_SHARED_PROVIDERS_OWNER (the jest worker) is
# gone, so none outlives the tests.
#
# The provider runs in the stack folder (relative paths of the provider block resolve as they do for a provider
# Terraform starts), with the environment of the first command there, except:
# - AWS_CA_BUNDLE: provider 5.100 refuses a second configuration in one process when it is set ("unable to add
#   custom RootCAs HTTPClient"); the emulator is plain HTTP, so no CA bundle is used;
# - GOGC=200 without GOMEMLIMIT: a process that lives for a whole suite collects its garbage. Over four plans, each
#   with its `show -json`, in one folder it spent 5.4 CPU-s and kept 458 MB resident; under tf-env.sh's GOGC=off with
#   GOMEMLIMIT=1GiB, 5.1 CPU-s and 1.18 GB.
# Usage: scripts/shared-provider.sh <registry> <stack folder> <provider binary>
set -euo pipefail
registry="$1"
dir="$2"
bin="$3"
owner="${FIXED_EGRESS_SHARED_PROVIDERS_OWNER:-}"
if [ -z "$owner" ]; then
  echo "shared-provider.sh: FIXED_EGRESS_SHARED_PROVIDERS_OWNER (the pid whose end stops the providers) is not set" >&2
  exit 2
fi
slot="$registry/$(printf '%s' "$dir" | sha256sum | cut -c1-16)"
mkdir -p "$slot"
exec 9> "$slot/lock"
flock 9 # one start per folder: concurrent commands there wait for it, then attach
if [ -s "$slot/reattach" ] && kill -0 "$(cat "$slot/pid")" 2> /dev/null; then
  cat "$slot/reattach"
  exit 0
fi
rm -f "$slot/reattach" "$slot/pid" "$slot/log"
# setsid: the provider is not in the process group of the command that started it, so a signal to that command
# (a test interrupting Terraform) does not reach a provider other commands share.
(
  cd "$dir"
  exec env -u AWS_CA_BUNDLE -u GOMEMLIMIT GOGC=200 setsid bash -c '
    "$1" -debug > "$2/log" 2>&1 &
    provider=$!
    echo "$provider" > "$2/pid"
    while kill -0 "$provider" 2> /dev/null && [ -d "$2" ] && kill -0 "$3" 2> /dev/null; do sleep 2; done
    kill "$provider" 2> /dev/null' shared-provider "$bin" "$slot" "$owner" < /dev/null > /dev/null 2>&1 9>&- &
)
for _ in $(seq 1 300); do
  if line="$(grep -o "TF_REATTACH_PROVIDERS='[^']*'" "$slot/log" 2> /dev/null)"; then
    line="${line#TF_REATTACH_PROVIDERS=\'}"
    printf '%s' "${line%\'}" > "$slot/reattach"
    cat "$slot/reattach"
    exit 0
  fi
  sleep 0.1
done
echo "shared-provider.sh: the provider for $dir did not start within 30 s; its log: $(cat "$slot/log" 2> /dev/null)" >&2
exit 2
