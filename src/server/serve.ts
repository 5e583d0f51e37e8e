/**
 * Server lifecycle: start (open services, listen), drain (stop accepting, finish in-flight requests
 * within the drain timeout), stop (final audit checkpoint, close the store).
 */
import type { FastifyInstance } from 'fastify';
import { defaultPublicUrl } from '../config/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { Clock } from '../core/index.js';
import { buildHttpServer } from './http.js';
import type { Logger } from './logger.js';
import { openWarden } from './warden.js';
import type { Warden } from './warden.js';

export interface StartServerOptions {
  logger: Logger;
  host?: string;
  port?: number;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  readonly warden: Warden;
  readonly app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8787. */
  readonly url: string;
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
    onBackgroundError: (error) => logger.error({ err: error }, 'audit checkpoint failed'),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  let draining = false;
  let app: FastifyInstance;
  try {
    app = buildHttpServer(warden, { logger, isDraining: () => draining });
    const { host, port } = loaded.config.server;
    await app.listen({ host, port });
    warden.audit.start();
    await warden.audit.record({
      type: 'server-started',
      actor: 'system',
      detail: { host, port: listeningPort(app) ?? port, store: warden.store.kind, config: loaded.path },
    });
  } catch (error) {
    await warden.close();
    throw error;
  }

  const address = app.server.address();
  const url =
    typeof address === 'object' && address !== null
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : String(address);
  logger.info({ url, store: warden.store.kind, location: warden.store.location }, 'warden listening');

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      logger.info({ reason }, 'draining in-flight requests');
      const drainMs = loaded.config.server.drainTimeout * 1000;
      const timer = setTimeout(() => {
        logger.warn({ drainMs }, 'drain timeout passed; closing the remaining connections');
        app.server.closeAllConnections();
      }, drainMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      try {
        await warden.audit.record({ type: 'server-stopped', actor: 'system', detail: { reason } });
      } finally {
        await warden.close();
      }
      logger.info('warden stopped');
    })();
    return stopping;
  };

  return { warden, app, url, stop };
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
