/** The OpenAI- and Anthropic-compatible HTTP front of the LLM egress proxy. */
export { llmRoutes, apiErrorBody } from './routes.js';
export type { LlmRoutesOptions } from './routes.js';
