#!/usr/bin/env bash
# The local AWS emulator (moto server) in a project-local virtualenv, on loopback.
# Usage: scripts/emulator.sh install|start|stop|status|endpoint
#   FIXED_EGRESS_EMULATOR_PORT  port to use (default 4566; "auto" picks a free one)
#   FIXED_EGRESS_RUN_DIR        where the pid, port and log files live (default .run/)
#   FIXED_EGRESS_EMULATOR_NAT_ADDRESS_QUOTA  Elastic IPs per public NAT Gateway the emulator allows and reports (default 2, as AWS)
# moto keeps everything in memory: stopping it forgets every resource and the state bucket.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
run="${FIXED_EGRESS_RUN_DIR:-$root/.run}"
pidfile="$run/moto.pid"
portfile="$run/moto.port"
log="$run/moto.log"
mkdir -p "$run"
# shellcheck source=scripts/venv-cache.sh
. "$root/scripts/venv-cache.sh"

say() { printf 'emulator: %s\n' "$*" >&2; }

install() {
  cached_venv "$root/scripts/requirements.txt" "$venv" emulator
}

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid="$(cat "$pidfile")"
  # Only the process this script started: the pid must still be our moto_server.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q moto_server; then
    echo "$pid"; return 0
  fi
  return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/moto-api/" ; }

start() {
  if pid="$(running_pid)"; then say "already running (pid $pid) at http://127.0.0.1:$(cat "$portfile")"; return 0; fi
  install
  local port="${FIXED_EGRESS_EMULATOR_PORT:-4566}"
  [ "$port" = auto ] && port="$(free_port)"
  if answers "$port"; then
    say "port $port is taken by another process; stop it or set FIXED_EGRESS_EMULATOR_PORT"; exit 1
  fi
  # Managed policies exist only with this flag. moto_server.py patches one AWS behaviour in (see the file).
  MOTO_IAM_LOAD_MANAGED_POLICIES=true nohup "$venv/bin/python" "$root/scripts/moto_server.py" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  echo $! > "$pidfile"
  echo "$port" > "$portfile"
  for _ in $(seq 1 100); do
    if answers "$port"; then say "running (pid $(cat "$pidfile")) at http://127.0.0.1:$port"; return 0; fi
    if ! running_pid >/dev/null; then say "moto exited at start; its log:"; cat "$log" >&2; exit 1; fi
    sleep 0.2
  done
  say "moto did not answer on port $port within 20 s; see $log"; exit 1
}

stop() {
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    say "stopped (pid $pid); its resources are gone with it"
  else
    say "not running"
  fi
  rm -f "$pidfile" "$portfile"
}

status() {
  if pid="$(running_pid)"; then say "running (pid $pid) at http://127.0.0.1:$(cat "$portfile")"; else say "not running"; return 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  endpoint) running_pid >/dev/null && echo "http://127.0.0.1:$(cat "$portfile")" ;;
  *) echo "usage: scripts/emulator.sh install|start|stop|status|endpoint" >&2; exit 2 ;;
esac
