export { openWarden, scrubbingLogger } from './warden.js';
export type { Gateway, GatewayLogger, OpenWardenOptions, PolicyReloadResult, Warden } from './warden.js';
export { buildHttpServer } from './http.js';
export type { HttpServerOptions, McpFrontSettings } from './http.js';
export { pidFilePath, startServer } from './serve.js';
export type { RunningServer, StartServerOptions } from './serve.js';
export { createLogger, pathOnly, REDACTED_LOG_PATHS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
