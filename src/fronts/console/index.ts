export { CONSOLE_CONTENT_SECURITY_POLICY, DEFAULT_CONSOLE_ROOT, consoleRoutes } from './routes.js';
export type { ConsoleRoutesOptions } from './routes.js';
