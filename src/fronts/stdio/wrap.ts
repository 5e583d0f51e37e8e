/**
 * The stdio front: Warden as a local MCP server for a desktop client, wrapping one stdio MCP
 * server. Every call passes the same pipeline as over HTTP (policy, rate limits, audit); the caller
 * is the one local agent named on the command line, checked against the store on every call.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { AuditRecorder } from '../../audit/index.js';
import type { CallSession, CallerIdentity } from '../../pipeline/index.js';
import type { AgentRecord } from '../../store/index.js';
import { createSessionServer, toAuthInfo } from '../mcp/index.js';
import type { McpPipeline, RequestContext } from '../mcp/index.js';

export interface WrapOptions {
  pipeline: McpPipeline;
  audit: AuditRecorder;
  agent: AgentRecord;
  version: string;
  /** Defaults to the process's stdin and stdout. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export interface RunningWrap {
  readonly server: Server;
  readonly session: CallSession;
  /** Resolves when the client closes the connection (stdin ends). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves MCP over stdio for `agent`, through `pipeline`.
 *
 * @example
 * const wrap = await serveStdio({ pipeline: gateway.pipeline, audit, agent, version: '0.1.0' });
 * await wrap.closed;
 */
export async function serveStdio(options: WrapOptions): Promise<RunningWrap> {
  const caller: CallerIdentity = {
    agent: options.agent,
    roles: options.agent.roles,
    credential: 'local:wrap',
  };
  const session: CallSession = { id: `stdio-${randomUUID()}`, callCount: 0, toolCallCounts: new Map() };
  const server = createSessionServer({
    pipeline: options.pipeline,
    callSession: session,
    version: options.version,
  });
  const stdio = new StdioServerTransport(
    options.input as NodeJS.ReadStream | undefined,
    options.output as NodeJS.WriteStream | undefined,
  );
  let requests = 0;
  // The SDK hands `authInfo` from the transport to every handler; stdio has none, so this adapter
  // attaches the local caller to each incoming message.
  const transport = withCaller(stdio, () => {
    requests += 1;
    const context: RequestContext = { caller, clientIp: null, httpRequestId: `${session.id}#${requests}` };
    return toAuthInfo(context, Math.floor(Date.now() / 1000) + 3600);
  });
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolveClose) => {
    resolveClosed = resolveClose;
  });
  server.onclose = () => resolveClosed();
  let ended = false;
  const recordEnd = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    await options.audit.record({
      type: 'mcp-session-ended',
      actor: `agent:${options.agent.name}`,
      session: session.id,
      subject: `agent:${options.agent.name}`,
      detail: { front: 'stdio', reason: 'closed', calls: session.callCount },
    });
  };
  await options.audit.record({
    type: 'mcp-session-started',
    actor: `agent:${options.agent.name}`,
    session: session.id,
    subject: `agent:${options.agent.name}`,
    detail: { front: 'stdio' },
  });
  await server.connect(transport);
  return {
    server,
    session,
    closed,
    async close() {
      try {
        await server.close();
      } finally {
        await recordEnd();
      }
    },
  };
}

/** Wraps a transport so every message reaches the server with the caller's AuthInfo. */
function withCaller(inner: Transport, authInfo: () => ReturnType<typeof toAuthInfo>): Transport {
  const wrapped: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
  };
  inner.onclose = () => wrapped.onclose?.();
  inner.onerror = (error) => wrapped.onerror?.(error);
  inner.onmessage = (message: JSONRPCMessage) => wrapped.onmessage?.(message, { authInfo: authInfo() });
  return wrapped;
}
