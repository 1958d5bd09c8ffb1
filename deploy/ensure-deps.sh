#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh Debian/Ubuntu machine
# with Node 20+: npm packages (npm ci when node_modules is missing or older than
# package-lock.json) and nats-server from the distribution (apt-get, as root;
# otherwise prints the command to run and stops).
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Muster needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

apt_install() {
  local pkgs=("$@")
  if [ "$(id -u)" -eq 0 ]; then
    echo "==> apt-get install ${pkgs[*]}"
    if [ -z "${MUSTER_APT_UPDATED:-}" ]; then apt-get update -qq; export MUSTER_APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  else
    echo "missing: ${pkgs[*]}. Run: sudo apt-get install -y ${pkgs[*]}" >&2
    exit 1
  fi
}

if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  apt_install nats-server
fi
