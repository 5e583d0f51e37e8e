/**
 * Configuration: warden.yaml loaded strictly (every problem reported with file, line and field) and
 * secret references resolved; the public door of this module.
 */
export { loadConfig, safeLoadConfig, defaultPublicUrl } from './load.js';
export type {
  LoadedConfig,
  LoadConfigOptions,
  ResolvedConfig,
  SafeLoadResult,
  ConfigIssue,
  SecretReference,
} from './load.js';
export { summarizeConfig } from './summary.js';
export {
  configSchema,
  RISKS,
  ADMIN_ROLES,
  APPROVAL_EVENTS,
  INSPECTION_ACTIONS,
  INJECTION_ACTIONS,
} from './schema.js';
export type { WardenConfig, AgentConfig, ServerConfig, Risk, AdminRole } from './schema.js';
