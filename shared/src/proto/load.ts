/**
 * Loads proto/muster/v1 once, with the one set of loader options the whole
 * project uses (they match proto/generate.sh): lowerCamelCase fields, int64 as
 * JS numbers, enums as their string names, defaults filled in, oneofs named.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { ProtoGrpcType as SchedulerProto } from './generated/scheduler.js';
import type { ProtoGrpcType as AgentProto } from './generated/agent.js';

/** LOADER_OPTIONS are the proto-loader options; the generated types assume them. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** PROTO_FILES are the files of the muster.v1 package, relative to the proto root. */
export const PROTO_FILES = [
  'muster/v1/types.proto',
  'muster/v1/scheduler.proto',
  'muster/v1/agent.proto',
  'muster/v1/events.proto',
  'muster/v1/queues.proto',
];

/** MusterGrpc is the typed gRPC object of every service in muster.v1. */
export type MusterGrpc = SchedulerProto & AgentProto;

let cachedGrpc: MusterGrpc | undefined;
let cachedRoot: protobuf.Root | undefined;

/** protoRoot finds the proto/ directory whether running from src or dist. */
export function protoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'proto', 'muster', 'v1', 'types.proto'))) return path.join(dir, 'proto');
    dir = path.dirname(dir);
  }
  throw new Error('proto/muster/v1 not found above ' + fileURLToPath(import.meta.url));
}

/** loadGrpc returns the gRPC service constructors and definitions (cached). */
export function loadGrpc(): MusterGrpc {
  if (!cachedGrpc) {
    const def = protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoRoot()] });
    cachedGrpc = grpc.loadPackageDefinition(def) as unknown as MusterGrpc;
  }
  return cachedGrpc;
}

/** loadRoot returns the protobufjs reflection root used to validate JSON payloads (cached). */
export function loadRoot(): protobuf.Root {
  if (!cachedRoot) {
    const root = new protobuf.Root();
    const base = protoRoot();
    root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(base, target));
    root.loadSync(PROTO_FILES, { keepCase: false });
    root.resolveAll();
    cachedRoot = root;
  }
  return cachedRoot;
}
