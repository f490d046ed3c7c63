# Sourced by scripts/emulator.sh and scripts/scan.sh: a Python virtualenv built once per user per requirements
# file (its content and the Python that runs it, hashed), kept in the user's fixed-egress cache and linked into
# the checkout; a changed requirements file builds a new one. A clean clone then installs nothing it has built
# before (a virtualenv records its own path, so it lives at one place and the checkout links to it).
#   cached_venv <requirements file> <link in the checkout> <name>
cached_venv() {
  local requirements="$1" link="$2" name="$3" cache hash dir
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/fixed-egress/venvs"
  hash="$( { cat "$requirements"; python3 --version; } | sha256sum | cut -c1-16)"
  dir="$cache/$name-$hash"
  if [ ! -f "$dir/.complete" ]; then
    mkdir -p "$cache"
    # Built at its final path (a virtualenv cannot move): under a lock, so two installs never race; a build
    # cut short has no .complete and is built again.
    (
      flock 9
      if [ ! -f "$dir/.complete" ]; then
        printf '%s: building its virtualenv (%s) in %s\n' "$name" "$(basename "$requirements")" "$dir" >&2
        rm -rf "$dir"
        if python3 -m pip --version > /dev/null 2>&1; then
          # The Python's own pip installs into a virtualenv made without one (its ensurepip is the slow part).
          python3 -m venv --without-pip "$dir"
          python3 -m pip --python "$dir/bin/python" install -q --disable-pip-version-check -r "$requirements" 2> >(grep -v "is ignored: it is neither" >&2)
        else
          python3 -m venv "$dir"
          "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" 2> >(grep -v "is ignored: it is neither" >&2)
        fi
        touch "$dir/.complete"
      fi
    ) 9> "$cache/.$name.lock"
  fi
  if [ "$(readlink "$link" 2>/dev/null)" != "$dir" ]; then
    rm -rf "$link"
    ln -s "$dir" "$link"
  fi
}
