/** The MCP Streamable HTTP front: /mcp sessions over the tool-call pipeline, and protected resource metadata. */
export { mcpRoutes, MCP_PATH } from './routes.js';
export type { McpRoutesOptions } from './routes.js';
export { McpSessions } from './sessions.js';
export type { McpSession, McpSessionsOptions, SessionEndReason, SessionLogger } from './sessions.js';
export { createSessionServer, refusalResult, toAuthInfo } from './session-server.js';
export type { McpPipeline, RequestContext, SessionServerOptions } from './session-server.js';
export { PROTECTED_RESOURCE_METADATA_PATH, bearerChallenge, readBearer } from './bearer.js';
export { JSON_RPC, jsonRpcError } from './json-rpc.js';
