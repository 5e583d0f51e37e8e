/** The tool-call pipeline: the same checks for every front (MCP over HTTP, MCP over stdio). */
export { ToolCallPipeline } from './pipeline.js';
export type { ApprovalGate, PipelineLogger, ToolCallPipelineOptions } from './pipeline.js';
export { ToolRateLimiter } from './rate-limit.js';
export type { RateLimitResult } from './rate-limit.js';
export type {
  CallerIdentity,
  CallSession,
  ContentInspector,
  ElicitAnswer,
  InspectionFindings,
  ToolCallOutcome,
  ToolCallRequest,
} from './types.js';
