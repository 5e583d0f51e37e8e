/**
 * Server lifecycle: start (open services, connect the upstreams, listen, write the pid file), reload
 * policies on SIGHUP, drain (stop accepting, end MCP sessions, finish in-flight requests within the
 * drain timeout), stop (close the upstreams, final audit checkpoint, close the store).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { defaultPublicUrl } from '../config/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { Clock } from '../core/index.js';
import { buildHttpServer } from './http.js';
import type { McpFrontSettings } from './http.js';
import type { Logger } from './logger.js';
import { openWarden } from './warden.js';
import type { PolicyReloadResult, Warden } from './warden.js';

export interface StartServerOptions {
  logger: Logger;
  host?: string;
  port?: number;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Reload policies on SIGHUP while running (default true; `warden policy reload` sends it). */
  reloadOnSighup?: boolean;
  /** Write `pidFilePath(loaded)` while running (default true). */
  pidFile?: boolean;
  /** MCP session settings; see HttpServerOptions.mcp. */
  mcp?: Partial<McpFrontSettings>;
}

/**
 * Where `warden serve` writes its process id while it runs: `.warden/warden.pid` next to the config
 * file. `warden policy reload` reads it to send SIGHUP.
 */
export function pidFilePath(loaded: Pick<LoadedConfig, 'baseDir'>): string {
  return join(loaded.baseDir, '.warden', 'warden.pid');
}

export interface RunningServer {
  readonly warden: Warden;
  readonly app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  /** Reloads the policy files (as SIGHUP does); see Gateway.reloadPolicies. */
  reloadPolicies(actor?: string): Promise<PolicyReloadResult>;
  /** Drains in-flight requests (up to server.drainTimeout), then closes everything. Idempotent. */
  stop(reason?: string): Promise<void>;
}

