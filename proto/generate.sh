#!/usr/bin/env bash
# Regenerates the TypeScript types of proto/muster/v1 into shared/src/proto/generated
# with the same loader options shared/src/proto/load.ts uses, then adds the .js
# extensions ESM (NodeNext) needs on relative imports.
set -euo pipefail
cd "$(dirname "$0")/.."
out=shared/src/proto/generated
rm -rf "$out"
npx proto-loader-gen-types --longs=Number --enums=String --defaults --oneofs \
  --grpcLib=@grpc/grpc-js --outDir="$out" \
  muster/v1/types.proto muster/v1/scheduler.proto muster/v1/agent.proto muster/v1/events.proto muster/v1/queues.proto \
  --includeDirs=proto >/dev/null
find "$out" -name '*.ts' -print0 | xargs -0 sed -i -E "s#(from '\.{1,2}/[^']*)';#\1.js';#"
