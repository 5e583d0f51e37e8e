/**
 * The MCP Streamable HTTP front at /mcp: every HTTP request is authenticated with a bearer token
 * before its body is read, a session answers only the agent that opened it, and the protected
 * resource metadata (RFC 9728) tells clients where to get a token. It translates HTTP to the SDK
 * transport and the pipeline; it adds no rules of its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WardenError, toWardenError } from '../../core/index.js';
import { suspendedError } from '../../identity/index.js';
import type { VerifiedToken } from '../../identity/index.js';
import type { AgentRecord } from '../../store/index.js';
import { toHttpError } from '../http-errors.js';
import {
  PROTECTED_RESOURCE_METADATA_PATH,
  bearerChallenge,
  malformedHeaderError,
  missingTokenError,
  readBearer,
} from './bearer.js';
import { JSON_RPC, sendJsonRpcError, writeRawJsonRpcError } from './json-rpc.js';
import { toAuthInfo } from './session-server.js';
import type { RequestContext } from './session-server.js';
import type { McpSessions } from './sessions.js';

/** The path of the MCP endpoint. */
export const MCP_PATH = '/mcp';

export interface McpRoutesOptions {
  sessions: McpSessions;
  /** Verifies bearer tokens (signature, expiry, audience, agent status) on every request. */
  tokens: { verify(token: string): Promise<VerifiedToken> };
  /** The gateway's public URL: the protected resource and its authorization server. */
  publicUrl: string;
  /** Scopes a token may ask for (the roles). */
  scopes: string[];
  bodyLimit: number;
  /** Subscribes to changes of the tool set (pipeline.onToolsChanged); returns the unsubscribe function. */
  onToolsChanged(listener: () => void): () => void;
  /** How often idle sessions are looked for, in milliseconds. */
  sweepIntervalMs: number;
  /**
   * Subscribes to agents found suspended, here or by another process (AgentService.onSuspended);
   * returns the unsubscribe function. Their sessions are closed and in-flight calls answered at once.
   */
  onAgentSuspended?(listener: (agent: AgentRecord) => void): () => void;
}

const SUPPORTED_METHODS = ['GET', 'POST', 'DELETE'];

/**
 * Fastify plugin: `/mcp` (POST, GET, DELETE) and `/.well-known/oauth-protected-resource`.
 * Closing the app ends the notification streams first (so draining is not held up), then every session.
 */
