/** The upstream catalog: the MCP servers Warden fronts, their declared tools, and calls to them. */
export { createUpstreamCatalog } from './catalog.js';
export type { UpstreamCatalogOptions } from './catalog.js';
export type { UpstreamLogger } from './connection.js';
export { DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { INHERITED_ENV_VARIABLES } from './transport.js';
export type {
  CallToolOptions,
  CallToolResult,
  UpstreamCatalog,
  UpstreamState,
  UpstreamStatus,
  UpstreamTool,
} from './types.js';
