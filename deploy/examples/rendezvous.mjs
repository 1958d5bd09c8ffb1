#!/usr/bin/env node
// A tiny rendezvous used by leader-workers.yaml: the leader listens on
// MASTER_PORT and waits until every other rank has reported; each worker
// connects to MUSTER_COORDINATOR, says who it is, and waits for the leader's
// acknowledgement. Uses only what Muster puts in the environment.
import net from 'node:net';

const role = process.argv[2];
const env = (k) => {
  const v = process.env[k];
  if (v === undefined || v === '') throw new Error(`${k} is not set`);
  return v;
};
const worldSize = Number(env('WORLD_SIZE'));
const rank = Number(env('RANK'));
const [host, port] = env('MUSTER_COORDINATOR').split(':');
const deadline = Date.now() + Number(process.env.RENDEZVOUS_TIMEOUT_MS ?? 60000);
const log = (msg) => console.log(`[${new Date().toISOString()}] rank ${rank}/${worldSize} on ${process.env.MUSTER_NODE}: ${msg}`);

if (role === 'leader') {
  const seen = new Set();
  const server = net.createServer((sock) => {
    sock.setEncoding('utf8');
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
      if (!buf.includes('\n')) return;
      const msg = JSON.parse(buf.slice(0, buf.indexOf('\n')));
      seen.add(msg.rank);
      log(`rank ${msg.rank} (${msg.replicatedJob} ${msg.jobIndex}/${msg.podIndex}) reported from ${msg.node}${msg.gpus ? ` with GPUs ${msg.gpus}` : ''}; ${seen.size}/${worldSize - 1}`);
      sock.end('ok\n');
      if (seen.size === worldSize - 1) {
        log('all workers reported');
        server.close(() => process.exit(0));
      }
    });
    sock.on('error', () => {});
  });
  server.listen(Number(port), '0.0.0.0', () => log(`listening on ${port}, waiting for ${worldSize - 1} workers`));
  setTimeout(() => {
    log(`timed out with ${seen.size}/${worldSize - 1} workers`);
    process.exit(1);
  }, deadline - Date.now()).unref();
} else if (role === 'worker') {
  await new Promise((r) => setTimeout(r, Number(process.env.REPORT_DELAY_MS ?? 0)));
  const attempt = () =>
    new Promise((resolve, reject) => {
      const sock = net.connect(Number(port), host, () => {
        sock.write(JSON.stringify({ rank, node: process.env.MUSTER_NODE, replicatedJob: process.env.MUSTER_REPLICATED_JOB, jobIndex: process.env.MUSTER_JOB_INDEX, podIndex: process.env.MUSTER_POD_INDEX, gpus: process.env.CUDA_VISIBLE_DEVICES ?? '' }) + '\n');
      });
      sock.setEncoding('utf8');
      let reply = '';
      sock.on('data', (d) => (reply += d));
      sock.on('end', () => (reply.startsWith('ok') ? resolve() : reject(new Error('no ack'))));
      sock.on('error', reject);
    });
  for (;;) {
    try {
      await attempt();
      log(`reported to ${host}:${port}`);
      process.exit(0);
    } catch (err) {
      if (Date.now() > deadline) {
        log(`gave up: ${err.message}`);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
} else {
  console.error('usage: rendezvous.mjs leader|worker');
  process.exit(2);
}
