/**
 * The daemon process: `switchyard daemon` and `dist/daemon.js` (what the extension spawns). Loopback only,
 * one per user, token on every call; SIGTERM/SIGINT stop accepting, let streams finish (bounded) and close
 * the ledger cleanly.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from './engine';
import { WorkerTokenCounter } from './estimate/workerCounter';
import { acquireLock, DEFAULT_PORT, ensureHome, HomeError, installToken, paths, readDaemonInfo, writeDaemonInfo } from './home';
import { Ledger } from './ledger/ledger';
import { createLogger } from './log';
import { findRulesFile, formatIssue, switchyardHome } from './rules/load';
import { RulesLoadError, RulesManager } from './rules/manager';
import { RulesRegistry } from './rules/registry';
import { createHttpHandler } from './server/http';
import { createWsServer } from './server/ws';

declare const __SWITCHYARD_VERSION__: string | undefined;
export const DAEMON_VERSION = typeof __SWITCHYARD_VERSION__ === 'string' ? __SWITCHYARD_VERSION__ : 'dev';

export const DAEMON_USAGE = `Usage: switchyard daemon [--port N] [--rules FILE] [--workspace DIR]

Runs the daemon in the foreground on 127.0.0.1 (default port ${DEFAULT_PORT}, or a free one if taken).
State lives in $SWITCHYARD_HOME (default ~/.switchyard): daemon.json, daemon.log, ledger.db.`;

// Large enough for a 1M-token context; tests lower it through the environment.
const MAX_BODY_BYTES = Number(process.env.SWITCHYARD_MAX_BODY_BYTES) || 32 * 1024 * 1024;
const DRAIN_MS = 10_000;

export async function runDaemon(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, rules: { type: 'string' }, workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) { console.log(DAEMON_USAGE); return 0; }
  const home = switchyardHome();
  try {
    ensureHome(home);
  } catch (e) {
    if (!(e instanceof HomeError)) throw e;
    console.error(`switchyard: not starting: ${e.message}`);
    return 1;
  }
  const lock = acquireLock(home);
  if (!lock.ok) {
    const info = readDaemonInfo(home);
    console.error(`switchyard: a daemon is already running (pid ${lock.pid}${info ? `, port ${info.port}` : ''}); use \`switchyard stop\` first`);
    console.log(JSON.stringify({ ready: false, running: true, pid: lock.pid, port: info?.port ?? null }));
    return 3;
  }

  let rules: RulesManager;
  const rulesFile = findRulesFile({ flag: values.rules, workspace: values.workspace ?? process.cwd(), home });
  try {
    rules = new RulesManager(rulesFile, join(home, 'rules.json'));
  } catch (e) {
    lock.release();
    if (e instanceof RulesLoadError) { for (const i of e.issues) console.error(formatIssue(i)); console.error('switchyard: not starting: fix the rules file above'); return 1; }
    throw e;
  }

  const ledger = Ledger.open(home, { storePrompts: rules.current.config.ledger.storePrompts });
  ledger.prune(rules.current.config.ledger.retentionDays);
  // Token counting runs on a worker thread, stopped when idle: never on this event loop (workerCounter.ts).
  const tokens = new WorkerTokenCounter();
  const engine = new Engine(() => rules.current, ledger, Date.now, process.env, tokens);
  const log = createLogger(paths(home).log, (s) => engine.keys.redact(s), process.env.SWITCHYARD_QUIET !== '1');
  for (const w of rules.state.issues) log.warn(formatIssue(w));
  // Every rules file in use — the daemon's own and those windows named — reloads on change; the daemon's own
  // also decides the ledger settings and the circuit settings.
  const registry = new RulesRegistry(rules, (manager, snap) => {
    if (snap.stale) log.error(`rules file ${snap.file} has errors; still serving the last good rules:\n${snap.issues.filter((i) => i.severity === 'error').map(formatIssue).join('\n')}`);
    else log.info(`rules reloaded from ${snap.file}`);
    if (manager === rules) { engine.rulesChanged(); ledger.setStorePrompts(rules.current.config.ledger.storePrompts); }
    ws.rulesChanged(manager, snap);
  });
  rules.watch();

  const token = installToken(home);
  const inflight = new Set<Promise<unknown>>();
  const ws = createWsServer({ engine, rules: registry, token, log, version: DAEMON_VERSION, maxPayload: MAX_BODY_BYTES });
  const server = createServer({ keepAliveTimeout: 65_000 }, createHttpHandler({ engine, token, log, maxBodyBytes: MAX_BODY_BYTES, inflight }));
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  server.on('clientError', (_e, socket) => socket.destroy());

  const wanted = values.port !== undefined ? Number(values.port) : Number(process.env.SWITCHYARD_PORT ?? DEFAULT_PORT);
  const port = await listen(server, wanted).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EADDRINUSE' || values.port !== undefined) throw e;
    log.warn(`port ${wanted} is taken; using a free one (daemon.json has it)`);
    return listen(server, 0);
  });
  writeDaemonInfo(home, { port, pid: process.pid, token, version: DAEMON_VERSION });
  log.info(`listening on 127.0.0.1:${port}, rules ${rules.state.file ?? 'built-in defaults'}, home ${home}`);
  console.log(JSON.stringify({ ready: true, port }));
  // Start the tokenizer worker now rather than on the first request (most of a second, on its own thread); it
  // stops after an idle period and restarts on demand.
  setImmediate(() => tokens.warm(rules.current.encodings));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping; letting ${inflight.size} request(s) finish`);
    server.close();
    registry.close();
    await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
    ws.cancelAll();
    ws.close();
    server.closeAllConnections();
    ledger.close();
    if (readDaemonInfo(home)?.pid === process.pid) rmSync(paths(home).info, { force: true });
    lock.release();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Last line of defence: every entry point validates its input, so reaching these is a bug — logged with its
  // stack and survived, because one bad request must not take down every window's daemon and its streams.
  process.on('unhandledRejection', (e) => log.error(`internal error (unhandled rejection), still serving: ${(e as Error)?.stack ?? String(e)}`));
  process.on('uncaughtException', (e) => log.error(`internal error (uncaught exception), still serving: ${e.stack ?? String(e)}`));
  return new Promise<number>(() => { /* runs until a signal */ });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => { server.off('listening', onListening); reject(e); };
    const onListening = () => { server.off('error', onError); resolve((server.address() as { port: number }).port); };
    server.once('error', onError);
    server.once('listening', onListening);
    // Loopback only: never 0.0.0.0.
    server.listen(port, '127.0.0.1');
  });
}
