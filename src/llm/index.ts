/** The LLM egress proxy service: model calls authorized, inspected, routed and restored. The public door of this module. */
export { LlmService, STRIPPED_MESSAGE } from './service.js';
export type {
  LlmServiceOptions,
  ModelAuthorizer,
  ModelCallInput,
  ModelCallResult,
  ModelCaller,
  ModelListing,
  StreamFrame,
} from './service.js';
export type { WireFormat, Usage } from './providers.js';
export { toLlmError } from './errors.js';
export type { UnexpectedErrorLog } from './errors.js';
export { StreamRestorer, holdBackLength, restoreTokens } from './stream-restorer.js';
