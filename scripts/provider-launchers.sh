#!/usr/bin/env bash
# The tests' provider mirror: for each provider of a filesystem mirror, at the same path, a launcher (a
# two-line script that execs that provider binary) instead of the binary. Prints the launcher mirror's path,
# built once per mirror content in .run/provider-launchers/<key> (the key hashes each provider's path, size
# and time, so a provider added or replaced gets a new one).
# Why: Terraform checks the provider package against the lock file's checksum at every command, which means
# hashing the 700 MB AWS provider each time (0.49 CPU-s of a `terraform show -json`; npm run bench).
# Through a launcher it hashes a few bytes, and the same binary runs. scripts/tf-env.sh uses it when
# FIXED_EGRESS_PROVIDER_LAUNCHERS=1, which jest.config.js sets for the tests; the jobs and make demo never do.
# Usage: scripts/provider-launchers.sh <mirror folder>
set -euo pipefail
mirror="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Providers of the unpacked layout: HOSTNAME/NAMESPACE/TYPE/VERSION/TARGET/terraform-provider-TYPE_…
listing="$(cd "$mirror" && find . -mindepth 6 -maxdepth 6 -path './*/*/*/*/*/terraform-provider-*' -type f -perm -u+x -printf '%p %s %T@\n' | sort)"
if [ -z "$listing" ]; then echo "$mirror"; exit 0; fi
key="$(printf '%s\n%s\n' "$mirror" "$listing" | sha256sum | cut -c1-16)"
out="$root/.run/provider-launchers/$key"
if [ ! -f "$out/.complete" ]; then
  mkdir -p "$root/.run/provider-launchers"
  tmp="$(mktemp -d "$root/.run/provider-launchers/.building.XXXXXX")"
  while read -r rel _; do
    target="$mirror/${rel#./}"
    mkdir -p "$tmp/$(dirname "$rel")"
    printf '#!/bin/sh\n# Written by scripts/provider-launchers.sh: the provider of the mirror, run as it is.\nexec '\''%s'\'' "$@"\n' "${target//\'/\'\\\'\'}" > "$tmp/$rel"
    chmod 755 "$tmp/$rel"
  done <<< "$listing"
  touch "$tmp/.complete"
  # Built aside and renamed into place; when another process got there first, its copy stays.
  mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp"
fi
echo "$out"
