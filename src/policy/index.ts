export type {
  AuthorizationRequest,
  Authorizer,
  Decision,
  DeterminingPolicy,
  PolicyAgent,
  PolicySessionContext,
  PolicyTool,
} from './types.js';
