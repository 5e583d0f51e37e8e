export type {
  CallToolOptions,
  CallToolResult,
  UpstreamCatalog,
  UpstreamState,
  UpstreamStatus,
  UpstreamTool,
} from './types.js';
