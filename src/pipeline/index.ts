export type {
  CallerIdentity,
  CallSession,
  InspectionHooks,
  ToolCallOutcome,
  ToolCallRequest,
} from './types.js';