export async function mcpRoutes(app: FastifyInstance, options: McpRoutesOptions): Promise<void> {
  const { sessions, tokens } = options;
  const base = options.publicUrl.replace(/\/$/, '');
  const metadataUrl = `${base}${PROTECTED_RESOURCE_METADATA_PATH}`;
  const contexts = new WeakMap<FastifyRequest, { context: RequestContext; expiresAt: number }>();

  /** Open notification (GET) streams, so shutdown can end every one, even one not yet registered by the SDK. */
  const streams = new Set<ServerResponse>();
  let closing = false;

  const unsubscribe = options.onToolsChanged(() => sessions.notifyToolsChanged());
  const unsubscribeSuspensions =
    options.onAgentSuspended?.((agent) => {
      sessions
        .closeAgentSessions(agent.name, 'agent-suspended', suspendedError(agent))
        .catch((error: unknown) =>
          app.log.warn({ err: error }, 'closing a suspended agent’s sessions failed'),
        );
    }) ?? (() => undefined);
  const sweeper = setInterval(() => {
    sessions.sweep().catch((error: unknown) => app.log.warn({ err: error }, 'MCP session sweep failed'));
  }, options.sweepIntervalMs);
  sweeper.unref();
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(sweeper);
    unsubscribe();
    unsubscribeSuspensions();
    sessions.endStreams();
    // Give the streams ended above a turn to finish, then cut any that did not (e.g. still being set up).
    await new Promise((resolve) => setImmediate(resolve));
    for (const stream of streams) stream.destroy();
    // Sessions end before the server stops taking requests and closes idle connections, so each call
    // in flight is answered (WARDEN_SESSION_ENDED) while its connection is still open.
    await sessions.closeAll('shutdown');
  });
  app.addHook('onClose', async () => {
    await sessions.closeAll('shutdown');
  });

  // RFC 9728. The protected resource is the gateway as a whole (publicUrl): tokens are issued with
  // aud = publicUrl, and the token endpoint accepts any `resource` under it (RFC 8707).
  app.get(PROTECTED_RESOURCE_METADATA_PATH, async (_request, reply) => {
    void reply.header('cache-control', 'public, max-age=300');
    return {
      resource: base,
      authorization_servers: [base],
      bearer_methods_supported: ['header'],
      scopes_supported: options.scopes,
      resource_name: 'Warden MCP gateway',
    };
  });

  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const credential = readBearer(request.headers.authorization);
    if (credential.kind !== 'token') {
      const error = credential.kind === 'missing' ? missingTokenError() : malformedHeaderError();
      return sendJsonRpcError(reply, error, {
        status: 401,
        headers: { 'www-authenticate': bearerChallenge(metadataUrl, error) },
      });
    }
    let verified: VerifiedToken;
    try {
      verified = await tokens.verify(credential.token);
    } catch (thrown) {
      const error = toWardenError(thrown);
      if (error.code === 'WARDEN_AGENT_SUSPENDED' && typeof error.details.agent === 'string') {
        await sessions.closeAgentSessions(error.details.agent, 'agent-suspended', error);
        return sendJsonRpcError(reply, error);
      }
      if (error.status === 401) {
        return sendJsonRpcError(reply, error, {
          headers: { 'www-authenticate': bearerChallenge(metadataUrl, error) },
        });
      }
      if (error.status >= 500) request.log.error({ code: error.code, err: thrown }, 'token check failed');
      return sendJsonRpcError(reply, error, {
        rpcCode: error.status >= 500 ? JSON_RPC.INTERNAL_ERROR : JSON_RPC.SERVER_ERROR,
      });
    }
    contexts.set(request, {
      context: {
        caller: { agent: verified.agent, roles: verified.roles, credential: `token:${verified.claims.jti}` },
        clientIp: request.ip,
        httpRequestId: request.id,
      },
      expiresAt: verified.claims.exp,
    });
    return undefined;
  };

  const forward = async (
    request: FastifyRequest,
    reply: FastifyReply,
    transport: StreamableHTTPServerTransport,
    authInfo: AuthInfo,
  ): Promise<void> => {
    void reply.hijack();
    const raw = request.raw as IncomingMessage & { auth?: AuthInfo };
    raw.auth = authInfo;
    try {
      await transport.handleRequest(raw, reply.raw, request.body);
    } catch (error) {
      request.log.error({ err: error }, 'the MCP transport failed on a request');
      writeRawJsonRpcError(
        reply.raw,
        new WardenError('WARDEN_INTERNAL', 'an internal error occurred; the server log has the details'),
        JSON_RPC.INTERNAL_ERROR,
      );
    }
  };

  app.route({
    method: [...SUPPORTED_METHODS, 'PUT', 'PATCH'],
    url: MCP_PATH,
    bodyLimit: options.bodyLimit,
    onRequest: authenticate,
    errorHandler: (error: FastifyError | WardenError, request, reply) => {
      const wardenError = toHttpError(error, options.bodyLimit);
      const isJsonSyntax = (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY';
      if (wardenError.status >= 500)
        request.log.error({ code: wardenError.code, err: error }, 'MCP request failed');
      void sendJsonRpcError(reply, wardenError, {
        rpcCode: isJsonSyntax
          ? JSON_RPC.PARSE_ERROR
          : wardenError.status >= 500
            ? JSON_RPC.INTERNAL_ERROR
            : JSON_RPC.SERVER_ERROR,
      });
    },
    handler: async (request, reply) => {
      const authenticated = contexts.get(request);
      if (authenticated === undefined) {
        throw new WardenError('WARDEN_INTERNAL', 'the request reached /mcp without authentication');
      }
      const { context, expiresAt } = authenticated;
      const authInfo = toAuthInfo(context, expiresAt);
      if (!SUPPORTED_METHODS.includes(request.method)) {
        void reply.header('allow', SUPPORTED_METHODS.join(', '));
        return sendJsonRpcError(
          reply,
          new WardenError(
            'WARDEN_BAD_REQUEST',
            `${request.method} is not supported on ${MCP_PATH}; use POST for messages, GET for the notification stream and DELETE to end a session`,
          ),
          { status: 405 },
        );
      }

      const sessionHeader = request.headers['mcp-session-id'];
      if (Array.isArray(sessionHeader)) {
        return sendJsonRpcError(
          reply,
          new WardenError('WARDEN_BAD_REQUEST', 'send one Mcp-Session-Id header, not several'),
          { rpcCode: JSON_RPC.INVALID_REQUEST },
        );
      }
      if (sessionHeader !== undefined) {
        const session = sessions.get(sessionHeader);
        if (session === undefined) {
          return sendJsonRpcError(
            reply,
            new WardenError(
              'WARDEN_SESSION_NOT_FOUND',
              `MCP session ${JSON.stringify(sessionHeader.slice(0, 64))} does not exist or has ended (sessions end after a period without requests, on DELETE and when the server restarts); start a new session with an initialize request without Mcp-Session-Id`,
            ),
            { rpcCode: JSON_RPC.SESSION_NOT_FOUND },
          );
        }
        if (session.agentId !== context.caller.agent.id) {
          return sendJsonRpcError(
            reply,
            new WardenError(
              'WARDEN_SESSION_AGENT_MISMATCH',
              `this MCP session belongs to another agent, not to "${context.caller.agent.name}"; each agent must open its own session with an initialize request`,
              { agent: context.caller.agent.name },
            ),
          );
        }
        sessions.touch(session);
        if (request.method === 'GET') {
          if (closing) {
            return sendJsonRpcError(
              reply,
              new WardenError(
                'WARDEN_SHUTTING_DOWN',
                'this Warden instance is shutting down; reconnect after it restarts',
              ),
              { headers: { connection: 'close' } },
            );
          }
          const stream = reply.raw;
          streams.add(stream);
          stream.once('close', () => streams.delete(stream));
          return forward(request, reply, session.transport, authInfo);
        }
        // Closing the session (say on suspension) must answer the calls it holds; the transport would not.
        const untrack =
          request.method === 'POST'
            ? sessions.trackRequest(session, reply.raw, request.body)
            : () => undefined;
        // Answered by the transport, or by the session closing under it (then the transport never settles).
        const answered = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
        try {
          return await Promise.race([forward(request, reply, session.transport, authInfo), answered]);
        } finally {
          untrack();
          // Idleness counts from the end of the last call too, not only from its start.
          sessions.touch(session);
        }
      }

      if (request.method !== 'POST') {
        return sendJsonRpcError(
          reply,
          new WardenError(
            'WARDEN_BAD_REQUEST',
            `${request.method} ${MCP_PATH} needs the Mcp-Session-Id header of an open session; open one with an initialize request (POST)`,
          ),
          { rpcCode: JSON_RPC.INVALID_REQUEST, status: 400 },
        );
      }
      if (!isInitialization(request.body)) {
        return sendJsonRpcError(
          reply,
          new WardenError(
            'WARDEN_BAD_REQUEST',
            looksLikeJsonRpc(request.body)
              ? 'this request has no Mcp-Session-Id header: start with an initialize request, then send the session id the response returns in Mcp-Session-Id'
              : 'the body is not a JSON-RPC 2.0 message; send {"jsonrpc":"2.0","id":1,"method":"initialize",...} to start a session',
          ),
          { rpcCode: JSON_RPC.INVALID_REQUEST, status: 400 },
        );
      }
      const pending = await sessions.open(context.caller.agent, context.clientIp);
      try {
        await forward(request, reply, pending.transport, authInfo);
      } finally {
        await pending.abandonIfUninitialized();
      }
      return undefined;
    },
  });
}

/** An initialize request, alone or as the only message of a batch. */
function isInitialization(body: unknown): boolean {
  if (Array.isArray(body)) return body.length === 1 && isInitializeRequest(body[0]);
  return isInitializeRequest(body);
}

function looksLikeJsonRpc(body: unknown): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return (
    messages.length > 0 &&
    messages.every(
      (message) =>
        message !== null &&
        typeof message === 'object' &&
        (message as Record<string, unknown>).jsonrpc === '2.0',
    )
  );
}
