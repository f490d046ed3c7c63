#!/usr/bin/env bash
# Runs a command with the project's Terraform settings:
# - a CLI config of the project's own (.run/terraformrc) that installs hashicorp providers from a
#   filesystem mirror when one is found (FIXED_EGRESS_PROVIDER_MIRROR names it, else known places),
#   and from the registry otherwise;
# - with FIXED_EGRESS_PROVIDER_LAUNCHERS=1 (the tests set it in jest.config.js), the mirror's providers through
#   launchers of the same binaries (scripts/provider-launchers.sh: Terraform then hashes a few bytes, not 700 MB,
#   at every command), with a CLI config of their own so a deploy beside the tests keeps the real mirror;
# - with FIXED_EGRESS_SHARED_PROVIDERS naming a folder (the test environment does, for the suites that ask), a
#   command that runs the AWS provider attaches to its stack folder's shared provider (scripts/shared-provider.sh);
# - CHECKPOINT_DISABLE=1 (no version check calls);
# - Go's garbage collector held back until a process holds 1 GiB (GOGC=off with GOMEMLIMIT, unless you set
#   either): Terraform and the 700 MB AWS provider allocate heavily while they load the provider's schema, which
#   every Terraform command does; this spends about a quarter less CPU per command (npm run bench).
# Usage: scripts/tf-env.sh <command> [args…]     e.g. scripts/tf-env.sh terraform version
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/.run"

find_mirror() {
  if [ -n "${FIXED_EGRESS_PROVIDER_MIRROR:-}" ]; then
    if [ -d "$FIXED_EGRESS_PROVIDER_MIRROR/registry.terraform.io" ]; then echo "$FIXED_EGRESS_PROVIDER_MIRROR"; return; fi
    echo "FIXED_EGRESS_PROVIDER_MIRROR=$FIXED_EGRESS_PROVIDER_MIRROR has no registry.terraform.io folder; unset it or point it at a provider mirror" >&2
    exit 2
  fi
  local d
  for d in /opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins /usr/local/share/terraform/plugins; do
    if [ -d "$d/registry.terraform.io/hashicorp/aws" ]; then echo "$d"; return; fi
  done
}

mirror="$(find_mirror)"
binaries="$mirror" # the mirror itself, whose providers the launchers (if any) run
rc="$root/.run/terraformrc"
if [ -n "$mirror" ] && [ "${FIXED_EGRESS_PROVIDER_LAUNCHERS:-}" = 1 ]; then
  mirror="$("$root/scripts/provider-launchers.sh" "$mirror")"
  rc="$root/.run/terraformrc-launchers"
fi
if [ -n "$mirror" ]; then
  cat > "$rc.$$" <<RC
# Written by scripts/tf-env.sh: hashicorp providers from the local mirror, anything else from the registry.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
else
  printf "# Written by scripts/tf-env.sh: no provider mirror found, providers come from the registry.\n" > "$rc.$$"
fi
# A file of this process then an atomic rename: concurrent runs never see a half-written config.
mv "$rc.$$" "$rc"

export TF_CLI_CONFIG_FILE="$rc"
export CHECKPOINT_DISABLE=1
if [ -z "${GOGC:-}" ] && [ -z "${GOMEMLIMIT:-}" ]; then export GOGC=off GOMEMLIMIT=1GiB; fi
export TF_IN_AUTOMATION="${TF_IN_AUTOMATION:-1}"
export PATH="$root/node_modules/.bin:$PATH"
# The tests' shared providers (scripts/shared-provider.sh): a Terraform command that runs the provider attaches to
# its folder's, when the mirror holds exactly one AWS provider (else the command starts its own, as always).
if [ "${FIXED_EGRESS_SHARED_PROVIDERS:-0}" != 0 ] && [ "${1:-}" = terraform ] && [ -n "$binaries" ]; then
  dir="$PWD"
  sub=""
  for a in "${@:2}"; do case "$a" in -chdir=*) dir="${a#-chdir=}" ;; -*) ;; *) sub="$a"; break ;; esac; done
  case "$sub" in
    plan | apply | destroy | show | refresh | import | validate | console)
      mapfile -t aws < <(find "$binaries/registry.terraform.io/hashicorp/aws" -type f -name 'terraform-provider-aws_*' 2> /dev/null)
      # A folder that does not exist is Terraform's to report.
      if [ "${#aws[@]}" = 1 ] && [ -d "$dir" ]; then
        TF_REATTACH_PROVIDERS="$("$root/scripts/shared-provider.sh" "$FIXED_EGRESS_SHARED_PROVIDERS" "$(cd "$dir" && pwd)" "${aws[0]}")"
        export TF_REATTACH_PROVIDERS
      fi
      ;;
  esac
fi
exec "$@"
