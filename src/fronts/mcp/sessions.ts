/**
 * MCP sessions: each is bound to the agent that created it, expires after an idle time, is capped
 * per agent (the least recently used one is closed first), and is closed on DELETE, on suspension
 * of its agent and at shutdown. Every start and end is recorded in the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuditRecorder } from '../../audit/index.js';
import { WardenError } from '../../core/index.js';
import type { Clock } from '../../core/index.js';
import type { CallSession } from '../../pipeline/index.js';
import { JSON_RPC, jsonRpcError } from './json-rpc.js';
import { createSessionServer } from './session-server.js';
import type { McpPipeline } from './session-server.js';

export type SessionEndReason = 'deleted' | 'expired' | 'evicted' | 'agent-suspended' | 'shutdown';

/** One live MCP session. */
export interface McpSession {
  readonly id: string;
  readonly agentId: string;
  readonly agentName: string;
  readonly transport: StreamableHTTPServerTransport;
  readonly server: Server;
  readonly callSession: CallSession;
  readonly createdAt: number;
  lastSeenAt: number;
  /** POSTs being answered, with their JSON-RPC request ids: closing the session answers them (see close). */
  readonly inFlight: Map<ServerResponse, Array<string | number>>;
}

/** The pino-compatible subset of a logger the sessions write to. */
export interface SessionLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface McpSessionsOptions {
  pipeline: McpPipeline;
  audit: AuditRecorder;
  clock: Clock;
  /** Sessions without a request for this long are closed. */
  idleTimeoutSeconds: number;
  /** Open sessions allowed per agent; opening one more closes that agent's least recently used. */
  maxSessionsPerAgent: number;
  version: string;
  logger?: SessionLogger;
  /** Told when a session ends, so what is kept per session (tokenization vault) can go. */
  onSessionEnded?: (id: string) => void;
}

/** A session being initialized: its transport and server exist, its id not yet. */
export interface PendingSession {
  transport: StreamableHTTPServerTransport;
  /** Closes the transport if initialization did not produce a session. */
  abandonIfUninitialized(): Promise<void>;
}

/** The registry of live MCP sessions. */
export class McpSessions {
  readonly #options: McpSessionsOptions;
  readonly #sessions = new Map<string, McpSession>();
  readonly #ending = new Set<string>();

  constructor(options: McpSessionsOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): McpSession | undefined {
    return this.#sessions.get(id);
  }

  /** Marks a session as used now (idle expiry counts from the last request). */
  touch(session: McpSession): void {
    session.lastSeenAt = this.#options.clock.now();
  }

