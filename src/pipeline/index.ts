/** The tool-call pipeline: the same checks for every front (MCP over HTTP, MCP over stdio). */
export { ToolCallPipeline } from './pipeline.js';
export type { PipelineLogger, ToolCallPipelineOptions } from './pipeline.js';
export { ToolRateLimiter } from './rate-limit.js';
export type { RateLimitResult } from './rate-limit.js';
export type {
  CallerIdentity,
  CallSession,
  InspectionHooks,
  ToolCallOutcome,
  ToolCallRequest,
} from './types.js';
