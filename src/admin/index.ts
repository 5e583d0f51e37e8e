/** Admin users (the people who decide approvals): sign-in, roles, console sessions, and the console's read models. */
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
export {
  CONSOLE_COOKIE_NAME,
  ConsoleSessions,
  SECURE_CONSOLE_COOKIE_NAME,
  consoleCookieName,
} from './console-sessions.js';
export type {
  ConsoleSession,
  ConsoleSessionOptions,
  OpenOptions,
  OpenedSession,
  SessionAccount,
} from './console-sessions.js';
export { AuditStatusChecker, DEFAULT_STATUS_WINDOW } from './audit-status.js';
export type { AuditStatus, AuditStatusOptions } from './audit-status.js';
export { evaluateWhatIf } from './what-if.js';
export type { WhatIfPolicies, WhatIfResult } from './what-if.js';
