/**
 * The HTTP server: composes the fronts into one Fastify instance with body limits, structured
 * errors and health endpoints. It adds no security rules of its own; those live in the services.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import { WardenError, isWardenError } from '../core/index.js';
import { registerOAuthRoutes } from '../fronts/oauth/index.js';
import type { Logger } from './logger.js';
import { pathOnly } from './logger.js';
import type { Warden } from './warden.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Reports whether the server is draining, so /readyz answers 503 during shutdown. */
  isDraining?: () => boolean;
}

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
    requestIdLogLabel: 'requestId',
    disableRequestLogging: true,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
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

  registerOAuthRoutes(app, {
    tokens: warden.tokens,
    keys: warden.keys,
    issuer: warden.config.server.publicUrl,
  });
  return app;
}

/** Maps Fastify's own errors (body too large, bad JSON, wrong content type) onto Warden codes. */
function toHttpError(error: FastifyError | WardenError, bodyLimit: number): WardenError {
  if (error instanceof WardenError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new WardenError(
        'WARDEN_BODY_TOO_LARGE',
        `the request body is larger than ${bodyLimit} bytes; send less, or raise server.bodyLimit in the config`,
        { limit: bodyLimit },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WardenError(
        'WARDEN_UNSUPPORTED_MEDIA_TYPE',
        'this content type is not accepted; send application/json (or application/x-www-form-urlencoded to /oauth/token)',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new WardenError('WARDEN_BAD_REQUEST', `${error.message}; send a well-formed JSON body`);
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new WardenError('WARDEN_BAD_REQUEST', `the request is malformed: ${error.message}`);
      }
      return new WardenError('WARDEN_INTERNAL', 'an internal error occurred; the server log has the details');
  }
}
