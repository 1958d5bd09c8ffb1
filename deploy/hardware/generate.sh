#!/bin/sh
# Regenerates the recorded inventories (<machine>.json) from the recorded
# machines under machines/: `muster-agent discover --json` with each machine's
# recorded nvidia-smi and its /sys and /proc tree. Condition timestamps are set
# to 0 so the files only change when the inventory does. Needs `npm run build`.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo" # paths relative to the repository: the files must not depend on where it is checked out
for dir in "$here"/machines/*/; do
  name="$(basename "$dir")"
  rel="deploy/hardware/machines/$name"
  node bin/muster-agent.js discover --json --nvidia-smi "$rel/nvidia-smi" --sysfs-root "$rel" |
    node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const inv = JSON.parse(s);
        for (const c of inv.conditions ?? []) c.lastTransitionMs = "0";
        process.stdout.write(JSON.stringify(inv, null, 2) + "\n");
      });' >"$here/$name.json"
  echo "wrote deploy/hardware/$name.json"
done
