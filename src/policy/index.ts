/** Cedar policy: schema generated from config, policies validated and preparsed per tool, decisions that fail closed. */
export { PolicyService } from './service.js';
export type {
  ContextOverrides,
  PolicyExplanation,
  PolicyLoadSummary,
  PolicyServiceOptions,
  PolicySummary,
} from './service.js';
export {
  cedarSchemaText,
  ENTITY_TYPES,
  exposedToolName,
  generateCedarSchema,
  riskGroupId,
  serverGroupId,
} from './schema.js';
export type { ArgumentType } from './schema.js';
export { isModelAction, modelActionId, MODELS_GROUP_ID } from './schema.js';
export type { ModelAuthorizationRequest } from './models.js';
export { formatIssues } from './compile.js';
export { MAX_CASES_BYTES, parsePolicyCases, runPolicyCases } from './cases.js';
export type { PolicyCase, PolicyCaseContext, PolicyCaseResult } from './cases.js';
export type { PolicyIssue } from './compile.js';
export type {
  AuthorizationRequest,
  Authorizer,
  Decision,
  DeterminingPolicy,
  PolicyAgent,
  PolicySessionContext,
  PolicySessionLabels,
  PolicyTool,
} from './types.js';
