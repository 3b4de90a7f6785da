/**
 * Pings GET /health every ~10 ms from a child process, so that the test process's own work (building a 30 MB
 * body, parsing replies) cannot delay the pings it measures.
 */
import { spawn } from 'node:child_process';

const PINGER = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const port = Number(process.argv[1]);
const lat = [];
let stop = false;
process.stdin.on('data', () => { stop = true; });
const ping = () => new Promise((resolve) => {
  const t0 = performance.now();
  http.get({ host: '127.0.0.1', port, path: '/health', agent }, (r) => { r.resume(); r.on('end', () => resolve(performance.now() - t0)); })
    .on('error', () => resolve(Infinity));
});
(async () => {
  console.log('started');
  while (!stop) { lat.push(await ping()); await new Promise((r) => setTimeout(r, 10)); }
  console.log(JSON.stringify(lat));
  agent.destroy();
})();`;

/** Pings /health from a child process until `stop()`, which resolves with every latency. */
export function pinger(port: number): Promise<{ stop: () => Promise<number[]> }> {
  const child = spawn(process.execPath, ['-e', PINGER, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolveStarted) => {
    const done = new Promise<number[]>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.startsWith('started\n')) resolveStarted({ stop: () => { child.stdin!.end('stop\n'); return done; } });
      });
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[1]) as number[]) : reject(new Error(`pinger exited ${code}`))));
    });
  });
}

/** The 99th percentile (the nearest rank). */
export const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];
