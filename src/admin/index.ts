/** Admin users (the people who decide approvals): sign-in, roles, and the decider they act as. */
export {
  ADMIN_API_KEY_PREFIX,
  AdminDirectory,
  generateAdminApiKey,
  hashAdminCredential,
  hasRole,
  requireRole,
  toDecider,
} from './users.js';
export type {
  AdminDirectoryOptions,
  AdminPrincipal,
  AuthenticateContext,
  SignInBlocked,
  SignInFailureLimit,
} from './users.js';
