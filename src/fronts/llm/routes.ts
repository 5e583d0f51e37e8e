/**
 * The OpenAI- and Anthropic-compatible front: `POST /v1/chat/completions`, `POST /v1/messages` and
 * `GET /v1/models`. A Warden access token is the API key (`Authorization: Bearer` as the OpenAI SDK
 * sends it, or `x-api-key` as the Anthropic SDK does), verified before the body is read. It
 * translates HTTP to the LLM service and errors into each API's own error shape; no rules live here.
 * Unexpected errors are logged with the request id and answered with a generic WARDEN_INTERNAL. Calls
 * in flight are cut off when their agent is suspended (the kill switch, a lockdown): a waiting call
 * gets WARDEN_AGENT_SUSPENDED, a stream an error event in the API's format, and the provider request
 * is aborted.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WardenError } from '../../core/index.js';
import { suspendedError } from '../../identity/index.js';
import type { VerifiedToken } from '../../identity/index.js';
import { toLlmError } from '../../llm/index.js';
import type { LlmService, ModelCaller, StreamFrame, WireFormat } from '../../llm/index.js';
import type { AgentRecord } from '../../store/index.js';
import { toHttpError } from '../http-errors.js';
import { readBearer } from '../mcp/bearer.js';

export interface LlmRoutesOptions {
  llm: LlmService;
  tokens: { verify(token: string): Promise<VerifiedToken> };
  bodyLimit: number;
  /**
   * Subscribes to agents found suspended, here or by another process (AgentService.onSuspended);
   * returns the unsubscribe function. Their model calls in flight are cut off at once.
   */
  onAgentSuspended?(listener: (agent: AgentRecord) => void): () => void;
}

/** The error body of each API, so the official SDKs parse it (status, type, message, code). */
export function apiErrorBody(api: WireFormat, error: WardenError): Record<string, unknown> {
  const message = `${error.code}: ${error.message}`;
  if (api === 'anthropic') {
    return { type: 'error', error: { type: anthropicErrorType(error.status), message, code: error.code } };
  }
  return { error: { message, type: openAiErrorType(error.status), param: null, code: error.code } };
}

