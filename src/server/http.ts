/**
 * The HTTP server: composes the fronts into one Fastify instance with body limits, structured
 * errors and health endpoints. It adds no security rules of its own; those live in the services.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import { WardenError, isWardenError } from '../core/index.js';
import { toHttpError } from '../fronts/http-errors.js';
import { AdminDirectory, ConsoleSessions } from '../admin/index.js';
import { adminRoutes } from '../fronts/admin/index.js';
import { consoleRoutes } from '../fronts/console/index.js';
import { McpSessions, mcpRoutes } from '../fronts/mcp/index.js';
import { llmRoutes } from '../fronts/llm/index.js';
import { oauthRoutes } from '../fronts/oauth/index.js';
import type { Logger } from './logger.js';
import { pathOnly } from './logger.js';
import type { Warden } from './warden.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Reports whether the server is draining, so /readyz answers 503 during shutdown. */
  isDraining?: () => boolean;
  /** MCP session settings (defaults: 30 minutes idle, 100 sessions per agent, a sweep every minute). */
  mcp?: Partial<McpFrontSettings>;
}

export interface McpFrontSettings {
  /** Sessions without a request for this long are closed. */
  idleTimeoutSeconds: number;
  /** Open sessions per agent; one more closes that agent's least recently used. */
  maxSessionsPerAgent: number;
  /** How often idle sessions are looked for. */
  sweepIntervalMs: number;
}

const MCP_DEFAULTS: McpFrontSettings = {
  idleTimeoutSeconds: 30 * 60,
  maxSessionsPerAgent: 100,
  sweepIntervalMs: 60_000,
};

/** Warden's version, from package.json (one level above both src/ and dist/). */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * Builds the Fastify app for a Warden instance, not yet listening.
 *
 * @example
 * const app = buildHttpServer(warden, { logger });
 * await app.listen({ host: '127.0.0.1', port: 8787 });
 */
export function buildHttpServer(warden: Warden, options: HttpServerOptions): FastifyInstance {
  const { config } = warden;
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.server.bodyLimit,
    trustProxy: config.server.trustProxy,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    // Draining is answered below, in Warden's error shape, rather than by Fastify's own 503.
    return503OnClosing: false,
  });

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0];
    if (options.isDraining?.() === true && path !== '/readyz' && path !== '/healthz') {
      return reply
        .code(503)
        .header('connection', 'close')
        .header('retry-after', '5')
        .send({
          error: new WardenError(
            'WARDEN_SHUTTING_DOWN',
            'this Warden instance is shutting down; retry against another replica or after it restarts',
          ).toJSON(),
        });
    }
    return undefined;
  });

  // Our own request log line: path without query, status and time; never headers or bodies.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: pathOnly(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        ip: request.ip,
      },
      'request',
    );
  });

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: config.server.bodyLimit },
    (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    },
  );

  app.setErrorHandler((error: FastifyError | WardenError, request, reply) => {
    const wardenError = toHttpError(error, config.server.bodyLimit);
    if (wardenError.status >= 500) {
      request.log.error({ code: wardenError.code, err: error }, 'request failed');
    }
    return reply.code(wardenError.status).send({ error: wardenError.toJSON() });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: new WardenError(
        'WARDEN_NOT_FOUND',
        `${request.method} ${pathOnly(request.url)} is not a Warden endpoint; see the README for the API`,
      ).toJSON(),
    }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (options.isDraining?.() === true) {
      return reply.code(503).send({ status: 'draining' });
    }
    try {
      await warden.store.ping();
      return { status: 'ready', store: warden.store.kind };
    } catch (error) {
      const wardenError = isWardenError(error)
        ? error
        : new WardenError('WARDEN_STORE_UNAVAILABLE', 'the store does not answer');
      return reply.code(503).send({ status: 'unavailable', error: wardenError.toJSON() });
    }
  });

  // Prometheus metrics, when enabled: bearer token if configured, else direct loopback clients only.
  const monitor = warden.monitor;
  if (monitor !== null && monitor.metricsEnabled) {
    app.get('/metrics', async (request, reply) => {
      const { headers } = request;
      monitor.checkScrape(headers.authorization, request.socket.remoteAddress, {
        forwarded:
          headers['x-forwarded-for'] !== undefined ||
          headers.forwarded !== undefined ||
          headers['x-real-ip'] !== undefined,
        trustProxy: config.server.trustProxy,
      });
      const { contentType, body } = await monitor.metrics.scrape();
      return reply.type(contentType).send(body);
    });
  }

  void app.register(oauthRoutes, {
    tokens: warden.tokens,
    keys: warden.keys,
    issuer: config.server.publicUrl,
    bodyLimit: config.server.bodyLimit,
    rateLimit: config.identity.tokenRateLimit,
  });

  // The admin API: everything the console shows and does, for signed-in admin users.
  void app.register(adminRoutes, {
    prefix: '/admin',
    directory: new AdminDirectory({ admins: config.admins, clock: warden.clock }),
    approvals: warden.approvals,
    audit: warden.audit,
    publicUrl: config.server.publicUrl,
    bodyLimit: config.server.bodyLimit,
    console: {
      sessions: new ConsoleSessions({
        key: warden.adminSessionKey,
        lifetimeSeconds: config.admin.sessionLifetime,
        idleTimeoutSeconds: config.admin.sessionIdleTimeout,
        clock: warden.clock,
      }),
      allowedOrigins: [
        new URL(config.server.publicUrl).origin,
        ...config.admin.allowedOrigins.map((url) => new URL(url).origin),
      ],
      secure: config.server.publicUrl.startsWith('https:'),
    },
    config,
    clock: warden.clock,
    auditLog: { store: warden.store.audit, verifier: warden.keys.checkpointVerifier() },
    agents: warden.agents,
    policies: () => warden.gateway?.policy ?? null,
    sessions: () => warden.gateway?.sessions ?? null,
    // What-if arguments are recorded masked, as approvals show them.
    maskArguments: (args) => warden.inspection.mask(args),
  });

  // The web console: static files only; it reaches Warden through the admin API above.
  void app.register(consoleRoutes, {});

  // The LLM egress proxy: OpenAI- and Anthropic-compatible /v1 endpoints (docs/llm-proxy.md).
  if (warden.gateway?.llm != null) {
    void app.register(llmRoutes, {
      llm: warden.gateway.llm,
      tokens: warden.tokens,
      bodyLimit: config.server.bodyLimit,
      onAgentSuspended: (listener) => warden.agents.onSuspended(listener),
    });
  }

  if (warden.gateway !== null) {
    const { pipeline } = warden.gateway;
    const settings = { ...MCP_DEFAULTS, ...options.mcp };
    const sessions = new McpSessions({
      pipeline,
      audit: warden.audit,
      clock: warden.clock,
      idleTimeoutSeconds: settings.idleTimeoutSeconds,
      maxSessionsPerAgent: settings.maxSessionsPerAgent,
      version: VERSION,
      logger: options.logger,
      onSessionEnded: (id) => pipeline.endSession(id),
    });
    void app.register(mcpRoutes, {
      sessions,
      tokens: warden.tokens,
      publicUrl: config.server.publicUrl,
      scopes: Object.keys(config.roles),
      bodyLimit: config.server.bodyLimit,
      onToolsChanged: (listener) => pipeline.onToolsChanged(listener),
      sweepIntervalMs: settings.sweepIntervalMs,
      onAgentSuspended: (listener) => warden.agents.onSuspended(listener),
    });
  }
  return app;
}
