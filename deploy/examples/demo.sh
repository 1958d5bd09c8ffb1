#!/usr/bin/env bash
# `make demo`: a private single-machine cluster (nats-server, scheduler, 2 agents),
# the leader-workers JobSet submitted and watched to the end, then everything stopped.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=.muster/demo
muster() { node bin/muster.js "$@"; }
start=$(date +%s%N)
muster local down --dir "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"  # a fresh cluster every time: new database, empty pod logs
cleanup() { muster local down --dir "$dir" || true; }
trap cleanup EXIT
muster local up --agents 2 --hardware deploy/hardware/h100-sxm-8gpu.json --dir "$dir" --detach || exit 1
export MUSTER_SCHEDULER="$(cat "$dir/scheduler.addr")"
muster nodes
muster cancel leader-workers >/dev/null 2>&1 || true
muster submit -f deploy/examples/leader-workers.yaml || exit 1
muster watch leader-workers
rc=$?
muster get leader-workers
echo "leader log:"; cat "$dir"/agents/*/pods/leader-workers/*/leader-0-0/g0/stdout.log 2>/dev/null | sed 's/^/  /'
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'demo finished in %d.%03ds (exit %d)\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000)) "$rc"
exit $rc
