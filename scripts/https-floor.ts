/**
 * The transport floor of bench:api's small-file run: the same uploads (same clients, same TLS
 * certificate and key, same bodies) to a bare node:https server in its own process that reads
 * each body and answers 201 — no auth, no database, no storage. Its files/s and the CPU both
 * processes spend per file bound what any HTTPS upload server can do on this machine.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';

const SINK = `
const { createServer } = require('node:https');
const { readFileSync } = require('node:fs');
const [cert, key] = [process.env.SINK_CERT, process.env.SINK_KEY].map((p) => readFileSync(p));
const server = createServer({ cert, key }, (req, res) => {
  let n = 0;
  req.on('data', (d) => (n += d.length));
  req.on('end', () => { res.writeHead(201, { 'content-type': 'application/json' }); res.end(JSON.stringify({ size: n })); });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export async function httpsFloor(dataDir: string, ca: string, files: number, clients: number, body: (i: number) => Promise<Buffer>): Promise<{ filesPerS: number; cpuMsPerFile: number }> {
  const child = spawn(process.execPath, ['-e', SINK], {
    env: { ...process.env, SINK_CERT: join(dataDir, 'tls', 'cert.pem'), SINK_KEY: join(dataDir, 'tls', 'key.pem') },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve(Number(m)));
      child.once('exit', (code) => reject(new Error(`https sink exited (${code})`)));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
    const bodies = await Promise.all(Array.from({ length: Math.min(files, 64) }, (_, i) => body(i)));
    const selfCpu0 = process.cpuUsage();
    const sinkCpu0 = cpuOf(child.pid!);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < files) {
          const b = bodies[next++ % bodies.length]!;
          await new Promise<void>((resolve, reject) => {
            const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent, servername: 'localhost', headers: { 'content-length': b.length } }, (res) => {
              res.resume();
              res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`sink answered ${res.statusCode}`))));
            });
            req.on('error', reject);
            req.end(b);
          });
        }
      }),
    );
    const ms = performance.now() - t0;
    const self = process.cpuUsage(selfCpu0);
    const cpu = (self.user + self.system) / 1e6 + (cpuOf(child.pid!) - sinkCpu0);
    agent.destroy();
    return { filesPerS: files / (ms / 1000), cpuMsPerFile: (cpu / files) * 1000 };
  } finally {
    child.kill();
  }
}