function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** Which API a request speaks: the path, or for /v1/models the Anthropic SDK's `anthropic-version` header. */
function apiOf(request: FastifyRequest): WireFormat {
  const path = request.url.split('?', 1)[0];
  if (path === '/v1/messages') return 'anthropic';
  if (path === '/v1/chat/completions') return 'openai';
  return request.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

function sendError(reply: FastifyReply, api: WireFormat, error: WardenError): FastifyReply {
  const retryAfter = error.details.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  if (error.status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(error.status).send(apiErrorBody(api, error));
}

/**
 * Fastify plugin with the three endpoints.
 *
 * @example
 * void app.register(llmRoutes, { llm, tokens: warden.tokens, bodyLimit: config.server.bodyLimit });
 */
export async function llmRoutes(app: FastifyInstance, options: LlmRoutesOptions): Promise<void> {
  const { llm, tokens } = options;
  const callers = new WeakMap<FastifyRequest, ModelCaller>();
  /** One controller per authenticated request, aborted when its agent is suspended. */
  const controllers = new WeakMap<FastifyRequest, AbortController>();
  /** The controllers of each agent's requests in flight, by agent name. */
  const inFlight = new Map<string, Set<AbortController>>();

  const unsubscribeSuspensions =
    options.onAgentSuspended?.((agent) => {
      const running = inFlight.get(agent.name);
      if (running === undefined) return;
      const reason = suspendedError(agent);
      for (const controller of running) controller.abort(reason);
    }) ?? (() => undefined);
  app.addHook('onClose', async () => {
    unsubscribeSuspensions();
  });

  /** Tracks a request of `agent` until its response closes (sent, hijacked and ended, or cut). */
  const track = (request: FastifyRequest, reply: FastifyReply, agent: string): void => {
    const controller = new AbortController();
    controllers.set(request, controller);
    let set = inFlight.get(agent);
    if (set === undefined) inFlight.set(agent, (set = new Set()));
    set.add(controller);
    reply.raw.once('close', () => {
      set.delete(controller);
      if (set.size === 0 && inFlight.get(agent) === set) inFlight.delete(agent);
    });
  };

  /** Anything thrown as the error the agent gets; unexpected errors are logged with the request id. */
  const toError = (request: FastifyRequest, thrown: unknown): WardenError =>
    toLlmError(thrown, request.id, (fields, message) => request.log.error(fields, message));

  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const api = apiOf(request);
    let token: string | null = null;
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') token = apiKey.trim();
    else {
      const credential = readBearer(request.headers.authorization);
      if (credential.kind === 'token') token = credential.token;
      else if (credential.kind === 'malformed') {
        return sendError(
          reply,
          api,
          new WardenError(
            'WARDEN_TOKEN_MALFORMED',
            'the Authorization header is malformed; send "Authorization: Bearer <token>" or "x-api-key: <token>"',
          ),
        );
      }
    }
    if (token === null) {
      return sendError(
        reply,
        api,
        new WardenError(
          'WARDEN_TOKEN_MISSING',
          'this endpoint needs a Warden access token as the API key (Authorization: Bearer <token> or x-api-key: <token>), from POST /oauth/token (grant_type=client_credentials)',
        ),
      );
    }
    try {
      const verified = await tokens.verify(token);
      callers.set(request, {
        agent: verified.agent,
        roles: verified.roles,
        clientIp: request.ip,
        requestId: request.id,
      });
      track(request, reply, verified.agent.name);
    } catch (thrown) {
      const error = toError(request, thrown);
      if (error.status >= 500 && error.code !== 'WARDEN_INTERNAL')
        request.log.error({ code: error.code, err: thrown }, 'token check failed');
      return sendError(reply, api, error);
    }
    return undefined;
  };

  const errorHandler = (
    error: FastifyError | WardenError,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void => {
    let wardenError = toHttpError(error, options.bodyLimit);
    if (wardenError.code === 'WARDEN_INTERNAL' && !(error instanceof WardenError)) {
      wardenError = toError(request, error);
    } else if (wardenError.status >= 500) {
      request.log.error({ code: wardenError.code, err: error }, 'LLM request failed');
    }
    void sendError(reply, apiOf(request), wardenError);
  };

  const callerOf = (request: FastifyRequest): ModelCaller => {
    const caller = callers.get(request);
    if (caller === undefined)
      throw new WardenError('WARDEN_INTERNAL', 'the request reached the LLM front unauthenticated');
    return caller;
  };

  const serve = (api: WireFormat) => async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(request);
    const controller = controllers.get(request) ?? new AbortController();
    // Suspended while the body was read: refused before anything is sent.
    if (controller.signal.aborted) return sendError(reply, api, abortReason(controller.signal));
    let clientGone = false;
    const onClose = (): void => {
      if (reply.raw.writableEnded) return;
      clientGone = true;
      controller.abort();
    };
    reply.raw.once('close', onClose);
    let result;
    try {
      result = await llm.call({
        api,
        caller,
        body: request.body,
        headers: request.headers,
        signal: controller.signal,
      });
    } catch (thrown) {
      reply.raw.off('close', onClose);
      const error = toError(request, thrown);
      if (error.status >= 500 && error.code !== 'WARDEN_PROVIDER_UNAVAILABLE')
        request.log.warn({ code: error.code }, 'model call failed');
      return sendError(reply, api, error);
    }
    if (result.kind === 'json') {
      reply.raw.off('close', onClose);
      return reply.code(200).send(result.body);
    }
    void reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': request.id,
    });
    raw.flushHeaders();
    try {
      // A suspension aborts the call too, but its error frame must still reach the client.
      for await (const frame of result.frames) {
        if (clientGone) break;
        raw.write(formatFrame(api, frame));
      }
    } catch (thrown) {
      raw.write(formatFrame(api, { kind: 'error', error: toError(request, thrown) }));
    } finally {
      reply.raw.off('close', onClose);
      raw.end();
    }
    return undefined;
  };

  for (const [url, api] of [
    ['/v1/chat/completions', 'openai'],
    ['/v1/messages', 'anthropic'],
  ] as const) {
    app.route({
      method: 'POST',
      url,
      bodyLimit: options.bodyLimit,
      onRequest: authenticate,
      errorHandler,
      handler: serve(api),
    });
  }

  app.route({
    method: 'GET',
    url: '/v1/models',
    onRequest: authenticate,
    errorHandler,
    handler: async (request) => {
      const models = llm.listModels(callerOf(request));
      if (apiOf(request) === 'anthropic') {
        const data = models.map((model) => ({
          type: 'model',
          id: model.alias,
          display_name: model.description ?? model.alias,
          created_at: '1970-01-01T00:00:00Z',
        }));
        return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
      }
      return {
        object: 'list',
        data: models.map((model) => ({
          id: model.alias,
          object: 'model',
          created: 0,
          owned_by: model.provider,
        })),
      };
    },
  });
}

/** Why a request's controller aborted: the WardenError it carries (a suspension), or a cancellation. */
function abortReason(signal: AbortSignal): WardenError {
  const reason: unknown = signal.reason;
  return reason instanceof WardenError
    ? reason
    : new WardenError('WARDEN_CALL_CANCELLED', 'the request was cancelled before the model was called');
}

/** One SSE frame in the API's own format; errors as each SDK expects them mid-stream. */
function formatFrame(api: WireFormat, frame: StreamFrame): string {
  if (frame.kind === 'error') {
    const body = JSON.stringify(apiErrorBody(api, frame.error));
    return api === 'anthropic' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`;
  }
  return frame.event === undefined
    ? `data: ${frame.data}\n\n`
    : `event: ${frame.event}\ndata: ${frame.data}\n\n`;
}
