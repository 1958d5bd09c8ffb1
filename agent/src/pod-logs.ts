/**
 * Serving a pod's output to the scheduler (`muster logs`): a NATS
 * request/reply on muster.v1.node.<node>.logs. The request names one pod
 * incarnation; the reply is a chunk of its stdout or stderr file — the files
 * the agent keeps for finished pods too, until their JobSet is gone. Every
 * field of the request is checked before it touches the filesystem (the
 * names become path components), and a bad request gets an error reply,
 * never a crash.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { MusterError } from '../../shared/src/errors.js';
import { decodeJsonText, encodeJson } from '../../shared/src/proto/json-codec.js';
import type { PodLogsChunk, PodLogsRequest } from '../../shared/src/proto/types.js';
import { rotationsOf } from './log-rotation.js';
import { podPaths } from './pod-paths.js';

/** MAX_LOG_CHUNK_BYTES bounds one reply (NATS messages are at most 1 MiB by default; base64 adds a third). */
export const MAX_LOG_CHUNK_BYTES = 512 * 1024;

/** readPodLogs reads the chunk a request asks for from the agent's state dir. */
export async function readPodLogs(stateDir: string, req: PodLogsRequest): Promise<PodLogsChunk> {
  const stream = req.stream || 'stdout';
  if (stream !== 'stdout' && stream !== 'stderr') throw new MusterError('INVALID_ARGUMENT', `stream: must be stdout or stderr, not "${stream}"`);
  const paths = podPaths(stateDir, { jobset: req.jobset, jobsetUid: req.jobsetUid, replicatedJob: req.replicatedJob, jobIndex: req.jobIndex, podIndex: req.podIndex, generation: Number(req.generation) });
  const current = stream === 'stderr' ? paths.stderr : paths.stdout;
  const file = req.previous ? `${current}.1` : current;
  const base = { node: '', podId: '', generation: Number(req.generation), finished: false, error: '', rotations: await rotationsOf(current) };
  // Never follow a link or block on a FIFO: only the pod's own regular file is read (fstat on the open handle).
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ...base, data: Buffer.alloc(0), offset: 0, nextOffset: 0, size: 0, missing: true };
    if (code === 'ELOOP') throw new MusterError('FAILED_PRECONDITION', `${stream} of the pod is a symbolic link: not read`);
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MusterError('FAILED_PRECONDITION', `${stream} of the pod is not a regular file: not read`);
    const size = st.size;
    const want = Math.min(MAX_LOG_CHUNK_BYTES, req.maxBytes > 0 ? req.maxBytes : MAX_LOG_CHUNK_BYTES);
    const offset = Number(req.offset);
    const start = offset < 0 ? Math.max(0, size + offset) : Math.min(offset, size);
    const data = Buffer.alloc(Math.min(want, size - start));
    const { bytesRead } = data.length > 0 ? await fh.read(data, 0, data.length, start) : { bytesRead: 0 };
    return { ...base, data: data.subarray(0, bytesRead), offset: start, nextOffset: start + bytesRead, size, missing: false };
  } finally {
    await fh.close();
  }
}

/** servePodLogs answers one raw request: a chunk, or a chunk whose `error` says what was wrong. Never throws. */
export async function servePodLogs(stateDir: string, raw: Uint8Array): Promise<Uint8Array> {
  const fail = (error: string): Uint8Array => encodeJson({ data: '', offset: 0, nextOffset: 0, size: 0, missing: false, error });
  const req = decodeJsonText<PodLogsRequest>('muster.v1.PodLogsRequest', raw);
  if (!req.ok) return fail(`malformed request: ${req.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  try {
    const chunk = await readPodLogs(stateDir, req.value);
    return encodeJson({ ...chunk, data: Buffer.from(chunk.data).toString('base64') });
  } catch (e) {
    return fail((e as Error).message);
  }
}
