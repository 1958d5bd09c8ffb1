#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh Debian/Ubuntu machine
# with Node 20.19+: npm packages (npm ci when node_modules is missing or older than
# package-lock.json), and nats-server, podman, runc and busybox-static from the
# distribution (apt-get, as root; otherwise prints the command to run and stops).
set -euo pipefail
cd "$(dirname "$0")/.."

# vitest 4 needs Node 20.19 or newer.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "Muster needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
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

# better-sqlite3 builds from source when no prebuilt binary can be fetched: node-gyp needs these.
build_tools=()
for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || build_tools+=("$tool"); done

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ ${#build_tools[@]} -gt 0 ]; then apt_install "${build_tools[@]}"; fi
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  apt_install nats-server
fi

# Containers (the OCI driver's tests and `muster local up`): podman with runc (crun refuses hosts with a
# hybrid cgroup v1/v2 layout), and a static busybox the tests build their image from (no registry here).
container_pkgs=()
command -v podman >/dev/null 2>&1 || container_pkgs+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || container_pkgs+=(runc)
dpkg -s busybox-static >/dev/null 2>&1 || container_pkgs+=(busybox-static)
if [ ${#container_pkgs[@]} -gt 0 ]; then apt_install "${container_pkgs[@]}"; fi

# The network partition test puts an agent on a host of its own with `ip netns` (iproute2).
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || apt_install iproute2
