export { openWarden } from './warden.js';
export type { Warden, OpenWardenOptions } from './warden.js';
export { buildHttpServer } from './http.js';
export type { HttpServerOptions } from './http.js';
export { startServer } from './serve.js';
export type { RunningServer, StartServerOptions } from './serve.js';
export { createLogger, pathOnly, REDACTED_LOG_PATHS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
