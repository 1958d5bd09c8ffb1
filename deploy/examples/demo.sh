#!/usr/bin/env bash
# `make demo`: a private single-machine cluster (nats-server, scheduler, 3 agents
# playing 8-GPU hosts): the leader-workers JobSet submitted and watched to the
# end; then a host drained with --evict under a running 2-host gang, which is
# placed again on the hosts left and finishes there; then everything stopped.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=.muster/demo
muster() { node bin/muster.js "$@"; }
start=$(date +%s%N)
muster local down --dir "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"  # a fresh cluster every time: new database, empty pod logs
cleanup() { muster local down --dir "$dir" || true; }
trap cleanup EXIT
muster local up --agents 3 --hardware deploy/hardware/h100-sxm-8gpu.json --dir "$dir" --detach || exit 1
export MUSTER_SCHEDULER="$(cat "$dir/scheduler.addr")"
muster nodes
muster cancel leader-workers >/dev/null 2>&1 || true
muster submit -f deploy/examples/leader-workers.yaml || exit 1
muster watch leader-workers
rc=$?
muster get leader-workers
echo "leader log:"; cat "$dir"/agents/*/pods/leader-workers/*/leader-0-0/g0/stdout.log 2>/dev/null | sed 's/^/  /'

if [ "$rc" -eq 0 ]; then
  echo; echo "== a host taken away under a running gang =="
  muster submit -f deploy/examples/drained-node.yaml || exit 1
  # The node of rank 0, once every pod runs (at most 30 s).
  node_of_rank0() {
    muster get drained-node -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).status?.pods??[];if(p.length&&p.every(x=>x.phase==="POD_PHASE_RUNNING"))process.stdout.write(p[0].node)})'
  }
  victim=""
  for _ in $(seq 1 150); do victim=$(node_of_rank0); [ -n "$victim" ] && break; sleep 0.2; done
  if [ -z "$victim" ]; then echo "drained-node never ran" >&2; exit 1; fi
  muster drain "$victim" --reason 'demo: ECC errors' --evict || exit 1
  muster watch drained-node
  rc=$?
  muster nodes
  muster get drained-node | sed -n '/^POD/,/^$/p'
  muster describe drained-node | sed -n '/^Events:/,$p'
  muster undrain "$victim" >/dev/null
fi
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'demo finished in %d.%03ds (exit %d)\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000)) "$rc"
exit $rc
