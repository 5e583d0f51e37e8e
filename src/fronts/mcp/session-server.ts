/**
 * The MCP server of one session: tools/list and tools/call translated to the pipeline and back.
 * It adds no rules: a refused call becomes a tool result with isError (so the agent reads the
 * reason), an unknown tool a JSON-RPC error, as the MCP spec asks.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject, WardenError } from '../../core/index.js';
import type {
  CallSession,
  CallerIdentity,
  ElicitAnswer,
  ToolCallOutcome,
  ToolCallRequest,
} from '../../pipeline/index.js';
import type { UpstreamTool } from '../../upstream/index.js';

/** The part of the pipeline the MCP front uses. */
export interface McpPipeline {
  listTools(caller: CallerIdentity, session: CallSession, clientIp?: string | null): UpstreamTool[];
  callTool(request: ToolCallRequest): Promise<ToolCallOutcome>;
}

/** What the HTTP layer learned about one request, handed to the handlers through the SDK's authInfo. */
export interface RequestContext {
  caller: CallerIdentity;
  clientIp: string | null;
  /** The HTTP request id (for logs and audit). */
  httpRequestId: string;
}

const CONTEXT_KEY = 'warden';

/** Wraps a request context into the SDK's AuthInfo (the transport passes it to every handler). */
export function toAuthInfo(context: RequestContext, expiresAt: number): AuthInfo {
  return {
    token: context.caller.credential,
    clientId: context.caller.agent.name,
    scopes: context.caller.roles,
    expiresAt,
    extra: { [CONTEXT_KEY]: context },
  };
}

function contextOf(authInfo: AuthInfo | undefined): RequestContext {
  const context = authInfo?.extra?.[CONTEXT_KEY] as RequestContext | undefined;
  if (context === undefined) {
    // Every request is authenticated before it reaches the transport; this cannot happen.
    throw new McpError(
      ErrorCode.InternalError,
      'WARDEN_INTERNAL: the request carries no authenticated caller',
    );
  }
  return context;
}

export interface SessionServerOptions {
  pipeline: McpPipeline;
  /** The session's call counters (shared by every request of the session). */
  callSession: CallSession;
  version: string;
}

/** Builds the SDK server for one session. */
export function createSessionServer(options: SessionServerOptions): Server {
  const { pipeline, callSession } = options;
  const server = new Server(
    { name: 'warden', title: 'Warden MCP gateway', version: options.version },
    {
      capabilities: { tools: { listChanged: true } },
      instructions:
        'Warden fronts several MCP servers; tools are named <server>__<tool>. Every call is checked against policy and recorded. A refused call returns isError with "WARDEN_<CODE>: reason".',
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, (_request, extra) => {
    const context = contextOf(extra.authInfo);
    return { tools: pipeline.listTools(context.caller, callSession, context.clientIp).map(toMcpTool) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const context = contextOf(extra.authInfo);
    const meta = request.params._meta as JsonObject | undefined;
    const progressToken = request.params._meta?.progressToken;
    // Upstream progress is relayed under the client's own progressToken, when it sent one. POSTs
    // are answered with plain JSON, so it travels on the session's GET stream, not the request's.
    const onProgress =
      progressToken === undefined
        ? undefined
        : (progress: { progress: number; total?: number; message?: string }): void => {
            void server
              .notification({ method: 'notifications/progress', params: { progressToken, ...progress } })
              .catch(() => undefined);
          };
    // `@interactive` approvals ask the client's own user, when the client can be asked.
    const elicitation = server.getClientCapabilities()?.elicitation;
    const elicit =
      elicitation === undefined
        ? undefined
        : async (message: string, signal?: AbortSignal): Promise<ElicitAnswer> => {
            const answer = await server.elicitInput(
              {
                message,
                requestedSchema: {
                  type: 'object',
                  properties: {
                    approve: {
                      type: 'boolean',
                      title: 'Approve',
                      description: 'Run this call now (it runs once)',
                    },
                  },
                  required: ['approve'],
                },
              },
              signal === undefined ? {} : { signal },
            );
            return {
              action: answer.action,
              ...(answer.content === undefined ? {} : { content: answer.content }),
            };
          };
    const outcome = await pipeline.callTool({
      caller: context.caller,
      session: callSession,
      toolName: request.params.name,
      arguments: (request.params.arguments ?? {}) as JsonObject,
      clientIp: context.clientIp,
      requestId: `${context.httpRequestId}#${String(extra.requestId).slice(0, 64)}`,
      ...(meta === undefined ? {} : { meta }),
      signal: extra.signal,
      ...(onProgress === undefined ? {} : { onProgress }),
      ...(elicit === undefined ? {} : { elicit }),
    });
    if (outcome.kind === 'result') return outcome.result;
    if (outcome.error.code === 'WARDEN_TOOL_NOT_FOUND') {
      // An unknown tool is a protocol error in MCP (the call could not even be addressed).
      throw new McpError(
        ErrorCode.InvalidParams,
        `${outcome.error.code}: ${outcome.error.message}`,
        outcome.error.toJSON(),
      );
    }
    return refusalResult(outcome.error);
  });
  return server;
}

/** A refusal as a tool result the agent can read: `WARDEN_CODE: message`, with the structured error in _meta. */
export function refusalResult(error: WardenError): CallToolResult {
  return {
    content: [{ type: 'text', text: `${error.code}: ${error.message}` }],
    isError: true,
    _meta: { warden: error.toJSON() as unknown as JsonObject },
  };
}

function toMcpTool(tool: UpstreamTool): Tool {
  return {
    name: tool.exposedName,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema as Tool['outputSchema'] }),
    ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
  };
}