/** Opens the services for `loaded` and starts listening. */
export async function startServer(given: LoadedConfig, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const loaded = withListenAddress(given, options.host, options.port);
  const warden = await openWarden(loaded, {
    actor: 'system',
    sync: true,
    gateway: true,
    logger,
    onBackgroundError: (error) => logger.error({ err: error }, 'audit checkpoint failed'),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const gateway = warden.gateway;
  if (gateway === null) throw new Error('openWarden was asked for the gateway and returned none');
  let draining = false;
  let app: FastifyInstance | undefined;
  const unusedSockets = new Set<Socket>();
  const pidFile = options.pidFile === false ? null : pidFilePath(loaded);
  try {
    app = buildHttpServer(warden, {
      logger,
      isDraining: () => draining,
      ...(options.mcp === undefined ? {} : { mcp: options.mcp }),
    });
    // Each upstream is ready or has failed once (failed ones keep retrying) before agents arrive.
    await gateway.catalog.start();
    for (const status of gateway.catalog.status()) {
      logger.info(
        { server: status.server, state: status.state, tools: status.tools, lastError: status.lastError },
        'upstream',
      );
    }
    const { host, port } = loaded.config.server;
    trackUnusedSockets(app, unusedSockets);
    // A suspension made elsewhere (CLI, admin API of another replica) closes this server's sessions
    // of that agent within about a poll interval. The first look (which only learns the state) is
    // taken before listening, so a suspension made after it, even before the first session, is seen.
    await warden.agents.pollSuspensions();
    warden.agents.startSuspensionWatch({
      intervalMs: 250,
      onError: (error) => logger.warn({ err: error }, 'looking for suspended agents failed'),
    });
    await app.listen({ host, port });
    if (pidFile !== null) await writePidFile(pidFile, logger);
    warden.audit.start();
    warden.approvals.start();
    // Baselines are rebuilt from the audit log; entries recorded meanwhile are applied after.
    await warden.monitor?.start();
    await warden.audit.record({
      type: 'server-started',
      actor: 'system',
      detail: { host, port: listeningPort(app) ?? port, store: warden.store.kind, config: loaded.path },
    });
  } catch (error) {
    warden.agents.stopSuspensionWatch();
    if (pidFile !== null) await removePidFile(pidFile);
    await app?.close().catch(() => undefined);
    await warden.close();
    throw error;
  }

  const address = app.server.address();
  const url =
    typeof address === 'object' && address !== null
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : String(address);
  logger.info({ url, store: warden.store.kind, location: warden.store.location }, 'warden listening');

  const reloadPolicies = async (actor = 'system'): Promise<PolicyReloadResult> => {
    const result = await gateway.reloadPolicies(actor);
    if (result.ok) {
      logger.info(
        { version: result.version, previousVersion: result.previousVersion, policies: result.policies },
        'policies reloaded',
      );
      for (const warning of result.warnings) logger.warn({}, warning);
    } else {
      logger.error(
        { code: result.error.code, error: result.error.message, version: result.version },
        'policy reload refused; the previous policies stay in force',
      );
    }
    return result;
  };
  const onHangup = (): void => {
    reloadPolicies('system').catch((error: unknown) => logger.error({ err: error }, 'policy reload failed'));
  };
  if (options.reloadOnSighup !== false) process.on('SIGHUP', onHangup);

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGHUP', onHangup);
      warden.agents.stopSuspensionWatch();
      draining = true;
      logger.info({ reason }, 'draining in-flight requests');
      const drainMs = loaded.config.server.drainTimeout * 1000;
      const timer = setTimeout(() => {
        logger.warn({ drainMs }, 'drain timeout passed; closing the remaining connections');
        app.server.closeAllConnections();
      }, drainMs);
      timer.unref();
      // Node closes the connections that are idle when the server closes; one whose last response
      // ends during the drain would stay open until its client closes it, so look again as it goes.
      const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
      idleSweep.unref();
      try {
        const closing = app.close();
        // Connections that never carried a request (a client's spare keep-alive socket) are not
        // "idle" to Node, so nothing would close them until the client does: close them now.
        for (const socket of unusedSockets) socket.destroy();
        await closing;
      } finally {
        clearInterval(idleSweep);
        clearTimeout(timer);
        // Whatever happened to the HTTP side, the services still close: final checkpoint, store.
        try {
          if (pidFile !== null) await removePidFile(pidFile);
          await warden.audit.record({ type: 'server-stopped', actor: 'system', detail: { reason } });
        } finally {
          await warden.close();
        }
      }
      logger.info('warden stopped');
    })();
    return stopping;
  };

  return { warden, app, url, reloadPolicies, stop };
}

/** Keeps `unused` holding the open connections on which no request has arrived yet. */
function trackUnusedSockets(app: FastifyInstance, unused: Set<Socket>): void {
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage) => {
    unused.delete(request.socket);
  });
}

/** Writes this process's id atomically (a reader never sees a half-written file). */
async function writePidFile(path: string, logger: Logger): Promise<void> {
  const previous = await readFile(path, 'utf8').catch(() => null);
  const previousPid = previous === null ? NaN : Number(previous.trim());
  if (Number.isInteger(previousPid) && previousPid !== process.pid && isRunning(previousPid)) {
    logger.warn(
      { pidFile: path, pid: previousPid },
      'another process with this config seems to be running; the pid file now names this one',
    );
  }
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${process.pid}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

/** Removes the pid file if it still names this process. */
async function removePidFile(path: string): Promise<void> {
  const content = await readFile(path, 'utf8').catch(() => null);
  if (content !== null && Number(content.trim()) === process.pid) await rm(path, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Applies --host/--port. When the config leaves publicUrl to its default (http://host:port), the
 * default follows the address actually asked for, so token issuer and audience stay right.
 */
function withListenAddress(
  loaded: LoadedConfig,
  host: string | undefined,
  port: number | undefined,
): LoadedConfig {
  if (host === undefined && port === undefined) return loaded;
  const server = {
    ...loaded.config.server,
    host: host ?? loaded.config.server.host,
    port: port ?? loaded.config.server.port,
  };
  if (loaded.publicUrlIsDefault) server.publicUrl = defaultPublicUrl(server.host, server.port);
  return { ...loaded, config: { ...loaded.config, server } };
}

function listeningPort(app: FastifyInstance): number | undefined {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : undefined;
}