  /**
   * Prepares a session for an initialize request from `agent`. It is registered once the transport
   * has accepted the initialize request and generated the session id.
   */
  async open(agent: { id: string; name: string }, clientIp: string | null): Promise<PendingSession> {
    const callSession: CallSession = { id: '', callCount: 0, toolCallCounts: new Map() };
    const server = createSessionServer({
      pipeline: this.#options.pipeline,
      callSession,
      version: this.#options.version,
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Plain JSON answers to POSTs: cheaper than an SSE stream per request. Notifications use the GET stream.
      enableJsonResponse: true,
      onsessioninitialized: async (id) => {
        callSession.id = id;
        const now = this.#options.clock.now();
        const session: McpSession = {
          id,
          agentId: agent.id,
          agentName: agent.name,
          transport,
          server,
          callSession,
          createdAt: now,
          lastSeenAt: now,
          inFlight: new Map(),
        };
        this.#sessions.set(id, session);
        await this.#evictBeyondCap(agent.id);
        await this.#record({
          type: 'mcp-session-started',
          actor: `agent:${agent.name}`,
          session: id,
          subject: `agent:${agent.name}`,
          detail: { clientIp },
        });
      },
      onsessionclosed: async (id) => {
        await this.close(id, 'deleted');
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && this.#sessions.get(id)?.transport === transport) {
        void this.close(id, 'deleted');
      }
    };
    await server.connect(transport);
    return {
      transport,
      abandonIfUninitialized: async () => {
        if (transport.sessionId === undefined || !this.#sessions.has(transport.sessionId)) {
          await server.close();
        }
      },
    };
  }

  /**
   * Registers a POST of `session` being answered, so that closing the session under it answers it
   * (the transport alone would leave it open). Returns the function that forgets it once answered.
   */
  trackRequest(session: McpSession, response: ServerResponse, body: unknown): () => void {
    const messages: unknown[] = Array.isArray(body) ? body : [body];
    const ids = messages.flatMap((message) => {
      const id = (message as { id?: unknown } | null)?.id;
      return typeof id === 'string' || typeof id === 'number' ? [id] : [];
    });
    if (ids.length === 0) return () => undefined;
    session.inFlight.set(response, ids);
    return () => {
      session.inFlight.delete(response);
    };
  }

  /**
   * Closes one session (idempotent) and records why. In-flight calls are aborted (their abort signal
   * fires, so approval waits and upstream calls stop), and each POST still open is answered with a
   * JSON-RPC error for its request ids: `error` when given, else WARDEN_SESSION_ENDED saying why (the
   * transport alone would leave them open for ever).
   */
  async close(id: string, reason: SessionEndReason, error?: WardenError): Promise<void> {
    const session = this.#sessions.get(id);
    if (session === undefined || this.#ending.has(id)) return;
    this.#ending.add(id);
    try {
      this.#sessions.delete(id);
      try {
        await session.server.close();
      } catch (closeError) {
        this.#options.logger?.warn({ err: closeError, session: id }, 'closing an MCP session failed');
      }
      answerInFlight(session, error ?? sessionEndedError(reason));
      await this.#record({
        type: 'mcp-session-ended',
        actor: reason === 'deleted' ? `agent:${session.agentName}` : 'system',
        session: id,
        subject: `agent:${session.agentName}`,
        detail: { reason, calls: session.callSession.callCount },
      });
    } finally {
      this.#ending.delete(id);
      try {
        this.#options.onSessionEnded?.(id);
      } catch (error) {
        this.#options.logger?.warn({ err: error, session: id }, 'a session-ended listener failed');
      }
    }
  }

  /**
   * Closes every session of an agent (after it was found suspended), answering their in-flight POSTs
   * with `error` when given. Returns how many.
   */
  async closeAgentSessions(
    agentName: string,
    reason: SessionEndReason,
    error?: WardenError,
  ): Promise<number> {
    const ids = [...this.#sessions.values()]
      .filter((session) => session.agentName === agentName)
      .map((session) => session.id);
    await Promise.all(ids.map((id) => this.close(id, reason, error)));
    return ids.length;
  }

  /**
   * Closes sessions idle for longer than the idle timeout. A session with a call in flight is not idle
   * (a long call must not expire its session underneath itself). Returns how many.
   */
  async sweep(): Promise<number> {
    const cutoff = this.#options.clock.now() - this.#options.idleTimeoutSeconds * 1000;
    const idle = [...this.#sessions.values()].filter(
      (session) => session.inFlight.size === 0 && session.lastSeenAt < cutoff,
    );
    await Promise.all(idle.map((session) => this.close(session.id, 'expired')));
    return idle.length;
  }

  /** Ends every open notification (GET) stream, so a draining server is not held open by them. */
  endStreams(): void {
    for (const session of this.#sessions.values()) session.transport.closeStandaloneSSEStream();
  }

  /** Closes every session. */
  async closeAll(reason: SessionEndReason): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((id) => this.close(id, reason)));
  }

  /** Sends notifications/tools/list_changed to every session (on its GET stream, when one is open). */
  notifyToolsChanged(): void {
    for (const session of this.#sessions.values()) {
      session.server.sendToolListChanged().catch((error: unknown) => {
        this.#options.logger?.warn({ err: error, session: session.id }, 'could not notify a session');
      });
    }
  }

  async #evictBeyondCap(agentId: string): Promise<void> {
    const own = [...this.#sessions.values()].filter((session) => session.agentId === agentId);
    const excess = own.length - this.#options.maxSessionsPerAgent;
    if (excess <= 0) return;
    own.sort((a, b) => a.lastSeenAt - b.lastSeenAt);
    await Promise.all(own.slice(0, excess).map((session) => this.close(session.id, 'evicted')));
  }

  async #record(event: Parameters<AuditRecorder['record']>[0]): Promise<void> {
    try {
      await this.#options.audit.record(event);
    } catch (error) {
      this.#options.logger?.warn({ err: error, type: event.type }, 'could not record an MCP session event');
    }
  }
}

const END_EXPLANATIONS: Record<SessionEndReason, string> = {
  deleted: 'it was ended by a DELETE request',
  expired: 'it was idle for longer than the idle timeout',
  evicted: "it was the agent's least recently used session and the agent opened more than its limit",
  'agent-suspended': 'its agent was suspended',
  shutdown: 'this Warden instance is shutting down',
};

/** The answer to a call still in flight when its session ended. */
export function sessionEndedError(reason: SessionEndReason): WardenError {
  return new WardenError(
    'WARDEN_SESSION_ENDED',
    `the MCP session ended before this call was answered (${END_EXPLANATIONS[reason]}); the call may or may not have run. Open a new session with an initialize request, check whether the call took effect, and retry if needed`,
    { reason },
  );
}

/** Answers each POST of `session` still open with `error` (a JSON-RPC error per request id). */
function answerInFlight(session: McpSession, error: WardenError): void {
  for (const [response, ids] of session.inFlight) {
    if (response.writableEnded || response.destroyed) continue;
    if (response.headersSent) {
      response.destroy();
      continue;
    }
    const errors = ids.map((id) => jsonRpcError(error, JSON_RPC.SERVER_ERROR, id));
    const body = JSON.stringify(errors.length === 1 ? errors[0] : errors);
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'mcp-session-id': session.id,
    });
    response.end(body);
  }
  session.inFlight.clear();
}
