#!/usr/bin/env bash
# Checks the machine's tools and installs the missing Debian packages (as root).
#   scripts/system-deps.sh          what the main job needs
#   scripts/system-deps.sh --test   plus what the tests and the benchmark need
# Terraform itself cannot come from Debian: without it this stops with a clear message.
set -euo pipefail

need=()
command -v curl >/dev/null || need+=(curl)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ "${1:-}" = --test ]; then
  # PostgreSQL 15 server binaries for the probe's tests.
  if ! command -v initdb >/dev/null && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then need+=(postgresql-15); fi
  command -v ip >/dev/null || need+=(iproute2)
  command -v openssl >/dev/null || need+=(openssl)
  # The egress proof: NAT in a network namespace, and a MySQL-compatible server.
  command -v nft >/dev/null || need+=(nftables)
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
  [ -x /usr/bin/time ] || need+=(time)   # the benchmark's peak-RSS figures
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "system-deps: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v terraform >/dev/null; then
  echo "terraform is not on PATH; install Terraform 1.11 (https://developer.hashicorp.com/terraform/install) and run again" >&2
  exit 1
fi
